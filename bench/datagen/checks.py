"""Phase 4: the validity check (SQL invariants, ORM recomputation and round trips) and
its self-test."""

# Odoo is imported inside functions: the CLI first puts --odoo-src on sys.path.
# ruff: noqa: PLC0415

from __future__ import annotations

import random
import time
import types
from collections import defaultdict
from collections.abc import Sequence

from .params import PARTNER_REF_PREFIX, PRODUCT_CODE, CheckFailed

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
