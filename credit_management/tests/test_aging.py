import pytest
from hypothesis import given
from hypothesis import strategies as st

from credit_management.aging import (
    DEFAULT_BOUNDS,
    MAX_BUCKETS,
    InvalidBoundsError,
    bucket_count,
    bucket_index,
    bucket_ranges,
    format_bounds,
    parse_bounds,
    sql_thresholds,
)


def test_default_buckets_are_not_due_then_30_60_90_180_365_and_over():
    assert bucket_ranges(DEFAULT_BOUNDS) == [
        (None, 0),
        (1, 30),
        (31, 60),
        (61, 90),
        (91, 180),
        (181, 365),
        (366, None),
    ]
    assert bucket_count(DEFAULT_BOUNDS) == 7


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-40, 0),
        (0, 0),
        (1, 1),
        (30, 1),
        (31, 2),
        (60, 2),
        (61, 3),
        (90, 3),
        (91, 4),
        (180, 4),
        (181, 5),
        (365, 5),
        (366, 6),
        (5000, 6),
    ],
)
def test_an_item_falls_in_the_bucket_whose_bound_it_does_not_exceed(days, bucket):
    assert bucket_index(days, DEFAULT_BOUNDS) == bucket


def test_a_single_bound_gives_not_due_up_to_and_over():
    assert bucket_ranges((45,)) == [(None, 0), (1, 45), (46, None)]
    assert [bucket_index(d, (45,)) for d in (0, 1, 45, 46)] == [0, 1, 1, 2]


bounds_strategy = st.lists(
    st.integers(min_value=1, max_value=2000), min_size=1, max_size=MAX_BUCKETS - 2, unique=True
).map(lambda values: tuple(sorted(values)))


@given(bounds_strategy, st.integers(min_value=-1000, max_value=5000))
def test_the_bucket_is_the_one_its_range_describes(bounds, days):
    low, high = bucket_ranges(bounds)[bucket_index(days, bounds)]
    assert low is None or low <= days
    assert high is None or days <= high


@given(bounds_strategy, st.integers(min_value=-1000, max_value=5000))
def test_sql_thresholds_give_the_same_bucket_as_python(bounds, days):
    # PostgreSQL's width_bucket(x, thresholds) = number of thresholds <= x
    thresholds = sql_thresholds(bounds)
    assert sum(1 for t in thresholds if t <= days) == bucket_index(days, bounds)


@given(bounds_strategy)
def test_bounds_read_back_from_their_text(bounds):
    assert parse_bounds(format_bounds(bounds)) == bounds


def test_bounds_text_may_have_spaces():
    assert parse_bounds(" 30, 60 ,90,180, 365 ") == DEFAULT_BOUNDS


@pytest.mark.parametrize(
    ("text", "message", "problem", "value"),
    [
        ("", "at least one", "empty", ""),
        ("30,,60", "not a whole number", "not_a_number", ""),
        ("30,sixty", "not a whole number", "not_a_number", "sixty"),
        ("30.5,60", "not a whole number", "not_a_number", "30.5"),
        ("0,30", "positive", "not_positive", "0"),
        ("-30,30", "positive", "not_positive", "-30"),
        ("30,30,60", "strictly increasing", "not_increasing", "30"),
        ("60,30", "strictly increasing", "not_increasing", "30"),
        ("10,20,30,40,50,60,70", "At most 6", "too_many", "7"),
        ("30,60,99999999999", "at most 3650 days", "too_large", "99999999999"),
        ("30,3651", "at most 3650 days", "too_large", "3651"),
    ],
)
def test_bad_bounds_are_refused_with_a_clear_message(text, message, problem, value):
    with pytest.raises(InvalidBoundsError, match=message) as error:
        parse_bounds(text)
    assert (error.value.problem, error.value.value) == (problem, value)


def test_ten_years_is_the_largest_bound():
    assert parse_bounds("30,365,3650") == (30, 365, 3650)


def test_invalid_bounds_are_value_errors():
    with pytest.raises(ValueError):
        parse_bounds("abc")
