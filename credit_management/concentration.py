"""The company's credit budget and the concentration of its credit (credit domain doc, "The
company's credit budget": 总授信额度, 额度分配, 应收账款总量控制).

Every function takes amounts in one currency (the company's), as ``Decimal`` or anything
:func:`~credit_management.numbers.to_decimal` accepts, and returns ``Decimal`` values.

Concentration is measured on the customers' positive amounts only: a customer in credit
(payments received in advance) holds no share of the risk, and a negative amount would make
the other shares exceed 100 %.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .numbers import Number, to_decimal

ZERO = Decimal(0)
HUNDRED = Decimal(100)
TOP_N = 10
"""The "top 10 customers" of the concentration measures."""


@dataclass(frozen=True)
class Concentration:
    """How concentrated a set of amounts (exposures or limits by customer) is.

    ``total``: the sum of the positive amounts; ``largest_share`` and ``top_share``: the
    share of the largest amount and of the ``TOP_N`` largest in the total, as fractions
    0..1; ``hhi``: the Herfindahl-Hirschman index, the sum of the squared shares (fractions,
    so 0..1: 1 is one single customer, 1/n is n equal customers; multiply by 10,000 for the
    0..10,000 scale of competition authorities). All 0 when the total is 0."""

    total: Decimal
    largest_share: Decimal
    top_share: Decimal
    hhi: Decimal
    count: int


def positive_amounts(amounts: Iterable[Number | None]) -> list[Decimal]:
    """The amounts above 0, largest first."""
    values = (to_decimal(amount) for amount in amounts)
    return sorted((value for value in values if value is not None and value > 0), reverse=True)


def shares(amounts: Iterable[Number | None]) -> list[Decimal]:
    """Each amount's share (0..1) of the total of the positive amounts, in the order given;
    0 for an amount of 0 or below, or when the total is 0."""
    amounts = [to_decimal(amount) or ZERO for amount in amounts]
    total = sum((amount for amount in amounts if amount > 0), ZERO)
    if not total:
        return [ZERO for _amount in amounts]
    return [amount / total if amount > 0 else ZERO for amount in amounts]


def concentration(amounts: Iterable[Number | None], top: int = TOP_N) -> Concentration:
    """Largest share, top-``top`` share and Herfindahl index of ``amounts``.

    HHI = sum over customers of (amount / total)^2 (Herfindahl-Hirschman index)."""
    values = positive_amounts(amounts)
    total = sum(values, ZERO)
    if not total:
        return Concentration(ZERO, ZERO, ZERO, ZERO, 0)
    fractions = [value / total for value in values]
    return Concentration(
        total=total,
        largest_share=fractions[0],
        top_share=sum(fractions[:top], ZERO),
        hhi=sum((fraction * fraction for fraction in fractions), ZERO),
        count=len(values),
    )


@dataclass(frozen=True)
class BudgetCheck:
    """A change of the limits in force judged against a credit budget.

    ``in_force``: the limits in force before the change; ``requested``: what the change
    adds; ``excess``: by how much the limits after the change exceed the budget (0 when
    within it)."""

    budget: Decimal
    in_force: Decimal
    requested: Decimal
    excess: Decimal

    @property
    def exceeded(self) -> bool:
        return self.excess > 0


def budget_check(budget: Number, in_force_after: Number, requested: Number) -> BudgetCheck:
    """Judge a raise of ``requested`` that brings the limits in force to ``in_force_after``
    against ``budget``: excess = in force after - budget, when positive. Lowering limits
    (``requested`` <= 0) is never refused, even above the budget."""
    budget, after, requested = (to_decimal(v) or ZERO for v in (budget, in_force_after, requested))
    excess = after - budget if requested > 0 and after > budget else ZERO
    return BudgetCheck(
        budget=budget, in_force=after - requested, requested=requested, excess=excess
    )


def share_percent(share: Number | None) -> Decimal:
    """A share 0..1 as a percentage 0..100."""
    return (to_decimal(share) or ZERO) * HUNDRED


def above_threshold(share: Number | None, threshold_percent: Number | None) -> bool:
    """True when ``share`` (0..1) is strictly above ``threshold_percent`` (0..100); a
    threshold of 0 (or none) is off."""
    threshold = to_decimal(threshold_percent) or ZERO
    return threshold > 0 and share_percent(share) > threshold
