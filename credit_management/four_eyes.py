"""Four-eyes approval (双人复核 / 四眼原则): credit decisions that put much money at risk need a
second officer.

Practice: a company's delegated credit authority says which decisions one credit officer may
take alone; above it a second officer (or the credit manager) must approve, and the two must
be different people ("four eyes"). A credit manager is one of the two pairs of eyes, never
both: the manager may give the second approval, not approve alone.

What needs a second approval, when the policy switches four-eyes on:

- a credit hold whose order amount (on credit, in company currency, as at the check) is
  **above** the hold threshold: the order is the money at risk, whatever rule it failed
  (an order held for overdue money exceeds no limit at all);
- a limit **raise** whose **new limit** is above the limit threshold: the delegated authority
  is on the total a customer may owe, so raising in small steps (each under a threshold on
  the increase) still needs a second officer once the limit passes the threshold;
- any limit raise of a customer with overdue money, when the policy says so.

A raise is a new limit above the customer's rated limit (the limit of its last approved
review or permanent limit request): approved reviews, limit requests (permanent or
temporary) and temporary limits given to release a held order. "Above" is strict: an amount
equal to a threshold needs no second approval. A threshold of 0 switches its rule off.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .numbers import Number, to_decimal

REASON_HOLD_AMOUNT = "hold_amount"
REASON_LIMIT_AMOUNT = "limit_amount"
REASON_OVERDUE_RAISE = "overdue_raise"


@dataclass(frozen=True)
class FourEyesPolicy:
    """The four-eyes part of a credit policy, amounts in company currency (0: rule off)."""

    enabled: bool = False
    hold_threshold: Decimal = Decimal(0)
    limit_threshold: Decimal = Decimal(0)
    overdue_raises: bool = False


def second_approval_reasons(
    policy: FourEyesPolicy,
    *,
    order_amount: Number | None = None,
    limit_before: Number | None = None,
    new_limit: Number | None = None,
    overdue_amount: Number = 0,
) -> tuple[str, ...]:
    """Why a decision needs a second approval (empty: one officer may take it alone).

    ``order_amount``: the held order's amount (holds only); ``limit_before`` and ``new_limit``:
    the rated limit and the limit the decision grants (decisions that set a limit only);
    ``overdue_amount``: what the customer owes past its due dates."""
    if not policy.enabled:
        return ()
    reasons = []
    hold_threshold = to_decimal(policy.hold_threshold)
    if (
        order_amount is not None
        and hold_threshold > 0
        and to_decimal(order_amount) > hold_threshold
    ):
        reasons.append(REASON_HOLD_AMOUNT)
    if new_limit is not None and is_raise(limit_before, new_limit):
        limit_threshold = to_decimal(policy.limit_threshold)
        if limit_threshold > 0 and to_decimal(new_limit) > limit_threshold:
            reasons.append(REASON_LIMIT_AMOUNT)
        if policy.overdue_raises and to_decimal(overdue_amount) > 0:
            reasons.append(REASON_OVERDUE_RAISE)
    return tuple(reasons)


def is_raise(limit_before: Number | None, new_limit: Number) -> bool:
    """A new limit above the limit before (none before: 0)."""
    return to_decimal(new_limit) > to_decimal(limit_before or 0)


def may_approve_second(first_approver: object, second_approver: object) -> bool:
    """The second approval is valid only from someone else than the first approver (users
    compared by identity: ids, logins, records)."""
    return (
        first_approver is not None
        and second_approver is not None
        and (first_approver != second_approver)
    )
