from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common import CreditLedgerCommon

BALANCE_SHEET = {
    "total_assets": 1_000_000.0,
    "total_liabilities": 400_000.0,
    "current_assets": 503_950.0,
    "current_liabilities": 300_000.0,
    "inventory": 100_000.0,
    "net_worth": 600_000.0,
    "revenue": 2_000_000.0,
    "net_profit": 100_000.0,
}
"""Net working capital 503,950 - 300,000 = 203,950; net worth 600,000."""


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestCreditLimitProposal(CreditLedgerCommon):
    """The limit and term a review proposes, by the policy's method.

    The policy scores with a model that reads the officer's character mark only, so the
    statements below move the limit and not the grade: character 4 gives 80 points, grade AA,
    whose policy proposes 25 % of the limit base and a term coefficient of 1.3. Amounts from
    10,000 up are rounded down to a multiple of 1,000, below that to a multiple of 100.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.scoring_model_id = cls.env["credit.scoring.model"].create(
            {
                "name": "Character only",
                "factor_ids": [
                    Command.create(
                        {
                            "code": "character",
                            "weight": 1,
                            "direction": "higher",
                            "cuts": "1, 2, 3, 4, 5",
                            "points": "0, 20, 40, 60, 80, 100",
                        }
                    )
                ],
            }
        )
        cls.policy.company_dso_coefficient = 1.2
        cls.acme = cls._customer("Acme")
        cls._paid_invoice(cls.acme, "2024-01-02", 30, 1000.0)
        cls.file = cls._file(cls.acme, character="4")

    def _proposal(self, method="working_capital", **statement):
        self.policy.limit_method = method
        if statement:
            self._statement(self.file, **statement)
        review = self._review(self.file)
        self.assertEqual(review.proposed_grade_id, self.grade["AA"])
        return review

    def test_working_capital_method_takes_the_grade_share_of_it(self):
        review = self._proposal(**BALANCE_SHEET)
        # 25 % x 203,950 = 50,987.50, rounded down to 50,000
        self.assertEqual(review.limit_method, "working_capital")
        self.assertEqual(review.limit_base, 503_950 - 300_000)
        self.assertEqual(review.proposed_limit, 50_000.0)
        self.assertEqual(review.final_limit, 50_000.0)
        self.assertIn("25.0 % of", review.limit_note)
        self.assertIn("rounded down to 1000", review.limit_note)

    def test_net_worth_method_takes_the_grade_share_of_it(self):
        review = self._proposal("net_worth", **BALANCE_SHEET)
        # 25 % x 600,000 = 150,000, below both caps
        self.assertEqual(review.limit_base, 600_000.0)
        self.assertEqual(review.proposed_limit, 150_000.0)
        self.assertNotIn("capped", review.limit_note)

    def test_net_worth_method_is_capped_at_working_capital(self):
        review = self._proposal(
            "net_worth", **dict(BALANCE_SHEET, total_assets=1_300_000.0, net_worth=900_000.0)
        )
        # 25 % x 900,000 = 225,000 > working capital 203,950 -> 203,950, rounded 203,000
        self.assertEqual(review.limit_base, 900_000.0)
        self.assertEqual(review.proposed_limit, 203_000.0)
        self.assertIn("capped at net working capital", review.limit_note)

    def test_working_capital_method_is_capped_at_net_worth(self):
        review = self._proposal(
            **dict(BALANCE_SHEET, total_liabilities=960_000.0, net_worth=40_000.0)
        )
        # 25 % x 203,950 = 50,987.50 > net worth 40,000 -> 40,000
        self.assertEqual(review.proposed_limit, 40_000.0)
        self.assertIn("capped at net worth", review.limit_note)

    def test_liquidation_method_takes_the_grade_share_of_the_forced_sale_value(self):
        review = self._proposal("liquidation", **BALANCE_SHEET)
        # 0.8 x (503,950 - 100,000) + 0.5 x 100,000 + 0.3 x (1,000,000 - 503,950) - 400,000
        # = 323,160 + 50,000 + 148,815 - 400,000 = 121,975; 25 % = 30,493.75 -> 30,000
        self.assertEqual(review.limit_base, 121_975.0)
        self.assertEqual(review.proposed_limit, 30_000.0)

    def test_manual_method_proposes_the_current_limit_as_typed(self):
        self._set_rating(self.file, sync=False, credit_limit=12_345.67)
        review = self._proposal("manual", **BALANCE_SHEET)
        self.assertEqual(review.proposed_limit, 12_345.67)
        self.assertEqual(review.limit_base, 0.0)

    def test_manual_method_is_capped_too(self):
        self._set_rating(self.file, sync=False, credit_limit=250_000.0)
        review = self._proposal("manual", **BALANCE_SHEET)
        # above working capital 203,950 -> 203,950, rounded down to 203,000
        self.assertEqual(review.proposed_limit, 203_000.0)
        self.assertIn("capped at net working capital", review.limit_note)

    def test_negative_working_capital_gives_no_credit(self):
        review = self._proposal(**dict(BALANCE_SHEET, current_assets=250_000.0))
        self.assertEqual(review.limit_base, 250_000 - 300_000)
        self.assertEqual(review.proposed_limit, 0.0)
        self.assertIn("a negative base gives no credit", review.limit_note)

    def test_small_limits_are_rounded_to_the_hundred(self):
        review = self._proposal(**dict(BALANCE_SHEET, current_assets=337_654.0))
        # 25 % x 37,654 = 9,413.50 -> 9,400
        self.assertEqual(review.proposed_limit, 9_400.0)
        self.assertIn("rounded down to 100", review.limit_note)

    def test_without_statement_no_limit_is_proposed_and_the_review_says_why(self):
        review = self._proposal()
        self.assertEqual(review.proposed_limit, 0.0)
        self.assertEqual(review.final_limit, 0.0)
        self.assertEqual(review.limit_base, 0.0)
        self.assertIn("No financial statement gives a base", review.limit_note)
        # the term does not need a statement
        self.assertEqual(review.proposed_days, 47)

    def test_a_grade_without_credit_gets_no_limit_whatever_the_statement(self):
        self.file.character = "1"  # 20 points: grade CC, payment before delivery
        self.policy.limit_method = "working_capital"
        self._statement(self.file, **BALANCE_SHEET)
        review = self._review(self.file)
        self.assertEqual(review.proposed_grade_id, self.grade["CC"])
        self.assertEqual(review.proposed_limit, 0.0)
        self.assertIn("the grade allows no credit", review.limit_note)
        self.assertEqual(review.proposed_days, 0)
        self.assertEqual(review.term_note, "Grade CC allows no credit.")

    def test_term_is_industry_dso_times_company_and_grade_coefficients(self):
        self.acme.industry_id = self.env["res.partner.industry"].create(
            {"name": "Machinery", "credit_average_dso": 45}
        )
        review = self._proposal()
        # 45 days x 1.2 x 1.3 = 70.2 -> 70 days
        self.assertEqual(review.proposed_days, 70)
        self.assertEqual(review.final_days, 70)
        self.assertIn("= 70 days", review.term_note)

    def test_term_uses_the_policy_dso_when_the_industry_has_none(self):
        self.acme.industry_id = self.env["res.partner.industry"].create({"name": "Unknown"})
        review = self._proposal()
        # default industry DSO 30 x 1.2 x 1.3 = 46.8 -> 47 days
        self.assertEqual(review.proposed_days, 47)

    def test_term_rounds_half_up(self):
        self.policy.company_dso_coefficient = 1.0
        self.acme.industry_id = self.env["res.partner.industry"].create(
            {"name": "Textiles", "credit_average_dso": 25}
        )
        review = self._proposal()
        # 25 x 1.0 x 1.3 = 32.5 -> 33 days
        self.assertEqual(review.proposed_days, 33)


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestForeignCurrencyStatement(CreditLedgerCommon):
    """A statement in a foreign currency is converted at the rate of its own date.

    EUR is worth 1/2 of the company currency from 2024-01-01 and 1/4 from 2024-06-01, and has
    no rate before 2024-01-01. Same character-only model as above: grade AA, 25 %.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rates=[("2024-01-01", 2.0), ("2024-06-01", 4.0)])
        cls.policy.scoring_model_id = cls.env["credit.scoring.model"].create(
            {
                "name": "Character only",
                "factor_ids": [
                    Command.create(
                        {
                            "code": "character",
                            "weight": 1,
                            "cuts": "1, 2, 3, 4, 5",
                            "points": "0, 20, 40, 60, 80, 100",
                        }
                    )
                ],
            }
        )
        cls.acme = cls._customer("Acme")
        cls._paid_invoice(cls.acme, "2024-01-02", 30, 1000.0)
        cls.file = cls._file(cls.acme, character="4")

    def _eur_statement(self, statement_date):
        return self._statement(
            self.file,
            statement_date=statement_date,
            currency_id=self.eur.id,
            **{name: 2 * amount for name, amount in BALANCE_SHEET.items()},
        )

    def test_statement_is_converted_at_its_date(self):
        self._eur_statement("2024-03-31")
        review = self._review(self.file)
        # EUR 1,007,900 - 600,000 = EUR 407,900 of working capital at 2 EUR per unit
        # = 203,950; 25 % = 50,987.50 -> 50,000 (at today's rate of 4 it would be 25,000)
        self.assertEqual(review.limit_base, 203_950.0)
        self.assertEqual(review.proposed_limit, 50_000.0)

    def test_a_missing_rate_is_refused_and_nothing_is_written(self):
        review = self._review(self.file)
        self.assertEqual(review.proposed_limit, 0.0)
        self._eur_statement("2023-12-31")
        with self.assertRefusedWithoutWriting(UserError) as caught:
            review.with_user(self.officer).action_compute()
        self.assertIn("No exchange rate of EUR is known on or before", str(caught.exception))
        self.assertEqual(review.proposed_limit, 0.0)
        self.assertIn("No financial statement gives a base", review.limit_note)
        self.assertEqual(len(review.line_ids), 1)

    def test_a_missing_rate_stops_a_new_review(self):
        self._eur_statement("2023-12-31")
        reviews = self.env["credit.review"].search_count([("file_id", "=", self.file.id)])
        with self.assertRaises(UserError):
            self.file.with_user(self.officer).action_new_review()
        self.assertEqual(
            self.env["credit.review"].search_count([("file_id", "=", self.file.id)]), reviews
        )
