from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from credit_management.dashboard import (
    UTILISATION_OVER,
    UTILISATION_WATCH,
    change,
    month_ends,
    previous_period,
    utilisation,
    utilisation_band,
)

D = Decimal


def test_previous_period_is_the_same_length_just_before():
    assert previous_period(date(2024, 6, 1), date(2024, 6, 30)) == (
        date(2024, 5, 2),
        date(2024, 5, 31),
    )


@given(st.dates(min_value=date(2000, 1, 1)), st.integers(min_value=0, max_value=800))
def test_previous_period_ends_the_day_before_and_has_as_many_days(start, length):
    end = date.fromordinal(start.toordinal() + length)
    before_from, before_to = previous_period(start, end)
    assert (start - before_to).days == 1
    assert (before_to - before_from).days == length


def test_change_gives_delta_percent_and_direction():
    result = change(D(45), D(50))
    assert result.delta == D(-5)
    assert result.percent == D(-10)
    assert result.direction == "down"


def test_change_of_a_negative_figure_is_measured_on_its_size():
    # from -200 to -100: up by 100, i.e. +50 % of 200
    assert change(-100, -200).percent == D(50)
    assert change(-100, -200).direction == "up"


def test_change_from_nothing_has_no_percentage():
    result = change(D(10), D(0))
    assert result.delta == D(10)
    assert result.percent is None
    assert result.direction == "up"


def test_change_with_an_unknown_figure_is_unknown():
    result = change(None, D(3))
    assert (result.delta, result.percent, result.direction) == (None, None, None)


def test_month_ends_mid_month_start_with_the_previous_month():
    assert month_ends(date(2024, 6, 15), 3) == [
        date(2024, 3, 31),
        date(2024, 4, 30),
        date(2024, 5, 31),
    ]


def test_month_ends_include_a_month_end_given_and_cross_the_year():
    assert month_ends(date(2024, 2, 29), 3) == [
        date(2023, 12, 31),
        date(2024, 1, 31),
        date(2024, 2, 29),
    ]


def test_twelve_month_ends():
    ends = month_ends(date(2024, 6, 30), 12)
    assert len(ends) == 12
    assert ends[0] == date(2023, 7, 31)
    assert ends[-1] == date(2024, 6, 30)


def test_utilisation_is_exposure_over_limit():
    assert utilisation(D(9_000), D(10_000)) == D("0.9")
    assert utilisation(D(9_000), D(0)) is None


def test_utilisation_bands():
    assert utilisation_band(D(8_000), D(10_000)) is None  # exactly 80 %: not over
    assert utilisation_band(D("8000.01"), D(10_000)) == UTILISATION_WATCH
    assert utilisation_band(D(10_000), D(10_000)) == UTILISATION_WATCH  # at the limit
    assert utilisation_band(D("10000.01"), D(10_000)) == UTILISATION_OVER


def test_owing_with_a_limit_of_zero_is_over_it():
    assert utilisation_band(D(1), D(0)) == UTILISATION_OVER


def test_unlimited_or_nothing_owed_is_never_over():
    assert utilisation_band(D(50_000), D(10_000), unlimited=True) is None
    assert utilisation_band(D(0), D(0)) is None
    assert utilisation_band(D(-500), D(0)) is None
