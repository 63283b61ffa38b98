"""The credit gate as an invariant: at every commit, every confirmed order is covered by a
passing check or an officer's approval bound to its current customer, company, currency and
total. Examples of each path an attacker took, then a property-based test (a hypothesis
state machine) applying random sequences of public calls as a salesperson and as an officer
on their own orders, with the invariant checked by an independent SQL query after every
step."""

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
from odoo.tests import new_test_user, tagged

from .common import CreditOrderCommon

REFUSED = (AccessError, UserError, ValidationError)

UNCOVERED_SQL = """
    SELECT so.id
      FROM sale_order so
      JOIN res_partner p ON p.id = so.partner_id
     WHERE so.id = ANY(%s)
       AND so.state = 'sale'
       AND NOT (
            -- a passing check, bound to the order as it is now
            (so.credit_cover_source IN ('check', 'import', 'install')
             AND so.credit_cover_partner_id = p.commercial_partner_id
             AND so.credit_cover_company_id = so.company_id
             AND so.credit_cover_currency_id = so.currency_id
             AND so.credit_cover_total >= so.amount_total)
            -- or an officer's approval of this order, bound the same way
         OR EXISTS (
                SELECT 1 FROM credit_hold h
                 WHERE h.order_id = so.id
                   AND h.state = 'approved'
                   AND h.partner_id = p.commercial_partner_id
                   AND h.company_id = so.company_id
                   AND h.order_currency_id = so.currency_id
                   AND h.order_total >= so.amount_total
                   AND h.decided_by_id IS NOT NULL
                   AND h.decided_by_id != so.user_id
            )
       )
"""
"""Confirmed orders covered by nothing, read from the tables (not through the code under
test). A cover is a passing check (or, outside the gate, an administrator's entry of a
confirmed order or an order confirmed before the addon was installed), or an approval.
Approvals by the order's own salesperson do not count: the tests' policy forbids officers to
release their own orders."""


class InvariantMixin:
    @classmethod
    def _selling_officer(cls):
        """A credit officer who also sells (orders of their own)."""
        return new_test_user(
            cls.env,
            login="cm_selling_officer",
            groups="sales_team.group_sale_salesman,credit_management.group_credit_officer",
            name="Selling Officer",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def assertAllCovered(self, orders):
        self.env.flush_all()
        self.env.cr.execute(UNCOVERED_SQL, [orders.ids])
        self.assertEqual(self.env.cr.fetchall(), [], "confirmed orders without credit cover")

    def _refused(self, call, *args, **kwargs):
        """Run a public call in a savepoint that flushes (as a commit would, running the
        pre-commit checks); True when it was refused, and then nothing of it stays."""
        try:
            with self.env.cr.savepoint():
                call(*args, **kwargs)
        except REFUSED:
            self.env.invalidate_all()
            return True
        return False


@tagged("post_install", "-at_install")
class TestCreditInvariant(InvariantMixin, CreditOrderCommon):
    """Acme is rated A with a limit of 1,000.00 and owes nothing; Blocked is on credit hold
    with a limit of 0."""

    VALID = date(2099, 12, 31)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.officer_may_approve_own = False
        cls.selling_officer = cls._selling_officer()
        cls.acme, cls.file = cls._rated("Acme", limit=1_000.0, valid_until=cls.VALID)
        cls.blocked, cls.blocked_file = cls._rated(
            "Blocked", limit=0.0, valid_until=cls.VALID, on_hold=True
        )

    def _confirmed(self, partner, amount):
        order = self._quotation(partner, amount)
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "sale")
        return order

    def _held(self, partner, amount, salesperson=None):
        order = self._quotation(partner, amount, salesperson=salesperson)
        order.with_user(salesperson or self.salesperson).action_confirm()
        self.assertEqual(order.credit_hold_state, "pending")
        return order

    # ------------------------------------------------------------------
    # state
    # ------------------------------------------------------------------
    def test_a_cancelled_held_quotation_cannot_be_written_to_sale(self):
        order = self._held(self.acme, 5_000.0)
        as_sales = order.with_user(self.salesperson).with_context(disable_cancel_warning=True)
        as_sales.action_cancel()
        self.assertEqual(order.state, "cancel")
        self.assertTrue(self._refused(as_sales.write, {"state": "sale"}))
        self.assertEqual(order.state, "cancel")
        self.assertAllCovered(order)

    def test_a_quotation_written_to_cancel_then_to_sale_is_refused(self):
        order = self._quotation(self.acme, 5_000.0).with_user(self.salesperson)
        order.write({"state": "cancel"})
        self.assertTrue(self._refused(order.write, {"state": "sale"}))
        self.assertEqual(order.state, "cancel")

    def test_no_context_unlocks_the_sale_state(self):
        order = self._quotation(self.acme, 5_000.0).with_user(self.salesperson)
        for key in ("credit_management.gate_passed", "install_mode", "audit_writer", "su"):
            with self.subTest(key=key):
                self.assertTrue(
                    self._refused(order.with_context(**{key: True}).write, {"state": "sale"})
                )
        self.assertEqual(order.state, "draft")

    # ------------------------------------------------------------------
    # amounts of a confirmed order
    # ------------------------------------------------------------------
    def test_raising_a_confirmed_order_beyond_the_limit_is_refused(self):
        order = self._confirmed(self.acme, 500.0)
        line = order.order_line
        as_sales = order.with_user(self.salesperson)
        # the quantity raised in the form
        self.assertTrue(
            self._refused(
                as_sales.write, {"order_line": [Command.update(line.id, {"product_uom_qty": 300})]}
            )
        )
        # a line written directly
        as_line = line.with_user(self.salesperson)
        self.assertTrue(self._refused(as_line.write, {"price_unit": 1_500}))
        # a line added directly
        self.assertTrue(
            self._refused(
                self.env["sale.order.line"].with_user(self.salesperson).create,
                {"order_id": order.id, "product_id": self.goods.id, "price_unit": 149_500.0},
            )
        )
        self.assertEqual(order.amount_total, 500.0)
        self.assertEqual(len(order.order_line), 1)
        self.assertAllCovered(order)

    def test_raising_a_confirmed_order_within_the_limit_is_checked_and_covered(self):
        order = self._confirmed(self.acme, 500.0)
        order.with_user(self.salesperson).write(
            {"order_line": [Command.update(order.order_line.id, {"price_unit": 1_000.0})]}
        )
        self.env.cr.flush()
        self.assertEqual(order.amount_total, 1_000.0)
        self.assertEqual(order.credit_cover_total, 1_000.0)
        self.assertEqual(order.credit_cover_source, "check")
        self.assertAllCovered(order)

    def test_credit_given_back_cannot_be_taken_again_unchecked(self):
        order = self._confirmed(self.acme, 1_000.0)
        order.with_user(self.salesperson).write(
            {"order_line": [Command.update(order.order_line.id, {"price_unit": 400.0})]}
        )
        self.env.cr.flush()  # the commit lowers the cover to the new total
        self.assertEqual(order.credit_cover_total, 400.0)
        self._confirmed(self.acme, 600.0)  # uses the credit given back
        self.assertTrue(
            self._refused(
                order.with_user(self.salesperson).write,
                {"order_line": [Command.update(order.order_line.id, {"price_unit": 1_000.0})]},
            )
        )
        self.assertEqual(order.amount_total, 400.0)

    # ------------------------------------------------------------------
    # customer, company, currency
    # ------------------------------------------------------------------
    def test_a_confirmed_order_cannot_be_moved_to_a_customer_on_hold(self):
        order = self._confirmed(self.acme, 500.0)
        self.assertTrue(
            self._refused(order.with_user(self.salesperson).write, {"partner_id": self.blocked.id})
        )
        self.assertEqual(order.partner_id, self.acme)
        self.assertAllCovered(order)

    def test_a_confirmed_order_moved_to_a_customer_with_credit_is_checked_for_it(self):
        other, _file = self._rated("Other", limit=800.0, valid_until=self.VALID)
        order = self._confirmed(self.acme, 500.0)
        order.with_user(self.salesperson).write({"partner_id": other.id})
        self.env.cr.flush()
        self.assertEqual(order.credit_cover_partner_id, other)
        self.assertAllCovered(order)

    def test_a_confirmed_order_moved_to_another_currency_is_checked_again(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["res.currency.rate"].create(
            {
                "name": "2000-01-01",
                "rate": 0.1,
                "currency_id": eur.id,
                "company_id": self.company.id,
            }
        )
        pricelist = self.env["product.pricelist"].create({"name": "EUR", "currency_id": eur.id})
        order = self._confirmed(self.acme, 500.0)
        # 500 EUR are 5,000 in company currency: over the limit
        self.assertTrue(
            self._refused(order.with_user(self.salesperson).write, {"pricelist_id": pricelist.id})
        )
        self.assertEqual(order.currency_id, self.currency)
        self.assertAllCovered(order)

    def test_a_contact_moved_to_a_customer_on_hold_takes_no_order_with_it(self):
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": self.acme.id})
        order = self._quotation(contact, 500.0)
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertTrue(
            self._refused(contact.with_user(self.salesperson).write, {"parent_id": self.blocked.id})
        )
        self.assertEqual(contact.commercial_partner_id, self.acme)
        self.assertAllCovered(order)

    def test_the_computed_amounts_the_exposure_reads_cannot_be_written(self):
        order = self._confirmed(self.acme, 500.0)
        line = order.order_line
        for record, values in (
            (order, {"amount_total": 1.0}),
            (order, {"currency_rate": 1000.0}),
            (order, {"credit_hold_state": "approved"}),
            (line, {"price_total": 1.0}),
            (line, {"qty_invoiced": 1.0}),
        ):
            with self.subTest(values=values):
                self.assertTrue(self._refused(record.with_user(self.salesperson).write, values))
        self.assertEqual(order.amount_total, 500.0)
        self.assertEqual(line.price_total, 500.0)

    # ------------------------------------------------------------------
    # approvals are used up
    # ------------------------------------------------------------------
    def test_an_approval_is_voided_by_cancel_and_does_not_follow_a_new_customer(self):
        order = self._held(self.acme, 5_000.0)
        hold = order.credit_hold_ids
        hold.with_user(self.manager).action_approve_once("Good customer")
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.credit_cover_source, "approval")
        as_sales = order.with_user(self.salesperson).with_context(disable_cancel_warning=True)
        as_sales.action_cancel()
        self.assertEqual(hold.state, "voided")
        self.assertTrue(hold.void_reason)
        self.assertFalse(order.credit_cover_source)
        as_sales.action_draft()
        as_sales.write({"partner_id": self.blocked.id})
        as_sales.action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.credit_hold_state, "pending")
        self.assertAllCovered(order)

    def test_an_approved_order_confirmed_again_after_draft_needs_a_new_decision(self):
        order = self._held(self.acme, 5_000.0)
        order.credit_hold_ids.with_user(self.manager).action_approve_once("ok")
        as_sales = order.with_user(self.salesperson).with_context(disable_cancel_warning=True)
        as_sales.action_cancel()
        as_sales.action_draft()
        as_sales.action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.credit_hold_state, "pending")

    def test_an_approval_covers_its_total_and_no_more(self):
        order = self._held(self.acme, 5_000.0)
        order.credit_hold_ids.with_user(self.manager).action_approve_once("ok")
        as_sales = order.with_user(self.salesperson)
        self.assertTrue(
            self._refused(
                as_sales.write,
                {"order_line": [Command.update(order.order_line.id, {"price_unit": 5_000.01})]},
            )
        )
        as_sales.write(
            {"order_line": [Command.update(order.order_line.id, {"price_unit": 4_000.0})]}
        )
        self.env.cr.flush()
        self.assertAllCovered(order)

    # ------------------------------------------------------------------
    # the decision is the officer's, through the decision methods only
    # ------------------------------------------------------------------
    def test_an_officer_cannot_write_the_decision_of_a_hold_on_their_own_order(self):
        order = self._held(self.acme, 5_000.0, salesperson=self.selling_officer)
        hold = order.credit_hold_ids.with_user(self.selling_officer)
        for values in (
            {"state": "approved"},
            {"state": "approved", "order_total": 1e9, "order_amount": 1e9},
            {"decided_by_id": self.manager.id},
        ):
            with self.subTest(values=values):
                self.assertTrue(self._refused(hold.write, values))
        self.assertTrue(self._refused(hold.action_approve_once, "mine"))
        order.with_user(self.selling_officer).action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertEqual(hold.state, "cancelled")  # replaced by the new pending hold

    def test_no_one_creates_an_approved_hold(self):
        order = self._quotation(self.acme, 5_000.0)
        for user in (self.officer, self.manager):
            with self.subTest(user=user.login):
                self.assertTrue(
                    self._refused(
                        self.env["credit.hold"].with_user(user).create,
                        {
                            "order_id": order.id,
                            "partner_id": self.acme.id,
                            "company_id": self.company.id,
                            "state": "approved",
                            "order_currency_id": self.currency.id,
                            "order_total": 5_000.0,
                        },
                    )
                )
        self.assertFalse(order.credit_hold_ids)

    def test_the_cover_of_an_order_is_written_by_the_gate_only(self):
        order = self._quotation(self.acme, 5_000.0)
        for user in (self.salesperson, self.manager):
            with self.subTest(user=user.login):
                self.assertTrue(
                    self._refused(
                        order.with_user(user).write,
                        {"credit_cover_source": "check", "credit_cover_total": 1e9},
                    )
                )
        self.assertFalse(order.credit_cover_source)

    # ------------------------------------------------------------------
    # other paths
    # ------------------------------------------------------------------
    def test_what_confirming_does_runs_only_for_covered_confirmed_orders(self):
        held = self._held(self.acme, 5_000.0)
        # another module calling the second half of a confirmation on a quotation
        with self.assertRefusedWithoutWriting(UserError):
            held.with_user(self.salesperson).sudo()._action_confirm()
        self.assertEqual(held.state, "draft")

    def test_a_copy_of_a_confirmed_order_is_an_uncovered_quotation(self):
        order = self._confirmed(self.acme, 500.0)
        copy = order.with_user(self.salesperson).copy()
        self.assertEqual(copy.state, "draft")
        self.assertFalse(copy.credit_cover_source)
        self.assertFalse(copy.credit_hold_ids)

    def test_an_administrator_entering_a_confirmed_order_covers_it_in_the_chatter(self):
        admin = new_test_user(
            self.env,
            login="cm_sysadmin",
            groups="base.group_system,sales_team.group_sale_manager",
            name="System Administrator",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        order = self._quotation(self.blocked, 5_000.0)
        order.with_user(admin).write({"state": "sale"})
        self.assertEqual(order.credit_cover_source, "import")
        self.assertIn(admin.name, order.message_ids[0].body)
        self.assertAllCovered(order)

    def test_orders_confirmed_before_credit_control_are_covered_as_they_are(self):
        order = self._confirmed(self.acme, 500.0)
        self.env.cr.execute(
            "UPDATE sale_order SET credit_cover_source = NULL, credit_cover_partner_id = NULL,"
            " credit_cover_company_id = NULL, credit_cover_currency_id = NULL,"
            " credit_cover_total = NULL WHERE id = %s",
            [order.id],
        )
        order.invalidate_recordset()
        self.env["sale.order"]._credit_cover_existing_orders()
        self.assertEqual(order.credit_cover_source, "install")
        self.assertEqual(order.credit_cover_total, 500.0)
        self.assertEqual(order.credit_cover_partner_id, self.acme)
        self.assertAllCovered(order)

    def test_the_invariant_is_checked_before_commit_whatever_wrote_the_order(self):
        order = self._confirmed(self.acme, 500.0)
        # a path the ORM hooks do not see (e.g. another module's low-level write): the
        # pre-commit check still finds the uncovered order and sends it through the gate
        order._credit_touch()
        self.env.cr.execute(
            "UPDATE sale_order SET partner_id = %s WHERE id = %s", [self.blocked.id, order.id]
        )
        order.invalidate_recordset()
        with self.assertRefusedWithoutWriting(UserError):
            self.env.cr.flush()


@tagged("post_install", "-at_install")
class TestCreditInvariantProperty(InvariantMixin, CreditOrderCommon):
    """Random sequences of public calls by a salesperson and by an officer on their own
    orders; after every step, every confirmed order is covered (independent SQL), and no
    customer's confirmed orders exceed its limit beyond what officers approved."""

    VALID = date(2099, 12, 31)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.officer_may_approve_own = False
        cls.selling_officer = cls._selling_officer()
        cls.customers = [
            cls._rated("Small", limit=1_000.0, valid_until=cls.VALID)[0],
            cls._rated("Large", limit=5_000.0, valid_until=cls.VALID)[0],
            cls._rated("Held", limit=3_000.0, valid_until=cls.VALID, on_hold=True)[0],
        ]

    def _over_limit(self, orders):
        """Customers whose confirmed orders exceed limit + what officers approved."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT p.commercial_partner_id
              FROM sale_order so
              JOIN res_partner p ON p.id = so.partner_id
              JOIN credit_file f
                ON f.partner_id = p.commercial_partner_id AND f.company_id = so.company_id
             WHERE so.id = ANY(%s) AND so.state = 'sale'
          GROUP BY p.commercial_partner_id, f.credit_limit
            HAVING SUM(so.amount_total) > f.credit_limit + COALESCE(SUM(
                       so.amount_total) FILTER (WHERE so.credit_cover_source = 'approval'), 0)
                       + 0.001
            """,
            [orders.ids],
        )
        return self.env.cr.fetchall()

    def test_no_sequence_of_public_calls_confirms_an_uncovered_order(self):  # pylint: disable=missing-return
        case = self
        env = self.env
        actors = {"sales": self.salesperson, "officer": self.selling_officer}

        class GateMachine(RuleBasedStateMachine):
            orders = Bundle("orders")

            def __init__(self):
                super().__init__()
                self.savepoint = env.cr.savepoint(flush=False)
                self.all = env["sale.order"]

            def teardown(self):
                self.savepoint.close(rollback=True)
                env.invalidate_all()

            @rule(
                target=orders,
                customer=st.integers(0, 2),
                amount=st.sampled_from([100.0, 600.0, 999.99, 1_000.0, 2_500.0, 6_000.0]),
                actor=st.sampled_from(sorted(actors)),
            )
            def quotation(self, customer, amount, actor):
                order = case._quotation(case.customers[customer], amount, salesperson=actors[actor])
                self.all |= order
                return order

            def _as(self, order):
                return order.with_user(order.user_id)

            @rule(order=orders)
            def confirm(self, order):
                case._refused(self._as(order).action_confirm)

            @rule(order=orders, state=st.sampled_from(["sale", "cancel", "draft", "sent"]))
            def write_state(self, order, state):
                case._refused(self._as(order).write, {"state": state})

            @rule(order=orders)
            def cancel(self, order):
                # the public button, past Odoo's "are you sure" wizard
                case._refused(
                    self._as(order).with_context(disable_cancel_warning=True).action_cancel
                )

            @rule(order=orders)
            def reset_to_draft(self, order):
                case._refused(self._as(order).action_draft)

            @rule(order=orders)
            def unlock(self, order):
                case._refused(self._as(order).action_unlock)

            @rule(order=orders, customer=st.integers(0, 2))
            def change_customer(self, order, customer):
                case._refused(self._as(order).write, {"partner_id": case.customers[customer].id})

            @rule(order=orders, qty=st.sampled_from([0.5, 1.0, 3.0, 20.0]))
            def change_quantity(self, order, qty):
                line = order.order_line[:1]
                if line:
                    case._refused(
                        self._as(order).write,
                        {"order_line": [Command.update(line.id, {"product_uom_qty": qty})]},
                    )

            @rule(order=orders, price=st.sampled_from([1.0, 400.0, 4_000.0]))
            def add_line(self, order, price):
                case._refused(
                    env["sale.order.line"].with_user(order.user_id).create,
                    {"order_id": order.id, "product_id": case.goods.id, "price_unit": price},
                )

            @rule(order=orders)
            def delete_line(self, order):
                line = order.order_line[-1:]
                if line:
                    case._refused(line.with_user(order.user_id).unlink)

            @rule(target=orders, order=orders)
            def duplicate(self, order):
                copy = self._as(order).copy()
                self.all |= copy
                return copy

            @rule(order=orders)
            def officer_approves(self, order):
                hold = order.credit_hold_ids.filtered(lambda h: h.state == "pending")[:1]
                if hold:
                    case._refused(hold.with_user(case.selling_officer).action_approve_once, "ok")

            @rule(order=orders, amount=st.sampled_from([0.0, 1e9]))
            def officer_forges_own_hold(self, order, amount):
                hold = order.credit_hold_ids[:1].with_user(case.selling_officer)
                if hold:
                    refused = case._refused(
                        hold.write, {"state": "approved", "order_total": amount}
                    )
                    case.assertTrue(refused)

            @invariant()
            def every_confirmed_order_is_covered(self):
                case.assertAllCovered(self.all)
                case.assertEqual(case._over_limit(self.all), [])

        run_state_machine_as_test(
            GateMachine,
            settings=settings(
                max_examples=25,
                stateful_step_count=25,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
