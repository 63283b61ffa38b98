"""Benchmark: the credit gate on ``sale.order.action_confirm`` for one big customer.

One customer with ``--lines`` open receivable lines and ``--orders`` confirmed orders not
invoiced yet, rated A with a limit its new orders fit in.  In one process, on the same
database, interleaved round by round, each round in a savepoint that is rolled back:

1. ``action_confirm`` of a new quotation (1-3 lines) with the credit checks;
2. the same without them: ``_credit_gate`` patched to hold nothing (benchmark-only bypass),
   i.e. plain Odoo's confirmation;
3. the exposure query alone, ``credit.exposure._exposure_by_partner``.

The timed section of 1 and 2 is ``action_confirm()`` and the flush that a commit would do
(pending writes and precommit hooks such as tracking messages); the quotation is created,
flushed and the ORM cache invalidated before the clock starts.  Prints median / p90 / min
and what the checks add.  See ``bench/README.md``.
"""

# Odoo is imported inside functions: load_odoo() first puts --odoo-src on sys.path.
# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import contextlib
import math
import random
import statistics
import sys
import time
from datetime import date, timedelta
from unittest import mock

import datagen
from common import (
    add_database_arguments,
    as_admin,
    credit_gate_bypassed,
    drop_benchmark_database,
    out,
    prepare_database,
)

CUSTOMER_NAME = "Bench Confirm Customer"
OTHER_CUSTOMER_NAME = "Bench Other Customer"  # not matched by find_customer
WARMUP_ROUNDS = 3
WITH = "action_confirm with credit checks"
WITHOUT = "action_confirm without (gate bypassed)"
QUERY = "exposure query alone"


# --------------------------------------------------------------------------------------------
# Database and data
# --------------------------------------------------------------------------------------------


def fill(env, args) -> None:
    """The customer, its receivables and open orders (datagen), and its credit file."""
    # Open items per invoice: the invoice and, for 5 % of them, an open credit note.
    credit_notes = 0.05
    invoices = max(1, round(args.lines / (1 + credit_notes)))
    # (run with the credit gate bypassed: see common.credit_gate_bypassed)
    result = datagen.generate(
        env,
        customers=1,
        invoices_per_customer=invoices,
        share_paid=0.0,
        share_partial=0.1,
        share_credit_notes=credit_notes,
        sale_orders_per_customer=args.orders,
        seed=args.seed,
        customer_name=CUSTOMER_NAME,
    )
    out(result.summary())
    if args.other_customers:
        # the other customers' ledgers, as in a database in use (the gate must not read them)
        others = datagen.generate(
            env,
            customers=args.other_customers,
            invoices_per_customer=args.other_invoices,
            sale_orders_per_customer=1,
            seed=args.seed + 1,
            customer_name=OTHER_CUSTOMER_NAME,
        )
        out(others.summary())
    add_draft_invoices(env, result.partner_ids[0], args.drafts)
    orders = env["sale.order"].browse(result.sale_order_ids)
    if set(orders.mapped("state")) - {"sale"}:
        raise RuntimeError("generated orders are not all confirmed")
    partner = env["res.partner"].browse(result.partner_ids)
    company = env.company
    exposure = env["credit.exposure"]._exposure_by_partner({(company.id, partner.id)})
    exposure = exposure[(company.id, partner.id)]
    total = float(env["credit.policy"]._for_company(company)._exposure_total(exposure))
    # Rated A, valid for two months, a limit far above the exposure.  The customer has
    # overdue items (datagen's share_overdue): grade A's thresholds are raised in this
    # benchmark database so that every rule runs and passes.
    grade = env.ref("credit_management.grade_a")
    grade.write(
        {
            "overdue_tolerance": math.ceil(exposure["overdue_amount"] * 2 + 1_000_000),
            "overdue_max_days": exposure["oldest_overdue_days"] + 3650,
            "max_document_amount": 0.0,
        }
    )
    today = date.today()
    # the rating and limit are audit fields: granted here as an approved review would
    from odoo.addons.credit_management.models.credit_decision_mixin import audit_writer

    with audit_writer(env):
        env["credit.file"].create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "grade_id": grade.id,
                "score": 75.0,
                "credit_limit": math.ceil(total * 2 + 100_000_000),
                "credit_days": 30,
                "rating_date": today,
                "valid_until": today + timedelta(days=60),
            }
        )


def add_draft_invoices(env, partner_id: int, count: int) -> None:
    """``count`` draft invoices for the customer and one for each of ``count`` other
    customers (the drafts count in the exposure; the gate reads the customer's alone)."""
    if not count:
        return
    product = env["product.product"].search([("default_code", "=", datagen.PRODUCT_CODE)], limit=1)
    others = env["res.partner"].search(
        [("customer_rank", ">", 0), ("id", "!=", partner_id)], limit=count
    )
    start = time.perf_counter()
    env["account.move"].create(
        [
            {
                "move_type": "out_invoice",
                "partner_id": customer,
                "invoice_line_ids": [(0, 0, {"product_id": product.id, "price_unit": 100.0})],
            }
            for customer in [partner_id] * count + others.ids
        ]
    )
    env.flush_all()
    out(f"{count + len(others)} draft invoices (ORM) in {time.perf_counter() - start:.1f}s")


def find_customer(env):
    return env["res.partner"].search(
        [
            ("name", "=like", CUSTOMER_NAME + " %"),
            ("ref", "=like", datagen.PARTNER_REF_PREFIX + "%"),
        ],
        order="id desc",
        limit=1,
    )


def sizes(env, partner) -> dict[str, object]:
    cr = env.cr
    cr.execute(
        """
        SELECT COUNT(*), COUNT(*) FILTER (WHERE NOT aml.reconciled)
          FROM account_move_line aml JOIN account_account acc ON acc.id = aml.account_id
         WHERE aml.partner_id = %s AND aml.parent_state = 'posted'
           AND acc.account_type = 'asset_receivable'
        """,
        [partner.id],
    )
    receivable, open_receivable = cr.fetchone()
    cr.execute(
        "SELECT COUNT(*) FROM sale_order WHERE partner_id = %s AND state = 'sale'", [partner.id]
    )
    orders = cr.fetchone()[0]
    cr.execute("SELECT COUNT(*) FROM credit_receivable_ladder WHERE partner_id = %s", [partner.id])
    ladder = cr.fetchone()[0]
    cr.execute(
        "SELECT COUNT(*), pg_size_pretty(pg_total_relation_size('account_move_line'))"
        " FROM account_move_line"
    )
    aml_rows, aml_size = cr.fetchone()
    return {
        "receivable lines of the customer": f"{receivable:,}",
        "open receivable lines of the customer": f"{open_receivable:,}",
        "open (confirmed, not invoiced) orders": f"{orders:,}",
        "receivable ladder rows of the customer": f"{ladder:,}",
        "journal items in the database": f"{aml_rows:,} ({aml_size} with indexes)",
        "database size": datagen.database_size(env),
    }


# --------------------------------------------------------------------------------------------
# Measurement
# --------------------------------------------------------------------------------------------


def new_quotation(env, partner, product, rng: random.Random):
    from odoo import Command

    lines = [
        Command.create(
            {
                "product_id": product.id,
                "product_uom_qty": rng.randint(1, 10),
                "price_unit": rng.randint(10, 500),
            }
        )
        for _ in range(rng.randint(1, 3))
    ]
    return env["sale.order"].create({"partner_id": partner.id, "order_line": lines})


def timed_confirm(env, partner, product, spec_seed: int, bypass: bool) -> float:
    """Seconds of action_confirm (and the flush a commit does) on a fresh quotation, in a
    savepoint that is rolled back."""
    with env.cr.savepoint() as savepoint:
        order = new_quotation(env, partner, product, random.Random(spec_seed))
        env.cr.flush()
        env.invalidate_all()
        order = env["sale.order"].browse(order.id)
        with credit_gate_bypassed(env) if bypass else contextlib.nullcontext():
            start = time.perf_counter()
            order.action_confirm()
            env.cr.flush()  # pending writes and precommit hooks (tracking), as a commit does
            elapsed = time.perf_counter() - start
        if order.state != "sale":
            raise RuntimeError(f"{order.name} was not confirmed (state {order.state})")
        savepoint.close(rollback=True)
    env.invalidate_all()
    return elapsed


def timed_exposure(env, pair) -> float:
    env.invalidate_all()
    start = time.perf_counter()
    env["credit.exposure"]._exposure_by_partner({pair})
    elapsed = time.perf_counter() - start
    env.invalidate_all()
    return elapsed


def stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p90 = ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]
    return {
        "median": statistics.median(ordered) * 1000,
        "p90": p90 * 1000,
        "min": ordered[0] * 1000,
    }


def measure(env, partner, product, repeat: int, seed: int) -> dict[str, list[float]]:
    pair = (env.company.id, partner.id)
    variants = {
        WITH: lambda s: timed_confirm(env, partner, product, s, bypass=False),
        WITHOUT: lambda s: timed_confirm(env, partner, product, s, bypass=True),
        QUERY: lambda s: timed_exposure(env, pair),
    }
    samples: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for round_no in range(-WARMUP_ROUNDS, repeat):
        spec_seed = seed * 1_000_003 + round_no  # same quotation for both confirm variants
        order = names if round_no % 2 == 0 else names[::-1]  # alternate who goes first
        for name in order:
            elapsed = variants[name](spec_seed)
            if round_no >= 0:
                samples[name].append(elapsed)
    return samples


def ladder_write_cost(env, partner, items: int, per_statement: int) -> dict[str, float]:
    """What the receivable ladder's triggers cost the writes: the same UPDATE of
    ``amount_residual`` on ``items`` open receivable items of the customer (halving each
    residual, as partial payments would), ``per_statement`` items per UPDATE statement (the
    ORM writes a batch of records in one statement; a payment matched by hand touches one or
    two), with the triggers and with them disabled, each in a rolled-back savepoint.
    Seconds, best of 3."""
    cr = env.cr
    cr.execute(
        """
        SELECT aml.id FROM account_move_line aml
          JOIN account_account acc ON acc.id = aml.account_id
         WHERE aml.partner_id = %s AND acc.account_type = 'asset_receivable'
           AND aml.parent_state = 'posted' AND aml.reconciled IS NOT TRUE
         ORDER BY aml.id LIMIT %s
        """,
        [partner.id, items],
    )
    ids = [row[0] for row in cr.fetchall()]
    batches = [ids[start : start + per_statement] for start in range(0, len(ids), per_statement)]
    update = "UPDATE account_move_line SET amount_residual = amount_residual / 2 WHERE id = ANY(%s)"
    result = {}
    for label, disable in (("with the ladder triggers", False), ("without them", True)):
        best = math.inf
        for _round in range(3):
            with contextlib.suppress(RollbackSavepoint), cr.savepoint():
                if disable:
                    cr.execute("ALTER TABLE account_move_line DISABLE TRIGGER USER")
                start = time.perf_counter()
                for batch in batches:
                    cr.execute(update, [batch])
                best = min(best, time.perf_counter() - start)
                raise RollbackSavepoint
        result[label] = best
    return result


class RollbackSavepoint(Exception):
    """Raised inside a savepoint to roll it back."""


# --------------------------------------------------------------------------------------------
# Profile (--explain): the SQL of one gate run, and the plan of the exposure query
# --------------------------------------------------------------------------------------------


def profile(env, partner, product, seed: int) -> None:
    """Run ``_credit_gate`` once on a fresh quotation and print its queries (slowest first),
    EXPLAIN ANALYZE of the slowest reads, and where its Python time goes."""
    import cProfile
    import io
    import pstats

    from odoo.tools import SQL

    cr = env.cr
    real_execute = cr.execute
    queries: list[tuple[float, int, object, object]] = []

    def timing_execute(query, params=None, log_exceptions=True):
        start = time.perf_counter()
        try:
            return real_execute(query, params, log_exceptions)
        finally:
            queries.append((time.perf_counter() - start, len(queries), query, params))

    def text(query) -> str:
        return " ".join((query.code if isinstance(query, SQL) else str(query)).split())

    def explain(query, params) -> list[str]:
        if isinstance(query, SQL):
            real_execute(SQL("EXPLAIN (ANALYZE, BUFFERS) %s", query))
        else:
            real_execute("EXPLAIN (ANALYZE, BUFFERS) " + query, params)
        return [row[0] for row in cr.fetchall()]

    def quotation():
        order = new_quotation(env, partner, product, random.Random(seed))
        cr.flush()
        env.invalidate_all()
        return env["sale.order"].browse(order.id)

    with cr.savepoint() as savepoint:
        order = quotation()
        with mock.patch.object(cr, "execute", timing_execute):
            start = time.perf_counter()
            order._credit_gate()
            cr.flush()
            gate = time.perf_counter() - start
        in_sql = sum(row[0] for row in queries)
        out(
            f"\n_credit_gate + flush on one quotation: {gate * 1000:.1f} ms, {len(queries)} "
            f"queries, {in_sql * 1000:.1f} ms in SQL, in the order they ran:"
        )
        for seconds, _n, query, _params in queries:
            out(f"  {seconds * 1000:8.2f} ms  {text(query)[:120]}")
        slowest = sorted(queries, key=lambda row: -row[0])
        reads = [row for row in slowest if text(row[2]).upper().startswith(("SELECT", "WITH"))]
        for seconds, _n, query, params in reads[:2]:
            out(f"\nEXPLAIN (ANALYZE, BUFFERS), {seconds * 1000:.2f} ms: {text(query)[:90]}")
            out("\n".join(explain(query, params)))
        savepoint.close(rollback=True)
    env.invalidate_all()

    with cr.savepoint() as savepoint:
        order = quotation()
        profiler = cProfile.Profile()
        profiler.enable()
        order._credit_gate()
        cr.flush()
        profiler.disable()
        savepoint.close(rollback=True)
    env.invalidate_all()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(30)
    out("\ncProfile of _credit_gate + flush (cumulative, top 30):")
    out(stream.getvalue().strip())


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Time sale.order.action_confirm with and without the credit checks for "
        "a customer with many open receivable lines and orders.",
    )
    add_database_arguments(parser, "bench_confirm")
    parser.add_argument(
        "--lines", type=int, default=100_000, help="open receivable lines (default: %(default)s)"
    )
    parser.add_argument(
        "--orders", type=int, default=1_000, help="open confirmed orders (default: %(default)s)"
    )
    parser.add_argument(
        "--repeat", type=int, default=30, help="timed rounds per variant (default: %(default)s)"
    )
    parser.add_argument(
        "--other-customers",
        type=int,
        default=0,
        help="other customers with their own ledgers in the database (default: %(default)s)",
    )
    parser.add_argument(
        "--other-invoices",
        type=int,
        default=20,
        help="invoices per other customer (default: %(default)s)",
    )
    parser.add_argument(
        "--drafts",
        type=int,
        default=20,
        help="draft invoices of the customer, and of as many others (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=1, help="data and quotations (default: 1)")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="also print the queries of one gate run and EXPLAIN ANALYZE of the exposure query",
    )
    return parser


def fold_ladder(env) -> None:
    """The bulk load logged one receivable-ladder row per open item; the daily job folds
    them into one row per due date, as in a database in use."""
    start = time.perf_counter()
    env["credit.receivable.ladder"]._cron_compact()
    out(f"receivable ladder folded (daily job) in {time.perf_counter() - start:.1f}s")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    odoo = prepare_database(
        args, lambda env: bool(find_customer(env)), fill, after_fill=fold_ladder
    )

    with datagen.odoo_env(odoo, args.db) as root_env:  # rolled back at the end
        env = as_admin(root_env)
        admin = env.user
        partner = find_customer(env)
        product = env["product.product"].search(
            [("default_code", "=", datagen.PRODUCT_CODE)], limit=1
        )
        out(f"\ncustomer: {partner.display_name} (id {partner.id}), as user {admin.login}")
        for label, value in sizes(env, partner).items():
            out(f"{label:<40}{value}")
        wall = time.perf_counter()
        samples = measure(env, partner, product, args.repeat, args.seed)
        wall = time.perf_counter() - wall
        out(
            f"\n{args.repeat} rounds (+{WARMUP_ROUNDS} warm-up), interleaved, "
            f"each in a rolled-back savepoint; {wall:.1f}s"
        )
        out(f"{'ms':<42}{'median':>9}{'p90':>9}{'min':>9}")
        table = {name: stats(values) for name, values in samples.items()}
        for name, row in table.items():
            out(f"{name:<42}{row['median']:>9.1f}{row['p90']:>9.1f}{row['min']:>9.1f}")
        added = table[WITH]["median"] - table[WITHOUT]["median"]
        paired = (
            statistics.median(a - b for a, b in zip(samples[WITH], samples[WITHOUT], strict=True))
            * 1000
        )
        out(f"\nadded by the credit checks (median with - median without): {added:.1f} ms")
        out(f"median of the per-round differences:                       {paired:.1f} ms")
        for items, per_statement, label in (
            (10_000, 10_000, "10,000 open items in one statement"),
            (1_000, 1, "1,000 open items, one per statement"),
        ):
            costs = ladder_write_cost(env, partner, items, per_statement)
            out(f"\nUPDATE of amount_residual on {label} (best of 3):")
            for name, seconds in costs.items():
                out(f"  {name:<40}{seconds * 1000:>9.1f} ms")
            per_item = (costs["with the ladder triggers"] - costs["without them"]) / items * 1e6
            suffix = "" if per_statement > 1 else " (one per statement)"
            out(f"ladder triggers per updated open item{suffix}: {per_item:.1f} µs")
        if args.explain:
            profile(env, partner, product, args.seed)

    if args.drop:
        drop_benchmark_database(odoo, args.db)
    return 0


if __name__ == "__main__":
    sys.exit(main())
