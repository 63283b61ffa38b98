"""The addon's scheduled jobs when two Odoo workers (of one server or of several) run the same
job at once, or one after the other with overlapping transactions: the second one does
nothing, quietly, instead of doing the work twice (a second review proposed, a second
message) or failing on a row the first one changed.

Real transactions are needed (two cursors on the test database), so this class commits its
data and removes it at the end, as ``test_parallel_confirmation`` does."""

import re
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged

from odoo.addons.credit_management.models.credit_decision_mixin import audit_writer

JOBS = {
    "ir_cron_propose_reviews": "propose_reviews",
    "ir_cron_expire_temporary_limits": "expire_temporary_limits",
    "ir_cron_detect_warning_signs": "detect_warning_signs",
    "ir_cron_compact_receivable_ladder": "compact_receivable_ladder",
    "ir_cron_security_expiry": "security_expiry",
    "ir_cron_dunning_daily": "dunning_daily",
    "ir_cron_dunning_send": "dunning_send",
    "ir_cron_payment_promises": "payment_promises",
    "ir_cron_update_receivable_cases": "update_receivable_cases",
}
"""Every scheduled job of the addon (its ``ir.cron`` record) and the name it claims."""


@tagged("post_install", "-at_install")
class TestCronConcurrency(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.data = {}
        cls.addClassCleanup(cls._remove_committed_data)
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            today = fields.Date.context_today(env["res.partner"])
            company = env.ref("base.main_company")
            customer = env["res.partner"].create({"name": "Cron Race Customer", "is_company": True})
            # a temporary limit that ended yesterday, granted as a decision would grant it
            with audit_writer(env):
                file = env["credit.file"].create(
                    {
                        "partner_id": customer.id,
                        "company_id": company.id,
                        "grade_id": env.ref("credit_management.grade_a").id,
                        "credit_limit": 1_000.0,
                        "credit_days": 30,
                        "rating_date": today - timedelta(days=400),
                        "valid_until": today + timedelta(days=60),
                        "temporary_limit": 500.0,
                        "temporary_limit_until": today - timedelta(days=1),
                    }
                )
            cls.data = {"customer": customer.id, "file": file.id}

    @classmethod
    def _remove_committed_data(cls):
        if not cls.data:
            return
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            file = env["credit.file"].browse(cls.data["file"]).exists()
            reviews = env["credit.review"].search([("file_id", "=", file.id)])
            env["mail.activity"].search(
                [("res_model", "=", "credit.review"), ("res_id", "in", reviews.ids)]
            ).unlink()
            reviews.unlink()
            file.unlink()
            env["res.partner"].browse(cls.data["customer"]).exists().unlink()
            cr.execute(
                "DELETE FROM credit_management_job_run WHERE name = ANY(%s)", [list(JOBS.values())]
            )

    def _cursor(self):
        """A real transaction with its snapshot taken (its first query)."""
        cr = self.registry.cursor()
        cr.execute("SET lock_timeout = '30s'")
        return cr

    def _claim(self, cr, name):
        return api.Environment(cr, SUPERUSER_ID, {})["ir.cron"]._credit_claim_job(name)

    def _messages(self, body_start):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            return env["mail.message"].search_count(
                [
                    ("model", "=", "credit.file"),
                    ("res_id", "=", self.data["file"]),
                    ("body", "ilike", body_start),
                ]
            )

    def _run_overlapping(self, model, method):
        """Worker B starts (its snapshot is taken), worker A runs the job and commits, then
        B runs the same job and commits: what a second worker whose transaction began
        before the first one's commit does."""
        with self._cursor() as cr_b:
            env_b = api.Environment(cr_b, SUPERUSER_ID, {})
            env_b[model].search_count([])  # B's snapshot
            with self._cursor() as cr_a:
                getattr(api.Environment(cr_a, SUPERUSER_ID, {})[model], method)()
            # leaving the block committed A; B runs on its older snapshot
            getattr(env_b[model], method)()

    def test_every_scheduled_job_of_the_addon_claims_its_run(self):
        """While one worker holds a job's claim, the same job started by another worker
        writes nothing at all (no transaction id is even assigned)."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            crons = env["ir.model.data"].search(
                [("module", "=", "credit_management"), ("model", "=", "ir.cron")]
            )
            self.assertEqual(set(crons.mapped("name")), set(JOBS), "a job without its claim")
            jobs = [(env.ref(f"credit_management.{xmlid}"), name) for xmlid, name in JOBS.items()]
            calls = []
            for cron, name in jobs:
                method = re.fullmatch(r"model\.(\w+)\(\)", cron.code.strip())
                self.assertTrue(method, f"{cron.name}: one method call expected")
                calls.append((cron.model_id.model, method.group(1), name))
        for model, method, name in calls:
            with self.subTest(job=name), self._cursor() as cr_a, self._cursor() as cr_b:
                self.assertTrue(self._claim(cr_a, name))
                env_b = api.Environment(cr_b, SUPERUSER_ID, {})
                getattr(env_b[model], method)()
                env_b.flush_all()
                cr_b.execute("SELECT txid_current_if_assigned()")
                self.assertIsNone(cr_b.fetchone()[0], f"{model}.{method} wrote while claimed")
                cr_a.rollback()
                cr_b.rollback()

    def test_a_run_committed_after_a_workers_snapshot_makes_it_skip(self):
        with self._cursor() as cr_b:
            cr_b.execute("SELECT 1")
            with self._cursor() as cr_a:
                self.assertTrue(self._claim(cr_a, "propose_reviews"))
            self.assertFalse(self._claim(cr_b, "propose_reviews"))
            cr_b.rollback()
        with self._cursor() as cr_c:
            self.assertTrue(self._claim(cr_c, "propose_reviews"), "a later run may run")
            cr_c.rollback()

    def test_two_workers_end_a_temporary_limit_once(self):
        """Without the claim, worker B would post the message again, then fail on the
        file A changed (a serialization error in the job)."""
        self._run_overlapping("credit.file", "_cron_expire_temporary_limits")
        self.assertEqual(self._messages("<p>The temporary limit of"), 1)
        with self.registry.cursor() as cr:
            file = api.Environment(cr, SUPERUSER_ID, {})["credit.file"].browse(self.data["file"])
            self.assertFalse(file.temporary_limit_until)
            self.assertEqual(file.temporary_limit, 0.0)

    def test_two_workers_propose_one_review(self):
        """The rating is over a year old: the job proposes a review. Without the claim,
        worker B, whose snapshot does not see A's review, would propose a second one."""
        self._run_overlapping("credit.file", "_cron_propose_reviews")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            reviews = env["credit.review"].search_count([("file_id", "=", self.data["file"])])
            failures = self._messages("<p>The periodic re-rating failed")
            self.assertEqual(reviews + failures, 1, "one proposal (or one failure noted)")
