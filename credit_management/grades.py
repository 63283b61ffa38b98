"""The nine-grade credit scale (三等九级).

Grades run from AAA ("very strong, tiny risk") down to C ("no credit at all").  A grade is
read from a 0-100 score by thresholds: a score belongs to the best grade whose minimum score
it reaches.  Thresholds are data the credit manager tunes, so this module validates them and
reports every problem at once, in a form the Odoo side turns into a translated message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

GRADE_CODES: tuple[str, ...] = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C")
"""All grades, best first."""

SCORE_MIN = Decimal(0)
SCORE_MAX = Decimal(100)

DEFAULT_THRESHOLDS: Mapping[str, Decimal] = {
    "AAA": Decimal(90),
    "AA": Decimal(80),
    "A": Decimal(70),
    "BBB": Decimal(60),
    "BB": Decimal(50),
    "B": Decimal(40),
    "CCC": Decimal(30),
    "CC": Decimal(20),
    "C": Decimal(0),
}
"""Minimum score per grade in the default scale shipped as data."""


def rank(code: str) -> int:
    """Position of a grade on the scale: 0 for AAA (best) to 8 for C (worst)."""
    try:
        return GRADE_CODES.index(code)
    except ValueError:
        raise UnknownGradeError(code) from None


def worst(*codes: str) -> str:
    """The worst of the given grades (the one a cap or a downgrade rule keeps)."""
    if not codes:
        raise ValueError("worst() needs at least one grade")
    return max(codes, key=rank)


def best(*codes: str) -> str:
    """The best of the given grades."""
    if not codes:
        raise ValueError("best() needs at least one grade")
    return min(codes, key=rank)


def cap(code: str, at_best: str) -> str:
    """Limit a grade so it is never better than ``at_best`` (e.g. "not above A")."""
    return worst(code, at_best)


class UnknownGradeError(ValueError):
    """A grade code that is not one of the nine grades."""

    def __init__(self, code: str):
        super().__init__(f"unknown grade {code!r}")
        self.code = code


@dataclass(frozen=True)
class ScaleProblem:
    """One reason a set of thresholds is not a usable scale.

    ``kind`` is one of:
    - ``missing``: ``grade`` has no threshold;
    - ``unknown``: ``grade`` is not one of the nine grades;
    - ``out_of_range``: ``grade``'s threshold ``value`` is outside 0-100;
    - ``not_descending``: ``grade``'s threshold ``value`` is not strictly below that of the
      better grade ``other`` (``other_value``);
    - ``lowest_not_zero``: the worst grade's threshold ``value`` is not 0, so some scores
      would have no grade.
    """

    kind: str
    grade: str
    value: Decimal | None = None
    other: str | None = None
    other_value: Decimal | None = None


class InvalidScaleError(ValueError):
    """Thresholds that do not make a scale; ``problems`` lists every reason."""

    def __init__(self, problems: Iterable[ScaleProblem]):
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.kind}:{p.grade}" for p in self.problems))


def validate_thresholds(
    thresholds: Mapping[str, Decimal | int | float | str],
) -> list[ScaleProblem]:
    """Every problem with a mapping grade -> minimum score; empty when it is a valid scale.

    A valid scale has a threshold for each of the nine grades, each within 0-100, strictly
    decreasing from AAA to C, and C at 0 so that every score has a grade.
    """
    problems: list[ScaleProblem] = []
    values: dict[str, Decimal] = {}
    for code in thresholds:
        if code not in GRADE_CODES:
            problems.append(ScaleProblem("unknown", code))
    for code in GRADE_CODES:
        if code not in thresholds or thresholds[code] is None:
            problems.append(ScaleProblem("missing", code))
            continue
        value = Decimal(str(thresholds[code]))
        if not SCORE_MIN <= value <= SCORE_MAX:
            problems.append(ScaleProblem("out_of_range", code, value))
        values[code] = value
    previous: tuple[str, Decimal] | None = None
    for code in GRADE_CODES:
        if code not in values:
            continue
        if previous is not None and values[code] >= previous[1]:
            problems.append(
                ScaleProblem("not_descending", code, values[code], previous[0], previous[1])
            )
        previous = (code, values[code])
    lowest = GRADE_CODES[-1]
    if lowest in values and values[lowest] != SCORE_MIN:
        problems.append(ScaleProblem("lowest_not_zero", lowest, values[lowest]))
    return problems


@dataclass(frozen=True)
class GradeScale:
    """A validated scale: minimum scores per grade, best grade first."""

    thresholds: tuple[tuple[str, Decimal], ...]

    @classmethod
    def from_mapping(cls, thresholds: Mapping[str, Decimal | int | float | str]) -> GradeScale:
        problems = validate_thresholds(thresholds)
        if problems:
            raise InvalidScaleError(problems)
        return cls(tuple((code, Decimal(str(thresholds[code]))) for code in GRADE_CODES))

    @classmethod
    def default(cls) -> GradeScale:
        return cls.from_mapping(DEFAULT_THRESHOLDS)

    def grade_for(self, score: Decimal | int | float | str) -> str:
        """The best grade whose minimum the score reaches.

        Scores are clamped to 0-100 first, so a factor model that overshoots still maps to
        AAA and a negative total still maps to C.
        """
        value = min(max(Decimal(str(score)), SCORE_MIN), SCORE_MAX)
        for code, minimum in self.thresholds:
            if value >= minimum:
                return code
        return GRADE_CODES[-1]  # pragma: no cover - C's minimum is 0 by validation

    def minimum(self, code: str) -> Decimal:
        """The minimum score of a grade."""
        rank(code)
        return dict(self.thresholds)[code]
