import threading
from datetime import date

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, freeze_time, get_db_name, new_test_user, tagged

from odoo.addons.credit_management.models.credit_decision_mixin import audit_writer

from .common import CreditOrderCommon

TIMEOUT = 60
"""Seconds any thread, lock or barrier may wait before the race test gives up."""


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestCreditBudget(CreditOrderCommon):
    """The company's credit budget (总授信额度) is 20,000.00. Acme is rated A with a limit of
    10,000.00 and owes 3,000.00 (not due); Beta is rated A with 5,000.00. Limits in force:
    10,000.00 + 5,000.00 = 15,000.00, so 5,000.00 of the budget is left."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme, cls.acme_file = cls._rated("Acme", limit=10_000.0)
        cls.beta, cls.beta_file = cls._rated("Beta", limit=5_000.0)
        cls._invoice(cls.acme, "2024-06-20", "2024-07-20", 3_000.0)
        cls.budget = cls.env["credit.budget"].create(
            {"company_id": cls.company.id, "amount": 20_000.0}
        )

    def _request(self, partner, amount, **values):
        return (
            self.env["credit.limit.request"]
            .with_user(self.salesperson)
            .create({"partner_id": partner.id, "amount": amount, "reason": "Season", **values})
        )

    def _assert_figures(self, message, *amounts):
        for amount in amounts:
            self.assertIn(amount, message)

    # ------------------------------------------------------------------
    # limit requests
    # ------------------------------------------------------------------
    def test_the_budget_shows_the_limits_in_force(self):
        self.assertAlmostEqual(self.budget.limits_in_force, 15_000.0, places=2)
        self.assertAlmostEqual(self.budget.available, 5_000.0, places=2)
        self.assertAlmostEqual(self.budget.used_percent, 75.0, places=1)

    def test_an_officer_cannot_raise_limits_beyond_the_budget(self):
        # Beta 5,000.00 -> 12,000.00: 15,000.00 in force + 7,000.00 = 22,000.00, 2,000.00 over
        request = self._request(self.beta, 12_000.0)
        with self.assertRefusedWithoutWriting(UserError) as caught:
            request.with_user(self.officer).action_approve()
        message = str(caught.exception)
        self.assertIn("credit budget", message)
        self.assertIn("Only a credit manager can approve it", message)
        self._assert_figures(message, "budget $\xa020,000.00", "force $\xa015,000.00")
        self._assert_figures(message, "requested $\xa07,000.00", "excess $\xa02,000.00")
        self.assertEqual(request.state, "submitted")
        self.assertAlmostEqual(self.beta_file.credit_limit, 5_000.0, places=2)
        self.assertAlmostEqual(self.budget.limits_in_force, 15_000.0, places=2)
        self.assertAlmostEqual(self.beta.with_company(self.company).credit_limit, 5_000.0)

    def test_a_raise_up_to_the_budget_passes_for_an_officer(self):
        # Beta 5,000.00 -> 10,000.00: 20,000.00 in force, exactly the budget
        self._request(self.beta, 10_000.0).with_user(self.officer).action_approve()
        self.assertAlmostEqual(self.beta_file.credit_limit, 10_000.0, places=2)
        self.assertAlmostEqual(self.budget.limits_in_force, 20_000.0, places=2)
        self.assertAlmostEqual(self.budget.used_percent, 100.0, places=1)

    def test_a_manager_must_give_a_reason_to_exceed_the_budget(self):
        request = self._request(self.beta, 12_000.0)
        with self.assertRefusedWithoutWriting(UserError) as caught:
            request.with_user(self.manager).action_approve()
        self.assertIn("Give the reason for exceeding the budget", str(caught.exception))
        self.assertEqual(request.state, "submitted")
        self.assertAlmostEqual(self.beta_file.credit_limit, 5_000.0, places=2)

    def test_a_manager_approves_beyond_the_budget_with_a_reason_kept(self):
        request = self._request(self.beta, 12_000.0).with_user(self.manager)
        request.budget_reason = "Strategic customer, guaranteed by its bank"
        request.action_approve()
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.decided_by_id, self.manager)
        self.assertEqual(request.budget_reason, "Strategic customer, guaranteed by its bank")
        self.assertAlmostEqual(self.beta_file.credit_limit, 12_000.0, places=2)
        # 10,000.00 + 12,000.00 = 22,000.00 of 20,000.00: 110 %, 2,000.00 over
        self.assertAlmostEqual(self.budget.limits_in_force, 22_000.0, places=2)
        self.assertAlmostEqual(self.budget.available, -2_000.0, places=2)
        self.assertAlmostEqual(self.budget.used_percent, 110.0, places=1)
        for record in (self.beta_file, self.budget):
            logged = record.message_ids.filtered(lambda m: "Strategic customer" in (m.body or ""))
            self.assertEqual(len(logged), 1)
            self.assertIn("excess $&nbsp;2,000.00", logged.body)
            self.assertIn("Manager", logged.body)
        with self.assertRaises(UserError):
            request.budget_reason = "changed afterwards"

    def test_an_officers_reason_does_not_unlock_the_budget(self):
        request = self._request(self.beta, 12_000.0).with_user(self.officer)
        request.budget_reason = "I say so"
        with self.assertRefusedWithoutWriting(UserError) as caught:
            request.action_approve()
        self.assertIn("Only a credit manager can approve it", str(caught.exception))
        self.assertAlmostEqual(self.beta_file.credit_limit, 5_000.0, places=2)

    def test_lowering_a_limit_is_allowed_above_the_budget(self):
        self.budget.amount = 8_000.0
        self._request(self.acme, 6_000.0).with_user(self.officer).action_approve()
        self.assertAlmostEqual(self.acme_file.credit_limit, 6_000.0, places=2)
        self.assertAlmostEqual(self.budget.limits_in_force, 11_000.0, places=2)

    # ------------------------------------------------------------------
    # temporary limits
    # ------------------------------------------------------------------
    def test_a_temporary_limit_counts_while_it_runs(self):
        # Beta's temporary 9,000.00 replaces its 5,000.00: 10,000.00 + 9,000.00 = 19,000.00
        self._request(self.beta, 9_000.0, temporary=True, date_end="2024-07-15").with_user(
            self.officer
        ).action_approve()
        self.assertAlmostEqual(self.budget.limits_in_force, 19_000.0, places=2)
        # Acme's temporary 12,000.00 would make 12,000.00 + 9,000.00 = 21,000.00
        request = self._request(self.acme, 12_000.0, temporary=True, date_end="2024-07-15")
        with self.assertRefusedWithoutWriting(UserError) as caught:
            request.with_user(self.officer).action_approve()
        self._assert_figures(str(caught.exception), "force $\xa019,000.00", "excess $\xa01,000.00")
        self.assertFalse(self.acme_file.temporary_limit)
        with freeze_time("2024-07-16"):
            # ended (even before the job clears it): 10,000.00 + 5,000.00 again
            self.budget.invalidate_recordset()
            self.assertAlmostEqual(self.budget.limits_in_force, 15_000.0, places=2)

    def test_a_hold_approved_with_a_temporary_limit_is_checked_against_the_budget(self):
        order = self._quotation(self.acme, 8_000.0)
        order.with_user(self.salesperson).action_confirm()
        hold = order.credit_hold_ids
        self.assertEqual(hold.state, "pending")
        # Acme's temporary 16,000.00: 16,000.00 + 5,000.00 = 21,000.00, 1,000.00 over
        with self.assertRefusedWithoutWriting(UserError) as caught:
            hold.with_user(self.officer).action_approve_with_temporary_limit(
                16_000.0, date(2024, 7, 31), "Season"
            )
        self._assert_figures(
            str(caught.exception), "requested $\xa06,000.00", "excess $\xa01,000.00"
        )
        self.assertEqual(hold.state, "pending")
        self.assertEqual(order.state, "draft")
        self.assertFalse(self.acme_file.temporary_limit)
        wizard = (
            self.env["credit.hold.decision"]
            .with_user(self.manager)
            .with_context(active_model="credit.hold", active_ids=hold.ids)
            .create(
                {
                    "decision": "approve_temporary_limit",
                    "temporary_limit": 16_000.0,
                    "temporary_limit_until": date(2024, 7, 31),
                    "reason": "Season",
                    "budget_reason": "Budget raised next month",
                }
            )
        )
        wizard.action_decide()
        self.assertEqual(hold.state, "approved")
        self.assertEqual(hold.budget_reason, "Budget raised next month")
        self.assertEqual(order.state, "sale")
        self.assertAlmostEqual(self.acme_file.effective_limit, 16_000.0, places=2)
        self.assertAlmostEqual(self.budget.limits_in_force, 21_000.0, places=2)

    # ------------------------------------------------------------------
    # reviews
    # ------------------------------------------------------------------
    def test_a_review_approval_is_checked_against_the_budget(self):
        # Gamma's review proposes 23,000.00 (the A customer of test_credit_review):
        # 15,000.00 + 23,000.00 = 38,000.00, 18,000.00 over the budget
        _gamma, gamma_file = self._a_grade_customer("Gamma")
        review = self._review(gamma_file)
        self.assertAlmostEqual(review.final_limit, 23_000.0, places=2)
        with self.assertRefusedWithoutWriting(UserError) as caught:
            review.with_user(self.officer).action_approve()
        self._assert_figures(str(caught.exception), "requested $\xa023,000.00")
        self._assert_figures(str(caught.exception), "excess $\xa018,000.00")
        self.assertEqual(review.state, "to_approve")
        self.assertFalse(gamma_file.credit_limit)
        review.with_user(self.manager).budget_reason = "New distributor, insured"
        review.with_user(self.manager).action_approve()
        self.assertEqual(review.state, "approved")
        self.assertEqual(review.budget_reason, "New distributor, insured")
        self.assertAlmostEqual(gamma_file.credit_limit, 23_000.0, places=2)

    # ------------------------------------------------------------------
    # team budgets
    # ------------------------------------------------------------------
    def test_a_team_budget_covers_the_customers_of_its_team(self):
        seller = new_test_user(
            self.env,
            login="cm_north_seller",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        north = self.env["crm.team"].create(
            {
                "name": "North",
                "company_id": self.company.id,
                "member_ids": [Command.link(seller.id)],
            }
        )
        self.beta.user_id = seller
        team_budget = self.env["credit.budget"].create(
            {"company_id": self.company.id, "team_id": north.id, "amount": 6_000.0}
        )
        self.assertAlmostEqual(team_budget.limits_in_force, 5_000.0, places=2)
        # Beta 5,000.00 -> 7,000.00: the company has room (17,000.00), the team not (1,000.00 over)
        request = self._request(self.beta, 7_000.0)
        with self.assertRefusedWithoutWriting(UserError) as caught:
            request.with_user(self.officer).action_approve()
        self.assertIn("North", str(caught.exception))
        self.assertIn("excess $\xa01,000.00", str(caught.exception))
        # Acme is not of the team: 10,000.00 -> 14,000.00 fits the company's 20,000.00
        self._request(self.acme, 14_000.0).with_user(self.officer).action_approve()
        self.assertAlmostEqual(self.acme_file.credit_limit, 14_000.0, places=2)
        self.assertAlmostEqual(team_budget.limits_in_force, 5_000.0, places=2)

    # ------------------------------------------------------------------
    # bad input and access
    # ------------------------------------------------------------------
    def test_a_negative_budget_is_refused_and_nothing_written(self):
        Budget = self.env["credit.budget"].with_user(self.manager)
        team = self.env["crm.team"].create({"name": "East", "company_id": self.company.id})
        with self.assertRaises(ValidationError) as caught:
            Budget.create({"company_id": self.company.id, "team_id": team.id, "amount": -1.0})
        self.assertIn("cannot be negative", str(caught.exception))
        self.assertFalse(Budget.search([("team_id", "=", team.id)]))
        with self.assertRaises(ValidationError):
            self.budget.with_user(self.manager).amount = -5.0
        self.assertAlmostEqual(self.budget.amount, 20_000.0, places=2)

    def test_a_second_budget_for_the_same_company_or_team_is_refused(self):
        Budget = self.env["credit.budget"].with_user(self.manager)
        with self.assertRaises(ValidationError) as caught:
            Budget.create({"company_id": self.company.id, "amount": 1.0})
        self.assertIn("already has a credit budget", str(caught.exception))
        team = self.env["crm.team"].create({"name": "South", "company_id": self.company.id})
        Budget.create({"company_id": self.company.id, "team_id": team.id, "amount": 1.0})
        with self.assertRaises(ValidationError):
            Budget.create({"company_id": self.company.id, "team_id": team.id, "amount": 2.0})
        self.assertEqual(Budget.search_count([("company_id", "=", self.company.id)]), 2)

    def test_credit_users_read_budgets_and_only_managers_change_them(self):
        self.assertAlmostEqual(self.budget.with_user(self.credit_user).amount, 20_000.0)
        for user in (self.credit_user, self.officer):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.budget.with_user(user).amount = 99_000.0
        self.budget.with_user(self.manager).amount = 30_000.0
        self.assertAlmostEqual(self.budget.amount, 30_000.0, places=2)

    def test_the_dashboard_shows_the_budget_used(self):
        dashboard = self.env["credit.kpi.dashboard"].create({"company_id": self.company.id})
        self.assertAlmostEqual(dashboard.credit_budget, 20_000.0, places=2)
        self.assertAlmostEqual(dashboard.credit_budget_in_force, 15_000.0, places=2)
        self.assertAlmostEqual(dashboard.credit_budget_used, 75.0, places=1)


@tagged("post_install", "-at_install")
class TestParallelBudget(BaseCase):
    """Two credit officers approve a limit request at the same moment, each in their own
    database transaction, as two web requests do. The North team's credit budget is
    2,500.00; its two customers have limits of 1,000.00 each and each officer raises one to
    1,400.00: alone each raise fits (2,400.00), both do not (2,800.00). Only one may pass.

    As in test_parallel_confirmation, the data is committed for real (in the test database)
    and removed at the end."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.addClassCleanup(cls._remove_committed_data)
        cls.data = {}
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            officers = env["res.users"]
            for number in (1, 2):
                officers |= new_test_user(
                    env,
                    login=f"cm_budget_race_{number}",
                    groups="credit_management.group_credit_officer",
                    company_id=company.id,
                    company_ids=[Command.set(company.ids)],
                )
            team = env["crm.team"].create(
                {
                    "name": "Budget Race Team",
                    "company_id": company.id,
                    "member_ids": [Command.link(officers[0].id)],
                }
            )
            customers = env["res.partner"].create(
                [
                    {"name": f"Budget Race {n}", "is_company": True, "user_id": officers[0].id}
                    for n in (1, 2)
                ]
            )
            files = env["credit.file"]
            with audit_writer(env):
                for customer in customers:
                    files |= env["credit.file"].create(
                        {
                            "partner_id": customer.id,
                            "company_id": company.id,
                            "credit_limit": 1_000.0,
                        }
                    )
            budget = env["credit.budget"].create(
                {"company_id": company.id, "team_id": team.id, "amount": 2_500.0}
            )
            requests = env["credit.limit.request"].create(
                [
                    {"partner_id": customer.id, "amount": 1_400.0, "reason": "Race"}
                    for customer in customers
                ]
            )
            cls.data = {
                "officers": officers.ids,
                "team": team.id,
                "customers": customers.ids,
                "files": files.ids,
                "budget": budget.id,
                "requests": requests.ids,
            }

    @classmethod
    def _remove_committed_data(cls):
        data = cls.data
        if not data:
            return
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            records = [
                env["credit.limit.request"].browse(data["requests"]),
                env["credit.budget"].browse(data["budget"]),
                env["credit.file"].browse(data["files"]),
            ]
            env["mail.message"].search(
                [
                    "|",
                    "|",
                    "&",
                    ("model", "=", "credit.limit.request"),
                    ("res_id", "in", data["requests"]),
                    "&",
                    ("model", "=", "credit.budget"),
                    ("res_id", "=", data["budget"]),
                    "&",
                    ("model", "=", "credit.file"),
                    ("res_id", "in", data["files"]),
                ]
            ).unlink()
            for record in records:
                record.exists().unlink()
            env["crm.team"].browse(data["team"]).exists().unlink()
            env["res.partner"].browse(data["customers"]).exists().unlink()
            officers = env["res.users"].browse(data["officers"]).exists()
            partners = officers.partner_id
            officers.unlink()
            partners.unlink()

    def _approve_in_own_transaction(self, officer_id, request_id, barrier, outcome):
        """One web request: read the request (the transaction's snapshot is taken), wait
        for the other officer, approve, commit; retried on a serialization failure as
        Odoo's RPC layer does."""
        try:
            with self.registry.cursor() as cr:
                cr.execute("SET lock_timeout = %s", [f"{TIMEOUT}s"])
                try:
                    env = api.Environment(cr, officer_id, {})
                    request = env["credit.limit.request"].browse(request_id)
                    self.assertEqual(request.state, "submitted")
                    barrier.wait(timeout=TIMEOUT)
                    retrying(
                        lambda: env["credit.limit.request"].browse(request_id).action_approve(), env
                    )
                    # two real transactions racing is the point of this test
                    cr.commit()  # pylint: disable=invalid-commit
                finally:
                    cr.rollback()
                    cr.execute("RESET lock_timeout")
            outcome[request_id] = "committed"
        except Exception as error:
            outcome[request_id] = error
            barrier.abort()

    def test_two_officers_cannot_both_use_the_rest_of_the_budget(self):
        barrier = threading.Barrier(2)
        outcome = {}
        threads = [
            threading.Thread(
                target=self._approve_in_own_transaction,
                args=(officer_id, request_id, barrier, outcome),
                name=f"approve-{request_id}",
            )
            for officer_id, request_id in zip(
                self.data["officers"], self.data["requests"], strict=True
            )
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=2 * TIMEOUT)
        self.assertFalse([t.name for t in threads if t.is_alive()], "an approval hangs")
        committed = [rid for rid, result in outcome.items() if result == "committed"]
        refused = {rid: result for rid, result in outcome.items() if result != "committed"}
        self.assertEqual(len(committed), 1, f"exactly one approval passes: {outcome}")
        self.assertEqual(len(refused), 1)
        error = next(iter(refused.values()))
        self.assertIsInstance(error, UserError)
        # the first raise is counted: 1,400.00 + 1,400.00 = 2,800.00, 300.00 over 2,500.00
        self.assertIn("force $\xa02,400.00", str(error))
        self.assertIn("excess $\xa0300.00", str(error))
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            requests = env["credit.limit.request"].browse(self.data["requests"])
            self.assertEqual(sorted(requests.mapped("state")), ["approved", "submitted"])
            files = env["credit.file"].browse(self.data["files"])
            self.assertEqual(sorted(files.mapped("credit_limit")), [1_000.0, 1_400.0])
            self.assertAlmostEqual(
                env["credit.budget"].browse(self.data["budget"]).limits_in_force, 2_400.0
            )
