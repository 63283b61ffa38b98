"""Benchmark: customer statements (对账单) for every customer with a balance or movements.

``--customers`` customers with ``--invoices-per-customer`` invoices each (datagen: partial
payments, credit notes, foreign currency, batched payments). For last month, in one process
on the same database, interleaved round by round:

1. the statement data of every customer with a balance or movements, as the report builds
   it: ``_customers_with_activity`` then ``_statements`` (two SQL aggregates, plus the aging
   footer from the aging engine);
2. the baseline: the same balances and movements read through the ORM, one
   ``search_read`` of the customer's receivable items per customer and the sums in Python;
3. the QWeb HTML of ``--render`` statements (what the PDF is made from).

Checks that 1 and 2 give the same opening and closing balances, then prints median / min
of each. See ``bench/README.md``.
"""

# Odoo is imported inside functions: load_odoo() first puts --odoo-src on sys.path.

from __future__ import annotations

import argparse
import statistics
import sys
import time
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

CUSTOMER_NAME = "Bench Statement Customer"
REPORT = "report.credit_management.report_customer_statement"


def last_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def statements_sql(env, company, date_from, date_to):
    report = env[REPORT]
    partners = report._customers_with_activity(company, date_from, date_to)
    return report._statements(partners, company, date_from, date_to)


def statements_orm(env, company, date_from, date_to, partners):
    """The naive way: every receivable item of each customer through the ORM."""
    result = {}
    for partner in partners:
        lines = env["account.move.line"].search_read(
            [
                ("partner_id", "child_of", partner.id),
                ("company_id", "=", company.id),
                ("parent_state", "=", "posted"),
                ("account_id.account_type", "=", "asset_receivable"),
                ("date", "<=", date_to),
            ],
            ["date", "date_maturity", "move_name", "debit", "credit", "balance"],
            order="date, move_id, id",
        )
        opening = sum(line["balance"] for line in lines if line["date"] < date_from)
        running, movements = opening, []
        for line in lines:
            if line["date"] >= date_from:
                running += line["balance"]
                movements.append((line["move_name"], running))
        result[partner.id] = {"opening": opening, "closing": running, "lines": movements}
    return result


def timed(function) -> tuple[float, object]:
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


has_data, fill = generated(CUSTOMER_NAME)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_arguments(parser, "bench_statement")
    add_data_arguments(parser, customers=2000, invoices_per_customer=20)
    parser.add_argument("--render", type=int, default=100, help="statements rendered to HTML")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    odoo = prepare_database(args, has_data, fill)

    with datagen.odoo_env(odoo, args.db) as root_env:  # rolled back at the end
        env = as_admin(root_env)
        admin = env.user
        company = env.company
        date_from, date_to = last_month(date.today())
        out(f"statements of {date_from} .. {date_to} in {company.name}, as {admin.login}")
        samples = {"SQL (report)": [], "ORM baseline": [], "HTML": []}
        for round_no in range(args.repeat):
            env.invalidate_all()
            seconds, sql = timed(lambda: statements_sql(env, company, date_from, date_to))
            samples["SQL (report)"].append(seconds)
            partners = env["res.partner"].browse(list(sql))
            env.invalidate_all()
            seconds, orm = timed(
                lambda partners=partners: statements_orm(env, company, date_from, date_to, partners)
            )
            samples["ORM baseline"].append(seconds)
            if round_no == 0:
                currency = company.currency_id
                wrong = [
                    pid
                    for pid, st in sql.items()
                    if not currency.is_zero(st["opening"] - orm[pid]["opening"])
                    or not currency.is_zero(st["closing"] - orm[pid]["closing"])
                    or len(st["lines"]) != len(orm[pid]["lines"])
                ]
                lines = sum(len(st["lines"]) for st in sql.values())
                out(f"customers with a balance or movements: {len(sql):,}; movements: {lines:,}")
                out(f"SQL and ORM disagree on {len(wrong)} customers" if wrong else "check: ok")
            options = {
                "credit_statement": {
                    "company_id": company.id,
                    "date_from": str(date_from),
                    "date_to": str(date_to),
                }
            }
            env.invalidate_all()
            seconds, _html = timed(
                lambda partners=partners, options=options: env[
                    "ir.actions.report"
                ]._render_qweb_html(
                    "credit_management.report_customer_statement",
                    partners[: args.render].ids,
                    data=options,
                )
            )
            samples["HTML"].append(seconds)
        out(f"\n{'seconds':<40}{'median':>9}{'min':>9}")
        for name, values in samples.items():
            label = f"{name} ({args.render} statements)" if name == "HTML" else name
            out(f"{label:<40}{statistics.median(values):>9.2f}{min(values):>9.2f}")
    if args.drop:
        drop_benchmark_database(odoo, args.db)
    return 0


if __name__ == "__main__":
    sys.exit(main())
