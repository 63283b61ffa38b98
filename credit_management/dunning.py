"""Dunning (催收): which reminder is due for an open item, and what it may cost the customer.

A dunning policy is an ordered list of levels, each keyed on days relative to the item's due
date: negative days are reminders *before* the due date (the source practice: one week
before, again three days before, a visit on the day), positive days are overdue levels
(e-mail, letter, phone, legal hand-over...). Each item remembers the last level it reached,
so a run never sends the same level twice; levels are taken in order, one per contact, and a
level is passed over only when it is marked skippable and the next one is already due (a
reminder "one week before" is pointless once the due date has passed). Paid and disputed
items drop out at once.

Fees (收账政策 "sanctions: penalty interest 罚息"): a fixed fee per communication, or penalty
interest as a rate per day on the overdue amount,

    interest = sum(open amount of item x rate per day / 100 x days charged)

bounded below by a minimum and above by a cap, rounded half-up to the currency's smallest
unit. Days already charged at an earlier level are not charged again.

No fee on fees: an item that is itself a fee charged by dunning (the receivable of a fee
invoice) is reminded like any debt, but it is not *chargeable*: it bears no interest, and a
communication made only of such items carries no fixed fee (charging interest on interest,
anatocism, is forbidden or capped in most jurisdictions, and a fee for reminding a fee only
grows the claim without end).

Effectiveness (催收效果评估): the share of what a contact dunned that was paid within a few
windows of days after it (by default 7, 30 and 60 days); the windows are positive and
strictly increasing, each at most ten years.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .numbers import Number, to_decimal

FEE_NONE = "none"
FEE_FIXED = "fixed"
FEE_INTEREST = "interest"
FEE_TYPES: tuple[str, ...] = (FEE_NONE, FEE_FIXED, FEE_INTEREST)


@dataclass(frozen=True)
class Level:
    """One level of a policy: ``key`` identifies it (the Odoo level id), ``days`` is its
    trigger relative to the due date (negative: before due), ``skippable`` says it may be
    passed over when the next level is already due."""

    key: int
    days: int
    skippable: bool = False


@dataclass(frozen=True)
class ItemState:
    """What a run knows about one open receivable item on ``today``."""

    due: date
    open_amount: Decimal
    last_level: int | None = None
    """Key of the last level the item reached, ``None`` if never dunned."""
    last_date: date | None = None
    """Day that level was reached."""
    disputed: bool = False


def sorted_levels(levels: Iterable[Level]) -> tuple[Level, ...]:
    """The levels in the order they are reached (by days, then key). Two levels of one
    policy with the same days are refused by the Odoo side."""
    return tuple(sorted(levels, key=lambda level: (level.days, level.key)))


def days_from_due(due: date, today: date) -> int:
    """Days between the due date and ``today``: negative before due, 0 on the day."""
    return (today - due).days


def next_level(
    levels: Sequence[Level], item: ItemState, today: date, min_gap_days: int = 0
) -> Level | None:
    """The level due now for ``item``, or ``None`` when nothing is to be sent.

    - paid (open amount <= 0) or disputed items get nothing;
    - the candidate is the level after the last one reached (the first level for an item
      never dunned); it is due when the item's days from the due date reach its days;
    - while the candidate is skippable and the level after it is due too, the candidate
      moves on (so an item found 20 days overdue is not reminded "one week before due");
    - a level is never sent less than ``min_gap_days`` after the previous one (or less
      than the policy's own spacing of the two levels, when that is shorter: reminders 7
      and 3 days before due stay 4 days apart), so a customer found late is not sent every
      pending level on consecutive days;
    - when the last level reached is no longer in the policy (levels edited, customer moved
      to another policy), the item counts as having reached every level that was due on
      the day it was last dunned;
    - an item dunned on ``today`` (or later) gets nothing more that day, whatever the gap,
      so running the same day twice sends nothing new.
    """
    if item.disputed or item.open_amount <= 0:
        return None
    if item.last_date is not None and item.last_date >= today:
        return None
    ordered = sorted_levels(levels)
    if not ordered:
        return None
    start = 0
    previous = None
    if item.last_level is not None:
        keys = [level.key for level in ordered]
        if item.last_level in keys:
            start = keys.index(item.last_level) + 1
            previous = ordered[start - 1]
        else:
            reached_on = days_from_due(item.due, item.last_date) if item.last_date else None
            start = (
                sum(1 for level in ordered if level.days <= reached_on)
                if reached_on is not None
                else len(ordered)
            )
    days = days_from_due(item.due, today)
    index = start
    if index >= len(ordered) or ordered[index].days > days:
        return None
    while ordered[index].skippable and index + 1 < len(ordered) and ordered[index + 1].days <= days:
        index += 1
    if item.last_date is not None:
        gap = min_gap_days
        if previous is not None:
            gap = min(gap, ordered[index].days - previous.days)
        if (today - item.last_date).days < gap:
            return None
    return ordered[index]


# --- fees -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fee:
    """The fee of a level: ``kind`` one of :data:`FEE_TYPES`; ``amount`` the fixed fee;
    ``rate`` the penalty interest in percent per day; ``minimum`` and ``cap`` (0 = none)
    bound the interest of one communication."""

    kind: str = FEE_NONE
    amount: Decimal = Decimal(0)
    rate: Decimal = Decimal(0)
    minimum: Decimal = Decimal(0)
    cap: Decimal = Decimal(0)


@dataclass(frozen=True)
class InterestItem:
    """An item charged interest: its open amount and the days not charged before;
    ``chargeable`` is False for an item that is itself a dunning fee (no fee on fees)."""

    open_amount: Decimal
    days: int
    chargeable: bool = True


def round_to(amount: Number, rounding: Number) -> Decimal:
    """``amount`` rounded half-up to a multiple of ``rounding`` (the currency's smallest
    unit, e.g. 0.01), as Odoo's ``float_round`` does."""
    amount, rounding = to_decimal(amount), to_decimal(rounding)
    if rounding <= 0:
        raise ValueError("rounding must be positive")
    return (amount / rounding).quantize(Decimal(1), rounding=ROUND_HALF_UP) * rounding


def item_interest(item: InterestItem, rate: Number) -> Decimal:
    """Penalty interest of one item, unrounded: open amount x rate / 100 x days; nothing
    for items not overdue, already settled or not chargeable (fees)."""
    if not item.chargeable or item.days <= 0 or item.open_amount <= 0:
        return Decimal(0)
    return to_decimal(item.open_amount) * to_decimal(rate) / 100 * item.days


def communication_fee(fee: Fee, items: Iterable[InterestItem], rounding: Number) -> Decimal:
    """The fee charged with one communication, rounded to ``rounding``.

    - fixed: the fixed amount, unless every item given is a fee itself (not chargeable);
    - interest: the sum of the items' interest, raised to ``minimum`` when there is any
      interest at all, and lowered to ``cap`` when a cap is set;
    - none: nothing.
    """
    items = list(items)
    if fee.kind == FEE_FIXED:
        if items and not any(item.chargeable for item in items):
            return round_to(0, rounding)
        return round_to(max(fee.amount, Decimal(0)), rounding)
    if fee.kind != FEE_INTEREST:
        return round_to(0, rounding)
    interest = sum((item_interest(item, fee.rate) for item in items), Decimal(0))
    if interest <= 0:
        return round_to(0, rounding)
    if fee.minimum > 0:
        interest = max(interest, to_decimal(fee.minimum))
    if fee.cap > 0:
        interest = min(interest, to_decimal(fee.cap))
    return round_to(interest, rounding)


# --- unapplied credits --------------------------------------------------------------------


def net_of_credits(
    items: Iterable[tuple[object, date, Number]], credits: Number, balance: Number
) -> dict[object, Decimal]:
    """What is left to dun of a customer's items once its unapplied credits are applied.

    ``items`` are ``(key, due date, open amount)`` of the items a run would dun; ``credits``
    the customer's unapplied credits (credit notes and payments not matched yet, as a
    positive amount); ``balance`` what the customer owes in all (every open item, due or
    not, credits included). The credits settle the oldest items first, as the customer
    would expect them to: an item they cover entirely is not dunned, the first one they
    cover in part is dunned for what is left. Nothing is dunned when the customer owes
    nothing in all (``balance <= 0``). Returns ``{key: amount left}`` of the items with
    something left."""
    if to_decimal(balance) <= 0:
        return {}
    left = max(to_decimal(credits), Decimal(0))
    result = {}
    for key, _due, amount in sorted(items, key=lambda item: item[1]):
        amount = to_decimal(amount)
        applied = min(left, amount)
        left -= applied
        if amount - applied > 0:
            result[key] = amount - applied
    return result


# --- effectiveness windows ----------------------------------------------------------------

DEFAULT_EFFECTIVENESS_WINDOWS: tuple[int, int, int] = (7, 30, 60)
"""Days after a contact within which a payment counts for the effectiveness report."""
MAX_WINDOW_DAYS = 3650


class InvalidWindowsError(ValueError):
    """Effectiveness windows that cannot be used: ``problem`` is one of ``not_positive``,
    ``too_large`` or ``not_increasing``; ``value`` the offending number of days."""

    def __init__(self, problem: str, value: int):
        super().__init__(problem, value)
        self.problem = problem
        self.value = value


def check_windows(windows: Sequence[int]) -> tuple[int, ...]:
    """The effectiveness windows as a tuple of days, checked: each positive, at most
    :data:`MAX_WINDOW_DAYS`, and each longer than the one before it (a payment within 7
    days is also within 30: shorter later windows would make the shares decrease)."""
    previous = 0
    for days in windows:
        if days <= 0:
            raise InvalidWindowsError("not_positive", days)
        if days > MAX_WINDOW_DAYS:
            raise InvalidWindowsError("too_large", days)
        if days <= previous:
            raise InvalidWindowsError("not_increasing", days)
        previous = days
    return tuple(windows)
