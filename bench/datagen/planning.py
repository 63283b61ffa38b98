"""Phase 2: the plan of every document in integer minor units (pure Python), its
numbering and its reconciliation graph."""

# Odoo is imported inside functions: the CLI first puts --odoo-src on sys.path.
# ruff: noqa: PLC0415

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .params import INVOICE, PAYMENT, PAYMENT_TERMS_DAYS, REFUND, Knobs, Templates

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
