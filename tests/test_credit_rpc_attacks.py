"""The credit gate over real RPC: JSON-RPC calls to a running server as the demo salesperson
(and the demo credit officer on their own order), the way a hostile user would try it. Each
attack is refused by the server and the final state, read from the database, is unchanged."""

from datetime import date

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from ..models.credit_decision_mixin import audit_writer


@tagged("post_install", "-at_install")
class TestCreditGateOverRpc(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales = cls.env.ref("credit_management.demo_user_salesperson")
        cls.officer = cls.env.ref("credit_management.demo_user_officer")
        company = cls.sales.company_id
        cls.env["credit.policy"]._for_company(company).officer_may_approve_own = False
        grade_a = cls.env["credit.grade"].search([("code", "=", "A")])
        cls.goods = cls.env["product.product"].create(
            {"name": "RPC goods", "type": "consu", "list_price": 100.0, "taxes_id": []}
        )
        cls.term_30 = cls.env["account.payment.term"].create(
            {
                "name": "30 days (RPC)",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 100.0, "nb_days": 30})
                ],
            }
        )

        def rated(name, limit, on_hold=False):
            partner = cls.env["res.partner"].create({"name": name, "is_company": True})
            with audit_writer(cls.env):
                cls.env["credit.file"].create(
                    {
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "grade_id": grade_a.id,
                        "credit_limit": limit,
                        "rating_date": date.today(),
                        "valid_until": date(2099, 12, 31),
                        "credit_days": 30,
                        "on_hold": on_hold,
                    }
                )
            return partner

        cls.acme = rated("RPC Acme", 1_000.0)
        cls.blocked = rated("RPC Blocked", 0.0, on_hold=True)

    def _call(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def _refused(self, model, method, *args, **kwargs):
        with self.assertRaises(JsonRpcException) as caught:
            self._call(model, method, *args, **kwargs)
        return caught.exception

    def _quotation(self, amount, user):
        return self._call(
            "sale.order",
            "create",
            {
                "partner_id": self.acme.id,
                "user_id": user.id,
                "payment_term_id": self.term_30.id,
                "order_line": [
                    [0, 0, {"product_id": self.goods.id, "price_unit": amount, "tax_id": []}]
                ],
            },
        )

    def _order(self, order_id):
        self.env.invalidate_all()
        return self.env["sale.order"].browse(order_id)

    def test_the_demo_salesperson_cannot_walk_around_the_gate(self):
        self.authenticate("credit_sales", "credit_sales")
        held = self._quotation(5_000.0, self.sales)
        self._call("sale.order", "action_confirm", [held])
        self.assertEqual(self._order(held).credit_hold_state, "pending")

        # the state written directly, with any context, from a quotation or a cancelled one
        for context in ({}, {"install_mode": True, "credit_management.gate_passed": [held]}):
            error = self._refused("sale.order", "write", [held], {"state": "sale"}, context=context)
            self.assertIn("UserError", error.args[0])
        self._call("sale.order", "action_cancel", [held])
        self._refused("sale.order", "write", [held], {"state": "sale"})
        self.assertEqual(self._order(held).state, "cancel")

        # the cover or the hold's decision written directly
        self._refused("sale.order", "write", [held], {"credit_cover_total": 1e9})
        hold = self._order(held).credit_hold_ids[:1]
        self._refused("credit.hold", "write", hold.ids, {"state": "approved"})

        # a confirmed order raised, or given to a customer on hold
        small = self._quotation(500.0, self.sales)
        self._call("sale.order", "action_confirm", [small])
        order = self._order(small)
        self.assertEqual(order.state, "sale")
        line = order.order_line.id
        self._refused(
            "sale.order", "write", [small], {"order_line": [[1, line, {"product_uom_qty": 300}]]}
        )
        self._refused(
            "sale.order.line",
            "create",
            {"order_id": small, "product_id": self.goods.id, "price_unit": 149_500.0},
        )
        self._refused("sale.order", "write", [small], {"partner_id": self.blocked.id})
        order = self._order(small)
        self.assertEqual(order.amount_total, 500.0)
        self.assertEqual(order.partner_id, self.acme)
        self.assertEqual(order.credit_cover_total, 500.0)

        # a forged limit request
        self._refused(
            "credit.limit.request",
            "create",
            {
                "partner_id": self.acme.id,
                "amount": 1e9,
                "reason": "forged",
                "state": "approved",
                "decided_by_id": self.officer.id,
            },
        )
        self.assertFalse(
            self.env["credit.limit.request"].search_count([("partner_id", "=", self.acme.id)])
        )

    def test_the_demo_officer_cannot_release_their_own_order(self):
        self.authenticate("credit_officer", "credit_officer")
        own = self._quotation(5_000.0, self.officer)
        self._call("sale.order", "action_confirm", [own])
        hold = self._order(own).credit_hold_ids[:1]
        self.assertEqual(hold.state, "pending")
        for values in ({"state": "approved"}, {"state": "approved", "order_total": 1e9}):
            self._refused("credit.hold", "write", hold.ids, values)
        self._refused("credit.hold", "action_approve_once", hold.ids, "mine")
        self._refused(
            "credit.hold",
            "create",
            {
                "order_id": own,
                "partner_id": self.acme.id,
                "company_id": self.officer.company_id.id,
                "state": "approved",
            },
        )
        order = self._order(own)
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.credit_hold_ids.mapped("state"), ["pending"])
