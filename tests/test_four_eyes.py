"""Four-eyes approval (双人复核): holds above an amount, new limits above an amount and raises
for customers with overdue money need two different credit officers (or an officer and a
manager). Examples of each rule with thresholds computed by hand, then a hypothesis state
machine driving random sequences of approvals, refusals, writes, copies, order edits and
policy edits by several users, with the invariant checked from the tables after every step."""

from datetime import date

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, new_test_user, tagged

from odoo.addons.credit_management.models.credit_decision_mixin import audit_writer

from .common import CreditOrderCommon
from .test_credit_invariant import UNCOVERED_SQL

REFUSED = (AccessError, UserError, ValidationError)

HOLD_THRESHOLD = 5_000.0
LIMIT_THRESHOLD = 20_000.0


class FourEyesCommon(CreditOrderCommon):
    """The policy asks for a second approval of holds above 5,000.00, of new limits above
    20,000.00 and of any raise for a customer with overdue money. Acme is rated A with a
    limit of 1,000.00 and owes nothing; Late is rated A with a limit of 1,000.00 and owes
    500.00 overdue since 2024-05-31. Officer and Second Officer are credit officers, Manager
    a credit manager."""

    def _refused(self, call, *args, **kwargs):
        """Run a public call in a savepoint that flushes (as a commit would); True when it
        was refused, and then nothing of it stays."""
        try:
            with self.env.cr.savepoint():
                call(*args, **kwargs)
        except REFUSED:
            self.env.invalidate_all()
            return True
        return False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.officer2 = new_test_user(
            cls.env,
            login="cm_officer2",
            groups="credit_management.group_credit_officer",
            name="Second Officer",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.policy.write(
            {
                "four_eyes_enabled": True,
                "four_eyes_hold_amount": HOLD_THRESHOLD,
                "four_eyes_limit_amount": LIMIT_THRESHOLD,
                "four_eyes_overdue_raises": True,
            }
        )
        cls.acme, cls.acme_file = cls._rated("Acme", limit=1_000.0)
        cls.late, cls.late_file = cls._rated("Late", limit=1_000.0)
        cls._invoice(cls.late, "2024-05-01", "2024-05-31", 500.0)

    def _held(self, partner, amount):
        order = self._quotation(partner, amount)
        order.with_user(self.salesperson).action_confirm()
        hold = order.credit_hold_ids.filtered(lambda h: h.state == "pending")
        self.assertEqual(len(hold), 1)
        return order, hold

    def _request(self, partner, amount, **values):
        return (
            self.env["credit.limit.request"]
            .with_user(self.salesperson)
            .create({"partner_id": partner.id, "amount": amount, "reason": "Season", **values})
        )


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestFourEyesHolds(FourEyesCommon):
    def test_a_hold_equal_to_the_threshold_is_released_by_one_officer(self):
        order, hold = self._held(self.acme, 5_000.0)
        hold.with_user(self.officer).action_approve_once("Good customer")
        self.assertEqual(hold.state, "approved")
        self.assertFalse(hold.first_approved_by_id)
        self.assertEqual(order.state, "sale")

    def test_a_hold_below_the_threshold_is_released_by_one_officer(self):
        order, hold = self._held(self.acme, 4_999.99)
        hold.with_user(self.officer).action_approve_once("Good customer")
        self.assertEqual((hold.state, order.state), ("approved", "sale"))

    def test_a_hold_above_the_threshold_waits_for_a_second_officer(self):
        order, hold = self._held(self.acme, 5_000.01)
        hold.with_user(self.officer).action_approve_once("Good customer")
        self.assertRecordValues(
            hold,
            [
                {
                    "state": "pending",
                    "awaiting_second_approval": True,
                    "first_approved_by_id": self.officer.id,
                    "first_approval_reason": "Good customer",
                    "first_decision": "approve_once",
                    "decided_by_id": False,
                }
            ],
        )
        self.assertEqual(order.state, "draft")
        self.assertEqual(hold.four_eyes_reasons, "The order amount is above $\xa05,000.00.")
        self.assertIn(
            hold, self.env["credit.hold"].search([("awaiting_second_approval", "=", True)])
        )

        hold.with_user(self.officer2).action_approve_once("Agreed")
        self.assertRecordValues(
            hold,
            [
                {
                    "state": "approved",
                    "awaiting_second_approval": False,
                    "first_approved_by_id": self.officer.id,
                    "decided_by_id": self.officer2.id,
                    "decision_reason": "Agreed",
                }
            ],
        )
        self.assertEqual(order.state, "sale")
        self.assertIn("after the first approval of Officer", order.message_ids[0].body)

    def test_the_first_approver_cannot_give_the_second_approval(self):
        order, hold = self._held(self.acme, 6_000.0)
        hold.with_user(self.officer).action_approve_once("Good customer")
        with self.assertRaises(UserError):
            hold.with_user(self.officer).action_approve_once("Really")
        with self.assertRaises(UserError):
            hold.with_user(self.officer).action_approve_with_temporary_limit(
                7_000.0, date(2024, 7, 31)
            )
        self.assertEqual((hold.state, order.state), ("pending", "draft"))

    def test_a_manager_alone_cannot_approve_twice_but_may_be_the_second(self):
        _order, hold = self._held(self.acme, 6_000.0)
        hold.with_user(self.manager).action_approve_once("Manager first")
        with self.assertRaises(UserError):
            hold.with_user(self.manager).action_approve_once("Manager again")
        other_order, other = self._held(self.acme, 6_000.0)
        other.with_user(self.officer).action_approve_once("Officer first")
        other.with_user(self.manager).action_approve_once("Manager second")
        self.assertEqual((other.state, other_order.state), ("approved", "sale"))

    def test_a_salesperson_gives_no_approval(self):
        _order, hold = self._held(self.acme, 6_000.0)
        hold.with_user(self.officer).action_approve_once("Good customer")
        with self.assertRaises(AccessError):
            hold.with_user(self.salesperson).action_approve_once("Me too")
        self.assertEqual(hold.state, "pending")

    def test_the_second_officer_may_refuse(self):
        order, hold = self._held(self.acme, 6_000.0)
        hold.with_user(self.officer).action_approve_once("Good customer")
        hold.with_user(self.officer2).action_reject("Too much for this customer")
        self.assertEqual((hold.state, order.state), ("rejected", "draft"))

    def test_the_first_approver_may_change_their_mind_and_refuse(self):
        order, hold = self._held(self.acme, 6_000.0)
        hold.with_user(self.officer).action_approve_once("Good customer")
        hold.with_user(self.officer).action_reject("On second thoughts, no")
        self.assertEqual((hold.state, order.state), ("rejected", "draft"))
        with self.assertRaises(UserError):
            hold.with_user(self.officer2).action_approve_once("Too late")

    def test_the_gate_does_not_confirm_an_order_whose_hold_is_only_first_approved(self):
        order, hold = self._held(self.acme, 6_000.0)
        hold.with_user(self.officer).action_approve_once("Good customer")
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.credit_hold_ids.filtered(lambda h: h.state == "approved"))
        with self.assertRaises(UserError):
            order.with_user(self.salesperson).write({"state": "sale"})

    def test_an_order_raised_between_the_approvals_is_checked_again(self):
        order, hold = self._held(self.acme, 6_000.0)
        hold.with_user(self.officer).action_approve_once("Good customer")
        order.with_user(self.salesperson).write(
            {"order_line": [Command.update(order.order_line.id, {"price_unit": 7_000.0})]}
        )
        hold.with_user(self.officer2).action_approve_once("Agreed")
        self.assertEqual(hold.state, "cancelled")
        self.assertEqual(order.state, "draft")
        new = order.credit_hold_ids.filtered(lambda h: h.state == "pending")
        self.assertEqual(len(new), 1)
        self.assertAlmostEqual(new.order_amount, 7_000.0, places=2)
        self.assertFalse(new.first_approved_by_id)

    def test_an_order_lowered_between_the_approvals_is_released_by_the_second(self):
        order, hold = self._held(self.acme, 6_000.0)
        hold.with_user(self.officer).action_approve_once("Good customer")
        order.with_user(self.salesperson).write(
            {"order_line": [Command.update(order.order_line.id, {"price_unit": 5_500.0})]}
        )
        hold.with_user(self.officer2).action_approve_once("Agreed")
        self.assertEqual((hold.state, order.state), ("approved", "sale"))

    def test_a_threshold_raised_between_the_approvals_lets_one_officer_decide(self):
        """The rules are those of the policy when the decision takes effect: 6,000.00 is no
        longer above a threshold of 10,000.00."""
        order, hold = self._held(self.acme, 6_000.0)
        hold.with_user(self.officer).action_approve_once("Good customer")
        self.policy.four_eyes_hold_amount = 10_000.0
        hold.with_user(self.officer).action_approve_once("Good customer")
        self.assertEqual((hold.state, order.state), ("approved", "sale"))

    def test_a_threshold_lowered_after_a_hold_applies_to_its_decision(self):
        order, hold = self._held(self.acme, 3_000.0)
        self.policy.four_eyes_hold_amount = 2_000.0
        hold.with_user(self.officer).action_approve_once("Good customer")
        self.assertEqual((hold.state, order.state), ("pending", "draft"))

    def test_a_temporary_limit_above_the_limit_threshold_needs_a_second_approval(self):
        """A hold of 3,000.00 (below 5,000.00) released with a temporary limit of 25,000.00,
        above 20,000.00 and above the rated 1,000.00."""
        order, hold = self._held(self.acme, 3_000.0)
        until = date(2024, 7, 31)
        hold.with_user(self.officer).action_approve_with_temporary_limit(25_000.0, until, "Fair")
        self.assertRecordValues(
            hold,
            [
                {
                    "state": "pending",
                    "first_decision": "approve_temporary_limit",
                    "first_temporary_limit": 25_000.0,
                    "first_temporary_limit_until": until,
                }
            ],
        )
        self.assertEqual(self.acme_file.temporary_limit, 0.0)
        with self.assertRaises(UserError):
            hold.with_user(self.officer2).action_approve_with_temporary_limit(30_000.0, until)
        wizard = (
            self.env["credit.hold.decision"]
            .with_user(self.officer2)
            .with_context(active_model="credit.hold", active_ids=hold.ids)
            .create({})
        )
        self.assertEqual(wizard.decision, "approve_temporary_limit")
        self.assertEqual((wizard.temporary_limit, wizard.temporary_limit_until), (25_000.0, until))
        self.assertIn("first approved by Officer", wizard.first_approval_note)
        wizard.action_decide()
        self.assertEqual((hold.state, order.state), ("approved", "sale"))
        self.assertEqual(self.acme_file.temporary_limit, 25_000.0)

    def test_another_officer_may_take_instead_a_decision_that_needs_one_approval(self):
        """Approving the 3,000.00 order once (below 5,000.00, no raise) is within one
        officer's authority, whatever another officer first proposed."""
        order, hold = self._held(self.acme, 3_000.0)
        hold.with_user(self.officer).action_approve_with_temporary_limit(
            25_000.0, date(2024, 7, 31), "Fair"
        )
        hold.with_user(self.officer2).action_approve_once("Once is enough")
        self.assertEqual(
            (hold.state, hold.decision, order.state), ("approved", "approve_once", "sale")
        )
        self.assertEqual(self.acme_file.temporary_limit, 0.0)

    def test_a_temporary_limit_equal_to_the_limit_threshold_needs_one_approval(self):
        order, hold = self._held(self.acme, 3_000.0)
        hold.with_user(self.officer).action_approve_with_temporary_limit(
            20_000.0, date(2024, 7, 31), "Fair"
        )
        self.assertEqual((hold.state, order.state), ("approved", "sale"))

    def test_a_temporary_limit_for_a_customer_with_overdue_money_needs_a_second_approval(self):
        """Late owes 500.00 overdue: a temporary limit of 4,000.00 (above its 1,000.00) is a
        raise, whatever its amount; approving its order once is no raise."""
        order, hold = self._held(self.late, 2_000.0)
        hold.with_user(self.officer).action_approve_with_temporary_limit(
            4_000.0, date(2024, 7, 31), "Pays late but pays"
        )
        self.assertEqual((hold.state, order.state), ("pending", "draft"))
        self.assertEqual(
            hold.four_eyes_reasons, "The limit is raised for a customer with overdue money."
        )
        hold.with_user(self.manager).action_approve_with_temporary_limit(
            4_000.0, date(2024, 7, 31), "Agreed"
        )
        self.assertEqual((hold.state, order.state), ("approved", "sale"))

        order2, hold2 = self._held(self.late, 2_000.0)
        hold2.with_user(self.officer).action_approve_once("Once")
        self.assertEqual((hold2.state, order2.state), ("approved", "sale"))

    def test_a_disabled_policy_releases_any_hold_with_one_officer(self):
        self.policy.four_eyes_enabled = False
        order, hold = self._held(self.late, 1_000_000.0)
        hold.with_user(self.officer).action_approve_with_temporary_limit(
            2_000_000.0, date(2024, 7, 31), "Fine"
        )
        self.assertEqual((hold.state, order.state), ("approved", "sale"))
        self.assertFalse(hold.first_approved_by_id)

    def test_the_second_approvers_are_asked(self):
        _order, hold = self._held(self.acme, 6_000.0)
        hold.with_user(self.officer).action_approve_once("Good customer")
        hold.invalidate_recordset(["activity_ids"])
        asked = hold.activity_ids.filtered(lambda a: a.summary == "Second approval needed")
        self.assertIn(self.manager, asked.user_id)
        self.assertNotIn(self.officer, asked.user_id)
        self.assertNotIn(self.env.ref("base.user_root"), asked.user_id)

        self.policy.four_eyes_user_id = self.officer2
        _order, other = self._held(self.acme, 6_000.0)
        other.with_user(self.officer).action_approve_once("Good customer")
        other.invalidate_recordset(["activity_ids"])
        asked = other.activity_ids.filtered(lambda a: a.summary == "Second approval needed")
        self.assertEqual(asked.user_id, self.officer2)
        other.with_user(self.officer2).action_approve_once("Agreed")
        other.invalidate_recordset(["activity_ids"])
        self.assertFalse(other.activity_ids)

    # ------------------------------------------------------------------
    # the guard, where the data changes
    # ------------------------------------------------------------------
    def test_no_one_writes_a_first_approval(self):
        _order, hold = self._held(self.acme, 6_000.0)
        for user in (self.officer, self.manager):
            with self.assertRaises(AccessError):
                hold.with_user(user).write({"first_approved_by_id": self.officer2.id})
        self.assertFalse(hold.first_approved_by_id)

    def test_no_one_creates_a_first_approved_or_approved_request(self):
        Request = self.env["credit.limit.request"]
        count = Request.search_count([])
        for user in (self.salesperson, self.officer, self.manager):
            for forged in (
                {"first_approved_by_id": self.officer.id},
                {"state": "approved", "first_approved_by_id": self.officer.id},
            ):
                with self.assertRaises(AccessError):
                    Request.with_user(user).create(
                        {"partner_id": self.acme.id, "amount": 30_000.0, "reason": "x", **forged}
                    )
        self.assertEqual(Request.search_count([]), count)

    def test_a_decision_method_approving_with_one_approver_is_refused(self):
        """Even code allowed to write the decision (a decision method) cannot approve a hold
        above the threshold with one approver, or with the same one twice."""
        _order, hold = self._held(self.acme, 6_000.0)
        values = {"state": "approved", "decision": "approve_once"}
        with self.assertRaises(ValidationError), audit_writer(self.env):
            hold.with_user(self.officer).write({**values, "decided_by_id": self.officer.id})
        with self.assertRaises(ValidationError), audit_writer(self.env):
            hold.with_user(self.officer).write(
                {
                    **values,
                    "decided_by_id": self.officer.id,
                    "first_approved_by_id": self.officer.id,
                }
            )
        with self.assertRaises(ValidationError), audit_writer(self.env):
            hold.with_user(self.officer).write(
                {
                    **values,
                    "decided_by_id": self.officer.id,
                    "first_approved_by_id": self.salesperson.id,
                }
            )
        self.assertEqual(hold.state, "pending")

    def test_a_copy_carries_no_first_approval(self):
        request = self._request(self.acme, 25_000.0)
        request.with_user(self.officer).action_approve()
        self.assertEqual(request.first_approved_by_id, self.officer)
        copy = request.with_user(self.salesperson).copy()
        self.assertFalse(copy.first_approved_by_id)
        self.assertEqual(copy.state, "submitted")
        _order, hold = self._held(self.acme, 6_000.0)
        hold.with_user(self.officer).action_approve_once("Good customer")
        with self.assertRaises(AccessError):
            hold.with_user(self.officer2).copy()


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestFourEyesLimits(FourEyesCommon):
    def test_a_request_for_a_limit_equal_to_the_threshold_is_granted_by_one_officer(self):
        request = self._request(self.acme, 20_000.0)
        request.with_user(self.officer).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertEqual(self.acme_file.credit_limit, 20_000.0)

    def test_a_request_for_a_limit_above_the_threshold_needs_a_second_officer(self):
        request = self._request(self.acme, 20_000.01, decision_note="Strong balance sheet")
        request.with_user(self.officer).action_approve()
        self.assertRecordValues(
            request,
            [
                {
                    "state": "submitted",
                    "awaiting_second_approval": True,
                    "first_approved_by_id": self.officer.id,
                    "first_approval_reason": "Strong balance sheet",
                }
            ],
        )
        self.assertEqual(self.acme_file.credit_limit, 1_000.0)
        with self.assertRaises(UserError):
            request.with_user(self.officer).action_approve()
        request.with_user(self.officer2).action_approve()
        self.assertEqual((request.state, request.decided_by_id), ("approved", self.officer2))
        self.assertEqual(self.acme_file.credit_limit, 20_000.01)

    def test_a_temporary_request_above_the_threshold_needs_a_second_officer(self):
        request = self._request(self.acme, 30_000.0, temporary=True, date_end=date(2024, 7, 31))
        request.with_user(self.officer).action_approve()
        self.assertEqual(request.state, "submitted")
        self.assertEqual(self.acme_file.temporary_limit, 0.0)
        request.with_user(self.manager).action_approve()
        self.assertEqual(self.acme_file.temporary_limit, 30_000.0)

    def test_a_raise_for_a_customer_with_overdue_money_needs_a_second_officer(self):
        request = self._request(self.late, 1_500.0)
        request.with_user(self.officer).action_approve()
        self.assertEqual(request.state, "submitted")
        request.with_user(self.officer2).action_approve()
        self.assertEqual(self.late_file.credit_limit, 1_500.0)

    def test_lowering_the_limit_of_a_customer_with_overdue_money_needs_one_officer(self):
        request = self._request(self.late, 800.0)
        request.with_user(self.officer).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertEqual(self.late_file.credit_limit, 800.0)

    def test_overdue_raises_are_a_policy_choice(self):
        self.policy.four_eyes_overdue_raises = False
        request = self._request(self.late, 1_500.0)
        request.with_user(self.officer).action_approve()
        self.assertEqual(request.state, "approved")

    def test_changing_the_request_after_the_first_approval_withdraws_it(self):
        request = self._request(self.acme, 25_000.0)
        request.with_user(self.officer).action_approve()
        request.with_user(self.officer2).write({"amount": 40_000.0})
        self.assertFalse(request.first_approved_by_id)
        self.assertFalse(request.awaiting_second_approval)
        # the second officer now gives the first approval, and the first the second
        request.with_user(self.officer2).action_approve()
        self.assertEqual(request.state, "submitted")
        request.with_user(self.officer).action_approve()
        self.assertEqual(self.acme_file.credit_limit, 40_000.0)

    def test_writing_the_same_amount_keeps_the_first_approval(self):
        request = self._request(self.acme, 25_000.0)
        request.with_user(self.officer).action_approve()
        request.with_user(self.officer2).write({"amount": 25_000.0})
        self.assertEqual(request.first_approved_by_id, self.officer)

    def test_either_officer_may_refuse_a_request(self):
        request = self._request(self.acme, 25_000.0)
        request.with_user(self.officer).action_approve()
        request.with_user(self.officer2).write({"decision_note": "Not now"})
        request.with_user(self.officer2).action_reject()
        self.assertEqual(request.state, "rejected")
        self.assertEqual(self.acme_file.credit_limit, 1_000.0)

    def test_a_review_raising_the_limit_above_the_threshold_needs_a_second_officer(self):
        """Bright is the A customer of test_credit_review: its review proposes 23,000.00,
        above 20,000.00, a raise from no limit."""
        _bright, file = self._a_grade_customer("Bright")
        review = self._review(file)
        self.assertEqual(review.final_limit, 23_000.0)
        review.with_user(self.officer).action_approve()
        self.assertEqual((review.state, review.first_approved_by_id), ("to_approve", self.officer))
        self.assertEqual(file.credit_limit, 0.0)
        with self.assertRaises(UserError):
            review.with_user(self.officer).action_approve()
        review.with_user(self.officer2).action_approve()
        self.assertEqual((review.state, review.decided_by_id), ("approved", self.officer2))
        self.assertEqual(file.credit_limit, 23_000.0)

    def test_a_review_at_the_threshold_is_approved_by_one_officer(self):
        _bright, file = self._a_grade_customer("Bright")
        review = self._review(file)
        review.with_user(self.officer).write(
            {"final_limit": 20_000.0, "adjust_reason": "Round figure"}
        )
        review.with_user(self.officer).action_approve()
        self.assertEqual(review.state, "approved")
        self.assertEqual(file.credit_limit, 20_000.0)

    def test_a_review_changed_after_its_first_approval_needs_both_again(self):
        _bright, file = self._a_grade_customer("Bright")
        review = self._review(file)
        review.with_user(self.officer).action_approve()
        review.with_user(self.officer2).write(
            {"final_limit": 21_000.0, "adjust_reason": "A little less"}
        )
        self.assertFalse(review.first_approved_by_id)
        review.with_user(self.officer2).action_approve()
        self.assertEqual(review.first_approved_by_id, self.officer2)
        review.with_user(self.officer).action_approve()
        self.assertEqual(review.state, "approved")
        self.assertEqual(file.credit_limit, 21_000.0)

    def test_a_review_lowering_a_high_limit_is_approved_by_one_officer(self):
        _bright, file = self._a_grade_customer("Bright")
        self._set_rating(file, credit_limit=50_000.0)
        review = self._review(file)
        review.with_user(self.officer).action_approve()
        self.assertEqual(review.state, "approved")
        self.assertEqual(file.credit_limit, 23_000.0)

    def test_a_copy_of_a_first_approved_review_is_refused(self):
        _bright, file = self._a_grade_customer("Bright")
        review = self._review(file)
        review.with_user(self.officer).action_approve()
        with self.assertRaises(AccessError):
            review.with_user(self.officer2).copy()

    def test_the_policy_refuses_negative_thresholds(self):
        with self.assertRaises(ValidationError):
            self.policy.four_eyes_limit_amount = -1.0


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestFourEyesProperty(FourEyesCommon):
    """Random sequences of public calls (approve, approve with a temporary limit, the
    decision wizard, refuse, forge writes, copy, order edits, confirmations, limit requests
    and their edits, policy edits) by a salesperson, two officers and a manager. After every
    step, read from the tables: every hold or request approved in that step which the
    policy in force before the step catches (computed here by hand, not by the code under
    test) has two approvers, different, both credit officers or managers; and every
    confirmed order is covered by a passing check or an approval of at least its total."""

    UNTIL = date(2024, 7, 31)

    def _policy_row(self):
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT four_eyes_enabled, four_eyes_hold_amount, four_eyes_limit_amount,
                      four_eyes_overdue_raises
                 FROM credit_policy WHERE id = %s""",
            [self.policy.id],
        )
        enabled, hold, limit, overdue = self.env.cr.fetchone()
        return {
            "enabled": enabled,
            "hold": hold or 0.0,
            "limit": limit or 0.0,
            "overdue": overdue,
        }

    def _limits(self):
        self.env.cr.execute(
            "SELECT partner_id, credit_limit FROM credit_file WHERE id = ANY(%s)",
            [(self.acme_file | self.late_file).ids],
        )
        return dict(self.env.cr.fetchall())

    def _needs_two(self, policy, limits, partner_id, order_amount=None, new_limit=None):
        """The four-eyes rules, by hand: above is strict, 0 is off, a raise is a new limit
        above the rated one, Late is the customer with overdue money."""
        if not policy["enabled"]:
            return False
        if order_amount is not None and policy["hold"] > 0 and order_amount > policy["hold"]:
            return True
        if new_limit is not None and new_limit > limits[partner_id] + 0.001:
            if policy["limit"] > 0 and new_limit > policy["limit"]:
                return True
            if policy["overdue"] and partner_id == self.late.id:
                return True
        return False

    def _approved_rows(self, holds, requests):
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT 'hold', id, partner_id, order_amount,
                      CASE WHEN decision = 'approve_temporary_limit' THEN temporary_limit END,
                      first_approved_by_id, decided_by_id
                 FROM credit_hold WHERE id = ANY(%s) AND state = 'approved'
               UNION ALL
               SELECT 'request', id, partner_id, NULL, amount, first_approved_by_id,
                      decided_by_id
                 FROM credit_limit_request WHERE id = ANY(%s) AND state = 'approved'""",
            [holds.ids, requests.ids],
        )
        return self.env.cr.fetchall()

    def test_no_sequence_of_calls_approves_with_fewer_than_two_approvers(self):  # pylint: disable=missing-return
        case = self
        env = self.env
        customers = [self.acme, self.late]
        actors = {
            "sales": self.salesperson,
            "officer": self.officer,
            "officer2": self.officer2,
            "manager": self.manager,
        }
        officers = {self.officer.id, self.officer2.id, self.manager.id}

        class FourEyesMachine(RuleBasedStateMachine):
            orders = Bundle("orders")
            requests = Bundle("requests")

            def __init__(self):
                super().__init__()
                self.savepoint = env.cr.savepoint(flush=False)
                self.orders_seen = env["sale.order"]
                self.requests_seen = env["credit.limit.request"]
                self.checked = set()
                self.policy = case._policy_row()
                self.limits = case._limits()

            def teardown(self):
                self.savepoint.close(rollback=True)
                env.invalidate_all()

            # --- orders and holds ---
            @rule(
                target=orders,
                customer=st.integers(0, 1),
                amount=st.sampled_from([2_000.0, 5_000.0, 5_000.01, 8_000.0]),
            )
            def quotation(self, customer, amount):
                order = case._quotation(customers[customer], amount)
                self.orders_seen |= order
                case._refused(order.with_user(case.salesperson).action_confirm)
                return order

            def _pending(self, order):
                return order.credit_hold_ids.filtered(lambda h: h.state == "pending")[:1]

            @rule(order=orders, actor=st.sampled_from(sorted(actors)))
            def approve_once(self, order, actor):
                hold = self._pending(order)
                if hold:
                    case._refused(hold.with_user(actors[actor]).action_approve_once, "ok")

            @rule(
                order=orders,
                actor=st.sampled_from(sorted(actors)),
                amount=st.sampled_from([4_000.0, 20_000.0, 25_000.0]),
            )
            def approve_temporary_limit(self, order, actor, amount):
                hold = self._pending(order)
                if hold:
                    case._refused(
                        hold.with_user(actors[actor]).action_approve_with_temporary_limit,
                        amount,
                        case.UNTIL,
                        "ok",
                    )

            @rule(order=orders, actor=st.sampled_from(sorted(actors)))
            def decide_in_the_wizard(self, order, actor):
                hold = self._pending(order)
                if hold:

                    def decide():
                        env["credit.hold.decision"].with_user(actors[actor]).with_context(
                            active_model="credit.hold", active_ids=hold.ids
                        ).create({"reason": "wizard"}).action_decide()

                    case._refused(decide)

            @rule(order=orders, actor=st.sampled_from(sorted(actors)))
            def reject(self, order, actor):
                hold = self._pending(order)
                if hold:
                    case._refused(hold.with_user(actors[actor]).action_reject, "no")

            @rule(order=orders, price=st.sampled_from([2_000.0, 5_500.0, 9_000.0]))
            def change_price(self, order, price):
                line = order.order_line[:1]
                case._refused(
                    order.with_user(case.salesperson).write,
                    {"order_line": [Command.update(line.id, {"price_unit": price})]},
                )

            @rule(order=orders)
            def confirm_again(self, order):
                case._refused(order.with_user(case.salesperson).action_confirm)

            @rule(
                order=orders,
                actor=st.sampled_from(sorted(actors)),
                forged=st.sampled_from(["state", "first", "both"]),
            )
            def forge_hold(self, order, actor, forged):
                hold = order.credit_hold_ids[:1]
                if not hold:
                    return
                user = actors[actor]
                values = {
                    "state": {"state": "approved", "decided_by_id": user.id},
                    "first": {"first_approved_by_id": case.officer2.id},
                    "both": {
                        "state": "approved",
                        "first_approved_by_id": case.officer2.id,
                        "decided_by_id": user.id,
                    },
                }[forged]
                case.assertTrue(case._refused(hold.with_user(user).write, values))

            @rule(order=orders, actor=st.sampled_from(sorted(actors)))
            def copy_hold(self, order, actor):
                hold = order.credit_hold_ids[:1]
                if hold:
                    case.assertTrue(case._refused(hold.with_user(actors[actor]).copy))

            # --- limit requests ---
            @rule(
                target=requests,
                customer=st.integers(0, 1),
                amount=st.sampled_from([800.0, 1_500.0, 20_000.0, 25_000.0]),
                temporary=st.booleans(),
            )
            def request(self, customer, amount, temporary):
                values = {"temporary": True, "date_end": case.UNTIL} if temporary else {}
                request = case._request(customers[customer], amount, **values)
                self.requests_seen |= request
                return request

            @rule(request=requests, actor=st.sampled_from(sorted(actors)))
            def approve_request(self, request, actor):
                case._refused(request.with_user(actors[actor]).action_approve)

            @rule(request=requests, actor=st.sampled_from(sorted(actors)))
            def reject_request(self, request, actor):
                def reject():
                    request.with_user(actors[actor]).write({"decision_note": "no"})
                    request.with_user(actors[actor]).action_reject()

                case._refused(reject)

            @rule(
                request=requests,
                actor=st.sampled_from(sorted(actors)),
                amount=st.sampled_from([1_500.0, 25_000.0, 30_000.0]),
            )
            def edit_request(self, request, actor, amount):
                case._refused(request.with_user(actors[actor]).write, {"amount": amount})

            @rule(target=requests, request=requests)
            def copy_request(self, request):
                copy = request.with_user(case.salesperson).copy()
                self.requests_seen |= copy
                return copy

            @rule(request=requests, actor=st.sampled_from(sorted(actors)))
            def forge_request(self, request, actor):
                user = actors[actor]
                case.assertTrue(
                    case._refused(
                        request.with_user(user).write,
                        {"state": "approved", "first_approved_by_id": case.officer2.id},
                    )
                )

            # --- the policy ---
            @rule(
                enabled=st.booleans(),
                hold=st.sampled_from([0.0, 2_000.0, 5_000.0, 10_000.0]),
                limit=st.sampled_from([0.0, 5_000.0, 20_000.0]),
                overdue=st.booleans(),
            )
            def edit_policy(self, enabled, hold, limit, overdue):
                case.policy.with_user(case.manager).write(
                    {
                        "four_eyes_enabled": enabled,
                        "four_eyes_hold_amount": hold,
                        "four_eyes_limit_amount": limit,
                        "four_eyes_overdue_raises": overdue,
                    }
                )

            @invariant()
            def two_different_officers_approved_what_the_policy_catches(self):
                holds = self.orders_seen.credit_hold_ids
                for kind, rec_id, partner, amount, new_limit, first, decided in case._approved_rows(
                    holds, self.requests_seen
                ):
                    if (kind, rec_id) in self.checked:
                        continue
                    self.checked.add((kind, rec_id))
                    case.assertIn(decided, officers)
                    if case._needs_two(self.policy, self.limits, partner, amount, new_limit):
                        case.assertIn(first, officers, f"{kind} {rec_id}: no first approval")
                        case.assertNotEqual(first, decided, f"{kind} {rec_id}: one approver")
                env.cr.execute(UNCOVERED_SQL, [self.orders_seen.ids])
                case.assertEqual(env.cr.fetchall(), [], "confirmed orders without cover")
                self.policy = case._policy_row()
                self.limits = case._limits()

        run_state_machine_as_test(
            FourEyesMachine,
            settings=settings(
                max_examples=12,
                stateful_step_count=20,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
