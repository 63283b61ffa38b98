from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, new_test_user, tagged

from .common import CreditLedgerCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestMultiCompany(CreditLedgerCommon):
    """A rating lives in one company: Acme is rated A with a limit of 23,000 in company A
    (the A customer of test_credit_review); in company B it is invisible and irrelevant."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.company
        cls.company_b = cls.setup_other_company(name="Company B")["company"]
        cls.acme, cls.file = cls._a_grade_customer("Acme")
        cls.officer_ab = new_test_user(
            cls.env,
            login="cm_officer_ab",
            groups="credit_management.group_credit_officer",
            company_id=cls.company_a.id,
            company_ids=[Command.set((cls.company_a | cls.company_b).ids)],
        )
        cls.officer_b = new_test_user(
            cls.env,
            login="cm_officer_b",
            groups="credit_management.group_credit_officer",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        # Odoo's own limit of Acme in company B, set before any rating
        cls.acme.with_company(cls.company_b).credit_limit = 5_000.0

    def setUp(self):
        super().setUp()
        self.review = self._approved_review(self.file)

    def _in(self, company, user=None):
        return self.env(
            user=user or self.officer_ab,
            context=dict(self.env.context, allowed_company_ids=company.ids),
        )

    def test_the_rating_is_approved_in_company_a(self):
        self.assertEqual(self.file.company_id, self.company_a)
        self.assertEqual(self.review.company_id, self.company_a)
        self.assertEqual(self.file.grade_id, self.grade["A"])
        self.assertEqual(self.acme.with_company(self.company_a).credit_limit, 23_000.0)

    def test_company_b_does_not_see_company_as_file(self):
        in_b = self._in(self.company_b)
        self.assertFalse(in_b["credit.file"].search([("partner_id", "=", self.acme.id)]))
        self.assertFalse(in_b["credit.review"].search([("partner_id", "=", self.acme.id)]))
        in_a = self._in(self.company_a)
        self.assertEqual(in_a["credit.file"].search([("partner_id", "=", self.acme.id)]), self.file)

    def test_a_user_of_company_b_only_cannot_read_company_as_file(self):
        with self.assertRaises(AccessError):
            self.file.with_user(self.officer_b).read(["credit_limit"])
        with self.assertRaises(AccessError):
            self.review.with_user(self.officer_b).read(["final_limit"])

    def test_the_partner_has_no_rating_in_company_b(self):
        acme_b = self.acme.with_env(self._in(self.company_b))
        self.assertFalse(acme_b.credit_file_id)
        self.assertFalse(acme_b.credit_grade_id)
        self.assertEqual(acme_b.credit_effective_limit, 0.0)
        self.assertEqual(acme_b.credit_rating_state, "unrated")
        acme_a = self.acme.with_env(self._in(self.company_a))
        self.assertEqual(acme_a.credit_grade_id, self.grade["A"])
        self.assertEqual(acme_a.credit_effective_limit, 23_000.0)

    def test_odoos_credit_limit_in_company_b_is_untouched(self):
        self.assertEqual(self.acme.with_company(self.company_b).credit_limit, 5_000.0)
        self.assertEqual(self.acme.with_company(self.company_a).credit_limit, 23_000.0)

    def test_odoos_credit_limit_in_company_b_stays_free(self):
        self.acme.with_company(self.company_b).credit_limit = 8_000.0
        self.assertEqual(self.acme.with_company(self.company_b).credit_limit, 8_000.0)
        self.assertEqual(self.acme.with_company(self.company_a).credit_limit, 23_000.0)

    def test_company_as_ledger_does_not_count_in_company_b(self):
        file_b = self._file(self.acme, company=self.company_b, character="5")
        action = file_b.with_env(self._in(self.company_b)).action_new_review()
        review_b = self.env["credit.review"].browse(action["res_id"])
        self.assertEqual(review_b.company_id, self.company_b)
        # Acme's five months of history are in company A: in B it is a new customer
        self.assertTrue(review_b.is_new_customer)
        self.assertEqual(review_b.history_months, 0)
        self.assertEqual(review_b.proposed_grade_id, self.grade["C"])
        # and company A's statement is A's file's, not B's
        self.assertIn("Current ratio", review_b.missing_factors)

    def test_a_rating_in_company_b_leaves_company_a_alone(self):
        file_b = self._file(self.acme, company=self.company_b)
        action = file_b.with_env(self._in(self.company_b)).action_new_review()
        review_b = (
            self.env["credit.review"].browse(action["res_id"]).with_env(self._in(self.company_b))
        )
        review_b.action_approve()
        self.assertEqual(file_b.grade_id, self.grade["C"])
        self.assertEqual(self.acme.with_company(self.company_b).credit_limit, 0.0)
        self.assertEqual(self.file.grade_id, self.grade["A"])
        self.assertEqual(self.acme.with_company(self.company_a).credit_limit, 23_000.0)

    def test_a_limit_request_belongs_to_the_current_company(self):
        request = (
            self.env["credit.limit.request"]
            .with_env(self._in(self.company_b))
            .create({"partner_id": self.acme.id, "amount": 9_000.0, "reason": "Export order"})
        )
        self.assertEqual(request.company_id, self.company_b)
        self.assertEqual(request.file_id.company_id, self.company_b)
        self.assertEqual(request.current_limit, 0.0)
        self.assertFalse(
            self.env["credit.limit.request"]
            .with_env(self._in(self.company_a))
            .search([("id", "=", request.id)])
        )
