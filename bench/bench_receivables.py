"""Benchmark: receivable KPIs, overdue cases and the bad-debt provision on a big ledger.

Builds (``--create``) a database with the addon and ``--customers`` customers of
``--invoices-per-customer`` invoices each (``datagen``), then times, each run in a
savepoint that is rolled back, for the whole company:

1. ``credit.kpi._kpis`` over the last 90 days (credit sales, monthly sales for the
   countback, receivables at both ends from the aging engine, write-offs, days to pay,
   payables): what the KPI dashboard reads;
2. ``credit.receivable.case._overdue_status``, the SQL aggregate of the daily case job;
3. ``credit.receivable.case._update_cases`` on a ledger without cases (opens one case per
   overdue customer, with its message and activity) and right after (nothing to do);
4. ``credit.provision.action_compute`` as of today (open items from the aging engine,
   bucket rates, one line per customer).

Prints median / min seconds of ``--repeat`` runs and the peak memory of the process.
See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from datetime import date, timedelta

import datagen
from common import (
    add_data_arguments,
    add_database_arguments,
    drop_benchmark_database,
    generated,
    out,
    prepare_database,
)

has_data, fill = generated()


def timed(env, function) -> float:
    with env.cr.savepoint() as savepoint:
        env.invalidate_all()
        start = time.perf_counter()
        function()
        env.flush_all()
        elapsed = time.perf_counter() - start
        savepoint.close(rollback=True)
    env.invalidate_all()
    return elapsed


def measure(env, repeat: int) -> dict[str, list[float]]:
    company = env.company
    today = date.today()
    Case = env["credit.receivable.case"]

    def kpis():
        env["credit.kpi"]._kpis(company.ids, today - timedelta(days=89), today)

    def status():
        Case._overdue_status(company, today)

    def cases_twice():
        Case._update_cases(company)
        env.flush_all()
        start = time.perf_counter()
        Case._update_cases(company)
        env.flush_all()
        samples["cases: second run (nothing to do)"].append(time.perf_counter() - start)

    def provision():
        env["credit.provision"].create({"company_id": company.id, "date": today}).action_compute()

    variants = {
        "KPIs of the company, last 90 days": kpis,
        "overdue status SQL (case job)": status,
        "cases: first run (opens every case) + second": cases_twice,
        "provision: compute as of today": provision,
    }
    samples = {name: [] for name in variants}
    samples["cases: second run (nothing to do)"] = []
    for _round in range(repeat):
        for name, function in variants.items():
            samples[name].append(timed(env, function))
    return samples


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_arguments(parser, "bench_receivables")
    add_data_arguments(parser, customers=2000, invoices_per_customer=28)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    odoo = prepare_database(args, has_data, fill)
    with datagen.odoo_env(odoo, args.db) as env:
        env.cr.execute(
            """SELECT COUNT(*), COUNT(*) FILTER (WHERE NOT aml.reconciled)
                 FROM account_move_line aml JOIN account_account acc ON acc.id = aml.account_id
                WHERE acc.account_type = 'asset_receivable' AND aml.parent_state = 'posted'"""
        )
        lines, open_lines = env.cr.fetchone()
        out(f"receivable lines: {lines:,} ({open_lines:,} open)")
        samples = measure(env, args.repeat)
    for name, values in samples.items():
        out(
            f"{name:48s} median {statistics.median(values):7.2f} s   min {min(values):7.2f} s"
            f"   ({len(values)} runs)"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out(f"peak memory of the process: {peak:.0f} MB")
    if args.drop:
        drop_benchmark_database(odoo, args.db)
    return 0


if __name__ == "__main__":
    sys.exit(main())
