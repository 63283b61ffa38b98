import io
from types import SimpleNamespace
from unittest.mock import patch

import openpyxl
from werkzeug.exceptions import NotFound

from odoo import Command
from odoo.exceptions import AccessError
from odoo.http import Response
from odoo.tests import freeze_time, new_test_user, tagged

from ..controllers import credit_aging as aging_controller
from .common import CreditOrderCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestAgingReportAccess(CreditOrderCommon):
    """Aged receivables reports are per-user transient records: a user reads only the
    reports, lines and open items they computed, and downloads only their own.

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

    def _report(self, user):
        report = (
            self.env["credit.aging.report"]
            .with_user(user)
            .create({"company_ids": [Command.set(self.company.ids)]})
        )
        report.action_show()
        return report

    def _report_with_items(self, user, partner):
        """A report of ``user`` with its line of ``partner`` drilled into."""
        report = self._report(user)
        line = report.line_ids.filtered(lambda line: line.partner_id == partner)
        line.action_open_items()
        return report, line

    def _download(self, user, report_id):
        """The XLSX controller called as ``user`` (the request faked, the route's code
        real)."""
        env = self.env(user=user)
        fake_request = SimpleNamespace(
            env=env,
            not_found=NotFound,
            httprequest=SimpleNamespace(environ={}),
            make_response=lambda data, headers: Response(data, headers=headers),
        )
        with patch.object(aging_controller, "request", fake_request):
            return aging_controller.CreditAgingController().aging_xlsx(report_id)

    # ------------------------------------------------------------------
    # records
    # ------------------------------------------------------------------
    def test_a_salesperson_cannot_read_another_users_report(self):
        theirs, line = self._report_with_items(self.salesperson, self.bolt)
        Report = self.env["credit.aging.report"].with_user(self.other_salesperson)
        self.assertFalse(Report.search([("id", "=", theirs.id)]))
        with self.assertRaises(AccessError):
            Report.browse(theirs.id).read(["as_of"])
        with self.assertRaises(AccessError):
            line.with_user(self.other_salesperson).read(["total"])

    def test_a_salesperson_searches_only_own_lines_and_items(self):
        _mine, my_line = self._report_with_items(self.other_salesperson, self.cato)
        theirs, their_line = self._report_with_items(self.salesperson, self.bolt)
        self.assertTrue(their_line.with_user(self.salesperson).read(["total"]))
        their_items = (
            self.env["credit.aging.report.item"]
            .with_user(self.salesperson)
            .search([("line_id", "=", their_line.id)])
        )
        self.assertTrue(their_items)
        Line = self.env["credit.aging.report.line"].with_user(self.other_salesperson)
        Item = self.env["credit.aging.report.item"].with_user(self.other_salesperson)
        self.assertEqual([row["id"] for row in Line.search_read([], ["total"])], my_line.ids)
        self.assertFalse(Line.search([("report_id", "=", theirs.id)]))
        my_items = Item.search([])
        self.assertTrue(my_items)
        self.assertEqual(my_items.line_id, my_line)
        with self.assertRaises(AccessError):
            their_items.with_user(self.other_salesperson).read(["residual"])

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
        report, line = self._report_with_items(self.salesperson, self.bolt)
        items = (
            self.env["credit.aging.report.item"]
            .with_user(self.salesperson)
            .search([("line_id", "=", line.id)])
        )
        self.assertTrue(items)
        with self.assertRaises(AccessError):
            line.with_user(self.salesperson).write({"total": 0.0})
        with self.assertRaises(AccessError):
            line.with_user(self.salesperson).unlink()
        with self.assertRaises(AccessError):
            items.with_user(self.salesperson).write({"residual": 0.0})
        # the user's own report recomputes its lines (in SQL) and can be deleted
        report.with_user(self.salesperson).action_show()
        self.assertEqual(report.line_ids.partner_id, self.bolt)
        report.with_user(self.salesperson).unlink()
        self.assertFalse(report.exists())

    # ------------------------------------------------------------------
    # downloads
    # ------------------------------------------------------------------
    def test_the_xlsx_of_another_users_report_is_not_found(self):
        theirs = self._report(self.salesperson)
        with self.assertRaises(NotFound):
            self._download(self.other_salesperson, theirs.id)
        with self.assertRaises(NotFound):
            self._download(self.officer, theirs.id)
        with self.assertRaises(NotFound):
            self._download(self.salesperson, theirs.id + 1000)

    def test_the_owner_downloads_the_xlsx(self):
        report = self._report(self.salesperson)
        response = self._download(self.salesperson, report.id)
        self.addCleanup(response.close)
        self.assertIn(
            "Aged%20Receivables%202024-06-30.xlsx", response.headers["Content-Disposition"]
        )
        workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.response)))
        customers = [row[1] for row in workbook["Summary"].iter_rows(min_row=5, values_only=True)]
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
