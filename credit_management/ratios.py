"""Financial ratios read from one financial statement of a customer's credit file.

The credit file (客户信用档案) holds the customer's statements; the rating reads four ratios
from them (current ratio, quick ratio, debt ratio, net margin) and the limit proposal reads
net working capital (营运资本净额), net worth (净资产) and liquidation value (清算价值)
(credit domain doc, "Rating" and "Credit policy").

Statements are often incomplete. A ratio whose inputs are missing, or whose denominator is
zero or negative, is "not computable" and comes back as ``None``, never as an exception: the
scoring model then treats that factor as missing instead of guessing a value. Numbers that
cannot be negative are reported by :func:`validate_statement` as data, so the Odoo side can
say what is wrong in the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal

from .numbers import to_decimal


@dataclass(frozen=True)
class FinancialStatement:
    """The balance-sheet and income figures the rating and the limit need.

    Every amount is optional because credit files are built from whatever banks, agencies
    and the customer provide; ``None`` means "unknown", which is different from zero.
    Numbers given as ``int``, ``float`` or ``str`` are converted to ``Decimal`` (floats via
    their shortest text form, so ``0.1`` stays ``Decimal("0.1")``).
    """

    total_assets: Decimal | None = None
    total_liabilities: Decimal | None = None
    current_assets: Decimal | None = None
    current_liabilities: Decimal | None = None
    inventory: Decimal | None = None
    net_worth: Decimal | None = None
    revenue: Decimal | None = None
    net_profit: Decimal | None = None

    def __post_init__(self) -> None:
        for field in fields(self):
            object.__setattr__(self, field.name, to_decimal(getattr(self, field.name)))


NON_NEGATIVE_FIELDS: tuple[str, ...] = (
    "total_assets",
    "total_liabilities",
    "current_assets",
    "current_liabilities",
    "inventory",
    "revenue",
)
"""Statement amounts that cannot be negative; net worth and net profit can."""

PARTS_OF: tuple[tuple[str, str], ...] = (
    ("current_assets", "total_assets"),
    ("current_liabilities", "total_liabilities"),
    ("inventory", "current_assets"),
)
"""(part, whole) pairs: a part of the balance sheet cannot exceed the total it belongs to."""


@dataclass(frozen=True)
class StatementProblem:
    """One reason a statement (or a set of recovery rates) cannot be trusted.

    ``kind`` is one of:
    - ``negative``: ``field`` holds the negative amount ``value``;
    - ``exceeds``: ``field`` (``value``) is larger than the total ``other`` (``other_value``)
      it is part of, e.g. current assets above total assets;
    - ``rate_out_of_range``: the recovery rate ``field`` is ``value``, outside 0-1.
    """

    kind: str
    field: str
    value: Decimal | None = None
    other: str | None = None
    other_value: Decimal | None = None


def validate_statement(statement: FinancialStatement) -> list[StatementProblem]:
    """Every problem with a statement; empty when it can be used.

    Unknown (``None``) amounts are not problems: they only make some ratios not computable.
    """
    problems: list[StatementProblem] = []
    for name in NON_NEGATIVE_FIELDS:
        value = getattr(statement, name)
        if value is not None and value < 0:
            problems.append(StatementProblem("negative", name, value))
    for part, whole in PARTS_OF:
        part_value, whole_value = getattr(statement, part), getattr(statement, whole)
        if part_value is not None and whole_value is not None and part_value > whole_value:
            problems.append(StatementProblem("exceeds", part, part_value, whole, whole_value))
    return problems


def _divide(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator / denominator


def current_ratio(statement: FinancialStatement) -> Decimal | None:
    """Current ratio = current assets / current liabilities (流动比率).

    How many times short-term debts are covered by assets that turn into cash within a year.
    ``None`` when either amount is unknown or current liabilities are not positive.
    """
    return _divide(statement.current_assets, statement.current_liabilities)


def quick_ratio(statement: FinancialStatement) -> Decimal | None:
    """Quick ratio = (current assets - inventory) / current liabilities (速动比率).

    The current ratio without inventory, which is the slowest and least certain current
    asset to sell. ``None`` when an input is unknown or current liabilities are not positive.
    """
    if statement.current_assets is None or statement.inventory is None:
        return None
    return _divide(statement.current_assets - statement.inventory, statement.current_liabilities)


def debt_ratio(statement: FinancialStatement) -> Decimal | None:
    """Debt ratio = total liabilities / total assets (资产负债率); lower is better.

    The share of the customer's assets financed by creditors. ``None`` when an input is
    unknown or total assets are not positive.
    """
    return _divide(statement.total_liabilities, statement.total_assets)


def net_margin(statement: FinancialStatement) -> Decimal | None:
    """Net margin = net profit / revenue (净利率); negative when the customer makes a loss.

    ``None`` when an input is unknown or revenue is not positive.
    """
    return _divide(statement.net_profit, statement.revenue)


def net_working_capital(statement: FinancialStatement) -> Decimal | None:
    """Net working capital = current assets - current liabilities (营运资本净额).

    A limit base and a hard cap on the credit limit (domain doc, "Credit limit"). It may be
    negative. ``None`` when either amount is unknown.
    """
    if statement.current_assets is None or statement.current_liabilities is None:
        return None
    return statement.current_assets - statement.current_liabilities


@dataclass(frozen=True)
class RecoveryRates:
    """Share of book value a forced sale recovers, per class of asset.

    ``liquid_current_assets`` applies to current assets other than inventory (cash,
    receivables), ``inventory`` to inventory and ``non_current_assets`` to everything else
    (total assets - current assets: equipment, buildings, long-term investments).
    The defaults are the usual orderly-liquidation haircuts of credit practice (receivables
    collected at 80 %, stock sold at half its value, fixed assets at 30 %); they are not from
    the domain doc and the credit manager is expected to tune them.
    """

    liquid_current_assets: Decimal = Decimal("0.8")
    inventory: Decimal = Decimal("0.5")
    non_current_assets: Decimal = Decimal("0.3")

    def __post_init__(self) -> None:
        for field in fields(self):
            object.__setattr__(self, field.name, to_decimal(getattr(self, field.name)))


DEFAULT_RECOVERY_RATES = RecoveryRates()


def validate_recovery_rates(rates: RecoveryRates) -> list[StatementProblem]:
    """Every recovery rate outside 0-1 (a forced sale never recovers more than book value)."""
    return [
        StatementProblem("rate_out_of_range", field.name, getattr(rates, field.name))
        for field in fields(rates)
        if not Decimal(0) <= getattr(rates, field.name) <= Decimal(1)
    ]


def liquidation_value(
    statement: FinancialStatement, rates: RecoveryRates = DEFAULT_RECOVERY_RATES
) -> Decimal | None:
    """What creditors would share if the customer were wound up now (清算价值).

    Liquidation value = r_liquid x (current assets - inventory) + r_inventory x inventory
    + r_fixed x (total assets - current assets) - total liabilities,
    with the recovery rates ``r`` of :class:`RecoveryRates`. The domain doc names liquidation
    value as a limit base without defining it; this is the common forced-sale definition:
    assets at what they would fetch, less everything owed. It may be negative. ``None``
    when any of the four amounts is unknown.
    """
    total_assets, current_assets = statement.total_assets, statement.current_assets
    inventory, total_liabilities = statement.inventory, statement.total_liabilities
    if total_assets is None or current_assets is None or inventory is None:
        return None
    if total_liabilities is None:
        return None
    return (
        rates.liquid_current_assets * (current_assets - inventory)
        + rates.inventory * inventory
        + rates.non_current_assets * (total_assets - current_assets)
        - total_liabilities
    )


RATIO_FUNCTIONS = {
    "current_ratio": current_ratio,
    "quick_ratio": quick_ratio,
    "debt_ratio": debt_ratio,
    "net_margin": net_margin,
}
"""Scoring factor code -> function computing it from a statement."""


def ratio_values(statement: FinancialStatement) -> dict[str, Decimal | None]:
    """The statement's ratios keyed by the factor codes of the scoring model.

    Feed this to :func:`credit_management.scoring.score` together with the payment and 5C
    values; ratios that are not computable are ``None`` and count as missing factors.
    """
    return {code: function(statement) for code, function in RATIO_FUNCTIONS.items()}
