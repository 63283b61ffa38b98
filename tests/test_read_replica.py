import io
import json
import shutil
from decimal import Decimal
from types import SimpleNamespace
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

import openpyxl
import psycopg2
from werkzeug.exceptions import NotFound

from odoo import Command, fields
from odoo.http import Response
from odoo.tests import freeze_time, tagged

from odoo.addons.web.controllers.report import ReportController

from ..controllers import credit_aging as aging_controller
from ..controllers import credit_report as report_controller
from .common import CreditOrderCommon, pdf_text, run_read_only


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestHeavyReadsRunReadOnly(CreditOrderCommon):
    """The heavy reads (aged receivables on screen, in PDF and XLSX, customer statements,
    KPIs, the collection worklist) run in a read-only transaction, as Odoo 18 serves
    read-only routes and ``@api.readonly`` methods, so that with ``db_replica_host`` they
    are read from the replica. Saving the report's options (the wizard) is the only write,
    on the primary; everything after it is run here inside ``run_read_only``, where any
    write fails the test.

    Ledger on 2024-06-30, in USD:
    - Acme (rated A): 1,000.00 invoiced 2024-05-01 due 2024-05-31, 250.00 paid on
      2024-06-15 (750.00 open, 30 days overdue); 200.00 invoiced 2024-06-20 due 2024-07-20
      (not due). Total 950.00.
    - Bolt (salesperson: cm_salesperson, unrated): 300.00 invoiced 2024-01-01 due
      2024-01-31 (151 days overdue).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme = cls._customer("Acme")
        cls.acme_file = cls._file(cls.acme, grade_id=cls.grade["A"].id)
        cls.inv_big = cls._invoice(cls.acme, "2024-05-01", "2024-05-31", 1_000.0)
        cls._pay(cls.inv_big, "2024-06-15", amount=250.0)
        cls.inv_small = cls._invoice(cls.acme, "2024-06-20", "2024-07-20", 200.0)
        cls.bolt = cls._customer("Bolt", user_id=cls.salesperson.id)
        cls.inv_bolt = cls._invoice(cls.bolt, "2024-01-01", "2024-01-31", 300.0)

    def _options(self, user=None, **values):
        """The aged receivables' options form, saved (the one write, on the primary)."""
        return (
            self.env["credit.aging.report"]
            .with_user(user or self.officer)
            .create({"company_ids": [Command.set(self.company.ids)], **values})
        )

    @staticmethod
    def _xlsx(env, action):
        """The XLSX of an ``act_url`` action, downloaded as the web client does: the route
        called with the URL's query arguments (the request faked, the route's code real)."""
        url = urlsplit(action["url"])
        fake_request = SimpleNamespace(
            env=env,
            not_found=NotFound,
            httprequest=SimpleNamespace(environ={}),
            make_response=lambda data, headers: Response(data, headers=headers),
        )
        route = next(
            getattr(aging_controller.CreditAgingController, name)
            for name in dir(aging_controller.CreditAgingController)
            if url.path
            in getattr(
                getattr(aging_controller.CreditAgingController, name), "original_routing", {}
            ).get("routes", [])
        )
        arguments = {key: values[0] for key, values in parse_qs(url.query).items()}
        with patch.object(aging_controller, "request", fake_request):
            response = route(aging_controller.CreditAgingController(), **arguments)
        try:
            content = b"".join(response.response)
        finally:
            response.close()
        return openpyxl.load_workbook(io.BytesIO(content))

    # ------------------------------------------------------------------
    # aged receivables
    # ------------------------------------------------------------------
    def test_the_aging_screen_and_its_drill_down_run_read_only(self):
        report = self._options()

        def screen(env):
            action = report.with_env(env).action_show()
            Line = env[action["res_model"]].with_context(**action["context"])
            rows = Line.search_read(action.get("domain") or [], ["partner_id", "total", "r1"])
            groups = Line.read_group(
                action.get("domain") or [], ["total:sum"], ["user_id"], lazy=False
            )
            acme = Line.search((action.get("domain") or []) + [("partner_id", "=", self.acme.id)])
            drill = acme.action_open_items()
            Item = env[drill["res_model"]].with_context(**drill["context"])
            items = Item.search_read(drill["domain"], ["move_id", "residual", "bucket_label"])
            return rows, groups, items

        rows, groups, items = run_read_only(self.env(user=self.officer), screen)
        self.assertEqual(
            {(row["partner_id"][0], row["total"], row["r1"]) for row in rows},
            {(self.acme.id, 950.0, 750.0), (self.bolt.id, 300.0, 0.0)},
        )
        self.assertEqual(
            {(group["user_id"] and group["user_id"][0], group["total"]) for group in groups},
            {(self.salesperson.id, 300.0), (False, 950.0)},
        )
        self.assertEqual(
            {(item["move_id"][0], item["residual"], item["bucket_label"]) for item in items},
            {(self.inv_big.id, 750.0, "1-30 days"), (self.inv_small.id, 200.0, "Not due")},
        )

    def test_the_aging_buttons_leave_the_heavy_read_to_the_read_only_requests(self):
        """The options form's buttons run on the primary (they read the record just saved,
        which a lagging replica may not have yet): they only return the action, carrying
        the options; the aging itself is computed by the read-only requests that follow."""
        report = self._options()
        Engine = type(self.env["credit.aging.engine"])
        original = Engine._aging_by_partner_sql
        calls = []

        def counting(engine, *args, **kwargs):
            calls.append(args)
            return original(engine, *args, **kwargs)

        with patch.object(Engine, "_aging_by_partner_sql", counting):
            for button in ("action_show", "action_print_pdf", "action_export_xlsx"):
                action = getattr(report, button)()
                self.assertTrue(action, button)
        self.assertEqual(calls, [])

    def test_the_aging_pdf_runs_read_only(self):
        report = self._options()
        render = "_render_qweb_html"
        context = {}
        if shutil.which("wkhtmltopdf") and shutil.which("pdftotext"):
            render, context = "_render_qweb_pdf", {"force_report_rendering": True}

        def pdf(env):
            action = report.with_env(env).action_print_pdf()
            Report = env["ir.actions.report"].with_context(**context)
            if action.get("data"):
                content, _kind = getattr(Report, render)(
                    action["report_name"], None, data=action["data"]
                )
            else:
                content, _kind = getattr(Report, render)(
                    action["report_name"], action["context"]["active_ids"]
                )
            return content

        # once on the primary first: the report's assets are bundled on first use
        pdf(self.env(user=self.officer))
        content = run_read_only(self.env(user=self.officer), pdf)
        text = pdf_text(content) if render == "_render_qweb_pdf" else content.decode()
        self.assertIn("Acme", text)
        self.assertIn("Bolt", text)
        self.assertIn("1,250.00", text)

    def test_the_aging_xlsx_runs_read_only(self):
        report = self._options()

        def xlsx(env):
            action = report.with_env(env).action_export_xlsx()
            workbook = self._xlsx(env, action)
            summary = [
                row[1:5] for row in workbook["Summary"].iter_rows(min_row=5, values_only=True)
            ]
            detail = [row[2] for row in workbook["Detail"].iter_rows(min_row=5, values_only=True)]
            return summary, detail

        summary, detail = run_read_only(self.env(user=self.officer), xlsx)
        self.assertIn(("Acme", None, "A", 950.0), summary)
        self.assertIn(("Bolt", self.salesperson.name, None, 300.0), summary)
        self.assertEqual(summary[-1][3], 1_250.0)
        self.assertEqual(
            sorted(name for name in detail if name),
            sorted([self.inv_big.name, self.inv_small.name, self.inv_bolt.name]),
        )

    def test_a_salesperson_reads_only_own_customers_read_only(self):
        report = self._options(user=self.salesperson)

        def screen(env):
            action = report.with_env(env).action_show()
            Line = env[action["res_model"]].with_context(**action["context"])
            return Line.search_read(action.get("domain") or [], ["partner_id", "total"])

        rows = run_read_only(self.env(user=self.salesperson), screen)
        self.assertEqual(
            [(row["partner_id"][0], row["total"]) for row in rows], [(self.bolt.id, 300.0)]
        )

    def test_the_read_only_declarations(self):
        """What sends these reads to the replica: the XLSX route and the drill-down are
        declared read-only; the list, pivot and PDF use Odoo's read-only ones."""
        Line = type(self.env["credit.aging.report.line"])
        self.assertTrue(getattr(Line.action_open_items, "_readonly", False))
        for method in ("web_search_read", "web_read_group", "read_group", "search_read"):
            self.assertTrue(getattr(getattr(Line, method), "_readonly", False), method)
        routes = [
            getattr(aging_controller.CreditAgingController, name).original_routing
            for name in dir(aging_controller.CreditAgingController)
            if hasattr(getattr(aging_controller.CreditAgingController, name), "original_routing")
        ]
        self.assertTrue(routes)
        for routing in routes:
            self.assertIs(routing.get("readonly"), True, routing["routes"])
        self.assertIs(ReportController.report_routes.original_routing["readonly"], True)

    def test_the_pdf_download_is_read_only_for_the_addons_reports_only(self):
        """The web client downloads PDFs through ``/report/download``, which Odoo 18
        declares read/write for every report: the addon makes it read-only for its own."""
        controller = report_controller.CreditReportController()
        routing = report_controller.CreditReportController.report_download.original_routing
        self.assertTrue(callable(routing["readonly"]))

        def readonly(data):
            fake_request = SimpleNamespace(get_http_params=lambda: {"data": data})
            with patch.object(report_controller, "request", fake_request):
                return controller._credit_download_readonly()

        report = self._options()
        for action in (
            report.action_print_pdf(),
            self.env["credit.statement.wizard"]
            .with_user(self.officer)
            .with_context(active_model="res.partner", active_ids=self.acme.ids)
            .create({"period": "custom", "date_from": "2024-06-01", "date_to": "2024-06-30"})
            .action_print(),
        ):
            url = f"/report/pdf/{action['report_name']}?options=%7B%7D&context=%7B%7D"
            self.assertIs(readonly(json.dumps([url, "qweb-pdf"])), True, action["report_name"])
        self.assertIs(
            readonly(json.dumps(["/report/pdf/account.report_invoice/7", "qweb-pdf"])), False
        )
        for garbage in (None, "", "[]", "{not json", json.dumps([42, "qweb-pdf"])):
            self.assertIs(readonly(garbage), False, garbage)

    # ------------------------------------------------------------------
    # statements, KPIs, worklist
    # ------------------------------------------------------------------
    def test_customer_statements_run_read_only(self):
        wizard = (
            self.env["credit.statement.wizard"]
            .with_user(self.officer)
            .with_context(active_model="res.partner", active_ids=self.acme.ids)
            .create({"period": "custom", "date_from": "2024-06-01", "date_to": "2024-06-30"})
        )

        render = "_render_qweb_html"
        context = {}
        if shutil.which("wkhtmltopdf") and shutil.which("pdftotext"):
            render, context = "_render_qweb_pdf", {"force_report_rendering": True}

        def statement(env):
            action = wizard.with_env(env).action_print()
            content, _kind = getattr(env["ir.actions.report"].with_context(**context), render)(
                action["report_name"], None, data=action["data"]
            )
            return content

        # once on the primary first: the report's assets are bundled on first use
        statement(self.env(user=self.officer))
        content = run_read_only(self.env(user=self.officer), statement)
        html = pdf_text(content) if render == "_render_qweb_pdf" else content.decode()
        self.assertIn("Acme", html)
        self.assertIn(self.inv_small.name, html)
        self.assertIn("950.00", html)  # closing balance: 1,000.00 - 250.00 + 200.00

    def test_the_pdfs_fetch_nothing_but_their_assets(self):
        """wkhtmltopdf fetches every URL of the page: Odoo's layouts write an empty
        ``background-image: url()`` without a company background, which makes it fetch the
        server's root, i.e. the web client (a read/write request on the primary), for each
        PDF. The addon's reports leave it out; other reports are as Odoo renders them."""
        wizard = (
            self.env["credit.statement.wizard"]
            .with_user(self.officer)
            .with_context(active_model="res.partner", active_ids=self.acme.ids)
            .create({"period": "custom", "date_from": "2024-06-01", "date_to": "2024-06-30"})
        )
        action = wizard.with_context(discard_logo_check=True).action_print()
        Report = self.env["ir.actions.report"]
        html, _kind = Report._render_qweb_html(action["report_name"], None, data=action["data"])
        self.assertIn(b"background-image: none;", html)
        self.assertNotIn(b"url()", html)
        aging = self._options().action_print_pdf()
        html, _kind = Report._render_qweb_html(
            aging["report_name"],
            None if aging.get("data") else aging["context"]["active_ids"],
            data=aging.get("data"),
        )
        self.assertNotIn(b"url()", html)
        # Odoo's own reports keep Odoo's layout
        invoice = self.inv_small
        html, _kind = Report._render_qweb_html("account.report_invoice", invoice.ids)
        self.assertIn(b"background-image: url();", html)

    def test_kpis_run_read_only(self):
        def kpis(env):
            result = env["credit.kpi"]._kpis(
                self.company.ids, self._day("2024-04-02"), self._day("2024-06-30")
            )
            file = self.acme_file.with_env(env).read(["kpi_receivable", "kpi_overdue_ratio"])[0]
            return result[(self.company.id, None)], file

        totals, file = run_read_only(self.env(user=self.officer), kpis)
        self.assertEqual(totals["closing_ar"], Decimal("1250.00"))
        self.assertEqual(totals["overdue_ar"], Decimal("1050.00"))  # 750.00 + 300.00
        self.assertEqual(file["kpi_receivable"], 950.0)
        self.assertEqual(file["kpi_overdue_ratio"], 78.9)  # 750 / 950

    def test_the_worklist_runs_read_only(self):
        def worklist(env):
            return env["credit.collection.worklist"].search_read(
                [("company_id", "=", self.company.id)], ["partner_id", "overdue_amount", "priority"]
            )

        rows = run_read_only(self.env(user=self.officer), worklist)
        # Bolt: 300 x 151 days x unrated 9 = 407,700; Acme: 750 x 30 days x A (rank 3) = 67,500
        self.assertEqual(
            [(row["partner_id"][0], row["overdue_amount"], row["priority"]) for row in rows],
            [(self.bolt.id, 300.0, 407_700.0), (self.acme.id, 750.0, 67_500.0)],
        )

    def test_a_write_in_the_read_only_transaction_fails(self):
        """The helper itself: a write is refused, and the transaction goes on afterwards."""

        def write(env):
            env["res.partner"].browse(self.acme.id).write({"name": "Changed"})

        with (
            self.assertRaises(psycopg2.errors.ReadOnlySqlTransaction),
            self.assertLogs("odoo.sql_db", level="ERROR"),
        ):
            run_read_only(self.env, write)
        self.acme.write({"ref": "still writable"})
        self.env.flush_all()

    @staticmethod
    def _day(text):
        return fields.Date.to_date(text)
