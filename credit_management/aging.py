"""Receivable aging (账龄分析): age buckets and the days an item has aged.

An open item is aged by the days between the report date ("as of") and its due date (or
its invoice date when aging by invoice date). Items not yet due (0 days or less) fall in
the first bucket; then one bucket per bound, each holding the days up to and including its
bound; the last bucket holds everything beyond the last bound. With the default bounds
(30, 60, 90, 180, 365): not due, 1-30, 31-60, 61-90, 91-180, 181-365, over 365.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from itertools import pairwise

DEFAULT_BOUNDS: tuple[int, ...] = (30, 60, 90, 180, 365)
MAX_BUCKETS = 8
"""Not due + up to six bounded buckets + the open-ended last one (reports store 8 columns)."""
MAX_BOUND_DAYS = 3650
"""Ten years: the largest bucket bound. Receivables older than that all sit in the last
bucket anyway, and a larger bound (e.g. 99999999999) overflows PostgreSQL's integer when the
reports compute their thresholds."""


class InvalidBoundsError(ValueError):
    """Bucket bounds that cannot define age buckets. ``problem`` names what is wrong
    (``empty``, ``not_a_number``, ``too_many``, ``not_positive``, ``too_large``,
    ``not_increasing``) so
    that the UI can say it in the user's language; ``value`` is the offending text."""

    def __init__(self, message: str, problem: str, value: str = ""):
        super().__init__(message)
        self.problem = problem
        self.value = value


def parse_bounds(text: str) -> tuple[int, ...]:
    """The bucket bounds written as "30,60,90,180,365": whole days, strictly increasing,
    positive, at most ``MAX_BOUND_DAYS``, at most ``MAX_BUCKETS - 2`` of them (so there are
    at most ``MAX_BUCKETS`` buckets). Spaces around the numbers are allowed."""
    parts = [part.strip() for part in (text or "").split(",")]
    if parts == [""]:
        raise InvalidBoundsError("Give at least one bucket bound, e.g. 30,60,90,180,365.", "empty")
    bounds = []
    for part in parts:
        try:
            bounds.append(int(part))
        except ValueError:
            raise InvalidBoundsError(
                f"{part!r} is not a whole number of days; write the bounds as 30,60,90,180,365.",
                "not_a_number",
                part,
            ) from None
    validate_bounds(bounds)
    return tuple(bounds)


def validate_bounds(bounds: Sequence[int]) -> None:
    """Raise InvalidBoundsError unless ``bounds`` are 1 to 6 strictly increasing positive
    whole numbers of days, none above ``MAX_BOUND_DAYS``."""
    if not bounds:
        raise InvalidBoundsError("Give at least one bucket bound, e.g. 30,60,90,180,365.", "empty")
    if len(bounds) > MAX_BUCKETS - 2:
        raise InvalidBoundsError(
            f"At most {MAX_BUCKETS - 2} bucket bounds ({MAX_BUCKETS} buckets); got {len(bounds)}.",
            "too_many",
            str(len(bounds)),
        )
    for bound in bounds:
        if bound <= 0:
            raise InvalidBoundsError(
                "Bucket bounds must be positive numbers of days.", "not_positive", str(bound)
            )
        if bound > MAX_BOUND_DAYS:
            raise InvalidBoundsError(
                f"Bucket bounds must be at most {MAX_BOUND_DAYS} days.", "too_large", str(bound)
            )
    for earlier, later in pairwise(bounds):
        if later <= earlier:
            raise InvalidBoundsError(
                "Bucket bounds must be strictly increasing.", "not_increasing", str(later)
            )


def format_bounds(bounds: Sequence[int]) -> str:
    """The text form ``parse_bounds`` reads back."""
    return ",".join(str(bound) for bound in bounds)


def bucket_count(bounds: Sequence[int]) -> int:
    return len(bounds) + 2


def bucket_index(days: int, bounds: Sequence[int] = DEFAULT_BOUNDS) -> int:
    """0 for items not yet due (``days <= 0``), ``i`` for ``bounds[i-2] < days <= bounds[i-1]``
    (with the first bucket starting at 1 day), ``len(bounds) + 1`` beyond the last bound."""
    if days <= 0:
        return 0
    return 1 + bisect_left(bounds, days)


def sql_thresholds(bounds: Sequence[int]) -> list[int]:
    """The thresholds for PostgreSQL's ``width_bucket(days, thresholds)``, which returns
    the number of thresholds ``<= days``: [1, b1 + 1, b2 + 1, ...] gives ``bucket_index``."""
    return [1, *(bound + 1 for bound in bounds)]


def bucket_ranges(
    bounds: Sequence[int] = DEFAULT_BOUNDS,
) -> list[tuple[int | None, int | None]]:
    """The days overdue each bucket holds, as (first, last) in the order of
    :func:`bucket_index`: (None, 0) not due, (1, 30), (31, 60), ..., (366, None) over the
    last bound. The reports title their columns from these."""
    ranges: list[tuple[int | None, int | None]] = [(None, 0)]
    low = 1
    for bound in bounds:
        ranges.append((low, bound))
        low = bound + 1
    ranges.append((low, None))
    return ranges
