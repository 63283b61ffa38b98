from datetime import date

from odoo.tests import freeze_time, new_test_user, tagged

from .common import CreditLedgerCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestPeriodicRerating(CreditLedgerCommon):
    """The daily job proposes a review for customers due for re-rating. The policy re-rates
    every month and ratings are valid two months; today is 2024-06-30."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.files = {}
        for name, rating_date, valid_until in (
            ("Fresh", date(2024, 6, 1), date(2024, 8, 1)),  # next re-rating 2024-07-01
            ("Month old", date(2024, 5, 30), date(2024, 7, 30)),  # due today
            ("Expired", date(2024, 6, 20), date(2024, 6, 29)),
            ("Pending", date(2024, 4, 1), date(2024, 6, 1)),
        ):
            _partner, file = cls._a_grade_customer(name)
            cls._set_rating(
                file,
                sync=False,
                grade_id=cls.grade["A"].id,
                credit_limit=23_000.0,
                rating_date=rating_date,
                valid_until=valid_until,
            )
            cls.files[name] = file
        cls.files["Never rated"] = cls._a_grade_customer("Never rated")[1]
        cls.files["No history"] = cls._file(cls._customer("No history"))

    def _reviews(self, name):
        return self.env["credit.review"].search([("file_id", "=", self.files[name].id)])

    def _run(self):
        self.env["credit.file"]._cron_propose_reviews()

    def test_a_rating_older_than_the_period_is_reviewed(self):
        self._run()
        review = self._reviews("Month old")
        self.assertEqual(len(review), 1)
        self.assertEqual(review.state, "to_approve")
        self.assertEqual(review.proposed_grade_id, self.grade["A"])
        self.assertEqual(review.proposed_limit, 23_000.0)

    def test_an_expired_rating_is_reviewed(self):
        self._run()
        self.assertEqual(len(self._reviews("Expired")), 1)

    def test_a_fresh_rating_is_left_alone(self):
        self._run()
        self.assertFalse(self._reviews("Fresh"))

    def test_a_customer_with_history_but_no_rating_is_reviewed(self):
        self._run()
        self.assertEqual(len(self._reviews("Never rated")), 1)

    def test_a_file_without_rating_nor_history_waits(self):
        self._run()
        self.assertFalse(self._reviews("No history"))

    def test_a_pending_review_is_not_proposed_twice(self):
        pending = self._review(self.files["Pending"])
        self._run()
        self.assertEqual(self._reviews("Pending"), pending)

    def test_running_twice_proposes_once(self):
        self._run()
        self._run()
        for name in ("Month old", "Expired", "Never rated"):
            self.assertEqual(len(self._reviews(name)), 1, name)

    def test_a_decided_review_does_not_block_the_next_one(self):
        rejected = self._review(self.files["Pending"])
        rejected.with_user(self.officer).adjust_reason = "Wait for the audited accounts."
        rejected.with_user(self.officer).action_reject()
        self._run()
        self.assertEqual(len(self._reviews("Pending")), 2)

    def test_the_officer_gets_an_activity(self):
        self._run()
        review = self._reviews("Month old")
        self.assertEqual(review.activity_ids.user_id, self.officer)
        self.assertEqual(review.activity_ids.summary, "Periodic re-rating of Month old")

    def test_the_files_own_officer_gets_the_activity(self):
        other = new_test_user(
            self.env,
            login="cm_officer_2",
            groups="credit_management.group_credit_officer",
            company_id=self.company.id,
        )
        self.files["Expired"].officer_id = other
        self._run()
        self.assertEqual(self._reviews("Expired").activity_ids.user_id, other)

    def test_a_two_month_period_leaves_last_months_rating_alone(self):
        self.policy.review_months = 2
        self._run()
        self.assertFalse(self._reviews("Month old"))
        self.assertEqual(len(self._reviews("Pending")), 1)

    def test_a_file_that_cannot_be_rated_does_not_stop_the_others(self):
        eur = self.setup_other_currency("EUR", rates=[("2024-01-01", 2.0)])
        # a statement in EUR from before the first EUR rate
        self._statement(
            self.files["Expired"], statement_date="2023-12-31", currency_id=eur.id, revenue=1.0
        )
        self._run()
        self.assertFalse(self._reviews("Expired"))
        self.assertIn(
            "The periodic re-rating failed: No exchange rate of EUR",
            "\n".join(self.files["Expired"].message_ids.mapped("body")),
        )
        self.assertEqual(len(self._reviews("Month old")), 1)
