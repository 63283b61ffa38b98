"""Shared benchmark data generator for the ``credit_management`` addon.

Benchmarks need realistic receivables at a scale the ORM cannot create in reasonable time
(a million journal items would take hours through ``create()`` + ``action_post()``).  This
module creates the handful of template records with the ORM, lets the ORM build one
*prototype* of every row kind (customer, invoice, credit note, bank payment, their journal
items, a reconciliation, a sale order) inside a savepoint that is rolled back, and then
bulk-loads clones of those prototype rows with ``COPY``, overriding only the columns that
vary per row (ids, dates, amounts, residuals, names...).  Copying the prototype keeps every
other column exactly as the ORM of *this* database writes it, including columns added by
other installed modules.

Every amount, residual, reconciliation and state is computed here in integer minor units
from the same plan, so the stored computed fields are what the ORM would compute; ``check()``
proves it by recomputing them with the ORM on a sample and by replaying ORM operations
(register a payment, unreconcile, post a new invoice) on generated records.

Use it from a benchmark script in ``bench/`` that has an Odoo ``env``::

    import datagen
    result = datagen.generate(env, customers=20_000, invoices_per_customer=28)
    datagen.check(env, result.partner_ids)

or from the command line (see ``--help`` and ``bench/README.md``).
"""

# Odoo is imported inside functions: the CLI first puts --odoo-src on sys.path.
# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib.metadata
import io
import json
import random
import sys
import time
import types
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

# Row kinds of account.move and account.move.line produced from prototypes.
INVOICE, REFUND, PAYMENT = "out_invoice", "out_refund", "payment"
PRODUCT, TERM, LIQUIDITY, COUNTERPART = "product", "term", "liquidity", "counterpart"

PARTNER_REF_PREFIX = "BENCH-"
PRODUCT_CODE = "BENCH-SERVICE"
PAYMENT_TERMS_DAYS = (0, 15, 30, 45, 60)


class CheckFailed(AssertionError):
    """Raised by :func:`check` with every inconsistency found, one per line."""


# --------------------------------------------------------------------------------------------
# Parameters and results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Knobs:
    """Scale and shape of the generated data.

    Shares are probabilities drawn per item with a seeded RNG, so the realised shares are
    close to, not exactly, the requested ones.  The data depends only on these knobs and on
    what the database already contains (ids and sequence numbers continue after it).
    """

    customers: int = 100
    invoices_per_customer: int = 10
    lines_per_invoice: int = 3  # income lines per invoice: 1..N
    share_paid: float = 0.5  # invoices fully settled (one or two payments, maybe a credit note)
    share_partial: float = 0.2  # invoices partially settled; the rest stays open
    share_overdue: float = 0.6  # open/partial invoices whose due date is before as_of
    share_foreign: float = 0.1  # documents in the foreign currency
    share_credit_notes: float = 0.05  # invoices that get a credit note
    share_batched: float = 0.3  # fully paid invoices settled by a payment covering several
    share_unapplied: float = 0.2  # customers with an unreconciled payment (negative open item)
    sale_orders_per_customer: int = 0
    lines_per_order: int = 3  # sale order lines per order: 1..N
    as_of: date | None = None  # reference "today" of the data; default: today
    days: int = 730  # invoice dates span [as_of - days, as_of]
    seed: int = 1
    foreign_currency: str = "EUR"
    foreign_rate: float = 0.92  # units of foreign currency per company currency unit
    customer_name: str = "Bench Customer"

    def resolved_as_of(self) -> date:
        return self.as_of or date.today()


@dataclass
class Result:
    """What :func:`generate` created; benchmark scripts pick their subjects from it."""

    knobs: Knobs
    partner_ids: list[int] = field(default_factory=list)
    move_ids: dict[str, list[int]] = field(default_factory=dict)  # kind -> ids
    sale_order_ids: list[int] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # table -> rows inserted
    timings: dict[str, float] = field(default_factory=dict)  # phase -> seconds

    def summary(self) -> str:
        total = sum(self.timings.values())
        lines = [f"{'phase':<28}{'seconds':>10}"]
        lines += [f"{phase:<28}{secs:>10.2f}" for phase, secs in self.timings.items()]
        lines.append(f"{'total':<28}{total:>10.2f}")
        lines.append("")
        lines.append(f"{'table':<28}{'rows':>12}{'rows/s (total)':>18}")
        for table, n in self.counts.items():
            lines.append(f"{table:<28}{n:>12,}{n / total if total else 0:>18,.0f}")
        return "\n".join(lines)


@dataclass
class Templates:
    """ORM-made records and rolled-back prototype rows that bulk rows are cloned from."""

    company_id: int
    currency_id: int
    foreign_id: int
    sale_journal_id: int
    bank_journal_id: int
    receivable_account_id: int
    income_account_id: int
    product_id: int
    product_name: str
    # table -> kind -> prototype row (column -> python value)
    protos: dict[str, dict[str, dict]] = field(default_factory=dict)
    # move kind -> (name template with {year}, number padding)
    name_formats: dict[str, tuple[str, int]] = field(default_factory=dict)
    rates: dict[date, Decimal] = field(default_factory=dict)  # foreign per company unit


# --------------------------------------------------------------------------------------------
# Odoo bootstrap (CLI only; library callers already have an env)
# --------------------------------------------------------------------------------------------


def load_odoo(odoo_src: str | Path):
    """Import Odoo from a source checkout.

    Odoo 18 still imports ``pkg_resources``, which recent setuptools no longer ship; a tiny
    stand-in backed by ``importlib.metadata`` is installed when it is missing, so the
    generator runs on a plain venv with Odoo's requirements.
    """
    try:
        import pkg_resources  # noqa: F401
    except ImportError:
        sys.modules["pkg_resources"] = _pkg_resources_shim()
    src = str(Path(odoo_src).resolve())
    if src not in sys.path:
        sys.path.insert(0, src)
    import odoo

    return odoo


def _pkg_resources_shim() -> types.ModuleType:
    shim = types.ModuleType("pkg_resources")

    class DistributionNotFound(Exception):
        pass

    class VersionConflict(Exception):
        pass

    def get_distribution(name):
        try:
            return importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError as exc:
            raise DistributionNotFound(name) from exc

    shim.DistributionNotFound = DistributionNotFound
    shim.VersionConflict = VersionConflict
    shim.get_distribution = get_distribution
    return shim


def default_addons_path(odoo_src: str | Path) -> str:
    src = Path(odoo_src)
    paths = [src / "odoo" / "addons", src / "addons"]
    return ",".join(str(p) for p in paths if p.is_dir())


def configure_odoo(odoo, db: str, addons_path: str, extra: Sequence[str] = ()) -> None:
    """Parse an odoo-bin style configuration so registries and loggers behave as usual."""
    args = ["-d", db, f"--addons-path={addons_path}", "--log-level=warn", *extra]
    odoo.tools.config.parse_config(args, setup_logging=True)


def create_database(odoo, db: str) -> None:
    """Create and initialise ``db`` like ``odoo-bin -d db -i MODULES --stop-after-init``.

    ``configure_odoo`` must have been given the ``-i MODULES --without-demo=all`` options.
    """
    odoo.service.db._create_empty_database(db)
    odoo.tools.config["init"]["base"] = True
    if odoo.service.server.preload_registries([db]):
        raise RuntimeError(f"installing the modules into {db} failed (see the log above)")


@contextlib.contextmanager
def odoo_env(odoo, db: str, commit: bool = False):
    """Superuser environment on ``db``; with ``commit`` the work is committed when the block
    succeeds, otherwise it is rolled back."""
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:  # commits on a clean exit
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        try:
            yield env
            env.flush_all()
        finally:
            if not commit:
                cr.rollback()


# --------------------------------------------------------------------------------------------
# Templates and prototypes (ORM)
# --------------------------------------------------------------------------------------------


def prepare_templates(env, knobs: Knobs) -> Templates:
    """Create/find the template records and capture prototype rows made by the ORM.

    Templates: env.company, its sale and bank journals, receivable and income accounts, a
    tax-free service product (so invoice lines need no tax lines), the foreign currency
    activated with a rate valid before the first generated date.
    """
    from odoo import Command

    company = env.company
    as_of = knobs.resolved_as_of()
    date_from = as_of - timedelta(days=knobs.days)
    journal_model = env["account.journal"]
    company_domain = [("company_id", "=", company.id)]
    sale_journal = journal_model.search([*company_domain, ("type", "=", "sale")], limit=1)
    bank_journal = journal_model.search([*company_domain, ("type", "=", "bank")], limit=1)
    if not sale_journal or not bank_journal:
        raise RuntimeError("the company needs a chart of accounts with sale and bank journals")

    foreign = (
        env["res.currency"]
        .with_context(active_test=False)
        .search([("name", "=", knobs.foreign_currency)], limit=1)
    )
    if not foreign:
        raise RuntimeError(f"currency {knobs.foreign_currency} not found")
    if foreign == company.currency_id:
        raise RuntimeError("the foreign currency must differ from the company currency")
    foreign.active = True
    rate_model = env["res.currency.rate"]
    has_early_rate = rate_model.search_count(
        [
            ("currency_id", "=", foreign.id),
            ("name", "<=", date_from),
            ("company_id", "in", [company.root_id.id, False]),
        ]
    )
    if not has_early_rate:
        rate_model.create(
            {
                "currency_id": foreign.id,
                "name": date_from - timedelta(days=1),
                "rate": knobs.foreign_rate,
                "company_id": company.root_id.id,
            }
        )
    for cur in (company.currency_id, foreign):
        if cur.decimal_places != 2:
            raise RuntimeError(f"{cur.name}: only 2-decimal currencies are supported")

    product = env["product.product"].search([("default_code", "=", PRODUCT_CODE)], limit=1)
    if not product:
        product = env["product.product"].create(
            {
                "name": "Bench Service",
                "default_code": PRODUCT_CODE,
                "type": "service",
                "invoice_policy": "order",
                "list_price": 100.0,
                "taxes_id": [Command.clear()],
                "sale_ok": True,
            }
        )
    env.flush_all()

    tpl = Templates(
        company_id=company.id,
        currency_id=company.currency_id.id,
        foreign_id=foreign.id,
        sale_journal_id=sale_journal.id,
        bank_journal_id=bank_journal.id,
        receivable_account_id=0,
        income_account_id=0,
        product_id=product.id,
        product_name=product.display_name,
    )
    _capture_prototypes(env, tpl, as_of)
    tpl.receivable_account_id = tpl.protos["account_move_line"][INVOICE + TERM]["account_id"]
    tpl.income_account_id = tpl.protos["account_move_line"][INVOICE + PRODUCT]["account_id"]

    currency_model = env["res.currency"]
    day = date_from
    while day <= as_of:
        rate = currency_model._get_conversion_rate(company.currency_id, foreign, company, day)
        tpl.rates[day] = Decimal(repr(rate))
        day += timedelta(days=1)
    return tpl


def _capture_prototypes(env, tpl: Templates, as_of: date) -> None:
    """Let the ORM create one record of every kind, read its rows, then roll it back."""
    from odoo import Command

    proto_date = date(as_of.year, 1, 1)
    rows: dict[str, dict[str, dict]] = defaultdict(dict)
    with env.cr.savepoint() as savepoint:
        partner = env["res.partner"].create(
            {
                "name": "Bench Prototype",
                "is_company": True,
                "customer_rank": 1,
                "ref": PARTNER_REF_PREFIX + "PROTO",
                "email": "prototype@bench.example.com",
            }
        )

        def invoice(move_type):
            move = env["account.move"].create(
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "journal_id": tpl.sale_journal_id,
                    "invoice_date": proto_date,
                    "date": proto_date,
                    "invoice_date_due": proto_date,
                    "invoice_line_ids": [
                        Command.create(
                            {"product_id": tpl.product_id, "quantity": 1, "price_unit": 100.0}
                        )
                    ],
                }
            )
            move.action_post()
            return move

        inv = invoice("out_invoice")
        ref = invoice("out_refund")
        bank = env["account.journal"].browse(tpl.bank_journal_id)
        receivable = inv.line_ids.filtered(lambda line: line.display_type == "payment_term")
        pay = env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": bank.id,
                "date": proto_date,
                "partner_id": partner.id,
                "line_ids": [
                    Command.create(
                        {
                            "account_id": bank.default_account_id.id,
                            "partner_id": partner.id,
                            "debit": 100.0,
                            "name": "Bench payment",
                            "date_maturity": proto_date,
                        }
                    ),
                    Command.create(
                        {
                            "account_id": receivable.account_id.id,
                            "partner_id": partner.id,
                            "credit": 100.0,
                            "name": "Bench payment",
                            "date_maturity": proto_date,
                        }
                    ),
                ],
            }
        )
        pay.action_post()
        order = env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create(
                        {"product_id": tpl.product_id, "product_uom_qty": 1, "price_unit": 10.0}
                    )
                ],
            }
        )
        order.action_confirm()
        env.flush_all()
        # Read moves before reconciling: reconciliation writes on them.
        rows["res_partner"]["customer"] = _fetch_row(env, partner)
        for kind, move in ((INVOICE, inv), (REFUND, ref), (PAYMENT, pay)):
            rows["account_move"][kind] = _fetch_row(env, move)
            tpl.name_formats[kind] = _name_format(move, proto_date.year)
        for kind, move in ((INVOICE, inv), (REFUND, ref)):
            for line in move.line_ids:
                sub = TERM if line.display_type == "payment_term" else PRODUCT
                rows["account_move_line"][kind + sub] = _fetch_row(env, line)
        for line in pay.line_ids:
            sub = LIQUIDITY if line.account_id == bank.default_account_id else COUNTERPART
            rows["account_move_line"][PAYMENT + sub] = _fetch_row(env, line)
        rows["sale_order"]["order"] = _fetch_row(env, order)
        rows["sale_order_line"]["line"] = _fetch_row(env, order.order_line)

        (receivable | pay.line_ids.filtered(lambda line: line.credit)).reconcile()
        env.flush_all()
        partial = receivable.matched_credit_ids
        rows["account_partial_reconcile"]["partial"] = _fetch_row(env, partial)
        rows["account_full_reconcile"]["full"] = _fetch_row(env, receivable.full_reconcile_id)
        seq = env["ir.sequence"].search([("code", "=", "sale.order")], limit=1)
        tpl.name_formats["sale.order"] = (seq._get_prefix_suffix()[0], seq.padding)
        savepoint.close(rollback=True)
    env.invalidate_all(flush=False)
    tpl.protos = dict(rows)


def _fetch_row(env, record) -> dict:
    """The record's full table row, every column (including other modules' ones)."""
    from odoo.tools import SQL

    record.ensure_one()
    env.cr.execute(SQL("SELECT * FROM %s WHERE id = %s", SQL.identifier(record._table), record.id))
    names = [desc[0] for desc in env.cr.description]
    return dict(zip(names, env.cr.fetchone(), strict=True))


def _name_format(move, year: int) -> tuple[str, int]:
    """Turn a posted prototype name such as INV/2025/00001 into ("INV/{year}/", 5)."""
    prefix = move.sequence_prefix
    if str(year) not in prefix or not move.name.startswith(prefix):
        raise RuntimeError(f"journal {move.journal_id.code}: unsupported sequence {move.name!r}")
    return prefix.replace(str(year), "{year}", 1), len(move.name) - len(prefix)


# --------------------------------------------------------------------------------------------
# Planning (pure Python, integer minor units)
# --------------------------------------------------------------------------------------------


class Doc:
    """One planned account.move: an invoice, a credit note or a bank payment."""

    __slots__ = (
        "allocs", "bal", "cur", "date", "due", "foreign", "full_id", "kind", "line_bals",
        "line_ids", "lines", "matching", "move_id", "name", "number", "origin", "partner",
        "prefix", "settled_bal", "settled_cur", "state",
    )  # fmt: skip

    def __init__(self, kind, partner, foreign, day, due=None):
        self.kind = kind
        self.partner = partner  # index in the plan's partner list
        self.foreign = foreign
        self.date = day
        self.due = due or day
        self.lines: list[tuple[int, int]] = []  # (quantity, unit price in minor units)
        self.cur = 0  # total in document currency (positive)
        self.bal = 0  # total in company currency (positive)
        self.line_bals: list[int] = []
        self.settled_cur = 0  # what reconciliations took off the receivable line
        self.settled_bal = 0
        self.origin: Doc | None = None  # invoice a credit note reverses
        self.allocs: list[Alloc] = []  # reconciliations on this document's receivable line
        self.move_id = 0
        self.line_ids: list[int] = []
        self.name = ""
        self.prefix = ""
        self.number = 0
        self.full_id = 0
        self.matching = ""
        self.state = "not_paid"


class Alloc:
    """One account.partial.reconcile between an invoice and a credit (payment/credit note)."""

    __slots__ = ("bal", "credit", "cur", "debit", "id")

    def __init__(self, debit: Doc, credit: Doc, cur: int, bal: int):
        self.debit, self.credit, self.cur, self.bal, self.id = debit, credit, cur, bal, 0


@dataclass
class Plan:
    docs: list[Doc] = field(default_factory=list)
    allocs: list[Alloc] = field(default_factory=list)


def _to_company(amount: int, rate: Decimal) -> int:
    return int((Decimal(amount) / rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """Split ``total`` minor units into ``parts`` positive amounts."""
    if parts <= 1 or total < parts * 100:
        return [total]
    cuts = sorted(rng.sample(range(100, total - 99), parts - 1)) if total > 200 else []
    if len(cuts) != parts - 1:
        return [total]
    bounds = [0, *cuts, total]
    return [bounds[i + 1] - bounds[i] for i in range(parts)]


def _rand_day(rng: random.Random, start: date, end: date) -> date:
    if end <= start:
        return start
    return start + timedelta(days=rng.randint(0, (end - start).days))


def plan_customer(plan: Plan, partner: int, knobs: Knobs, rates: dict, seed_key: str) -> None:
    """Plan every document of one customer; the RNG is keyed by customer so the data of a
    customer does not depend on how many customers are generated."""
    rng = random.Random(seed_key)
    as_of = knobs.resolved_as_of()
    date_from = as_of - timedelta(days=knobs.days)
    docs: list[Doc] = []  # this customer's documents (batching rewrites the list)
    allocs = plan.allocs
    single_paid: list[Doc] = []  # fully paid by exactly one payment: candidates for batching

    def rate_of(doc):
        return rates[doc.date] if doc.foreign else None

    def book(doc):
        """Fill totals: per-line company balances, the receivable takes their sum."""
        rate = rate_of(doc)
        doc.cur = sum(q * p for q, p in doc.lines)
        doc.line_bals = [q * p if rate is None else _to_company(q * p, rate) for q, p in doc.lines]
        doc.bal = sum(doc.line_bals)
        docs.append(doc)

    def credit(kind, inv, day, cur, bal):
        """A payment/credit note applied fully to ``inv`` (same currency, invoice's rate)."""
        doc = Doc(kind, partner, inv.foreign, day)
        doc.cur, doc.bal = cur, bal
        if kind == REFUND:
            doc.origin = inv
            doc.lines = [(1, cur)]
            doc.line_bals = [bal]
        docs.append(doc)
        alloc = Alloc(inv, doc, cur, bal)
        allocs.append(alloc)
        inv.allocs.append(alloc)
        doc.allocs.append(alloc)
        inv.settled_cur += cur
        inv.settled_bal += bal
        doc.settled_cur, doc.settled_bal = cur, bal
        return doc

    for _ in range(knobs.invoices_per_customer):
        foreign = rng.random() < knobs.share_foreign
        n_lines = rng.randint(1, max(1, knobs.lines_per_invoice))
        lines = [(rng.randint(1, 10), rng.randint(1_000, 200_000)) for _ in range(n_lines)]
        term = rng.choice(PAYMENT_TERMS_DAYS)
        draw = rng.random()
        status = (
            "paid"
            if draw < knobs.share_paid
            else "partial"
            if draw < knobs.share_paid + knobs.share_partial
            else "open"
        )
        if status == "paid":
            inv_date = _rand_day(rng, date_from, as_of - timedelta(days=1))
            due = inv_date + timedelta(days=term)
        elif rng.random() < knobs.share_overdue:
            days_late = 1 + min(int(rng.expovariate(1 / 45)), knobs.days)
            due = as_of - timedelta(days=days_late)
            inv_date = max(date_from, due - timedelta(days=term))
            due = max(due, inv_date)
            if due >= as_of:  # clamped by the date range: keep it overdue
                inv_date = due = as_of - timedelta(days=1)
        else:
            due = as_of + timedelta(days=rng.randint(0, term))
            inv_date = max(date_from, due - timedelta(days=term))
        inv = Doc(INVOICE, partner, foreign, inv_date, due)
        inv.lines = lines
        book(inv)
        rate = rate_of(inv)

        def conv(amount, rate=rate):
            return amount if rate is None else _to_company(amount, rate)

        target = {
            "paid": inv.cur,
            "partial": int(inv.cur * rng.uniform(0.1, 0.9)),
            "open": 0,
        }[status]
        if status == "partial":
            target = min(max(target, 1), inv.cur - 1)
        pay_end = as_of if status != "paid" else min(as_of, max(due, inv_date) + timedelta(45))

        if rng.random() < knobs.share_credit_notes:
            cn_cur = max(1, int(inv.cur * rng.uniform(0.05, 0.5)))
            cn_day = _rand_day(rng, inv_date, as_of)
            if 0 < cn_cur <= target and rng.random() < 0.6:
                bal = inv.bal if cn_cur == inv.cur else conv(cn_cur)
                credit(REFUND, inv, cn_day, cn_cur, bal)
            else:  # an open credit note: a negative open item of its own
                cn = Doc(REFUND, partner, foreign, cn_day)
                cn.lines = [(1, cn_cur)]
                book(cn)

        remaining = target - inv.settled_cur
        if remaining > 0:
            parts = 2 if status == "paid" and rng.random() < 0.25 else 1
            amounts = _split(remaining, parts, rng)
            days = sorted(_rand_day(rng, inv_date, pay_end) for _ in amounts)
            for i, (amount, day) in enumerate(zip(amounts, days, strict=True)):
                last = status == "paid" and i == len(amounts) - 1
                bal = inv.bal - inv.settled_bal if last else conv(amount)
                credit(PAYMENT, inv, day, amount, bal)
            if status == "paid" and parts == 1 and len(inv.allocs) == 1:
                single_paid.append(inv)

    _batch_payments(single_paid, docs, knobs.share_batched, rng)
    plan.docs.extend(docs)

    if rng.random() < knobs.share_unapplied:
        foreign = rng.random() < knobs.share_foreign
        day = _rand_day(rng, max(date_from, as_of - timedelta(days=90)), as_of)
        pay = Doc(PAYMENT, partner, foreign, day)
        pay.cur = rng.randint(5_000, 300_000)
        pay.bal = pay.cur if not foreign else _to_company(pay.cur, rates[day])
        plan.docs.append(pay)


def _batch_payments(invoices: list[Doc], docs: list[Doc], share: float, rng) -> None:
    """Merge the single payments of consecutive fully paid invoices into one payment.

    Gives payments reconciled with several invoices (one matching number for the group), as
    batch deposits and remittances do.  The merged payment keeps the latest date.
    """
    if share <= 0 or len(invoices) < 2:
        return
    invoices = sorted(invoices, key=lambda inv: inv.allocs[0].credit.date)
    groups: list[list[Doc]] = []
    for inv in invoices:
        group = groups[-1] if groups else None
        if group and len(group) < 4 and group[0].foreign == inv.foreign and rng.random() < share:
            group.append(inv)
        else:
            groups.append([inv])
    dropped = set()
    for group in groups:
        if len(group) < 2:
            continue
        keeper = group[-1].allocs[0].credit
        for inv in group[:-1]:
            alloc = inv.allocs[0]
            gone = alloc.credit
            dropped.add(id(gone))
            alloc.credit = keeper
            keeper.allocs.append(alloc)
            keeper.cur += alloc.cur
            keeper.bal += alloc.bal
            keeper.settled_cur += alloc.cur
            keeper.settled_bal += alloc.bal
    if dropped:
        docs[:] = [doc for doc in docs if id(doc) not in dropped]


# --------------------------------------------------------------------------------------------
# Numbering, reconciliation graph, states
# --------------------------------------------------------------------------------------------


def _existing_numbers(env, journal_id: int) -> dict[str, int]:
    from odoo.tools import SQL

    env.cr.execute(
        SQL(
            "SELECT sequence_prefix, MAX(sequence_number) FROM account_move"
            " WHERE journal_id = %s AND sequence_prefix IS NOT NULL GROUP BY sequence_prefix",
            journal_id,
        )
    )
    return dict(env.cr.fetchall())


def _number_moves(env, tpl: Templates, docs: list[Doc]) -> None:
    """Give names in date order per journal/prefix, continuing the database's sequences."""
    journal_of = {INVOICE: tpl.sale_journal_id, REFUND: tpl.sale_journal_id}
    counters: dict[tuple[int, str], int] = {}
    existing = {
        journal: _existing_numbers(env, journal)
        for journal in {tpl.sale_journal_id, tpl.bank_journal_id}
    }
    for doc in docs:  # docs are sorted by date
        journal = journal_of.get(doc.kind, tpl.bank_journal_id)
        template, padding = tpl.name_formats[doc.kind]
        prefix = template.format(year=doc.date.year)
        key = (journal, prefix)
        if key not in counters:
            counters[key] = existing[journal].get(prefix, 0)
        counters[key] += 1
        doc.prefix, doc.number = prefix, counters[key]
        doc.name = f"{prefix}{counters[key]:0{padding}d}"


def _resolve_reconciliations(docs: list[Doc], allocs: list[Alloc]) -> list[list[Doc]]:
    """Matching numbers as Odoo's ``_update_matching_number`` gives them.

    Lines connected by partials form a graph; a graph whose lines all have a zero residual
    gets an account.full.reconcile whose id is the matching number (the caller numbers the
    returned graphs), otherwise the number is 'P' + the smallest partial id of the graph.
    """
    parent: dict[int, int] = {}

    def find(key):
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for alloc in allocs:
        a, b = id(alloc.debit), id(alloc.credit)
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    graphs: dict[int, list[Doc]] = defaultdict(list)
    min_partial: dict[int, int] = {}
    for alloc in allocs:
        root = find(id(alloc.debit))
        min_partial[root] = min(min_partial.get(root, alloc.id), alloc.id)
    for doc in docs:
        if id(doc) in parent:
            graphs[find(id(doc))].append(doc)
    settled = []
    for root, members in sorted(graphs.items(), key=lambda item: min_partial[item[0]]):
        if all(doc.settled_cur == doc.cur and doc.settled_bal == doc.bal for doc in members):
            settled.append(members)
        else:
            for doc in members:
                doc.matching = f"P{min_partial[root]}"
    return settled


def _payment_state(doc: Doc) -> str:
    """Odoo's ``_compute_payment_state`` for our documents (payments are plain entries)."""
    if doc.kind == PAYMENT:
        return "not_paid"
    if doc.settled_cur == doc.cur:
        counterpart_types = {alloc.credit.kind if alloc.debit is doc else alloc.debit.kind
                             for alloc in doc.allocs}  # fmt: skip
        counterpart_types = {"entry" if kind == PAYMENT else kind for kind in counterpart_types}
        if doc.kind == INVOICE and counterpart_types in ({REFUND}, {REFUND, "entry"}):
            return "reversed"
        return "paid"
    return "partial" if doc.allocs else "not_paid"


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


# --------------------------------------------------------------------------------------------
# Validity check
# --------------------------------------------------------------------------------------------

# Editable ("readonly=False") computed fields are defaults for user input, so recomputing them
# on existing records is not meaningful in general (journal_id would fall back to the default
# journal, price_unit to the list price...).  The check recomputes every *readonly* stored
# computed field, plus these editable ones that are pure derivations of other stored values.
RECOMPUTE_EDITABLE = {
    "account.move": {"invoice_date_due", "partner_shipping_id", "commercial_partner_id"},
    "account.move.line": {
        "debit",
        "credit",
        "currency_id",
        "partner_id",
        "sequence",
        "display_type",
        "account_id",
        "tax_ids",
    },
    "sale.order.line": {"tax_id", "product_uom", "customer_lead", "discount"},
}


ORM_SAMPLE_MOVES = 2_000
ORM_SAMPLE_ORDERS = 500


class _Report:
    """Collects check outcomes; failures are raised together at the end."""

    def __init__(self):
        self.lines: list[str] = []
        self.failures: list[str] = []

    def expect(self, label: str, problems: Sequence, detail: str = "") -> None:
        if problems:
            shown = "; ".join(str(p) for p in list(problems)[:5])
            self.failures.append(f"{label}: {len(problems)} problem(s): {shown}")
            self.lines.append(f"FAIL {label}: {shown}")
        else:
            self.lines.append(f"ok   {label}{': ' + detail if detail else ''}")

    def info(self, text: str) -> None:
        self.lines.append(f"     {text}")

    def __str__(self):
        return "\n".join(self.lines)


def _sql_rows(env, query, *args) -> list[tuple]:
    from odoo.tools import SQL

    env.cr.execute(SQL(query, *args))
    return env.cr.fetchall()


def bench_partner_ids(env) -> list[int]:
    """Every customer this module generated in the database."""
    rows = _sql_rows(
        env, "SELECT id FROM res_partner WHERE ref LIKE %s ORDER BY id", PARTNER_REF_PREFIX + "%"
    )
    return [row[0] for row in rows]


def check(
    env, partner_ids: Sequence[int] | None = None, sample: int = 40, seed: int = 1
) -> _Report:
    """Prove the ORM reads the generated data as valid; raise CheckFailed otherwise.

    SQL invariants run over all data of ``partner_ids`` (default: every generated customer):
    balanced moves, line/move consistency, residuals = balance minus partials, full
    reconciles, sequences, sale order totals.  The ORM part takes a sample of customers and
    compares what the ORM computes with what was stored (partner credit, stored computed
    fields recomputed, all Python constraints, matching numbers), then replays real
    operations in a savepoint that is rolled back.
    """
    from odoo.tools import SQL

    report = _Report()
    partner_ids = list(partner_ids) if partner_ids else bench_partner_ids(env)
    if not partner_ids:
        raise CheckFailed("no generated customers found")
    env.flush_all()
    t0 = time.perf_counter()
    for label, query in SQL_CHECKS:
        report.expect(label, _sql_rows(env, query, partner_ids))
    env.cr.execute(SQL(SQL_STATS, ids=partner_ids))
    stats = env.cr.fetchone()
    report.info(
        "receivable lines {:,} (open {:,}, open and overdue {:,}, negative {:,}); "
        "foreign-currency lines {:,}; all lines {:,}; partials {:,}".format(*stats)
    )
    env.cr.execute(SQL(SQL_AGING, ids=partner_ids))
    as_of, past, open_now, open_then, residuals = env.cr.fetchone()
    report.expect(
        "open receivables rebuilt from partials = stored residuals",
        [(open_now, residuals)] if open_now != residuals else [],
        f"{open_now:,} on {as_of}; {open_then:,} as of {past} (aging as of a past date)",
    )
    report.info(
        f"SQL invariants over {len(partner_ids):,} customers in {time.perf_counter() - t0:.1f}s"
    )
    rng = random.Random(seed)
    sampled = sorted(rng.sample(partner_ids, min(sample, len(partner_ids))))
    t0 = time.perf_counter()
    _check_orm(env, sampled, report, rng)
    report.info(f"ORM checks on {len(sampled)} customers in {time.perf_counter() - t0:.1f}s")
    if report.failures:
        raise CheckFailed("\n".join(report.failures) + "\n\n" + str(report))
    return report


# (label, query over the customers in %s) -> rows that violate the invariant
SQL_CHECKS = [
    ("every move balanced (debit = credit, balance sums to 0)", """
        SELECT m.name FROM account_move m JOIN account_move_line l ON l.move_id = m.id
         WHERE m.partner_id = ANY(%s)
         GROUP BY m.id
        HAVING SUM(l.debit) <> SUM(l.credit) OR SUM(l.balance) <> 0
            OR (COUNT(DISTINCT l.currency_id) = 1 AND SUM(l.amount_currency) <> 0)
         LIMIT 20"""),
    ("lines agree with their move and with themselves", """
        SELECT l.id FROM account_move_line l JOIN account_move m ON m.id = l.move_id
         WHERE m.partner_id = ANY(%s)
           AND (l.balance <> l.debit - l.credit OR l.debit * l.credit <> 0
                OR SIGN(l.balance) * SIGN(l.amount_currency) < 0
                OR l.currency_id <> m.currency_id OR l.partner_id IS DISTINCT FROM m.partner_id
                OR l.date <> m.date OR l.move_name <> m.name OR l.parent_state <> m.state
                OR l.company_id <> m.company_id OR l.journal_id <> m.journal_id
                OR l.invoice_date IS DISTINCT FROM m.invoice_date
                OR (m.currency_id = l.company_currency_id AND l.amount_currency <> l.balance))
         LIMIT 20"""),
    ("foreign-currency invoice lines converted at the invoice rate", """
        SELECT l.id FROM account_move_line l JOIN account_move m ON m.id = l.move_id
         WHERE m.partner_id = ANY(%s) AND l.display_type = 'product'
           AND m.move_type IN ('out_invoice', 'out_refund')
           AND l.currency_id <> l.company_currency_id
           AND ABS(l.balance - ROUND(l.amount_currency / m.invoice_currency_rate::numeric, 2))
               > 0.005
         LIMIT 20"""),
    ("residual = balance - partials, reconciled iff both residuals are 0", """
        WITH lines AS (
            SELECT l.* FROM account_move_line l JOIN account_account a ON a.id = l.account_id
             WHERE l.partner_id = ANY(%s)
               AND (a.reconcile OR a.account_type IN ('asset_cash', 'liability_credit_card'))
        ), parts AS (
            SELECT debit_move_id AS line_id, amount, debit_amount_currency AS amount_currency
              FROM account_partial_reconcile
            UNION ALL
            SELECT credit_move_id, -amount, -credit_amount_currency
              FROM account_partial_reconcile
        ), sums AS (
            SELECT line_id, SUM(amount) AS amount, SUM(amount_currency) AS amount_currency
              FROM parts WHERE line_id IN (SELECT id FROM lines) GROUP BY line_id
        )
        SELECT l.id FROM lines l LEFT JOIN sums s ON s.line_id = l.id
         WHERE l.amount_residual <> l.balance - COALESCE(s.amount, 0)
            OR l.amount_residual_currency <> l.amount_currency - COALESCE(s.amount_currency, 0)
            OR l.reconciled IS DISTINCT FROM
               (l.amount_residual = 0 AND l.amount_residual_currency = 0)
         LIMIT 20"""),
    ("non-reconcilable lines carry no residual", """
        SELECT l.id FROM account_move_line l JOIN account_account a ON a.id = l.account_id
         WHERE l.partner_id = ANY(%s) AND NOT a.reconcile
           AND a.account_type NOT IN ('asset_cash', 'liability_credit_card')
           AND (l.amount_residual <> 0 OR l.amount_residual_currency <> 0 OR l.reconciled
                OR l.matching_number IS NOT NULL)
         LIMIT 20"""),
    ("invoice totals/residuals/due date match their lines", """
        SELECT m.name FROM account_move m
          JOIN LATERAL (
            SELECT SUM(l.amount_currency) FILTER (WHERE l.display_type = 'product') AS untaxed,
                   SUM(l.balance) FILTER (WHERE l.display_type = 'product') AS untaxed_bal,
                   SUM(l.amount_residual_currency)
                       FILTER (WHERE l.display_type = 'payment_term') AS res_cur,
                   SUM(l.amount_residual)
                       FILTER (WHERE l.display_type = 'payment_term') AS res_bal,
                   MAX(l.date_maturity) FILTER (WHERE l.display_type = 'payment_term') AS due,
                   COUNT(*) FILTER (WHERE l.display_type = 'payment_term') AS terms
              FROM account_move_line l WHERE l.move_id = m.id) t ON TRUE
         WHERE m.partner_id = ANY(%s) AND m.move_type IN ('out_invoice', 'out_refund')
           AND (t.terms <> 1 OR m.amount_total <> ABS(t.untaxed)
                OR m.amount_untaxed_signed <> -t.untaxed_bal
                OR m.amount_total_signed <> -t.untaxed_bal
                OR m.amount_residual <> ABS(t.res_cur) OR m.amount_residual_signed <> t.res_bal
                OR m.invoice_date_due <> t.due OR m.amount_tax <> 0)
         LIMIT 20"""),
    ("payment_state agrees with residual and partials", """
        SELECT m.name, m.payment_state FROM account_move m
          JOIN account_move_line l ON l.move_id = m.id AND l.display_type = 'payment_term'
         WHERE m.partner_id = ANY(%s) AND m.move_type IN ('out_invoice', 'out_refund')
           AND NOT CASE
                WHEN m.amount_residual = 0 THEN m.payment_state IN ('paid', 'reversed')
                WHEN l.matching_number IS NOT NULL THEN m.payment_state = 'partial'
                ELSE m.payment_state = 'not_paid' END
         LIMIT 20"""),
    ("full reconciles: zero residual, numbered, partials attached", """
        SELECT l.id FROM account_move_line l
          LEFT JOIN account_partial_reconcile p
                 ON l.id IN (p.debit_move_id, p.credit_move_id)
         WHERE l.partner_id = ANY(%s) AND l.full_reconcile_id IS NOT NULL
           AND (NOT l.reconciled OR l.amount_residual <> 0
                OR l.matching_number <> l.full_reconcile_id::text
                OR p.full_reconcile_id IS DISTINCT FROM l.full_reconcile_id)
         LIMIT 20"""),
    ("matching numbers: 'P…' on partially matched lines, NULL on unmatched", """
        SELECT l.id, l.matching_number FROM account_move_line l
         WHERE l.partner_id = ANY(%s) AND l.full_reconcile_id IS NULL
           AND CASE WHEN EXISTS (SELECT 1 FROM account_partial_reconcile p
                                  WHERE l.id IN (p.debit_move_id, p.credit_move_id))
                    THEN l.matching_number IS NULL OR LEFT(l.matching_number, 1) <> 'P'
                    ELSE l.matching_number IS NOT NULL END
         LIMIT 20"""),
    ("partials: debit/credit sides, currencies, dates, company", """
        SELECT p.id FROM account_partial_reconcile p
          JOIN account_move_line d ON d.id = p.debit_move_id
          JOIN account_move_line c ON c.id = p.credit_move_id
         WHERE d.partner_id = ANY(%s)
           AND (d.balance <= 0 OR c.balance >= 0 OR p.amount <= 0
                OR p.debit_currency_id <> d.currency_id OR p.credit_currency_id <> c.currency_id
                OR p.max_date <> GREATEST(d.date, c.date) OR p.company_id <> d.company_id
                OR d.account_id <> c.account_id OR d.partner_id <> c.partner_id)
         LIMIT 20"""),
    ("move sequences are gapless per journal and prefix", """
        SELECT journal_id, sequence_prefix, COUNT(*), MIN(sequence_number), MAX(sequence_number)
          FROM account_move
         WHERE state = 'posted' AND journal_id IN (
               SELECT DISTINCT journal_id FROM account_move WHERE partner_id = ANY(%s))
         GROUP BY journal_id, sequence_prefix
        HAVING COUNT(*) <> MAX(sequence_number) OR MIN(sequence_number) <> 1"""),
    ("sale orders: totals = lines, everything still to invoice", """
        SELECT o.name FROM sale_order o JOIN sale_order_line l ON l.order_id = o.id
         WHERE o.partner_id = ANY(%s)
         GROUP BY o.id
        HAVING o.amount_total <> SUM(l.price_total) OR o.amount_untaxed <> SUM(l.price_subtotal)
            OR o.state <> 'sale' OR o.invoice_status <> 'to invoice'
            OR BOOL_OR(l.untaxed_amount_to_invoice <> l.price_subtotal
                       OR l.qty_to_invoice <> l.product_uom_qty OR l.qty_invoiced <> 0
                       OR l.invoice_status <> 'to invoice' OR l.state <> 'sale')
         LIMIT 20"""),
]  # fmt: skip

# Open receivables now and 90 days before the last document date, rebuilt from line balances
# and partials (a partial counts from its max_date on), as an "as of" aging report does.
SQL_AGING = """
    WITH recv AS (
        SELECT l.id, l.balance, l.date, l.amount_residual FROM account_move_line l
          JOIN account_account a ON a.id = l.account_id
         WHERE l.partner_id = ANY(%(ids)s) AND a.account_type = 'asset_receivable'
           AND l.parent_state = 'posted'
    ), dates AS (
        SELECT MAX(date) AS as_of, MAX(date) - 90 AS past FROM recv
    ), parts AS (
        SELECT debit_move_id AS line_id, amount, max_date FROM account_partial_reconcile
        UNION ALL
        SELECT credit_move_id, -amount, max_date FROM account_partial_reconcile
    ), per_line AS (
        SELECT p.line_id, SUM(p.amount) AS now, SUM(p.amount) FILTER (WHERE p.max_date <= d.past)
               AS then
          FROM parts p, dates d WHERE p.line_id IN (SELECT id FROM recv) GROUP BY p.line_id
    )
    SELECT d.as_of, d.past, SUM(r.balance - COALESCE(pl.now, 0)),
           COALESCE(SUM(r.balance - COALESCE(pl.then, 0)) FILTER (WHERE r.date <= d.past), 0),
           SUM(r.amount_residual)
      FROM recv r CROSS JOIN dates d LEFT JOIN per_line pl ON pl.line_id = r.id
     GROUP BY d.as_of, d.past"""

SQL_STATS = """
    SELECT COUNT(*) FILTER (WHERE a.account_type = 'asset_receivable'),
           COUNT(*) FILTER (WHERE a.account_type = 'asset_receivable' AND NOT l.reconciled),
           COUNT(*) FILTER (WHERE a.account_type = 'asset_receivable'
                              AND NOT l.reconciled AND l.date_maturity < CURRENT_DATE),
           COUNT(*) FILTER (WHERE a.account_type = 'asset_receivable' AND l.amount_residual < 0),
           COUNT(*) FILTER (WHERE l.currency_id <> l.company_currency_id),
           COUNT(*),
           (SELECT COUNT(*) FROM account_partial_reconcile p
              JOIN account_move_line d ON d.id = p.debit_move_id
             WHERE d.partner_id = ANY(%(ids)s))
      FROM account_move_line l JOIN account_account a ON a.id = l.account_id
     WHERE l.partner_id = ANY(%(ids)s)"""


def _check_orm(env, partner_ids: list[int], report: _Report, rng: random.Random) -> None:
    """Run each ORM check in its own rolled-back savepoint; an exception is a finding.

    The sampled customers' documents are themselves sampled down to ORM_SAMPLE_MOVES moves
    and ORM_SAMPLE_ORDERS orders, so one customer with 100,000 invoices stays quick.
    """

    def capped(records, size):
        return records.browse(sorted(rng.sample(records.ids, min(size, len(records)))))

    sample = types.SimpleNamespace()
    sample.partners = env["res.partner"].browse(partner_ids)
    moves = env["account.move"].search([("partner_id", "in", partner_ids)])
    sample.moves = capped(moves, ORM_SAMPLE_MOVES)
    sample.lines = sample.moves.line_ids
    sample.partials = sample.lines.matched_debit_ids | sample.lines.matched_credit_ids
    orders = env["sale.order"].search([("partner_id", "in", partner_ids)])
    sample.orders = capped(orders, ORM_SAMPLE_ORDERS)
    report.info(
        f"sample: {len(sample.moves)} moves, {len(sample.lines)} lines, "
        f"{len(sample.partials)} partials, {len(sample.orders)} sale orders"
    )
    steps = [
        ("res.partner.credit (ORM) = SQL sum of open receivable residuals", _orm_credit),
        ("stored computed fields: ORM recompute = inserted values", _orm_recompute),
        ("ORM constraints (_validate_fields on all stored fields, balance)", _orm_constraints),
        ("matching numbers = Odoo's _update_matching_number", _orm_matching_numbers),
        ("sale.order amount_to_invoice = total, credit_to_invoice = open orders", _orm_sales),
        ("ORM round trips (payment wizard, ORM reconcile, unreconcile, next invoice)",
         _orm_round_trips),
    ]  # fmt: skip
    for label, step in steps:
        t0 = time.perf_counter()
        try:
            with env.cr.savepoint() as savepoint:
                problems, detail = step(env, sample)
                savepoint.close(rollback=True)
        except Exception as exc:  # an ORM error on generated data is a finding, not a crash
            problems, detail = [f"{type(exc).__name__}: {exc}"], ""
        env.invalidate_all(flush=False)
        elapsed = f"{time.perf_counter() - t0:.1f}s"
        report.expect(label, problems, f"{detail} ({elapsed})" if detail else elapsed)


def _orm_credit(env, sample):
    sums = dict(_sql_rows(env, """
        SELECT l.partner_id, SUM(l.amount_residual) FROM account_move_line l
          JOIN account_account a ON a.id = l.account_id
         WHERE l.partner_id = ANY(%s) AND a.account_type = 'asset_receivable'
           AND l.parent_state = 'posted' AND NOT l.reconciled
         GROUP BY l.partner_id""", sample.partners.ids))  # fmt: skip
    problems = [
        (p.id, p.credit, sums.get(p.id, 0.0))
        for p in sample.partners
        if p.currency_id.compare_amounts(p.credit, float(sums.get(p.id, 0.0)))
    ]
    return problems, f"{len(sample.partners)} customers"


def _orm_recompute(env, sample):
    problems = []
    records = [sample.partners, sample.moves, sample.lines, sample.partials, sample.orders]
    for recs in [*records, sample.orders.order_line]:
        problems += _recompute_diff(env, recs)
    return (
        problems,
        "res.partner, account.move(.line), account.partial.reconcile, sale.order(.line)",
    )


def _orm_constraints(env, sample):
    problems = []
    records = [sample.partners, sample.moves, sample.lines, sample.partials, sample.orders]
    for recs in [*records, sample.orders.order_line]:
        try:
            recs._validate_fields([name for name, fld in recs._fields.items() if fld.store])
        except Exception as exc:  # a violated constraint is a finding, keep checking
            problems.append(f"{recs._name}: {exc}")
    unbalanced = sample.moves._get_unbalanced_moves({"records": sample.moves}) or []
    problems += [f"unbalanced move {row[0]}" for row in unbalanced]
    return problems, ""


def _orm_matching_numbers(env, sample):
    lines = sample.lines
    before = {line.id: line.matching_number for line in lines}
    env["account.partial.reconcile"]._update_matching_number(lines)
    lines.invalidate_recordset(["matching_number"])
    problems = [
        (line.id, before[line.id], line.matching_number)
        for line in lines
        if before[line.id] != line.matching_number
    ]
    return problems, ""


def _orm_sales(env, sample):
    problems = [
        (o.name, o.amount_to_invoice, o.amount_total, o.invoice_status)
        for o in sample.orders
        if o.currency_id.compare_amounts(o.amount_to_invoice, o.amount_total)
        or o.invoice_status != "to invoice"
        or o.amount_invoiced
    ]
    env.company.account_use_credit_limit = True  # sale adds open orders to credit_to_invoice
    sample.partners.invalidate_recordset()
    expected = defaultdict(float, _sql_rows(env, """
        SELECT o.partner_id, SUM(l.price_total)::float FROM sale_order o
          JOIN sale_order_line l ON l.order_id = o.id
         WHERE o.partner_id = ANY(%s) AND o.state = 'sale'
         GROUP BY o.partner_id""", sample.partners.ids))  # fmt: skip
    problems += [
        (p.id, p.credit_to_invoice, expected[p.id])
        for p in sample.partners
        if p.currency_id.compare_amounts(p.credit_to_invoice, expected[p.id])
    ]
    return problems, f"{len(sample.orders)} orders"


def _recompute_diff(env, records) -> list[str]:
    """Recompute every stored computed field of ``records`` and list the differences."""
    if not records:
        return []
    editable = RECOMPUTE_EDITABLE.get(records._name, set())
    fields_ = [fld for name, fld in records._fields.items()
               if fld.store and fld.compute and (fld.readonly or name in editable)]  # fmt: skip
    records.invalidate_recordset()
    before = {rec.id: [rec[fld.name] for fld in fields_] for rec in records}
    for fld in fields_:
        env.add_to_compute(fld, records)
    records._recompute_recordset([fld.name for fld in fields_])
    problems = []
    for rec in records:
        for fld, old in zip(fields_, before[rec.id], strict=True):
            new = rec[fld.name]
            if isinstance(old, float) or isinstance(new, float):
                same = abs((old or 0.0) - (new or 0.0)) < 1e-6
            else:
                same = old == new
            if not same:
                problems.append(f"{records._name}({rec.id}).{fld.name}: {old!r} -> {new!r}")
    return problems


def _orm_round_trips(env, sample):
    """Real ORM operations on generated records must behave as on ORM-made ones.

    Pay open/partial invoices through the payment wizard; settle partially paid invoices
    (foreign-currency ones first) by reconciling a new entry with the ORM, which must turn
    the whole matching graph, generated partials included, into one full reconcile without
    exchange difference; unreconcile paid invoices; post a new invoice, which must continue
    the sequence and add to the customer's credit.
    """
    from odoo import Command, fields

    moves = sample.moves
    company = env.company
    invoices = moves.filtered(lambda m: m.move_type == "out_invoice")
    open_inv = invoices.filtered(lambda m: m.payment_state == "not_paid")[:3]
    partial_inv = invoices.filtered(lambda m: m.payment_state == "partial").sorted(
        lambda m: (m.currency_id == company.currency_id, m.id)
    )
    paid_inv = invoices.filtered(lambda m: m.payment_state == "paid")[:3]
    to_settle, to_wizard = partial_inv[:3], open_inv | partial_inv[3:6]
    bank = env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
    )
    today = max(moves.mapped("date"))
    problems = []
    for inv in to_wizard:
        wizard = env["account.payment.register"].with_context(
            active_model="account.move", active_ids=inv.ids
        )
        payments = wizard.create({"payment_date": fields.Date.context_today(inv)})
        payments = payments._create_payments()
        # Without an outstanding account Odoo 18 payments have no journal entry: the invoice
        # is then marked paid through matched_payment_ids instead of a reconciliation.
        settled = inv.currency_id.is_zero(inv.amount_residual) or not payments.move_id
        if not settled or inv.payment_state not in ("paid", "in_payment"):
            problems.append(f"wizard {inv.name}: {inv.payment_state} {inv.amount_residual}")
    for inv in to_settle:
        term = inv.line_ids.filtered(lambda line: line.display_type == "payment_term")
        common = {"partner_id": inv.partner_id.id, "currency_id": inv.currency_id.id}
        entry = env["account.move"].create({
            "move_type": "entry", "journal_id": bank.id, "date": today, **common,
            "line_ids": [
                Command.create({
                    **common, "account_id": bank.default_account_id.id,
                    "amount_currency": term.amount_residual_currency,
                    "balance": term.amount_residual,
                }),
                Command.create({
                    **common, "account_id": term.account_id.id,
                    "amount_currency": -term.amount_residual_currency,
                    "balance": -term.amount_residual,
                }),
            ],
        })  # fmt: skip
        entry.action_post()
        (term | entry.line_ids.filtered(lambda line: line.credit)).reconcile()
        graph = term._all_reconciled_lines()
        full = graph.full_reconcile_id
        if (
            not inv.currency_id.is_zero(inv.amount_residual)
            or inv.payment_state not in ("paid", "reversed")
            or len(full) != 1
            or full.exchange_move_id
            or any(line.full_reconcile_id != full for line in graph)
        ):
            problems.append(f"ORM reconcile {inv.name}: {inv.payment_state}, {full}")
    for inv in paid_inv:
        inv.line_ids.remove_move_reconcile()
        if inv.currency_id.compare_amounts(inv.amount_residual, inv.amount_total) or (
            inv.payment_state != "not_paid"
        ):
            problems.append(f"unreconcile {inv.name}: {inv.payment_state} {inv.amount_residual}")
    partner = moves.partner_id[:1]
    credit_before = partner.credit
    product = env["product.product"].search([("default_code", "=", PRODUCT_CODE)], limit=1)
    new = env["account.move"].create({
        "move_type": "out_invoice",
        "partner_id": partner.id,
        "invoice_date": today,
        "invoice_line_ids": [Command.create({"product_id": product.id, "price_unit": 5.0})],
    })  # fmt: skip
    new.action_post()
    latest = env["account.move"].search([
        ("journal_id", "=", new.journal_id.id),
        ("sequence_prefix", "=", new.sequence_prefix),
        ("id", "!=", new.id),
    ], order="sequence_number desc", limit=1)  # fmt: skip
    if new.sequence_number != latest.sequence_number + 1 or new.made_sequence_gap:
        problems.append(f"new invoice {new.name} after {latest.name}")
    partner.invalidate_recordset(["credit"])
    if partner.currency_id.compare_amounts(partner.credit, credit_before + new.amount_total):
        problems.append(f"credit {credit_before} + {new.amount_total} -> {partner.credit}")
    detail = (
        f"{len(to_wizard)} wizard payments, {len(to_settle)} ORM reconciles "
        f"({len(to_settle.filtered(lambda m: m.currency_id != company.currency_id))} foreign),"
        f" {len(paid_inv)} unreconciles, posted {new.name}"
    )
    return problems, detail


# Each corruption: what it breaks, the check that must catch it, the statement (one row).
CORRUPTIONS = [
    ("residual of a partially paid invoice", "residual = balance - partials", """
        UPDATE account_move_line SET amount_residual = amount_residual + 1 WHERE id = (
            SELECT l.id FROM account_move_line l JOIN account_move m ON m.id = l.move_id
             WHERE m.partner_id = ANY(%s) AND m.payment_state = 'partial'
               AND l.display_type = 'payment_term' ORDER BY l.id LIMIT 1)
        RETURNING partner_id"""),
    ("payment_state of an open invoice", "stored computed fields", """
        UPDATE account_move SET payment_state = 'paid' WHERE id = (
            SELECT id FROM account_move WHERE partner_id = ANY(%s)
               AND payment_state = 'not_paid' AND move_type = 'out_invoice'
             ORDER BY id LIMIT 1)
        RETURNING partner_id"""),
    ("credit of an income line", "every move balanced", """
        UPDATE account_move_line SET credit = credit + 1, balance = balance - 1 WHERE id = (
            SELECT id FROM account_move_line WHERE partner_id = ANY(%s)
               AND display_type = 'product' AND credit > 0 ORDER BY id LIMIT 1)
        RETURNING partner_id"""),
    ("partner name shown on an invoice", "stored computed fields", """
        UPDATE account_move SET invoice_partner_display_name = 'Someone else' WHERE id = (
            SELECT id FROM account_move WHERE partner_id = ANY(%s)
               AND move_type = 'out_invoice' ORDER BY id LIMIT 1)
        RETURNING partner_id"""),
    ("matching number of a partially matched line", "_update_matching_number", """
        UPDATE account_move_line SET matching_number = 'P999999999' WHERE id = (
            SELECT id FROM account_move_line WHERE partner_id = ANY(%s)
               AND LEFT(matching_number, 1) = 'P' ORDER BY id LIMIT 1)
        RETURNING partner_id"""),
    ("amount to invoice of a sale order line", "sale orders", """
        UPDATE sale_order_line SET untaxed_amount_to_invoice = 0 WHERE id = (
            SELECT id FROM sale_order_line WHERE order_partner_id = ANY(%s)
             ORDER BY id LIMIT 1)
        RETURNING order_partner_id"""),
    ("receivable line turned into an income line", "ORM constraints", """
        UPDATE account_move_line SET display_type = 'product' WHERE id = (
            SELECT l.id FROM account_move_line l JOIN account_move m ON m.id = l.move_id
             WHERE m.partner_id = ANY(%s) AND m.move_type = 'out_invoice'
               AND l.display_type = 'payment_term' ORDER BY l.id LIMIT 1)
        RETURNING partner_id"""),
]  # fmt: skip


def self_test(env, partner_ids: Sequence[int] | None = None) -> list[str]:
    """Show the check is not vacuous: corrupt one value at a time, require a failure.

    Each corruption runs in a savepoint that is rolled back; returns one line per case and
    raises CheckFailed if the check missed one.
    """
    partner_ids = list(partner_ids) if partner_ids else bench_partner_ids(env)
    outcomes, missed = [], []
    for what, expected, statement in CORRUPTIONS:
        with env.cr.savepoint() as savepoint:
            from odoo.tools import SQL

            env.cr.execute(SQL(statement, partner_ids))
            row = env.cr.fetchone()
            if not row:
                outcomes.append(f"skip {what}: no such row in the data")
                savepoint.close(rollback=True)
                continue
            env.invalidate_all()
            try:
                check(env, [row[0]], sample=1)
                caught = None
            except CheckFailed as exc:
                caught = str(exc)
            savepoint.close(rollback=True)
        env.invalidate_all(flush=False)
        if caught and expected in caught.split("\n\n")[0]:
            outcomes.append(f"ok   corrupted {what}: caught by '{expected}'")
        else:
            missed.append(what)
            outcomes.append(f"FAIL corrupted {what}: not caught by '{expected}'")
    if missed:
        raise CheckFailed("self-test: the check missed " + ", ".join(missed))
    return outcomes


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------


def _knobs_from_args(args) -> Knobs:
    values = {}
    for name in Knobs.__dataclass_fields__:
        value = getattr(args, name, None)
        if value is not None:
            values[name] = value
    return Knobs(**values)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Bulk-generate credit-management benchmark data into an Odoo 18 database.",
    )
    parser.add_argument("--odoo-src", required=True, help="Odoo 18 source checkout")
    parser.add_argument("--db", required=True, help="database name")
    parser.add_argument("--addons-path", help="default: the checkout's addons folders")
    parser.add_argument(
        "--create", action="store_true", help="create the database, install --modules first"
    )
    parser.add_argument("--modules", default="account,sale_management", help="for --create")
    parser.add_argument("--no-fill", action="store_true", help="do not generate data")
    parser.add_argument("--check", action="store_true", help="run the validity check")
    parser.add_argument("--check-sample", type=int, default=40, help="customers to sample")
    parser.add_argument(
        "--self-test", action="store_true", help="corrupt values, require the check to fail"
    )
    defaults = Knobs()
    for name in Knobs.__dataclass_fields__:
        option = "--" + name.replace("_", "-")
        if name == "as_of":
            parser.add_argument(option, type=date.fromisoformat, help="default: today")
            continue
        default = getattr(defaults, name)
        parser.add_argument(option, type=type(default), help=f"default: {default}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    odoo = load_odoo(args.odoo_src)
    addons_path = args.addons_path or default_addons_path(args.odoo_src)
    extra = ["-i", args.modules, "--without-demo=all", "--stop-after-init"] if args.create else []
    configure_odoo(odoo, args.db, addons_path, extra)
    if args.create:
        t0 = time.perf_counter()
        create_database(odoo, args.db)
        _out(f"created {args.db} with {args.modules} in {time.perf_counter() - t0:.1f}s")
    knobs = _knobs_from_args(args)
    partner_ids = None
    if not args.no_fill:
        t0 = time.perf_counter()
        with odoo_env(odoo, args.db, commit=True) as env:
            result = generate(env, knobs)
        _out(result.summary())
        _out(f"committed, wall time {time.perf_counter() - t0:.1f}s")
        partner_ids = result.partner_ids
    with odoo_env(odoo, args.db) as env:
        _out(f"database size: {database_size(env)}")
        if args.check:
            try:
                _out(str(check(env, partner_ids, sample=args.check_sample, seed=knobs.seed)))
            except CheckFailed as exc:
                _out(f"CHECK FAILED\n{exc}")
                return 1
            _out("check passed")
        if args.self_test:
            try:
                _out("\n".join(self_test(env, partner_ids)))
            except CheckFailed as exc:
                _out(f"SELF-TEST FAILED: {exc}")
                return 1
            _out("self-test passed")
    return 0


def database_size(env) -> str:
    env.cr.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
    return env.cr.fetchone()[0]


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
