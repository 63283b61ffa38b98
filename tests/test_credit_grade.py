from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..credit_management.grades import DEFAULT_THRESHOLDS, GRADE_CODES
from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestCreditGrade(CreditCommon):
    def test_the_nine_grades_are_installed_best_first(self):
        self.assertEqual(self.grades.mapped("code"), list(GRADE_CODES))

    def test_installed_thresholds_are_the_core_default_scale(self):
        self.assertEqual(
            {g.code: g.min_score for g in self.grades},
            {code: float(value) for code, value in DEFAULT_THRESHOLDS.items()},
        )

    def test_grades_b_and_below_sell_without_credit(self):
        modes = {g.code: g.sales_mode for g in self.grades}
        self.assertEqual({modes[c] for c in ("AAA", "AA", "A", "BBB", "BB")}, {"credit"})
        self.assertEqual({modes[c] for c in ("B", "CCC")}, {"cash_on_delivery"})
        self.assertEqual({modes[c] for c in ("CC", "C")}, {"prepayment"})

    def test_score_maps_to_the_grade_record(self):
        Grade = self.env["credit.grade"]
        self.assertEqual(Grade._grade_for_score(95), self.grade["AAA"])
        self.assertEqual(Grade._grade_for_score(69.99), self.grade["BBB"])
        self.assertEqual(Grade._grade_for_score(0), self.grade["C"])

    def test_tuned_threshold_changes_the_mapping(self):
        self.grade["AAA"].min_score = 95
        self.assertEqual(self.env["credit.grade"]._grade_for_score(92), self.grade["AA"])

    def test_threshold_above_the_better_grade_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self.grade["A"].min_score = 85
        self.assertIn("AA", str(caught.exception))
        self.env.invalidate_all()
        self.assertEqual(self.grade["A"].min_score, 70)

    def test_threshold_outside_zero_to_hundred_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self.grade["AAA"].min_score = 120
        self.assertIn("between 0 and 100", str(caught.exception))

    def test_lowest_grade_must_start_at_zero(self):
        with self.assertRaises(ValidationError) as caught:
            self.grade["C"].min_score = 5
        self.assertIn("start at score 0", str(caught.exception))

    def test_negative_policy_values_are_refused(self):
        with self.assertRaises(ValidationError):
            self.grade["A"].term_coefficient = -1
        with self.assertRaises(ValidationError):
            self.grade["A"].limit_ratio = -5

    def test_grades_cannot_be_deleted(self):
        with self.assertRaises(UserError):
            self.grade["CCC"].unlink()
        self.assertTrue(self.grade["CCC"].exists())

    def test_a_grade_exists_only_once(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self.env["credit.grade"].create({"code": "A", "name": "Again", "min_score": 71})
