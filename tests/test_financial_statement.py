from odoo.exceptions import AccessError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import A_STATEMENT, CreditLedgerCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestFinancialStatement(CreditLedgerCommon):
    """A customer's statements: amounts that cannot be, refused; ratios that cannot be
    computed (a zero denominator), shown as 0 and left out of the score."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme, cls.file = cls._a_grade_customer("Acme")
        cls.file.statement_ids.unlink()

    def _new(self, **amounts):
        return self._statement(self.file, **dict(A_STATEMENT, **amounts))

    def test_ratios_are_read_from_the_statement(self):
        statement = self._new()
        self.assertEqual(statement.current_ratio, round(517_345 / 400_000, 2))
        self.assertEqual(statement.current_ratio, 1.29)
        self.assertEqual(statement.quick_ratio, round((517_345 - 200_000) / 400_000, 2))
        self.assertEqual(statement.debt_ratio, 0.6)
        self.assertEqual(statement.net_margin, 0.03)
        self.assertEqual(statement.net_working_capital, 117_345.0)

    def test_negative_amounts_are_refused(self):
        for field in ("total_assets", "current_liabilities", "inventory", "revenue"):
            with self.assertRaises(ValidationError) as caught:
                self._new(**{field: -1.0})
            self.assertIn("cannot be negative", str(caught.exception), field)
        self.assertFalse(self.file.statement_ids)

    def test_a_loss_and_a_negative_net_worth_are_allowed(self):
        statement = self._new(net_profit=-50_000.0, net_worth=-10_000.0)
        self.assertEqual(statement.net_margin, -0.05)

    def test_current_assets_above_total_assets_are_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self._new(current_assets=1_200_000.0)
        self.assertIn("Current Assets cannot be larger than Total Assets.", str(caught.exception))

    def test_a_wrong_edit_is_refused_and_the_statement_kept(self):
        statement = self._new()
        with self.assertRaises(ValidationError):
            statement.inventory = 600_000.0
        self.assertEqual(statement.inventory, 200_000.0)

    def test_zero_current_liabilities_make_the_liquidity_ratios_not_computable(self):
        statement = self._new(current_liabilities=0.0)
        self.assertEqual(statement.current_ratio, 0.0)
        self.assertEqual(statement.quick_ratio, 0.0)
        self.assertEqual(statement.net_working_capital, 517_345.0)
        review = self._review(self.file)
        self.assertIn("Current ratio", review.missing_factors)
        self.assertIn("Quick ratio", review.missing_factors)
        self.assertNotIn("current_ratio", review.line_ids.mapped("code"))
        # the A customer's 73.80 without current (4.00 of 8) and quick ratio (2.40 of 6):
        # 67.40 on 86 of weight -> 78.37
        self.assertEqual(review.score, round((73.80 - 4.00 - 2.40) * 100 / 86, 2))
        self.assertEqual(review.score, 78.37)

    def test_zero_revenue_makes_the_net_margin_not_computable(self):
        statement = self._new(revenue=0.0)
        self.assertEqual(statement.net_margin, 0.0)
        review = self._review(self.file)
        self.assertEqual(review.missing_factors, "Net margin")
        # 73.80 without net margin (4.80 of 8): 69.00 on 92 of weight -> 75.00
        self.assertEqual(review.score, 75.0)

    def test_zero_total_assets_make_the_debt_ratio_not_computable(self):
        statement = self._statement(self.file, total_liabilities=100.0, revenue=1000.0)
        self.assertEqual(statement.debt_ratio, 0.0)
        self.assertIn("Debt ratio", self._review(self.file).missing_factors)

    def test_salespeople_read_statements_but_cannot_enter_them(self):
        statement = self._new()
        self.assertEqual(statement.with_user(self.salesperson).revenue, 1_000_000.0)
        with self.assertRaises(AccessError):
            self.env["credit.financial.statement"].with_user(self.salesperson).create(
                {"file_id": self.file.id, "date": "2024-03-31", "revenue": 1.0}
            )
        with self.assertRaises(AccessError):
            statement.with_user(self.salesperson).revenue = 2.0

    def test_an_officer_enters_statements(self):
        statement = (
            self.env["credit.financial.statement"]
            .with_user(self.officer)
            .create({"file_id": self.file.id, "date": "2024-03-31", **A_STATEMENT})
        )
        self.assertEqual(statement.current_ratio, 1.29)
