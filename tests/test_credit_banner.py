from odoo import Command
from odoo.tests import Form, freeze_time, tagged

from .common import CreditOrderCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestCreditBanner(CreditOrderCommon):
    """The quotation's credit banner is a dry run of the credit gate: it shows exactly the
    rules confirming now would fail, with the same figures and sentences as the hold. Acme
    is rated A with a limit of 10,000.00 and owes 3,000.00 (due 2024-07-20, not overdue):
    7,000.00 of credit is left."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme, cls.file = cls._rated("Acme", limit=10_000.0)
        cls._invoice(cls.acme, "2024-06-20", "2024-07-20", 3_000.0)
        method = cls.env.ref("payment.payment_method_unknown")
        cls.provider = cls.env["payment.provider"].create(
            {
                "name": "Credit test provider",
                "code": "none",
                "state": "test",
                "company_id": cls.company.id,
                "payment_method_ids": [Command.set(method.ids)],
            }
        )
        method.active = True

    def _paid_online(self, order, amount):
        self._done_transaction(order, amount, self.provider)

    def _banner(self, order):
        """The banner the salesperson sees, and the rules of the dry run behind it."""
        order.invalidate_recordset(["partner_credit_warning"])
        order = order.with_user(self.salesperson)
        [(_order, _facts, failures, _approval)] = order._credit_evaluate(batch=False)
        return order.partner_credit_warning, [failure.rule for failure in failures]

    def _confirmation(self, order):
        """What confirming decides: the rules of the hold (none when confirmed) and their
        sentences."""
        order.with_user(self.salesperson).action_confirm()
        if order.state == "sale":
            return [], []
        hold = order.credit_hold_ids.filtered(lambda h: h.state == "pending")
        return [failure["rule"] for failure in hold.failures], hold.reasons.splitlines()

    def assertBannerAgreesWithTheGate(self, order, rules):
        """The banner's verdict equals the confirmation's, rule for rule and sentence for
        sentence, and is ``rules``."""
        banner, banner_rules = self._banner(order)
        confirmed_rules, reasons = self._confirmation(order)
        self.assertEqual(banner_rules, confirmed_rules)
        self.assertEqual(banner_rules, rules)
        if not rules:
            self.assertEqual(banner, "")
            self.assertEqual(order.state, "sale")
            return
        self.assertEqual(order.state, "draft")
        self.assertIn("Confirming will put the order on credit hold", banner)
        self.assertEqual(banner.splitlines()[1:], reasons)

    # ------------------------------------------------------------------
    # the banner's verdict is the confirmation's
    # ------------------------------------------------------------------
    def test_an_order_within_the_limit_shows_no_banner_and_is_confirmed(self):
        self.assertBannerAgreesWithTheGate(self._quotation(self.acme, 7_000.0), [])

    def test_an_order_over_the_limit_shows_the_holds_figures(self):
        order = self._quotation(self.acme, 7_500.0)
        banner, _rules = self._banner(order)
        # 3,000.00 + 7,500.00 = 10,500.00, 500.00 over 10,000.00
        self.assertIn(
            f"exposure {self.currency.format(3_000.0)} + this order "
            f"{self.currency.format(7_500.0)} = {self.currency.format(10_500.0)}, over the "
            f"limit of {self.currency.format(10_000.0)} by {self.currency.format(500.0)}.",
            banner,
        )
        self.assertBannerAgreesWithTheGate(order, ["limit"])

    def test_overdue_money_shows_the_overdue_rules(self):
        self.grade["A"].write({"overdue_tolerance": 100.0, "overdue_max_days": 10})
        # 500.00 due on 2024-05-31: 30 days overdue on 2024-06-30
        self._invoice(self.acme, "2024-05-01", "2024-05-31", 500.0)
        order = self._quotation(self.acme, 100.0)
        self.assertBannerAgreesWithTheGate(order, ["overdue_amount", "overdue_days"])

    def test_a_cash_grade_order_paid_at_once_shows_no_banner_even_above_the_limit(self):
        # grade B sells cash on delivery; an immediate term takes no credit, so the
        # 3,000.00 above the limit of 2,000.00 does not hold it (the old banner said it would)
        buyer, _file = self._rated("Cash Buyer", grade="B", limit=2_000.0)
        order = self._quotation(buyer, 3_000.0, term=self.term_immediate)
        self.assertBannerAgreesWithTheGate(order, [])

    def test_a_cash_grade_order_on_credit_shows_the_grade_policy(self):
        buyer, _file = self._rated("Cash Buyer", grade="B", limit=2_000.0)
        order = self._quotation(buyer, 1_000.0, term=self.term_30)
        self.assertBannerAgreesWithTheGate(order, ["grade_policy"])

    def test_what_is_already_paid_does_not_count(self):
        # 12,000.00 with 5,000.00 paid online asks 7,000.00 of credit: 3,000.00 + 7,000.00
        # = 10,000.00 is exactly the limit (the old banner counted the whole 12,000.00)
        order = self._quotation(self.acme, 12_000.0)
        self._paid_online(order, 5_000.0)
        self.assertBannerAgreesWithTheGate(order, [])

    def test_a_customer_on_manual_hold_shows_it(self):
        self.file.on_hold = True
        self.assertBannerAgreesWithTheGate(self._quotation(self.acme, 100.0), ["manual_hold"])

    def test_every_failed_rule_is_shown_in_the_holds_order(self):
        self.file.on_hold = True
        self._set_rating(self.file, valid_until="2024-06-29")
        self.grade["A"].max_document_amount = 5_000.0
        order = self._quotation(self.acme, 7_500.0)
        self.assertBannerAgreesWithTheGate(
            order, ["manual_hold", "rating_expired", "limit", "max_document"]
        )

    def test_with_every_rule_switched_off_no_banner_shows(self):
        self.policy.write(dict.fromkeys(self.policy._check_rule_fields().values(), False))
        self.file.on_hold = True
        self.assertBannerAgreesWithTheGate(self._quotation(self.acme, 50_000.0), [])

    def test_a_customer_without_credit_file_is_told_before_confirming(self):
        stranger = self._customer("Stranger")
        order = self._quotation(stranger, 100.0)
        self.assertBannerAgreesWithTheGate(order, ["grade_policy", "term", "limit"])

    # ------------------------------------------------------------------
    # a held order, a dry run
    # ------------------------------------------------------------------
    def test_a_held_order_says_it_waits_for_a_credit_officer(self):
        order = self._quotation(self.acme, 7_500.0)
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.credit_hold_state, "pending")
        banner, rules = self._banner(order)
        self.assertEqual(rules, ["limit"])
        self.assertIn("waits for a credit officer", banner)
        self.assertNotIn("Confirming will put the order on credit hold", banner)
        self.assertEqual(banner.splitlines()[1:], order.credit_hold_ids.reasons.splitlines())

    def test_the_banner_writes_nothing(self):
        order = self._quotation(self.acme, 7_500.0)
        self.assertTrue(self._banner(order)[0])
        self.assertFalse(order.sudo().credit_hold_ids)
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.credit_cover_source)

    def test_the_banner_follows_the_payment_term_being_edited(self):
        buyer, _file = self._rated("Cash Buyer", grade="B", limit=2_000.0)
        with Form(self.env["sale.order"]) as form:
            form.partner_id = buyer
            form.payment_term_id = self.term_30
            with form.order_line.new() as line:
                line.product_id = self.goods
                line.price_unit = 1_000.0
                line.tax_id.clear()
            self.assertIn("Cash on delivery", form.partner_credit_warning)
            form.payment_term_id = self.term_immediate
            self.assertEqual(form.partner_credit_warning, "")
