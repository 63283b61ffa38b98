"""Securities (债权保障机制): guarantees, collateral, credit insurance, letters of credit.

Credit domain doc, "Securing the debt": between the investigation before the deal and the
collection after it, the practice secures what is owed. A security has a provider, an
amount, a validity and, for credit insurance, a share of the loss covered after a
deductible. The secured part of a customer's exposure carries less risk than the unsecured
part; many companies still set the limit on total exposure and treat securities as a
cushion, others judge the limit on the unsecured part only.

Formulas:
- covered amount of one security = max(0, amount x coverage % - deductible)
  (credit insurance: the insurer pays the covered share of the loss above the deductible;
  a guarantee, a pledge or a letter of credit covers its amount: coverage 100 %, no
  deductible);
- secured exposure = min(exposure, sum of the covered amounts of the securities in force),
  never below zero (a customer who owes nothing has nothing secured);
- unsecured exposure = exposure - secured exposure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .numbers import Number, to_decimal

KIND_PERSONAL_GUARANTEE = "personal_guarantee"
KIND_BANK_GUARANTEE = "bank_guarantee"
KIND_COLLATERAL = "collateral"
KIND_CREDIT_INSURANCE = "credit_insurance"
KIND_LETTER_OF_CREDIT = "letter_of_credit"

PROBLEM_NEGATIVE_AMOUNT = "negative_amount"
PROBLEM_NEGATIVE_DEDUCTIBLE = "negative_deductible"
PROBLEM_COVERAGE_RANGE = "coverage_out_of_range"
PROBLEM_DATES = "until_before_from"


def covered_amount(amount: Number, coverage: Number = 100, deductible: Number = 0) -> Decimal:
    """What one security pays at most: max(0, amount x coverage % - deductible), in the
    security's currency."""
    value = to_decimal(amount) * to_decimal(coverage) / 100 - to_decimal(deductible)
    return max(value, Decimal(0))


def in_force(state: str, valid_from: date | None, valid_until: date | None, today: date) -> bool:
    """A security counts on ``today`` when it is active and ``today`` lies within its
    validity (an open end on either side is no limit): an active security whose end date is
    past no longer counts, even before the daily job marks it expired."""
    if state != "active":
        return False
    if valid_from and valid_from > today:
        return False
    return not (valid_until and valid_until < today)


@dataclass(frozen=True)
class SecuredSplit:
    """A customer's exposure split into its secured and unsecured parts."""

    exposure: Decimal
    covered: Decimal
    secured: Decimal
    unsecured: Decimal


def split_exposure(exposure: Number, covered: Number) -> SecuredSplit:
    """secured = min(exposure, covered) (never below 0), unsecured = exposure - secured."""
    exposure = to_decimal(exposure) or Decimal(0)
    covered = max(to_decimal(covered) or Decimal(0), Decimal(0))
    secured = max(min(exposure, covered), Decimal(0))
    return SecuredSplit(exposure, covered, secured, exposure - secured)


def validate(
    amount: Number,
    coverage: Number,
    deductible: Number,
    valid_from: date | None,
    valid_until: date | None,
) -> list[str]:
    """The problems of a security's figures, as codes (empty when it can be kept)."""
    problems = []
    if to_decimal(amount) < 0:
        problems.append(PROBLEM_NEGATIVE_AMOUNT)
    if to_decimal(deductible) < 0:
        problems.append(PROBLEM_NEGATIVE_DEDUCTIBLE)
    if not 0 <= to_decimal(coverage) <= 100:
        problems.append(PROBLEM_COVERAGE_RANGE)
    if valid_from and valid_until and valid_until < valid_from:
        problems.append(PROBLEM_DATES)
    return problems


def allocate_secured(buckets: Sequence[tuple[Number, Number]], secured: Number) -> list[Decimal]:
    """Spread a customer's secured amount over its receivable buckets for the bad-debt
    provision: ``buckets`` are (open amount, provision rate %) and the result is the secured
    part of each, in the same order.

    Choice (prudence, 谨慎性原则): the secured amount is taken off the buckets with the
    *lowest* rate first (ties: in the given order, i.e. the younger bucket first), so the
    provision falls by the least a security can justify; a guarantor or insurer pays the
    amount it covers, not a chosen invoice, and the items most likely to be lost are those
    it would have to pay for last. Negative buckets (credit notes, unapplied payments) take
    none, and the allocation never exceeds what the positive buckets hold."""
    remaining = max(to_decimal(secured) or Decimal(0), Decimal(0))
    allocation = [Decimal(0)] * len(buckets)
    order = sorted(range(len(buckets)), key=lambda index: (to_decimal(buckets[index][1]), index))
    for index in order:
        if remaining <= 0:
            break
        amount = to_decimal(buckets[index][0])
        if amount <= 0:
            continue
        taken = min(amount, remaining)
        allocation[index] = taken
        remaining -= taken
    return allocation


def total_covered(covered_amounts: Iterable[Number]) -> Decimal:
    """The sum of covered amounts (already in one currency)."""
    return sum((to_decimal(value) or Decimal(0) for value in covered_amounts), Decimal(0))
