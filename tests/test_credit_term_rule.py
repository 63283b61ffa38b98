from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import CreditOrderCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestCreditTermRule(CreditOrderCommon):
    """The credit term (赊销期限) is checked like the limit: an order may not give the
    customer more days than it was granted. Acme is rated AAA with a large limit
    (1,000,000.00) and granted 30 days."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme, cls.file = cls._rated("Acme", grade="AAA", limit=1_000_000.0, credit_days=30)
        cls.term_60 = cls._term("60 days", (100.0, 60))
        cls.term_30_end_of_month = cls._term(
            "30 days end of month", (100.0, 30, "days_after_end_of_month")
        )
        cls.term_15_45 = cls._term("Half at 15, half at 45 days", (50.0, 15), (50.0, 45))

    @classmethod
    def _term(cls, name, *installments):
        return cls.env["account.payment.term"].create(
            {
                "name": name,
                "line_ids": [
                    Command.create(
                        {
                            "value": "percent",
                            "value_amount": share,
                            "nb_days": days,
                            "delay_type": delay[0] if delay else "days_after",
                        }
                    )
                    for share, days, *delay in installments
                ],
            }
        )

    def _confirm(self, order):
        return order.with_user(self.salesperson).action_confirm()

    # ------------------------------------------------------------------
    # the order checkpoint
    # ------------------------------------------------------------------
    def test_an_order_on_sixty_days_for_a_customer_granted_thirty_is_held_with_both_numbers(self):
        order = self._quotation(self.acme, 5_000.0, term=self.term_60)
        self._confirm(order)
        self.assertEqual(order.state, "draft")
        hold = order.credit_hold_ids
        self.assertEqual(hold.state, "pending")
        self.assertEqual(self._failures(hold), {"term": {"asked_days": 60, "granted_days": 30}})
        self.assertEqual(
            hold.reasons,
            "Credit term exceeded: the payment term gives the customer 60 days to pay, more "
            "than the 30 days of credit granted.",
        )

    def test_an_order_within_the_granted_term_is_confirmed(self):
        order = self._quotation(self.acme, 5_000.0, term=self.term_30)
        self._confirm(order)
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.credit_hold_ids)

    def test_thirty_days_after_the_end_of_the_month_count_as_sixty(self):
        # invoiced on the 1st of a 31-day month: 30 days to the month's end, then 30 more
        order = self._quotation(self.acme, 5_000.0, term=self.term_30_end_of_month)
        self._confirm(order)
        self.assertEqual(
            self._failures(order.credit_hold_ids), {"term": {"asked_days": 60, "granted_days": 30}}
        )
        self._set_rating(self.file, credit_days=60)
        order = self._quotation(self.acme, 5_000.0, term=self.term_30_end_of_month)
        self._confirm(order)
        self.assertEqual(order.state, "sale")

    def test_installments_count_by_the_last_one(self):
        order = self._quotation(self.acme, 5_000.0, term=self.term_15_45)
        self._confirm(order)
        self.assertEqual(
            self._failures(order.credit_hold_ids), {"term": {"asked_days": 45, "granted_days": 30}}
        )

    def test_immediate_and_prepaid_orders_pass_whatever_the_term(self):
        self._set_rating(self.file, credit_days=0)
        order = self._quotation(self.acme, 5_000.0, term=self.term_immediate)
        self._confirm(order)
        self.assertEqual(order.state, "sale")

        method = self.env.ref("payment.payment_method_unknown")
        provider = self.env["payment.provider"].create(
            {
                "name": "Credit test provider",
                "code": "none",
                "state": "test",
                "company_id": self.company.id,
                "payment_method_ids": [Command.set(method.ids)],
            }
        )
        method.active = True
        prepaid = self._quotation(self.acme, 1_000.0, term=self.term_60)
        self._done_transaction(prepaid, 1_000.0, provider)
        self._confirm(prepaid)
        self.assertEqual(prepaid.state, "sale")

    def test_a_customer_granted_no_term_buys_only_due_at_once(self):
        """No credit file, or 0 days: like a limit of 0, no credit days at all. An order
        without payment term is due on its invoice date (0 days): the term rule lets it
        pass, the grade policy still holds it for an unrated customer (an empty term is no
        promise of immediate payment)."""
        stranger = self._customer("Stranger")
        order = self._quotation(stranger, 100.0, term=self.term_30)
        self._confirm(order)
        failures = self._failures(order.credit_hold_ids)
        self.assertEqual(failures["term"], {"asked_days": 30, "granted_days": 0})
        self.assertIn("grade_policy", failures)

        order = self._quotation(stranger, 100.0)
        order.payment_term_id = False
        self._confirm(order)
        self.assertNotIn("term", self._failures(order.credit_hold_ids))

    def test_zero_days_after_the_end_of_next_month_is_no_immediate_payment(self):
        """Odoo's "End of Following Month" has 0 days, after the end of the next month: up
        to 61 days (invoiced on 1 July, due 31 August), not a payment at once."""
        following_month = self.env.ref("account.account_payment_term_end_following_month")
        self.assertEqual(following_month.line_ids.nb_days, 0)
        cash, _file = self._rated("Cash Buyer", grade="B", credit_days=0)
        order = self._quotation(cash, 100.0, term=following_month)
        self._confirm(order)
        failures = self._failures(order.credit_hold_ids)
        self.assertEqual(failures["term"], {"asked_days": 61, "granted_days": 0})
        self.assertIn("grade_policy", failures)

    def test_the_policy_switch_turns_the_term_rule_off(self):
        self.policy.check_term = False
        order = self._quotation(self.acme, 5_000.0, term=self.term_60)
        self._confirm(order)
        self.assertEqual(order.state, "sale")

    def test_the_quotation_banner_tells_the_term_before_confirming(self):
        order = self._quotation(self.acme, 5_000.0, term=self.term_60)
        self.assertIn(
            "the payment term gives the customer 60 days to pay, more than the 30 days",
            order.with_user(self.salesperson).partner_credit_warning,
        )
        order.payment_term_id = self.term_30
        self.assertFalse(order.with_user(self.salesperson).partner_credit_warning)

    def test_a_confirmed_order_cannot_be_given_a_longer_term(self):
        order = self._quotation(self.acme, 5_000.0, term=self.term_30)
        self._confirm(order)
        with self.assertRaises(UserError) as caught:
            order.with_user(self.salesperson).payment_term_id = self.term_60
        self.assertIn("60 days to pay", str(caught.exception))
        self.assertEqual(order.payment_term_id, self.term_30)
        order.with_user(self.salesperson).payment_term_id = self.term_immediate
        self.assertEqual(order.payment_term_id, self.term_immediate)

    def test_the_customer_checkpoint_does_not_judge_the_customers_default_term(self):
        """Goods leaving for an order judge the customer now, not a term: the order's term
        was checked at confirmation, and the customer's default term is only what new
        quotations propose (each of them checked)."""
        self.acme.with_company(self.company).property_payment_term_id = self.term_60
        checks = self.env["credit.exposure"]._customer_credit_check(
            [(self.company.id, self.acme.id)]
        )
        _file, facts, failures = checks[(self.company.id, self.acme.id)]
        self.assertEqual(facts.credit_days, 30)
        self.assertEqual(failures, ())

    # ------------------------------------------------------------------
    # the granted term becomes the customer's payment term
    # ------------------------------------------------------------------
    def _acme_a(self, name="Acme A"):
        """The A customer of test_credit_review: its review proposes 30 days (default
        industry DSO) x 1.0 x 1.1 = 33 days."""
        return self._a_grade_customer(name)

    def _payment_term(self, partner):
        partner = partner.with_company(self.company)
        partner.invalidate_recordset(["property_payment_term_id"])
        return partner.property_payment_term_id

    def test_an_approved_review_gives_the_customer_the_granted_payment_term(self):
        partner, file = self._acme_a()
        review = self._approved_review(file)
        self.assertEqual(review.final_days, 33)
        term = self._payment_term(partner)
        self.assertRecordValues(term, [{"early_discount": False, "company_id": self.company.id}])
        self.assertRecordValues(
            term.line_ids,
            [
                {
                    "value": "percent",
                    "value_amount": 100.0,
                    "delay_type": "days_after",
                    "nb_days": 33,
                }
            ],
        )
        # a new quotation proposes it, and it passes the term rule
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "user_id": self.salesperson.id,
                "order_line": [Command.create({"product_id": self.goods.id, "price_unit": 1.0})],
            }
        )
        self.assertEqual(order.payment_term_id, term)
        self._confirm(order)
        self.assertEqual(order.state, "sale")

    def test_the_same_granted_days_reuse_one_payment_term(self):
        Term = self.env["account.payment.term"]
        partner, file = self._acme_a("Acme A")
        other, other_file = self._acme_a("Other A")
        self._approved_review(file)
        terms = Term.search_count([])
        self._approved_review(other_file)
        self.assertEqual(Term.search_count([]), terms)
        self.assertEqual(self._payment_term(other), self._payment_term(partner))

    def test_an_existing_payment_term_of_those_days_is_used(self):
        partner, file = self._acme_a()
        terms = self.env["account.payment.term"].search_count([])
        self._approved_review(file, final_days=30, adjust_reason="Our usual 30 days.")
        self.assertEqual(self.env["account.payment.term"].search_count([]), terms)
        term = self._payment_term(partner)
        self.assertEqual(term.line_ids.nb_days, 30)
        self.assertFalse(term.early_discount)

    def test_the_policy_cash_discount_goes_on_the_granted_payment_term(self):
        self.policy.write({"cash_discount_percentage": 2.0, "cash_discount_days": 10})
        partner, file = self._acme_a()
        self._approved_review(file, final_days=30, adjust_reason="Our usual 2/10, n/30.")
        term = self._payment_term(partner)
        self.assertRecordValues(
            term,
            [
                {
                    "name": "2/10, n/30",
                    "early_discount": True,
                    "discount_percentage": 2.0,
                    "discount_days": 10,
                }
            ],
        )
        self.assertEqual(term.line_ids.nb_days, 30)
        # a payment term of 30 days without discount is not that term
        self.assertNotEqual(term, self.term_30)

    def test_no_credit_days_give_immediate_payment_without_discount(self):
        self.policy.write({"cash_discount_percentage": 2.0, "cash_discount_days": 10})
        partner, file = self._acme_a()
        self._approved_review(file, final_days=0, adjust_reason="Cash only for now.")
        term = self._payment_term(partner)
        self.assertEqual(term.line_ids.nb_days, 0)
        self.assertFalse(term.early_discount)

    # ------------------------------------------------------------------
    # bad input
    # ------------------------------------------------------------------
    def test_a_cash_discount_outside_zero_to_a_hundred_is_refused(self):
        for percent in (-1.0, 100.0, 150.0):
            with self.subTest(percent=percent), self.assertRaises(ValidationError):
                self.policy.write({"cash_discount_percentage": percent, "cash_discount_days": 10})
        self.assertEqual(self.policy.cash_discount_percentage, 0.0)
        with self.assertRaises(ValidationError):
            self.policy.write({"cash_discount_percentage": 2.0, "cash_discount_days": 0})
        with self.assertRaises(ValidationError):
            self.policy.write({"cash_discount_days": -1})

    def test_a_negative_credit_term_is_refused(self):
        _partner, file = self._acme_a()
        review = self._review(file)
        with self.assertRaises(ValidationError):
            review.with_user(self.officer).write({"final_days": -1, "adjust_reason": "Typo."})
        self.assertEqual(review.final_days, 33)

    def test_a_discount_period_longer_than_the_term_refuses_the_approval_and_writes_nothing(self):
        self.policy.write({"cash_discount_percentage": 2.0, "cash_discount_days": 10})
        partner, file = self._acme_a()
        review = self._review(file)
        review.with_user(self.officer).write({"final_days": 5, "adjust_reason": "Short."})
        terms = self.env["account.payment.term"].search_count([])
        term_before = self._payment_term(partner)
        with self.assertRefusedWithoutWriting(ValidationError) as caught:
            review.with_user(self.officer).action_approve()
        self.assertIn("cash discount period (10 days) is longer than", str(caught.exception))
        self.assertEqual(review.state, "to_approve")
        self.assertFalse(file.grade_id)
        self.assertEqual(file.credit_days, 0)
        self.assertEqual(self._payment_term(partner), term_before)
        self.assertEqual(self.env["account.payment.term"].search_count([]), terms)
