"""Credit scoring (信用评分法): weighted key factors -> one 0-100 score -> a grade.

A scoring model is a list of factors (financial ratios, payment behaviour, the officer's 5C
marks). Each factor turns its value into 0-100 points through bands, and the score is the
weighted mean of the points:

    score = sum(weight_i x points_i) / sum(weight_i)      over the factors that have a value

(credit domain doc, "Rating": "weighted key factors -> one number, read as a default
probability or a grade"). A factor without a value is left out of both sums and listed as
missing, so an incomplete credit file is scored on what is known instead of being punished
with zeros. The grade is read from the score by :class:`grades.GradeScale`, then the rules
from practice (override rules) may cap it or force it down: a payment rate below 100 % keeps
a customer out of the A grades, selling competitors' products means C.

Models are data the credit manager edits, so every structure here is a plain frozen
dataclass of strings and ``Decimal``; :func:`validate_model` reports every problem as data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

from . import grades, terms
from .numbers import Number, to_decimal

POINTS_MIN = Decimal(0)
POINTS_MAX = Decimal(100)
SCORE_QUANTUM = Decimal("0.01")
"""Scores are rounded half up to this step; the grade is read from the rounded score, the
one the officer sees."""


@dataclass(frozen=True)
class Band:
    """Points given to the values in the half-open interval [lower, upper).

    ``None`` leaves a side unbounded, so ``Band(None, Decimal(1), ...)`` takes every value
    below 1 and ``Band(Decimal(2), None, ...)`` every value from 2 up.
    """

    lower: Decimal | None
    upper: Decimal | None
    points: Decimal

    def __post_init__(self) -> None:
        for name in ("lower", "upper", "points"):
            object.__setattr__(self, name, to_decimal(getattr(self, name)))

    def contains(self, value: Decimal) -> bool:
        return (self.lower is None or value >= self.lower) and (
            self.upper is None or value < self.upper
        )


@dataclass(frozen=True)
class Factor:
    """One key factor of a model: its value maps to points by ``bands``.

    ``higher_is_better`` says which way the points must run: ``True`` (payment rate),
    ``False`` (debt ratio, days late) or ``None`` when the best values are in the middle.
    Validation checks that the bands follow it, which is what makes the score move the right
    way when the customer improves.
    """

    code: str
    weight: Decimal
    bands: tuple[Band, ...]
    higher_is_better: bool | None = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "weight", to_decimal(self.weight))
        object.__setattr__(self, "bands", tuple(self.bands))

    def points_for(self, value: Decimal) -> Decimal | None:
        """Points of the band holding ``value``; ``None`` only in a model with gaps."""
        for band in self.bands:
            if band.contains(value):
                return band.points
        return None


def bands_from_cuts(cuts: Sequence[Number], points: Sequence[Number]) -> tuple[Band, ...]:
    """Bands covering every value, split at ``cuts`` (ascending), one points value per band.

    ``bands_from_cuts([1, 2], [0, 50, 100])`` gives [-, 1) -> 0, [1, 2) -> 50, [2, -) -> 100.
    """
    if len(points) != len(cuts) + 1:
        raise ValueError("bands_from_cuts needs one more points value than cuts")
    edges: list[Decimal | None] = [None, *(to_decimal(cut) for cut in cuts), None]
    return tuple(Band(edges[i], edges[i + 1], Decimal(str(points[i]))) for i in range(len(points)))


OVERRIDE_CAP = "cap"
OVERRIDE_FORCE = "force"
OVERRIDE_KINDS: tuple[str, ...] = (OVERRIDE_CAP, OVERRIDE_FORCE)


@dataclass(frozen=True)
class Override:
    """A rule from practice that acts on the grade when the flag ``code`` is raised.

    ``cap``: the grade is not better than ``grade`` ("not above A").
    ``force``: the grade is ``grade`` whatever the score, even when there is no score.
    Overrides only ever lower a grade: a force to a grade better than the score's grade
    leaves the score's grade (see :func:`apply_overrides`).
    """

    code: str
    kind: str
    grade: str


FLAG_COMPETITOR_PRODUCTS = "competitor_products"
FLAG_PAYMENT_RATE_BELOW_FULL = "payment_rate_below_full"
FLAG_LARGE_DEBTS_ELSEWHERE = "large_debts_elsewhere"
FLAG_BANKRUPT = "bankrupt"
FLAG_RISKY_SIDE_BUSINESS = "risky_side_business"
FLAG_BAD_RECORDS = "bad_records"
FLAG_POLICY_VIOLATION = "policy_violation"

DEFAULT_OVERRIDES: tuple[Override, ...] = (
    Override(FLAG_COMPETITOR_PRODUCTS, OVERRIDE_FORCE, "C"),
    Override(FLAG_PAYMENT_RATE_BELOW_FULL, OVERRIDE_CAP, "A"),
    Override(FLAG_LARGE_DEBTS_ELSEWHERE, OVERRIDE_CAP, "C"),
    Override(FLAG_BANKRUPT, OVERRIDE_FORCE, "C"),
    Override(FLAG_RISKY_SIDE_BUSINESS, OVERRIDE_CAP, "BBB"),
    Override(FLAG_BAD_RECORDS, OVERRIDE_CAP, "BB"),
    Override(FLAG_POLICY_VIOLATION, OVERRIDE_CAP, "BBB"),
)
"""The simple A/B/C rules of the domain doc ("Rating"): selling competitors' products as a
main line means C; A requires a 100 % payment rate; owing large sums to other suppliers caps
the grade at C; a bankruptcy filing (a warning sign) means no credit. The doc lists risky
side businesses (real estate, futures, stocks), bad records anywhere and breaches of our
sales policy (dumping, price cutting) among the factors of ability and willingness to pay
without a rule: by default they keep a customer out of the strong grades (not above BBB,
bad records not above BB), a starting point the credit manager tunes."""


@dataclass(frozen=True)
class ScoringModel:
    """Factors and the override rules applied after the score maps to a grade."""

    factors: tuple[Factor, ...]
    overrides: tuple[Override, ...] = DEFAULT_OVERRIDES

    def __post_init__(self) -> None:
        object.__setattr__(self, "factors", tuple(self.factors))
        object.__setattr__(self, "overrides", tuple(self.overrides))


@dataclass(frozen=True)
class ScoringProblem:
    """One reason a model (or a scoring setting) is not usable.

    ``code`` names the factor, override or setting concerned (``None`` for the whole model);
    ``band`` is the position of the band in the factor's ``bands``. ``kind`` is one of:
    - ``no_factors``: the model has no factor;
    - ``duplicate_factor``: two factors share ``code``;
    - ``negative_weight``: the factor's weight ``value`` is negative;
    - ``all_weights_zero``: no factor has a positive weight;
    - ``no_bands``: the factor has no band;
    - ``empty_band``: the band's lower bound ``value`` is not below its upper ``other_value``;
    - ``points_out_of_range``: the band's points ``value`` are outside 0-100;
    - ``open_below``: the lowest band starts at ``value``: lower values get no points;
    - ``open_above``: the highest band ends at ``value``: values from there get no points;
    - ``gap``: no band holds the values from ``value`` up to ``other_value``;
    - ``overlap``: the band starts at ``value``, before the previous band ends
      (``other_value``; ``None`` means unbounded);
    - ``not_monotone``: the band's points ``value`` run against ``higher_is_better`` compared
      with the previous band's ``other_value``;
    - ``unknown_override_kind``: the override's kind ``value`` is neither cap nor force;
    - ``unknown_grade``: the override's grade ``value`` is not one of the nine grades;
    - ``negative``: the setting ``code`` has the negative value ``value``.
    """

    kind: str
    code: str | None = None
    value: Decimal | str | None = None
    other_value: Decimal | None = None
    band: int | None = None


class InvalidScoringError(ValueError):
    """A model or setting that cannot score; ``problems`` lists every reason."""

    def __init__(self, problems: Iterable[ScoringProblem]):
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.kind}:{p.code}" for p in self.problems))


def _validate_bands(factor: Factor) -> list[ScoringProblem]:
    code = factor.code
    if not factor.bands:
        return [ScoringProblem("no_bands", code)]
    problems: list[ScoringProblem] = []
    usable: list[tuple[int, Band]] = []
    for index, band in enumerate(factor.bands):
        if not POINTS_MIN <= band.points <= POINTS_MAX:
            problems.append(ScoringProblem("points_out_of_range", code, band.points, band=index))
        if band.lower is not None and band.upper is not None and band.lower >= band.upper:
            problems.append(ScoringProblem("empty_band", code, band.lower, band.upper, band=index))
        else:
            usable.append((index, band))
    if not usable:
        return problems
    usable.sort(key=lambda item: (item[1].lower is not None, item[1].lower or 0))
    first_index, first = usable[0]
    if first.lower is not None:
        problems.append(ScoringProblem("open_below", code, first.lower, band=first_index))
    covered_to = first.upper
    for (_, previous), (index, band) in pairwise(usable):
        if covered_to is None or band.lower is None or band.lower < covered_to:
            problems.append(ScoringProblem("overlap", code, band.lower, covered_to, band=index))
        elif band.lower > covered_to:
            problems.append(ScoringProblem("gap", code, covered_to, band.lower, band=index))
        if covered_to is not None:
            covered_to = None if band.upper is None else max(covered_to, band.upper)
        if factor.higher_is_better is not None and band.points != previous.points:
            rising = band.points > previous.points
            if rising != factor.higher_is_better:
                problems.append(
                    ScoringProblem("not_monotone", code, band.points, previous.points, band=index)
                )
    if covered_to is not None:
        last_index = max(usable, key=lambda item: item[1].upper or 0)[0]
        problems.append(ScoringProblem("open_above", code, covered_to, band=last_index))
    return problems


def validate_model(model: ScoringModel) -> list[ScoringProblem]:
    """Every problem with a model; empty when it scores every possible input.

    A usable model has at least one factor with a positive weight and no negative weight;
    each factor's bands cover every value exactly once (no gap, no overlap, unbounded at
    both ends) with points within 0-100, running the way ``higher_is_better`` says; and each
    override has a known kind and grade.
    """
    problems: list[ScoringProblem] = []
    if not model.factors:
        problems.append(ScoringProblem("no_factors"))
    seen: set[str] = set()
    for factor in model.factors:
        if factor.code in seen:
            problems.append(ScoringProblem("duplicate_factor", factor.code))
        seen.add(factor.code)
        if factor.weight < 0:
            problems.append(ScoringProblem("negative_weight", factor.code, factor.weight))
        problems.extend(_validate_bands(factor))
    if model.factors and not any(factor.weight > 0 for factor in model.factors):
        problems.append(ScoringProblem("all_weights_zero"))
    for override in model.overrides:
        if override.kind not in OVERRIDE_KINDS:
            problems.append(ScoringProblem("unknown_override_kind", override.code, override.kind))
        if override.grade not in grades.GRADE_CODES:
            problems.append(ScoringProblem("unknown_grade", override.code, override.grade))
    return problems


def _check_model(model: ScoringModel) -> None:
    problems = validate_model(model)
    if problems:
        raise InvalidScoringError(problems)


@dataclass(frozen=True)
class FactorScore:
    """How one factor contributed: ``contribution`` = weight x points / total weight of the
    factors that had a value, so the contributions add up to the unrounded score."""

    code: str
    value: Decimal
    points: Decimal
    weight: Decimal
    contribution: Decimal


@dataclass(frozen=True)
class ScoreResult:
    """A score with its explanation; ``score`` is ``None`` when no weighted factor had a
    value, and ``missing`` lists the factors without a value, in model order."""

    score: Decimal | None
    lines: tuple[FactorScore, ...]
    missing: tuple[str, ...]


def score(model: ScoringModel, values: Mapping[str, Number | None]) -> ScoreResult:
    """Score = sum(weight x points) / sum(weight) over the factors with a value, rounded
    half up to :data:`SCORE_QUANTUM` (module docstring). Values for codes the model does not
    know are ignored. Raises :class:`InvalidScoringError` when the model is not valid.
    """
    _check_model(model)
    present: list[tuple[Factor, Decimal, Decimal]] = []
    missing: list[str] = []
    for factor in model.factors:
        value = to_decimal(values.get(factor.code))
        if value is None:
            missing.append(factor.code)
            continue
        points = factor.points_for(value)
        if points is None:  # pragma: no cover - validation guarantees full coverage
            raise InvalidScoringError([ScoringProblem("gap", factor.code, value)])
        present.append((factor, value, points))
    total_weight = sum((factor.weight for factor, _, _ in present), Decimal(0))
    lines = tuple(
        FactorScore(
            factor.code,
            value,
            points,
            factor.weight,
            factor.weight * points / total_weight if total_weight else Decimal(0),
        )
        for factor, value, points in present
    )
    if not total_weight:
        return ScoreResult(None, lines, tuple(missing))
    weighted = sum((factor.weight * points for factor, _, points in present), Decimal(0))
    total = (weighted / total_weight).quantize(SCORE_QUANTUM, rounding=ROUND_HALF_UP)
    return ScoreResult(total, lines, tuple(missing))


def apply_overrides(
    score_grade: str | None, overrides: Iterable[Override], flags: Iterable[str]
) -> tuple[str | None, tuple[Override, ...]]:
    """The grade after the override rules whose flag is raised, and the rules that acted.

    When several rules fire, forces win over caps (the caps are then not consulted), and
    among the forces, or among the caps, the worst grade wins. No rule lifts a grade: a force
    gives the worse of its grade and the score's grade, a cap the worse of its grade and the
    score's grade. Without a score's grade only a force gives a grade; caps have nothing to
    cap. The rules returned are those that acted, in the order given.
    """
    raised = set(flags)
    fired = [override for override in overrides if override.code in raised]
    forces = tuple(override for override in fired if override.kind == OVERRIDE_FORCE)
    caps = tuple(override for override in fired if override.kind == OVERRIDE_CAP)
    if forces:
        forced = grades.worst(*(override.grade for override in forces))
        grade = forced if score_grade is None else grades.worst(score_grade, forced)
        return grade, forces
    if caps and score_grade is not None:
        return grades.worst(score_grade, *(override.grade for override in caps)), caps
    return score_grade, ()


@dataclass(frozen=True)
class RatingResult:
    """A rating with everything that explains it: the score and its lines, the grade the
    score maps to (``score_grade``), the final ``grade`` after the override rules, and the
    rules that acted. Grades are ``None`` when there is no score and no force."""

    score: Decimal | None
    score_grade: str | None
    grade: str | None
    applied_overrides: tuple[Override, ...]
    lines: tuple[FactorScore, ...]
    missing: tuple[str, ...]


def rate(
    scale: grades.GradeScale,
    model: ScoringModel,
    values: Mapping[str, Number | None],
    flags: Iterable[str] = (),
) -> RatingResult:
    """Score the values, read the grade from the scale, then apply the model's overrides for
    the raised ``flags`` (see :func:`flags_from_values` for the flags the values imply)."""
    result = score(model, values)
    score_grade = scale.grade_for(result.score) if result.score is not None else None
    grade, applied = apply_overrides(score_grade, model.overrides, flags)
    return RatingResult(result.score, score_grade, grade, applied, result.lines, result.missing)


def flags_from_values(values: Mapping[str, Number | None]) -> frozenset[str]:
    """Override flags that follow from the factor values alone.

    ``payment_rate_below_full`` when the on-time payment rate is known and below 1 (A
    requires a 100 % payment rate, domain doc "Rating"). Flags the officer sets (competitor
    products, large debts elsewhere, bankruptcy) come from the credit file instead.
    """
    flags: set[str] = set()
    payment_rate = to_decimal(values.get("payment_rate"))
    if payment_rate is not None and payment_rate < 1:
        flags.add(FLAG_PAYMENT_RATE_BELOW_FULL)
    return frozenset(flags)


def _factor(
    code: str, weight: int, cuts: Sequence[str], points: Sequence[int], higher: bool
) -> Factor:
    return Factor(code, Decimal(weight), bands_from_cuts(cuts, points), higher)


_FIVE_C_CUTS = ("1", "2", "3", "4", "5")
_FIVE_C_POINTS = (0, 20, 40, 60, 80, 100)

DEFAULT_MODEL = ScoringModel(
    factors=(
        _factor("current_ratio", 8, ("0.5", "1", "1.5", "2"), (0, 25, 50, 75, 100), True),
        _factor("quick_ratio", 6, ("0.5", "0.8", "1"), (0, 40, 70, 100), True),
        _factor("debt_ratio", 8, ("0.4", "0.55", "0.7", "0.85"), (100, 80, 50, 20, 0), False),
        _factor("net_margin", 8, ("0", "0.02", "0.05", "0.1"), (0, 30, 60, 80, 100), True),
        _factor("payment_rate", 15, ("0.7", "0.85", "0.95", "1"), (0, 30, 60, 80, 100), True),
        _factor("avg_days_late", 10, ("1", "8", "16", "31", "61"), (100, 80, 60, 30, 10, 0), False),
        _factor("overdue_count", 7, ("1", "2", "4", "7"), (100, 80, 50, 20, 0), False),
        _factor("longest_overdue_days", 8, ("1", "31", "61", "91"), (100, 70, 40, 15, 0), False),
        _factor("character", 8, _FIVE_C_CUTS, _FIVE_C_POINTS, True),
        _factor("capacity", 6, _FIVE_C_CUTS, _FIVE_C_POINTS, True),
        _factor("capital", 6, _FIVE_C_CUTS, _FIVE_C_POINTS, True),
        _factor("collateral", 5, _FIVE_C_CUTS, _FIVE_C_POINTS, True),
        _factor("conditions", 5, _FIVE_C_CUTS, _FIVE_C_POINTS, True),
    ),
    overrides=DEFAULT_OVERRIDES,
)
"""A starting model shipped as data; weights add up to 100 so each reads as a percent.

Financial ratios (30): current ratio 8, quick ratio 6, debt ratio 8 (lower is better), net
margin 8. Payment history (40): on-time payment rate 15 (0-1), weighted average days late 10,
number of overdue items in the rating window 7, longest overdue days 8 (all lower is
better). 5C marks given by the officer on 0-5 (30): character 8, capacity 6, capital 6,
collateral 5, conditions 5, each mark worth 20 points. The band edges are common rules of
thumb (current ratio 2, quick ratio 1, debt ratio under 40 %), to be tuned by the credit
manager.
"""


def on_time_payment_rate(paid_on_time: Number, amount_due: Number) -> Decimal | None:
    """On-time payment rate (回款率) = amount paid on or before its due date / amount that fell
    due in the window (domain doc, "Rating").

    ``None`` when nothing fell due: there is nothing to judge, and the scoring treats the
    factor as missing. Capped at 1, so paying something early that was not yet due does not
    make up for late payments. Amounts come from ledger aggregates; a negative one is a bug
    at the boundary and raises ``ValueError``.
    """
    paid, due = to_decimal(paid_on_time), to_decimal(amount_due)
    if paid is None or due is None or paid < 0 or due < 0:
        raise ValueError("on_time_payment_rate needs two non-negative amounts")
    if due == 0:
        return None
    return min(paid / due, Decimal(1))


DEFAULT_SLOWDOWN_DAYS = Decimal(5)
"""How many more days to pay count as "payments get slower" by default (a choice, not from
the domain doc: about one week of working days)."""


def is_paying_slower(
    earlier_days: Number | None,
    later_days: Number | None,
    threshold_days: Number = DEFAULT_SLOWDOWN_DAYS,
) -> bool:
    """The warning sign "payments get slower" (domain doc, "Warning signs"): the later
    period's weighted average days to pay exceeds the earlier one's by more than
    ``threshold_days``. False when either period has no payments to compare. A negative
    threshold raises :class:`InvalidScoringError`.
    """
    threshold = to_decimal(threshold_days)
    if threshold is None or threshold < 0:
        raise InvalidScoringError([ScoringProblem("negative", "slowdown_threshold", threshold)])
    earlier, later = to_decimal(earlier_days), to_decimal(later_days)
    if earlier is None or later is None:
        return False
    return later - earlier > threshold


DEFAULT_MINIMUM_HISTORY_MONTHS = 3
NEW_CUSTOMER_GRADE = "C"
NEW_CUSTOMER_SALES_MODE = terms.SALES_MODE_PREPAYMENT


def is_new_customer(
    history_months: Number | None, minimum_months: Number = DEFAULT_MINIMUM_HISTORY_MONTHS
) -> bool:
    """True while the customer has less than ``minimum_months`` of history with us.

    New customers are rated :data:`NEW_CUSTOMER_GRADE` (C) and pay before delivery
    (:data:`NEW_CUSTOMER_SALES_MODE`) until at least three months of history allow a normal
    rating (domain doc, "New customers"); the minimum is a setting. No history at all
    (``None``) is new. A negative minimum raises :class:`InvalidScoringError`.
    """
    minimum = to_decimal(minimum_months)
    if minimum is None or minimum < 0:
        raise InvalidScoringError([ScoringProblem("negative", "minimum_history_months", minimum)])
    months = to_decimal(history_months)
    return months is None or months < minimum
