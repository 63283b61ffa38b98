"""Benchmark: the addon on ten times the data (issue 14), one size at a time.

A *base* database holds plain Odoo (``account,sale_management``) and the generator's ledger;
``grow`` adds customers to it (28 invoices each, ≈50 receivable lines per customer) until it
has ``--customers``. ``measure`` copies the base into a work database, installs the addon into
it and updates it (both timed, as ``odoo-bin`` runs them), then times, side by side with the
fast-SQL floor where there is one:

1. aging of all customers as of today and as of ``--past-days`` ago:
   ``credit.aging.engine._aging_by_partner`` against the plainest SQL giving the same figures
   (one aggregate of the open items; for a past date, the later partial reconciliations added
   back), interleaved, checked equal to the cent;
2. the screen report's lines (``credit.aging.report.line.web_search_read``, first page);
3. the XLSX export (summary + detail) in a fresh process: seconds and that process's peak RSS;
4. a dunning run over every customer of the company, and its re-run for the same date;
5. the sending rate of communications with PDF (``_send_batch``, ``--send`` of them);
6. customer statements of last month for ``--statements`` customers.

Everything after the install runs in transactions that are rolled back. ``uptime`` is
printed before every figure.

    PY=~/.cache/credit_management/venv/bin/python
    $PY bench/bench_scale.py grow --customers 20000      # bench_scale_base: 1M lines
    $PY bench/bench_scale.py measure                      # bench_scale_work: copy, install, time
    $PY bench/bench_scale.py grow --customers 200000     # 10M lines
    $PY bench/bench_scale.py measure
"""

# Odoo is imported inside functions: load_odoo() first puts --odoo-src on sys.path.
# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import datagen
from common import (
    ADDON,
    DB_PREFIX,
    addons_path,
    as_admin,
    credit_home,
    database_exists,
    drop_database,
    out,
    vacuum_analyze,
)

BASE_MODULES = "account,sale_management"
GROW_CHUNK = 40_000  # customers per generate() call: ≈2M receivable lines, ≈3 GB of memory


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


class Meter:
    """What the machine did during a block, from ``/proc/stat``: the cores busy on average
    (user, system, interrupts, steal) and the share of time waiting for I/O, so a figure
    says which resource ends it. Blocks may be metered several times (``with`` again):
    the counts add up."""

    backend_pid = None  # PostgreSQL backend of the measuring cursor, set by measure()

    def __init__(self):
        self.busy = self.iowait = self.total = 0
        self.python = self.postgres = 0.0
        self.cores = os.cpu_count() or 1

    @classmethod
    def _process_cpu(cls):
        """CPU seconds of this process (and of its finished children) and of the
        PostgreSQL backend serving it (its parallel workers, if any, are not counted)."""
        usage = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)  # odoo-bin, the XLSX process
        backend = 0.0
        if cls.backend_pid:
            with contextlib.suppress(OSError), open(f"/proc/{cls.backend_pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
                backend = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return (
            usage.ru_utime + usage.ru_stime + children.ru_utime + children.ru_stime,
            backend,
        )

    @staticmethod
    def _read():
        with open("/proc/stat", encoding="ascii") as stat:
            values = [int(v) for v in stat.readline().split()[1:9]]
        user, nice, system, _idle, iowait, irq, softirq, steal = values
        return user + nice + system + irq + softirq + steal, iowait, sum(values)

    def __enter__(self):
        self._start = self._read()
        self._cpu = self._process_cpu()
        return self

    def __exit__(self, *exc):
        end = self._read()
        python, postgres = self._process_cpu()
        self.python += python - self._cpu[0]
        self.postgres += postgres - self._cpu[1]
        self.busy += end[0] - self._start[0]
        self.iowait += end[1] - self._start[1]
        self.total += end[2] - self._start[2]
        return False

    @property
    def note(self) -> str:
        if not self.total:
            return ""
        return (
            f"CPU s: Python {self.python:.1f}, PostgreSQL backend {self.postgres:.1f}; "
            f"machine: {self.cores * self.busy / self.total:.1f} of {self.cores} cores busy, "
            f"I/O wait {100 * self.iowait / self.total:.0f} %"
        )


def load(args, db: str):
    if not db.startswith(DB_PREFIX):
        raise SystemExit(f"{db!r}: benchmark databases are named {DB_PREFIX}*")
    odoo = datagen.load_odoo(args.odoo_src)
    datagen.configure_odoo(
        odoo, db, addons_path(args.odoo_src), [f"--data-dir={credit_home() / 'odoo-data'}"]
    )
    return odoo


# --------------------------------------------------------------------------------------------
# grow: the base database
# --------------------------------------------------------------------------------------------


def ledger_counts(cr) -> dict[str, int]:
    cr.execute(
        """
        SELECT (SELECT COUNT(*) FROM res_partner WHERE ref LIKE 'BENCH-%%'),
               (SELECT COUNT(*) FROM account_move_line aml
                  JOIN account_account a ON a.id = aml.account_id
                 WHERE a.account_type = 'asset_receivable'),
               (SELECT COUNT(*) FROM account_move_line),
               pg_database_size(current_database())
        """
    )
    customers, receivable, items, size = cr.fetchone()
    return {"customers": customers, "receivable": receivable, "items": items, "bytes": size}


def grow(args) -> None:
    odoo = load(args, args.base)
    if not database_exists(odoo, args.base):
        start = time.perf_counter()
        datagen.configure_odoo(
            odoo,
            args.base,
            datagen.default_addons_path(args.odoo_src),
            ["-i", BASE_MODULES, "--without-demo=all", "--stop-after-init"],
        )
        datagen.create_database(odoo, args.base)
        out(f"created {args.base} with {BASE_MODULES} in {time.perf_counter() - start:.1f}s")
    while True:
        with datagen.odoo_env(odoo, args.base) as env:
            have = ledger_counts(env.cr)["customers"]
        missing = args.customers - have
        if missing <= 0:
            break
        chunk = min(missing, GROW_CHUNK)
        out(f"[{uptime()}] adding {chunk:,} customers to the {have:,} of {args.base}")
        start = time.perf_counter()
        with datagen.odoo_env(odoo, args.base, commit=True) as env:
            result = datagen.generate(
                env,
                customers=chunk,
                invoices_per_customer=args.invoices_per_customer,
                seed=args.seed + have,
            )
            out(result.summary())
        out(f"added and committed in {time.perf_counter() - start:.1f}s")
    vacuum_analyze(odoo, args.base)
    with datagen.odoo_env(odoo, args.base) as env:
        counts = ledger_counts(env.cr)
    out(
        f"{args.base}: {counts['customers']:,} customers, {counts['receivable']:,} receivable "
        f"lines, {counts['items']:,} journal items, {counts['bytes'] / 1e9:.1f} GB"
    )


# --------------------------------------------------------------------------------------------
# measure: copy, install, update, time
# --------------------------------------------------------------------------------------------


def odoo_bin(args, db: str, *options: str) -> float:
    """Seconds of ``odoo-bin -d db OPTIONS --stop-after-init`` (what an administrator runs)."""
    command = [
        sys.executable,
        str(Path(args.odoo_src) / "odoo-bin"),
        "-d",
        db,
        f"--addons-path={addons_path(args.odoo_src)}",
        f"--data-dir={credit_home() / 'odoo-data'}",
        "--without-demo=all",
        "--stop-after-init",
        "--log-level=warn",
        *options,
    ]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode:
        sys.stdout.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"{' '.join(options)} on {db} failed")
    return seconds


def copy_base(args, odoo) -> float:
    if database_exists(odoo, args.db):
        drop_database(odoo, args.db)
    start = time.perf_counter()
    with contextlib.closing(odoo.sql_db.db_connect("postgres").cursor()) as cr:
        cr._cnx.autocommit = True
        cr.execute(f'CREATE DATABASE "{args.db}" TEMPLATE "{args.base}"')
    return time.perf_counter() - start


def bucket_sql(bounds) -> str:
    """The core's bucket index (``credit_management.aging.bucket_index``) in SQL, of the
    integer column ``days``."""
    array = ",".join(str(int(b)) for b in bounds)
    return f"CASE WHEN days <= 0 THEN 0 ELSE 1 + width_bucket(days - 1, ARRAY[{array}]) END"


def floor_aging(env, as_of, company_ids, bounds) -> dict:
    """The fast-SQL floor: {(company, commercial partner): total} with the buckets, from the
    journal items directly (open items; for a past date, the later partials added back)."""
    cr = env.cr
    cr.execute("SET LOCAL jit = off")
    if as_of >= date.today():  # nothing settled later: the open items' residuals
        back = "SELECT NULL::int AS id, NULL::numeric AS put_back WHERE false"
        still_open = "aml.reconciled IS NOT TRUE"
    else:
        back = """
            SELECT id, SUM(amount) AS put_back FROM (
                SELECT debit_move_id AS id, amount FROM account_partial_reconcile
                 WHERE max_date > %(as_of)s
                UNION ALL
                SELECT credit_move_id, -amount FROM account_partial_reconcile
                 WHERE max_date > %(as_of)s
            ) sides GROUP BY id"""
        still_open = "(aml.reconciled IS NOT TRUE OR back.id IS NOT NULL)"
    cr.execute(
        f"""
        WITH back AS ({back}),
        open_items AS (
            SELECT aml.company_id, aml.partner_id,
                   %(as_of)s - COALESCE(aml.date_maturity, aml.date) AS days,
                   aml.amount_residual + COALESCE(back.put_back, 0) AS amount
              FROM account_move_line aml
              JOIN account_account a ON a.id = aml.account_id
              LEFT JOIN back ON back.id = aml.id
             WHERE a.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               AND aml.company_id = ANY(%(companies)s)
               AND aml.date <= %(as_of)s
               AND {still_open}
        ),
        by_partner AS (
            SELECT company_id, partner_id, {bucket_sql(bounds)} AS bucket, SUM(amount) AS amount
              FROM open_items GROUP BY 1, 2, 3
        )
        SELECT b.company_id, COALESCE(p.commercial_partner_id, p.id), b.bucket, SUM(b.amount)
          FROM by_partner b JOIN res_partner p ON p.id = b.partner_id
      GROUP BY 1, 2, 3
        """,
        {"as_of": as_of, "companies": list(company_ids)},
    )
    result = {}
    for company_id, partner_id, bucket, amount in cr.fetchall():
        entry = result.setdefault((company_id, partner_id), [0.0] * (len(bounds) + 2))
        entry[bucket] += float(amount)
    return result


def interleaved(variants: dict, repeat: int) -> dict[str, tuple[list[float], object]]:
    """Run the variants in turn (alternating who goes first), one warm-up round."""
    samples = {name: [] for name in variants}
    results = {}
    meters = {name: Meter() for name in variants}
    names = list(variants)
    for round_no in range(-1, repeat):
        for name in names if round_no % 2 == 0 else names[::-1]:
            with meters[name] if round_no >= 0 else contextlib.nullcontext():
                start = time.perf_counter()
                results[name] = variants[name]()
                elapsed = time.perf_counter() - start
            if round_no >= 0:
                samples[name].append(elapsed)
    return {name: (samples[name], results[name], meters[name].note) for name in names}


def cents(value: float) -> int:
    return round(value * 100)


def measure_aging(env, args, rows) -> None:
    from odoo.addons.credit_management.credit_management import aging as core_aging

    engine = env["credit.aging.engine"]
    companies = env.companies.ids
    bounds = core_aging.DEFAULT_BOUNDS
    today = date.today()
    for label, as_of in (
        ("today", today),
        (f"{args.past_days} days ago", today - timedelta(days=args.past_days)),
    ):
        out(f"[{uptime()}] aging as of {label}")
        timings = interleaved(
            {
                "engine": lambda d=as_of: engine._aging_by_partner(d, companies),
                "floor": lambda d=as_of: floor_aging(env, d, companies, bounds),
            },
            args.repeat,
        )
        engine_result = timings["engine"][1]
        floor_result = timings["floor"][1]
        mismatches = sum(
            1
            for key in set(engine_result) | set(floor_result)
            if [cents(v) for v in (engine_result.get(key) or {}).get("buckets", [])]
            != [cents(v) for v in floor_result.get(key, [])]
            and cents(sum(floor_result.get(key, [0.0]))) != 0
        )
        engine_median = statistics.median(timings["engine"][0])
        floor_median = statistics.median(timings["floor"][0])
        rows.append(
            (
                f"aging as of {label}: engine",
                timings["engine"][0],
                f"{len(engine_result):,} customers; {engine_median / floor_median:.2f}x the floor; "
                f"{mismatches} customers differ from the floor; {timings['engine'][2]}",
            )
        )
        rows.append(
            (f"aging as of {label}: fast-SQL floor", timings["floor"][0], timings["floor"][2])
        )

    out(f"[{uptime()}] screen report lines")
    report = env["credit.aging.report"].create({"as_of": today})
    action = report.action_show()
    Line = env["credit.aging.report.line"].with_context(**action["context"])
    spec = {name: {} for name in ("partner_id", "user_id", "grade_id", "total", "r0", "r1")}
    timings = interleaved(
        {"lines": lambda: Line.web_search_read(action["domain"], spec, limit=80)}, args.repeat
    )
    rows.append(
        (
            "screen report lines (first page and count)",
            timings["lines"][0],
            f"{timings['lines'][1]['length']:,} lines; {timings['lines'][2]}",
        )
    )


def measure_dunning(env, args, rows) -> None:
    from bench_dunning import timed_round

    sending = []  # after the run's rows
    dunned = []

    def customers_and_sending(run):
        dunned.append(len(set(run.communication_ids.mapped("partner_id").ids)))
        if not args.send:
            return
        letter = env.ref("credit_management.action_report_dunning_letter")
        env.ref("credit_management.dunning_policy_default").level_ids.filtered(
            lambda lv: lv.channel in ("email", "letter")
        ).write({"letter_report_id": letter.id})
        run.state = "sending"
        env.flush_all()
        out(f"[{uptime()}] sending {args.send} communications")
        start = time.perf_counter()
        sent = 0
        while sent < args.send and run.state == "sending":
            done, _remaining = run._send_batch(limit=args.send - sent)
            env.flush_all()
            sent += done
        seconds = time.perf_counter() - start
        with_pdf = len(
            run.communication_ids.filtered(
                lambda c: c.state == "sent" and c.channel in ("email", "letter")
            )
        )
        sending.append(
            (
                "sending with PDF",
                [seconds],
                f"{sent} sent, {with_pdf} with PDF: {with_pdf / seconds:.2f} per second",
            )
        )

    out(f"[{uptime()}] dunning run and re-run")
    with Meter() as meter:
        full, rerun, counts = timed_round(env, then=customers_and_sending)
    rows.append(
        (
            "dunning run, all customers",
            [full],
            f"{dunned[0]:,} customers: {counts['communications']:,} communications, "
            f"{counts['items']:,} items; run, re-run and sending: {meter.note}",
        )
    )
    rows.append(
        (
            "dunning re-run, same date",
            [rerun],
            f"{counts['communications after re-run']:,} communications afterwards",
        )
    )
    rows.extend(sending)


def measure_statements(env, args, rows) -> None:
    report = env["report.credit_management.report_customer_statement"]
    company = env.company
    end = date.today().replace(day=1) - timedelta(days=1)
    start_day = end.replace(day=1)
    out(f"[{uptime()}] statements")
    partners = report._customers_with_activity(company, start_day, end)[: args.statements]
    with Meter() as meter:
        start = time.perf_counter()
        statements = report._statements(partners, company, start_day, end)
        seconds = time.perf_counter() - start
    rows.append(
        (
            f"statements of {start_day:%B %Y}",
            [seconds],
            f"{len(statements):,} customers, "
            f"{sum(len(s['lines']) for s in statements.values()):,} movements; {meter.note}",
        )
    )


def peak_rss_mb() -> float:
    """This process's peak resident memory (``VmHWM``: unlike ``getrusage``'s maxrss, not
    inherited from the parent that started it)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def xlsx(args) -> int:
    """In a fresh process: the XLSX export of today's aging, seconds and peak RSS."""
    odoo = load(args, args.db)
    with datagen.odoo_env(odoo, args.db) as root:
        env = as_admin(root)
        report = env["credit.aging.report"].create({"as_of": date.today()})
        xlsx_report = env["report.credit_management.report_credit_aging_xlsx"]
        handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="bench_scale_")
        os.close(handle)
        try:
            before = peak_rss_mb()
            start = time.perf_counter()
            xlsx_report._write_workbook(report, path)
            seconds = time.perf_counter() - start
            after = peak_rss_mb()
            size = os.path.getsize(path)
        finally:
            os.unlink(path)
    out(f"xlsx {seconds:.2f} {before:.0f} {after:.0f} {size / 1e6:.1f}")
    return 0


def measure(args) -> int:
    odoo = load(args, args.db)
    rows = []
    for label, step in (
        (
            f"copying {args.base} to {args.db}",
            lambda: copy_base(args, odoo),
        ),
        (f"install of {ADDON} (odoo-bin -i)", lambda: odoo_bin(args, args.db, "-i", ADDON)),
        (f"update of {ADDON} (odoo-bin -u)", lambda: odoo_bin(args, args.db, "-u", ADDON)),
    ):
        out(f"[{uptime()}] {label}")
        with Meter() as meter:
            seconds = step()
        rows.append((label, [seconds], meter.note))
    start = time.perf_counter()
    vacuum_analyze(odoo, args.db)
    out(f"VACUUM ANALYZE in {time.perf_counter() - start:.1f}s")
    with datagen.odoo_env(odoo, args.db) as root:
        counts = ledger_counts(root.cr)
        root.cr.execute("SELECT COUNT(*) FROM credit_receivable_ladder")
        ladder = root.cr.fetchone()[0]
        out(
            f"\n{args.db}: {counts['customers']:,} customers, {counts['receivable']:,} "
            f"receivable lines, {counts['items']:,} journal items, ladder {ladder:,} rows, "
            f"{counts['bytes'] / 1e9:.1f} GB\n"
        )
        env = as_admin(root)
        root.cr.execute("SELECT pg_backend_pid()")
        Meter.backend_pid = root.cr.fetchone()[0]
        measure_aging(env, args, rows)
        measure_statements(env, args, rows)
        if not args.skip_dunning:
            measure_dunning(env, args, rows)
    out(f"[{uptime()}] XLSX export in a fresh process")
    with Meter() as meter:
        done = subprocess.run(
            [sys.executable, __file__, "xlsx", "--db", args.db, "--odoo-src", args.odoo_src],
            capture_output=True,
            text=True,
            check=False,
        )
    line = [ln for ln in done.stdout.splitlines() if ln.startswith("xlsx ")]
    if done.returncode or not line:  # the other figures are printed all the same
        sys.stdout.write(done.stdout[-3000:] + done.stderr[-3000:])
        error = (done.stderr.strip().splitlines() or ["no output"])[-1]
        rows.append(("XLSX export: FAILED", [0.0], error))
    else:
        _tag, seconds, before, after, size = line[-1].split()
        rows.append(
            (
                "XLSX export, summary + detail (fresh process)",
                [float(seconds)],
                f"{size} MB file; peak RSS {after} MB ({before} MB before the export); "
                f"process start included: {meter.note}",
            )
        )
    out(f"\n[{uptime()}]")
    out(f"{'seconds':<56}{'median':>9}{'min':>9}{'max':>9}  notes")
    for label, values, note in rows:
        out(
            f"{label:<56}{statistics.median(values):>9.2f}{min(values):>9.2f}"
            f"{max(values):>9.2f}  {note}"
        )
    if args.drop:
        drop_database(odoo, args.db)
        out(f"dropped {args.db}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("grow", "measure", "xlsx"))
    parser.add_argument("--odoo-src", default=os.environ.get("ODOO_SRC", "/opt/odoo18"))
    parser.add_argument("--base", default="bench_scale_base", help="the base database")
    parser.add_argument("--db", default="bench_scale_work", help="the work database")
    parser.add_argument("--customers", type=int, default=20_000, help="grow: customers in all")
    parser.add_argument("--invoices-per-customer", type=int, default=28)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--past-days", type=int, default=180)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the aging figures")
    parser.add_argument("--statements", type=int, default=20_000, help="customers")
    parser.add_argument("--send", type=int, default=10, help="communications sent (0: none)")
    parser.add_argument("--skip-dunning", action="store_true", help="no dunning run")
    parser.add_argument("--drop", action="store_true", help="drop the work database at the end")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "grow":
        grow(args)
        return 0
    if args.command == "xlsx":
        return xlsx(args)
    return measure(args)


if __name__ == "__main__":
    sys.exit(main())
