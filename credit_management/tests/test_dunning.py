from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credit_management.dunning import (
    DEFAULT_EFFECTIVENESS_WINDOWS,
    FEE_FIXED,
    FEE_INTEREST,
    FEE_NONE,
    Fee,
    InterestItem,
    InvalidWindowsError,
    ItemState,
    Level,
    check_windows,
    communication_fee,
    days_from_due,
    item_interest,
    net_of_credits,
    next_level,
    round_to,
)

D = Decimal
DUE = date(2024, 6, 30)
# the source practice: one week before, three days before, on the day (skippable
# reminders), then overdue levels that must each be sent
PRACTICE = (
    Level(1, -7, skippable=True),
    Level(2, -3, skippable=True),
    Level(3, 0, skippable=True),
    Level(4, 15),
    Level(5, 30),
    Level(6, 60),
    Level(7, 90),
)


def on(days):
    return DUE + timedelta(days=days)


def item(last=None, last_days=None, amount="100", disputed=False):
    return ItemState(
        due=DUE,
        open_amount=D(amount),
        last_level=last,
        last_date=on(last_days) if last_days is not None else None,
        disputed=disputed,
    )


def key(level):
    return level.key if level else None


# --- level selection ---------------------------------------------------------------------


def test_days_from_due_are_negative_before_due():
    assert days_from_due(DUE, on(-7)) == -7
    assert days_from_due(DUE, DUE) == 0
    assert days_from_due(DUE, on(15)) == 15


def test_nothing_is_due_before_the_first_reminder():
    assert next_level(PRACTICE, item(), on(-8)) is None


def test_one_week_before_due_the_first_reminder_is_due():
    assert key(next_level(PRACTICE, item(), on(-7))) == 1


def test_three_days_before_due_the_second_reminder_follows_the_first():
    assert key(next_level(PRACTICE, item(last=1, last_days=-7), on(-3))) == 2


def test_an_item_invoiced_late_skips_the_week_before_reminder():
    assert key(next_level(PRACTICE, item(), on(-3))) == 2


def test_on_the_due_day_the_visit_is_due():
    assert key(next_level(PRACTICE, item(last=2, last_days=-3), on(0))) == 3


def test_the_same_level_is_never_due_twice():
    assert next_level(PRACTICE, item(last=4, last_days=15), on(16)) is None
    assert next_level(PRACTICE, item(last=4, last_days=15), on(29)) is None


def test_overdue_levels_are_not_skipped():
    # first dunned 100 days late: the skippable reminders are passed over, but every
    # overdue level comes in turn
    assert key(next_level(PRACTICE, item(), on(100))) == 4
    assert key(next_level(PRACTICE, item(last=4, last_days=100), on(101))) == 5


def test_a_skippable_level_is_sent_when_the_next_is_not_due_yet():
    levels = (Level(1, 10, skippable=True), Level(2, 20))
    assert key(next_level(levels, item(), on(15))) == 1
    assert key(next_level(levels, item(), on(20))) == 2


def test_levels_are_taken_in_order_of_days_not_of_keys():
    levels = (Level(9, 30), Level(3, 15))
    assert key(next_level(levels, item(), on(40))) == 3
    assert key(next_level(levels, item(last=3, last_days=33), on(40))) == 9


def test_the_minimum_gap_holds_back_the_next_level():
    state = item(last=4, last_days=100)
    assert next_level(PRACTICE, state, on(103), min_gap_days=7) is None
    assert key(next_level(PRACTICE, state, on(107), min_gap_days=7)) == 5


def test_an_item_dunned_today_gets_no_other_level_the_same_day_without_a_gap():
    # 100 days overdue, first overdue level reached today: the letter is due too by days,
    # but not on the same day, even with no minimum gap
    state = item(last=4, last_days=100)
    assert next_level(PRACTICE, state, on(100), min_gap_days=0) is None
    assert key(next_level(PRACTICE, state, on(101), min_gap_days=0)) == 5
    # a date of the last contact after the run's date (a run started by hand for a past
    # day) holds everything back as well
    assert next_level(PRACTICE, item(last=4, last_days=102), on(101)) is None


def test_levels_closer_than_the_minimum_gap_keep_their_own_spacing():
    # -7 and -3 are 4 days apart: a 7-day minimum gap does not hold back the second
    state = item(last=1, last_days=-7)
    assert key(next_level(PRACTICE, state, on(-3), min_gap_days=7)) == 2
    assert next_level(PRACTICE, item(last=1, last_days=-5), on(-3), min_gap_days=7) is None


def test_paid_and_disputed_items_drop_out():
    assert next_level(PRACTICE, item(amount="0"), on(20)) is None
    assert next_level(PRACTICE, item(amount="-5"), on(20)) is None
    assert next_level(PRACTICE, item(disputed=True), on(20)) is None


def test_after_the_last_level_nothing_more_is_due():
    assert next_level(PRACTICE, item(last=7, last_days=90), on(400)) is None


def test_an_item_whose_level_was_removed_continues_after_what_was_due_that_day():
    # last reached a level (key 42) no longer in the policy, 31 days overdue:
    # levels 1-5 count as reached, level 6 (60 days) is next
    state = item(last=42, last_days=31)
    assert next_level(PRACTICE, state, on(59)) is None
    assert key(next_level(PRACTICE, state, on(60))) == 6


def test_no_levels_means_nothing_due():
    assert next_level((), item(), on(100)) is None


levels_strategy = st.lists(
    st.tuples(st.integers(-30, 120), st.booleans()),
    min_size=1,
    max_size=8,
    unique_by=lambda t: t[0],
).map(lambda rows: tuple(Level(i + 1, d, s) for i, (d, s) in enumerate(rows)))


@given(levels_strategy, st.integers(-40, 200), st.integers(-40, 200))
def test_dunning_every_day_reaches_levels_in_order_without_skipping_a_mandatory_one(
    levels, start, end
):
    """Simulating daily runs from ``start`` to ``end``: each level is reached at most once,
    in order of days, never before its days, and a level is only left out when it is
    skippable."""
    ordered = sorted(levels, key=lambda lv: lv.days)
    state = item()
    reached = []
    for day in range(start, end + 1):
        level = next_level(levels, state, on(day))
        if level:
            assert level.days <= day
            reached.append(level)
            state = item(last=level.key, last_days=day)
    assert len(reached) == len(set(reached))
    positions = [ordered.index(level) for level in reached]
    assert positions == sorted(positions)
    if reached:
        left_out = [lv for lv in ordered[: positions[-1]] if lv not in reached]
        assert all(lv.skippable for lv in left_out)


@given(levels_strategy, st.integers(-40, 200))
def test_a_disputed_item_never_gets_a_level(levels, day):
    assert next_level(levels, item(disputed=True), on(day)) is None


# --- fees --------------------------------------------------------------------------------


def test_round_to_the_cent_half_up():
    assert round_to(D("10.005"), D("0.01")) == D("10.01")
    assert round_to(D("10.0049"), D("0.01")) == D("10.00")
    assert round_to(D("12.5"), D("1")) == D("13")
    with pytest.raises(ValueError):
        round_to(D(1), D(0))


def test_fixed_fee_is_the_fixed_amount_whatever_the_items():
    fee = Fee(kind=FEE_FIXED, amount=D("25.00"))
    assert communication_fee(fee, [InterestItem(D("1000"), 40)], D("0.01")) == D("25.00")
    assert communication_fee(fee, [], D("0.01")) == D("25.00")


def test_no_fee():
    fee = Fee(kind=FEE_NONE, amount=D("25.00"), rate=D("0.05"))
    assert communication_fee(fee, [InterestItem(D("1000"), 40)], D("0.01")) == D("0.00")


def test_interest_per_day_on_the_overdue_amount_to_the_cent():
    # 1,234.56 x 0.05 % x 17 days = 10.49376 ; 800 x 0.05 % x 3 days = 1.2 -> 11.69
    fee = Fee(kind=FEE_INTEREST, rate=D("0.05"))
    items = [InterestItem(D("1234.56"), 17), InterestItem(D("800"), 3)]
    assert communication_fee(fee, items, D("0.01")) == D("11.69")


def test_interest_is_raised_to_the_minimum_and_lowered_to_the_cap():
    items = [InterestItem(D("1000"), 10)]  # 1000 x 0.05 % x 10 = 5.00
    assert communication_fee(
        Fee(kind=FEE_INTEREST, rate=D("0.05"), minimum=D("8")), items, D("0.01")
    ) == D("8.00")
    assert communication_fee(
        Fee(kind=FEE_INTEREST, rate=D("0.05"), cap=D("3.5")), items, D("0.01")
    ) == D("3.50")


def test_no_interest_no_minimum():
    fee = Fee(kind=FEE_INTEREST, rate=D("0.05"), minimum=D("8"))
    assert communication_fee(fee, [InterestItem(D("1000"), 0)], D("0.01")) == D("0.00")
    assert item_interest(InterestItem(D("-50"), 10), D("0.05")) == D(0)


def test_interest_rounds_to_the_currency_unit():
    fee = Fee(kind=FEE_INTEREST, rate=D("0.05"))
    # 12,345 x 0.05 % x 7 = 43.2075 -> 43 in a currency without cents
    assert communication_fee(fee, [InterestItem(D("12345"), 7)], D("1")) == D("43")


money = st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2)


@given(
    st.lists(st.tuples(money, st.integers(-10, 400)), max_size=10),
    st.decimals(min_value=D("0"), max_value=D("1"), places=4),
    st.decimals(min_value=D("0"), max_value=D("100"), places=2),
    st.decimals(min_value=D("0"), max_value=D("5000"), places=2),
)
def test_interest_stays_within_minimum_and_cap_and_is_in_cents(rows, rate, minimum, cap):
    fee = Fee(kind=FEE_INTEREST, rate=rate, minimum=minimum, cap=cap)
    items = [InterestItem(amount, days) for amount, days in rows]
    charged = communication_fee(fee, items, D("0.01"))
    raw = sum((item_interest(i, rate) for i in items), D(0))
    assert charged == charged.quantize(D("0.01"))
    assert charged >= 0
    if cap > 0:
        assert charged <= cap
    if raw > 0 and minimum > 0 and (cap == 0 or minimum <= cap):
        assert charged >= minimum
    if raw > 0 and (minimum == 0 or raw >= minimum) and (cap == 0 or raw <= cap):
        assert abs(charged - raw) <= D("0.005")


# --- unapplied credits --------------------------------------------------------------------


def test_unapplied_credits_settle_the_oldest_items_first():
    items = [
        ("new", date(2024, 3, 1), Decimal("34250.00")),
        ("old", date(2024, 1, 1), Decimal("61000.00")),
    ]
    # 70,000.00 of credit notes: the old invoice is covered, 25,250.00 of the new one is left
    assert net_of_credits(items, Decimal("70000.00"), Decimal("25250.00")) == {
        "new": Decimal("25250.00")
    }


def test_a_customer_who_owes_nothing_in_all_is_not_dunned():
    items = [("a", date(2024, 1, 1), Decimal("61000")), ("b", date(2024, 2, 1), Decimal("34250"))]
    assert net_of_credits(items, Decimal("95250"), Decimal("0")) == {}
    assert net_of_credits(items, Decimal("100000"), Decimal("-4750")) == {}


def test_without_credits_every_item_is_dunned_in_full():
    items = [("a", date(2024, 1, 1), Decimal("10")), ("b", date(2024, 2, 1), Decimal("5"))]
    assert net_of_credits(items, Decimal("0"), Decimal("15")) == {
        "a": Decimal("10"),
        "b": Decimal("5"),
    }


@given(
    st.lists(
        st.tuples(st.integers(0, 400), st.decimals("0.01", "100000", places=2)),
        min_size=1,
        max_size=8,
    ),
    st.decimals("0", "300000", places=2),
)
def test_the_amount_dunned_is_what_is_owed_on_these_items_net_of_credits(rows, credits):
    items = [
        (index, date(2024, 1, 1) + timedelta(days=days), amount)
        for index, (days, amount) in enumerate(rows)
    ]
    total = sum(amount for _key, _due, amount in items)
    left = net_of_credits(items, credits, total - credits)
    assert sum(left.values(), Decimal(0)) == max(total - credits, Decimal(0))
    assert all(0 < left[key] <= amount for key, _due, amount in items if key in left)


# --- no fee on fees ---------------------------------------------------------------------


def test_a_fee_item_bears_no_interest():
    # 1,000 x 0.05 % x 40 = 20.00 on the debt; the 50.00 fee it carries bears nothing
    fee = Fee(kind=FEE_INTEREST, rate=D("0.05"), minimum=D("8"))
    items = [InterestItem(D("1000"), 40), InterestItem(D("50"), 40, chargeable=False)]
    assert communication_fee(fee, items, D("0.01")) == D("20.00")
    assert item_interest(InterestItem(D("50"), 40, chargeable=False), D("0.05")) == D(0)


def test_fees_alone_raise_no_minimum_interest():
    fee = Fee(kind=FEE_INTEREST, rate=D("0.05"), minimum=D("8"))
    items = [InterestItem(D("50"), 40, chargeable=False)]
    assert communication_fee(fee, items, D("0.01")) == D("0.00")


def test_a_reminder_of_fees_alone_carries_no_fixed_fee():
    fee = Fee(kind=FEE_FIXED, amount=D("25.00"))
    fees_only = [InterestItem(D("50"), 40, chargeable=False)]
    assert communication_fee(fee, fees_only, D("0.01")) == D("0.00")
    mixed = [*fees_only, InterestItem(D("1000"), 40)]
    assert communication_fee(fee, mixed, D("0.01")) == D("25.00")


# --- effectiveness windows ----------------------------------------------------------------


def test_the_default_windows_are_7_30_and_60_days():
    assert check_windows(DEFAULT_EFFECTIVENESS_WINDOWS) == (7, 30, 60)
    assert check_windows([1, 2, 3650]) == (1, 2, 3650)


@pytest.mark.parametrize(
    ("windows", "problem", "value"),
    [
        ((0, 30, 60), "not_positive", 0),
        ((7, -30, 60), "not_positive", -30),
        ((7, 30, 30), "not_increasing", 30),
        ((30, 7, 60), "not_increasing", 7),
        ((7, 30, 3651), "too_large", 3651),
    ],
)
def test_windows_must_be_positive_and_increasing(windows, problem, value):
    with pytest.raises(InvalidWindowsError) as error:
        check_windows(windows)
    assert (error.value.problem, error.value.value) == (problem, value)


@given(st.lists(st.integers(1, 3650), min_size=1, max_size=5, unique=True))
def test_any_increasing_positive_windows_are_accepted(windows):
    assert check_windows(sorted(windows)) == tuple(sorted(windows))
