from datetime import date, datetime
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from .common import CreditOrderCommon

SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9aw"
    "AAAABJRU5ErkJggg=="
)
"""A customer's signature on the portal (a 1x1 PNG)."""


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestCreditHoldDecision(CreditOrderCommon):
    """Acme is rated A with a limit of 10,000.00 and owes 3,000.00 (not due): the
    salesperson's order of 8,000.00 is held 1,000.00 over the limit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme, cls.file = cls._rated("Acme", limit=10_000.0)
        cls._invoice(cls.acme, "2024-06-20", "2024-07-20", 3_000.0)

    def setUp(self):
        super().setUp()
        self.order = self._quotation(self.acme, 8_000.0)
        self.order.with_user(self.salesperson).action_confirm()
        self.hold = self.order.credit_hold_ids
        self.assertEqual(self.hold.state, "pending")

    def _as(self, user, hold=None):
        return (hold or self.hold).with_user(user)

    def _assert_figures_kept(self, hold):
        self.assertAlmostEqual(hold.order_amount, 8_000.0, places=2)
        self.assertAlmostEqual(hold.exposure, 3_000.0, places=2)
        self.assertAlmostEqual(hold.credit_limit, 10_000.0, places=2)

    # ------------------------------------------------------------------
    # approve once
    # ------------------------------------------------------------------
    def test_an_officer_approves_once_and_the_order_is_confirmed_as_its_requester(self):
        self._as(self.officer).action_approve_once("Long-standing customer, big season")
        self.assertEqual(self.order.state, "sale")
        self.assertEqual(self.order.write_uid, self.salesperson)
        self.assertEqual(self.order.credit_hold_state, "approved")
        self.assertAlmostEqual(self.order.credit_checked_amount, 8_000.0, places=2)
        self.assertEqual(self.hold.state, "approved")
        self.assertEqual(self.hold.decision, "approve_once")
        self.assertEqual(self.hold.decision_reason, "Long-standing customer, big season")
        self.assertEqual(self.hold.decided_by_id, self.officer)
        self.assertEqual(self.hold.decided_on, datetime(2024, 6, 30))
        self._assert_figures_kept(self.hold)
        self.assertFalse(self.hold.activity_ids)
        self.assertEqual(len(self.order.credit_hold_ids), 1)

    def test_approving_an_order_the_customer_signed_sends_the_confirmation_mail(self):
        SaleOrder = type(self.env["sale.order"])
        with patch.object(SaleOrder, "_send_order_confirmation_mail", autospec=True) as sent:
            self._as(self.officer).action_approve_once()
        self.assertFalse(sent.called)  # entered in the backend: no mail, as Odoo does
        other = self._quotation(self.acme, 8_000.0)
        other.write({"signature": SIGNATURE, "signed_by": "Buyer"})
        other.with_user(self.salesperson).action_confirm()
        hold = other.credit_hold_ids
        with patch.object(SaleOrder, "_send_order_confirmation_mail", autospec=True) as sent:
            self._as(self.officer, hold).action_approve_once()
        self.assertEqual(other.state, "sale")
        self.assertEqual([call.args[0] for call in sent.call_args_list], [other])

    def test_approving_once_leaves_the_limit_alone(self):
        self._as(self.officer).action_approve_once()
        self.assertAlmostEqual(self.file.effective_limit, 10_000.0, places=2)
        self.assertFalse(self.file.temporary_limit)
        # the next order finds 3,000.00 + 8,000.00 used of 10,000.00
        order = self._quotation(self.acme, 1.0)
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertAlmostEqual(order.credit_hold_ids.exposure, 11_000.0, places=2)

    def test_a_manager_decides_too(self):
        self._as(self.manager).action_approve_once()
        self.assertEqual(self.order.state, "sale")
        self.assertEqual(self.hold.decided_by_id, self.manager)

    # ------------------------------------------------------------------
    # approve with a temporary limit
    # ------------------------------------------------------------------
    def test_approving_with_a_temporary_limit_raises_the_limit_until_its_end(self):
        self._as(self.officer).action_approve_with_temporary_limit(
            15_000.0, date(2024, 7, 31), "Season peak"
        )
        self.assertEqual(self.order.state, "sale")
        self.assertEqual(self.hold.state, "approved")
        self.assertEqual(self.hold.decision, "approve_temporary_limit")
        self.assertAlmostEqual(self.hold.temporary_limit, 15_000.0, places=2)
        self.assertEqual(self.hold.temporary_limit_until, date(2024, 7, 31))
        self.assertEqual(self.hold.decision_reason, "Season peak")
        self.assertEqual(self.hold.decided_by_id, self.officer)
        self.assertAlmostEqual(self.file.temporary_limit, 15_000.0, places=2)
        self.assertEqual(self.file.temporary_limit_until, date(2024, 7, 31))
        self.assertAlmostEqual(self.file.effective_limit, 15_000.0, places=2)
        self.assertAlmostEqual(self.file.credit_limit, 10_000.0, places=2)
        self.assertAlmostEqual(
            self.acme.with_company(self.company).credit_limit, 15_000.0, places=2
        )
        audit = self.file.message_ids.filtered(lambda m: "Temporary limit" in (m.body or ""))
        self.assertEqual(len(audit), 1)
        self.assertIn(self.order.name, audit.body)
        self.assertIn("Officer", audit.body)
        self.assertIn("15,000.00", audit.body)
        # 3,000.00 + 8,000.00 used: 4,000.00 left under the temporary limit
        fits = self._quotation(self.acme, 4_000.0)
        fits.with_user(self.salesperson).action_confirm()
        self.assertEqual(fits.state, "sale")

    def test_the_temporary_limit_ends_with_the_expiry_job(self):
        self._as(self.officer).action_approve_with_temporary_limit(15_000.0, date(2024, 7, 31))
        with freeze_time("2024-07-31"):
            self.env["credit.file"]._cron_expire_temporary_limits()
            self.file.invalidate_recordset()
            self.assertAlmostEqual(self.file.effective_limit, 15_000.0, places=2)
        with freeze_time("2024-08-01"):
            self.env["credit.file"]._cron_expire_temporary_limits()
            self.file.invalidate_recordset()
            self.assertFalse(self.file.temporary_limit)
            self.assertFalse(self.file.temporary_limit_until)
            self.assertAlmostEqual(self.file.effective_limit, 10_000.0, places=2)
            self.assertAlmostEqual(
                self.acme.with_company(self.company).credit_limit, 10_000.0, places=2
            )
            ended = self.file.message_ids.filtered(lambda m: "ended on" in (m.body or ""))
            self.assertEqual(len(ended), 1)

    def test_a_temporary_limit_needs_a_positive_amount_and_an_end_date(self):
        cases = ((0.0, date(2024, 7, 31)), (-1.0, date(2024, 7, 31)), (1.0, False))
        for amount, date_end in cases:
            with self.subTest(amount=amount, date_end=date_end), self.assertRaises(UserError):
                self._as(self.officer).action_approve_with_temporary_limit(amount, date_end)
        self.assertEqual(self.hold.state, "pending")
        self.assertEqual(self.order.state, "draft")

    # ------------------------------------------------------------------
    # reject
    # ------------------------------------------------------------------
    def test_rejecting_needs_a_reason(self):
        for reason in ("", "   ", None):
            with self.subTest(reason=reason), self.assertRaises(UserError):
                self._as(self.officer).action_reject(reason)
        self.assertEqual(self.hold.state, "pending")

    def test_a_rejected_order_stays_a_quotation_and_the_salesperson_is_told(self):
        self._as(self.officer).action_reject("Pay the May invoices first")
        self.assertEqual(self.order.state, "draft")
        self.assertEqual(self.order.credit_hold_state, "rejected")
        self.assertEqual(self.hold.state, "rejected")
        self.assertEqual(self.hold.decision, "reject")
        self.assertEqual(self.hold.decision_reason, "Pay the May invoices first")
        self.assertEqual(self.hold.decided_by_id, self.officer)
        self.assertEqual(self.hold.decided_on, datetime(2024, 6, 30))
        self._assert_figures_kept(self.hold)
        self.assertFalse(self.hold.activity_ids)
        told = self.order.message_ids.filtered(lambda m: "rejected" in (m.body or ""))
        self.assertEqual(len(told), 1)
        self.assertIn("Pay the May invoices first", told.body)
        self.assertIn(self.salesperson.partner_id, told.partner_ids)

    # ------------------------------------------------------------------
    # who decides
    # ------------------------------------------------------------------
    def test_a_salesperson_cannot_decide(self):
        for user in (self.salesperson, self.credit_user, self.plain_employee):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self._as(user).action_approve_once()
                with self.assertRaises(AccessError):
                    self._as(user).action_approve_with_temporary_limit(20_000.0, date(2024, 7, 31))
                with self.assertRaises(AccessError):
                    self._as(user).action_reject("No")
        self.assertEqual(self.hold.state, "pending")
        self.assertEqual(self.order.state, "draft")
        self.assertFalse(self.file.temporary_limit)

    def test_a_salesperson_cannot_write_the_decision_on_the_hold(self):
        with self.assertRaises(AccessError):
            self._as(self.salesperson).write({"state": "approved", "decision": "approve_once"})
        self.assertEqual(self.hold.state, "pending")

    def test_the_wizard_proposes_the_temporary_limit_the_order_needs(self):
        """3,000.00 owed + the order's 8,000.00: a limit of 11,000.00, for a month; taken as
        proposed, the order is confirmed."""
        wizard = (
            self.env["credit.hold.decision"]
            .with_user(self.officer)
            .with_context(active_model="credit.hold", active_ids=self.hold.ids)
            .create({"decision": "approve_temporary_limit"})
        )
        self.assertAlmostEqual(wizard.temporary_limit, 11_000.0, places=2)
        self.assertEqual(wizard.temporary_limit_until, date(2024, 7, 30))
        wizard.action_decide()
        self.assertEqual(self.order.state, "sale")
        self.assertAlmostEqual(self.file.temporary_limit, 11_000.0, places=2)

    def test_the_order_chatter_says_who_released_it_on_credit_and_why(self):
        self._as(self.officer).action_approve_once("Long-standing customer, pays late but pays")
        self.assertEqual(self.order.state, "sale")
        note = self.order.message_ids.filtered(lambda m: "Released on credit" in str(m.body))
        self.assertEqual(len(note), 1)
        self.assertEqual(note.author_id, self.officer.partner_id)
        self.assertIn("Approve this order", str(note.body))
        self.assertIn("Long-standing customer, pays late but pays", str(note.body))

    def test_the_wizard_proposes_no_temporary_limit_to_approve_once(self):
        wizard = (
            self.env["credit.hold.decision"]
            .with_user(self.officer)
            .with_context(active_model="credit.hold", active_ids=self.hold.ids)
            .create({"decision": "approve_once"})
        )
        self.assertFalse(wizard.temporary_limit)

    def test_a_salesperson_cannot_use_the_decision_wizard(self):
        with self.assertRaises(AccessError):
            self.env["credit.hold.decision"].with_user(self.salesperson).with_context(
                active_model="credit.hold", active_ids=self.hold.ids
            ).create({"decision": "approve_once"}).action_decide()
        self.assertEqual(self.hold.state, "pending")

    def _officers_own_held_order(self):
        order = self._quotation(self.acme, 8_000.0, salesperson=self.officer)
        order.with_user(self.officer).action_confirm()
        self.assertEqual(order.state, "draft")
        return order, order.credit_hold_ids

    def test_an_officer_cannot_release_their_own_order(self):
        order, hold = self._officers_own_held_order()
        self.assertFalse(self.policy.officer_may_approve_own)
        with self.assertRaises(AccessError):
            self._as(self.officer, hold).action_approve_once()
        with self.assertRaises(AccessError):
            self._as(self.officer, hold).action_approve_with_temporary_limit(
                20_000.0, date(2024, 7, 31)
            )
        self.assertEqual(hold.state, "pending")
        self.assertEqual(order.state, "draft")
        # another officer (here the manager) decides
        self._as(self.manager, hold).action_approve_once()
        self.assertEqual(order.state, "sale")

    def test_an_officer_releases_their_own_order_when_the_policy_allows_it(self):
        order, hold = self._officers_own_held_order()
        self.policy.officer_may_approve_own = True
        self._as(self.officer, hold).action_approve_once("Allowed by policy")
        self.assertEqual(order.state, "sale")
        self.assertEqual(hold.decided_by_id, self.officer)

    def test_a_decided_hold_cannot_be_decided_again(self):
        self._as(self.officer).action_reject("Not now")
        with self.assertRaises(UserError):
            self._as(self.officer).action_approve_once()
        with self.assertRaises(UserError):
            self._as(self.manager).action_approve_with_temporary_limit(20_000.0, date(2024, 7, 31))
        with self.assertRaises(UserError):
            self._as(self.officer).action_reject("Again")
        self.assertEqual(self.hold.state, "rejected")
        self.assertEqual(self.hold.decision_reason, "Not now")
        self.assertEqual(self.order.state, "draft")
        self.assertFalse(self.file.temporary_limit)

    def test_an_approved_hold_cannot_be_approved_again(self):
        self._as(self.officer).action_approve_once("Yes")
        with self.assertRaises(UserError):
            self._as(self.manager).action_approve_once("Yes again")
        self.assertEqual(self.hold.decided_by_id, self.officer)

    # ------------------------------------------------------------------
    # the wizard
    # ------------------------------------------------------------------
    def _wizard(self, holds, user=None, **values):
        return (
            self.env["credit.hold.decision"]
            .with_user(user or self.officer)
            .with_context(active_model="credit.hold", active_ids=holds.ids)
            .create(values)
        )

    def test_the_wizard_rejects_the_selected_holds_with_the_reason(self):
        other = self._quotation(self.acme, 9_000.0)
        other.with_user(self.salesperson).action_confirm()
        holds = self.hold | other.credit_hold_ids
        self._wizard(holds, decision="reject", reason="Overdue elsewhere").action_decide()
        self.assertEqual(holds.mapped("state"), ["rejected", "rejected"])
        self.assertEqual(holds.mapped("decision_reason"), ["Overdue elsewhere"] * 2)

    def test_the_wizard_approves_with_a_temporary_limit(self):
        self._wizard(
            self.hold,
            decision="approve_temporary_limit",
            temporary_limit=12_000.0,
            temporary_limit_until=date(2024, 7, 15),
            reason="Peak",
        ).action_decide()
        self.assertEqual(self.order.state, "sale")
        self.assertAlmostEqual(self.file.effective_limit, 12_000.0, places=2)
        self.assertEqual(self.hold.temporary_limit_until, date(2024, 7, 15))

    def test_the_wizard_refuses_a_rejection_without_reason(self):
        with self.assertRaises(UserError):
            self._wizard(self.hold, decision="reject").action_decide()
        self.assertEqual(self.hold.state, "pending")

    # ------------------------------------------------------------------
    # an approval covers that order at that amount
    # ------------------------------------------------------------------
    def test_an_order_raised_while_waiting_goes_back_through_the_check_on_approval(self):
        self.order.order_line.price_unit = 8_000.01
        self._as(self.officer).action_approve_once()
        self.assertEqual(self.hold.state, "approved")
        self.assertEqual(self.order.state, "draft")
        new = self._holds(self.order, "pending")
        self.assertEqual(len(new), 1)
        self.assertAlmostEqual(new.order_amount, 8_000.01, places=2)
        self.assertEqual(self.order.credit_hold_state, "pending")

    def test_an_order_lowered_while_waiting_is_covered_by_the_approval(self):
        self.file.on_hold = True  # the lower amount would still fail on its own
        self.order.order_line.price_unit = 7_999.99
        self._as(self.officer).action_approve_once()
        self.assertEqual(self.order.state, "sale")
        self.assertEqual(len(self.order.credit_hold_ids), 1)

    def _approved_then_back_to_quotation(self):
        self._as(self.officer).action_approve_once()
        self.assertEqual(self.order.state, "sale")
        self.order._action_cancel()
        self.order.action_draft()
        self.assertEqual(self.order.state, "draft")

    def test_an_approval_is_used_up_when_its_order_goes_back_to_quotation(self):
        self._approved_then_back_to_quotation()
        self.assertEqual(self.hold.state, "voided")
        self.order.with_user(self.salesperson).action_confirm()
        self.assertEqual(self.order.state, "draft")
        self.assertEqual(len(self._holds(self.order, "pending")), 1)

    def test_an_approved_order_raised_afterwards_is_held_again(self):
        self._approved_then_back_to_quotation()
        self.order.order_line.write({"product_uom_qty": 2, "price_unit": 8_000.0})
        self.assertAlmostEqual(self.order.amount_total, 16_000.0, places=2)
        self.order.with_user(self.salesperson).action_confirm()
        self.assertEqual(self.order.state, "draft")
        new = self._holds(self.order, "pending")
        self.assertEqual(len(new), 1)
        self.assertAlmostEqual(new.order_amount, 16_000.0, places=2)
        self.assertAlmostEqual(new.exposure, 3_000.0, places=2)
        self.assertEqual(self.hold.state, "voided")

    def test_an_approval_covers_its_own_order_only(self):
        self._as(self.officer).action_approve_once()
        twin = self._quotation(self.acme, 8_000.0)
        twin.with_user(self.salesperson).action_confirm()
        self.assertEqual(twin.state, "draft")
        self.assertEqual(twin.credit_hold_state, "pending")
