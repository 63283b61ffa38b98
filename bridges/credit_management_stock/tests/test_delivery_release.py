from odoo.exceptions import AccessError, ValidationError
from odoo.tests import freeze_time, tagged

from odoo.addons.credit_management.models.credit_decision_mixin import audit_writer

from .. import uninstall_hook
from .common import CreditDeliveryCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestDeliveryRelease(CreditDeliveryCommon):
    """Acme was put on hold after its order: its delivery waits for a credit officer."""

    def setUp(self):
        super().setUp()
        self.picking = self._sold_delivery(self.acme)
        self.file.write({"on_hold": True})
        self._set_rating(self.file, sync=False, credit_limit=4_000.0)
        self._validate(self.picking)
        self.hold = self._pending(self.picking)
        self.assertEqual(len(self.hold), 1)

    def _decide(self, user, decision, reason):
        action = self.picking.with_user(user).action_credit_release()
        self.assertEqual(action["res_model"], "credit.hold.decision")
        wizard = (
            self.env["credit.hold.decision"]
            .with_user(user)
            .with_context(**action["context"])
            .create({"decision": decision, "reason": reason})
        )
        self.assertEqual(wizard.hold_ids, self.hold)
        return wizard.action_decide()

    def test_an_officer_releases_the_delivery_with_an_audit_trail(self):
        self._decide(self.officer, "approve_once", "Paid by wire this morning")
        self.assertEqual(self.hold.state, "approved")
        self.assertEqual(self.hold.decision, "approve_once")
        self.assertEqual(self.hold.decision_reason, "Paid by wire this morning")
        self.assertEqual(self.hold.decided_by_id, self.officer)
        self.assertTrue(self.hold.decided_on)
        # the figures of the refusal stay on the hold
        self.assertAlmostEqual(self.hold.exposure, 5_000.0, places=2)
        self.assertAlmostEqual(self.hold.credit_limit, 4_000.0, places=2)
        self.assertEqual(list(self._failures(self.hold)), ["manual_hold", "limit"])
        self.assertFalse(self.hold.activity_ids)
        self.assertEqual(self.picking.credit_hold_state, "approved")
        released = self.picking.message_ids.filtered(lambda m: "Delivery released" in m.body)
        self.assertEqual(len(released), 1)
        self.assertIn("Paid by wire this morning", released.body)
        # nothing is shipped until someone validates the delivery
        self.assertNotEqual(self.picking.state, "done")
        self._validate(self.picking)
        self.assertEqual(self.picking.state, "done")

    def test_a_release_covers_that_delivery_once_not_its_backorder(self):
        self._decide(self.officer, "approve_once", "Half now")
        self.picking.move_ids.quantity = 1.0
        action = self._validate(self.picking)
        wizard = (
            self.env["stock.backorder.confirmation"]
            .with_user(self.stock_user)
            .with_context(**action["context"])
            .create({})
        )
        wizard.process()
        self.assertEqual(self.picking.state, "done")
        backorder = self.picking.backorder_ids
        self.assertEqual(len(backorder), 1)
        result = self._validate(backorder)
        self.assertEqual(result["tag"], "display_notification")
        self.assertNotEqual(backorder.state, "done")
        self.assertEqual(backorder.credit_hold_state, "pending")

    def test_a_rejected_delivery_stays_blocked_and_the_clerk_is_told(self):
        self._decide(self.officer, "reject", "Nothing leaves before payment")
        self.assertEqual(self.hold.state, "rejected")
        self.assertEqual(self.picking.credit_hold_state, "rejected")
        rejected = self.picking.message_ids.filtered(lambda m: "rejected" in (m.body or ""))
        self.assertEqual(len(rejected), 1)
        self.assertIn(self.stock_user.partner_id, rejected.partner_ids)
        self._validate(self.picking)
        self.assertNotEqual(self.picking.state, "done")
        self.assertEqual(self.picking.credit_hold_state, "pending")

    def test_salespeople_and_warehouse_clerks_cannot_release(self):
        for user in (self.salesperson, self.stock_user, self.credit_user):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.picking.with_user(user).action_credit_release()
                with self.assertRaises(AccessError):
                    self.hold.with_user(user).action_approve_once("I say so")
                with self.assertRaises(AccessError):
                    self.env["credit.hold.decision"].with_user(user).create(
                        {"hold_ids": self.hold.ids, "decision": "approve_once"}
                    )
        self.assertEqual(self.hold.state, "pending")
        self._validate(self.picking)
        self.assertNotEqual(self.picking.state, "done")

    def test_a_hold_stops_one_order_or_one_delivery(self):
        order = self.picking.sale_id
        # nobody writes a hold's document directly (audit record) ...
        with self.assertRaises(AccessError):
            self.hold.write({"order_id": order.id})
        # ... and the checks that record holds cannot make one stop both or neither
        with audit_writer(self.env):
            with self.assertRaises(ValidationError):
                self.hold.write({"order_id": order.id})
            with self.assertRaises(ValidationError):
                self.env["credit.hold"].create(
                    {"partner_id": self.acme.id, "company_id": self.company.id}
                )

    def test_uninstalling_the_bridge_removes_only_the_delivery_holds(self):
        late, _file = self._rated("Late", limit=10.0)
        order = self._quotation(late, 1_000.0)
        order.with_user(self.salesperson).action_confirm()
        order_hold = order.credit_hold_ids
        self.assertEqual(len(order_hold), 1)
        uninstall_hook(self.env)
        self.assertFalse(self.hold.exists())
        self.assertTrue(order_hold.exists())
