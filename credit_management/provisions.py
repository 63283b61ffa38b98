"""Classification of open receivables and the bad-debt provision (坏账准备金).

Credit domain doc, "Receivables": an open item is *not yet due*, *overdue* (拖欠款: past
its term; the salesperson reports cause and plan) or *doubtful / bad* (呆坏账: overdue
beyond the company's threshold, or so judged by a credit officer; handed to legal). The
provision is set by assessed risk: each open item is provisioned at the rate of its age
bucket, doubtful items at the doubtful rate (normally 100 %).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .numbers import Number, to_decimal
from .securities import allocate_secured

NOT_DUE = "not_due"
OVERDUE = "overdue"
DOUBTFUL = "doubtful"

DEFAULT_DOUBTFUL_DAYS = 366
"""Days past the due date after which an item counts as doubtful: the first day of the
last default bucket, so that no bucket rate is hidden by the threshold (an item doubtful
by age is provisioned at the doubtful rate, whatever its bucket's rate)."""

DEFAULT_RATES: tuple[tuple[int, Decimal], ...] = (
    (0, Decimal(0)),
    (1, Decimal(1)),
    (31, Decimal(5)),
    (61, Decimal(10)),
    (91, Decimal(30)),
    (181, Decimal(50)),
    (366, Decimal(100)),
)
"""(first day overdue, rate %) per bucket: not due 0 %, 1-30 days 1 %, 31-60 5 %, 61-90
10 %, 91-180 30 %, 181-365 50 %, over 365 100 %."""

DEFAULT_DOUBTFUL_RATE = Decimal(100)


def classify(days_overdue: int | None, doubtful_days: int, officer_doubtful: bool = False) -> str:
    """The class of one open item ``days_overdue`` days past its due date (0 or less: not
    due). An officer's decision makes it doubtful whatever its age; otherwise it becomes
    doubtful on the ``doubtful_days``-th day overdue. A threshold of 0 or less means "by
    officer decision only"."""
    if officer_doubtful:
        return DOUBTFUL
    if days_overdue is None or days_overdue <= 0:
        return NOT_DUE
    if doubtful_days > 0 and days_overdue >= doubtful_days:
        return DOUBTFUL
    return OVERDUE


def validate_rates(rates: Sequence[tuple[int, Number]]) -> list[str]:
    """The problems of a rate table, as codes: ``no_not_due`` (no row starting at 0 days),
    ``duplicate`` (two rows start on the same day), ``negative_start``,
    ``rate_out_of_range`` (a rate outside 0-100 %). Empty when it can be used."""
    problems = []
    starts = [start for start, _rate in rates]
    if 0 not in starts:
        problems.append("no_not_due")
    if len(set(starts)) != len(starts):
        problems.append("duplicate")
    if any(start < 0 for start in starts):
        problems.append("negative_start")
    if any(not 0 <= to_decimal(rate) <= 100 for _start, rate in rates):
        problems.append("rate_out_of_range")
    return problems


@dataclass(frozen=True)
class ProvisionItem:
    """One open receivable item of a customer: its open amount (company currency, negative
    for credit notes and unmatched payments), days past due and whether it is doubtful."""

    amount: Number
    days_overdue: int
    doubtful: bool = False


@dataclass(frozen=True)
class ProvisionProposal:
    """A customer's provision: open amount per bucket (one per rate row, in the order of the
    rates, plus the doubtful amount), and the proposed provision. ``bucket_secured`` and
    ``doubtful_secured`` are the parts of them covered by securities and left out of the
    provision (see ``securities.allocate_secured``); empty when no secured amount was
    given."""

    bucket_amounts: tuple[Decimal, ...]
    doubtful_amount: Decimal
    provision: Decimal
    bucket_secured: tuple[Decimal, ...] = ()
    doubtful_secured: Decimal = Decimal(0)

    @property
    def secured(self) -> Decimal:
        return sum(self.bucket_secured, Decimal(0)) + self.doubtful_secured

    @property
    def total(self) -> Decimal:
        return sum(self.bucket_amounts, Decimal(0)) + self.doubtful_amount


def propose_provision(
    items: Iterable[ProvisionItem],
    rates: Sequence[tuple[int, Number]],
    doubtful_rate: Number = DEFAULT_DOUBTFUL_RATE,
    digits: int = 2,
    secured: Number = 0,
) -> ProvisionProposal:
    """Provision = sum(item amount x rate of its bucket) + doubtful amount x doubtful rate,
    rounded half-up to ``digits`` decimals once per customer, never below zero (credit
    notes and unmatched payments lower the provision of the same customer, but a customer
    who owes nothing needs none).

    With a ``secured`` amount (the customer's exposure covered by securities, when the
    company provisions the unsecured part only), that amount is first taken off the buckets
    (``securities.allocate_secured``: lowest rate first) and the rates apply to the rest."""
    ordered = sorted(rates, key=lambda row: row[0])
    buckets = [Decimal(0)] * len(ordered)
    doubtful = Decimal(0)
    provision = Decimal(0)
    for item in items:
        amount = to_decimal(item.amount)
        if item.doubtful:
            doubtful += amount
            provision += amount * to_decimal(doubtful_rate) / 100
            continue
        days = max(item.days_overdue or 0, 0)
        index = max((i for i, (start, _r) in enumerate(ordered) if start <= days), default=0)
        buckets[index] += amount
        provision += amount * to_decimal(ordered[index][1]) / 100 if ordered else 0
    bucket_secured: tuple[Decimal, ...] = ()
    doubtful_secured = Decimal(0)
    if to_decimal(secured):
        rated = [(amount, rate) for amount, (_start, rate) in zip(buckets, ordered, strict=True)]
        *bucket_part, doubtful_secured = allocate_secured(
            [*rated, (doubtful, doubtful_rate)], secured
        )
        bucket_secured = tuple(bucket_part)
        provision -= sum(
            (
                part * to_decimal(rate) / 100
                for part, (_a, rate) in zip(bucket_part, rated, strict=True)
            ),
            Decimal(0),
        )
        provision -= doubtful_secured * to_decimal(doubtful_rate) / 100
    quantum = Decimal(1).scaleb(-digits)
    provision = max(provision.quantize(quantum, rounding=ROUND_HALF_UP), Decimal(0))
    return ProvisionProposal(tuple(buckets), doubtful, provision, bucket_secured, doubtful_secured)


def adjustment(proposed: Number, previous: Number) -> Decimal:
    """Adjustment to post = proposed provision - provision already booked. Positive: Dr bad-
    debt expense / Cr allowance; negative: the reverse."""
    return to_decimal(proposed) - to_decimal(previous)
