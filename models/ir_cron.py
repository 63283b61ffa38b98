import logging
import threading
import time

from psycopg2.errors import SerializationFailure

from odoo import models
from odoo.tools import config

_logger = logging.getLogger(__name__)

JOB_TABLE = "credit_management_job_run"
INSTALL_JOB_TABLE = f"""
CREATE TABLE IF NOT EXISTS {JOB_TABLE} (
    name varchar PRIMARY KEY,
    ran_at timestamp NOT NULL
);
COMMENT ON TABLE {JOB_TABLE} IS
    'credit_management: when each scheduled job of the addon last ran (see ir.cron '
    '_credit_claim_job)';
"""
UNINSTALL_JOB_TABLE = f"DROP TABLE IF EXISTS {JOB_TABLE};"

_job = threading.local()
"""When the scheduled job running in this thread started (``time.time()``)."""


def job_started_at():
    """When the worker's time limit started counting for the scheduled job running in this
    thread, or None outside a scheduled job.

    Odoo 18 calls a job's action up to ten times in a row while the action reports work
    remaining (``_notify_progress``), all inside one ``limit_time_real`` window of the cron
    worker (the watchdog of a prefork cron worker, ``start_time`` of a cron thread): a long
    job has to count the time its earlier calls used, not only its own."""
    started = [
        getattr(_job, "started", None),
        getattr(threading.current_thread(), "start_time", None),
    ]
    started = [value for value in started if value]
    return min(started) if started else None


def cron_time_limit():
    """The real-time limit of a scheduled job in seconds (``limit_time_real_cron``, else
    ``limit_time_real``), or None when there is none."""
    limit = config.get("limit_time_real_cron") or 0
    if limit <= 0:
        limit = config.get("limit_time_real") or 0
    return limit if limit > 0 else None


class IrCron(models.Model):
    _inherit = "ir.cron"

    def init(self):
        res = super().init()
        self.env.cr.execute(INSTALL_JOB_TABLE)
        return res

    def _credit_claim_job(self, name):
        """Claim the addon's scheduled job ``name`` for this transaction: True when it may
        run it, False when another Odoo worker (of this server or another one) is running
        it now, or ran it after this transaction started: this transaction's snapshot would
        not see that work, and would do it again (a second review proposed, a second
        reminder, a limit ended twice).

        Odoo's scheduler already locks a job's ``ir_cron`` row while it runs it, so two cron
        workers never start the same job together; the claim also covers the other ways
        the same code can run at once (*Run Manually* while the scheduler runs it, a server
        action, several cron records calling it) and a worker whose snapshot predates
        another's commit. Two steps, both released at the end of the transaction:

        1. a transaction-level advisory lock on the job's name, taken without waiting:
           taken by another transaction, the job is running elsewhere;
        2. an upsert of the job's row in ``credit_management_job_run``: under Odoo's
           repeatable-read isolation, it fails with a serialization error when another
           transaction changed the row after this one's snapshot, i.e. ran the job
           since (caught in a savepoint: the job is skipped quietly)."""
        cr = self.env.cr
        cr.execute(
            "SELECT pg_try_advisory_xact_lock(hashtext('credit_management'), hashtext(%s))",
            [name],
        )
        if not cr.fetchone()[0]:
            _logger.info("Job %s is running in another worker: skipped", name)
            return False
        try:
            with cr.savepoint(flush=False):
                cr.execute(
                    """
                    INSERT INTO credit_management_job_run (name, ran_at)
                    VALUES (%s, now() AT TIME ZONE 'UTC')
                    ON CONFLICT (name) DO UPDATE SET ran_at = EXCLUDED.ran_at
                    """,
                    [name],
                )
        except SerializationFailure:
            _logger.info("Job %s ran in another worker since this one started: skipped", name)
            return False
        return True

    @classmethod
    def _process_job(cls, db, cron_cr, job):
        """Remember when the job started, for ``job_started_at``."""
        _job.started = time.time()
        try:
            return super()._process_job(db, cron_cr, job)
        finally:
            _job.started = None
