"""Credit terms (信用条件): the grade policy, the credit period and cash-discount terms.

Each grade of the nine-grade scale carries a policy: whether customers of that grade buy on
credit at all (B and below normally pay cash on delivery, 现款现货; C and new customers pay
before delivery, 先款后货), the grade coefficient of the credit-period formula and the share
of the limit base proposed as credit limit. The credit period is then

    customer credit days = industry average DSO x company adjustment coefficient
                           x grade coefficient

(credit domain doc, "Credit policy"), and a cash discount such as "2/10, n/30" rewards early
payment. Inputs the user can get wrong are reported as :class:`TermProblem` values, never as
sentences, so the Odoo side can translate them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from . import grades
from .numbers import to_decimal

SALES_MODE_CREDIT = "credit"
SALES_MODE_CASH_ON_DELIVERY = "cash_on_delivery"
SALES_MODE_PREPAYMENT = "prepayment"
SALES_MODES: tuple[str, ...] = (
    SALES_MODE_CREDIT,
    SALES_MODE_CASH_ON_DELIVERY,
    SALES_MODE_PREPAYMENT,
)
"""How customers of a grade may buy: on credit, cash on delivery, or payment before delivery
(the ``sales_mode`` selection of ``credit.grade``)."""


@dataclass(frozen=True)
class TermProblem:
    """One reason a policy, a credit-period input or a cash-discount term is not usable.

    ``kind`` is one of:
    - ``missing``: ``field`` has no value;
    - ``negative``: ``field`` holds the negative ``value``;
    - ``unknown_grade``: ``value`` is not one of the nine grades;
    - ``unknown_sales_mode``: ``value`` is not one of :data:`SALES_MODES`;
    - ``unparsable``: the text ``value`` does not read as cash-discount terms;
    - ``percent_out_of_range``: the discount percent ``value`` is not in [0, 100);
    - ``discount_after_net``: the discount period ``value`` ends after the net period
      ``other_value``.
    """

    kind: str
    field: str
    value: Decimal | int | str | None = None
    other: str | None = None
    other_value: Decimal | int | None = None


class InvalidTermsError(ValueError):
    """Inputs that give no credit term; ``problems`` lists every reason."""

    def __init__(self, problems: Iterable[TermProblem]):
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.kind}:{p.field}" for p in self.problems))


@dataclass(frozen=True)
class GradePolicy:
    """What a grade means for sales: the core image of one ``credit.grade`` record.

    ``term_coefficient`` is the grade coefficient of the credit-period formula.
    ``limit_ratio`` is the share of the limit base proposed as credit limit, in percent as
    the grade record stores it (``20`` means 20 %).
    """

    grade: str
    sales_mode: str
    term_coefficient: Decimal
    limit_ratio: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "term_coefficient", to_decimal(self.term_coefficient))
        object.__setattr__(self, "limit_ratio", to_decimal(self.limit_ratio))

    @property
    def allows_credit(self) -> bool:
        """True when customers of this grade may buy on credit at all."""
        return self.sales_mode == SALES_MODE_CREDIT


def _policy(grade: str, sales_mode: str, term_coefficient: str, limit_ratio: str) -> GradePolicy:
    return GradePolicy(grade, sales_mode, Decimal(term_coefficient), Decimal(limit_ratio))


DEFAULT_GRADE_POLICIES: Mapping[str, GradePolicy] = {
    "AAA": _policy("AAA", SALES_MODE_CREDIT, "1.5", "30"),
    "AA": _policy("AA", SALES_MODE_CREDIT, "1.3", "25"),
    "A": _policy("A", SALES_MODE_CREDIT, "1.1", "20"),
    "BBB": _policy("BBB", SALES_MODE_CREDIT, "1.0", "15"),
    "BB": _policy("BB", SALES_MODE_CREDIT, "0.7", "10"),
    "B": _policy("B", SALES_MODE_CASH_ON_DELIVERY, "0", "0"),
    "CCC": _policy("CCC", SALES_MODE_CASH_ON_DELIVERY, "0", "0"),
    "CC": _policy("CC", SALES_MODE_PREPAYMENT, "0", "0"),
    "C": _policy("C", SALES_MODE_PREPAYMENT, "0", "0"),
}
"""The policies shipped as data (``data/credit_grade_data.xml``); a starting point the
credit manager tunes."""


def validate_policy(policy: GradePolicy) -> list[TermProblem]:
    """Every problem with a grade policy; empty when it is usable."""
    problems: list[TermProblem] = []
    if policy.grade not in grades.GRADE_CODES:
        problems.append(TermProblem("unknown_grade", "grade", policy.grade))
    if policy.sales_mode not in SALES_MODES:
        problems.append(TermProblem("unknown_sales_mode", "sales_mode", policy.sales_mode))
    for name in ("term_coefficient", "limit_ratio"):
        value = getattr(policy, name)
        if value is None:
            problems.append(TermProblem("missing", name))
        elif value < 0:
            problems.append(TermProblem("negative", name, value))
    return problems


@dataclass(frozen=True)
class CreditDaysProposal:
    """A proposed credit period and the numbers it came from.

    ``unrounded`` is the exact product before rounding; it is ``None`` (and ``days`` is 0)
    when the grade policy allows no credit, so no product was needed.
    """

    days: int
    unrounded: Decimal | None
    industry_dso: Decimal | None
    company_coefficient: Decimal | None
    grade_coefficient: Decimal | None
    credit_allowed: bool


def propose_credit_days(
    policy: GradePolicy,
    *,
    industry_dso: Decimal | int | str | None,
    company_coefficient: Decimal | int | str | None,
) -> CreditDaysProposal:
    """Customer credit days = industry average DSO x company adjustment coefficient x grade
    coefficient (credit domain doc, "Credit policy"), rounded half up to whole days.

    Rounding half up keeps the rule easy to check by hand (29.5 days give 30). A grade whose
    policy allows no credit gets 0 days whatever the inputs, so missing inputs are only a
    problem when credit is allowed; negative inputs are always a problem because they are
    wrong configuration. Raises :class:`InvalidTermsError` with every problem.
    """
    dso = to_decimal(industry_dso)
    company = to_decimal(company_coefficient)
    grade_coefficient = policy.term_coefficient
    inputs = (
        ("industry_dso", dso),
        ("company_coefficient", company),
        ("term_coefficient", grade_coefficient),
    )
    problems: list[TermProblem] = []
    for name, value in inputs:
        if value is None:
            if policy.allows_credit:
                problems.append(TermProblem("missing", name))
        elif value < 0:
            problems.append(TermProblem("negative", name, value))
    if problems:
        raise InvalidTermsError(problems)
    if not policy.allows_credit:
        return CreditDaysProposal(0, None, dso, company, grade_coefficient, False)
    unrounded = dso * company * grade_coefficient
    days = int(unrounded.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return CreditDaysProposal(days, unrounded, dso, company, grade_coefficient, True)


@dataclass(frozen=True)
class CashDiscountTerms:
    """Cash-discount terms such as "2/10, n/30": ``discount_percent`` % off when paid within
    ``discount_days`` days, the full amount due within ``net_days`` days (domain doc,
    "Credit terms"). Terms without discount ("n/30") have percent and discount days 0.

    Build them freely; :func:`validate_cash_discount` says whether they make sense and
    :func:`parse_cash_discount` only returns valid ones.
    """

    discount_percent: Decimal
    discount_days: int
    net_days: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "discount_percent", to_decimal(self.discount_percent))

    @property
    def has_discount(self) -> bool:
        return self.discount_percent > 0

    def __str__(self) -> str:
        return format_cash_discount(self)


def validate_cash_discount(terms: CashDiscountTerms) -> list[TermProblem]:
    """Every problem with cash-discount terms: days must not be negative, the percent must be
    in [0, 100) (100 % off is a gift, not a discount), and the discount period must end no
    later than the net period."""
    problems: list[TermProblem] = []
    if not Decimal(0) <= terms.discount_percent < Decimal(100):
        problems.append(
            TermProblem("percent_out_of_range", "discount_percent", terms.discount_percent)
        )
    for name in ("discount_days", "net_days"):
        value = getattr(terms, name)
        if value < 0:
            problems.append(TermProblem("negative", name, value))
    if terms.discount_days > terms.net_days:
        problems.append(
            TermProblem(
                "discount_after_net",
                "discount_days",
                terms.discount_days,
                "net_days",
                terms.net_days,
            )
        )
    return problems


_CASH_DISCOUNT = re.compile(
    r"""
    ^\s*
    (?:
        (?P<percent>\d+(?:\.\d+)?)\s*%?\s*[/\uff0f]\s*(?P<discount_days>\d+)
        \s*[,;\uff0c\uff1b]?\s*
    )?
    (?:n|net)\s*[/\uff0f]?\s*(?P<net_days>\d+)
    \s*$
    """,
    re.IGNORECASE | re.VERBOSE | re.ASCII,
)


def parse_cash_discount(text: str) -> CashDiscountTerms:
    """Read terms written the way the trade writes them.

    Accepted: "2/10, n/30", "2/10 n/30", "2%/10 net 30", "1.5/15; N/45", "n/30", also with
    the full-width comma, semicolon or slash of Chinese input methods. One discount tier
    only; digits are ASCII.
    Raises :class:`InvalidTermsError` (``unparsable`` or a validation problem).
    """
    match = _CASH_DISCOUNT.match(text or "")
    if match is None:
        raise InvalidTermsError([TermProblem("unparsable", "text", text)])
    percent = match["percent"]
    terms = CashDiscountTerms(
        discount_percent=Decimal(percent) if percent is not None else Decimal(0),
        discount_days=int(match["discount_days"]) if percent is not None else 0,
        net_days=int(match["net_days"]),
    )
    problems = validate_cash_discount(terms)
    if problems:
        raise InvalidTermsError(problems)
    return terms


def format_cash_discount(terms: CashDiscountTerms) -> str:
    """The conventional notation: "2/10, n/30", or "n/30" without discount."""
    net = f"n/{terms.net_days}"
    if not terms.has_discount:
        return net
    percent = format(terms.discount_percent.normalize(), "f")
    return f"{percent}/{terms.discount_days}, {net}"
