"""Constants, parameters and results of the generator."""

# Odoo is imported inside functions: the CLI first puts --odoo-src on sys.path.

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

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
