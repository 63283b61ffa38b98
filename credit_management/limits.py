"""Credit limit proposals (信用额度).

The domain doc ("Credit policy") names the ways to set a customer's limit: as a share of its
net working capital (营运资本净额), as a share of its liquidation value (清算价值), or by the
officer's judgement; the share here comes from the grade policy's limit ratio, and a share
of net worth (净资产) is offered too. Whatever the method, two hard caps hold: the limit is
never above the customer's net worth, nor above its working capital. Grades whose policy
allows no credit (cash on delivery, payment before delivery) get a limit of 0.

    proposed limit = round_down(min(max(base x limit ratio / 100, 0), caps), step)

The proposal carries every number it came from, so the officer's screen can show why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from . import ratios
from .numbers import Number, to_decimal
from .terms import GradePolicy

METHOD_WORKING_CAPITAL = "working_capital"
METHOD_NET_WORTH = "net_worth"
METHOD_LIQUIDATION = "liquidation"
METHOD_MANUAL = "manual"
METHODS: tuple[str, ...] = (
    METHOD_WORKING_CAPITAL,
    METHOD_NET_WORTH,
    METHOD_LIQUIDATION,
    METHOD_MANUAL,
)

CAP_NET_WORTH = "net_worth"
CAP_WORKING_CAPITAL = "working_capital"
CAP_NOT_NEGATIVE = "not_negative"
CAP_GRADE_POLICY = "grade_policy"
"""Names in :attr:`LimitProposal.caps_applied`: the net-worth cap, the working-capital cap,
a negative base giving 0, and a grade policy that allows no credit."""


@dataclass(frozen=True)
class LimitProblem:
    """One reason no limit can be proposed.

    ``kind`` is one of:
    - ``unknown_method``: ``value`` is not one of :data:`METHODS`;
    - ``negative``: ``field`` (``limit_ratio`` or ``manual_amount``) holds the negative
      ``value``;
    - ``missing``: ``field`` is needed by the method but unknown: ``manual_amount``,
      ``limit_ratio``, ``statement``, or the base the method reads from the statement
      (``net_working_capital``, ``net_worth``, ``liquidation_value``);
    - ``invalid_step``: a rounding tier starts at a negative amount or has a step ``value``
      that is not positive;
    - ``rate_out_of_range``: the liquidation recovery rate ``field`` is ``value``, outside 0-1.
    """

    kind: str
    field: str
    value: Decimal | str | None = None


class InvalidLimitError(ValueError):
    """Inputs that give no limit; ``problems`` lists every reason."""

    def __init__(self, problems: Iterable[LimitProblem]):
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.kind}:{p.field}" for p in self.problems))


@dataclass(frozen=True)
class RoundingRule:
    """Round a proposed limit DOWN to a step that depends on its size.

    ``tiers`` are (from amount, step) pairs: an amount uses the step of the highest tier it
    reaches; amounts below every tier are not rounded. Rounding down keeps the limit within
    its caps and proposes the round figures officers write anyway.
    """

    tiers: tuple[tuple[Decimal, Decimal], ...]

    def __post_init__(self) -> None:
        tiers = tuple((to_decimal(start), to_decimal(step)) for start, step in self.tiers)
        object.__setattr__(self, "tiers", tuple(sorted(tiers)))

    def step_for(self, amount: Decimal) -> Decimal | None:
        step = None
        for start, tier_step in self.tiers:
            if amount >= start:
                step = tier_step
        return step

    def round_down(self, amount: Decimal) -> tuple[Decimal, Decimal | None]:
        """The rounded amount and the step used (``None`` when not rounded)."""
        step = self.step_for(amount)
        if step is None:
            return amount, None
        return (amount / step).to_integral_value(rounding=ROUND_FLOOR) * step, step


DEFAULT_ROUNDING = RoundingRule(((Decimal(0), Decimal(100)), (Decimal(10_000), Decimal(1_000))))
"""Below 10,000 round down to a multiple of 100; from 10,000 to a multiple of 1,000
(12,345 -> 12,000; 9,876 -> 9,800; 80 -> 0)."""


def validate_rounding(rule: RoundingRule) -> list[LimitProblem]:
    """Every tier with a negative start or a step that is not positive."""
    return [
        LimitProblem("invalid_step", "rounding", step)
        for start, step in rule.tiers
        if start < 0 or step <= 0
    ]


@dataclass(frozen=True)
class LimitProposal:
    """A proposed limit and how it was reached.

    ``base_amount`` is what the method took a share of (net working capital, net worth or
    liquidation value; ``None`` for a manual limit), ``ratio`` the share in percent,
    ``caps_applied`` the caps that set the amount (see ``CAP_*``), ``rounding_step`` the step
    the amount was rounded down to (``None`` when not rounded).
    """

    amount: Decimal
    method: str
    base_amount: Decimal | None
    ratio: Decimal | None
    caps_applied: tuple[str, ...]
    rounding_step: Decimal | None


def _base_for(
    method: str,
    statement: ratios.FinancialStatement | None,
    liquidation_value: Decimal | None,
    recovery_rates: ratios.RecoveryRates,
) -> tuple[Decimal | None, list[LimitProblem]]:
    if method == METHOD_LIQUIDATION and liquidation_value is not None:
        return liquidation_value, []
    if statement is None:
        return None, [LimitProblem("missing", "statement")]
    if method == METHOD_WORKING_CAPITAL:
        base, name = ratios.net_working_capital(statement), "net_working_capital"
    elif method == METHOD_NET_WORTH:
        base, name = statement.net_worth, "net_worth"
    else:
        rate_problems = [
            LimitProblem(p.kind, p.field, p.value)
            for p in ratios.validate_recovery_rates(recovery_rates)
        ]
        if rate_problems:
            return None, rate_problems
        base, name = ratios.liquidation_value(statement, recovery_rates), "liquidation_value"
    return base, [] if base is not None else [LimitProblem("missing", name)]


def _caps(statement: ratios.FinancialStatement | None) -> list[tuple[str, Decimal]]:
    if statement is None:
        return []
    caps = [
        (CAP_NET_WORTH, statement.net_worth),
        (CAP_WORKING_CAPITAL, ratios.net_working_capital(statement)),
    ]
    return [(name, max(value, Decimal(0))) for name, value in caps if value is not None]


def propose_limit(
    method: str,
    policy: GradePolicy,
    *,
    statement: ratios.FinancialStatement | None = None,
    manual_amount: Number | None = None,
    liquidation_value: Number | None = None,
    recovery_rates: ratios.RecoveryRates = ratios.DEFAULT_RECOVERY_RATES,
    limit_ratio: Number | None = None,
    rounding: RoundingRule = DEFAULT_ROUNDING,
) -> LimitProposal:
    """Propose a credit limit by ``method`` (one of :data:`METHODS`).

    - ``working_capital``: share x net working capital of ``statement``;
    - ``net_worth``: share x net worth of ``statement``;
    - ``liquidation``: share x ``liquidation_value`` when given (e.g. from an appraisal),
      else the statement's :func:`ratios.liquidation_value` with ``recovery_rates``;
    - ``manual``: ``manual_amount`` as the officer typed it.

    The share is ``limit_ratio`` when given, else the grade policy's, in percent. A negative
    result becomes 0 (``not_negative``). When a statement is given the amount is then capped
    at its net worth and its net working capital, a negative one capping at 0 (domain doc:
    "never above the customer's net worth ... and not above its working capital"). Computed
    amounts, and manual ones lowered by a cap, are rounded down by ``rounding``; a manual
    amount within the caps stays as typed.

    A grade policy that allows no credit gives 0 without needing a base. Raises
    :class:`InvalidLimitError` with every problem.
    """
    ratio = to_decimal(limit_ratio) if limit_ratio is not None else policy.limit_ratio
    manual = to_decimal(manual_amount)
    problems: list[LimitProblem] = []
    if method not in METHODS:
        problems.append(LimitProblem("unknown_method", "method", method))
    if manual is not None and manual < 0:
        problems.append(LimitProblem("negative", "manual_amount", manual))
    if method != METHOD_MANUAL:
        if ratio is None:
            problems.append(LimitProblem("missing", "limit_ratio"))
        elif ratio < 0:
            problems.append(LimitProblem("negative", "limit_ratio", ratio))
    problems.extend(validate_rounding(rounding))
    if problems:
        raise InvalidLimitError(problems)
    if not policy.allows_credit:
        return LimitProposal(Decimal(0), method, None, None, (CAP_GRADE_POLICY,), None)

    if method == METHOD_MANUAL:
        if manual is None:
            raise InvalidLimitError([LimitProblem("missing", "manual_amount")])
        base, share, raw = None, None, manual
    else:
        base, base_problems = _base_for(
            method, statement, to_decimal(liquidation_value), recovery_rates
        )
        if base is None or ratio is None:
            raise InvalidLimitError(base_problems)
        share, raw = ratio, base * ratio / 100

    applied: list[str] = []
    if raw < 0:
        raw = Decimal(0)
        applied.append(CAP_NOT_NEGATIVE)
    caps = _caps(statement)
    amount = min([raw, *(value for _, value in caps)])
    applied.extend(name for name, value in caps if value == amount and value < raw)

    step = None
    if method != METHOD_MANUAL or amount < raw:
        amount, step = rounding.round_down(amount)
    return LimitProposal(amount, method, base, share, tuple(applied), step)
