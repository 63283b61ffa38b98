from decimal import Decimal

from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common import CreditDeliveryCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestDeliveryCheckpoint(CreditDeliveryCommon):
    """Validating a delivery runs the customer's credit checks again, now."""

    def assertRefused(self, picking, action):
        """``button_validate`` recorded a hold, told the user and validated nothing."""
        self.assertEqual(action["type"], "ir.actions.client")
        self.assertEqual(action["params"]["type"], "danger")
        self.assertNotEqual(picking.state, "done")
        self.assertEqual(set(picking.move_ids.mapped("state")) & {"done"}, set())
        self.assertEqual(picking.credit_hold_state, "pending")
        return self._pending(picking)

    # ------------------------------------------------------------------
    # refused
    # ------------------------------------------------------------------
    def test_a_delivery_to_a_customer_in_good_standing_is_validated(self):
        picking = self._sold_delivery(self.acme)
        self.assertIs(self._validate(picking), True)
        self.assertEqual(picking.state, "done")
        self.assertFalse(picking.sudo().credit_hold_ids)
        self.assertFalse(picking.credit_hold_state)

    def test_a_customer_put_on_hold_after_the_order_is_not_shipped(self):
        picking = self._sold_delivery(self.acme)
        self.file.write({"on_hold": True, "hold_reason": "Bankruptcy rumours"})
        action = self._validate(picking)
        hold = self.assertRefused(picking, action)
        self.assertEqual(len(hold), 1)
        self.assertEqual(hold.picking_id, picking)
        self.assertFalse(hold.order_id)
        self.assertEqual(hold.partner_id, self.acme)
        self.assertEqual(hold.company_id, self.company)
        self.assertEqual(hold.requester_id, self.stock_user)
        self.assertEqual(self._failures(hold), {"manual_hold": {}})
        self.assertEqual(hold.reasons, "The customer is on credit hold.")
        self.assertIn("The customer is on credit hold.", action["params"]["message"])
        self.assertIn(picking.name, action["params"]["message"])

    def test_the_officer_gets_an_activity_and_the_delivery_a_message(self):
        picking = self._sold_delivery(self.acme)
        self.file.on_hold = True
        self._validate(picking)
        hold = self._pending(picking)
        self.assertEqual(hold.activity_ids.user_id, self.officer)
        self.assertEqual(hold.activity_ids.summary, f"Credit hold on delivery {picking.name}")
        message = picking.message_ids.filtered(lambda m: "waits for a credit officer" in m.body)
        self.assertEqual(len(message), 1)
        self.assertIn("The customer is on credit hold.", message.body)

    def test_trying_again_keeps_one_hold_waiting(self):
        picking = self._sold_delivery(self.acme)
        self.file.on_hold = True
        self._validate(picking)
        self._validate(picking)
        self.assertEqual(len(picking.sudo().credit_hold_ids), 1)
        self.assertEqual(len(self._pending(picking).activity_ids), 1)

    def test_stopped_deliveries_are_refused_with_the_reason(self):
        picking = self._sold_delivery(self.acme)
        self.file.write({"stop_deliveries": True, "stop_deliveries_reason": "Dunning level 3"})
        hold = self.assertRefused(picking, self._validate(picking))
        self.assertEqual(self._failures(hold), {"stop_deliveries": {"reason": "Dunning level 3"}})
        self.assertEqual(hold.reasons, "Deliveries to this customer are stopped: Dunning level 3")

    def test_a_customer_over_its_limit_now_is_not_shipped(self):
        picking = self._sold_delivery(self.acme)
        # 3,000.00 invoiced + 2,000.00 ordered = 5,000.00 against a limit cut to 4,000.00
        self._set_rating(self.file, sync=False, credit_limit=4_000.0)
        hold = self.assertRefused(picking, self._validate(picking))
        self.assertAlmostEqual(hold.exposure, 5_000.0, places=2)
        self.assertAlmostEqual(hold.credit_limit, 4_000.0, places=2)
        self.assertEqual(self._failures(hold)["limit"]["excess"], Decimal("1000.00"))
        self.assertEqual(
            hold.reasons,
            f"Credit limit exceeded: exposure {self.currency.format(5_000.0)} is over the "
            f"limit of {self.currency.format(4_000.0)} by {self.currency.format(1_000.0)}.",
        )

    def test_a_customer_exactly_at_its_limit_is_shipped(self):
        picking = self._sold_delivery(self.acme)
        self._set_rating(self.file, sync=False, credit_limit=5_000.0)
        self._validate(picking)
        self.assertEqual(picking.state, "done")

    def test_overdue_money_beyond_the_grades_rules_stops_the_delivery(self):
        self.grade["A"].write({"overdue_tolerance": 100.0, "overdue_max_days": 10})
        picking = self._sold_delivery(self.acme)
        # 500.00 due on 2024-05-31: 30 days overdue on 2024-06-30
        self._invoice(self.acme, "2024-05-01", "2024-05-31", 500.0)
        hold = self.assertRefused(picking, self._validate(picking))
        failures = self._failures(hold)
        self.assertEqual(
            failures["overdue_amount"],
            {"overdue_amount": Decimal("500.00"), "tolerance": Decimal("100.00")},
        )
        self.assertEqual(failures["overdue_days"], {"oldest_overdue_days": 30, "max_days": 10})
        self.assertAlmostEqual(hold.overdue_amount, 500.0, places=2)
        self.assertEqual(hold.oldest_overdue_days, 30)

    def test_every_failed_rule_is_reported(self):
        picking = self._sold_delivery(self.acme)
        self.file.write({"on_hold": True, "stop_deliveries": True})
        self._set_rating(self.file, sync=False, credit_limit=4_000.0)
        hold = self.assertRefused(picking, self._validate(picking))
        self.assertEqual(list(self._failures(hold)), ["stop_deliveries", "manual_hold", "limit"])

    # ------------------------------------------------------------------
    # every path, atomic
    # ------------------------------------------------------------------
    def test_the_transfer_itself_refuses_with_the_customer_and_the_figures(self):
        picking = self._sold_delivery(self.acme)
        picking.move_ids.quantity = 2.0
        self.file.write({"on_hold": True})
        self._set_rating(self.file, sync=False, credit_limit=4_000.0)
        with self.assertRefusedWithoutWriting(UserError) as refusal:
            picking.with_user(self.stock_user)._action_done()
        message = str(refusal.exception)
        self.assertIn(f"refuses to validate {picking.name} for Acme", message)
        self.assertIn("The customer is on credit hold.", message)
        self.assertIn(f"by {self.currency.format(1_000.0)}", message)
        self.assertNotEqual(picking.state, "done")
        self.assertEqual(set(picking.move_ids.mapped("state")) & {"done"}, set())
        self.assertFalse(picking.move_ids.move_line_ids.filtered(lambda ml: ml.state == "done"))
        self.assertFalse(picking.sudo().credit_hold_ids)

    def test_a_batch_with_one_refused_delivery_validates_none(self):
        good = self._sold_delivery(self.acme)
        late, late_file = self._rated("Late", limit=10_000.0)
        refused = self._sold_delivery(late)
        late_file.stop_deliveries = True
        action = self._validate(good | refused)
        self.assertEqual(action["tag"], "display_notification")
        self.assertNotEqual(good.state, "done")
        self.assertNotEqual(refused.state, "done")
        self.assertFalse(good.sudo().credit_hold_ids)
        self.assertEqual(len(self._pending(refused)), 1)
        self._validate(good)
        self.assertEqual(good.state, "done")

    def test_the_backorder_wizard_goes_through_the_checkpoint(self):
        picking = self._sold_delivery(self.acme, qty=2.0)
        picking.move_ids.quantity = 1.0
        action = self._validate(picking)
        self.assertEqual(action["res_model"], "stock.backorder.confirmation")
        self.file.on_hold = True
        wizard = (
            self.env["stock.backorder.confirmation"]
            .with_user(self.stock_user)
            .with_context(**action["context"])
            .create({})
        )
        result = wizard.process()
        self.assertEqual(result["tag"], "display_notification")
        self.assertNotEqual(picking.state, "done")
        self.assertFalse(picking.backorder_ids)

    # ------------------------------------------------------------------
    # passing
    # ------------------------------------------------------------------
    def test_customer_returns_pass(self):
        picking = self._sold_delivery(self.acme)
        self._validate(picking)
        self.file.write({"on_hold": True, "stop_deliveries": True})
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=picking.id, active_model="stock.picking")
            .create({})
        )
        wizard.product_return_moves.quantity = 2.0
        back = wizard._create_return()
        self.assertEqual(back.picking_type_code, "incoming")
        back.move_ids.quantity = 2.0
        self._validate(back)
        self.assertEqual(back.state, "done")
        self.assertFalse(back.sudo().credit_hold_ids)

    def test_internal_transfers_pass(self):
        self.file.write({"on_hold": True, "stop_deliveries": True})
        shelf = self.env["stock.location"].create(
            {"name": "Shelf", "usage": "internal", "location_id": self.warehouse.lot_stock_id.id}
        )
        picking = self._picking(
            self.acme, self.warehouse.int_type_id, self.warehouse.lot_stock_id, shelf
        )
        self._validate(picking)
        self.assertEqual(picking.state, "done")

    def test_an_unlimited_customer_over_its_rated_limit_is_shipped(self):
        picking = self._sold_delivery(self.acme)
        self.file.write({"unlimited": True})
        self._set_rating(self.file, sync=False, credit_limit=0.0)
        self._validate(picking)
        self.assertEqual(picking.state, "done")

    def test_a_customer_without_credit_file_is_shipped(self):
        stranger = self._customer("Stranger")
        self._invoice(stranger, "2024-04-01", "2024-04-30", 50_000.0)
        picking = self._picking(
            stranger,
            self.warehouse.out_type_id,
            self.warehouse.lot_stock_id,
            self.env.ref("stock.stock_location_customers"),
        )
        self._validate(picking)
        self.assertEqual(picking.state, "done")

    def test_a_policy_that_does_not_check_deliveries_ships(self):
        picking = self._sold_delivery(self.acme)
        self.file.write({"on_hold": True, "stop_deliveries": True})
        self.policy.check_deliveries = False
        self._validate(picking)
        self.assertEqual(picking.state, "done")

    def test_a_hold_in_another_company_does_not_stop_this_companys_delivery(self):
        company_b = self.setup_other_company(name="Company B")["company"]
        self._file(self.acme, company=company_b, on_hold=True, stop_deliveries=True)
        picking = self._sold_delivery(self.acme)
        self._validate(picking)
        self.assertEqual(picking.state, "done")
