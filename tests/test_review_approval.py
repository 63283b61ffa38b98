from datetime import date, datetime

from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from .common import CreditLedgerCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestReviewApproval(CreditLedgerCommon):
    """Approving a review makes its decision the customer's rating, limit and term.

    Acme is the A customer of test_credit_review: score 73.80, grade A, limit 20 % of its
    working capital 117,345 = 23,469, rounded down to 23,000, term 30 days (the policy's
    default industry DSO) x 1.0 x 1.1 = 33 days. Ratings are valid two months.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme, cls.file = cls._a_grade_customer("Acme")

    def setUp(self):
        super().setUp()
        self.review = self._review(self.file)

    def _odoo_limit(self, partner=None, company=None):
        partner = (partner or self.acme).with_company(company or self.company)
        partner.invalidate_recordset(["credit_limit", "use_partner_credit_limit"])
        return partner.credit_limit, partner.use_partner_credit_limit

    def test_the_proposal_is_the_decision_until_the_officer_changes_it(self):
        self.assertEqual(self.review.proposed_limit, 23_000.0)
        self.assertEqual(self.review.proposed_days, 33)
        self.assertEqual(
            (self.review.final_grade_id, self.review.final_limit, self.review.final_days),
            (self.grade["A"], 23_000.0, 33),
        )

    def test_approval_makes_the_decision_the_files_rating(self):
        self.review.with_user(self.officer).action_approve()
        self.assertEqual(self.review.state, "approved")
        self.assertEqual(self.review.valid_until, date(2024, 8, 30))
        self.assertRecordValues(
            self.file,
            [
                {
                    "grade_id": self.grade["A"].id,
                    "score": 73.80,
                    "credit_limit": 23_000.0,
                    "effective_limit": 23_000.0,
                    "credit_days": 33,
                    "rating_date": date(2024, 6, 30),
                    "valid_until": date(2024, 8, 30),
                    "rating_state": "valid",
                }
            ],
        )

    def test_an_approved_review_keeps_what_was_in_force_before_it(self):
        """The review shows, once approved, the rating it replaced; the file's current
        figures (the "in force today" of an open review) move on with later reviews."""
        self.review.with_user(self.officer).action_approve()
        self.assertRecordValues(
            self.review,
            [
                {
                    "previous_grade_id": False,
                    "previous_limit": 0.0,
                    "previous_days": 0,
                    "previous_valid_until": False,
                }
            ],
        )
        second = self._approved_review(
            self.file, final_limit=30_000.0, adjust_reason="New guarantee from the parent company"
        )
        self.assertRecordValues(
            second,
            [
                {
                    "previous_grade_id": self.grade["A"].id,
                    "previous_limit": 23_000.0,
                    "previous_days": 33,
                    "previous_valid_until": date(2024, 8, 30),
                }
            ],
        )
        self.assertEqual(self.file.credit_limit, 30_000.0)
        self.assertEqual(self.review.previous_limit, 0.0)
        with self.assertRaises(AccessError):
            second.with_user(self.officer).write({"previous_limit": 1.0})

    def test_approval_syncs_odoos_credit_limit_of_the_company(self):
        self.assertEqual(self._odoo_limit(), (0.0, False))
        self.review.with_user(self.officer).action_approve()
        self.assertEqual(self._odoo_limit(), (23_000.0, True))

    def test_the_partner_shows_the_rating_in_force(self):
        self.review.with_user(self.officer).action_approve()
        partner = self.acme.with_user(self.salesperson)
        self.assertEqual(partner.credit_grade_id, self.grade["A"])
        self.assertEqual(partner.credit_effective_limit, 23_000.0)
        self.assertEqual(partner.credit_days, 33)
        self.assertEqual(partner.credit_valid_until, date(2024, 8, 30))
        self.assertEqual(partner.credit_sales_mode, "credit")

    def test_every_decision_keeps_who_and_when(self):
        self.review.with_user(self.officer).action_approve()
        self.assertEqual(self.review.decided_by_id, self.officer)
        self.assertEqual(self.review.decided_on, datetime(2024, 6, 30))
        self.assertIn(
            "Review approved by Officer: grade A",
            "\n".join(self.file.message_ids.mapped("body")),
        )

    def test_an_adjusted_decision_needs_a_reason(self):
        self.review.with_user(self.officer).final_limit = 30_000.0
        with self.assertRefusedWithoutWriting(UserError) as caught:
            self.review.with_user(self.officer).action_approve()
        self.assertIn("give the reason", str(caught.exception))
        self.assertEqual(self.review.state, "to_approve")
        self.assertFalse(self.file.grade_id)
        self.assertEqual(self._odoo_limit(), (0.0, False))

    def test_an_adjusted_decision_with_a_reason_is_what_gets_approved(self):
        self.review.with_user(self.officer).write(
            {
                "final_grade_id": self.grade["BBB"].id,
                "final_limit": 15_000.0,
                "final_days": 30,
                "adjust_reason": "Bank reference is lukewarm.",
            }
        )
        self.review.with_user(self.officer).action_approve()
        self.assertEqual(
            (self.file.grade_id, self.file.credit_limit, self.file.credit_days),
            (self.grade["BBB"], 15_000.0, 30),
        )
        self.assertEqual(self._odoo_limit(), (15_000.0, True))

    def test_a_negative_decision_is_refused(self):
        with self.assertRaises(UserError):
            self.review.with_user(self.officer).final_limit = -1.0
        with self.assertRaises(UserError):
            self.review.with_user(self.officer).final_days = -30

    def test_a_review_cannot_be_approved_twice(self):
        self.review.with_user(self.officer).action_approve()
        messages = len(self.file.message_ids)
        with self.assertRefusedWithoutWriting(UserError) as caught:
            self.review.with_user(self.manager).action_approve()
        self.assertIn("is not waiting for approval", str(caught.exception))
        self.assertEqual(self.review.decided_by_id, self.officer)
        self.assertEqual(len(self.file.message_ids), messages)

    def test_a_rejected_review_cannot_be_approved(self):
        self.review.with_user(self.officer).adjust_reason = "Wait for the audited accounts."
        self.review.with_user(self.officer).action_reject()
        with self.assertRaises(UserError):
            self.review.with_user(self.officer).action_approve()
        self.assertFalse(self.file.grade_id)

    def test_rejection_needs_a_reason(self):
        with self.assertRefusedWithoutWriting(UserError) as caught:
            self.review.with_user(self.officer).action_reject()
        self.assertIn("reason for rejecting", str(caught.exception))
        self.assertEqual(self.review.state, "to_approve")

    def test_a_rejected_review_leaves_the_rating_in_force(self):
        self.review.with_user(self.officer).action_approve()
        second = self._review(self.file)
        second.with_user(self.officer).write(
            {"final_limit": 90_000.0, "adjust_reason": "Wait for the audited accounts."}
        )
        second.with_user(self.officer).action_reject()
        self.assertEqual(second.state, "rejected")
        self.assertEqual(second.decided_by_id, self.officer)
        self.assertEqual(second.decided_on, datetime(2024, 6, 30))
        self.assertEqual(self.file.credit_limit, 23_000.0)
        self.assertEqual(self._odoo_limit(), (23_000.0, True))

    def test_a_salesperson_cannot_approve_a_review(self):
        for user in (self.salesperson, self.credit_user):
            with self.assertRaises(AccessError):
                self.review.with_user(user).action_approve()
            with self.assertRaises(AccessError):
                self.review.with_user(user).action_reject()
            with self.assertRaises(AccessError):
                self.review.with_user(user).write({"state": "approved"})
        self.assertEqual(self.review.state, "to_approve")
        self.assertFalse(self.file.grade_id)

    def test_a_decided_review_cannot_be_computed_again(self):
        self.review.with_user(self.officer).action_approve()
        with self.assertRaises(UserError):
            self.review.with_user(self.officer).action_compute()

    def test_a_decided_review_cannot_be_rewritten(self):
        self.review.with_user(self.officer).action_approve()
        with self.assertRefusedWithoutWriting(UserError):
            self.review.with_user(self.officer).write({"final_limit": 90_000.0})
        self.assertEqual(self.review.final_limit, 23_000.0)
        self.assertEqual(self.file.credit_limit, 23_000.0)

    def test_a_direct_change_of_odoos_credit_limit_is_refused(self):
        self.review.with_user(self.officer).action_approve()
        with self.assertRefusedWithoutWriting(UserError) as caught:
            self.acme.credit_limit = 50_000.0
        self.assertIn("is managed by its credit file", str(caught.exception))
        self.assertEqual(self._odoo_limit(), (23_000.0, True))
        # switching Odoo's partner limit off would bring it back to the company default
        with self.assertRaises(UserError):
            self.acme.use_partner_credit_limit = False
        # writing the limit in force changes nothing and is accepted
        self.acme.credit_limit = 23_000.0
        self.assertEqual(self._odoo_limit(), (23_000.0, True))

    def test_a_new_contact_of_a_rated_customer_takes_its_limit_even_when_stale(self):
        self.review.with_user(self.officer).action_approve()
        # a temporary limit ended but the expiry job has not run yet: Odoo's limit (40,000)
        # and the limit in force (23,000) differ for a day
        self.acme.with_context(credit_management_sync=True).credit_limit = 40_000.0
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": self.acme.id})
        self.assertEqual(contact.credit_limit, 40_000.0)
        with self.assertRaises(UserError):
            self.acme.credit_limit = 41_000.0

    def test_odoos_credit_limit_of_an_unrated_customer_stays_free(self):
        self.acme.credit_limit = 5_000.0
        self.assertEqual(self._odoo_limit(), (5_000.0, True))

    def test_approval_of_a_c_grade_syncs_a_zero_limit(self):
        self.acme.credit_limit = 5_000.0
        self.file.bankrupt = True
        review = self._review(self.file)
        self.assertEqual(review.final_limit, 0.0)
        review.with_user(self.officer).action_approve()
        self.assertEqual(self.file.grade_id, self.grade["C"])
        self.assertEqual(self._odoo_limit()[0], 0.0)

    def test_approving_several_reviews_checks_them_all_first(self):
        other_partner, other_file = self._a_grade_customer("Beta")
        other = self._review(other_file)
        self.review.with_user(self.officer).final_limit = 30_000.0  # adjusted, no reason
        with self.assertRefusedWithoutWriting(UserError):
            (other | self.review).with_user(self.officer).action_approve()
        self.assertEqual(other.state, "to_approve")
        self.assertFalse(other_file.grade_id)
        self.assertEqual(self._odoo_limit(other_partner), (0.0, False))

    def test_rejecting_several_reviews_checks_them_all_first(self):
        other = self._review(self._a_grade_customer("Beta")[1])
        other.with_user(self.officer).adjust_reason = "Wait for the audited accounts."
        with self.assertRefusedWithoutWriting(UserError):
            (other | self.review).with_user(self.officer).action_reject()
        self.assertEqual(other.state, "to_approve")

    def test_an_older_review_cannot_overwrite_a_newer_decision(self):
        newer = self._review(self.file)
        newer.with_user(self.officer).write(
            {"final_limit": 15_000.0, "adjust_reason": "Bank reference is lukewarm."}
        )
        newer.with_user(self.officer).action_approve()
        with self.assertRefusedWithoutWriting(UserError) as caught:
            self.review.with_user(self.officer).action_approve()
        self.assertIn("a newer review", str(caught.exception))
        self.assertEqual(self.file.credit_limit, 15_000.0)
        self.assertEqual(self.review.state, "to_approve")

    def test_two_reviews_of_one_customer_are_not_approved_together(self):
        second = self._review(self.file)
        with self.assertRefusedWithoutWriting(UserError) as caught:
            (self.review | second).with_user(self.officer).action_approve()
        self.assertIn("one review per customer at a time", str(caught.exception))
        self.assertFalse(self.file.grade_id)
