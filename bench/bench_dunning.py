"""Benchmark: a full dunning run for 10,000 customers with overdue items, and its re-run.

Data (datagen): ``--customers`` customers with ``--invoices-per-customer`` invoices each,
30 % paid, 90 % of the open ones overdue (≈26,000 open overdue lines with the defaults),
in the main company, whose default dunning policy is the one the addon ships
(``credit_management.dunning_policy_default``: reminders 7 and 3 days before due, visit on
the due day, then +15, +30, +60, +90).

Timed, each round in a savepoint that is rolled back, as the scheduler's user:

1. full run: ``credit.dunning.run`` for today created and computed (candidate items read,
   levels picked by the core, communications, their items and the item states written)
   plus the flush a commit would do; no e-mail is rendered nor sent;
2. re-run for the same date: the same run computed again (nothing new must appear).

Prints the sizes, the medians and the target check.  See ``bench/README.md``.
"""

# Odoo is imported inside functions: load_odoo() first puts --odoo-src on sys.path.
# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import statistics
import sys
import time

import datagen
from common import (
    add_data_arguments,
    add_database_arguments,
    drop_benchmark_database,
    generated,
    out,
    prepare_database,
)

CUSTOMER_NAME = "Bench Dunning Customer"
TARGET_FULL = 20.0
TARGET_RERUN = 5.0


has_data, fill = generated(CUSTOMER_NAME, share_paid=0.3, share_overdue=0.9)


def sizes(env) -> dict[str, str]:
    env.cr.execute(
        """
        SELECT COUNT(DISTINCT p.commercial_partner_id),
               COUNT(*),
               COUNT(*) FILTER (WHERE COALESCE(aml.date_maturity, aml.date) < CURRENT_DATE)
          FROM account_move_line aml
          JOIN account_account acc ON acc.id = aml.account_id
          JOIN res_partner p ON p.id = aml.partner_id
         WHERE acc.account_type = 'asset_receivable' AND aml.parent_state = 'posted'
           AND aml.reconciled IS NOT TRUE AND aml.amount_residual > 0
           AND aml.company_id = %s
        """,
        [env.company.id],
    )
    customers, open_lines, overdue = env.cr.fetchone()
    return {
        "customers with open items": f"{customers:,}",
        "open receivable lines (positive)": f"{open_lines:,}",
        "of which overdue": f"{overdue:,}",
        "database size": datagen.database_size(env),
    }


def timed_round(env, then=None) -> tuple[float, float, dict[str, int]]:
    """Seconds of a full dunning run for today and of its re-run, and their counts, in a
    savepoint rolled back at the end; ``then(run)`` is called on the run before that."""
    from odoo import fields

    Run = env["credit.dunning.run"]
    today = fields.Date.context_today(Run)
    with env.cr.savepoint(flush=False) as savepoint:
        env.invalidate_all()
        start = time.perf_counter()
        run = Run._get_or_create(env.company, today)
        run._compute_communications()
        run.state = "computed"
        env.flush_all()
        full = time.perf_counter() - start
        counts = {
            "communications": len(run.communication_ids),
            "items": sum(run.communication_ids.mapped("item_count")),
        }
        env.invalidate_all()
        start = time.perf_counter()
        run = Run._get_or_create(env.company, today)
        run._compute_communications()
        env.flush_all()
        rerun = time.perf_counter() - start
        counts["communications after re-run"] = len(run.communication_ids)
        if then:
            then(run)
        savepoint.rollback()
    return full, rerun, counts


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Time a full dunning run and its re-run.")
    add_database_arguments(parser, "bench_dunning")
    add_data_arguments(parser, customers=10_000, invoices_per_customer=4)
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds (default: 3)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    odoo = prepare_database(args, has_data, fill)

    with datagen.odoo_env(odoo, args.db) as env:  # rolled back at the end
        out("")
        for label, value in sizes(env).items():
            out(f"{label:<36}{value}")
        fulls, reruns = [], []
        for index in range(args.repeat):
            full, rerun, counts = timed_round(env)
            fulls.append(full)
            reruns.append(rerun)
            out(
                f"round {index + 1}: full run {full:6.2f}s, re-run {rerun:6.2f}s  "
                + ", ".join(f"{k} {v:,}" for k, v in counts.items())
            )
        full, rerun = statistics.median(fulls), statistics.median(reruns)
        out(
            f"\nmedian of {args.repeat}: full run {full:.2f}s (target < {TARGET_FULL:.0f}s), "
            f"re-run {rerun:.2f}s (target < {TARGET_RERUN:.0f}s)"
        )
    if args.drop:
        drop_benchmark_database(odoo, args.db)
    return 0


if __name__ == "__main__":
    sys.exit(main())
