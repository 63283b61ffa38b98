from odoo.exceptions import ValidationError
from odoo.tests import freeze_time, tagged

from .common import CreditLedgerCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestCreditPolicy(CreditLedgerCommon):
    """The credit policy in force and the values it refuses."""

    def test_customers_are_re_rated_at_least_every_two_months(self):
        for months in (0, 3):
            with self.assertRaises(ValidationError) as caught:
                self.policy.review_months = months
            self.assertIn("at least every 2 months", str(caught.exception))
        self.policy.review_months = 2
        self.assertEqual(self.policy.review_months, 2)

    def test_negative_policy_values_are_refused(self):
        for field in ("company_dso_coefficient", "default_industry_dso", "new_customer_months"):
            with self.assertRaises(ValidationError):
                self.policy.write({field: -1})

    def test_a_rating_is_valid_at_least_one_month(self):
        with self.assertRaises(ValidationError):
            self.policy.rating_validity_months = 0
        with self.assertRaises(ValidationError):
            self.policy.payment_window_days = 0

    def test_the_shared_policy_applies_to_a_company_without_its_own(self):
        self.assertEqual(self.env["credit.policy"]._for_company(self.company), self.policy)

    def test_a_companys_own_policy_wins(self):
        own = self.policy.copy({"name": "Our policy", "company_id": self.company.id})
        own.default_industry_dso = 60
        self.assertEqual(self.env["credit.policy"]._for_company(self.company), own)
        _partner, file = self._a_grade_customer("Acme")
        # 60 days x 1.0 x grade A's 1.1 = 66 days
        self.assertEqual(self._review(file).proposed_days, 66)

    def test_the_policy_in_force_follows_every_change_of_the_policies(self):
        """Which policy applies is cached (the order gate asks for it at every check): the
        cache follows creating, moving, archiving and deleting policies."""
        Policy = self.env["credit.policy"]
        self.assertEqual(Policy._for_company(self.company), self.policy)  # cached now
        own = self.policy.copy({"name": "Our policy", "company_id": False})
        self.assertEqual(Policy._for_company(self.company), self.policy)  # the first shared
        own.company_id = self.company
        self.assertEqual(Policy._for_company(self.company), own)
        own.active = False
        self.assertEqual(Policy._for_company(self.company), self.policy)
        own.active = True
        self.assertEqual(Policy._for_company(self.company), own)
        own.unlink()
        self.assertEqual(Policy._for_company(self.company), self.policy)
        other = self.env["res.company"].create({"name": "Other Co"})
        theirs = self.policy.copy({"name": "Theirs", "company_id": other.id})
        self.assertEqual(Policy._for_company(other), theirs)
        self.assertEqual(Policy._for_company(self.company), self.policy)

    def test_without_any_policy_a_review_says_so(self):
        self.policy.active = False
        _partner, file = self._a_grade_customer("Acme")
        with self.assertRaises(ValidationError) as caught:
            self._review(file)
        self.assertIn("No credit policy applies to company", str(caught.exception))
