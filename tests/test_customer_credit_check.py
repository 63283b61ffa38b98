from decimal import Decimal

from odoo.tests import freeze_time, tagged

from .common import CreditOrderCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestCustomerCreditCheck(CreditOrderCommon):
    """The customer-level checks without an order (``credit.exposure._customer_credit_check``),
    used by checkpoints after the order such as deliveries. Acme is rated A with a limit of
    10,000.00."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme, cls.file = cls._rated("Acme", limit=10_000.0)

    def _check(self, partner, company=None, **kwargs):
        pair = ((company or self.company).id, partner.id)
        return self.env["credit.exposure"]._customer_credit_check([pair], **kwargs).get(pair)

    @staticmethod
    def _by_rule(failures):
        return {failure.rule: dict(failure.values) for failure in failures}

    def test_a_customer_within_its_limit_passes(self):
        self._invoice(self.acme, "2024-06-20", "2024-07-20", 10_000.0)
        file, facts, failures = self._check(self.acme)
        self.assertEqual(file, self.file)
        self.assertEqual(facts.exposure, Decimal("10000.00"))
        self.assertEqual(failures, ())

    def test_a_customer_over_its_limit_now_fails_with_the_figures(self):
        # 7,000.00 + 5,000.00 not due yet = 12,000.00, 2,000.00 over 10,000.00
        self._invoice(self.acme, "2024-06-20", "2024-07-20", 7_000.0)
        self._invoice(self.acme, "2024-06-25", "2024-07-25", 5_000.0)
        _file, _facts, failures = self._check(self.acme)
        self.assertEqual(
            self._by_rule(failures),
            {
                "limit": {
                    "limit": Decimal("10000.00"),
                    "exposure": Decimal("12000.00"),
                    "order_amount": Decimal("0"),
                    "exposure_after": Decimal("12000.00"),
                    "excess": Decimal("2000.00"),
                }
            },
        )
        reasons = self.env["credit.hold"]._failure_messages(failures, self.currency)
        self.assertEqual(
            reasons,
            [
                f"Credit limit exceeded: exposure {self.currency.format(12_000.0)} is over the "
                f"limit of {self.currency.format(10_000.0)} by {self.currency.format(2_000.0)}."
            ],
        )

    def test_an_unlimited_customer_has_no_ceiling(self):
        self.file.unlimited = True
        self._invoice(self.acme, "2024-06-20", "2024-07-20", 50_000.0)
        self.assertEqual(self._check(self.acme)[2], ())

    def test_a_customer_on_hold_fails(self):
        self.file.on_hold = True
        self.assertEqual(self._by_rule(self._check(self.acme)[2]), {"manual_hold": {}})

    def test_overdue_money_is_judged_by_the_grades_rules(self):
        self.grade["A"].write({"overdue_tolerance": 100.0, "overdue_max_days": 10})
        # 500.00 due on 2024-05-31: 30 days overdue on 2024-06-30
        self._invoice(self.acme, "2024-05-01", "2024-05-31", 500.0)
        self.assertEqual(
            self._by_rule(self._check(self.acme)[2]),
            {
                "overdue_amount": {
                    "overdue_amount": Decimal("500.00"),
                    "tolerance": Decimal("100.00"),
                },
                "overdue_days": {"oldest_overdue_days": 30, "max_days": 10},
            },
        )

    def test_only_the_rules_the_policy_enables_run(self):
        self.policy.write({"check_limit": False, "check_manual_hold": False})
        self.file.on_hold = True
        self._invoice(self.acme, "2024-06-20", "2024-07-20", 12_000.0)
        self.assertEqual(self._check(self.acme)[2], ())

    def test_only_the_rules_asked_for_run(self):
        self.file.on_hold = True
        self._invoice(self.acme, "2024-06-20", "2024-07-20", 12_000.0)
        failures = self._check(self.acme, rules={"manual_hold"})[2]
        self.assertEqual(list(self._by_rule(failures)), ["manual_hold"])

    def test_order_rules_are_not_customer_rules(self):
        # unrated and expired: the order gate would hold (grade policy, rating expired),
        # the customer-level check does not judge the order's terms
        self._set_rating(self.file, sync=False, grade_id=False, valid_until="2024-06-01")
        self.assertEqual(self._check(self.acme)[2], ())

    def test_a_customer_without_credit_file_is_not_judged(self):
        stranger = self._customer("Stranger")
        self._invoice(stranger, "2024-06-20", "2024-07-20", 12_000.0)
        self.assertIsNone(self._check(stranger))

    def test_a_file_in_another_company_does_not_count(self):
        company_b = self.setup_other_company(name="Company B")["company"]
        self.file.on_hold = True
        self.assertIsNone(self._check(self.acme, company=company_b))
