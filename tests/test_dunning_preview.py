from lxml import html

from odoo.tests import freeze_time, tagged

from .dunning_common import DAY, DunningCommon, days


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestDunningPreview(DunningCommon):
    """Before the officer sends a run, each communication shows the text the customer will
    receive: the level's e-mail (subject and body) or the letter, in the customer's
    language, with its name and the amounts. Nothing is sent by looking at it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme = cls._debtor("Acme Trading")

    def _comm(self, due_in, amount):
        invoice = self._invoice(self.acme, days(-90), days(due_in), amount)
        comm = self._communications(self._run(DAY), self.acme)
        return comm.with_user(self.officer), invoice

    @staticmethod
    def _text(comm):
        return " ".join(html.fromstring(str(comm.preview_body)).text_content().split())

    def test_an_email_level_previews_the_templates_subject_and_body(self):
        comm, invoice = self._comm(-20, 1_234.56)
        self.assertEqual(comm.level_id, self.level[15])
        self.assertEqual(comm.preview_subject, f"{self.company.name}: overdue invoices")
        text = self._text(comm)
        self.assertIn("Dear Acme Trading,", text)
        self.assertIn(invoice.name, text)
        self.assertIn("20 days overdue", text)
        self.assertIn("Total to pay: $ 1,234.56", text)
        self.assertFalse(
            self.env["mail.mail"].search([("res_id", "=", comm.id), ("model", "=", comm._name)])
        )
        self.assertEqual(comm.state, "draft")

    def test_a_letter_level_previews_the_letter_with_fee_and_total(self):
        self.level[15].skippable = True
        comm, invoice = self._comm(-35, 1_000.0)
        self.assertEqual(comm.channel, "letter")
        self.assertFalse(comm.preview_subject)
        text = self._text(comm)
        self.assertIn("Acme Trading", text)
        self.assertIn("Overdue payment reminder", text)
        self.assertIn(invoice.name, text)
        self.assertIn("1,000.00", text)  # the invoice
        self.assertIn("50.00", text)  # the fixed fee of the letter level
        self.assertIn("1,050.00", text)  # total to pay

    def test_the_preview_speaks_the_customers_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.acme.lang = "zh_CN"
        self.level[15].skippable = True
        comm, _invoice = self._comm(-35, 100.0)
        self.env["ir.qweb"].invalidate_model()
        text = self._text(comm.with_context(lang="en_US"))
        lang = self.env["res.lang"]._lang_get("zh_CN")
        self.assertIn(DAY.strftime(lang.date_format), text)
        self.assertNotIn("06/30/2024", text)

    def test_a_level_carried_out_by_a_person_says_no_text_is_sent(self):
        self.level[15].skippable = True
        self.level[30].skippable = True
        comm, _invoice = self._comm(-65, 100.0)
        self.assertEqual(comm.channel, "phone")
        self.assertIn("Nothing is sent to the customer at this level", self._text(comm))

    def test_the_runs_list_opens_the_preview(self):
        comm, _invoice = self._comm(-20, 100.0)
        action = comm.action_open_preview()
        self.assertEqual((action["res_model"], action["res_id"]), (comm._name, comm.id))
