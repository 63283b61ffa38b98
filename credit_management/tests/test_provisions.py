from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from credit_management.provisions import (
    DEFAULT_DOUBTFUL_DAYS,
    DEFAULT_DOUBTFUL_RATE,
    DEFAULT_RATES,
    DOUBTFUL,
    NOT_DUE,
    OVERDUE,
    ProvisionItem,
    adjustment,
    classify,
    propose_provision,
    validate_rates,
)

D = Decimal


def test_items_not_past_their_due_date_are_not_due():
    assert classify(0, 180) == NOT_DUE
    assert classify(-10, 180) == NOT_DUE
    assert classify(None, 180) == NOT_DUE


def test_items_past_due_are_overdue_until_the_doubtful_threshold():
    assert classify(1, 180) == OVERDUE
    assert classify(179, 180) == OVERDUE
    assert classify(180, 180) == DOUBTFUL


def test_an_officer_decision_makes_any_item_doubtful():
    assert classify(-3, 180, officer_doubtful=True) == DOUBTFUL
    assert classify(5, 180, officer_doubtful=True) == DOUBTFUL


def test_a_zero_threshold_leaves_doubtful_to_the_officer():
    assert classify(5000, 0) == OVERDUE


def rate_of(days_overdue):
    """The rate (%) an item of 100.00 ``days_overdue`` days past due is provisioned at."""
    return propose_provision([ProvisionItem(100, days_overdue)], DEFAULT_RATES).provision


def test_rate_is_the_one_of_the_bucket_the_age_falls_in():
    assert rate_of(-5) == 0
    assert rate_of(0) == 0
    assert rate_of(1) == 1
    assert rate_of(30) == 1
    assert rate_of(31) == 5
    assert rate_of(90) == 10
    assert rate_of(180) == 30
    assert rate_of(181) == 50
    assert rate_of(365) == 50
    assert rate_of(366) == 100


def test_default_rates_are_valid_and_bad_tables_are_told():
    assert validate_rates(DEFAULT_RATES) == []
    assert validate_rates([(1, 5)]) == ["no_not_due"]
    assert validate_rates([(0, 0), (0, 1)]) == ["duplicate"]
    assert validate_rates([(0, 0), (-1, 1)]) == ["negative_start"]
    assert validate_rates([(0, 0), (30, 101)]) == ["rate_out_of_range"]


def test_provision_applies_each_bucket_rate_and_the_doubtful_rate():
    items = [
        ProvisionItem(D("1000.00"), -10),  # not due: 0 %
        ProvisionItem(D("2000.00"), 15),  # 1-30: 1 % = 20.00
        ProvisionItem(D("333.33"), 45),  # 31-60: 5 % = 16.6665
        ProvisionItem(D("500.00"), 200),  # 181-365: 50 % = 250.00
        ProvisionItem(D("400.00"), 20, doubtful=True),  # doubtful: 100 % = 400.00
    ]
    proposal = propose_provision(items, DEFAULT_RATES)
    # 20.00 + 16.6665 + 250.00 + 400.00 = 686.6665 -> 686.67 (half up, once per customer)
    assert proposal.provision == D("686.67")
    assert proposal.bucket_amounts == (
        D("1000.00"),
        D("2000.00"),
        D("333.33"),
        0,
        0,
        D("500.00"),
        0,
    )
    assert proposal.doubtful_amount == D("400.00")
    assert proposal.total == D("4233.33")


def test_credit_notes_lower_the_provision_but_never_below_zero():
    # 1,000 at 10 % = 100; an unmatched 300 payment, not due: 0 % -> still 100
    assert propose_provision(
        [ProvisionItem(1000, 70), ProvisionItem(-300, 0)], DEFAULT_RATES
    ).provision == D("100.00")
    # a 2,000 credit note 40 days old (5 % = -100) against 1,000 at 1 % (10): -90 -> 0
    assert (
        propose_provision(
            [ProvisionItem(1000, 5), ProvisionItem(-2000, 40)], DEFAULT_RATES
        ).provision
        == 0
    )


def test_provision_rounds_to_the_currency_digits():
    # 1,234 x 1 % = 12.34 -> 12 with no decimals
    assert propose_provision([ProvisionItem(1234, 3)], DEFAULT_RATES, digits=0).provision == 12


def test_adjustment_is_proposed_minus_previous():
    assert adjustment(D("686.67"), D("700.00")) == D("-13.33")


@given(
    st.lists(
        st.tuples(st.decimals(min_value=0, max_value=10**7, places=2), st.integers(-60, 800)),
        max_size=20,
    )
)
def test_provision_of_positive_items_is_between_nothing_and_everything(rows):
    proposal = propose_provision([ProvisionItem(a, d) for a, d in rows], DEFAULT_RATES)
    total = sum((a for a, _d in rows), D(0))
    assert 0 <= proposal.provision <= total
    assert proposal.total == total


def test_the_default_threshold_hides_no_bucket_rate():
    # the threshold is the first day of the last bucket, whose rate is the doubtful rate
    assert DEFAULT_RATES[-1] == (DEFAULT_DOUBTFUL_DAYS, DEFAULT_DOUBTFUL_RATE)
    # an item 200 days overdue is in the 181-365 bucket at 50 %, not doubtful
    assert classify(200, DEFAULT_DOUBTFUL_DAYS) == OVERDUE
    assert rate_of(200) == 50
