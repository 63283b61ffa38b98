"""Phase 3: bulk loading with COPY from the prototypes and the plan."""

# Odoo is imported inside functions: the CLI first puts --odoo-src on sys.path.
# ruff: noqa: PLC0415

from __future__ import annotations

import contextlib
import gc
import io
import json
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from .params import (
    COUNTERPART,
    INVOICE,
    LIQUIDITY,
    PARTNER_REF_PREFIX,
    PAYMENT,
    PRODUCT,
    REFUND,
    TERM,
    Knobs,
    Result,
    Templates,
)
from .planning import (
    Alloc,
    Doc,
    Plan,
    _number_moves,
    _payment_state,
    _rand_day,
    _resolve_reconciliations,
    plan_customer,
)
from .prototypes import prepare_templates

# --------------------------------------------------------------------------------------------
# COPY helpers
# --------------------------------------------------------------------------------------------

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value) -> str:
    """A python value in PostgreSQL COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (dict, list)):
        return json.dumps(value).translate(_ESCAPES)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value).translate(_ESCAPES)


def _money(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    units, cents = divmod(abs(minor), 100)
    return f"{sign}{units}.{cents:02d}"


class _RowWriter:
    """Streams rows to ``COPY table (columns) FROM STDIN`` in chunks.

    Per-row values come first; the remaining columns are constants taken from a prototype
    row, pre-rendered once per prototype kind so a row costs one join and one concatenation.
    """

    CHUNK = 50_000

    def __init__(self, env, table: str, varying: Sequence[str], protos: dict[str, dict]):
        self.env, self.table, self.varying = env, table, list(varying)
        columns = list(next(iter(protos.values())))
        missing = set(self.varying) - set(columns)
        if missing:
            raise RuntimeError(f"{table}: unknown columns {sorted(missing)}")
        self.constant = [c for c in columns if c not in self.varying and c != "id"]
        self.suffix = {
            kind: "".join("\t" + _text(row[c]) for c in self.constant)
            for kind, row in protos.items()
        }
        self.buffer: list[str] = []
        self.rows = 0
        self.depends_on: list[_RowWriter] = []  # writers whose rows ours reference
        self.analyzed = False

    def add(self, kind: str, values: Iterable[str]) -> None:
        self.buffer.append("\t".join(values) + self.suffix[kind])
        if len(self.buffer) >= self.CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        from psycopg2 import sql

        for writer in self.depends_on:  # referenced rows must be there (FKs are checked)
            writer.flush()
            if not writer.analyzed:
                writer.analyze()

        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(self.table),
            sql.SQL(", ").join(map(sql.Identifier, self.varying + self.constant)),
        )
        data = io.StringIO("\n".join(self.buffer) + "\n")
        cursor = self.env.cr._obj
        cursor.copy_expert(statement.as_string(cursor), data)
        self.rows += len(self.buffer)
        self.buffer.clear()

    def analyze(self) -> None:
        """Foreign-key checks of later rows look rows up in this table; with the statistics
        of a near-empty table PostgreSQL would seq-scan it once per referencing row."""
        from odoo.tools import SQL

        self.env.cr.execute(SQL("ANALYZE %s", SQL.identifier(self.table)))
        self.analyzed = True

    def finish(self) -> int:
        self.flush()
        self.analyze()
        return self.rows


@contextlib.contextmanager
def bulk_load(env, new_rows: dict[str, int]):
    """Load ``new_rows`` (table -> rows about to be added) without per-row constraint work.

    PostgreSQL checks a foreign key row by row (one trigger per row and key; 20 keys on
    account_move_line) but validates a newly added key with one anti-join, and builds an
    index by sorting much faster than it inserts row by row into a large one.  So the block
    runs with the tables' foreign keys dropped, and, for tables that at least double, with
    their secondary indexes dropped (primary keys and unique indexes stay).  Both are
    restored from their catalog definitions when the block ends, inside the caller's
    transaction: a failure rolls everything back, and the restored keys validate all rows.
    """
    from odoo.tools import SQL

    tables = list(new_rows)
    env.cr.execute(SQL("""
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
          FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)
         ORDER BY 1, 2""", tables))  # fmt: skip
    keys = env.cr.fetchall()
    env.cr.execute(SQL("""
        SELECT c.relname, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
          FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
         WHERE c.relname = ANY(%s) AND NOT i.indisunique AND NOT i.indisprimary
           AND c.reltuples < (%s::jsonb ->> c.relname::text)::float
         ORDER BY 1, 2""", tables, json.dumps(new_rows)))  # fmt: skip
    indexes = env.cr.fetchall()
    for table, name, _definition in keys:
        env.cr.execute(SQL("ALTER TABLE %s DROP CONSTRAINT %s",
                           SQL.identifier(table), SQL.identifier(name)))  # fmt: skip
    for _table, name, _definition in indexes:
        env.cr.execute(SQL("DROP INDEX %s", SQL.identifier(name)))
    yield
    env.cr.execute("SET LOCAL maintenance_work_mem = '512MB'")
    for _table, _name, definition in indexes:
        env.cr.execute(SQL(definition))
    for table, name, definition in keys:
        env.cr.execute(SQL("ALTER TABLE %s ADD CONSTRAINT %s %s", SQL.identifier(table),
                           SQL.identifier(name), SQL(definition)))  # fmt: skip
    for table in tables:
        env.cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))


def reserve_ids(env, table: str, count: int) -> Iterator[int]:
    """Take ``count`` consecutive ids from the table's sequence (one round trip)."""
    from odoo.tools import SQL

    if count <= 0:
        return iter(())
    env.cr.execute(
        SQL(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence(%s,"
            " 'id')) + %s) - %s",
            table,
            table,
            count - 1,
            count - 1,
        )
    )
    first = env.cr.fetchone()[0]
    return iter(range(first, first + count))


# --------------------------------------------------------------------------------------------
# Bulk inserts
# --------------------------------------------------------------------------------------------


def insert_customers(env, tpl: Templates, count: int, name: str = "Bench Customer") -> list[int]:
    """Insert ``count`` company customers (customer_rank > 0, own commercial partner)."""
    from odoo.tools import SQL

    env.cr.execute(
        SQL("SELECT COUNT(*) FROM res_partner WHERE ref LIKE %s", PARTNER_REF_PREFIX + "%")
    )
    start = env.cr.fetchone()[0] + 1
    ids = list(reserve_ids(env, "res_partner", count))
    varying = ["id", "name", "complete_name", "commercial_company_name",
               "commercial_partner_id", "ref", "email", "email_normalized"]  # fmt: skip
    with bulk_load(env, {"res_partner": count}):
        writer = _RowWriter(env, "res_partner", varying, tpl.protos["res_partner"])
        for offset, pid in enumerate(ids):
            number = start + offset
            label = _text(f"{name} {number:06d}")
            email = f"customer{number:06d}@bench.example.com"
            writer.add(
                "customer",
                (str(pid), label, label, label, str(pid),
                 f"{PARTNER_REF_PREFIX}{number:06d}", email, email),
            )  # fmt: skip
        writer.finish()
    return ids


def insert_accounting(
    env, tpl: Templates, partner_ids: Sequence[int], knobs: Knobs, result: Result | None = None
) -> Result:
    """Plan and bulk-insert invoices, credit notes, payments and their reconciliations for
    ``partner_ids`` (generated customers or any company partner)."""
    result = result or Result(knobs=knobs)
    with _gc_paused():
        _insert_accounting(env, tpl, partner_ids, knobs, result)
    env.invalidate_all()
    return result


@contextlib.contextmanager
def _gc_paused():
    """The plan holds millions of small objects; Python's cyclic GC would traverse all of
    them again and again while they are created.  Paused, and the plan's cycles (documents
    <-> partials) are broken at the end so reference counting frees it at once."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _insert_accounting(env, tpl, partner_ids, knobs: Knobs, result: Result) -> None:
    t0 = time.perf_counter()
    partners = _partner_keys(env, partner_ids)
    plan = Plan()
    for index, partner_id in enumerate(partner_ids):
        plan_customer(plan, index, knobs, tpl.rates, f"{knobs.seed}:{partners[partner_id][1]}")
    docs = plan.docs
    order = {INVOICE: 0, REFUND: 1, PAYMENT: 2}
    docs.sort(key=lambda doc: (doc.date, order[doc.kind]))
    _number_moves(env, tpl, docs)
    # Partials are created when the later of both documents exists, like in real life.
    plan.allocs.sort(key=lambda alloc: max(alloc.debit.date, alloc.credit.date))
    for alloc, pid in zip(plan.allocs, reserve_ids(env, "account_partial_reconcile",
                                                   len(plan.allocs)), strict=True):  # fmt: skip
        alloc.id = pid
    settled = _resolve_reconciliations(docs, plan.allocs)
    real_full = list(reserve_ids(env, "account_full_reconcile", len(settled)))
    for full_id, members in zip(real_full, settled, strict=True):
        for doc in members:
            doc.full_id, doc.matching = full_id, str(full_id)
    n_lines = sum(len(doc.lines) + 1 if doc.kind != PAYMENT else 2 for doc in docs)
    move_ids = reserve_ids(env, "account_move", len(docs))
    line_ids = reserve_ids(env, "account_move_line", n_lines)
    for doc in docs:
        doc.move_id = next(move_ids)
        doc.line_ids = [next(line_ids) for _ in range((len(doc.lines) + 1) if doc.lines else 2)]
        doc.state = _payment_state(doc)
    result.timings["plan accounting"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    new_rows = {
        "account_move": len(docs),
        "account_move_line": n_lines,
        "account_partial_reconcile": len(plan.allocs),
    }
    with bulk_load(env, new_rows):
        full_writer = _RowWriter(
            env, "account_full_reconcile", ["id"], tpl.protos["account_full_reconcile"]
        )
        for full_id in real_full:
            full_writer.add("full", (str(full_id),))
        result.counts["account_full_reconcile"] = full_writer.finish()
        names = {pid: name for pid, (name, _key) in partners.items()}
        _insert_moves(env, tpl, partner_ids, names, docs, result)
        _insert_partials(env, tpl, plan.allocs, result)
        result.timings["insert accounting (COPY)"] = time.perf_counter() - t0
        t0 = time.perf_counter()
    result.timings["accounting keys, indexes"] = time.perf_counter() - t0
    for kind in (INVOICE, REFUND, PAYMENT):
        result.move_ids.setdefault(kind, []).extend(doc.move_id for doc in docs if doc.kind == kind)
    for doc in docs:  # break documents <-> partials cycles
        doc.allocs = doc.origin = None


MOVE_VARYING = [
    "id", "name", "sequence_prefix", "sequence_number", "date", "invoice_date",
    "invoice_date_due", "partner_id", "commercial_partner_id", "partner_shipping_id",
    "currency_id", "invoice_currency_rate", "payment_reference", "invoice_partner_display_name",
    "ref", "reversed_entry_id", "amount_untaxed", "amount_tax", "amount_total",
    "amount_residual", "amount_untaxed_signed", "amount_untaxed_in_currency_signed",
    "amount_tax_signed", "amount_total_signed", "amount_total_in_currency_signed",
    "amount_residual_signed", "payment_state",
]  # fmt: skip

LINE_VARYING = [
    "id", "move_id", "move_name", "partner_id", "date", "invoice_date", "date_maturity",
    "currency_id", "name", "ref", "debit", "credit", "balance", "amount_currency",
    "amount_residual", "amount_residual_currency", "reconciled", "full_reconcile_id",
    "matching_number", "quantity", "price_unit", "price_subtotal", "price_total",
]  # fmt: skip


def _insert_moves(env, tpl, partner_ids, names, docs: list[Doc], result: Result) -> None:
    moves = _RowWriter(env, "account_move", MOVE_VARYING, tpl.protos["account_move"])
    lines = _RowWriter(env, "account_move_line", LINE_VARYING, tpl.protos["account_move_line"])
    lines.depends_on.append(moves)
    company_currency, foreign_currency = str(tpl.currency_id), str(tpl.foreign_id)
    product_name = _text(tpl.product_name)
    zero, null, false, true = "0.00", "\\N", "f", "t"
    for doc in docs:
        partner = partner_ids[doc.partner]
        pid = str(partner)
        move_id = str(doc.move_id)
        name = _text(doc.name)
        day = doc.date.isoformat()
        currency = foreign_currency if doc.foreign else company_currency
        rate = repr(float(tpl.rates[doc.date])) if doc.foreign else "1.0"
        res_cur, res_bal = doc.cur - doc.settled_cur, doc.bal - doc.settled_bal
        reconciled = true if res_cur == 0 and res_bal == 0 else false
        matching = doc.matching or null
        full = str(doc.full_id) if doc.full_id else null
        if doc.kind == PAYMENT:
            sign = 1
            cur, bal = _money(doc.cur), _money(doc.bal)
            moves.add(PAYMENT, (
                move_id, name, _text(doc.prefix), str(doc.number), day, null, day, pid, pid,
                null, currency, "0.0", null, names[partner], null, null,
                zero, zero, cur, zero, zero, zero, zero, bal, cur, zero, doc.state,
            ))  # fmt: skip
            label = "Bench payment"
            lines.add(PAYMENT + LIQUIDITY, (
                str(doc.line_ids[0]), move_id, name, pid, day, null, day, currency, label, null,
                bal, zero, bal, cur, bal, cur, false, null, null, "1.0", "0.0", cur, cur,
            ))  # fmt: skip
            mcur, mbal = _money(-doc.cur), _money(-doc.bal)
            lines.add(PAYMENT + COUNTERPART, (
                str(doc.line_ids[1]), move_id, name, pid, day, null, day, currency, label, null,
                zero, bal, mbal, mcur, _money(-res_bal), _money(-res_cur), reconciled,
                full, matching, "1.0", "0.0", mcur, mcur,
            ))  # fmt: skip
            continue

        sign = 1 if doc.kind == INVOICE else -1  # receivable side: debit for invoices
        cur, bal = _money(doc.cur), _money(doc.bal)
        scur, sbal = _money(sign * doc.cur), _money(sign * doc.bal)
        payment_ref = name if doc.kind == INVOICE else null
        ref = _text(f"Reversal of: {doc.origin.name}") if doc.origin else null
        moves.add(doc.kind, (
            move_id, name, _text(doc.prefix), str(doc.number), day, day, doc.due.isoformat(),
            pid, pid, pid, currency, rate, payment_ref, names[partner], ref,
            str(doc.origin.move_id) if doc.origin else null,
            cur, zero, cur, _money(res_cur), sbal, scur, zero, sbal, scur,
            _money(sign * res_bal), doc.state,
        ))  # fmt: skip
        for line_id, (qty, price), line_bal in zip(
            doc.line_ids, doc.lines, doc.line_bals, strict=False
        ):
            amount = qty * price
            lbal, lcur = _money(-sign * line_bal), _money(-sign * amount)
            debit, credit = (zero, _money(line_bal)) if sign > 0 else (_money(line_bal), zero)
            lines.add(doc.kind + PRODUCT, (
                str(line_id), move_id, name, pid, day, day, null, currency, product_name, ref,
                debit, credit, lbal, lcur, zero, zero, false, null, null,
                f"{qty}.0", _money(price), _money(amount), _money(amount),
            ))  # fmt: skip
        debit, credit = (bal, zero) if sign > 0 else (zero, bal)
        lines.add(doc.kind + TERM, (
            str(doc.line_ids[-1]), move_id, name, pid, day, day, doc.due.isoformat(), currency,
            name if doc.kind == INVOICE else "", ref, debit, credit, sbal, scur,
            _money(sign * res_bal), _money(sign * res_cur), reconciled, full, matching,
            "0.0", "0.0", zero, zero,
        ))  # fmt: skip
    moves.finish()
    lines.finish()
    result.counts["account_move"] = moves.rows
    result.counts["account_move_line"] = lines.rows


def _insert_partials(env, tpl: Templates, allocs: list[Alloc], result: Result) -> None:
    varying = ["id", "debit_move_id", "credit_move_id", "full_reconcile_id", "debit_currency_id",
               "credit_currency_id", "company_id", "max_date", "amount", "debit_amount_currency",
               "credit_amount_currency"]  # fmt: skip
    writer = _RowWriter(
        env, "account_partial_reconcile", varying, tpl.protos["account_partial_reconcile"]
    )
    company = str(tpl.company_id)
    for alloc in allocs:
        debit, credit = alloc.debit, alloc.credit
        currency = str(tpl.foreign_id if debit.foreign else tpl.currency_id)
        cur = _money(alloc.cur)
        writer.add("partial", (
            str(alloc.id), str(debit.line_ids[-1]), str(credit.line_ids[-1]),
            str(debit.full_id) if debit.full_id else "\\N", currency, currency, company,
            max(debit.date, credit.date).isoformat(), _money(alloc.bal), cur, cur,
        ))  # fmt: skip
    writer.finish()
    result.counts["account_partial_reconcile"] = writer.rows


def _partner_keys(env, partner_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """id -> (COPY-escaped name, RNG key): generated customers are keyed by their reference,
    so the same seed gives the same documents to the same customer in any database."""
    from odoo.tools import SQL

    env.cr.execute(
        SQL("SELECT id, name, ref FROM res_partner WHERE id = ANY(%s)", list(partner_ids))
    )
    return {pid: (_text(name), ref or str(pid)) for pid, name, ref in env.cr.fetchall()}


def insert_sale_orders(
    env, tpl: Templates, partner_ids: Sequence[int], knobs: Knobs, result: Result | None = None
) -> list[int]:
    """Bulk-insert ``knobs.sale_orders_per_customer`` confirmed sale orders per customer, in
    the company currency, nothing delivered or invoiced yet (invoice_status 'to invoice')."""
    result = result or Result(knobs=knobs)
    as_of = knobs.resolved_as_of()
    keys = _partner_keys(env, partner_ids)
    orders = []  # (partner id, order datetime, [(quantity, unit price in minor units)])
    for partner_id in partner_ids:
        rng = random.Random(f"{knobs.seed}:{keys[partner_id][1]}:sale")
        for _ in range(knobs.sale_orders_per_customer):
            day = _rand_day(rng, as_of - timedelta(days=60), as_of)
            moment = datetime.combine(day, datetime.min.time()) + timedelta(
                seconds=rng.randint(8 * 3600, 18 * 3600)
            )
            n_lines = rng.randint(1, max(1, knobs.lines_per_order))
            lines = [(rng.randint(1, 20), rng.randint(1_000, 50_000)) for _ in range(n_lines)]
            orders.append((partner_id, moment, lines))
    if not orders:
        return []
    orders.sort(key=lambda order: order[1])
    seq = env["ir.sequence"].search([("code", "=", "sale.order")], limit=1)
    prefix, padding = tpl.name_formats["sale.order"]
    first_number = seq.number_next_actual
    seq.number_next_actual = first_number + len(orders)  # keep ORM-made names unique
    env.flush_all()
    n_lines = sum(len(order[2]) for order in orders)
    order_ids = list(reserve_ids(env, "sale_order", len(orders)))
    line_ids = reserve_ids(env, "sale_order_line", n_lines)
    product_name = _text(tpl.product_name)
    with bulk_load(env, {"sale_order": len(orders), "sale_order_line": n_lines}):
        so_writer = _RowWriter(
            env,
            "sale_order",
            ["id", "name", "partner_id", "partner_invoice_id", "partner_shipping_id",
             "date_order", "create_date", "validity_date", "amount_untaxed", "amount_tax",
             "amount_total"],
            tpl.protos["sale_order"],
        )  # fmt: skip
        line_writer = _RowWriter(
            env,
            "sale_order_line",
            ["id", "order_id", "order_partner_id", "sequence", "name", "product_uom_qty",
             "price_unit", "technical_price_unit", "price_subtotal", "price_total",
             "price_reduce_taxexcl", "price_reduce_taxinc", "qty_to_invoice",
             "untaxed_amount_to_invoice"],
            tpl.protos["sale_order_line"],
        )  # fmt: skip
        line_writer.depends_on.append(so_writer)
        for number, (order_id, (partner_id, moment, lines)) in enumerate(
            zip(order_ids, orders, strict=True), start=first_number
        ):
            pid, oid = str(partner_id), str(order_id)
            total = _money(sum(q * p for q, p in lines))
            stamp = moment.isoformat(sep=" ")
            so_writer.add("order", (
                oid, _text(f"{prefix}{number:0{padding}d}"), pid, pid, pid, stamp, stamp,
                (moment.date() + timedelta(days=30)).isoformat(), total, "0.00", total,
            ))  # fmt: skip
            for sequence, (qty, price) in enumerate(lines, start=10):
                subtotal, unit = _money(qty * price), _money(price)
                line_writer.add("line", (
                    str(next(line_ids)), oid, pid, str(sequence), product_name, f"{qty}.0",
                    unit, unit, subtotal, subtotal, unit, unit, f"{qty}.0", subtotal,
                ))  # fmt: skip
        result.counts["sale_order"] = so_writer.finish()
        result.counts["sale_order_line"] = line_writer.finish()
    result.sale_order_ids += order_ids
    env.invalidate_all()
    return order_ids


def generate(env, knobs: Knobs | None = None, **overrides) -> Result:
    """Create templates, then bulk-insert customers, accounting and sale orders.

    Knobs can be given as a :class:`Knobs` and/or keyword overrides.  Runs in the caller's
    transaction (nothing is committed here) and leaves the ORM caches invalidated.
    """
    knobs = replace(knobs or Knobs(), **overrides)
    knobs = replace(knobs, as_of=knobs.resolved_as_of())  # one "today" for every phase
    result = Result(knobs=knobs)
    env.flush_all()
    t0 = time.perf_counter()
    tpl = prepare_templates(env, knobs)
    result.timings["templates (ORM)"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    result.partner_ids = insert_customers(env, tpl, knobs.customers, knobs.customer_name)
    result.counts["res_partner"] = len(result.partner_ids)
    result.timings["insert customers"] = time.perf_counter() - t0

    insert_accounting(env, tpl, result.partner_ids, knobs, result)

    t0 = time.perf_counter()
    insert_sale_orders(env, tpl, result.partner_ids, knobs, result)
    result.timings["insert sale orders"] = time.perf_counter() - t0

    env.invalidate_all()
    env.registry.clear_cache()
    return result
