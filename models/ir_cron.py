import threading
import time

from odoo import models
from odoo.tools import config

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

    @classmethod
    def _process_job(cls, db, cron_cr, job):
        """Remember when the job started, for ``job_started_at``."""
        _job.started = time.time()
        try:
            return super()._process_job(db, cron_cr, job)
        finally:
            _job.started = None
