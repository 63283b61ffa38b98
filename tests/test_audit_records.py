from datetime import date

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from odoo.addons.credit_management.models.credit_decision_mixin import audit_writer

from .common import CreditLedgerCommon

UNLOCKING_CONTEXTS = (
    {},
    {"audit_writer": True},
    {"install_mode": True},
    {"credit_management.audit_writer": True},
    {"module": "credit_management", "install_mode": True, "audit_writer": 1},
)
"""What an RPC caller could put in its context to try to unlock the audit fields: none of
it does."""


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestAuditRecords(CreditLedgerCommon):
    """The state, the decision, the figures and the decider of every record that carries an
    approval change only through its decision methods: a direct create or write of them is
    refused for salespeople, officers and managers alike, whatever the context says.

    Acme is rated A with a limit of 23,000.00 (the A customer of test_credit_review) and
    owes 500.00 due on 2024-07-15."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme, cls.file = cls._a_grade_customer("Acme")
        cls.invoice = cls._invoice(cls.acme, "2024-06-15", "2024-07-15", 500.0)
        cls.second_officer = cls.env["res.users"].create(
            {
                "name": "Second Officer",
                "login": "cm_second_officer",
                "company_id": cls.company.id,
                "company_ids": [fields.Command.set(cls.company.ids)],
                "groups_id": [
                    fields.Command.set(
                        [
                            cls.env.ref("base.group_user").id,
                            cls.env.ref("credit_management.group_credit_officer").id,
                        ]
                    )
                ],
            }
        )
        cls.users = (cls.salesperson, cls.officer, cls.manager)

    def setUp(self):
        super().setUp()
        self._approved_review(self.file)

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _envs(self):
        """Every user and every context that could try a direct write."""
        for user in self.users:
            for context in UNLOCKING_CONTEXTS:
                yield user, context

    def _assert_create_refused(self, model, vals):
        """A direct create of ``vals`` is refused for every user and context, and no record
        is left behind."""
        Model = self.env[model].with_context(active_test=False)
        count = Model.search_count([])
        for user, context in self._envs():
            with self.subTest(user=user.login, context=context):
                with self.assertRefusedWithoutWriting(AccessError):
                    Model.with_user(user).with_context(**context).create(vals)
                self.assertEqual(Model.search_count([]), count)

    def _assert_write_refused(self, record, vals, users=None):
        """A direct write of each field of ``vals`` is refused for every user and context
        (and with sudo), and the record keeps its values."""
        record.invalidate_recordset()
        before = record.read(list(vals))[0]
        for name, value in vals.items():
            for user, context in self._envs():
                if users and user not in users:
                    continue
                with self.subTest(field=name, user=user.login, context=context):
                    with self.assertRefusedWithoutWriting(AccessError):
                        record.with_user(user).with_context(**context).write({name: value})
                    with self.assertRefusedWithoutWriting(AccessError):
                        record.with_user(user).with_context(**context).sudo().write({name: value})
            self.assertEqual(record.read([name])[0][name], before[name], name)

    def _request(self, user=None, **values):
        return (
            self.env["credit.limit.request"]
            .with_user(user or self.salesperson)
            .create({"partner_id": self.acme.id, "amount": 40_000.0, "reason": "Season", **values})
        )

    # ------------------------------------------------------------------
    # limit requests
    # ------------------------------------------------------------------
    def test_a_limit_request_cannot_be_created_already_decided(self):
        base = {"partner_id": self.acme.id, "amount": 90_000.0, "reason": "Forged"}
        self._assert_create_refused(
            "credit.limit.request",
            {**base, "state": "approved", "decided_by_id": self.officer.id},
        )
        self._assert_create_refused("credit.limit.request", {**base, "state": "rejected"})
        self._assert_create_refused(
            "credit.limit.request", {**base, "decided_by_id": self.officer.id}
        )
        self._assert_create_refused(
            "credit.limit.request", {**base, "decided_on": "2024-06-29 10:00:00"}
        )
        self.assertEqual(self.file.credit_limit, 23_000.0)

    def test_a_limit_request_carries_the_requester_and_the_figures_read_at_creation(self):
        base = {"partner_id": self.acme.id, "amount": 30_000.0, "reason": "Forged"}
        self._assert_create_refused(
            "credit.limit.request", {**base, "requested_by_id": self.second_officer.id}
        )
        self._assert_create_refused("credit.limit.request", {**base, "current_limit": 1.0})
        other_file = self._file(self._customer("Other"))
        self._assert_create_refused("credit.limit.request", {**base, "file_id": other_file.id})
        # the requester's own id is what the default gives anyway
        request = self._request(requested_by_id=self.salesperson.id)
        self.assertEqual(request.requested_by_id, self.salesperson)
        self.assertEqual(request.file_id, self.file)
        self.assertEqual(request.current_limit, 23_000.0)

    def test_a_duplicated_limit_request_is_a_new_request_of_the_one_who_copies_it(self):
        request = self._request(user=self.second_officer)
        request.with_user(self.officer).action_approve()
        copy = request.with_user(self.salesperson).copy()
        self.assertEqual(copy.state, "submitted")
        self.assertEqual(copy.requested_by_id, self.salesperson)
        self.assertFalse(copy.decided_by_id)
        self.assertEqual(copy.current_limit, 40_000.0)
        self.assertEqual(copy.amount, 40_000.0)

    def test_the_audit_fields_of_a_limit_request_cannot_be_written(self):
        request = self._request()
        self._assert_write_refused(
            request,
            {
                "state": "approved",
                "decided_by_id": self.officer.id,
                "decided_on": "2024-06-30 09:00:00",
                "current_limit": 90_000.0,
                "file_id": self._file(self._customer("Other")).id,
                "requested_by_id": self.officer.id,
            },
        )
        self.assertEqual(request.state, "submitted")

    def test_a_decided_limit_request_keeps_what_was_asked(self):
        request = self._request()
        request.with_user(self.officer).action_approve()
        for values in (
            {"amount": 99_000.0},
            {"temporary": True},
            {"date_end": "2024-12-31"},
            {"decision_note": "Rewritten afterwards"},
        ):
            with self.subTest(values=values), self.assertRefusedWithoutWriting(UserError):
                request.with_user(self.manager).write(values)
        self.assertEqual(request.amount, 40_000.0)
        self.assertFalse(request.temporary)

    def test_the_decision_methods_of_a_limit_request_still_decide(self):
        approved = self._request()
        approved.with_user(self.officer).with_context(audit_writer=False).action_approve()
        self.assertEqual(approved.state, "approved")
        self.assertEqual(approved.decided_by_id, self.officer)
        self.assertEqual(self.file.credit_limit, 40_000.0)
        self.acme.invalidate_recordset(["credit_limit"])
        self.assertEqual(self.acme.with_company(self.company).credit_limit, 40_000.0)
        rejected = self._request(amount=60_000.0)
        rejected.with_user(self.manager).decision_note = "Too much."
        rejected.with_user(self.manager).action_reject()
        self.assertEqual(rejected.state, "rejected")
        self.assertEqual(rejected.decided_by_id, self.manager)
        self.assertEqual(self.file.credit_limit, 40_000.0)

    def test_an_officer_cannot_approve_their_own_limit_request(self):
        self.policy.officer_may_approve_own = False
        request = self._request(user=self.officer)
        self.assertEqual(request.requested_by_id, self.officer)
        with self.assertRefusedWithoutWriting(AccessError):
            request.with_user(self.officer).action_approve()
        request.with_user(self.officer).decision_note = "My own request."
        with self.assertRefusedWithoutWriting(AccessError):
            request.with_user(self.officer).action_reject()
        self.assertEqual(request.state, "submitted")
        self.assertEqual(self.file.credit_limit, 23_000.0)
        request.with_user(self.second_officer).action_approve()
        self.assertEqual(request.decided_by_id, self.second_officer)
        self.assertEqual(self.file.credit_limit, 40_000.0)

    def test_an_officer_approves_their_own_limit_request_when_the_policy_allows(self):
        self.policy.officer_may_approve_own = True
        request = self._request(user=self.officer, amount=35_000.0)
        request.with_user(self.officer).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.decided_by_id, self.officer)
        self.assertEqual(self.file.credit_limit, 35_000.0)

    # ------------------------------------------------------------------
    # reviews
    # ------------------------------------------------------------------
    def test_a_review_cannot_be_created_already_decided(self):
        base = {"file_id": self.file.id}
        self._assert_create_refused(
            "credit.review",
            {**base, "state": "approved", "decided_by_id": self.officer.id},
        )
        self._assert_create_refused("credit.review", {**base, "state": "to_approve"})
        self._assert_create_refused(
            "credit.review", {**base, "score": 99.0, "proposed_grade_id": self.grade["AAA"].id}
        )
        self._assert_create_refused("credit.review", {**base, "valid_until": "2030-01-01"})

    def test_the_audit_fields_of_a_review_cannot_be_written(self):
        review = self._review(self.file)
        self.assertEqual(review.state, "to_approve")
        self._assert_write_refused(
            review,
            {
                "state": "approved",
                "decided_by_id": self.officer.id,
                "decided_on": "2024-06-30 09:00:00",
                "valid_until": "2030-01-01",
                "score": 99.0,
                "proposed_grade_id": self.grade["AAA"].id,
                "proposed_limit": 1_000_000.0,
                "proposed_days": 365,
                "payment_rate": 100.0,
                "overdue_amount": 0.0,
                "is_new_customer": True,
                "limit_note": "Forged",
                "file_id": self._file(self._customer("Other")).id,
                "date": "2024-01-01",
            },
        )
        self.assertEqual(review.state, "to_approve")

    def test_the_score_details_of_a_review_are_written_by_the_computation_only(self):
        review = self._review(self.file)
        line = review.line_ids[:1]
        for user in (self.officer, self.manager):
            for context in UNLOCKING_CONTEXTS:
                Line = self.env["credit.review.line"].with_user(user).with_context(**context)
                with self.assertRefusedWithoutWriting(AccessError):
                    Line.browse(line.id).write({"points": 100.0})
                with self.assertRefusedWithoutWriting(AccessError):
                    Line.create({"review_id": review.id, "code": line.code, "points": 100.0})
                with self.assertRefusedWithoutWriting(AccessError):
                    Line.browse(line.id).unlink()
        self.assertTrue(line.exists())
        self.assertNotEqual(line.points, 100.0)

    def test_the_officer_still_adjusts_a_review_waiting_for_approval(self):
        review = self._review(self.file)
        review.with_user(self.officer).write(
            {
                "final_grade_id": self.grade["BBB"].id,
                "final_limit": 15_000.0,
                "final_days": 30,
                "adjust_reason": "Sector under pressure.",
            }
        )
        review.with_user(self.officer).action_approve()
        self.assertEqual(review.state, "approved")
        self.assertEqual(self.file.grade_id, self.grade["BBB"])
        self.assertEqual(self.file.credit_limit, 15_000.0)
        self.assertEqual(self.file.credit_days, 30)
        with self.assertRefusedWithoutWriting(UserError):
            review.with_user(self.manager).write({"final_limit": 99_000.0})
        self.assertEqual(review.final_limit, 15_000.0)

    # ------------------------------------------------------------------
    # credit files
    # ------------------------------------------------------------------
    def test_the_rating_in_force_on_a_credit_file_cannot_be_written(self):
        self._assert_write_refused(
            self.file,
            {
                "grade_id": self.grade["AAA"].id,
                "score": 99.0,
                "credit_limit": 1_000_000.0,
                "credit_days": 365,
                "rating_date": "2024-06-01",
                "valid_until": "2030-01-01",
                "temporary_limit": 1_000_000.0,
                "temporary_limit_until": "2030-01-01",
            },
        )
        self.assertEqual(self.file.credit_limit, 23_000.0)
        self.assertEqual(self.file.effective_limit, 23_000.0)
        self.assertEqual(self.acme.with_company(self.company).credit_limit, 23_000.0)

    def test_a_credit_file_cannot_be_created_already_rated(self):
        partner = self._customer("Newco")
        self._assert_create_refused(
            "credit.file",
            {
                "partner_id": partner.id,
                "company_id": self.company.id,
                "grade_id": self.grade["AAA"].id,
                "credit_limit": 500_000.0,
            },
        )

    def test_the_officer_still_sets_the_files_own_flags(self):
        self.file.with_user(self.officer).write(
            {"unlimited": True, "on_hold": True, "hold_reason": "Rumours"}
        )
        self.assertTrue(self.file.unlimited)
        self.assertTrue(self.file.on_hold)
        for values in ({"unlimited": False}, {"on_hold": False}):
            with self.subTest(values=values), self.assertRefusedWithoutWriting(AccessError):
                self.file.with_user(self.salesperson).write(values)
        self.assertTrue(self.file.unlimited)
        self.assertTrue(self.file.on_hold)

    def test_the_end_of_a_temporary_limit_is_still_written_by_the_daily_job(self):
        request = self._request(amount=50_000.0, temporary=True, date_end=date(2024, 7, 10))
        request.with_user(self.officer).action_approve()
        self.assertEqual(self.file.effective_limit, 50_000.0)
        with freeze_time("2024-07-11"):
            self.env["credit.file"]._cron_expire_temporary_limits()
            self.file.invalidate_recordset()
            self.assertEqual(self.file.temporary_limit, 0.0)
            self.assertEqual(self.file.effective_limit, 23_000.0)
            self.acme.invalidate_recordset(["credit_limit"])
            self.assertEqual(self.acme.with_company(self.company).credit_limit, 23_000.0)

    # ------------------------------------------------------------------
    # promises, warnings, cases, provisions, dunning, doubtful items
    # ------------------------------------------------------------------
    def _promise(self):
        return self.env["credit.payment.promise"].create(
            {
                "partner_id": self.acme.id,
                "date": date(2024, 7, 20),
                "amount": 500.0,
                "move_line_ids": [fields.Command.set(self._receivable_items().ids)],
            }
        )

    def _receivable_items(self):
        return self.invoice.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )

    def test_a_payment_promise_is_kept_broken_or_cancelled_by_its_methods_only(self):
        self._assert_create_refused(
            "credit.payment.promise",
            {
                "partner_id": self.acme.id,
                "date": date(2024, 7, 20),
                "amount": 500.0,
                "move_line_ids": [fields.Command.set(self._receivable_items().ids)],
                "state": "kept",
            },
        )
        promise = self._promise()
        self._assert_write_refused(promise, {"state": "kept"}, users=(self.officer, self.manager))
        promise.with_user(self.officer).action_cancel()
        self.assertEqual(promise.state, "cancel")
        broken = self._promise()
        with freeze_time("2024-07-21"):
            self.env["credit.payment.promise"]._check_promises()
        self.assertEqual(broken.state, "broken")

    def test_a_warning_sign_is_resolved_or_dismissed_by_its_buttons_only(self):
        self._assert_create_refused(
            "credit.warning", {"file_id": self.file.id, "kind": "other", "state": "dismissed"}
        )
        Warning = self.env["credit.warning"].with_user(self.officer)
        warning = Warning.create({"file_id": self.file.id, "kind": "other"})
        self._assert_write_refused(
            warning, {"state": "dismissed"}, users=(self.officer, self.manager)
        )
        warning.action_resolve()
        self.assertEqual(warning.state, "resolved")

    def test_a_receivable_case_is_escalated_and_closed_by_its_decisions_only(self):
        self._assert_create_refused(
            "credit.receivable.case",
            {"partner_id": self.acme.id, "company_id": self.company.id, "state": "legal"},
        )
        case = self.env["credit.receivable.case"].create(
            {"partner_id": self.acme.id, "company_id": self.company.id}
        )
        self._assert_write_refused(
            case,
            {
                "state": "legal",
                "doubtful_on": "2024-06-30",
                "doubtful_reason": "Forged",
                "doubtful_by_officer": True,
                "legal_on": "2024-06-30",
                "closed_on": "2024-06-30",
                "plan_submitted_on": "2024-06-30",
                "overdue_amount": 1.0,
            },
            users=(self.officer, self.manager),
        )
        case.with_user(self.officer)._mark_doubtful("Customer vanished", by_officer=True)
        self.assertEqual(case.state, "doubtful")
        case.with_user(self.officer).action_send_to_legal()
        self.assertEqual(case.state, "legal")
        self.assertEqual(case.legal_on, date(2024, 6, 30))

    def test_a_provision_is_posted_or_cancelled_by_its_buttons_only(self):
        self._assert_create_refused(
            "credit.provision", {"company_id": self.company.id, "state": "posted"}
        )
        provision = self.env["credit.provision"].create({"company_id": self.company.id})
        self._assert_write_refused(
            provision,
            {"state": "posted", "move_id": self.invoice.id},
            users=(self.manager,),
        )
        provision.with_user(self.manager).action_cancel()
        self.assertEqual(provision.state, "cancelled")
        provision.with_user(self.manager).action_draft()
        self.assertEqual(provision.state, "draft")

    def test_a_dunning_communication_is_marked_sent_by_the_sending_only(self):
        run = self.env["credit.dunning.run"]._get_or_create(self.company, date(2024, 6, 30))
        policy = self.env["credit.dunning.policy"].create(
            {
                "name": "Audit",
                "company_id": self.company.id,
                "level_ids": [
                    fields.Command.create({"name": "Reminder", "days": 10, "channel": "phone"})
                ],
            }
        )
        level = policy.level_ids
        communication = self.env["credit.dunning.communication"].create(
            {
                "run_id": run.id,
                "company_id": self.company.id,
                "date": date(2024, 6, 30),
                "partner_id": self.acme.id,
                "level_id": level.id,
                "channel": "phone",
            }
        )
        self._assert_write_refused(
            communication,
            {"state": "sent", "sent_date": "2024-06-30 10:00:00", "failure_reason": "Forged"},
            users=(self.officer, self.manager),
        )
        communication.with_user(self.officer).action_cancel()
        self.assertEqual(communication.state, "cancel")

    def test_a_receivable_is_classified_doubtful_by_the_officers_wizard_only(self):
        item = self._receivable_items()
        for context in UNLOCKING_CONTEXTS:
            with self.assertRefusedWithoutWriting(AccessError):
                item.with_context(**context).write({"credit_doubtful": True})
        self.assertFalse(item.credit_doubtful)
        wizard = (
            self.env["credit.doubtful.wizard"]
            .with_user(self.officer)
            .with_context(active_model="account.move.line", active_ids=item.ids)
            .create({"reason": "Customer disputes everything"})
        )
        wizard.action_confirm()
        self.assertTrue(item.credit_doubtful)
        self.assertEqual(item.credit_doubtful_reason, "Customer disputes everything")

    # ------------------------------------------------------------------
    # every decided model
    # ------------------------------------------------------------------
    def test_every_decided_model_names_its_audit_fields(self):
        mixin = self.env.registry["credit.decision.mixin"]
        decided = [
            name
            for name, model in self.env.registry.items()
            if issubclass(model, mixin) and not model._abstract
        ]
        self.assertIn("credit.limit.request", decided)
        self.assertIn("credit.review", decided)
        self.assertIn("credit.hold", decided)
        for name in decided:
            with self.subTest(model=name):
                audit = self.env[name]._credit_audit_fields
                self.assertTrue(audit)
                self.assertIn("state", audit)
                self.assertLessEqual(set(audit), set(self.env[name]._fields))

    def test_the_audit_writer_opens_only_inside_its_block(self):
        request = self._request()
        with audit_writer(self.env):
            request.with_user(self.officer).write({"decided_on": "2024-06-30 09:00:00"})
        with self.assertRefusedWithoutWriting(AccessError):
            request.with_user(self.officer).write({"decided_on": "2024-06-30 10:00:00"})
        self.assertEqual(request.decided_on, fields.Datetime.to_datetime("2024-06-30 09:00:00"))
