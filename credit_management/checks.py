"""Order credit checks (订单信用检查): the rules an order must pass before it is confirmed.

The flow users asked for is "order entered -> credit limit and credit term checks ->
approval -> execution" (credit domain doc, "During the deal"). Each rule looks at one fact
about the customer and the order, and a failing rule explains itself with the numbers it
used, so the hold shows the salesperson and the officer why. Rules are plain functions
registered in :data:`RULES`; a policy switches them on and tunes their thresholds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from . import securities, terms
from .numbers import Number, to_decimal

RULE_LIMIT = "limit"
RULE_OVERDUE_AMOUNT = "overdue_amount"
RULE_OVERDUE_DAYS = "overdue_days"
RULE_GRADE_POLICY = "grade_policy"
RULE_RATING_EXPIRED = "rating_expired"
RULE_MANUAL_HOLD = "manual_hold"
RULE_MAX_DOCUMENT = "max_document"
RULE_GROUP_LIMIT = "group_limit"
RULE_STOP_DELIVERIES = "stop_deliveries"
RULE_TERM = "term"


@dataclass(frozen=True)
class CheckFacts:
    """What the checks know about one order, amounts in company currency.

    ``exposure`` is the customer's credit exposure (信用占用) before this order; ``limit`` is
    the limit in force, where 0 means "no credit" and ``unlimited`` is the explicit way to
    grant credit without a ceiling. ``sales_mode`` is the grade's (an unrated customer is
    treated as a new one: payment before delivery). ``immediate_payment`` is true when the
    order is paid before or at delivery (immediate payment term, or prepaid).

    ``credit_days`` is the credit term granted to the customer (0: none, e.g. unrated or a
    grade without credit); ``term_days`` the days the order's payment term gives it
    (:func:`terms.latest_due_days`; None: no order to judge, e.g. a customer-level check).

    A customer in a credit group (a parent company carrying one limit shared by its
    subsidiaries) also has ``group_limit`` (None: not in a group) and ``group_exposure``, the
    exposure of every member of the group before this order.

    ``security_cover`` is what the customer's securities in force cover (guarantees,
    insurance, collateral, letters of credit: ``securities.covered_amount`` summed, company
    currency). With ``limit_on_unsecured`` (the policy's choice) the limit rule judges the
    unsecured exposure after the order, otherwise the total exposure (securities are then
    informative, a cushion).

    ``extra`` holds the facts other modules' rules read (name -> value), e.g. whether the
    customer's deliveries are stopped: a module adds a rule and its facts without changing
    this class.
    """

    order_amount: Decimal
    exposure: Decimal
    limit: Decimal
    unlimited: bool = False
    overdue_amount: Decimal = Decimal(0)
    oldest_overdue_days: int = 0
    sales_mode: str = terms.SALES_MODE_PREPAYMENT
    immediate_payment: bool = False
    valid_until: date | None = None
    today: date | None = None
    on_hold: bool = False
    max_document_amount: Decimal = Decimal(0)
    group_limit: Decimal | None = None
    group_exposure: Decimal = Decimal(0)
    credit_days: int = 0
    term_days: int | None = None
    extra: Mapping[str, object] = field(default_factory=dict)
    security_cover: Decimal = Decimal(0)
    limit_on_unsecured: bool = False

    def __post_init__(self) -> None:
        for name in (
            "order_amount",
            "exposure",
            "limit",
            "overdue_amount",
            "max_document_amount",
            "group_exposure",
            "security_cover",
        ):
            object.__setattr__(self, name, to_decimal(getattr(self, name)) or Decimal(0))
        if self.group_limit is not None:
            object.__setattr__(self, "group_limit", to_decimal(self.group_limit))

    @property
    def secured_split(self) -> securities.SecuredSplit:
        """The exposure before the order split into secured and unsecured parts."""
        return securities.split_exposure(self.exposure, self.security_cover)


@dataclass(frozen=True)
class CheckSettings:
    """Which rules run and their thresholds.

    ``overdue_tolerance``: overdue money above this fails the overdue-amount rule.
    ``overdue_max_days``: an oldest overdue item older than this fails the overdue-days rule.
    """

    enabled: frozenset[str] = field(
        default_factory=lambda: frozenset(
            (
                RULE_LIMIT,
                RULE_OVERDUE_AMOUNT,
                RULE_OVERDUE_DAYS,
                RULE_GRADE_POLICY,
                RULE_RATING_EXPIRED,
                RULE_MANUAL_HOLD,
                RULE_MAX_DOCUMENT,
                RULE_GROUP_LIMIT,
                RULE_TERM,
            )
        )
    )
    overdue_tolerance: Decimal = Decimal(0)
    overdue_max_days: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "enabled", frozenset(self.enabled))
        object.__setattr__(self, "overdue_tolerance", to_decimal(self.overdue_tolerance))


@dataclass(frozen=True)
class Failure:
    """A failed rule and the numbers behind it (``values``: name -> number or date)."""

    rule: str
    values: Mapping[str, object]


def _limit(facts: CheckFacts, settings: CheckSettings) -> Failure | None:
    """Exposure after this order above the limit. A limit of 0 grants no credit at all, so
    any credit order fails; only ``unlimited`` means no ceiling. An order paid at or before
    delivery takes no credit, so it adds nothing to the exposure: a cash customer can buy
    for cash, unless what it already owes is above its limit.

    When the policy judges the unsecured exposure (``limit_on_unsecured``), the securities
    cover the exposure *after* the order: unsecured after = exposure after - min(exposure
    after, security cover), so an order the securities still cover takes no limit."""
    if facts.unlimited:
        return None
    order_credit = Decimal(0) if facts.immediate_payment else facts.order_amount
    after = facts.exposure + order_credit
    judged = after
    values = {}
    if facts.limit_on_unsecured:
        split = securities.split_exposure(after, facts.security_cover)
        judged = split.unsecured
        values = {"secured_after": split.secured, "unsecured_after": split.unsecured}
    if judged <= facts.limit:
        return None
    return Failure(
        RULE_LIMIT,
        {
            "limit": facts.limit,
            "exposure": facts.exposure,
            "order_amount": order_credit,
            "exposure_after": after,
            "excess": judged - facts.limit,
            **values,
        },
    )


def _group_limit(facts: CheckFacts, settings: CheckSettings) -> Failure | None:
    """The group's exposure after this order above the limit the group shares. Like the
    customer's own limit, 0 means no credit, and an order paid at or before delivery adds
    nothing; a customer with unlimited credit of its own is still bound by its group."""
    if facts.group_limit is None:
        return None
    order_credit = Decimal(0) if facts.immediate_payment else facts.order_amount
    after = facts.group_exposure + order_credit
    if after <= facts.group_limit:
        return None
    return Failure(
        RULE_GROUP_LIMIT,
        {
            "group_limit": facts.group_limit,
            "group_exposure": facts.group_exposure,
            "order_amount": order_credit,
            "exposure_after": after,
            "excess": after - facts.group_limit,
        },
    )


def _overdue_amount(facts: CheckFacts, settings: CheckSettings) -> Failure | None:
    if facts.overdue_amount <= settings.overdue_tolerance:
        return None
    return Failure(
        RULE_OVERDUE_AMOUNT,
        {"overdue_amount": facts.overdue_amount, "tolerance": settings.overdue_tolerance},
    )


def _overdue_days(facts: CheckFacts, settings: CheckSettings) -> Failure | None:
    if facts.overdue_amount <= 0 or facts.oldest_overdue_days <= settings.overdue_max_days:
        return None
    return Failure(
        RULE_OVERDUE_DAYS,
        {"oldest_overdue_days": facts.oldest_overdue_days, "max_days": settings.overdue_max_days},
    )


def _grade_policy(facts: CheckFacts, settings: CheckSettings) -> Failure | None:
    """Cash-on-delivery and payment-before-delivery grades take no credit order: only orders
    paid immediately or in advance pass."""
    if facts.sales_mode == terms.SALES_MODE_CREDIT or facts.immediate_payment:
        return None
    return Failure(RULE_GRADE_POLICY, {"sales_mode": facts.sales_mode})


def _term(facts: CheckFacts, settings: CheckSettings) -> Failure | None:
    """The order gives the customer more days than its granted credit term (赊销期限: "an
    order may not give the customer more days than it was granted, any more than more
    money"). The days asked are the worst case of the order's payment term, its last
    installment included (:func:`terms.latest_due_days`). An order paid at or before
    delivery asks no credit and passes; a customer granted no term (0 days) takes only such
    orders or orders due on the invoice date, as the grade policy says for cash grades."""
    if facts.term_days is None or facts.immediate_payment or facts.term_days <= facts.credit_days:
        return None
    return Failure(RULE_TERM, {"asked_days": facts.term_days, "granted_days": facts.credit_days})


def _rating_expired(facts: CheckFacts, settings: CheckSettings) -> Failure | None:
    if facts.valid_until is None or facts.today is None or facts.valid_until >= facts.today:
        return None
    return Failure(RULE_RATING_EXPIRED, {"valid_until": facts.valid_until})


def _manual_hold(facts: CheckFacts, settings: CheckSettings) -> Failure | None:
    return Failure(RULE_MANUAL_HOLD, {}) if facts.on_hold else None


def _max_document(facts: CheckFacts, settings: CheckSettings) -> Failure | None:
    """A single order above the grade's maximum document value (0: no maximum)."""
    if not facts.max_document_amount or facts.order_amount <= facts.max_document_amount:
        return None
    return Failure(
        RULE_MAX_DOCUMENT,
        {"order_amount": facts.order_amount, "max_document_amount": facts.max_document_amount},
    )


def stop_deliveries(facts: CheckFacts, settings: CheckSettings) -> Failure | None:
    """Deliveries stopped on the credit file (by an officer, or by a dunning level): a
    checkpoint rule for the goods leaving the warehouse, not an order rule (it is not in
    :data:`RULES`). Reads ``extra["deliveries_stopped"]`` and ``extra["stop_reason"]``."""
    if not facts.extra.get("deliveries_stopped"):
        return None
    return Failure(RULE_STOP_DELIVERIES, {"reason": facts.extra.get("stop_reason") or ""})


Rule = Callable[[CheckFacts, CheckSettings], Failure | None]

RULES: dict[str, Rule] = {
    RULE_MANUAL_HOLD: _manual_hold,
    RULE_GRADE_POLICY: _grade_policy,
    RULE_RATING_EXPIRED: _rating_expired,
    RULE_TERM: _term,
    RULE_LIMIT: _limit,
    RULE_GROUP_LIMIT: _group_limit,
    RULE_OVERDUE_AMOUNT: _overdue_amount,
    RULE_OVERDUE_DAYS: _overdue_days,
    RULE_MAX_DOCUMENT: _max_document,
}
"""Every known rule, in the order failures are reported."""


def evaluate(
    facts: CheckFacts,
    settings: CheckSettings,
    rules: Mapping[str, Rule] | None = None,
) -> tuple[Failure, ...]:
    """The failures of the enabled rules; empty when the order may be confirmed."""
    registry = RULES if rules is None else rules
    failures = (
        rule(facts, settings) for code, rule in registry.items() if code in settings.enabled
    )
    return tuple(failure for failure in failures if failure is not None)


def exposure_total(categories: Iterable[tuple[str, Number]], enabled: Iterable[str]) -> Decimal:
    """Credit exposure = the sum of the enabled exposure categories (open receivables, draft
    invoices, orders not yet invoiced, ...), like SAP's credit exposure categories."""
    wanted = set(enabled)
    return sum(
        (to_decimal(amount) or Decimal(0) for code, amount in categories if code in wanted),
        Decimal(0),
    )
