from decimal import Decimal
from unittest.mock import patch

from odoo.tests import freeze_time, tagged
from odoo.tools import SQL

from ..credit_management import checks as core_checks
from ..models.credit_exposure import CreditRule, ExposureCategory
from .common import CreditOrderCommon


def _too_large(facts, settings):
    """A rule another module might add: no single order above 1,000.00."""
    if facts.order_amount <= 1_000:
        return None
    return core_checks.Failure("too_large", {"order_amount": facts.order_amount})


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestCreditRegistry(CreditOrderCommon):
    """A module adds an exposure category or a check rule by registering it, once: the
    gate, its dry run (the banner), the holds and the customer checks pick it up. Acme is
    rated A with a limit of 10,000.00 and owes 3,000.00 (not due)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme, cls.file = cls._rated("Acme", limit=10_000.0)
        cls._invoice(cls.acme, "2024-06-20", "2024-07-20", 3_000.0)
        cls.Exposure = type(cls.env["credit.exposure"])

    def _with_rule(self):
        original = self.Exposure._credit_rules

        def _credit_rules(exposure):
            rule = CreditRule(
                "too_large",
                _too_large,
                "The order of %(order_amount)s is above 1,000.00.",
                figures={"order_amount": "money"},
                sequence=45,
                label="Order too large",
            )
            return sorted([*original(exposure), rule], key=lambda r: r.sequence)

        return patch.object(self.Exposure, "_credit_rules", _credit_rules)

    def _with_category(self):
        original = self.Exposure._exposure_categories

        def _exposure_categories(exposure):
            deposit = ExposureCategory(
                "guarantees_called", "Called Guarantees", "_exposure_sql_test", "exposure_orders"
            )
            return [*original(exposure), deposit]

        def _exposure_sql_test(exposure, today, exclude_orders):
            return SQL("SELECT company_id, partner_id, 500.0 AS guarantees_called FROM pairs")

        return patch.multiple(
            self.Exposure,
            _exposure_categories=_exposure_categories,
            _exposure_sql_test=_exposure_sql_test,
            create=True,
        )

    def test_a_registered_rule_holds_the_order_and_tells_why(self):
        with self._with_rule():
            self.assertIn("too_large", self.policy._enabled_rules())
            order = self._quotation(self.acme, 1_500.0)
            order.with_user(self.salesperson).action_confirm()
            self.assertEqual(order.state, "draft")
            hold = order.credit_hold_ids
            [failure] = hold.failures
            self.assertEqual(failure["rule"], "too_large")
            self.assertEqual(Decimal(failure["values"]["order_amount"]), Decimal("1500.00"))
            self.assertEqual(
                hold.reasons, f"The order of {self.currency.format(1_500.0)} is above 1,000.00."
            )

    def test_a_registered_rule_shows_in_the_banner(self):
        with self._with_rule():
            order = self._quotation(self.acme, 1_500.0)
            self.assertIn(
                f"The order of {self.currency.format(1_500.0)} is above 1,000.00.",
                order.partner_credit_warning,
            )
            small = self._quotation(self.acme, 999.0)
            self.assertEqual(small.partner_credit_warning, "")

    def test_a_rule_for_orders_does_not_judge_a_customer_alone(self):
        with self._with_rule():
            pair = (self.company.id, self.acme.id)
            _file, _facts, failures = self.env["credit.exposure"]._customer_credit_check([pair])[
                pair
            ]
            self.assertEqual(failures, ())

    def test_a_registered_category_adds_to_the_exposure_when_switched_on(self):
        pair = (self.company.id, self.acme.id)
        with self._with_category():
            exposure = self.env["credit.exposure"]._exposure_by_partner([pair])[pair]
            self.assertEqual(exposure["guarantees_called"], 500.0)
            # 3,000.00 receivables + 500.00
            self.assertEqual(self.policy._exposure_total(exposure), Decimal("3500.00"))
            self.assertEqual(self.acme.credit_available, 10_000.0 - 3_500.0)
            order = self._quotation(self.acme, 7_000.0)
            order.with_user(self.salesperson).action_confirm()
            self.assertEqual(order.state, "draft")
            self.assertAlmostEqual(order.credit_hold_ids.exposure, 3_500.0, places=2)
            self.policy.exposure_orders = False
            exposure = self.env["credit.exposure"]._exposure_by_partner([pair])[pair]
            self.assertEqual(self.policy._exposure_total(exposure), Decimal("3000.00"))

    def test_the_dashboard_lists_holds_waiting_by_the_registered_rules(self):
        """The KPI dashboard's holds waiting by rule: the rules' names and order are the
        registry's, an order failing two rules counts under both, decided holds are gone."""
        with self._with_rule():
            big = self._quotation(self.acme, 12_000.0)  # over the limit and too large
            big.with_user(self.salesperson).action_confirm()
            small = self._quotation(self.acme, 1_500.0)  # too large only
            small.with_user(self.salesperson).action_confirm()
            decided = self._quotation(self.acme, 2_000.0)
            decided.with_user(self.salesperson).action_confirm()
            decided.credit_hold_ids.with_user(self.officer).action_reject("No.")
            self.assertEqual(
                {
                    hold.order_id: sorted(f["rule"] for f in hold.failures)
                    for hold in (big | small).credit_hold_ids
                },
                {big: ["limit", "too_large"], small: ["too_large"]},
            )
            dashboard = self.env["credit.kpi.dashboard"].with_user(self.officer).create({})
            amounts = {hold.order_id: hold.order_amount for hold in (big | small).credit_hold_ids}
            self.assertEqual(
                dashboard._holds_by_rule(),
                [
                    ("limit", 1, amounts[big]),
                    ("too_large", 2, amounts[big] + amounts[small]),
                ],
            )
            html = str(dashboard.holds_by_rule)
            self.assertIn("Credit limit", html)
            self.assertIn("Order too large", html)
            self.assertLess(html.index("Credit limit"), html.index("Order too large"))
