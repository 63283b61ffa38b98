from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from credit_management.checks import RULE_LIMIT, CheckFacts, CheckSettings, evaluate
from credit_management.provisions import ProvisionItem, propose_provision
from credit_management.securities import (
    PROBLEM_COVERAGE_RANGE,
    PROBLEM_DATES,
    PROBLEM_NEGATIVE_AMOUNT,
    PROBLEM_NEGATIVE_DEDUCTIBLE,
    allocate_secured,
    covered_amount,
    in_force,
    split_exposure,
    validate,
)

D = Decimal
TODAY = date(2024, 6, 30)


def test_a_guarantee_covers_its_amount():
    assert covered_amount(10_000) == D(10_000)


def test_credit_insurance_covers_its_share_above_the_deductible():
    # 50,000 x 90 % - 5,000 = 40,000
    assert covered_amount(50_000, 90, 5_000) == D(40_000)


def test_a_deductible_above_the_covered_share_covers_nothing():
    assert covered_amount(1_000, 50, 800) == D(0)


def test_the_secured_part_is_at_most_the_exposure():
    split = split_exposure(12_000, 40_000)
    assert (split.secured, split.unsecured) == (D(12_000), D(0))


def test_the_unsecured_part_is_what_securities_do_not_cover():
    split = split_exposure(12_000, 7_500)
    assert (split.secured, split.unsecured) == (D(7_500), D(4_500))


def test_a_customer_owing_nothing_has_nothing_secured():
    split = split_exposure(-300, 5_000)
    assert (split.secured, split.unsecured) == (D(0), D(-300))


@given(
    st.decimals(-(10**9), 10**9, places=2, allow_nan=False),
    st.decimals(0, 10**9, places=2, allow_nan=False),
)
def test_secured_and_unsecured_add_up_to_the_exposure(exposure, covered):
    split = split_exposure(exposure, covered)
    assert split.secured + split.unsecured == exposure
    assert 0 <= split.secured <= max(exposure, D(0))


def test_only_active_securities_within_their_dates_are_in_force():
    assert in_force("active", date(2024, 1, 1), date(2024, 6, 30), TODAY)
    assert not in_force("active", date(2024, 1, 1), date(2024, 6, 29), TODAY)
    assert not in_force("active", date(2024, 7, 1), None, TODAY)
    assert in_force("active", None, None, TODAY)
    for state in ("draft", "expired", "called", "cancelled"):
        assert not in_force(state, None, None, TODAY)


def test_bad_figures_are_named():
    assert validate(-1, 100, 0, None, None) == [PROBLEM_NEGATIVE_AMOUNT]
    assert validate(1, 100, -1, None, None) == [PROBLEM_NEGATIVE_DEDUCTIBLE]
    assert validate(1, 101, 0, None, None) == [PROBLEM_COVERAGE_RANGE]
    assert validate(1, -1, 0, None, None) == [PROBLEM_COVERAGE_RANGE]
    assert validate(1, 100, 0, date(2024, 2, 1), date(2024, 1, 31)) == [PROBLEM_DATES]
    assert validate(1, 100, 0, date(2024, 2, 1), date(2024, 2, 1)) == []


def test_the_secured_amount_goes_to_the_lowest_rates_first():
    # buckets (amount, rate): not due 0 %, 1-30 days 1 %, 91-180 days 30 %
    buckets = [(D(1_000), D(0)), (D(2_000), D(1)), (D(3_000), D(30))]
    assert allocate_secured(buckets, D(2_500)) == [D(1_000), D(1_500), D(0)]


def test_negative_buckets_take_no_secured_amount_and_none_is_invented():
    buckets = [(D(-500), D(0)), (D(800), D(5))]
    assert allocate_secured(buckets, D(5_000)) == [D(0), D(800)]


def test_the_provision_applies_the_rates_to_the_unsecured_part():
    rates = [(0, 0), (1, 1), (31, 5), (91, 30)]
    items = [
        ProvisionItem(1_000, 0),
        ProvisionItem(2_000, 10),
        ProvisionItem(3_000, 100),
        ProvisionItem(400, 400, doubtful=True),
    ]
    # without securities: 2,000 x 1 % + 3,000 x 30 % + 400 x 100 % = 20 + 900 + 400 = 1,320
    assert propose_provision(items, rates, 100).provision == D("1320.00")
    # 3,500 secured: 1,000 (0 %) + 2,000 (1 %) + 500 of the 3,000 (30 %);
    # 2,500 x 30 % + 400 = 750 + 400 = 1,150
    proposal = propose_provision(items, rates, 100, secured=3_500)
    assert proposal.provision == D("1150.00")
    assert proposal.bucket_secured == (D(1_000), D(2_000), D(0), D(500))
    assert proposal.doubtful_secured == D(0)
    assert proposal.secured == D(3_500)


def _facts(**values):
    return CheckFacts(**{"order_amount": 3_000, "exposure": 9_000, "limit": 10_000, **values})


def test_by_default_the_limit_judges_the_total_exposure():
    failures = evaluate(_facts(security_cover=5_000), CheckSettings(enabled={RULE_LIMIT}))
    assert failures[0].values["excess"] == D(2_000)


def test_on_unsecured_exposure_the_securities_cover_the_order_too():
    # after = 12,000, secured min(12,000, 5,000) = 5,000, unsecured 7,000 <= 10,000
    facts = _facts(security_cover=5_000, limit_on_unsecured=True)
    assert evaluate(facts, CheckSettings(enabled={RULE_LIMIT})) == ()
    # a limit of 6,000: 7,000 - 6,000 = 1,000 over
    failures = evaluate(
        _facts(security_cover=5_000, limit_on_unsecured=True, limit=6_000),
        CheckSettings(enabled={RULE_LIMIT}),
    )
    values = failures[0].values
    assert (values["secured_after"], values["unsecured_after"], values["excess"]) == (
        D(5_000),
        D(7_000),
        D(1_000),
    )
