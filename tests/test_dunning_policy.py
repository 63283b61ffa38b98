from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

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
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.cr.savepoint(),
        ):
            Run.create({"date": days(-10)})

    def test_foreign_currency_items_are_dunned_in_company_currency(self):
        eur = self.setup_other_currency("EUR", rates=[("2024-01-01", 2.0)])
        acme = self._debtor("Acme")
        self._invoice(acme, days(-90), days(-20), 300.0, currency=eur)
        comm = self._run(DAY).communication_ids
        self.assertEqual(comm.amount_due, 150.0)  # 300 EUR at 2 EUR per company unit
        self.assertEqual(comm.currency_id, self.company.currency_id)
