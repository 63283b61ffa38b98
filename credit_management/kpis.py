"""Receivable KPIs (credit domain doc, "Receivables"): how fast credit sales turn into cash.

Every function takes amounts in one currency (the company's), as ``Decimal`` or anything
:func:`~credit_management.numbers.to_decimal` accepts, and returns a ``Decimal`` or ``None``.
``None`` means "not computable" (a zero or missing denominator, no data): a dashboard shows
an empty cell instead of crashing or printing a misleading zero.

Definitions follow the usual credit-research vocabulary:
- *credit sales* of a period: invoices minus credit notes sold on credit in the period;
- *AR*: the receivable open at a date; *current AR*: the part of it not yet due;
- *days*: the length of the period in days.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from datetime import date

from .numbers import Number, to_decimal

HUNDRED = to_decimal(100)


def _ratio(numerator: Number | None, denominator: Number | None):
    numerator, denominator = to_decimal(numerator), to_decimal(denominator)
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def dso(closing_ar: Number | None, credit_sales: Number | None, days: int):
    """Days sales outstanding (销售变现天数), standard method.

    DSO = AR at the end of the period / credit sales of the period x days in the period.
    """
    ratio = _ratio(closing_ar, credit_sales)
    return None if ratio is None else ratio * days


def countback_dso(closing_ar: Number | None, monthly_sales: Iterable[tuple[int, Number]]):
    """DSO by the countback method (倒推法).

    Walk back month by month, most recent first, through the credit sales of each month
    (``monthly_sales`` = ``(days in the month, credit sales of the month)``): while the AR
    left is at least the month's sales, the whole month counts and its sales are taken off
    the AR; the month where the AR runs out counts for AR left / month's sales x its days.
    Unlike the standard DSO, it is not distorted by a sales peak in the last months.

    0 when the AR is zero or negative; ``None`` when the months given do not consume the
    whole AR (the history is too short to say).
    """
    remaining = to_decimal(closing_ar)
    if remaining is None:
        return None
    total = to_decimal(0)
    if remaining <= 0:
        return total
    for days, sales in monthly_sales:
        sales = to_decimal(sales) or to_decimal(0)
        if sales <= 0:
            total += days
            continue
        if remaining <= sales:
            return total + remaining / sales * days
        remaining -= sales
        total += days
    return None


def best_possible_dso(current_ar: Number | None, credit_sales: Number | None, days: int):
    """Best possible DSO: the DSO if every customer paid exactly on its due date.

    Best possible DSO = current (not yet due) AR / credit sales of the period x days.
    """
    return dso(current_ar, credit_sales, days)


def average_days_delinquent(dso_value: Number | None, best_dso_value: Number | None):
    """Average days delinquent (ADD) = DSO - best possible DSO: the days the receivable is
    outstanding only because customers pay late."""
    dso_value, best_dso_value = to_decimal(dso_value), to_decimal(best_dso_value)
    if dso_value is None or best_dso_value is None:
        return None
    return dso_value - best_dso_value


def collection_effectiveness_index(
    opening_ar: Number | None,
    credit_sales: Number | None,
    closing_ar: Number | None,
    closing_current_ar: Number | None,
):
    """Collection effectiveness index (CEI, %): what was collected of what could be.

    CEI = (opening AR + credit sales - closing AR)
          / (opening AR + credit sales - closing current AR) x 100.
    100 means everything that fell due was collected.
    """
    values = [to_decimal(v) for v in (opening_ar, credit_sales, closing_ar, closing_current_ar)]
    if any(value is None for value in values):
        return None
    opening, sales, closing, current = values
    ratio = _ratio(opening + sales - closing, opening + sales - current)
    return None if ratio is None else ratio * HUNDRED


def overdue_ratio(overdue_ar: Number | None, total_ar: Number | None):
    """Overdue ratio (逾期率, %) = overdue AR / total AR x 100."""
    ratio = _ratio(overdue_ar, total_ar)
    return None if ratio is None else ratio * HUNDRED


def bad_debt_ratio(written_off: Number | None, credit_sales: Number | None):
    """Bad-debt ratio (坏账率, %) = receivables written off in the period / credit sales of
    the period x 100."""
    ratio = _ratio(written_off, credit_sales)
    return None if ratio is None else ratio * HUNDRED


def weighted_average_days(pairs: Iterable[tuple[Number, int]]):
    """sum(amount x days) / sum(amount) over ``(amount, days)`` pairs: the form the ledger
    gives (amounts already grouped by day count); ``None`` without any amount."""
    weighted, total = to_decimal(0), to_decimal(0)
    for amount, days in pairs:
        value = to_decimal(amount)
        weighted += value * days
        total += value
    return _ratio(weighted, total)


def days_inventory_outstanding(inventory: Number | None, cogs: Number | None, days: int):
    """Days inventory outstanding (存货周转天数) = inventory value / cost of goods sold of
    the period x days."""
    return dso(inventory, cogs, days)


def days_payables_outstanding(payables: Number | None, purchases: Number | None, days: int):
    """Days payables outstanding (应付账款周转天数) = payables at the end / purchases on
    credit of the period x days."""
    return dso(payables, purchases, days)


def cash_conversion_cycle(dio: Number | None, dso_value: Number | None, dpo: Number | None):
    """Cash conversion cycle (资金积压期) = inventory days + receivable days - payable days
    (DIO + DSO - DPO); ``None`` when one of them is not known (e.g. no inventory data)."""
    values = [to_decimal(v) for v in (dio, dso_value, dpo)]
    if any(value is None for value in values):
        return None
    return values[0] + values[1] - values[2]


def months_back(end: date, count: int) -> Sequence[tuple[date, date]]:
    """The ``count`` calendar months ending with the month of ``end``, most recent first, as
    (first day, last day) pairs; the most recent month ends on ``end`` itself (a countback
    at mid-month counts the days of the month elapsed so far)."""
    result = []
    year, month = end.year, end.month
    last = end
    for _index in range(count):
        first = date(year, month, 1)
        result.append((first, last))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        last = date(year, month, calendar.monthrange(year, month)[1])
    return result
