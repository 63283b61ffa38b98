"""Phase 1: template records and prototypes of every row kind, made by the ORM."""

# Odoo is imported inside functions: the CLI first puts --odoo-src on sys.path.
# ruff: noqa: PLC0415

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from .params import (
    COUNTERPART,
    INVOICE,
    LIQUIDITY,
    PARTNER_REF_PREFIX,
    PAYMENT,
    PRODUCT,
    PRODUCT_CODE,
    REFUND,
    TERM,
    Knobs,
    Templates,
)

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
