from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from credit_management.concentration import (
    above_threshold,
    budget_check,
    concentration,
    positive_amounts,
    shares,
)

D = Decimal


def test_shares_divide_each_amount_by_the_total_of_positive_amounts():
    # total 500 + 300 + 200 = 1,000 (the customer in credit, -50, holds no share)
    assert shares([500, 300, 200, -50]) == [D("0.5"), D("0.3"), D("0.2"), D(0)]


def test_shares_are_zero_when_nothing_is_owed():
    assert shares([0, -10]) == [D(0), D(0)]


def test_concentration_of_a_hand_made_set():
    # 500, 300, 200 of 1,000: largest 0.5, top 10 = all = 1,
    # HHI = 0.25 + 0.09 + 0.04 = 0.38
    result = concentration([200, 500, 300, 0, -40])
    assert result.total == D(1000)
    assert result.largest_share == D("0.5")
    assert result.top_share == D(1)
    assert result.hhi == D("0.38")
    assert result.count == 3


def test_the_top_share_counts_only_the_ten_largest():
    # twelve customers: 10 of 100 and 2 of 50 = 1,100; top 10 = 1,000 / 1,100
    result = concentration([100] * 10 + [50, 50])
    assert abs(result.top_share - D(1000) / D(1100)) < D("1e-20")
    # HHI = 10 x (1/11)^2 + 2 x (1/22)^2 = 10/121 + 2/484 = 42/484
    assert abs(result.hhi - D(42) / D(484)) < D("1e-20")


def test_one_customer_holds_everything():
    result = concentration([D("123.45")])
    assert (result.largest_share, result.top_share, result.hhi) == (D(1), D(1), D(1))


def test_nothing_owed_gives_zeros():
    result = concentration([0, -5])
    assert (result.total, result.largest_share, result.top_share, result.hhi) == (0, 0, 0, 0)


@given(st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=40))
def test_hhi_lies_between_one_over_n_and_one(amounts):
    result = concentration(amounts)
    assert D(1) / len(amounts) - D("1e-20") <= result.hhi <= D(1) + D("1e-20")
    assert result.largest_share <= result.top_share <= D(1) + D("1e-20")


@given(st.lists(st.integers(min_value=-(10**6), max_value=10**6), max_size=30))
def test_positive_amounts_are_sorted_largest_first(amounts):
    values = positive_amounts(amounts)
    assert values == sorted(values, reverse=True)
    assert all(value > 0 for value in values)


def test_a_raise_beyond_the_budget_reports_its_excess():
    # budget 10,000; 9,000 in force, raised by 2,000 to 11,000: 1,000 over
    check = budget_check(10_000, 11_000, 2_000)
    assert check.exceeded
    assert (check.budget, check.in_force, check.requested, check.excess) == (
        D(10_000),
        D(9_000),
        D(2_000),
        D(1_000),
    )


def test_a_raise_up_to_the_budget_passes():
    assert not budget_check(10_000, 10_000, 2_000).exceeded


def test_lowering_limits_is_never_refused_even_above_the_budget():
    assert not budget_check(10_000, 12_000, -500).exceeded


def test_the_threshold_is_strictly_above_and_zero_is_off():
    assert above_threshold(D("0.1001"), 10)
    assert not above_threshold(D("0.1"), 10)
    assert not above_threshold(D("0.9"), 0)
