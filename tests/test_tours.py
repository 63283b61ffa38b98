"""The three credit roles in a real browser (headless Chromium): the salesperson confirms a
quotation beyond the customer's limit and sees it held, the credit officer releases it from
the hold queue, the accountant ages the receivables as of a month-end, downloads the XLSX and
opens the dashboard. Each in English and in Simplified Chinese, as the demo users.

The tours are in static/tests/tours/credit_tours.js (one per role and language); these tests
build the records they work on and check, after each tour, what it changed in the database.
Without Chromium or the websocket-client package Odoo skips them ("Chrome executable not
found", "websocket-client module is not installed"); scripts/test installs both."""

from datetime import date, timedelta

from odoo import Command, http
from odoo.tests import HttpCase, tagged

from ..models.credit_decision_mixin import audit_writer

# the customers' names the tours look for (TOUR_RECORDS in credit_tours.js)
SALES_CUSTOMER = "Tour Sales Customer"
HELD_CUSTOMER = "Tour Held Customer"
AGING_CUSTOMER = "Tour Aging Customer"
PRODUCT = "Tour Crane"

# the modules whose screens the tours go through, translated in the Chinese tours
TRANSLATED_MODULES = ["web", "mail", "product", "account", "sale", "sale_management"]


def last_month_end(today):
    """The as-of date the accountant's tour types: the last day of the previous month."""
    return today.replace(day=1) - timedelta(days=1)


class CreditTours:
    """The tours of the three roles as the demo users in ``LANG``, with the customers,
    product, held order and invoice they work on (a mixin: the test classes below are the
    HttpCases, one per language)."""

    LANG = "en_US"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The server reads the addons' manifests when it serves its first static file; the
        # browser asks for several at once, and Python 3.11.7 (this machine's) may then fail
        # to parse them in two threads ("AST constructor recursion depth mismatch", CPython
        # gh-106905): read them here first.
        cls.served_addons = http.root.statics
        cls.sales = cls.env.ref("credit_management.demo_user_salesperson")
        cls.officer = cls.env.ref("credit_management.demo_user_officer")
        cls.manager = cls.env.ref("credit_management.demo_user_manager")
        cls.company = cls.sales.company_id
        if cls.LANG != "en_US":
            cls.env["res.lang"]._activate_lang(cls.LANG)
            cls.env["ir.module.module"]._load_module_terms(
                [*TRANSLATED_MODULES, "credit_management"], [cls.LANG], overwrite=True
            )
        (cls.sales | cls.officer | cls.manager).write({"lang": cls.LANG, "tz": "UTC"})
        grade_a = cls.env["credit.grade"].search([("code", "=", "A")], limit=1)
        cls.product = cls.env["product.product"].create(
            {
                "name": PRODUCT,
                "type": "consu",
                "list_price": 5_000.0,
                "taxes_id": [Command.clear()],
            }
        )

        def rated(name, limit):
            partner = cls.env["res.partner"].create(
                {"name": name, "is_company": True, "lang": cls.LANG}
            )
            with audit_writer(cls.env):
                cls.env["credit.file"].create(
                    {
                        "partner_id": partner.id,
                        "company_id": cls.company.id,
                        "grade_id": grade_a.id,
                        "credit_limit": limit,
                        "rating_date": date.today(),
                        "valid_until": date.today() + timedelta(days=365),
                        "credit_days": 30,
                    }
                )
            return partner

        cls.sales_customer = rated(SALES_CUSTOMER, 1_000.0)
        cls.held_customer = rated(HELD_CUSTOMER, 1_000.0)
        cls.aging_customer = rated(AGING_CUSTOMER, 100_000_000.0)

        # the order the officer finds in the hold queue: 5,000 over a limit of 1,000
        cls.held_order = (
            cls.env["sale.order"]
            .with_user(cls.sales)
            .create(
                {
                    "partner_id": cls.held_customer.id,
                    "user_id": cls.sales.id,
                    "order_line": [
                        Command.create({"product_id": cls.product.id, "tax_id": [Command.clear()]})
                    ],
                }
            )
        )
        cls.held_order.action_confirm()
        cls.hold = cls.held_order.credit_hold_ids
        assert cls.hold.state == "pending", "the officer's tour needs a pending hold"

        # what the accountant's aging finds at the last month-end: an invoice of two months
        # before it, due 30 days later, large enough to head the list (largest total first)
        cls.month_end = last_month_end(date.today())
        invoice_date = cls.month_end - timedelta(days=60)
        cls.invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.aging_customer.id,
                "invoice_date": invoice_date,
                "date": invoice_date,
                "invoice_payment_term_id": False,
                "invoice_date_due": invoice_date + timedelta(days=30),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Tour goods",
                            "quantity": 1,
                            "price_unit": 98_765_432.10,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        cls.invoice.action_post()

    def _tour(self, role, user):
        self.start_tour("/odoo", f"credit_management_{role}_{self.LANG}", login=user.login)

    def test_salesperson_confirms_a_quotation_over_the_limit_and_sees_it_held(self):
        self._tour("salesperson", self.sales)
        order = self.env["sale.order"].search([("partner_id", "=", self.sales_customer.id)])
        self.assertEqual(len(order), 1, "the tour made one quotation")
        self.assertEqual(order.user_id, self.sales)
        self.assertEqual(order.amount_total, 5_000.0)
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.credit_hold_state, "pending")
        self.assertEqual(order.credit_hold_ids.requester_id, self.sales)

    def test_officer_releases_the_held_order_with_a_reason_and_it_is_confirmed(self):
        self._tour("officer", self.officer)
        self.assertEqual(self.hold.state, "approved")
        self.assertEqual(self.hold.decision, "approve_once")
        self.assertEqual(self.hold.decided_by_id, self.officer)
        reason = "客户已电汇预付款" if self.LANG == "zh_CN" else "Customer paid a deposit by wire"
        self.assertIn(reason, self.hold.decision_reason)
        self.assertEqual(self.held_order.state, "sale")

    def test_accountant_ages_receivables_at_month_end_downloads_xlsx_opens_dashboard(self):
        self._tour("accountant", self.manager)
        report = self.env["credit.aging.report"].search(
            [("create_uid", "=", self.manager.id)], order="id desc", limit=1
        )
        self.assertEqual(report.as_of, self.month_end)
        shown = report.action_show()
        line = (
            self.env["credit.aging.report.line"]
            .with_user(self.manager)
            .with_context(**shown["context"])
            .search([*shown["domain"], ("partner_id", "=", self.aging_customer.id)])
        )
        self.assertEqual(line.total, 98_765_432.10)


@tagged("post_install", "-at_install")
class TestCreditToursEnglish(CreditTours, HttpCase):
    LANG = "en_US"


@tagged("post_install", "-at_install")
class TestCreditToursChinese(CreditTours, HttpCase):
    LANG = "zh_CN"
