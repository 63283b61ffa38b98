from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credit_management.statement import (
    KIND_CREDIT_NOTE,
    KIND_EXCHANGE,
    KIND_INVOICE,
    KIND_OTHER,
    KIND_PAYMENT,
    PRESET_LAST_MONTH,
    PRESET_THIS_MONTH,
    Period,
    month_period,
    movement_kind,
    preset_period,
)


def test_last_month_is_the_previous_calendar_month():
    assert preset_period(PRESET_LAST_MONTH, date(2024, 3, 15)) == Period(
        date(2024, 2, 1), date(2024, 2, 29)
    )


def test_last_month_in_january_is_december_of_the_year_before():
    assert preset_period(PRESET_LAST_MONTH, date(2024, 1, 1)) == Period(
        date(2023, 12, 1), date(2023, 12, 31)
    )


def test_this_month_stops_today():
    assert preset_period(PRESET_THIS_MONTH, date(2024, 6, 17)) == Period(
        date(2024, 6, 1), date(2024, 6, 17)
    )


def test_unknown_preset_is_refused():
    with pytest.raises(ValueError):
        preset_period("next_year", date(2024, 6, 17))


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError):
        Period(date(2024, 6, 2), date(2024, 6, 1))


@given(st.dates(min_value=date(1900, 2, 1), max_value=date(2200, 12, 31)))
def test_month_period_covers_the_month_exactly(day):
    period = month_period(day)
    assert period.date_from.day == 1
    assert period.date_from <= day <= period.date_to
    assert (period.date_to + timedelta(days=1)).day == 1
    assert period.date_to.month == day.month


@given(st.dates(min_value=date(1900, 2, 1), max_value=date(2200, 12, 31)))
def test_last_month_ends_the_day_before_this_month_starts(day):
    last = preset_period(PRESET_LAST_MONTH, day)
    this = preset_period(PRESET_THIS_MONTH, day)
    assert last.date_to + timedelta(days=1) == this.date_from


@pytest.mark.parametrize(
    ("move_type", "is_payment", "is_exchange", "kind"),
    [
        ("out_invoice", False, False, KIND_INVOICE),
        ("out_refund", False, False, KIND_CREDIT_NOTE),
        ("entry", True, False, KIND_PAYMENT),
        ("entry", False, True, KIND_EXCHANGE),
        ("entry", False, False, KIND_OTHER),
    ],
)
def test_movement_kind(move_type, is_payment, is_exchange, kind):
    assert movement_kind(move_type, is_payment, is_exchange) == kind
