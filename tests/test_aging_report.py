import os
import tempfile
import zipfile
from datetime import date, datetime
from unittest.mock import patch

import openpyxl
from lxml import etree

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import freeze_time, tagged

from ..report import credit_aging_xlsx
from .common import CreditOrderCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestAgingReport(CreditOrderCommon):
    """The aged receivables screen, PDF and XLSX on a small ledger in USD (EUR at 2.0 per
    USD from 2024-01-01, 2.5 from 2024-06-01):
    - Acme (rated A): 1,000.00 invoiced 2024-05-01 due 2024-05-31 (30 days on 06-30),
      250.00 paid on 2024-06-15; 200.00 invoiced 2024-06-20 due 2024-07-20 (not due);
    - Bolt (salesperson: cm_salesperson): 300.00 invoiced 2024-01-01 due 2024-01-31
      (151 days on 06-30).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rates=[("2024-01-01", 2.0), ("2024-06-01", 2.5)])
        cls.acme = cls._customer("Acme")
        cls.acme_file = cls._file(cls.acme, grade_id=cls.grade["A"].id)
        cls.inv_big = cls._invoice(cls.acme, "2024-05-01", "2024-05-31", 1_000.0)
        cls._pay(cls.inv_big, "2024-06-15", amount=250.0)
        cls.inv_small = cls._invoice(cls.acme, "2024-06-20", "2024-07-20", 200.0)
        cls.bolt = cls._customer("Bolt", user_id=cls.salesperson.id)
        cls.inv_bolt = cls._invoice(cls.bolt, "2024-01-01", "2024-01-31", 300.0)

    def _report(self, user=None, **values):
        Report = self.env["credit.aging.report"]
        if user:
            Report = Report.with_user(user)
        report = Report.create({"company_ids": [Command.set(self.company.ids)], **values})
        report.action_show()
        return report

    def _items(self, action):
        """The open items a drill-down action shows."""
        return (
            self.env[action["res_model"]].with_context(**action["context"]).search(action["domain"])
        )

    @staticmethod
    def _line(report, partner):
        return report._lines().filtered(lambda line: line.partner_id == partner)

    # ------------------------------------------------------------------
    # screen
    # ------------------------------------------------------------------
    def test_lines_per_customer_to_the_cent(self):
        report = self._report()
        acme, bolt = self._line(report, self.acme), self._line(report, self.bolt)
        self.assertEqual(len(report._lines()), 2)
        self.assertEqual(
            (acme.total, acme.r0, acme.r1, acme.r2, acme.r4), (950.0, 200.0, 750.0, 0.0, 0.0)
        )
        self.assertEqual((bolt.total, bolt.r4), (300.0, 300.0))
        self.assertEqual((acme.total_company, acme.b0, acme.b1), (950.0, 200.0, 750.0))
        self.assertEqual(acme.grade_id, self.grade["A"])
        self.assertEqual(bolt.user_id, self.salesperson)
        self.assertFalse(acme.r6 or acme.r7, "buckets beyond the seventh stay empty")

    def test_lines_equal_the_engine(self):
        for as_of, basis, bounds in (
            (date(2024, 6, 30), "due", "30,60,90,180,365"),
            (date(2024, 6, 10), "invoice", "10,20,200"),
        ):
            report = self._report(as_of=as_of, basis=basis, bounds=bounds)
            engine = self.env["credit.aging.engine"]._aging_by_partner(
                as_of,
                self.company.ids,
                tuple(int(b) for b in bounds.split(",")),
                basis,
            )
            count = len(bounds.split(",")) + 2
            self.assertEqual(
                {
                    (line.company_id.id, line.partner_id.id): {
                        "total": line.total_company,
                        "buckets": [line[f"b{i}"] for i in range(count)],
                    }
                    for line in report._lines()
                },
                engine,
            )

    def test_as_of_a_past_date(self):
        report = self._report(as_of=date(2024, 6, 10))
        acme = self._line(report, self.acme)
        # the 250.00 payment of 06-15 and the invoice of 06-20 come later: 1,000.00, 10 days
        self.assertEqual((acme.total, acme.r1), (1_000.0, 1_000.0))

    def test_reporting_currency_converted_at_the_as_of_rate(self):
        report = self._report(currency_id=self.eur.id)
        acme = self._line(report, self.acme)
        # 2.5 EUR per USD on 06-30: 200.00 → 500.00, 750.00 → 1,875.00
        self.assertEqual((acme.r0, acme.r1, acme.total), (500.0, 1_875.0, 2_375.0))
        self.assertEqual(acme.total_company, 950.0)
        self.assertEqual(acme.currency_id, self.eur)
        self.assertEqual(acme.company_currency_id, self.currency)
        past = self._report(currency_id=self.eur.id, as_of=date(2024, 5, 31))
        self.assertEqual(self._line(past, self.acme).total, 2_000.0)  # 1,000.00 at 2.0

    def test_filters(self):
        def partners(**values):
            return self._report(**values)._lines().partner_id

        self.assertEqual(partners(salesperson_ids=[Command.set(self.salesperson.ids)]), self.bolt)
        self.assertEqual(partners(grade_ids=[Command.set(self.grade["A"].ids)]), self.acme)
        self.assertEqual(partners(partner_ids=[Command.set(self.bolt.ids)]), self.bolt)
        self.assertEqual(
            partners(account_ids=[Command.set(self.receivable.ids)]), self.acme | self.bolt
        )

    def test_recomputing_replaces_the_lines(self):
        report = self._report()
        report.bounds = "60"
        self.assertEqual(len(report._lines()), 2)
        self.assertEqual(self._line(report, self.bolt).r2, 300.0)  # over 60

    def test_bad_bucket_bounds_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "not greater than the bound before it"):
            self.env["credit.aging.report"].create({"bounds": "30,20"})
        with self.assertRaisesRegex(ValidationError, "'abc' is not a whole number of days"):
            self.company.credit_aging_bounds = "30,abc"
        with self.assertRaisesRegex(ValidationError, "more than six"):
            self.company.credit_aging_bounds = "1,2,3,4,5,6,7"

    def test_the_report_takes_the_company_buckets(self):
        self.company.credit_aging_bounds = "15,45"
        report = self.env["credit.aging.report"].create({})
        self.assertEqual(report.bounds, "15,45")
        self.assertEqual(
            report._bucket_labels(), ["Not due", "1-15 days", "16-45 days", "Over 45 days"]
        )

    def test_the_list_shows_the_report_buckets_as_titles(self):
        report = self._report(bounds="15,45")
        action = report.action_show()
        Line = self.env["credit.aging.report.line"].with_context(**action["context"])
        arch = etree.fromstring(Line.get_view(view_type="list")["arch"])
        self.assertEqual(arch.xpath("//field[@name='r1']")[0].get("string"), "1-15 days")
        self.assertEqual(arch.xpath("//field[@name='r3']")[0].get("string"), "Over 45 days")
        self.assertEqual(arch.xpath("//field[@name='r4']")[0].get("column_invisible"), "1")
        default = etree.fromstring(
            self.env["credit.aging.report.line"].get_view(view_type="list")["arch"]
        )
        self.assertNotEqual(default.xpath("//field[@name='r1']")[0].get("string"), "1-15 days")

    def test_lines_group_by_salesperson_and_grade(self):
        report = self._report()
        action = report.action_show()
        groups = (
            self.env["credit.aging.report.line"]
            .with_context(**action["context"])
            .read_group(action["domain"], ["total:sum"], ["user_id"])
        )
        self.assertEqual(
            {
                group["user_id"][0] if group["user_id"] else False: group["total"]
                for group in groups
            },
            {self.salesperson.id: 300.0, False: 950.0},
        )

    def test_drill_down_to_the_open_items(self):
        report = self._report(as_of=date(2024, 6, 30))
        action = self._line(report, self.acme).action_open_items()
        items = self._items(action)
        self.assertEqual(
            {(item.move_id, item.residual, item.days, item.bucket_label) for item in items},
            {
                (self.inv_big, 750.0, 30, "1-30 days"),
                (self.inv_small, 200.0, -20, "Not due"),
            },
        )
        past = self._report(as_of=date(2024, 6, 14))
        action = self._line(past, self.acme).action_open_items()
        items = self._items(action)
        self.assertEqual(
            [(item.move_id, item.residual) for item in items], [(self.inv_big, 1_000.0)]
        )

    def test_a_salesperson_sees_only_own_customers_in_the_report(self):
        report = self._report(user=self.salesperson)
        self.assertEqual(report._lines().partner_id, self.bolt)
        self.company.credit_aging_salespeople_see_all = True
        report = self._report(user=self.salesperson)
        self.assertEqual(report._lines().partner_id, self.acme | self.bolt)

    # ------------------------------------------------------------------
    # PDF
    # ------------------------------------------------------------------
    def test_pdf_shows_customers_buckets_and_totals(self):
        report = self._report(currency_id=self.eur.id)
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "credit_management.action_report_credit_aging", report.ids
        )
        html = html.decode()
        for text in ("Acme", "Bolt", "Not due", "1-30 days", "Over 365 days", "EUR", "Due date"):
            self.assertIn(text, html)
        values = self.env["report.credit_management.report_credit_aging"]._report_values(report)
        # 2,375.00 (Acme) + 750.00 (Bolt, 300.00 x 2.5)
        self.assertEqual(values["total"], 3_125.0)
        self.assertEqual(values["totals"], [500.0, 1_875.0, 0.0, 0.0, 750.0, 0.0, 0.0])
        self.assertEqual(values["shares"][1], "60.0")
        self.assertIn("3,125.00", html)

    def test_pdf_paperformat_is_landscape(self):
        action = self.env.ref("credit_management.action_report_credit_aging")
        self.assertEqual(action.paperformat_id.orientation, "Landscape")

    # ------------------------------------------------------------------
    # XLSX
    # ------------------------------------------------------------------
    def _xlsx(self, report):
        handle, path = tempfile.mkstemp(suffix=".xlsx")
        os.close(handle)
        self.addCleanup(os.unlink, path)
        self.env["report.credit_management.report_credit_aging_xlsx"]._write_workbook(report, path)
        return openpyxl.load_workbook(path)

    def test_xlsx_summary_sheet(self):
        report = self._report(currency_id=self.eur.id)
        sheet = self._xlsx(report)["Summary"]
        rows = list(sheet.iter_rows(values_only=True))
        self.assertIn("Aged Receivables as of 2024-06-30", rows[0][0])
        header = rows[3]
        self.assertEqual(
            header[:12],
            (
                "Company",
                "Customer",
                "Salesperson",
                "Grade",
                "Total",
                "Not due",
                "1-30 days",
                "31-60 days",
                "61-90 days",
                "91-180 days",
                "181-365 days",
                "Over 365 days",
            ),
        )
        data = {row[1]: row for row in rows[4:-1]}
        self.assertEqual(data["Acme"][3:12], ("A", 2_375.0, 500.0, 1_875.0, 0, 0, 0, 0, 0))
        self.assertEqual(data["Bolt"][2], "Credit Test Salesperson")
        self.assertEqual(data["Bolt"][12:14], ("USD", 300.0))
        self.assertEqual(rows[-1][0], "Total")
        self.assertEqual(rows[-1][4:7], (3_125.0, 500.0, 1_875.0))
        self.assertEqual(sheet.freeze_panes, "C5")
        self.assertEqual(sheet.auto_filter.ref, "A4:N6")
        self.assertEqual(sheet.dimensions, "A1:N7")
        self.assertIn("€", sheet["E5"].number_format)

    def test_xlsx_detail_sheet(self):
        report = self._report(as_of=date(2024, 6, 14))
        sheet = self._xlsx(report)["Detail"]
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[3][:3], ("Company", "Customer", "Document"))
        data = rows[4:-1]
        self.assertEqual(
            sorted((row[1], row[2], row[7], row[8], row[10], row[13]) for row in data),
            [
                ("Acme", self.inv_big.name, 14, "1-30 days", 1_000.0, 1_000.0),
                ("Bolt", self.inv_bolt.name, 135, "91-180 days", 300.0, 300.0),
            ],
        )
        self.assertEqual(rows[-1][0], "Total")
        self.assertEqual(rows[-1][13], 1_300.0)
        self.assertEqual(sheet.freeze_panes, "D5")

    def test_xlsx_detail_streams_every_item_in_its_currency(self):
        """Rows are fetched in chunks (here one by one): every item is written, each in its
        own currency's format, even when the items are in several currencies."""
        # the first row written (earliest due date of the first customer)
        self._invoice(self.acme, "2024-05-01", "2024-05-15", 100.0, currency=self.eur)
        report = self._report()
        self.env.invalidate_all()  # nothing read from the cache: any ORM read is a query
        with patch.object(credit_aging_xlsx, "FETCH_SIZE", 1):
            sheet = self._xlsx(report)["Detail"]
        rows = list(sheet.iter_rows(min_row=5, values_only=True))[:-1]
        self.assertEqual(len(rows), 4)  # 3 of Acme, 1 of Bolt
        self.assertEqual(rows[0][11], "EUR")
        eur_row = next(index for index, row in enumerate(rows, start=5) if row[11] == "EUR")
        # EUR 100.00 booked at 2.0 per USD = 50.00
        self.assertEqual(sheet.cell(eur_row, 13).value, 100.0)
        self.assertEqual(sheet.cell(eur_row, 11).value, 50.0)
        self.assertIn("€", sheet.cell(eur_row, 13).number_format)
        self.assertIn("$", sheet.cell(eur_row, 11).number_format)

    def test_xlsx_sheets_larger_than_zip_limit_are_written(self):
        """A detail sheet of millions of open items passes the 2 GiB a zip entry may hold
        without ZIP64 (10M receivable lines did): the sheets are written as ZIP64 entries.
        Here the limit is lowered so that a small sheet passes it."""
        report = self._report(as_of=date(2024, 6, 14))
        with patch.object(zipfile, "ZIP64_LIMIT", 1000):
            path = self._xlsx_file(report)
        with zipfile.ZipFile(path) as archive:
            self.assertIsNone(archive.testzip())
        rows = list(openpyxl.load_workbook(path)["Detail"].iter_rows(values_only=True))
        self.assertEqual(rows[-1][13], 1_300.0)

    def _xlsx_file(self, report):
        handle, path = tempfile.mkstemp(suffix=".xlsx")
        os.close(handle)
        self.addCleanup(os.unlink, path)
        self.env["report.credit_management.report_credit_aging_xlsx"]._write_workbook(report, path)
        return path

    def test_xlsx_detail_rows_are_well_formed(self):
        """The detail rows are written as XML by hand: special characters escaped, blanks
        kept, characters XML cannot hold written as Excel does (_xHHHH_), dates as dates,
        amounts as numbers, the totals row equal to the report's total, the dimension and
        the autofilter (in the sheet and in the workbook) over exactly the written rows."""
        odd = self._customer('Smith & <Sons> "Ltd"')
        self._invoice(odd, "2024-03-01", "2024-04-15", 123.45)
        # a name no form would save: blanks around it, a control character XML cannot hold
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET complete_name = %s WHERE id = %s",
            ["  Bolt\x01 Co ", self.bolt.id],
        )
        report = self._report(currency_id=self.eur.id)
        path = self._xlsx_file(report)
        with zipfile.ZipFile(path) as archive:
            self.assertIsNone(archive.testzip())
            for name in archive.namelist():
                if name.endswith(".xml"):
                    etree.fromstring(archive.read(name))  # raises when not well formed
            workbook_xml = archive.read("xl/workbook.xml").decode()
        book = openpyxl.load_workbook(path)
        sheet = book["Detail"]
        rows = list(sheet.iter_rows(values_only=True))
        # titles, blank, header, 4 open items (Acme 2, Bolt 1, the odd one 1), totals
        self.assertEqual(len(rows), 9)
        self.assertEqual(sheet.dimensions, "A1:N9")
        self.assertEqual(sheet.auto_filter.ref, "A4:N8")
        self.assertIn("Detail!$A$4:$N$8</definedName>", workbook_xml)
        odd_row = next(row for row in rows[4:-1] if row[1] == 'Smith & <Sons> "Ltd"')
        self.assertEqual(odd_row[5:8], (datetime(2024, 3, 1), datetime(2024, 4, 15), 76))
        self.assertEqual(odd_row[8:11], ("61-90 days", "USD", 123.45))
        self.assertEqual(odd_row[13], 308.63)  # 123.45 x 2.5 = 308.625, to the cent
        self.assertEqual(sheet.cell(8, 6).number_format, "yyyy-mm-dd")
        self.assertIsInstance(sheet.cell(8, 8).value, int)
        self.assertIn("  Bolt_x0001_ Co ", {row[1] for row in rows[4:-1]})
        self.assertEqual(rows[-1][0], "Total")
        self.assertEqual(rows[-1][13], sum(report._lines().mapped("total")))
        self.assertEqual(rows[-1][13], sum(row[13] for row in rows[4:-1]))
        self.assertTrue(sheet.cell(9, 14).font.b)
        self.assertIn("€", sheet.cell(9, 14).number_format)

    def test_xlsx_detail_without_items(self):
        report = self._report(as_of=date(2023, 12, 31))
        path = self._xlsx_file(report)
        sheet = openpyxl.load_workbook(path)["Detail"]
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[3][0], "Company")
        self.assertEqual(rows[4][0], "Total")
        self.assertEqual(rows[4][13], 0.0)
        self.assertEqual(len(rows), 5)
        self.assertEqual(sheet.auto_filter.ref, "A4:N4")
        self.assertEqual(sheet.dimensions, "A1:N5")
