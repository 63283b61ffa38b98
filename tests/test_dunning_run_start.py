from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .dunning_common import DAY, DunningCommon, days


@freeze_time(DAY)
@tagged("post_install", "-at_install")
class TestDunningRunStart(DunningCommon):
    """Starting a dunning run by hand when the daily job already made today's: the user is
    taken to it, or told before saving, never stopped by a database error on save."""

    def _runs(self):
        return self.env["credit.dunning.run"].with_user(self.officer)

    def test_todays_run_opens_the_existing_run(self):
        existing = self._runs()._get_or_create(self.company, DAY)
        action = self._runs().action_open_today()
        self.assertEqual((action["res_model"], action["res_id"]), (existing._name, existing.id))
        self.assertEqual(self._runs().search_count([("date", "=", DAY)]), 1)

    def test_todays_run_starts_one_when_there_is_none(self):
        action = self._runs().action_open_today()
        run = self._runs().browse(action["res_id"])
        self.assertEqual((run.date, run.company_id), (DAY, self.company))
        self.assertEqual(self._runs().action_open_today()["res_id"], run.id)

    def test_the_form_warns_as_soon_as_it_opens_on_a_day_that_has_a_run(self):
        self._runs()._get_or_create(self.company, DAY)
        draft = self._runs().new({"company_id": self.company.id, "date": DAY})
        warning = draft._onchange_existing_run()["warning"]
        self.assertIn(str(DAY), warning["message"])
        other_day = self._runs().new({"company_id": self.company.id, "date": days(1)})
        self.assertIsNone(other_day._onchange_existing_run())

    def test_saving_a_second_run_for_the_day_is_refused_clearly_and_writes_nothing(self):
        self._runs()._get_or_create(self.company, DAY)
        with self.assertRaisesRegex(UserError, "has a dunning run of 2024-06-30 already"):
            self._runs().create({"company_id": self.company.id, "date": DAY})
        self.assertEqual(self._runs().search_count([("date", "=", DAY)]), 1)
