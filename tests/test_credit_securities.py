from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, new_test_user, tagged

from .common import CreditOrderCommon


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestCreditSecurities(CreditOrderCommon):
    """Securities (债权保障) on Acme's credit file, company currency USD, on 2024-06-30.

    EUR is 2.0 per USD from 2024-01-01 and 2.5 from 2024-06-15 (today's rate: 2.5).
    Acme is rated A with a limit of 10,000.00 and owes 9,000.00 (due 2024-07-20, not
    overdue). Its securities:
    - a bank guarantee of EUR 6,000.00, active: 6,000 / 2.5 = 2,400.00;
    - credit insurance of 4,000.00 at 90 % with a deductible of 600.00, active:
      4,000 x 90 % - 600 = 3,000.00;
    - a personal guarantee of 1,000.00 still in draft (not counted), and a pledge of
      2,000.00 valid from 2024-07-01 (not counted yet).
    Covered: 2,400 + 3,000 = 5,400.00; secured = min(9,000, 5,400) = 5,400.00; unsecured
    = 9,000 - 5,400 = 3,600.00."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rates=[("2024-01-01", 2.0), ("2024-06-15", 2.5)])
        cls.bank = cls._customer("Bank of Guarantees")
        cls.insurer = cls._customer("Trade Insurer")
        cls.acme, cls.file = cls._rated("Acme", limit=10_000.0)
        cls._invoice(cls.acme, "2024-06-20", "2024-07-20", 9_000.0)
        cls.guarantee = cls._security(
            "BG-1", amount=6_000.0, currency_id=cls.eur.id, provider_id=cls.bank.id
        )
        cls.insurance = cls._security(
            "CI-1",
            kind="credit_insurance",
            amount=4_000.0,
            coverage=90.0,
            deductible=600.0,
            provider_id=cls.insurer.id,
        )
        (cls.guarantee | cls.insurance).with_user(cls.officer).action_activate()
        cls.draft = cls._security("PG-1", kind="personal_guarantee", amount=1_000.0)
        cls.pledge = cls._security(
            "PL-1", kind="collateral", amount=2_000.0, date_from=date(2024, 7, 1)
        )
        cls.pledge.with_user(cls.officer).action_activate()

    @classmethod
    def _security(cls, name, file=None, **values):
        return (
            cls.env["credit.security"]
            .with_user(cls.officer)
            .create({"name": name, "file_id": (file or cls.file).id, **values})
        )

    def _figures(self, file=None):
        file = file or self.file
        file.invalidate_recordset(["exposure_total", "exposure_secured", "exposure_unsecured"])
        return file.exposure_total, file.exposure_secured, file.exposure_unsecured

    def _unsecured_policy(self):
        self.policy.limit_basis = "unsecured"

    # ------------------------------------------------------------------
    # figures
    # ------------------------------------------------------------------
    def test_each_security_covers_its_share_in_company_currency(self):
        self.assertEqual(self.guarantee.covered_amount, 6_000.0)
        self.assertEqual(self.guarantee.covered_amount_company, 2_400.0)
        self.assertEqual(self.insurance.covered_amount_company, 3_000.0)

    def test_the_file_shows_the_secured_and_unsecured_exposure(self):
        self.assertEqual(self._figures(), (9_000.0, 5_400.0, 3_600.0))

    def test_the_sql_sum_converts_at_todays_rate(self):
        exposure = self.env["credit.exposure"]._exposure_by_partner(
            [(self.company.id, self.acme.id)]
        )[(self.company.id, self.acme.id)]
        self.assertEqual(exposure["security_cover"], 5_400.0)

    def test_the_secured_part_is_never_more_than_the_exposure(self):
        self._security("BG-2", amount=20_000.0).with_user(self.officer).action_activate()
        self.assertEqual(self._figures(), (9_000.0, 9_000.0, 0.0))

    def test_a_security_counts_from_its_start_date(self):
        with freeze_time("2024-07-01"):
            # + the pledge's 2,000.00: 7,400.00 secured, 1,600.00 unsecured
            self.assertEqual(self._figures(), (9_000.0, 7_400.0, 1_600.0))

    def test_securities_are_informative_by_default(self):
        self.assertEqual(self.policy.limit_basis, "total")
        self.acme.invalidate_recordset(["credit_available"])
        self.assertEqual(self.acme.with_user(self.salesperson).credit_available, 1_000.0)

    # ------------------------------------------------------------------
    # the limit on unsecured exposure: order gate, banner, holds, customer check
    # ------------------------------------------------------------------
    def test_an_order_blocked_on_total_exposure_passes_on_unsecured_exposure(self):
        order = self._quotation(self.acme, 3_000.0)
        # total: 9,000 + 3,000 = 12,000 > 10,000
        self.assertIn("over the limit", order.with_user(self.salesperson).partner_credit_warning)
        self._unsecured_policy()
        # unsecured after the order: 12,000 - min(12,000, 5,400) = 6,600 <= 10,000
        order.invalidate_recordset(["partner_credit_warning"])
        self.assertEqual(order.with_user(self.salesperson).partner_credit_warning, "")
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_a_hold_on_unsecured_exposure_keeps_the_secured_and_unsecured_figures(self):
        self._unsecured_policy()
        order = self._quotation(self.acme, 7_000.0)
        banner = order.with_user(self.salesperson).partner_credit_warning
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "draft")
        hold = self._holds(order, "pending")
        self.assertEqual(
            (hold.exposure, hold.secured_exposure, hold.unsecured_exposure),
            (9_000.0, 5_400.0, 3_600.0),
        )
        # after: 16,000; secured 5,400; unsecured 10,600, over 10,000 by 600
        limit = self._failures(hold)["limit"]
        self.assertEqual(
            (limit["exposure_after"], limit["secured_after"], limit["unsecured_after"]),
            (16_000, 5_400, 10_600),
        )
        self.assertEqual(limit["excess"], 600)
        money = self.currency.format
        self.assertIn(
            f"the unsecured {money(10_600.0)} is over the limit of {money(10_000.0)} by "
            f"{money(600.0)}",
            hold.reasons,
        )
        self.assertIn(
            f"Exposure {money(9_000.0)}: {money(5_400.0)} secured by guarantees, insurance, "
            f"collateral or letters of credit, {money(3_600.0)} unsecured.",
            banner,
        )

    def test_the_customer_check_and_available_credit_follow_the_policy(self):
        self._set_rating(self.file, credit_limit=5_000.0)
        pair = (self.company.id, self.acme.id)
        Exposure = self.env["credit.exposure"]

        def limit_failed():
            _file, _facts, failures = Exposure._customer_credit_check([pair])[pair]
            return "limit" in [failure.rule for failure in failures]

        self.assertTrue(limit_failed())  # 9,000 > 5,000
        self._unsecured_policy()
        self.assertFalse(limit_failed())  # 3,600 <= 5,000
        self.acme.invalidate_recordset(["credit_available"])
        self.assertEqual(self.acme.with_user(self.salesperson).credit_available, 1_400.0)

    # ------------------------------------------------------------------
    # expiry, reminders, calls
    # ------------------------------------------------------------------
    def test_an_ended_security_no_longer_counts_before_and_after_the_job(self):
        self.insurance.date_until = date(2024, 7, 10)
        with freeze_time("2024-07-11"):
            # the job has not run: still active, but past its end date
            self.assertEqual(self.insurance.state, "active")
            # 2,400 (guarantee) + 2,000 (pledge, from 2024-07-01)
            self.assertEqual(self._figures(), (9_000.0, 4_400.0, 4_600.0))
            self.env["credit.security"]._cron_check_expiry()
            self.assertEqual(self.insurance.state, "expired")
            self.assertEqual(self._figures(), (9_000.0, 4_400.0, 4_600.0))

    def test_the_officer_is_reminded_once_before_a_security_ends(self):
        self.insurance.date_until = date(2024, 7, 20)  # in 20 days, within the 30 days
        self.guarantee.date_until = date(2024, 8, 15)  # in 46 days: not yet
        Security = self.env["credit.security"]
        Security._cron_check_expiry()
        Security._cron_check_expiry()
        activities = self.env["mail.activity"].search(
            [("res_model", "=", "credit.security"), ("res_id", "in", self.file.security_ids.ids)]
        )
        self.assertEqual(activities.mapped("res_id"), self.insurance.ids)
        self.assertEqual(activities.user_id, self.officer)  # the policy's default officer
        self.assertEqual(activities.date_deadline, date(2024, 7, 20))
        # a renewal gets its own reminder when its new end date comes near
        self.insurance.date_until = date(2024, 7, 25)
        Security._cron_check_expiry()
        self.assertEqual(
            self.env["mail.activity"].search_count(
                [("res_model", "=", "credit.security"), ("res_id", "=", self.insurance.id)]
            ),
            2,
        )

    def test_the_files_officer_gets_the_reminder(self):
        other = self.manager
        self.file.officer_id = other
        self.insurance.date_until = date(2024, 7, 1)
        self.env["credit.security"]._cron_check_expiry()
        self.assertEqual(self.insurance.activity_ids.user_id, other)

    def test_calling_a_security_is_logged_and_it_no_longer_counts(self):
        self.guarantee.with_user(self.officer).action_call()
        self.assertEqual(self.guarantee.state, "called")
        self.assertEqual(self.guarantee.called_on, date(2024, 6, 30))
        log = self.env["credit.collection.log"].search([("security_id", "=", self.guarantee.id)])
        self.assertEqual(len(log), 1)
        self.assertEqual(
            (log.channel, log.partner_id, log.file_id, log.is_automatic),
            ("security", self.acme, self.file, True),
        )
        self.assertIn("BG-1", log.content)
        self.assertIn("Bank of Guarantees", log.content)
        self.assertEqual(self._figures(), (9_000.0, 3_000.0, 6_000.0))
        with self.assertRaises(UserError):
            self.guarantee.with_user(self.officer).action_call()

    def test_a_cancelled_security_no_longer_counts(self):
        self.insurance.with_user(self.officer).action_cancel()
        self.assertEqual(self._figures(), (9_000.0, 2_400.0, 6_600.0))

    def test_an_ended_security_cannot_be_activated(self):
        late = self._security("BG-OLD", amount=500.0, date_until=date(2024, 6, 29))
        with self.assertRaises(UserError):
            late.with_user(self.officer).action_activate()
        self.assertEqual(late.state, "draft")

    # ------------------------------------------------------------------
    # access and bad input
    # ------------------------------------------------------------------
    def test_salespeople_read_securities_and_change_nothing(self):
        guarantee = self.guarantee.with_user(self.salesperson)
        self.assertEqual(guarantee.amount, 6_000.0)
        with self.assertRaises(AccessError):
            guarantee.write({"amount": 60_000.0})
        with self.assertRaises(AccessError):
            self.env["credit.security"].with_user(self.salesperson).create(
                {"name": "X", "file_id": self.file.id, "amount": 1.0}
            )
        with self.assertRaises(AccessError):
            self.draft.with_user(self.salesperson).action_activate()
        self.assertEqual(self.draft.state, "draft")

    def test_another_company_neither_sees_nor_counts_the_securities(self):
        company_b = self.setup_other_company(name="Company B")["company"]
        officer_b = new_test_user(
            self.env,
            login="cm_security_officer_b",
            groups="credit_management.group_credit_officer",
            company_id=company_b.id,
            company_ids=[Command.set(company_b.ids)],
        )
        Security_b = self.env["credit.security"].with_user(officer_b)
        self.assertFalse(Security_b.search([("id", "in", self.file.security_ids.ids)]))
        self._file(self.acme, company=company_b)
        pair = (company_b.id, self.acme.id)
        exposure = self.env["credit.exposure"]._exposure_by_partner([pair])[pair]
        self.assertEqual(exposure["security_cover"], 0.0)

    def test_the_state_changes_only_through_the_buttons(self):
        with self.assertRaises(AccessError):
            self.draft.with_user(self.manager).write({"state": "active"})
        with self.assertRaises(AccessError):
            self._security("FORGED", amount=1.0, state="active")
        self.assertEqual(self.draft.state, "draft")
        self.assertFalse(self.env["credit.security"].search([("name", "=", "FORGED")]))

    def test_bad_figures_are_refused_and_nothing_is_written(self):
        Security = self.env["credit.security"]
        count = Security.search_count([])
        bad = [
            ({"amount": -1.0}, "amount of a security cannot be negative"),
            ({"amount": 1.0, "deductible": -1.0}, "deductible of a security cannot be negative"),
            ({"amount": 1.0, "coverage": 100.5}, "between 0 and 100 %"),
            ({"amount": 1.0, "coverage": -1.0}, "between 0 and 100 %"),
            (
                {"amount": 1.0, "date_from": date(2024, 7, 1), "date_until": date(2024, 6, 30)},
                "cannot end before it starts",
            ),
        ]
        for values, message in bad:
            with self.subTest(values=values), self.assertRaises(ValidationError) as refused:
                self._security("BAD", **values)
            self.assertIn(message, str(refused.exception))
        self.assertEqual(Security.search_count([]), count)
        with self.assertRaises(ValidationError):
            self.insurance.with_user(self.officer).write({"coverage": 150.0})
        self.insurance.invalidate_recordset()
        self.assertEqual(self.insurance.coverage, 90.0)

    def test_the_expiry_notice_cannot_be_negative(self):
        with self.assertRaises(ValidationError):
            self.policy.security_expiry_notice_days = -1
        self.policy.invalidate_recordset()
        self.assertEqual(self.policy.security_expiry_notice_days, 30)

    def test_the_error_is_told_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["credit_management"], ["zh_CN"], overwrite=True
        )
        with self.assertRaises(ValidationError) as refused:
            self.env["credit.security"].with_user(self.officer).with_context(lang="zh_CN").create(
                {"name": "BAD", "file_id": self.file.id, "amount": -1.0}
            )
        self.assertIn("担保金额不能为负数", str(refused.exception))


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestProvisionOnUnsecuredPart(CreditOrderCommon):
    """Pax owes, on 2024-06-30 (default rates): P1 1,000.00 not due (0 %), P2 2,000.00 due
    2024-06-20 (10 days: 1 %), P3 4,000.00 due 2024-03-01 (121 days: 30 %). Provision without
    securities: 20.00 + 1,200.00 = 1,220.00. A bank guarantee of 2,500.00 secures it.

    With the company setting on, the 2,500.00 are taken off the lowest rates first: all of
    P1's bucket (1,000.00 at 0 %) and 1,500.00 of P2's (1 %): 500 x 1 % + 4,000 x 30 % =
    5.00 + 1,200.00 = 1,205.00."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pax = cls._customer("Pax")
        cls.file = cls._file(cls.pax)
        cls._invoice(cls.pax, "2024-06-25", "2024-07-31", 1_000.0)
        cls._invoice(cls.pax, "2024-05-21", "2024-06-20", 2_000.0)
        cls._invoice(cls.pax, "2024-02-01", "2024-03-01", 4_000.0)
        guarantee = (
            cls.env["credit.security"]
            .with_user(cls.officer)
            .create({"name": "BG-PAX", "file_id": cls.file.id, "amount": 2_500.0})
        )
        guarantee.with_user(cls.officer).action_activate()

    def _line(self):
        provision = self.env["credit.provision"].create({"company_id": self.company.id})
        provision.action_compute()
        return provision.line_ids.filtered(lambda line: line.partner_id == self.pax)

    def test_by_default_securities_do_not_lower_the_provision(self):
        line = self._line()
        self.assertEqual((line.proposed, line.amount_secured), (1_220.0, 0.0))

    def test_the_rates_apply_to_the_unsecured_part_when_the_company_says_so(self):
        self.company.credit_provision_unsecured_only = True
        line = self._line()
        self.assertEqual((line.amount_total, line.amount_secured), (7_000.0, 2_500.0))
        self.assertEqual(line.proposed, 1_205.0)
        secured = {bucket["label"]: bucket["secured"] for bucket in line.buckets}
        self.assertEqual(secured["Not due"], 1_000.0)
        self.assertEqual(secured["1-30 days"], 1_500.0)
        self.assertEqual(secured["91-180 days"], 0.0)
