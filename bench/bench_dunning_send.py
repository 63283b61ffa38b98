"""Benchmark: sending a dunning run with PDFs, communications with PDF per second.

Data (datagen): ``--customers`` customers with ``--invoices-per-customer`` invoices each,
30 % paid, 90 % of the open ones overdue, in the main company with the default dunning
policy the addon ships; every e-mail and letter level of it gets the dunning letter, so
each e-mail or letter communication carries at least one PDF (the letter, plus the invoices
on the +15 e-mail level).

Timed, each variant in a savepoint that is rolled back, on the same computed run of today
(the order of the variants alternates from round to round):

1. new: ``credit.dunning.run._send_batch()`` called until the run is done, as the
   scheduler calls it: batches of the time budget (``_send_seconds``, 20 s by default),
   PDFs of a chunk rendered in one report call per report where wkhtmltopdf can;
2. baseline: what the code did before, one ``_send_safely()`` per communication, each
   rendering its own letter and invoices (one report call per PDF).

Prints communications with PDF per second for each, the batches of 1 and their longest
one (a transaction of the scheduler), the wkhtmltopdf build, and the load (``uptime``).
See ``bench/README.md``.
"""

# Odoo is imported inside functions: load_odoo() first puts --odoo-src on sys.path.
# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import statistics
import subprocess
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

CUSTOMER_NAME = "Bench Dunning Send Customer"


has_data, fill = generated(CUSTOMER_NAME, share_paid=0.3, share_overdue=0.9)


def uptime() -> str:
    try:
        return subprocess.run(
            ["uptime"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        return "uptime: not available"


def prepare_run(env):
    """Today's run computed, every e-mail/letter level printing the dunning letter."""
    from odoo import fields

    letter = env.ref("credit_management.action_report_dunning_letter")
    policy = env.ref("credit_management.dunning_policy_default")
    policy.level_ids.filtered(lambda lv: lv.channel in ("email", "letter")).write(
        {"letter_report_id": letter.id}
    )
    Run = env["credit.dunning.run"]
    run = Run._get_or_create(env.company, fields.Date.context_today(Run))
    run._compute_communications()
    run.state = "sending"
    env.flush_all()
    return run


def with_pdf(comms) -> int:
    return len(comms.filtered(lambda c: c.state == "sent" and c.channel in ("email", "letter")))


def timed_new(env, run) -> dict:
    batches = []
    start = time.perf_counter()
    while run.state == "sending":
        batch_start = time.perf_counter()
        run._send_batch()
        env.flush_all()
        batches.append(time.perf_counter() - batch_start)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "batches": batches}


def timed_baseline(env, run) -> dict:
    comms = run.communication_ids.filtered(lambda c: c.state == "draft").sorted("id").sudo()
    start = time.perf_counter()
    for comm in comms:
        comm._send_safely()
    env.flush_all()
    return {"seconds": time.perf_counter() - start, "batches": []}


def timed_round(env, variant) -> dict:
    with env.cr.savepoint(flush=False) as savepoint:
        env.invalidate_all()
        run = prepare_run(env)
        comms = run.communication_ids.filtered(lambda c: c.state == "draft")
        counts = {"communications": len(comms)}
        result = (timed_new if variant == "new" else timed_baseline)(env, run)
        result["with PDF"] = with_pdf(comms)
        result["failed"] = len(comms.filtered(lambda c: c.state == "failed"))
        result["attachments"] = env["ir.attachment"].search_count(
            [("res_model", "=", comms._name), ("res_id", "in", comms.ids)]
        )
        result.update(counts)
        savepoint.rollback()
    return result


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Time sending a dunning run with PDFs.")
    add_database_arguments(parser, "bench_dunning_send")
    add_data_arguments(parser, customers=100, invoices_per_customer=2)
    parser.add_argument("--repeat", type=int, default=2, help="rounds per variant (default: 2)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    odoo = prepare_database(args, has_data, fill)

    from odoo.addons.credit_management.models.credit_dunning_communication import (
        wkhtmltopdf_takes_several_documents,
    )

    version = subprocess.run(
        ["wkhtmltopdf", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    out(f"\n{version}; several documents per call: {wkhtmltopdf_takes_several_documents()}")
    rates = {"new": [], "baseline": []}
    with datagen.odoo_env(odoo, args.db) as env:  # rolled back at the end
        env = env(su=True)
        out(f"send budget {env['credit.dunning.run']._send_seconds():.0f} s per batch")
        for index in range(args.repeat):
            order = ("new", "baseline") if index % 2 == 0 else ("baseline", "new")
            for variant in order:
                out(f"[{uptime()}]")
                result = timed_round(env, variant)
                rate = result["with PDF"] / result["seconds"]
                rates[variant].append(rate)
                batches = result["batches"]
                out(
                    f"round {index + 1} {variant:<8} {result['communications']} communications, "
                    f"{result['with PDF']} with PDF, {result['failed']} failed, "
                    f"{result['attachments']} attachments: {result['seconds']:6.1f}s, "
                    f"{rate:5.2f} communications with PDF/s"
                    + (
                        f"; {len(batches)} batches, longest {max(batches):.1f}s"
                        if batches
                        else "; one transaction"
                    )
                )
        out(f"[{uptime()}]")
    new, baseline = statistics.median(rates["new"]), statistics.median(rates["baseline"])
    out(
        f"\nmedian of {args.repeat}: new {new:.2f}/s, baseline {baseline:.2f}/s "
        f"(x{new / baseline:.2f})"
    )
    if args.drop:
        drop_benchmark_database(odoo, args.db)
    return 0


if __name__ == "__main__":
    sys.exit(main())
