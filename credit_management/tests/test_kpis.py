from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from credit_management.kpis import (
    average_days_delinquent,
    bad_debt_ratio,
    best_possible_dso,
    cash_conversion_cycle,
    collection_effectiveness_index,
    countback_dso,
    days_inventory_outstanding,
    days_payables_outstanding,
    dso,
    months_back,
    overdue_ratio,
    weighted_average_days,
)

D = Decimal


def test_dso_divides_closing_ar_by_credit_sales_times_days():
    # 150,000 / 270,000 x 90 = 50 days
    assert dso(D(150_000), D(270_000), 90) == D(50)


def test_dso_takes_floats_exactly():
    # 0.1 / 0.3 x 90 = 30 (through the text form of the floats, not binary)
    assert round(dso(0.1, 0.3, 90), 20) == D(30)


def test_dso_without_credit_sales_is_not_computable():
    assert dso(D(1000), D(0), 90) is None
    assert dso(None, D(1000), 90) is None


def test_countback_consumes_whole_months_then_a_fraction():
    # AR 250,000; June (30 days) 100,000 -> 30 days, AR left 150,000;
    # May (31 days) 120,000 -> 31 days, AR left 30,000;
    # April (30 days) 60,000 -> 30,000 / 60,000 x 30 = 15 days; DSO = 30 + 31 + 15 = 76
    months = [(30, D(100_000)), (31, D(120_000)), (30, D(60_000))]
    assert countback_dso(D(250_000), months) == D(76)


def test_countback_ignores_a_peak_that_standard_dso_smooths():
    # the same AR against a last month that sold 250,000 by itself: 250,000 / 250,000 x 30
    assert countback_dso(D(250_000), [(30, D(250_000)), (31, D(10))]) == D(30)


def test_countback_counts_a_month_without_sales_in_full():
    # June sold nothing: 30 days; May 100,000 for AR 50,000: 50,000/100,000 x 31 = 15.5
    assert countback_dso(D(50_000), [(30, D(0)), (31, D(100_000))]) == D("45.5")


def test_countback_is_zero_without_receivable_and_unknown_beyond_history():
    assert countback_dso(D(0), [(30, D(100))]) == 0
    assert countback_dso(D(-5), [(30, D(100))]) == 0
    # 500 owed but only 300 sold in the months given
    assert countback_dso(D(500), [(30, D(100)), (31, D(200))]) is None
    assert countback_dso(None, [(30, D(100))]) is None


def test_best_possible_dso_uses_the_not_yet_due_part():
    # current AR 90,000 / 270,000 x 90 = 30 days
    assert best_possible_dso(D(90_000), D(270_000), 90) == D(30)


def test_average_days_delinquent_is_dso_minus_best_dso():
    # 50 - 30 = 20 days
    assert average_days_delinquent(D(50), D(30)) == D(20)
    assert average_days_delinquent(None, D(30)) is None


def test_cei_compares_what_was_collected_with_what_could_be():
    # opening 100,000 + sales 270,000 - closing 150,000 = 220,000 collected;
    # opening 100,000 + sales 270,000 - current 90,000 = 280,000 collectible;
    # 220,000 / 280,000 x 100 = 78.5714...%
    cei = collection_effectiveness_index(D(100_000), D(270_000), D(150_000), D(90_000))
    assert round(cei, 4) == D("78.5714")


def test_cei_is_100_when_everything_due_was_collected():
    # closing AR = closing current AR: (100 + 200 - 50) / (100 + 200 - 50)
    assert collection_effectiveness_index(100, 200, 50, 50) == D(100)


def test_cei_with_nothing_collectible_is_not_computable():
    # 0 + 100 - 100 on the bottom line
    assert collection_effectiveness_index(0, 100, 100, 100) is None
    assert collection_effectiveness_index(None, 100, 100, 100) is None


def test_overdue_ratio_is_overdue_over_total_in_percent():
    # 60,000 / 150,000 x 100 = 40 %
    assert overdue_ratio(D(60_000), D(150_000)) == D(40)
    assert overdue_ratio(D(0), D(0)) is None


def test_bad_debt_ratio_is_written_off_over_credit_sales_in_percent():
    # 2,700 / 270,000 x 100 = 1 %
    assert bad_debt_ratio(D(2_700), D(270_000)) == D(1)
    assert bad_debt_ratio(D(2_700), None) is None


def test_cash_conversion_cycle_adds_inventory_and_receivable_days_less_payable_days():
    # DIO = 50,000 / 150,000 x 90 = 30; DPO = 40,000 / 180,000 x 90 = 20; DSO 50
    dio = days_inventory_outstanding(D(50_000), D(150_000), 90)
    dpo = days_payables_outstanding(D(40_000), D(180_000), 90)
    assert (dio, dpo) == (D(30), D(20))
    # 30 + 50 - 20 = 60 days
    assert cash_conversion_cycle(dio, D(50), dpo) == D(60)


def test_cash_conversion_cycle_without_inventory_data_is_not_computable():
    assert cash_conversion_cycle(None, D(50), D(20)) is None


def test_months_back_goes_through_calendar_months_most_recent_first():
    assert months_back(date(2024, 3, 15), 3) == [
        (date(2024, 3, 1), date(2024, 3, 15)),
        (date(2024, 2, 1), date(2024, 2, 29)),
        (date(2024, 1, 1), date(2024, 1, 31)),
    ]
    assert months_back(date(2024, 1, 31), 2)[1] == (date(2023, 12, 1), date(2023, 12, 31))


amounts = st.decimals(min_value=1, max_value=10**9, places=2)


@given(ar=amounts, sales=st.lists(amounts, min_size=1, max_size=12))
def test_countback_stays_within_the_months_walked(ar, sales):
    months = [(30, s) for s in sales]
    result = countback_dso(ar, months)
    if ar <= sum(sales):
        assert 0 < result <= 30 * len(sales)
    else:
        assert result is None


@given(sales=amounts, ratio=st.decimals(min_value=0, max_value=24, places=3))
def test_countback_on_equal_months_matches_standard_dso(sales, ratio):
    # with the same sales every month and enough history both methods agree
    ar = sales * ratio
    months = [(30, sales)] * 26
    expected = dso(ar, sales * len(months), 30 * len(months))
    assert abs(countback_dso(ar, months) - expected) < D("1e-20") * (1 + expected)


def test_weighted_average_days_takes_amounts_grouped_by_day_count():
    # (100 x 10 + 300 x 30) / 400 = 10,000 / 400 = 25
    assert weighted_average_days([(100, 10), (300, 30)]) == D(25)
    assert weighted_average_days([]) is None
    assert weighted_average_days([(D(0), 5)]) is None


def test_weighted_average_days_keeps_early_payments_negative():
    items = [(D(1000), 10), (D(3000), -2), (D(1000), 30)]
    # (10,000 - 6,000 + 30,000) / 5,000 = 6.8
    assert weighted_average_days(items) == D("6.8")
