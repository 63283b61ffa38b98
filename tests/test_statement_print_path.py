import json
import shutil
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import CreditLedgerCommon, pdf_text


@tagged("post_install", "-at_install")
class TestStatementPrintPath(CreditLedgerCommon):
    """The customer statement printed as a user prints it: *Print Statement* on the
    customer, the wizard's *Print*, then the PDF the web client downloads for the report
    action: ``/report/pdf/<report>?options=<data>&context=<context>``, no document ids in the
    URL when the action carries data, which ``web``'s ``ReportController.report_routes``
    renders with ``docids=None``. (Rendered here as that route does, not over HTTP: the
    test server shares one cursor, so wkhtmltopdf's request for the page's assets would wait
    for the report request holding it.) Acme owes 1,234.50 on an invoice of ten days ago
    and paid 234.50 of it five days ago."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        cls.acme = cls._customer("Acme Statement Corp", email="ap@acme.example")
        cls.invoice = cls._invoice(
            cls.acme, today - timedelta(days=10), today + timedelta(days=20), 1_234.50
        )
        cls._pay(cls.invoice, today - timedelta(days=5), amount=234.50)

    def setUp(self):
        super().setUp()
        if not (shutil.which("wkhtmltopdf") and shutil.which("pdftotext")):
            self.skipTest(
                "needs wkhtmltopdf and pdftotext (poppler-utils): scripts/test installs them"
            )

    def _print_from_the_customer(self):
        today = fields.Date.today()
        wizard = (
            self.env["credit.statement.wizard"]
            .with_user(self.officer)
            .with_context(active_model="res.partner", active_ids=self.acme.ids)
            .create(
                {
                    "period": "custom",
                    "date_from": today - timedelta(days=30),
                    "date_to": today,
                }
            )
        )
        self.assertEqual(wizard.partner_ids, self.acme)
        action = wizard.action_print()
        self.assertTrue(action["data"], "the statement's period travels in the report data")
        # what the web client sends (web/static/src/webclient/actions/reports/utils.js) and
        # what report_routes does with it: options and context as JSON, no docids;
        # force_report_rendering: test mode would otherwise answer HTML instead of a PDF
        data = {"options": json.dumps(action["data"]), "context": json.dumps(action["context"])}
        data.update(json.loads(data.pop("options")))
        data["context"] = json.loads(data["context"])
        context = dict(self.env.context, **data["context"], force_report_rendering=True)
        report = self.env["ir.actions.report"].with_user(self.officer).with_context(**context)
        content, kind = report._render_qweb_pdf(action["report_name"], None, data=data)
        self.assertEqual(kind, "pdf")
        return pdf_text(content)

    def test_the_statement_printed_from_the_customer_has_its_movements(self):
        text = self._print_from_the_customer()
        self.assertIn("Customer Statement", text)
        self.assertIn("Acme Statement Corp", text)
        self.assertIn(self.invoice.name, text)
        self.assertIn("1,234.50", text)
        self.assertIn("234.50", text)
        self.assertIn("1,000.00", text)  # the closing balance
        self.assertIn("Credit", text)

    def test_the_chinese_statement_says_debit_and_credit_as_accountants_do(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["credit_management"], ["zh_CN"])
        self.acme.lang = "zh_CN"
        self.officer.lang = "zh_CN"
        text = self._print_from_the_customer()
        self.assertIn("Acme Statement Corp", text)
        self.assertIn("1,000.00", text)
        self.assertIn("借方", text)
        self.assertIn("贷方", text)
        self.assertNotIn("信用管理", text)
