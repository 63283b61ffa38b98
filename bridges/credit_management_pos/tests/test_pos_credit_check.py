from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.credit_management.models.credit_decision_mixin import audit_writer

from .common import CreditPosCommon


@tagged("post_install", "-at_install")
class TestPosCreditCheck(CreditPosCommon):
    """Sales on customer account (pay later) arrive at the server from the tills and are
    judged there by the sale orders' rules: never lost, never silently accepted."""

    def _pending(self, order):
        return order.sudo().credit_hold_ids.filtered(lambda h: h.state == "pending")

    def test_a_sale_on_customer_account_within_the_limit_is_recorded_without_hold(self):
        order, _result = self._sync(self._sale(self.acme, [(self.pay_later_pm, 600.0)]))
        self.assertEqual(order.state, "paid")
        self.assertFalse(order.sudo().credit_hold_ids)
        self.assertFalse(order.credit_hold_state)

    def test_a_sale_synced_later_over_the_limit_is_recorded_and_held_for_the_officer(self):
        self._sync(self._sale(self.acme, [(self.pay_later_pm, 600.0)]))
        # the till sold offline: it could not ask, the server judges the order on sync
        order, result = self._sync(self._sale(self.acme, [(self.pay_later_pm, 600.0)]))
        self.assertEqual(order.state, "paid", "the sale is recorded as the till made it")
        self.assertEqual(order.amount_paid, 600.0)
        self.assertEqual(order.credit_hold_state, "pending")
        hold = self._pending(order)
        self.assertEqual(len(hold), 1)
        self.assertEqual(hold.pos_order_id, order)
        self.assertFalse(hold.order_id)
        self.assertEqual(hold.partner_id, self.acme)
        self.assertEqual(hold.pos_session_id, self.pos_session)
        self.assertEqual(hold.pos_cashier_id, order.user_id)
        # 600.00 already on account + this 600.00 = 1,200.00, 200.00 over 1,000.00
        self.assertAlmostEqual(hold.exposure, 600.0, places=2)
        self.assertAlmostEqual(hold.order_amount, 600.0, places=2)
        self.assertAlmostEqual(hold.credit_limit, 1_000.0, places=2)
        limit = next(f for f in hold.failures if f["rule"] == "limit")
        self.assertEqual(float(limit["values"]["excess"]), 200.0)
        self.assertEqual(hold.name, f"Credit hold on point of sale order {order.name}")
        # the officer is asked, the order says why
        activity = hold.activity_ids
        self.assertEqual(activity.user_id, self.officer)
        self.assertIn("Credit limit exceeded", activity.note)
        self.assertIn("Credit hold", order.message_ids[0].body)
        # the cashier reads it back on this sync
        (synced,) = result["pos.order"]
        self.assertEqual(synced["credit_hold_state"], "pending")
        self.assertIn("Credit limit exceeded", synced["credit_hold_message"])

    def test_only_the_pay_later_part_of_a_mixed_payment_is_credit(self):
        self._sync(self._sale(self.acme, [(self.pay_later_pm, 600.0)]))
        # 1,200.00 of goods: 800.00 in cash, 300.00 on account -> 600 + 300 = 900: passes
        order, _result = self._sync(
            self._sale(self.acme, [(self.cash_pm1, 900.0), (self.pay_later_pm, 300.0)], qty=2)
        )
        self.assertFalse(order.sudo().credit_hold_ids)
        # 500.00 more on account -> 900 + 500 = 1,400.00: held for 500.00
        order, _result = self._sync(
            self._sale(self.acme, [(self.bank_pm1, 700.0), (self.pay_later_pm, 500.0)], qty=2)
        )
        hold = self._pending(order)
        self.assertAlmostEqual(hold.exposure, 900.0, places=2)
        self.assertAlmostEqual(hold.order_amount, 500.0, places=2)

    def test_cash_and_card_sales_are_never_judged(self):
        self.file.sudo().write({"on_hold": True, "hold_reason": "Bankruptcy rumours"})
        orders, _result = self._sync(
            self._sale(self.acme, [(self.cash_pm1, 600.0)]),
            self._sale(self.acme, [(self.bank_pm1, 600.0)]),
            self._sale(self.acme, [(self.bank_split_pm1, 600.0)]),
        )
        self.assertEqual(set(orders.mapped("state")), {"paid"})
        self.assertFalse(orders.sudo().credit_hold_ids)
        self.assertEqual(self._exposure(self.acme)["pos_orders"], 0.0)

    def test_a_customer_without_credit_file_has_no_credit_at_the_till(self):
        walk_in = self.env["res.partner"].create({"name": "Walk-in Builder"})
        order, _result = self._sync(self._sale(walk_in, [(self.pay_later_pm, 600.0)]))
        hold = self._pending(order)
        self.assertEqual(len(hold), 1)
        self.assertIn("limit", [f["rule"] for f in hold.failures])

    def test_a_refund_on_customer_account_is_not_judged(self):
        self.file.sudo().write({"on_hold": True, "hold_reason": "Disputes"})
        order, _result = self._sync(self._sale(self.acme, [(self.pay_later_pm, -600.0)], qty=-1))
        self.assertFalse(order.sudo().credit_hold_ids)

    # ------------------------------------------------------------------
    # what the till asks
    # ------------------------------------------------------------------
    def test_the_till_is_told_grade_available_credit_and_overdue_money(self):
        self._sync(self._sale(self.acme, [(self.pay_later_pm, 600.0)]))
        check = self.env["pos.order"].with_user(self.cashier).credit_pos_check
        info = check(self.config.id, self.acme.id, 0)
        self.assertEqual(info["grade"], self.file.grade_id.display_name)
        currency = self.company.currency_id
        self.assertEqual(info["available"], currency.format(400.0))
        self.assertEqual(info["overdue"], currency.format(0.0))
        self.assertFalse(info["blocked"])
        self.assertFalse(info["reasons"])
        verdict = check(self.config.id, self.acme.id, 500.0)
        self.assertTrue(verdict["blocked"])
        self.assertEqual(len(verdict["reasons"]), 1)
        self.assertIn(currency.format(1_100.0), verdict["reasons"][0])
        self.assertIn(currency.format(100.0), verdict["reasons"][0])
        self.assertFalse(check(self.config.id, self.acme.id, 400.0)["blocked"])
        # asking writes nothing
        self.assertFalse(self.env["credit.hold"].sudo().search([("partner_id", "=", self.acme.id)]))

    def test_only_point_of_sale_users_ask_and_bad_input_is_refused(self):
        stranger = self.env["res.users"].create(
            {"name": "Stranger", "login": "cm_pos_stranger", "groups_id": []}
        )
        with self.assertRaises(AccessError):
            self.env["pos.order"].with_user(stranger).credit_pos_check(
                self.config.id, self.acme.id, 10
            )
        with self.assertRaises(UserError):
            self.env["pos.order"].with_user(self.cashier).credit_pos_check(
                self.config.id, self.acme.id, "ten"
            )
        with self.assertRaises(UserError):
            self.env["pos.order"].with_user(self.cashier).credit_pos_check(self.config.id, 0, 10)

    # ------------------------------------------------------------------
    # the officer's decision
    # ------------------------------------------------------------------
    def test_the_officer_accepts_or_rejects_the_credit_the_till_gave(self):
        self._sync(self._sale(self.acme, [(self.pay_later_pm, 600.0)]))
        first, _r = self._sync(self._sale(self.acme, [(self.pay_later_pm, 600.0)]))
        second, _r = self._sync(self._sale(self.acme, [(self.pay_later_pm, 600.0)]))
        with self.assertRaises(AccessError):
            self._pending(first).with_user(self.cashier).action_approve_once("fine")
        self._pending(first).with_user(self.officer).action_approve_once("Known customer")
        self.assertEqual(first.credit_hold_state, "approved")
        self.assertIn("Known customer", first.message_ids[0].body)
        self._pending(second).with_user(self.officer).action_reject("Collect the money")
        self.assertEqual(second.credit_hold_state, "rejected")
        self.assertIn("Collect the money", second.message_ids[0].body)
        self.assertEqual(second.state, "paid", "the sale stays recorded")

    def test_a_point_of_sale_hold_is_written_by_the_credit_checks_only(self):
        self._sync(self._sale(self.acme, [(self.pay_later_pm, 600.0)]))
        order, _r = self._sync(self._sale(self.acme, [(self.pay_later_pm, 600.0)]))
        hold = self._pending(order)
        other, _r = self._sync(self._sale(self.acme, [(self.cash_pm1, 600.0)]))
        with self.assertRaises(AccessError):
            hold.with_user(self.officer).write({"pos_order_id": other.id})
        self.assertEqual(hold.pos_order_id, order)

    def test_a_hold_stops_exactly_one_document(self):
        order, _r = self._sync(self._sale(self.acme, [(self.cash_pm1, 600.0)]))
        Hold = self.env["credit.hold"].sudo()
        values = {"partner_id": self.acme.id, "company_id": self.company.id}
        quotation = self.env["sale.order"].sudo().create({"partner_id": self.acme.id})
        for documents in ({}, {"pos_order_id": order.id, "order_id": quotation.id}):
            with self.assertRaises(ValidationError), audit_writer(self.env):
                Hold.create({**values, **documents})
        self.assertFalse(Hold.search([("partner_id", "=", self.acme.id)]))
        with audit_writer(self.env):
            self.assertTrue(Hold.create({**values, "pos_order_id": order.id}))
