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
    :func:`granted_terms` only returns valid ones.
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
    in [0, 100) (100 % off is a gift, not a discount), a discount needs a discount period
    (paying "within 0 days" is paying before the invoice), and the discount period must end
    no later than the net period."""
    problems: list[TermProblem] = []
    if not Decimal(0) <= terms.discount_percent < Decimal(100):
        problems.append(
            TermProblem("percent_out_of_range", "discount_percent", terms.discount_percent)
        )
    for name in ("discount_days", "net_days"):
        value = getattr(terms, name)
        if value < 0:
            problems.append(TermProblem("negative", name, value))
    if terms.has_discount and terms.discount_days == 0:
        problems.append(TermProblem("missing", "discount_days"))
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


def format_cash_discount(terms: CashDiscountTerms) -> str:
    """The conventional notation: "2/10, n/30", or "n/30" without discount."""
    net = f"n/{terms.net_days}"
    if not terms.has_discount:
        return net
    percent = format(terms.discount_percent.normalize(), "f")
    return f"{percent}/{terms.discount_days}, {net}"


def granted_terms(
    net_days: int,
    discount_percent: Decimal | int | str | None = 0,
    discount_days: int | None = 0,
) -> CashDiscountTerms:
    """The payment term a customer is granted: its credit days (``net_days``) with the
    policy's cash discount, e.g. 30 days and a 2 % discount within 10 days give "2/10, n/30".

    A term of 0 days is immediate payment: there is nothing left to pay early, so it carries
    no discount whatever the policy says. A policy without discount (percent 0) gives net
    terms ("n/30"), its discount days ignored. Raises :class:`InvalidTermsError` with every
    problem (negative days, percent outside [0, 100), a discount period longer than the
    credit period).
    """
    percent = to_decimal(discount_percent) or Decimal(0)
    days = discount_days or 0
    if net_days == 0 or percent == 0:
        percent, days = Decimal(0), 0
    terms = CashDiscountTerms(percent, days, net_days)
    problems = validate_cash_discount(terms)
    if problems:
        raise InvalidTermsError(problems)
    return terms


# --- payment terms: the days an order gives the customer ----------------------------------

DELAY_DAYS_AFTER = "days_after"
DELAY_AFTER_END_OF_MONTH = "days_after_end_of_month"
DELAY_AFTER_END_OF_NEXT_MONTH = "days_after_end_of_next_month"
DELAY_END_OF_MONTH_ON_THE = "days_end_of_month_on_the"

_LONGEST_MONTH = 31


@dataclass(frozen=True)
class Installment:
    """One installment of a payment term, as Odoo 18's ``account.payment.term.line``:
    ``days`` (``nb_days``) counted from the invoice date (``days_after``), from the end of
    the invoice's month (``days_after_end_of_month``), from the end of the next month
    (``days_after_end_of_next_month``), or ``days`` after the invoice date then on the
    ``day_of_month`` of the following month (``days_end_of_month_on_the``; 0 = the end of
    the month those days reach)."""

    days: int
    delay: str = DELAY_DAYS_AFTER
    day_of_month: int = 0


def installment_max_days(installment: Installment) -> int:
    """The most days after the invoice date this installment can fall due, over every
    possible invoice date (the worst case for the seller).

    - days after the invoice date: ``days``;
    - after the end of the month: invoiced on the 1st of a 31-day month, the month ends 30
      days later: ``30 + days``;
    - after the end of the next month: invoiced on 1 July (or 1 December) the next month
      ends on 31 August (31 January), 61 days later: ``61 + days``;
    - ``days`` then the ``day_of_month`` of the following month: from the 1st of a 31-day
      month that day is at most ``30 + day_of_month`` days later (31 January follows 31
      December); day 0 is the end of the month ``days`` reach, at most 30 days later.
    """
    days = installment.days
    if installment.delay == DELAY_AFTER_END_OF_MONTH:
        return _LONGEST_MONTH - 1 + days
    if installment.delay == DELAY_AFTER_END_OF_NEXT_MONTH:
        return 2 * _LONGEST_MONTH - 1 + days
    if installment.delay == DELAY_END_OF_MONTH_ON_THE:
        day = min(max(installment.day_of_month, 0), _LONGEST_MONTH)
        return days + _LONGEST_MONTH - 1 + day
    return days


def latest_due_days(installments: Iterable[Installment]) -> int:
    """The credit period a payment term gives: the most days after the invoice date its last
    installment can fall due (:func:`installment_max_days`), whatever share of the amount it
    carries (the credit is not paid back before it). A term without installments, or whose
    installments all fall on or before the invoice date, gives 0 days."""
    return max(0, max((installment_max_days(i) for i in installments), default=0))
