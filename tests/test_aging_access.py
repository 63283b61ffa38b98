import io
import json
from types import SimpleNamespace
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

import openpyxl
from werkzeug.exceptions import NotFound

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.http import Response
from odoo.tests import freeze_time, new_test_user, tagged

from ..controllers import credit_aging as aging_controller
from .common import CreditOrderCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestAgingReportAccess(CreditOrderCommon):
    """Aged receivables options are per-user transient records: a user reads only the
    options they saved. The lines, open items, PDF and XLSX are computed for whoever asks,
    from options that travel with the request: whatever the options say, a user gets only
    the customers the aging engine lets them see.

    Ledger: Bolt (salesperson: cm_salesperson) owes 300.00, Cato (cm_other_salesperson)
    80.00, Acme (no salesperson) 1,000.00.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme = cls._customer("Acme")
        cls._invoice(cls.acme, "2024-05-01", "2024-05-31", 1_000.0)
        cls.bolt = cls._customer("Bolt", user_id=cls.salesperson.id)
        cls._invoice(cls.bolt, "2024-01-01", "2024-01-31", 300.0)
        cls.other_salesperson = new_test_user(
            cls.env,
            login="cm_other_salesperson",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.cato = cls._customer("Cato", user_id=cls.other_salesperson.id)
        cls._invoice(cls.cato, "2024-06-01", "2024-06-30", 80.0)

    def _report(self, user, **values):
        return (
            self.env["credit.aging.report"]
            .with_user(user)
            .create({"company_ids": [Command.set(self.company.ids)], **values})
        )

    @staticmethod
    def _as(user, model, options):
        """``model`` as ``user`` with the report ``options`` in the context, as the web
        client asks for the lines and items of an action."""
        return model.with_user(user).with_context(credit_aging_options=options)

    def _download(self, user, options):
        """The XLSX route called as ``user`` with ``options`` as its URL argument (the
        request faked, the route's code real)."""
        env = self.env(user=user)
        fake_request = SimpleNamespace(
            env=env,
            not_found=NotFound,
            httprequest=SimpleNamespace(environ={}),
            make_response=lambda data, headers: Response(data, headers=headers),
        )
        with patch.object(aging_controller, "request", fake_request):
            return aging_controller.CreditAgingController().aging_xlsx(
                options if isinstance(options, str) else json.dumps(options)
            )

    def _summary_customers(self, response):
        self.addCleanup(response.close)
        workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.response)))
        return [row[1] for row in workbook["Summary"].iter_rows(min_row=5, values_only=True)]

    # ------------------------------------------------------------------
    # records
    # ------------------------------------------------------------------
    def test_a_salesperson_cannot_read_another_users_report(self):
        theirs = self._report(self.salesperson)
        Report = self.env["credit.aging.report"].with_user(self.other_salesperson)
        self.assertFalse(Report.search([("id", "=", theirs.id)]))
        with self.assertRaises(AccessError):
            Report.browse(theirs.id).read(["as_of"])

    def test_a_salesperson_gets_only_own_lines_and_items_whatever_the_options(self):
        options = self._report(self.salesperson, partner_ids=[Command.set(self.bolt.ids)])
        options = options._options()
        Line = self.env["credit.aging.report.line"]
        Item = self.env["credit.aging.report.item"]
        bolt_line = self._as(self.salesperson, Line, options).search([])
        self.assertEqual(bolt_line.partner_id, self.bolt)
        self.assertTrue(
            self._as(self.salesperson, Item, dict(options, drill_partner_id=self.bolt.id)).search(
                []
            )
        )
        # the same options, asked by another salesperson: nothing of Bolt
        self.assertFalse(self._as(self.other_salesperson, Line, options).search_read([], ["total"]))
        self.assertFalse(
            self._as(self.other_salesperson, Line, options).search([("id", "=", bolt_line.id)])
        )
        drilled = dict(options, drill_partner_id=self.bolt.id)
        self.assertFalse(self._as(self.other_salesperson, Item, drilled).search([]))
        everyone = dict(options, partner_ids=[])
        self.assertEqual(
            self._as(self.other_salesperson, Line, everyone).search([]).partner_id, self.cato
        )
        self.assertEqual(
            self._as(self.other_salesperson, Item, everyone).search([]).partner_id, self.cato
        )

    def test_options_outside_the_users_companies_show_nothing(self):
        other = self.setup_other_company(name="Company Elsewhere")["company"]
        options = self._report(self.salesperson)._options()
        options["company_ids"] = other.ids
        self.assertFalse(
            self._as(self.salesperson, self.env["credit.aging.report.line"], options).search([])
        )

    def test_bad_options_are_refused(self):
        Line = self.env["credit.aging.report.line"]
        for options in (
            {"bounds": "30,20"},
            {"basis": "whenever"},
            {"as_of": "yesterday"},
            {"partner_ids": ["1; DROP TABLE res_partner"]},
        ):
            with self.subTest(options=options), self.assertRaises(UserError):
                self._as(self.salesperson, Line, options).search([])

    def test_officers_and_managers_read_only_their_own_reports(self):
        theirs = self._report(self.salesperson)
        for user in (self.officer, self.manager):
            self.assertFalse(
                self.env["credit.aging.report"].with_user(user).search([("id", "=", theirs.id)]),
                user.login,
            )
        self.assertEqual(
            self.env["credit.aging.report"].with_user(self.officer).search([]),
            self.env["credit.aging.report"],
        )

    def test_credit_users_cannot_write_or_delete_lines_and_items(self):
        report = self._report(self.salesperson)
        options = report._options()
        line = self._as(self.salesperson, self.env["credit.aging.report.line"], options).search([])
        items = self._as(
            self.salesperson,
            self.env["credit.aging.report.item"],
            dict(options, drill_partner_id=self.bolt.id),
        ).search([])
        self.assertTrue(line)
        self.assertTrue(items)
        with self.assertRaises(AccessError):
            line.write({"total": 0.0})
        with self.assertRaises(AccessError):
            line.unlink()
        with self.assertRaises(AccessError):
            items.write({"residual": 0.0})
        # the user's own options are theirs to change and delete
        report.with_user(self.salesperson).bounds = "60"
        self.assertEqual(report.with_user(self.salesperson)._lines().partner_id, self.bolt)
        report.with_user(self.salesperson).unlink()
        self.assertFalse(report.exists())

    # ------------------------------------------------------------------
    # downloads
    # ------------------------------------------------------------------
    def test_the_xlsx_shows_only_the_downloaders_customers(self):
        theirs = self._report(self.salesperson, partner_ids=[Command.set(self.bolt.ids)])
        customers = self._summary_customers(
            self._download(self.other_salesperson, theirs._options())
        )
        self.assertNotIn("Bolt", customers)
        everyone = dict(theirs._options(), partner_ids=[])
        customers = self._summary_customers(self._download(self.other_salesperson, everyone))
        self.assertIn("Cato", customers)
        self.assertNotIn("Bolt", customers)
        self.assertNotIn("Acme", customers)

    def test_an_xlsx_without_options_is_not_found(self):
        with self.assertRaises(NotFound):
            self._download(self.salesperson, "")
        with self.assertRaises(NotFound):
            self._download(self.salesperson, "{not json")

    def test_the_owner_downloads_the_xlsx(self):
        report = self._report(self.salesperson)
        action = report.with_user(self.salesperson).action_export_xlsx()
        url = urlsplit(action["url"])
        self.assertEqual(url.path, "/credit_management/aging/xlsx")
        options = parse_qs(url.query)["options"][0]
        response = self._download(self.salesperson, options)
        self.assertIn(
            "Aged%20Receivables%202024-06-30.xlsx", response.headers["Content-Disposition"]
        )
        customers = self._summary_customers(response)
        self.assertIn("Bolt", customers)
        self.assertNotIn("Acme", customers)

    def test_the_pdf_of_another_users_report_is_refused(self):
        theirs = self._report(self.salesperson)
        Pdf = self.env["ir.actions.report"].with_user(self.other_salesperson)
        with self.assertRaises(AccessError):
            Pdf._render_qweb_html("credit_management.action_report_credit_aging", theirs.ids)
        html, _type = (
            self.env["ir.actions.report"]
            .with_user(self.salesperson)
            ._render_qweb_html("credit_management.action_report_credit_aging", theirs.ids)
        )
        self.assertIn("Bolt", html.decode())
        # their options, printed by another salesperson: only that salesperson's customers
        data = theirs.with_user(self.salesperson).action_print_pdf()["data"]
        html, _type = Pdf._render_qweb_html(
            "credit_management.action_report_credit_aging", None, data=data
        )
        self.assertNotIn("Bolt", html.decode())
        self.assertIn("Cato", html.decode())


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestAgingAccountantAccess(CreditOrderCommon):
    """Accountants see the receivables of every customer, as credit officers do, and use
    the aged receivables from the accounting menu without a credit role.

    Ledger: Acme (rated A, no salesperson) owes 1,000.00; Bolt (salesperson:
    cm_salesperson) 300.00.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme = cls._customer("Acme")
        cls._file(cls.acme, grade_id=cls.grade["A"].id)
        cls.inv_acme = cls._invoice(cls.acme, "2024-05-01", "2024-05-31", 1_000.0)
        cls.bolt = cls._customer("Bolt", user_id=cls.salesperson.id)
        cls._invoice(cls.bolt, "2024-01-01", "2024-01-31", 300.0)

        def user(login, groups):
            return new_test_user(
                cls.env,
                login=login,
                groups=groups,
                company_id=cls.company.id,
                company_ids=[Command.set(cls.company.ids)],
            )

        cls.accountants = {
            "readonly": user("cm_acc_readonly", "account.group_account_readonly"),
            "full": user("cm_acc_full", "account.group_account_user"),
            "administrator": user("cm_acc_admin", "account.group_account_manager"),
        }
        cls.billing = user("cm_billing", "account.group_account_invoice")

    def _engine(self, user):
        return self.env(user=user)["credit.aging.engine"]

    def _aged_partners(self, user):
        aging = self._engine(user)._aging_by_partner("2024-06-30", self.company.ids)
        return {partner for _company, partner in aging}

    def test_accountants_see_every_customers_receivables(self):
        everyone = {self.acme.id, self.bolt.id}
        for kind, accountant in self.accountants.items():
            self.assertTrue(self._engine(accountant)._sees_all_receivables(), kind)
            self.assertEqual(self._aged_partners(accountant), everyone, kind)
            items = self._engine(accountant)._open_items("2024-06-30", self.company.ids)
            self.assertEqual({item["partner_id"] for item in items}, everyone, kind)
        self.assertTrue(self._engine(self.officer)._sees_all_receivables())
        self.assertEqual(self._aged_partners(self.officer), everyone)

    def test_salespeople_and_billing_users_see_their_own_customers_only(self):
        self.assertFalse(self._engine(self.salesperson)._sees_all_receivables())
        self.assertEqual(self._aged_partners(self.salesperson), {self.bolt.id})
        self.assertFalse(self._engine(self.credit_user)._sees_all_receivables())
        self.assertFalse(self._engine(self.billing)._sees_all_receivables())

    def test_an_accountant_runs_the_report_without_a_credit_role(self):
        accountant = self.accountants["readonly"]
        self.assertFalse(accountant.has_group("credit_management.group_credit_user"))
        Report = self.env["credit.aging.report"].with_user(accountant)
        Report.get_views([(False, "form")])
        self.env["credit.aging.report.line"].with_user(accountant).get_views(
            [(False, "list"), (False, "pivot"), (False, "search")]
        )
        self.assertIn(
            self.grade["A"].id,
            [
                grade_id
                for grade_id, _name in self.env["credit.grade"]
                .with_user(accountant)
                .name_search("")
            ],
        )
        report = Report.create({"company_ids": [Command.set(self.company.ids)]})
        lines = report._lines()
        self.assertEqual(
            {(line.partner_id, line.grade_id.display_name, line.total) for line in lines},
            {(self.acme, self.grade["A"].display_name, 1_000.0), (self.bolt, False, 300.0)},
        )
        action = lines.filtered(lambda line: line.partner_id == self.acme).action_open_items()
        items = (
            self.env[action["res_model"]]
            .with_user(accountant)
            .with_context(**action["context"])
            .search(action["domain"])
        )
        self.assertEqual(items.move_id, self.inv_acme)
        html, _type = (
            self.env["ir.actions.report"]
            .with_user(accountant)
            ._render_qweb_html("credit_management.action_report_credit_aging", report.ids)
        )
        self.assertIn("Acme", html.decode())

    def test_the_accounting_reporting_menu_shows_the_aged_receivables(self):
        menu = self.env.ref("credit_management.menu_credit_aging_accounting")
        self.assertEqual(menu.action, self.env.ref("credit_management.credit_aging_report_action"))
        for kind, accountant in self.accountants.items():
            visible = self.env["ir.ui.menu"].with_user(accountant)._visible_menu_ids()
            self.assertIn(menu.id, visible, kind)
            self.assertIn(self.env.ref("account.menu_finance_reports").id, visible, kind)
        for user in (self.salesperson, self.billing, self.plain_employee):
            visible = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
            self.assertNotIn(menu.id, visible, user.login)
