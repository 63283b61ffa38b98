from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .dunning_common import DAY, DunningCommon, days


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestDunningPolicy(DunningCommon):
    """Policy rules, runs started by hand, and amounts in company currency."""

    def test_a_company_has_one_default_policy(self):
        with self.assertRaises(ValidationError):
            self._dunning_policy("Second default", is_default=True)

    def test_a_grade_follows_one_policy_per_company(self):
        self._dunning_policy("Weak customers", grade_ids=[(6, 0, self.grade["C"].ids)])
        with self.assertRaises(ValidationError):
            self._dunning_policy("Also weak", grade_ids=[(6, 0, self.grade["C"].ids)])

    def test_fees_and_documents_are_checked(self):
        with self.assertRaises(ValidationError):
            self.level[60].fee_min = 600.0  # above the cap of 500
        with self.assertRaises(ValidationError):
            self.level[30].fee_amount = -1.0
        with self.assertRaises(ValidationError):
            self.level[15].mail_template_id = False
        with self.assertRaises(ValidationError):
            self.level[30].letter_report_id = False

    def test_an_officer_starts_a_run_by_hand_for_a_date_once(self):
        acme = self._debtor("Acme")
        self._invoice(acme, days(-90), days(-40), 100.0)
        Run = self.env["credit.dunning.run"].with_user(self.officer)
        run = Run.create({"date": days(-10)})
        self.assertEqual(run.company_id, self.company)
        run.action_compute()
        # 30 days overdue on that date, never dunned: the first overdue level
        self.assertEqual(run.communication_ids.level_id, self.level[15])
        self.assertEqual(run.communication_ids.line_ids.days_overdue, 30)
        with self.assertRaisesRegex(UserError, "has a dunning run of 2024-06-20 already"):
            Run.create({"date": days(-10)})

    def test_foreign_currency_items_are_dunned_in_their_currency_and_summed_in_the_companys(
        self,
    ):
        eur = self.setup_other_currency("EUR", rates=[("2024-01-01", 2.0)])
        acme = self._debtor("Acme")
        invoice = self._invoice(acme, days(-90), days(-20), 300.0, currency=eur)
        comm = self._run(DAY).communication_ids
        # totals, fees and interest stay in company currency
        self.assertEqual(comm.amount_due, 150.0)  # 300 EUR at 2 EUR per company unit
        self.assertEqual(comm.currency_id, self.company.currency_id)
        # each item shows what the customer owes, in the invoice's currency
        self.assertEqual(comm.line_ids.currency_id, eur)
        self.assertEqual(comm.line_ids.amount_residual_currency, 300.0)
        self.assertEqual(comm.line_ids.amount_residual, 150.0)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("credit_management.report_dunning_letter", comm.ids)[0]
            .decode()
        )
        self.assertIn("300.00", html)  # the item, in euros
        self.assertIn("150.00", html)  # and in company currency
        comm.with_user(self.officer).action_send_now()
        mail = self.env["mail.mail"].search([("model", "=", comm._name), ("res_id", "=", comm.id)])
        self.assertIn(invoice.name, mail.body_html)
        self.assertIn("300.00", mail.body_html)
        self.assertIn(eur.symbol, mail.body_html)

    def test_a_partly_paid_foreign_item_is_sent_for_what_is_left_in_its_currency(self):
        eur = self.setup_other_currency("EUR", rates=[("2024-01-01", 2.0)])
        acme = self._debtor("Acme")
        invoice = self._invoice(acme, days(-90), days(-20), 300.0, currency=eur)
        comm = self._run(DAY).communication_ids
        self._pay(invoice, DAY, amount=100.0, currency=eur)
        comm.with_user(self.officer).action_send_now()
        self.assertEqual(comm.line_ids.amount_residual_currency, 200.0)
        self.assertEqual(comm.line_ids.amount_residual, 100.0)
        self.assertEqual(comm.amount_due, 100.0)
