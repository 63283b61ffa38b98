from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import freeze_time, tagged

from odoo.addons.credit_management.models.credit_decision_mixin import audit_writer

from .common import CreditOrderCommon
from .dunning_common import DunningCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestBadAgingBounds(CreditOrderCommon):
    """Aging bounds above ten years (3,650 days) overflow PostgreSQL's integer or make no
    sense: they are refused wherever they are typed, and nothing is written."""

    def _stored_bounds(self):
        self.env.invalidate_all()
        return self.company.credit_aging_bounds

    def test_a_bound_that_overflows_is_refused_on_the_company(self):
        before = self._stored_bounds()
        with self.assertRaises(ValidationError) as refused:
            self.company.credit_aging_bounds = "30,60,99999999999"
        self.assertIn("99999999999 days is more than 3650 days", str(refused.exception))
        self.assertEqual(self._stored_bounds(), before)

    def test_a_bound_above_ten_years_is_refused_in_the_settings(self):
        before = self._stored_bounds()
        with self.assertRaises(ValidationError) as refused:
            self.env["res.config.settings"].create({"credit_aging_bounds": "30,3651"}).execute()
        self.assertIn("3651 days is more than 3650 days", str(refused.exception))
        self.assertEqual(self._stored_bounds(), before)

    def test_a_bound_above_ten_years_is_refused_on_a_report(self):
        reports = self.env["credit.aging.report"].search_count([])
        with self.assertRaises(ValidationError) as refused:
            self.env["credit.aging.report"].create({"bounds": "30,60,99999999999"})
        self.assertIn("more than 3650 days", str(refused.exception))
        self.assertEqual(self.env["credit.aging.report"].search_count([]), reports)

    def test_ten_years_is_accepted_and_the_report_runs(self):
        acme = self._customer("Acme")
        self._invoice(acme, "2014-01-01", "2014-01-31", 700.0)
        self.company.credit_aging_bounds = "30,365,3650"
        report = self.env["credit.aging.report"].create(
            {"company_ids": [Command.set(self.company.ids)]}
        )
        self.assertEqual(report.bounds, "30,365,3650")
        line = report._lines().filtered(lambda line: line.partner_id == acme)
        # due 2014-01-31, as of 2024-06-30: 3,803 days overdue, beyond the last bound
        self.assertEqual((line.r0, line.r1, line.r2, line.r3, line.r4), (0, 0, 0, 0, 700.0))


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestNegativeLimits(CreditOrderCommon):
    """A limit of 0 already means no credit: a negative credit limit, temporary limit or
    group limit means nothing and is refused, even from a decision method."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme, cls.file = cls._rated("Acme", limit=10_000.0)

    def _limits(self):
        self.env.invalidate_all()
        return (self.file.credit_limit, self.file.temporary_limit, self.file.group_limit)

    def test_a_negative_credit_limit_is_refused(self):
        with self.assertRaises(ValidationError) as refused, audit_writer(self.env):
            self.file.write({"credit_limit": -1.0})
        self.assertIn("cannot be negative", str(refused.exception))
        self.assertEqual(self._limits(), (10_000.0, 0.0, 0.0))

    def test_a_negative_temporary_limit_is_refused(self):
        with self.assertRaises(ValidationError) as refused, audit_writer(self.env):
            self.file.write({"temporary_limit": -500.0, "temporary_limit_until": "2024-07-31"})
        self.assertIn("cannot be negative", str(refused.exception))
        self.assertEqual(self._limits(), (10_000.0, 0.0, 0.0))
        self.assertFalse(self.file.temporary_limit_until)

    def test_a_negative_group_limit_is_refused(self):
        with self.assertRaises(ValidationError) as refused:
            self.file.with_user(self.officer).write({"is_credit_group": True, "group_limit": -1})
        self.assertIn("cannot be negative", str(refused.exception))
        self.assertEqual(self._limits(), (10_000.0, 0.0, 0.0))
        self.assertFalse(self.file.is_credit_group)

    def test_a_file_created_with_a_negative_limit_is_refused(self):
        partner = self._customer("Bolt")
        with self.assertRaises(ValidationError) as refused:
            self._file(partner, group_limit=-10.0, is_credit_group=True)
        self.assertIn("cannot be negative", str(refused.exception))
        self.assertFalse(
            self.env["credit.file"]
            .with_context(active_test=False)
            .search([("partner_id", "=", partner.id)])
        )

    def test_a_zero_limit_is_accepted(self):
        self.file.with_user(self.officer).write({"is_credit_group": True, "group_limit": 0.0})
        self.assertEqual(self._limits(), (10_000.0, 0.0, 0.0))

    def test_a_hold_decision_with_a_negative_temporary_limit_is_refused(self):
        order = self._quotation(self.acme, 12_000.0)
        order.with_user(self.salesperson).action_confirm()
        hold = order.credit_hold_ids
        self.assertEqual(hold.state, "pending")
        Decision = self.env["credit.hold.decision"].with_user(self.officer)
        with self.assertRaises(ValidationError) as refused:
            Decision.create(
                {
                    "hold_ids": [Command.set(hold.ids)],
                    "decision": "approve_temporary_limit",
                    "temporary_limit": -20_000.0,
                    "temporary_limit_until": "2024-07-31",
                    "reason": "Season peak",
                }
            )
        self.assertIn("temporary limit cannot be negative", str(refused.exception))
        self.assertFalse(Decision.search([("hold_ids", "in", hold.ids)]))
        self.assertEqual(hold.state, "pending")
        self.assertEqual(self._limits(), (10_000.0, 0.0, 0.0))


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestDunningFeeBounds(DunningCommon):
    """A minimum interest needs a cap at least as high: a cap of 0 ("no cap") under a
    minimum of 5 is refused, and nothing is written."""

    def _fees(self, level):
        self.env.invalidate_all()
        return (level.fee_min, level.fee_cap)

    def test_a_cap_of_zero_under_a_minimum_is_refused(self):
        level = self.level[60]
        with self.assertRaises(ValidationError) as refused:
            level.write({"fee_min": 5.0, "fee_cap": 0.0})
        self.assertIn("needs a cap at least as high", str(refused.exception))
        self.assertEqual(self._fees(level), (10.0, 500.0))

    def test_a_cap_below_the_minimum_is_refused(self):
        level = self.level[60]
        with self.assertRaises(ValidationError) as refused:
            level.fee_cap = 9.99
        self.assertIn("above its cap", str(refused.exception))
        self.assertEqual(self._fees(level), (10.0, 500.0))

    def test_no_cap_without_a_minimum_and_a_cap_equal_to_the_minimum_are_accepted(self):
        level = self.level[60]
        level.write({"fee_min": 0.0, "fee_cap": 0.0})
        self.assertEqual(self._fees(level), (0.0, 0.0))
        level.write({"fee_min": 25.0, "fee_cap": 25.0})
        self.assertEqual(self._fees(level), (25.0, 25.0))
