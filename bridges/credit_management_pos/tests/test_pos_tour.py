from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.credit_management.models.credit_decision_mixin import audit_writer
from odoo.addons.point_of_sale.tests.test_frontend import TestPointOfSaleHttpCommon


@tagged("post_install", "-at_install")
class TestPosCreditTour(TestPointOfSaleHttpCommon):
    """The till in a real browser (Odoo's point of sale tours, Chromium): a cashier sells
    to a customer over its limit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.main_pos_config.company_id
        cls.customer_account = cls.env["pos.payment.method"].create(
            {"name": "Customer Account", "split_transactions": True}
        )
        cls.main_pos_config.write({"payment_method_ids": [(4, cls.customer_account.id)]})
        cls.overdrawn = cls.env["res.partner"].create(
            {"name": "Overdrawn Hardware", "is_company": True}
        )
        today = fields.Date.context_today(cls.overdrawn)
        with audit_writer(cls.env):
            cls.env["credit.file"].sudo().create(
                {
                    "partner_id": cls.overdrawn.id,
                    "company_id": company.id,
                    "grade_id": cls.env.ref("credit_management.grade_a").id,
                    "credit_limit": 50.0,
                    "credit_days": 30,
                    "rating_date": today,
                    "valid_until": today + timedelta(days=60),
                }
            )
        # owes 100.00, due ten days ago: over its limit of 50.00 before this sale
        invoice = cls.init_invoice(
            "out_invoice",
            partner=cls.overdrawn,
            invoice_date=today - timedelta(days=10),
            amounts=[100.0],
            taxes=[],
        )
        invoice.write(
            {"invoice_payment_term_id": False, "invoice_date_due": today - timedelta(days=10)}
        )
        invoice.action_post()

    def test_a_sale_on_customer_account_over_the_limit_is_refused_and_paid_in_cash(self):
        info = (
            self.env["pos.order"]
            .with_user(self.pos_user)
            .credit_pos_check(self.main_pos_config.id, self.overdrawn.id, 0)
        )
        currency = self.main_pos_config.company_id.currency_id
        self.assertEqual(info["overdue"], currency.format(100.0))
        self.assertEqual(info["available"], currency.format(-50.0))
        verdict = (
            self.env["pos.order"]
            .with_user(self.pos_user)
            .credit_pos_check(self.main_pos_config.id, self.overdrawn.id, 52.8)
        )
        self.assertTrue(verdict["blocked"])
        self.assertIn("Credit limit exceeded", "\n".join(verdict["reasons"]))
        self.assertIn(currency.format(152.8), "\n".join(verdict["reasons"]))
        self.main_pos_config.with_user(self.pos_user).open_ui()
        self.start_pos_tour("CreditManagementPosOverLimitTour", login="pos_user")
        orders = self.env["pos.order"].search([("partner_id", "=", self.overdrawn.id)])
        self.assertEqual(len(orders), 1)
        self.assertEqual(orders.state, "paid")
        self.assertAlmostEqual(orders.amount_total, 52.8, places=2)
        self.assertEqual(orders.payment_ids.payment_method_id.mapped("type"), ["cash"])
        self.assertFalse(orders.sudo().credit_hold_ids)
