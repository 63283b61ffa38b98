"""The credit dashboard's arithmetic (信用驾驶舱): periods compared, month-ends of a trend,
how much of its limit a customer uses.

Amounts in one currency, as ``Decimal`` or anything
:func:`~credit_management.numbers.to_decimal` accepts.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .numbers import Number, to_decimal

HUNDRED = Decimal(100)
WATCH_UTILISATION = Decimal("0.8")
"""A customer using more than 80 % of its limit is watched: one more order may take it over."""
FULL_UTILISATION = Decimal(1)

UTILISATION_WATCH = "over_80"
UTILISATION_OVER = "over_100"


def previous_period(date_from: date, date_to: date) -> tuple[date, date]:
    """The period of the same length just before [date_from, date_to] (both days
    included): 1-30 June gives 2-31 May."""
    days = (date_to - date_from).days + 1
    end = date_from - timedelta(days=1)
    return end - timedelta(days=days - 1), end


@dataclass(frozen=True)
class Change:
    """This period's figure against the previous one's.

    ``delta`` = current - previous; ``percent`` = delta / |previous| x 100 (``None`` when the
    previous figure is 0 or unknown: no percentage of nothing); ``direction`` is ``up``,
    ``down`` or ``flat``, ``None`` when either figure is unknown."""

    current: Decimal | None
    previous: Decimal | None
    delta: Decimal | None
    percent: Decimal | None
    direction: str | None


def change(current: Number | None, previous: Number | None) -> Change:
    current, previous = to_decimal(current), to_decimal(previous)
    if current is None or previous is None:
        return Change(current, previous, None, None, None)
    delta = current - previous
    percent = delta / abs(previous) * HUNDRED if previous else None
    direction = "up" if delta > 0 else "down" if delta < 0 else "flat"
    return Change(current, previous, delta, percent, direction)


def month_ends(end: date, count: int) -> list[date]:
    """The last ``count`` month-ends on or before ``end``, oldest first: ``end`` itself when
    it is the last day of its month, else the end of the month before."""
    year, month = end.year, end.month
    if end.day != calendar.monthrange(year, month)[1]:
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    result = []
    for _index in range(count):
        result.append(date(year, month, calendar.monthrange(year, month)[1]))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return result[::-1]


def utilisation(exposure: Number | None, limit: Number | None) -> Decimal | None:
    """Limit utilisation (额度使用率) = exposure / limit in force; ``None`` without a limit
    (0 or unknown)."""
    exposure, limit = to_decimal(exposure), to_decimal(limit)
    if exposure is None or not limit:
        return None
    return exposure / limit


def utilisation_band(exposure: Number | None, limit: Number | None, unlimited=False) -> str | None:
    """``over_100`` when the exposure is above the limit in force, ``over_80`` when above
    80 % of it, else ``None``. A limit of 0 means no credit: any exposure above 0 is over
    it. Unlimited credit and nothing owed are never over."""
    exposure = to_decimal(exposure)
    if unlimited or exposure is None or exposure <= 0:
        return None
    ratio = utilisation(exposure, limit)
    if ratio is None or ratio > FULL_UTILISATION:
        return UTILISATION_OVER
    if ratio > WATCH_UTILISATION:
        return UTILISATION_WATCH
    return None
