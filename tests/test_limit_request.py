from datetime import date

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import CreditLedgerCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestLimitRequest(CreditLedgerCommon):
    """A salesperson asks for more credit; a credit officer decides. Acme is rated A with a
    limit of 23,000 (the A customer of test_credit_review, approved on 2024-06-30)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme, cls.file = cls._a_grade_customer("Acme")
        cls.contact = cls.env["res.partner"].create({"name": "Jane", "parent_id": cls.acme.id})

    def setUp(self):
        super().setUp()
        self._approved_review(self.file)

    def _request(self, amount=40_000.0, **values):
        return (
            self.env["credit.limit.request"]
            .with_user(self.salesperson)
            .create(
                {
                    "partner_id": self.acme.id,
                    "amount": amount,
                    "reason": "Big season order",
                    **values,
                }
            )
        )

    def _odoo_limit(self):
        partner = self.acme.with_company(self.company)
        partner.invalidate_recordset(["credit_limit"])
        return partner.credit_limit

    def test_a_salesperson_asks_for_a_higher_limit(self):
        request = self._request()
        self.assertEqual(request.state, "submitted")
        self.assertEqual(request.file_id, self.file)
        self.assertEqual(request.current_limit, 23_000.0)
        self.assertEqual(request.requested_by_id, self.salesperson)
        self.assertEqual(request.company_id, self.company)

    def test_the_officer_is_asked_to_decide(self):
        request = self._request().with_user(self.officer)
        request.invalidate_recordset(["activity_ids"])
        self.assertEqual(request.activity_ids.user_id, self.officer)
        self.assertEqual(request.activity_ids.summary, "Credit limit request")
        self.assertEqual(request.activity_ids.create_uid, self.salesperson)

    def test_a_request_for_a_contact_is_refused(self):
        files = self.env["credit.file"].search_count([])
        with self.assertRaises(ValidationError) as caught:
            self._request(partner_id=self.contact.id)
        self.assertIn("not to its contact", str(caught.exception))
        self.assertEqual(self.env["credit.file"].search_count([]), files)

    def test_a_request_must_be_for_a_positive_amount(self):
        for amount in (0.0, -5_000.0):
            with self.assertRaises(ValidationError):
                self._request(amount)

    def test_a_temporary_request_needs_an_end_date(self):
        with self.assertRaises(ValidationError):
            self._request(temporary=True)

    def test_a_request_for_an_unrated_customer_opens_its_file(self):
        newcomer = self._customer("Newcomer")
        request = self._request(partner_id=newcomer.id)
        self.assertEqual(request.file_id.partner_id, newcomer)
        self.assertEqual(request.file_id.company_id, self.company)
        self.assertEqual(request.current_limit, 0.0)

    def test_approval_of_a_permanent_request_replaces_the_limit(self):
        request = self._request()
        request.with_user(self.officer).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.decided_by_id, self.officer)
        self.assertEqual(self.file.credit_limit, 40_000.0)
        self.assertEqual(self.file.effective_limit, 40_000.0)
        self.assertEqual(self._odoo_limit(), 40_000.0)
        request.invalidate_recordset(["activity_ids"])
        self.assertFalse(request.with_user(self.officer).activity_ids)

    def test_a_temporary_limit_runs_until_its_date(self):
        request = self._request(temporary=True, date_end="2024-07-15")
        request.with_user(self.officer).action_approve()
        self.assertEqual(self.file.credit_limit, 23_000.0)
        self.assertEqual(self.file.temporary_limit, 40_000.0)
        self.assertEqual(self.file.temporary_limit_until, date(2024, 7, 15))
        self.assertEqual(self.file.effective_limit, 40_000.0)
        self.assertEqual(self._odoo_limit(), 40_000.0)

    def test_the_cron_ends_a_temporary_limit_after_its_date(self):
        request = self._request(temporary=True, date_end="2024-07-15")
        request.with_user(self.officer).action_approve()
        with freeze_time("2024-07-15"):
            self.env["credit.file"]._cron_expire_temporary_limits()
            self.env.invalidate_all()
            self.assertEqual(self.file.temporary_limit, 40_000.0)
            self.assertEqual(self.file.effective_limit, 40_000.0)
            self.assertEqual(self._odoo_limit(), 40_000.0)
        with freeze_time("2024-07-16"):
            self.env["credit.file"]._cron_expire_temporary_limits()
            self.env.invalidate_all()
            self.assertEqual(self.file.temporary_limit, 0.0)
            self.assertFalse(self.file.temporary_limit_until)
            self.assertEqual(self.file.effective_limit, 23_000.0)
            self.assertEqual(self._odoo_limit(), 23_000.0)
            self.assertIn(
                "ended on 2024-07-15",
                "\n".join(self.file.message_ids.mapped("body")),
            )

    def test_a_temporary_limit_below_the_rated_one_changes_nothing(self):
        request = self._request(10_000.0, temporary=True, date_end="2024-07-15")
        request.with_user(self.officer).action_approve()
        self.assertEqual(self.file.effective_limit, 23_000.0)
        self.assertEqual(self._odoo_limit(), 23_000.0)

    def test_a_salesperson_cannot_approve_a_limit_request(self):
        request = self._request()
        for user in (self.salesperson, self.credit_user):
            with self.assertRaises(AccessError):
                request.with_user(user).action_approve()
            with self.assertRaises(AccessError):
                request.with_user(user).write({"state": "approved"})
        self.assertEqual(request.state, "submitted")
        self.assertEqual(self.file.credit_limit, 23_000.0)

    def test_a_salesperson_cannot_raise_the_limit_through_the_file(self):
        with self.assertRaises(AccessError):
            self.file.with_user(self.salesperson).write({"credit_limit": 90_000.0})
        with self.assertRaises(AccessError):
            self.file.with_user(self.salesperson).write({"temporary_limit": 90_000.0})

    def test_rejection_needs_a_reason(self):
        request = self._request()
        with self.assertRaises(UserError):
            request.with_user(self.officer).action_reject()
        request.with_user(self.officer).decision_note = "Two invoices overdue."
        request.with_user(self.officer).action_reject()
        self.assertEqual(request.state, "rejected")
        self.assertEqual(request.decided_by_id, self.officer)
        self.assertEqual(self.file.credit_limit, 23_000.0)

    def test_a_request_is_decided_once(self):
        request = self._request()
        request.with_user(self.officer).action_approve()
        with self.assertRaises(UserError):
            request.with_user(self.officer).decision_note = "Changed my mind."
        with self.assertRaises(UserError):
            request.with_user(self.officer).action_reject()
        with self.assertRaises(UserError):
            request.with_user(self.officer).action_approve()
        self.assertEqual(request.state, "approved")

    def test_rejecting_several_requests_checks_them_all_first(self):
        first, second = self._request(), self._request(50_000.0)
        first.with_user(self.officer).decision_note = "Two invoices overdue."
        with self.assertRefusedWithoutWriting(UserError):
            (first | second).with_user(self.officer).action_reject()
        self.assertEqual(first.state, "submitted")
