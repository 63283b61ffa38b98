from datetime import date
from decimal import Decimal

from odoo.exceptions import UserError
from odoo.tests import Form, freeze_time, tagged

from .common import CreditOrderCommon

ALL_RULES = [
    "manual_hold",
    "grade_policy",
    "term",
    "rating_expired",
    "limit",
    "overdue_amount",
    "overdue_days",
    "max_document",
]
"""Every rule, in the order the holds report them."""


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestOrderCreditGate(CreditOrderCommon):
    """Acme is rated A with a limit of 10,000.00 and owes 3,000.00 on an invoice due on
    2024-07-20 (not overdue): 7,000.00 of credit is left."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme, cls.file = cls._rated("Acme", limit=10_000.0)
        cls._invoice(cls.acme, "2024-06-20", "2024-07-20", 3_000.0)

    def _confirm(self, order, user=None):
        return order.with_user(user or self.salesperson).action_confirm()

    # ------------------------------------------------------------------
    # limit
    # ------------------------------------------------------------------
    def test_an_order_reaching_exactly_the_limit_is_confirmed(self):
        order = self._quotation(self.acme, 7_000.0)
        self._confirm(order)
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.credit_hold_ids)
        self.assertFalse(order.credit_hold_state)
        self.assertAlmostEqual(order.credit_checked_amount, 7_000.0, places=2)

    def test_an_order_one_cent_over_the_limit_is_held_with_its_figures(self):
        order = self._quotation(self.acme, 7_000.01)
        self._confirm(order)
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.credit_hold_state, "pending")
        hold = order.credit_hold_ids
        self.assertEqual(len(hold), 1)
        self.assertEqual(hold.state, "pending")
        self.assertEqual(hold.partner_id, self.acme)
        self.assertEqual(hold.company_id, self.company)
        self.assertEqual(hold.requester_id, self.salesperson)
        self.assertEqual(hold.grade_id, self.grade["A"])
        self.assertTrue(hold.create_date)
        self.assertAlmostEqual(hold.order_amount, 7_000.01, places=2)
        self.assertAlmostEqual(hold.exposure, 3_000.0, places=2)
        self.assertAlmostEqual(hold.credit_limit, 10_000.0, places=2)
        self.assertAlmostEqual(hold.overdue_amount, 0.0, places=2)
        self.assertEqual(hold.oldest_overdue_days, 0)
        # 3,000.00 + 7,000.01 = 10,000.01, one cent over 10,000.00
        self.assertEqual(
            self._failures(hold),
            {
                "limit": {
                    "limit": Decimal("10000.00"),
                    "exposure": Decimal("3000.00"),
                    "order_amount": Decimal("7000.01"),
                    "exposure_after": Decimal("10000.01"),
                    "excess": Decimal("0.01"),
                }
            },
        )
        self.assertIn(self.currency.format(0.01), hold.reasons)
        self.assertIn(self.currency.format(10_000.01), hold.reasons)

    def test_the_salesperson_is_told_and_the_officer_gets_an_activity(self):
        order = self._quotation(self.acme, 8_000.0)
        self._confirm(order)
        hold = order.credit_hold_ids
        activity = hold.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.officer)
        message = order.message_ids.filtered(lambda m: "Credit hold" in (m.body or ""))
        self.assertEqual(len(message), 1)
        self.assertIn(self.salesperson.partner_id, message.partner_ids)
        # 3,000.00 + 8,000.00 = 11,000.00, 1,000.00 over the limit
        self.assertIn("by $&nbsp;1,000.00.", str(message.body))

    def test_the_hold_reasons_are_told_in_the_readers_language(self):
        order = self._quotation(self.acme, 7_000.01)
        self._confirm(order)
        hold = order.credit_hold_ids
        self.assertIn("Credit limit exceeded", hold.with_context(lang="en_US").reasons)
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["credit_management"], ["zh_CN"], overwrite=True
        )
        self.assertIn("超出信用额度", hold.with_context(lang="zh_CN").reasons)

    def test_a_limit_of_zero_grants_no_credit(self):
        customer, _file = self._rated("Zero", limit=0.0)
        order = self._quotation(customer, 0.01)
        self._confirm(order)
        self.assertEqual(order.state, "draft")
        self.assertEqual(
            self._failures(order.credit_hold_ids),
            {
                "limit": {
                    "limit": Decimal("0"),
                    "exposure": Decimal("0"),
                    "order_amount": Decimal("0.01"),
                    "exposure_after": Decimal("0.01"),
                    "excess": Decimal("0.01"),
                }
            },
        )

    def test_an_unlimited_customer_has_no_ceiling(self):
        customer, _file = self._rated("Unlimited", limit=0.0, unlimited=True)
        order = self._quotation(customer, 5_000_000.0)
        self._confirm(order)
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.credit_hold_ids)

    def test_confirmed_orders_use_up_the_limit(self):
        first = self._quotation(self.acme, 4_000.0)
        self._confirm(first)
        self.assertEqual(first.state, "sale")
        second = self._quotation(self.acme, 3_000.01)
        self._confirm(second)
        self.assertEqual(second.state, "draft")
        # 3,000.00 invoiced + 4,000.00 ordered = 7,000.00 before this order
        self.assertAlmostEqual(second.credit_hold_ids.exposure, 7_000.0, places=2)
        self.assertEqual(self._failures(second.credit_hold_ids)["limit"]["excess"], Decimal("0.01"))

    # ------------------------------------------------------------------
    # overdue money
    # ------------------------------------------------------------------
    def _overdue_customer(self, tolerance, max_days):
        """A customer with 500.00 overdue for 30 days (due 2024-05-31) and 250.00 not due
        yet; grade A tolerates ``tolerance`` overdue for ``max_days`` days."""
        self.grade["A"].write({"overdue_tolerance": tolerance, "overdue_max_days": max_days})
        customer, _file = self._rated("Late Payer", limit=10_000.0)
        self._invoice(customer, "2024-05-01", "2024-05-31", 500.0)
        self._invoice(customer, "2024-06-15", "2024-07-15", 250.0)
        return customer

    def test_overdue_money_above_the_grade_tolerance_holds_the_order(self):
        customer = self._overdue_customer(tolerance=499.99, max_days=30)
        order = self._quotation(customer, 100.0)
        self._confirm(order)
        self.assertEqual(order.state, "draft")
        hold = order.credit_hold_ids
        self.assertAlmostEqual(hold.overdue_amount, 500.0, places=2)
        self.assertEqual(hold.oldest_overdue_days, 30)
        self.assertAlmostEqual(hold.exposure, 750.0, places=2)
        self.assertEqual(
            self._failures(hold),
            {"overdue_amount": {"overdue_amount": Decimal("500"), "tolerance": Decimal("499.99")}},
        )

    def test_overdue_money_within_the_tolerance_passes(self):
        customer = self._overdue_customer(tolerance=500.0, max_days=30)
        order = self._quotation(customer, 100.0)
        self._confirm(order)
        self.assertEqual(order.state, "sale")

    def test_an_overdue_item_older_than_the_grade_allows_holds_the_order(self):
        customer = self._overdue_customer(tolerance=1_000.0, max_days=29)
        order = self._quotation(customer, 100.0)
        self._confirm(order)
        self.assertEqual(order.state, "draft")
        self.assertEqual(
            self._failures(order.credit_hold_ids),
            {"overdue_days": {"oldest_overdue_days": Decimal(30), "max_days": Decimal(29)}},
        )

    def test_a_partly_paid_overdue_invoice_counts_its_residual(self):
        customer = self._overdue_customer(tolerance=199.99, max_days=30)
        invoice = customer.invoice_ids.filtered(lambda m: m.amount_total == 500.0)
        self._pay(invoice, date(2024, 6, 25), amount=300.0)
        order = self._quotation(customer, 100.0)
        self._confirm(order)
        hold = order.credit_hold_ids
        # 500.00 - 300.00 paid = 200.00 overdue, 0.01 above the tolerance
        self.assertAlmostEqual(hold.overdue_amount, 200.0, places=2)
        self.assertAlmostEqual(hold.exposure, 450.0, places=2)
        self.assertEqual(list(self._failures(hold)), ["overdue_amount"])

    # ------------------------------------------------------------------
    # grade policy
    # ------------------------------------------------------------------
    def test_a_cash_on_delivery_grade_takes_no_credit_order(self):
        customer, _file = self._rated("Cash Buyer", grade="B", limit=5_000.0)
        order = self._quotation(customer, 1_000.0, term=self.term_30)
        self._confirm(order)
        self.assertEqual(order.state, "draft")
        self.assertEqual(
            self._failures(order.credit_hold_ids),
            {"grade_policy": {"sales_mode": "cash_on_delivery"}},
        )

    def test_a_cash_on_delivery_grade_takes_an_order_with_immediate_payment(self):
        customer, _file = self._rated("Cash Buyer", grade="B", limit=5_000.0)
        order = self._quotation(customer, 1_000.0, term=self.term_immediate)
        self._confirm(order)
        self.assertEqual(order.state, "sale")

    def test_an_empty_payment_term_is_no_immediate_payment(self):
        customer, _file = self._rated("Cash Buyer", grade="CCC", limit=5_000.0)
        order = self._quotation(customer, 1_000.0)
        order.payment_term_id = False
        self._confirm(order)
        self.assertEqual(order.state, "draft")
        self.assertEqual(list(self._failures(order.credit_hold_ids)), ["grade_policy"])

    def test_a_prepayment_grade_takes_no_credit_order(self):
        customer, _file = self._rated("Newcomer", grade="C", limit=5_000.0)
        order = self._quotation(customer, 1_000.0)
        self._confirm(order)
        self.assertEqual(
            self._failures(order.credit_hold_ids), {"grade_policy": {"sales_mode": "prepayment"}}
        )

    def test_an_unrated_customer_is_treated_as_paying_before_delivery(self):
        stranger = self._customer("Stranger")
        order = self._quotation(stranger, 1_000.0)
        self._confirm(order)
        self.assertEqual(order.state, "draft")
        hold = order.credit_hold_ids
        self.assertFalse(hold.grade_id)
        self.assertAlmostEqual(hold.credit_limit, 0.0, places=2)
        failures = self._failures(hold)
        # no credit term granted either: 30 days asked, 0 granted
        self.assertEqual(list(failures), ["grade_policy", "term", "limit"])
        self.assertEqual(failures["grade_policy"], {"sales_mode": "prepayment"})
        self.assertEqual(failures["term"], {"asked_days": 30, "granted_days": 0})
        self.assertEqual(failures["limit"]["excess"], Decimal("1000"))

    def test_an_unrated_customer_with_a_file_is_treated_as_paying_before_delivery(self):
        stranger = self._customer("Stranger")
        self._file(stranger, credit_limit=5_000.0)
        order = self._quotation(stranger, 1_000.0)
        self._confirm(order)
        self.assertEqual(
            self._failures(order.credit_hold_ids),
            {
                "grade_policy": {"sales_mode": "prepayment"},
                "term": {"asked_days": 30, "granted_days": 0},
            },
        )

    # ------------------------------------------------------------------
    # rating validity, manual hold, maximum order value
    # ------------------------------------------------------------------
    def test_an_expired_rating_holds_the_order(self):
        self._set_rating(self.file, valid_until=date(2024, 6, 29))
        order = self._quotation(self.acme, 100.0)
        self._confirm(order)
        self.assertEqual(order.state, "draft")
        self.assertEqual(
            self._failures(order.credit_hold_ids),
            {"rating_expired": {"valid_until": "2024-06-29"}},
        )

    def test_a_rating_valid_until_today_is_still_valid(self):
        self._set_rating(self.file, valid_until=date(2024, 6, 30))
        order = self._quotation(self.acme, 100.0)
        self._confirm(order)
        self.assertEqual(order.state, "sale")

    def test_a_customer_on_manual_hold_gets_every_order_held(self):
        self.file.write({"on_hold": True, "hold_reason": "Bankruptcy rumours"})
        order = self._quotation(self.acme, 0.01)
        self._confirm(order)
        self.assertEqual(order.state, "draft")
        self.assertEqual(self._failures(order.credit_hold_ids), {"manual_hold": {}})

    def test_an_order_above_the_grades_maximum_value_is_held(self):
        self.grade["A"].max_document_amount = 5_000.0
        order = self._quotation(self.acme, 5_000.01)
        self._confirm(order)
        self.assertEqual(order.state, "draft")
        self.assertEqual(
            self._failures(order.credit_hold_ids),
            {
                "max_document": {
                    "order_amount": Decimal("5000.01"),
                    "max_document_amount": Decimal("5000.00"),
                }
            },
        )

    def test_an_order_at_the_grades_maximum_value_passes(self):
        self.grade["A"].max_document_amount = 5_000.0
        order = self._quotation(self.acme, 5_000.0)
        self._confirm(order)
        self.assertEqual(order.state, "sale")

    # ------------------------------------------------------------------
    # rule switches
    # ------------------------------------------------------------------
    def _customer_failing_every_rule(self):
        """Grade B (cash on delivery, maximum order 1,500.00, no overdue tolerated), limit
        1,000.00, no credit term granted, rating expired yesterday, on manual hold, 500.00
        overdue for 30 days; the order of 2,000.00 on 30 days fails all eight rules."""
        self.grade["B"].write(
            {"overdue_tolerance": 0.0, "overdue_max_days": 0, "max_document_amount": 1_500.0}
        )
        customer, _file = self._rated(
            "Hopeless",
            grade="B",
            limit=1_000.0,
            valid_until=date(2024, 6, 29),
            on_hold=True,
            credit_days=0,
        )
        self._invoice(customer, "2024-05-01", "2024-05-31", 500.0)
        return customer

    def test_a_hold_lists_every_failed_rule(self):
        customer = self._customer_failing_every_rule()
        order = self._quotation(customer, 2_000.0)
        self._confirm(order)
        hold = order.credit_hold_ids
        self.assertEqual([failure["rule"] for failure in hold.failures], ALL_RULES)
        self.assertEqual(len(hold.reasons.splitlines()), 8)
        failures = self._failures(hold)
        # 500.00 + 2,000.00 = 2,500.00 against 1,000.00
        self.assertEqual(failures["limit"]["exposure_after"], Decimal("2500"))
        self.assertEqual(failures["limit"]["excess"], Decimal("1500"))
        self.assertEqual(failures["overdue_amount"]["overdue_amount"], Decimal("500"))
        self.assertEqual(failures["overdue_days"]["oldest_overdue_days"], Decimal(30))
        self.assertEqual(failures["max_document"]["max_document_amount"], Decimal("1500"))

    def test_each_rule_switched_off_on_the_policy_is_skipped(self):
        customer = self._customer_failing_every_rule()
        switches = {
            "manual_hold": "check_manual_hold",
            "grade_policy": "check_grade_policy",
            "term": "check_term",
            "rating_expired": "check_rating_expired",
            "limit": "check_limit",
            "overdue_amount": "check_overdue_amount",
            "overdue_days": "check_overdue_days",
            "max_document": "check_max_document",
        }
        for rule, switch in switches.items():
            with self.subTest(rule=rule):
                self.policy[switch] = False
                order = self._quotation(customer, 2_000.0)
                self._confirm(order)
                self.assertEqual(order.state, "draft")
                rules = [failure["rule"] for failure in order.credit_hold_ids.failures]
                self.assertEqual(rules, [r for r in ALL_RULES if r != rule])
                self.policy[switch] = True

    def test_with_every_rule_switched_off_any_order_is_confirmed(self):
        customer = self._customer_failing_every_rule()
        self.policy.write(dict.fromkeys(self.policy._check_rule_fields().values(), False))
        order = self._quotation(customer, 2_000.0)
        self._confirm(order)
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.credit_hold_ids)

    # ------------------------------------------------------------------
    # batches
    # ------------------------------------------------------------------
    def test_a_batch_confirms_the_orders_that_fit_and_holds_the_others(self):
        other, _file = self._rated("Other", limit=1_000.0)
        first = self._quotation(self.acme, 4_000.0)
        second = self._quotation(self.acme, 3_000.0)
        third = self._quotation(self.acme, 0.01)
        fourth = self._quotation(other, 1_000.0)
        fifth = self._quotation(other, 1_000.0)
        (first | second | third | fourth | fifth).with_user(self.salesperson).action_confirm()
        self.assertEqual(first.state, "sale")
        self.assertEqual(second.state, "sale")
        self.assertEqual(third.state, "draft")
        self.assertEqual(fourth.state, "sale")
        self.assertEqual(fifth.state, "draft")
        # 3,000.00 invoiced + 4,000.00 + 3,000.00 confirmed in the same batch
        self.assertAlmostEqual(third.credit_hold_ids.exposure, 10_000.0, places=2)
        self.assertEqual(self._failures(third.credit_hold_ids)["limit"]["excess"], Decimal("0.01"))
        self.assertAlmostEqual(fifth.credit_hold_ids.exposure, 1_000.0, places=2)
        self.assertFalse((first | second | fourth).credit_hold_ids)

    def test_a_batch_of_held_orders_only_returns_the_notification(self):
        first = self._quotation(self.acme, 7_000.01)
        second = self._quotation(self.acme, 8_000.0)
        action = (first | second).with_user(self.salesperson).action_confirm()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn(first.name, action["params"]["message"])
        self.assertIn(second.name, action["params"]["message"])
        self.assertEqual((first | second).mapped("state"), ["draft", "draft"])

    def test_the_hold_notification_reloads_the_order_and_tells_each_reason_as_a_sentence(self):
        """After the notification the web client reloads the record the Confirm button was
        clicked on (closing the button's action), instead of restoring the controller, which
        showed an empty new quotation when the order had been created from "New"."""
        self.file.sudo().write({"on_hold": True, "hold_reason": "Unpaid cheque"})
        order = self._quotation(self.acme, 8_000.0)  # on hold, and over the limit
        action = order.with_user(self.salesperson).action_confirm()
        self.assertEqual(action["params"]["next"], {"type": "ir.actions.act_window_close"})
        reasons = order.credit_hold_ids.reasons.splitlines()
        self.assertEqual(len(reasons), 2)
        message = action["params"]["message"]
        self.assertIn(f"{order.name}: {reasons[0]} {reasons[1]}", message)
        self.assertNotIn(".;", message)

    # ------------------------------------------------------------------
    # no way around the gate
    # ------------------------------------------------------------------
    def test_no_context_key_skips_the_gate(self):
        keys = [
            "skip_credit_check",
            "credit_skip",
            "bypass_credit_check",
            "credit_check_bypass",
            "no_credit_check",
            "disable_credit_check",
            "credit_management_sync",
            "credit_approved",
            "install_mode",
            "import_file",
            "website_sale_skip_credit_check",
        ]
        for key in keys:
            with self.subTest(key=key):
                order = self._quotation(self.acme, 7_000.01)
                order.with_user(self.salesperson).with_context(**{key: True}).action_confirm()
                self.assertEqual(order.state, "draft")
                self.assertEqual(order.credit_hold_state, "pending")

    def test_writing_the_sale_state_directly_is_refused(self):
        order = self._quotation(self.acme, 7_000.01)
        for env_order in (
            order.with_user(self.salesperson),
            order.with_user(self.salesperson).sudo(),
        ):
            with self.subTest(su=env_order.env.su), self.assertRaises(UserError):
                env_order.write({"state": "sale"})
        self.assertEqual(order.state, "draft")

    def test_creating_a_confirmed_order_directly_is_refused(self):
        with self.assertRaises(UserError):
            self.env["sale.order"].with_user(self.salesperson).create(
                {"partner_id": self.acme.id, "state": "sale"}
            )
        with self.assertRaises(UserError):
            self.env["sale.order"].with_user(self.salesperson).with_context(
                default_state="sale"
            ).create({"partner_id": self.acme.id})

    def test_a_system_administrator_may_import_confirmed_orders(self):
        admin = self.env.ref("base.user_admin")
        imported = (
            self.env["sale.order"]
            .with_user(admin)
            .create({"partner_id": self.acme.id, "state": "sale"})
        )
        self.assertEqual(imported.state, "sale")
        self.assertFalse(imported.credit_hold_ids)

    def test_the_superuser_goes_through_the_gate_too(self):
        order = self._quotation(self.acme, 7_000.01)
        order.sudo().action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.credit_hold_state, "pending")

    def test_confirming_again_replaces_the_pending_hold(self):
        order = self._quotation(self.acme, 7_000.01)
        self._confirm(order)
        first = order.credit_hold_ids
        self._confirm(order)
        self.assertEqual(first.state, "cancelled")
        pending = self._holds(order, "pending")
        self.assertEqual(len(pending), 1)
        self.assertNotEqual(pending, first)
        self.assertEqual(order.credit_hold_state, "pending")

    # ------------------------------------------------------------------
    # Odoo's credit banner
    # ------------------------------------------------------------------
    def test_the_credit_banner_shows_the_credit_files_numbers(self):
        order = self._quotation(self.acme, 7_500.0)
        # 3,000.00 + 7,500.00 = 10,500.00 against the limit in force of 10,000.00
        warning = order.partner_credit_warning
        self.assertIn(self.currency.format(10_500.0), warning)
        self.assertIn(self.currency.format(10_000.0), warning)
        self.assertIn("Acme", warning)

    def test_the_credit_banner_is_empty_within_the_limit(self):
        order = self._quotation(self.acme, 7_000.0)
        self.assertEqual(order.partner_credit_warning, "")

    def test_the_credit_banner_follows_the_order_being_edited(self):
        with Form(self.env["sale.order"]) as form:
            form.partner_id = self.acme
            with form.order_line.new() as line:
                line.product_id = self.goods
                line.price_unit = 7_500.0
                line.tax_id.clear()
            self.assertIn(self.currency.format(10_500.0), form.partner_credit_warning)
            with form.order_line.edit(0) as line:
                line.price_unit = 6_000.0
            self.assertEqual(form.partner_credit_warning, "")
