from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credit_management.limits import (
    DEFAULT_ROUNDING,
    METHODS,
    InvalidLimitError,
    LimitProblem,
    LimitProposal,
    RoundingRule,
    propose_limit,
    validate_rounding,
)
from credit_management.ratios import FinancialStatement, RecoveryRates
from credit_management.terms import DEFAULT_GRADE_POLICIES, GradePolicy

D = Decimal
AAA = DEFAULT_GRADE_POLICIES["AAA"]  # 30 %
A = DEFAULT_GRADE_POLICIES["A"]  # 20 %
B = DEFAULT_GRADE_POLICIES["B"]  # cash on delivery


def statement(current_assets, current_liabilities, net_worth, **more):
    return FinancialStatement(
        current_assets=D(current_assets),
        current_liabilities=D(current_liabilities),
        net_worth=None if net_worth is None else D(net_worth),
        **more,
    )


def test_working_capital_method_takes_the_grade_share_of_net_working_capital():
    proposal = propose_limit("working_capital", A, statement=statement(900_000, 500_000, 10**6))
    # (900,000 - 500,000) x 20 % = 80,000 ; below net worth 1,000,000 and NWC 400,000
    assert proposal == LimitProposal(D(80_000), "working_capital", D(400_000), D(20), (), D(1000))


def test_amounts_from_ten_thousand_are_rounded_down_to_a_thousand():
    proposal = propose_limit("working_capital", A, statement=statement(223_456, 100_000, 10**6))
    # 123,456 x 20 % = 24,691.2 -> 24,000
    assert proposal.amount == D(24_000)
    assert proposal.rounding_step == D(1000)


def test_amounts_below_ten_thousand_are_rounded_down_to_a_hundred():
    proposal = propose_limit("working_capital", A, statement=statement(149_380, 100_000, 10**6))
    # 49,380 x 20 % = 9,876 -> 9,800
    assert proposal.amount == D(9_800)
    assert proposal.rounding_step == D(100)


def test_net_worth_method_is_capped_at_working_capital():
    proposal = propose_limit("net_worth", AAA, statement=statement(700_000, 500_000, 10**6))
    # 1,000,000 x 30 % = 300,000 ; NWC 700,000 - 500,000 = 200,000 -> 200,000
    assert proposal.amount == D(200_000)
    assert proposal.base_amount == D(1_000_000)
    assert proposal.caps_applied == ("working_capital",)


def test_working_capital_method_is_capped_at_net_worth():
    proposal = propose_limit("working_capital", AAA, statement=statement(900_000, 400_000, 100_000))
    # 500,000 x 30 % = 150,000 ; net worth 100,000 -> 100,000
    assert proposal.amount == D(100_000)
    assert proposal.caps_applied == ("net_worth",)


def test_when_both_caps_are_equal_both_are_named():
    proposal = propose_limit("working_capital", AAA, statement=statement(900_000, 800_000, 100_000))
    # NWC 100,000 x 30 % = 30,000 ; below both caps of 100,000
    assert proposal.caps_applied == ()
    manual = propose_limit(
        "manual", AAA, statement=statement(900_000, 800_000, 100_000), manual_amount=150_000
    )
    assert manual.amount == D(100_000)
    assert manual.caps_applied == ("net_worth", "working_capital")


def test_a_negative_net_worth_caps_the_limit_at_zero():
    proposal = propose_limit("working_capital", A, statement=statement(900_000, 500_000, -50_000))
    # 400,000 x 20 % = 80,000, but net worth -50,000 caps at 0
    assert proposal.amount == D(0)
    assert proposal.caps_applied == ("net_worth",)


def test_a_negative_base_gives_zero_not_a_negative_limit():
    proposal = propose_limit("net_worth", A, statement=statement(900_000, 500_000, -50_000))
    # -50,000 x 20 % = -10,000 -> 0
    assert proposal.amount == D(0)
    assert proposal.base_amount == D(-50_000)
    assert proposal.caps_applied == ("not_negative",)


def test_a_negative_working_capital_gives_zero():
    proposal = propose_limit("working_capital", A, statement=statement(300_000, 500_000, 10**6))
    # -200,000 x 20 % = -40,000 -> 0
    assert proposal.amount == D(0)
    assert "not_negative" in proposal.caps_applied


def test_liquidation_method_takes_a_share_of_an_appraised_liquidation_value():
    proposal = propose_limit("liquidation", A, liquidation_value=D(500_000))
    # 500,000 x 20 % = 100,000 ; no statement, so no cap
    assert proposal == LimitProposal(D(100_000), "liquidation", D(500_000), D(20), (), D(1000))


def test_liquidation_method_computes_the_value_from_the_statement():
    balance = FinancialStatement(
        total_assets=D(1_000_000),
        total_liabilities=D(300_000),
        current_assets=D(600_000),
        current_liabilities=D(200_000),
        inventory=D(100_000),
        net_worth=D(700_000),
    )
    proposal = propose_limit("liquidation", A, statement=balance)
    # 0.8 x 500,000 + 0.5 x 100,000 + 0.3 x 400,000 - 300,000 = 270,000 ; x 20 % = 54,000
    assert proposal.base_amount == D(270_000)
    assert proposal.amount == D(54_000)


def test_liquidation_with_custom_recovery_rates():
    balance = FinancialStatement(
        total_assets=D(1_000_000),
        total_liabilities=D(300_000),
        current_assets=D(600_000),
        inventory=D(100_000),
    )
    rates = RecoveryRates(D(1), D(1), D(1))
    # 500,000 + 100,000 + 400,000 - 300,000 = 700,000 ; x 20 % = 140,000
    assert propose_limit("liquidation", A, statement=balance, recovery_rates=rates).amount == D(
        140_000
    )


def test_a_manual_amount_within_the_caps_stays_as_typed():
    proposal = propose_limit(
        "manual", A, statement=statement(900_000, 500_000, 10**6), manual_amount=D("12345.67")
    )
    assert proposal == LimitProposal(D("12345.67"), "manual", None, None, (), None)


def test_a_manual_amount_above_a_cap_is_capped_and_rounded_down():
    proposal = propose_limit(
        "manual", A, statement=statement(223_456, 100_000, 10**6), manual_amount=500_000
    )
    # NWC 123,456 caps 500,000 -> 123,456 -> 123,000
    assert proposal.amount == D(123_000)
    assert proposal.caps_applied == ("working_capital",)
    assert proposal.rounding_step == D(1000)


def test_a_manual_amount_without_statement_is_not_capped():
    assert propose_limit("manual", A, manual_amount=D(250_000)).amount == D(250_000)


@pytest.mark.parametrize("grade", ["B", "CCC", "CC", "C"])
def test_grades_without_credit_get_a_zero_limit(grade):
    policy = DEFAULT_GRADE_POLICIES[grade]
    proposal = propose_limit("working_capital", policy)
    assert proposal == LimitProposal(D(0), "working_capital", None, None, ("grade_policy",), None)


def test_an_explicit_ratio_replaces_the_grade_ratio():
    balance = statement(900_000, 500_000, 10**6)
    proposal = propose_limit("working_capital", A, statement=balance, limit_ratio="12.5")
    # 400,000 x 12.5 % = 50,000
    assert proposal.amount == D(50_000)
    assert proposal.ratio == D("12.5")


def test_the_rounding_rule_is_a_parameter():
    balance = statement(223_456, 100_000, 10**6)
    to_units = RoundingRule(((D(0), D(1)),))
    # 24,691.2 -> 24,691
    assert propose_limit("working_capital", A, statement=balance, rounding=to_units).amount == D(
        24_691
    )
    unrounded = propose_limit("working_capital", A, statement=balance, rounding=RoundingRule(()))
    assert unrounded.amount == D("24691.2")
    assert unrounded.rounding_step is None


def test_the_default_rounding_rule_rounds_by_size():
    assert DEFAULT_ROUNDING.round_down(D(12_345)) == (D(12_000), D(1000))
    assert DEFAULT_ROUNDING.round_down(D(9_876)) == (D(9_800), D(100))
    assert DEFAULT_ROUNDING.round_down(D(80)) == (D(0), D(100))
    assert DEFAULT_ROUNDING.round_down(D(10_000)) == (D(10_000), D(1000))


def test_a_rounding_step_that_is_not_positive_is_a_problem():
    assert validate_rounding(DEFAULT_ROUNDING) == []
    assert validate_rounding(RoundingRule(((D(0), D(0)),))) == [
        LimitProblem("invalid_step", "rounding", D(0))
    ]


def problems_of(*args, **kwargs):
    with pytest.raises(InvalidLimitError) as raised:
        propose_limit(*args, **kwargs)
    return raised.value.problems


def test_a_negative_ratio_is_a_problem():
    balance = statement(900_000, 500_000, 10**6)
    assert problems_of("working_capital", A, statement=balance, limit_ratio=-1) == (
        LimitProblem("negative", "limit_ratio", D(-1)),
    )
    negative_policy = GradePolicy("A", "credit", D(1), D(-5))
    assert problems_of("working_capital", negative_policy, statement=balance) == (
        LimitProblem("negative", "limit_ratio", D(-5)),
    )


def test_a_negative_manual_amount_is_a_problem():
    assert problems_of("manual", A, manual_amount=-100) == (
        LimitProblem("negative", "manual_amount", D(-100)),
    )


def test_a_manual_limit_needs_an_amount():
    assert problems_of("manual", A) == (LimitProblem("missing", "manual_amount"),)


def test_statement_methods_need_a_statement():
    assert problems_of("working_capital", A) == (LimitProblem("missing", "statement"),)
    assert problems_of("liquidation", A) == (LimitProblem("missing", "statement"),)


def test_a_base_the_statement_does_not_give_is_a_problem():
    balance = FinancialStatement(current_assets=D(100), net_worth=D(50))
    assert problems_of("working_capital", A, statement=balance) == (
        LimitProblem("missing", "net_working_capital"),
    )
    assert problems_of("net_worth", A, statement=FinancialStatement()) == (
        LimitProblem("missing", "net_worth"),
    )
    assert problems_of("liquidation", A, statement=balance) == (
        LimitProblem("missing", "liquidation_value"),
    )


def test_recovery_rates_out_of_range_are_problems():
    balance = statement(600_000, 200_000, 10**6)
    rates = RecoveryRates(D(2), D("0.5"), D("0.3"))
    assert problems_of("liquidation", A, statement=balance, recovery_rates=rates) == (
        LimitProblem("rate_out_of_range", "liquid_current_assets", D(2)),
    )


def test_every_input_problem_is_reported_at_once():
    problems = problems_of("guess", B, manual_amount=-1, limit_ratio=-2)
    assert problems == (
        LimitProblem("unknown_method", "method", "guess"),
        LimitProblem("negative", "manual_amount", D(-1)),
        LimitProblem("negative", "limit_ratio", D(-2)),
    )


money = st.decimals(min_value=-(10**8), max_value=10**8, places=2, allow_nan=False)


@given(
    st.sampled_from([m for m in METHODS if m != "manual"]),
    money,
    money.filter(lambda v: v >= 0),
    st.one_of(st.none(), money),
    st.decimals(min_value=0, max_value=200, places=2),
)
def test_a_limit_is_never_negative_nor_above_net_worth_or_working_capital(
    method, current_assets, current_liabilities, net_worth, ratio
):
    balance = FinancialStatement(
        total_assets=max(current_assets, D(0)) * 2,
        total_liabilities=current_liabilities * 2,
        current_assets=current_assets,
        current_liabilities=current_liabilities,
        inventory=D(0),
        net_worth=net_worth,
    )
    if method == "net_worth" and net_worth is None:
        return
    proposal = propose_limit(method, A, statement=balance, limit_ratio=ratio)
    assert proposal.amount >= 0
    assert proposal.amount <= max(current_assets - current_liabilities, D(0))
    if net_worth is not None:
        assert proposal.amount <= max(net_worth, D(0))
    if proposal.rounding_step is not None:
        assert proposal.amount % proposal.rounding_step == 0


@given(st.decimals(min_value=0, max_value=10**9, places=2))
def test_rounding_down_never_rounds_up(amount):
    rounded, step = DEFAULT_ROUNDING.round_down(amount)
    assert rounded <= amount
    assert amount - rounded < step
