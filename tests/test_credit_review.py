from odoo.tests import freeze_time, tagged

from .common import A_MARKS, CreditLedgerCommon

STRONG_STATEMENT = {
    "total_assets": 1_000_000.0,
    "total_liabilities": 300_000.0,
    "current_assets": 600_000.0,
    "current_liabilities": 200_000.0,
    "inventory": 100_000.0,
    "net_worth": 700_000.0,
    "revenue": 2_000_000.0,
    "net_profit": 240_000.0,
}
"""Current ratio 3, quick ratio 2.5, debt ratio 0.3, net margin 0.12: 100 points each."""
TOP_MARKS = dict.fromkeys(A_MARKS, "5")


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestCreditReview(CreditLedgerCommon):
    """A review computed from the credit file, the ledger and the default policy and model.

    The A customer (``A_STATEMENT``, ``A_MARKS``, a spotless ledger), factor by factor with
    the default model's weights and bands, points x weight / 100:
    current ratio 517,345 / 400,000 = 1.29 -> band [1, 1.5) 50 x 8 = 4.00
    quick ratio 317,345 / 400,000 = 0.79 -> band [0.5, 0.8) 40 x 6 = 2.40
    debt ratio 600,000 / 1,000,000 = 0.6 -> band [0.55, 0.7) 50 x 8 = 4.00
    net margin 30,000 / 1,000,000 = 0.03 -> band [0.02, 0.05) 60 x 8 = 4.80
    payment rate 1 -> 100 x 15 = 15.00; days late 0 -> 100 x 10 = 10.00;
    overdue items 0 -> 100 x 7 = 7.00; longest overdue 0 -> 100 x 8 = 8.00
    character 4 -> 80 x 8 = 6.40; capacity 3 -> 60 x 6 = 3.60; capital 3 -> 60 x 6 = 3.60;
    collateral 2 -> 40 x 5 = 2.00; conditions 3 -> 60 x 5 = 3.00
    score = 73.80, grade A (70 <= 73.80 < 80).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme, cls.acme_file = cls._a_grade_customer("Acme")

    def test_score_is_the_weighted_mean_of_the_factor_points(self):
        review = self._review(self.acme_file)
        self.assertEqual(review.state, "to_approve")
        expected = {
            "current_ratio": (50, 8, 4.00),
            "quick_ratio": (40, 6, 2.40),
            "debt_ratio": (50, 8, 4.00),
            "net_margin": (60, 8, 4.80),
            "payment_rate": (100, 15, 15.00),
            "avg_days_late": (100, 10, 10.00),
            "overdue_count": (100, 7, 7.00),
            "longest_overdue_days": (100, 8, 8.00),
            "character": (80, 8, 6.40),
            "capacity": (60, 6, 3.60),
            "capital": (60, 6, 3.60),
            "collateral": (40, 5, 2.00),
            "conditions": (60, 5, 3.00),
        }
        self.assertEqual(
            {line.code: (line.points, line.weight, line.contribution) for line in review.line_ids},
            expected,
        )
        self.assertEqual(review.score, 73.80)
        self.assertEqual(review.score, round(sum(c for _p, _w, c in expected.values()), 2))
        self.assertFalse(review.missing_factors)

    def test_grade_is_read_from_the_score(self):
        review = self._review(self.acme_file)
        self.assertEqual(review.score_grade_id, self.grade["A"])
        self.assertEqual(review.proposed_grade_id, self.grade["A"])
        self.assertEqual(review.final_grade_id, self.grade["A"])
        self.assertFalse(review.override_note)
        self.assertFalse(review.is_new_customer)
        self.assertEqual(review.payment_rate, 100.0)
        self.assertEqual(review.history_months, 5)

    def test_a_better_file_gets_a_better_grade(self):
        partner = self._customer("Strong Co")
        self._paid_invoice(partner, "2024-01-02", 30, 1000.0)
        file = self._file(partner, **TOP_MARKS)
        self._statement(file, **STRONG_STATEMENT)
        review = self._review(file)
        self.assertEqual(review.score, 100.0)
        self.assertEqual(review.proposed_grade_id, self.grade["AAA"])

    def test_selling_competitors_products_forces_grade_c(self):
        self.acme_file.competitor_products = True
        review = self._review(self.acme_file)
        self.assertEqual(review.score, 73.80)
        self.assertEqual(review.score_grade_id, self.grade["A"])
        self.assertEqual(review.proposed_grade_id, self.grade["C"])
        self.assertIn("Sells competitors' products as a main line", review.override_note)
        # grade C sells only against prepayment: no limit, no term
        self.assertEqual(review.proposed_limit, 0.0)
        self.assertEqual(review.proposed_days, 0)

    def test_a_payment_rate_below_100_percent_caps_the_grade_at_a(self):
        # Strong Co pays 3,000 on time and 1,000 five days late:
        # payment rate 3,000 / 4,000 = 0.75 -> band [0.7, 0.85) 30 x 15 = 4.50
        # days late 1,000 x 5 / 4,000 = 1.25 -> band [1, 8) 80 x 10 = 8.00
        # the other 13 - 2 factors give 100 points on 75 of weight = 75.00
        # score 87.50 -> AA by score, capped at A
        partner = self._customer("Strong Co")
        self._paid_invoice(partner, "2024-01-02", 30, 3000.0)
        late = self._invoice(partner, "2024-02-01", "2024-03-02", 1000.0)
        self._pay(late, "2024-03-07")
        file = self._file(partner, **TOP_MARKS)
        self._statement(file, **STRONG_STATEMENT)
        review = self._review(file)
        self.assertEqual(review.payment_rate, 75.0)
        self.assertEqual(review.score, 4.50 + 8.00 + 75.00)
        self.assertEqual(review.score_grade_id, self.grade["AA"])
        self.assertEqual(review.proposed_grade_id, self.grade["A"])
        self.assertIn("On-time payment rate below 100 %", review.override_note)

    def test_a_payment_rate_below_100_percent_leaves_grades_below_a_alone(self):
        late = self._invoice(self.acme, "2024-03-01", "2024-03-31", 1000.0)
        self._pay(late, "2024-04-02")
        review = self._review(self.acme_file)
        # payment rate 1,000 / 2,000 = 0.5 -> 0 points, days late 1,000 x 2 / 2,000 = 1 ->
        # 80 points: score 73.80 - 15.00 - 10.00 + 8.00 = 56.80 -> BB, below the cap
        self.assertEqual(review.score, 56.80)
        self.assertEqual(review.proposed_grade_id, self.grade["BB"])

    def test_large_debts_elsewhere_cap_the_grade_at_c(self):
        self.acme_file.large_debts_elsewhere = True
        review = self._review(self.acme_file)
        self.assertEqual(review.score_grade_id, self.grade["A"])
        self.assertEqual(review.proposed_grade_id, self.grade["C"])
        self.assertIn("Owes large sums to other suppliers", review.override_note)

    def test_a_bankrupt_customer_is_forced_to_c(self):
        self.acme_file.bankrupt = True
        review = self._review(self.acme_file)
        self.assertEqual(review.proposed_grade_id, self.grade["C"])
        self.assertIn("Bankrupt or in liquidation", review.override_note)

    def test_a_new_customer_is_c_with_prepayment_and_no_limit(self):
        # first invoice on 2024-05-01: one month and 29 days of history, three required
        partner = self._customer("Newcomer")
        self._paid_invoice(partner, "2024-05-01", 10, 1000.0)
        file = self._file(partner, **TOP_MARKS)
        self._statement(file, **STRONG_STATEMENT)
        review = self._review(file)
        self.assertTrue(review.is_new_customer)
        self.assertEqual(review.history_months, 1)
        self.assertEqual(review.score, 100.0)
        self.assertEqual(review.proposed_grade_id, self.grade["C"])
        self.assertEqual(review.proposed_grade_id.sales_mode, "prepayment")
        self.assertEqual(review.proposed_limit, 0.0)
        self.assertEqual(review.proposed_days, 0)
        self.assertIn("New customer: 1 months of history, 3 required.", review.override_note)

    def test_a_customer_without_any_ledger_is_new(self):
        partner = self._customer("Stranger")
        file = self._file(partner, **TOP_MARKS)
        self._statement(file, **STRONG_STATEMENT)
        review = self._review(file)
        self.assertTrue(review.is_new_customer)
        self.assertEqual(review.proposed_grade_id, self.grade["C"])
        # no ledger is unknown, not "never late": the four payment factors are missing
        self.assertEqual(
            set(review.line_ids.mapped("code")),
            {"current_ratio", "quick_ratio", "debt_ratio", "net_margin", *A_MARKS},
        )
        for label in ("On-time payment rate", "Average days late", "Overdue items"):
            self.assertIn(label, review.missing_factors)

    def test_three_months_of_history_end_the_new_customer_rule(self):
        partner = self._customer("Three Months")
        self._paid_invoice(partner, "2024-03-30", 10, 1000.0)
        file = self._file(partner, **TOP_MARKS)
        self._statement(file, **STRONG_STATEMENT)
        review = self._review(file)
        self.assertEqual(review.history_months, 3)
        self.assertFalse(review.is_new_customer)
        self.assertEqual(review.proposed_grade_id, self.grade["AAA"])

    def test_factors_without_a_value_are_left_out_of_the_score(self):
        # no statement: the four ratios are missing; the spotless ledger gives 100 points
        # on 40 of weight and A_MARKS 6.40 + 3.60 + 3.60 + 2.00 + 3.00 = 18.60 on 30:
        # score = (40 x 100 + 1,860) / 70 = 83.714... -> 83.71, grade AA
        self.acme_file.statement_ids.unlink()
        review = self._review(self.acme_file)
        self.assertEqual(review.score, round((40 * 100 + 1860) / 70, 2))
        self.assertEqual(review.score, 83.71)
        self.assertEqual(review.proposed_grade_id, self.grade["AA"])
        for label in ("Current ratio", "Quick ratio", "Debt ratio", "Net margin"):
            self.assertIn(label, review.missing_factors)

    def test_computing_again_follows_the_file(self):
        review = self._review(self.acme_file)
        self.assertEqual(review.proposed_grade_id, self.grade["A"])
        self.acme_file.bankrupt = True
        review.with_user(self.officer).action_compute()
        self.assertEqual(review.proposed_grade_id, self.grade["C"])
        self.assertEqual(review.final_grade_id, self.grade["C"])
        self.assertEqual(len(review.line_ids), 13)

    def test_the_latest_statement_is_used(self):
        self._statement(self.acme_file, statement_date="2024-03-31", **STRONG_STATEMENT)
        review = self._review(self.acme_file)
        # the four ratios now give 100 points each: 73.80 - 15.20 + 30.00 = 88.60
        self.assertEqual(review.score, 88.60)
