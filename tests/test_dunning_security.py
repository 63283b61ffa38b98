from unittest import mock

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, new_test_user, tagged

from .dunning_common import DAY, DunningCommon, days


@freeze_time("2024-06-30")
@tagged("post_install", "-at_install")
class TestDunningSecurity(DunningCommon):
    """Officers run and send; credit users (salespeople) see the contacts of their own
    customers and log calls; nothing crosses companies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mine = cls._debtor("Mine", user_id=cls.salesperson.id)
        cls.theirs = cls._debtor("Theirs")
        for partner in (cls.mine, cls.theirs):
            cls._invoice(partner, days(-90), days(-20), 100.0)
        cls.company_b = cls.setup_other_company(name="Company B")["company"]
        cls.officer_b = new_test_user(
            cls.env,
            login="cm_dunning_officer_b",
            groups="credit_management.group_credit_officer",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )

    def test_only_officers_compute_and_send_runs(self):
        for user in (self.salesperson, self.credit_user):
            with self.assertRaises(AccessError):
                self._run(DAY, user=user)
        run = self._run(DAY)
        with self.assertRaises(AccessError):
            run.with_user(self.credit_user).action_send()
        with self.assertRaises(AccessError):
            run.communication_ids[:1].with_user(self.credit_user).action_send_now()
        run.with_user(self.officer).action_send()
        self.assertEqual(run.state, "sending")

    def test_salespeople_see_their_customers_communications_and_logs_only(self):
        run = self._run(DAY)
        run.with_user(self.officer).action_send()
        run._send_batch()
        Comm = self.env["credit.dunning.communication"].with_user(self.salesperson)
        self.assertEqual(Comm.search([("run_id", "=", run.id)]).partner_id, self.mine)
        Line = self.env["credit.dunning.communication.line"].with_user(self.salesperson)
        self.assertEqual(
            Line.search([("run_id", "=", run.id)]).communication_id.partner_id, self.mine
        )
        Log = self.env["credit.collection.log"].with_user(self.salesperson)
        self.assertEqual(Log.search([]).partner_id, self.mine)
        officer_logs = self.env["credit.collection.log"].with_user(self.officer).search([])
        self.assertEqual(officer_logs.partner_id, self.mine | self.theirs)

    def test_a_salesperson_logs_a_call_and_records_a_promise(self):
        log = (
            self.env["credit.collection.log"]
            .with_user(self.salesperson)
            .create(
                {
                    "partner_id": self.mine.id,
                    "channel": "phone",
                    "content": "Called the owner",
                    "customer_answer": "Will pay next week",
                }
            )
        )
        self.assertEqual(log.collector_id, self.salesperson)
        self.assertEqual(log.company_id, self.company)

    def test_credit_users_cannot_dispute_nor_change_policies(self):
        invoice = self.env["account.move"].search([("partner_id", "=", self.mine.id)])
        wizard = (
            self.env["credit.dunning.dispute"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"reason": "Wrong price"})
        )
        with self.assertRaises(AccessError):
            wizard.with_user(self.credit_user).action_confirm()
        with self.assertRaises(AccessError):
            self.dunning.with_user(self.officer).write({"min_days_between": 1})
        self.dunning.with_user(self.manager).write({"min_days_between": 1})

    def test_a_run_sees_only_its_companys_items_and_policies(self):
        in_b = self.env["res.partner"].create({"name": "B customer", "email": "b@example.com"})
        self._invoice(in_b, days(-90), days(-20), 100.0, company=self.company_b)
        # company B has no default policy: nothing to dun there
        run_b = self._run(DAY, company=self.company_b, user=self.officer_b)
        self.assertFalse(run_b.communication_ids)
        self._dunning_policy("B policy", company=self.company_b, is_default=True)
        run_b = self._run(DAY, company=self.company_b, user=self.officer_b)
        self.assertEqual(run_b.communication_ids.partner_id, in_b)
        run_a = self._run(DAY)
        self.assertEqual(run_a.communication_ids.partner_id, self.mine | self.theirs)

    def test_company_b_cannot_see_company_a_dunning(self):
        self._run(DAY)
        env_b = self.env(user=self.officer_b, context={"allowed_company_ids": self.company_b.ids})
        for model in (
            "credit.dunning.run",
            "credit.dunning.communication",
            "credit.dunning.policy",
            "credit.dunning.item.state",
            "credit.collection.worklist",
        ):
            self.assertFalse(env_b[model].search([]), model)

    # ------------------------------------------------------------------
    # promises and logs a salesperson cannot make disappear
    # ------------------------------------------------------------------
    def _salesperson_promise(self):
        item = (
            self.env["account.move"]
            .search([("partner_id", "=", self.mine.id)])
            .line_ids.filtered(lambda line: line.account_id == self.receivable)
        )
        return (
            self.env["credit.payment.promise"]
            .with_user(self.salesperson)
            .create(
                {
                    "partner_id": self.mine.id,
                    "amount": 100.0,
                    "date": days(5),
                    "move_line_ids": [Command.set(item.ids)],
                }
            )
        )

    def test_a_salesperson_cannot_settle_or_cancel_a_promise(self):
        promise = self._salesperson_promise()
        for state in ("kept", "cancel"):
            with self.assertRaises(AccessError):
                promise.write({"state": state})
        with self.assertRaises(AccessError):
            promise.action_cancel()
        self.assertEqual(promise.state, "open")
        promise.with_user(self.officer).action_cancel()
        self.assertEqual(promise.state, "cancel")

    def test_a_broken_promise_keeps_its_date_and_amount(self):
        promise = self._salesperson_promise()
        with freeze_time(days(6)):
            self.env["credit.payment.promise"]._check_promises()
        self.assertEqual(promise.state, "broken")
        for values in ({"date": days(30)}, {"amount": 1.0}, {"move_line_ids": [Command.clear()]}):
            for user in (self.salesperson, self.officer):
                with self.assertRaises(UserError):
                    promise.with_user(user).write(values)
        with self.assertRaises(UserError):
            promise.with_user(self.officer).action_cancel()
        self.assertEqual(promise.date, days(5))
        self.assertEqual(promise.amount, 100.0)
        self.assertEqual(promise.state, "broken")

    def test_an_open_promise_can_still_be_corrected(self):
        promise = self._salesperson_promise()
        promise.write({"amount": 80.0})
        self.assertEqual(promise.amount, 80.0)

    def test_a_salesperson_cannot_rewrite_what_the_system_logged(self):
        run = self._run(DAY)
        self._send_all(run)
        auto = self.env["credit.collection.log"].search([("partner_id", "=", self.mine.id)])
        self.assertEqual(len(auto), 1)
        self.assertTrue(auto.is_automatic)
        with self.assertRaises(AccessError):
            auto.with_user(self.salesperson).write({"content": "Never sent"})
        with self.assertRaises(AccessError):
            auto.with_user(self.salesperson).unlink()
        own = (
            self.env["credit.collection.log"]
            .with_user(self.salesperson)
            .create(
                {
                    "partner_id": self.mine.id,
                    "content": "Called",
                    "is_automatic": True,  # not theirs to set
                }
            )
        )
        self.assertFalse(own.is_automatic)
        own.write({"customer_answer": "Will pay Friday"})
        auto.with_user(self.officer).write({"customer_answer": "Confirmed receipt"})
        self.assertEqual(auto.customer_answer, "Confirmed receipt")

    # ------------------------------------------------------------------
    # item states of other salespeople's customers
    # ------------------------------------------------------------------
    def test_salespeople_see_the_dunning_states_of_their_customers_only(self):
        self._send_all(self._run(DAY))
        States = self.env["credit.dunning.item.state"]
        self.assertEqual(States.search([]).partner_id, self.mine | self.theirs)
        self.assertEqual(States.with_user(self.salesperson).search([]).partner_id, self.mine)
        self.assertEqual(
            States.with_user(self.officer).search([]).partner_id, self.mine | self.theirs
        )

    # ------------------------------------------------------------------
    # the daily job, company by company
    # ------------------------------------------------------------------
    def _runs_of(self, company):
        return self.env["credit.dunning.run"].search([("company_id", "=", company.id)])

    def test_the_daily_job_runs_companies_without_a_default_policy(self):
        own = self._dunning_policy("B own policy", company=self.company_b)
        self.assertFalse(own.is_default)
        in_b = self.env["res.partner"].create({"name": "B customer", "email": "b@example.com"})
        self._file(in_b, company=self.company_b, dunning_policy_id=own.id)
        self._invoice(in_b, days(-90), days(-20), 100.0, company=self.company_b)
        self.env["credit.dunning.run"]._cron_compute_daily()
        run_b = self._runs_of(self.company_b)
        self.assertEqual(run_b.state, "computed")
        self.assertEqual(run_b.communication_ids.partner_id, in_b)
        self.assertEqual(self._runs_of(self.company).state, "computed")

    def test_one_companys_failure_leaves_the_others_runs(self):
        self._dunning_policy("B policy", company=self.company_b, is_default=True)
        Run = type(self.env["credit.dunning.run"])
        original = Run._compute_communications

        def fail_in_b(run):
            if run.company_id == self.company_b:
                raise ValueError("broken policy")
            return original(run)

        with (
            mock.patch.object(Run, "_compute_communications", fail_in_b),
            self.assertLogs("odoo.addons.credit_management.models.credit_dunning_run", "ERROR"),
        ):
            self.env["credit.dunning.run"]._cron_compute_daily()
        run_a = self._runs_of(self.company)
        self.assertEqual(run_a.state, "computed")
        self.assertEqual(run_a.communication_ids.partner_id, self.mine | self.theirs)
        self.assertFalse(self._runs_of(self.company_b))

    def test_the_daily_job_uses_each_companys_date(self):
        self.company.partner_id.tz = "Asia/Shanghai"
        self.env.user.tz = "UTC"
        with freeze_time("2024-06-29 20:00:00"):  # already the 30th in Shanghai
            self.env["credit.dunning.run"]._cron_compute_daily()
        self.assertEqual(self._runs_of(self.company).date, DAY)
