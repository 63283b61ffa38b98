"""Benchmark: receivable aging (``credit.aging.engine``, the aged receivables report and
its XLSX export) on a big ledger.

Builds (or reuses) a database with ``--customers`` customers and ``--invoices-per-customer``
invoices each (datagen: partial payments, credit notes, unapplied payments, batched
payments, foreign currency; ≈50 receivable lines per customer with 28 invoices), then times,
as the administrator (a credit manager, who sees every customer):

1. ``_aging_by_partner`` as of today (no partial is dated later: stored residuals only);
2. ``_aging_by_partner`` as of ``--past-days`` ago (partials dated since are added back);
3. the screen report's first page: ``credit.aging.report.line.web_search_read`` for the
   report's options (the SQL model over the aggregate, nothing stored: one SELECT, and a
   count when there are more lines than the page);
4. the XLSX export of that report (summary + one row per open item), with its peak Python
   memory (tracemalloc) and the growth of the process's peak RSS.

Each figure is the median of ``--repeat`` runs after one warm-up run, all in a transaction
that is rolled back. See ``bench/README.md``.
"""

# Odoo is imported inside functions: load_odoo() first puts --odoo-src on sys.path.

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta

import datagen
from common import (
    add_data_arguments,
    add_database_arguments,
    as_admin,
    drop_benchmark_database,
    generated,
    out,
    prepare_database,
)


def sizes(env) -> dict[str, str]:
    cr = env.cr
    cr.execute(
        """
        SELECT COUNT(*), COUNT(*) FILTER (WHERE aml.reconciled IS NOT TRUE),
               COUNT(DISTINCT aml.partner_id)
          FROM account_move_line aml JOIN account_account acc ON acc.id = aml.account_id
         WHERE aml.parent_state = 'posted' AND acc.account_type = 'asset_receivable'
        """
    )
    lines, open_lines, partners = cr.fetchone()
    cr.execute("SELECT COUNT(*) FROM account_partial_reconcile")
    partials = cr.fetchone()[0]
    cr.execute(
        "SELECT COUNT(*), pg_size_pretty(pg_total_relation_size('account_move_line'))"
        " FROM account_move_line"
    )
    aml_rows, aml_size = cr.fetchone()
    return {
        "customers with receivables": f"{partners:,}",
        "receivable lines (posted)": f"{lines:,}",
        "open receivable lines today": f"{open_lines:,}",
        "partial reconciliations": f"{partials:,}",
        "journal items": f"{aml_rows:,} ({aml_size} with indexes)",
        "database size": datagen.database_size(env),
    }


def timed(function, repeat: int) -> tuple[list[float], object]:
    """One warm-up run, then ``repeat`` timed runs; the last result."""
    result = function()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        samples.append(time.perf_counter() - start)
    return samples, result


def measure(env, args) -> None:
    engine = env["credit.aging.engine"]
    companies = env.companies.ids
    today = date.today()
    past = today - timedelta(days=args.past_days)
    rows = []

    samples, aging = timed(lambda: engine._aging_by_partner(today, companies), args.repeat)
    rows.append((f"_aging_by_partner as of today ({today})", samples, f"{len(aging):,} customers"))
    samples, aging = timed(lambda: engine._aging_by_partner(past, companies), args.repeat)
    rows.append(
        (
            f"_aging_by_partner as of {past} (-{args.past_days} d)",
            samples,
            f"{len(aging):,} customers",
        )
    )

    report = env["credit.aging.report"].create({"as_of": today})
    action = report.action_show()
    Line = env["credit.aging.report.line"].with_context(**action["context"])
    spec = {name: {} for name in ("partner_id", "user_id", "grade_id", "total", "r0", "r1")}

    def first_page():
        return Line.web_search_read(action["domain"], spec, limit=80)

    samples, page = timed(first_page, args.repeat)
    rows.append(("report lines, first page (SELECT)", samples, f"{page['length']:,} lines"))

    xlsx = env["report.credit_management.report_credit_aging_xlsx"]
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="bench_aging_")
    os.close(handle)
    try:
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        start = time.perf_counter()
        xlsx._write_workbook(report, path)
        elapsed = time.perf_counter() - start
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # again without tracemalloc (it slows allocation-heavy code down), no warm-up
        samples = []
        for _ in range(args.xlsx_repeat):
            start = time.perf_counter()
            xlsx._write_workbook(report, path)
            samples.append(time.perf_counter() - start)
        size = os.path.getsize(path)
    finally:
        os.unlink(path)
    rows.append(
        (
            "XLSX export (summary + detail)",
            samples,
            f"{size / 1e6:.1f} MB file; {elapsed:.2f}s under tracemalloc",
        )
    )

    out(f"\n{'seconds':<48}{'median':>8}{'min':>8}{'max':>8}  notes")
    for label, values, note in rows:
        out(
            f"{label:<48}{statistics.median(values):>8.2f}{min(values):>8.2f}"
            f"{max(values):>8.2f}  {note}"
        )
    out(
        f"\nXLSX peak Python memory (tracemalloc): {peak / 1e6:.1f} MB; process peak RSS "
        f"{rss_before / 1024:.0f} MB before, {rss_after / 1024:.0f} MB after "
        f"(+{(rss_after - rss_before) / 1024:.0f} MB)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_arguments(parser, "bench_aging")
    add_data_arguments(parser, customers=20_000, invoices_per_customer=28)
    parser.add_argument(
        "--past-days", type=int, default=182, help="the past as-of date (default: %(default)s)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (default: 3)")
    parser.add_argument(
        "--xlsx-repeat", type=int, default=1, help="timed XLSX exports (default: 1)"
    )
    return parser


has_data, fill = generated()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    odoo = prepare_database(args, has_data, fill)

    with datagen.odoo_env(odoo, args.db) as root_env:  # rolled back at the end
        env = as_admin(root_env)
        out("")
        for label, value in sizes(env).items():
            out(f"{label:<32}{value}")
        measure(env, args)

    if args.drop:
        drop_benchmark_database(odoo, args.db)
    return 0


if __name__ == "__main__":
    sys.exit(main())
