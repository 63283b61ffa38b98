from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credit_management.grades import GRADE_CODES
from credit_management.terms import (
    DEFAULT_GRADE_POLICIES,
    SALES_MODES,
    CashDiscountTerms,
    CreditDaysProposal,
    GradePolicy,
    InvalidTermsError,
    TermProblem,
    format_cash_discount,
    parse_cash_discount,
    propose_credit_days,
    validate_cash_discount,
    validate_policy,
)

D = Decimal
A = DEFAULT_GRADE_POLICIES["A"]  # grade coefficient 1.1


# --- grade policy ------------------------------------------------------------------------


def test_there_is_a_default_policy_for_each_of_the_nine_grades():
    assert tuple(DEFAULT_GRADE_POLICIES) == GRADE_CODES
    assert all(validate_policy(policy) == [] for policy in DEFAULT_GRADE_POLICIES.values())


def test_b_and_below_get_no_credit_by_default():
    credit = [code for code, policy in DEFAULT_GRADE_POLICIES.items() if policy.allows_credit]
    assert credit == ["AAA", "AA", "A", "BBB", "BB"]
    assert DEFAULT_GRADE_POLICIES["B"].sales_mode == "cash_on_delivery"
    assert DEFAULT_GRADE_POLICIES["C"].sales_mode == "prepayment"


def test_sales_modes_match_the_grade_record_selection():
    assert SALES_MODES == ("credit", "cash_on_delivery", "prepayment")


def test_a_policy_with_unknown_codes_or_negative_numbers_has_problems():
    policy = GradePolicy("D", "barter", D(-1), D(-2))
    assert validate_policy(policy) == [
        TermProblem("unknown_grade", "grade", "D"),
        TermProblem("unknown_sales_mode", "sales_mode", "barter"),
        TermProblem("negative", "term_coefficient", D(-1)),
        TermProblem("negative", "limit_ratio", D(-2)),
    ]


def test_an_unknown_sales_mode_allows_no_credit():
    assert not GradePolicy("A", "barter", D(1), D(10)).allows_credit


# --- credit days -------------------------------------------------------------------------


def test_credit_days_multiply_industry_dso_company_and_grade_coefficients():
    proposal = propose_credit_days(A, industry_dso=D(45), company_coefficient=D("0.9"))
    # 45 x 0.9 x 1.1 = 44.55 -> 45
    assert proposal == CreditDaysProposal(45, D("44.55"), D(45), D("0.9"), D("1.1"), True)


def test_credit_days_round_half_up():
    policy = GradePolicy("BB", "credit", D("0.7"), D(10))
    # 35 x 1 x 0.7 = 24.5 -> 25 (half up, not to even)
    assert propose_credit_days(policy, industry_dso=35, company_coefficient=1).days == 25
    # 34 x 1 x 0.7 = 23.8 -> 24 ; 33 x 1 x 0.7 = 23.1 -> 23
    assert propose_credit_days(policy, industry_dso=34, company_coefficient=1).days == 24
    assert propose_credit_days(policy, industry_dso=33, company_coefficient=1).days == 23


def test_a_grade_without_credit_gets_zero_days_even_without_inputs():
    proposal = propose_credit_days(
        DEFAULT_GRADE_POLICIES["CCC"], industry_dso=None, company_coefficient=None
    )
    assert proposal == CreditDaysProposal(0, None, None, None, D(0), False)


def test_missing_inputs_are_problems_when_credit_is_allowed():
    with pytest.raises(InvalidTermsError) as raised:
        propose_credit_days(A, industry_dso=None, company_coefficient=None)
    assert raised.value.problems == (
        TermProblem("missing", "industry_dso"),
        TermProblem("missing", "company_coefficient"),
    )


def test_negative_inputs_are_problems_even_without_credit():
    with pytest.raises(InvalidTermsError) as raised:
        propose_credit_days(
            DEFAULT_GRADE_POLICIES["C"], industry_dso=D(-30), company_coefficient=D("-0.5")
        )
    assert raised.value.problems == (
        TermProblem("negative", "industry_dso", D(-30)),
        TermProblem("negative", "company_coefficient", D("-0.5")),
    )


def test_a_negative_grade_coefficient_is_a_problem():
    policy = GradePolicy("A", "credit", D(-1), D(20))
    with pytest.raises(InvalidTermsError) as raised:
        propose_credit_days(policy, industry_dso=30, company_coefficient=1)
    assert raised.value.problems == (TermProblem("negative", "term_coefficient", D(-1)),)


@given(
    st.decimals(min_value=0, max_value=365, places=1),
    st.decimals(min_value=0, max_value=3, places=2),
    st.sampled_from(list(DEFAULT_GRADE_POLICIES.values())),
)
def test_credit_days_are_whole_and_within_half_a_day_of_the_formula(dso, company, policy):
    proposal = propose_credit_days(policy, industry_dso=dso, company_coefficient=company)
    if policy.allows_credit:
        exact = dso * company * policy.term_coefficient
        assert abs(D(proposal.days) - exact) <= D("0.5")
    else:
        assert proposal.days == 0


# --- cash discount -----------------------------------------------------------------------


def test_two_ten_net_thirty_reads_as_two_percent_in_ten_days_due_in_thirty():
    assert parse_cash_discount("2/10, n/30") == CashDiscountTerms(D(2), 10, 30)


@pytest.mark.parametrize(
    "text",
    [
        "2/10, n/30",
        "2/10 n/30",
        "2/10,n/30",
        "2%/10 net 30",
        "2 / 10 ; N / 30",
        "  2/10, Net/30  ",
        "2/10\uff0cn/30",
        "2\uff0f10\uff1bn\uff0f30",
    ],
)
def test_the_usual_spellings_of_cash_discount_terms_are_understood(text):
    assert parse_cash_discount(text) == CashDiscountTerms(D(2), 10, 30)


def test_fractional_percents_are_understood():
    assert parse_cash_discount("1.5/15, n/45") == CashDiscountTerms(D("1.5"), 15, 45)


def test_net_only_terms_have_no_discount():
    terms = parse_cash_discount("n/30")
    assert terms == CashDiscountTerms(D(0), 0, 30)
    assert not terms.has_discount


@pytest.mark.parametrize("text", ["", "2/10", "two ten net thirty", "2/10, 1/20, n/30", "n/-5"])
def test_text_that_is_not_cash_discount_terms_is_a_problem(text):
    with pytest.raises(InvalidTermsError) as raised:
        parse_cash_discount(text)
    assert raised.value.problems == (TermProblem("unparsable", "text", text),)


def test_a_discount_period_longer_than_the_net_period_is_a_problem():
    with pytest.raises(InvalidTermsError) as raised:
        parse_cash_discount("2/40, n/30")
    assert raised.value.problems == (
        TermProblem("discount_after_net", "discount_days", 40, "net_days", 30),
    )


def test_a_discount_of_a_hundred_percent_or_more_is_a_problem():
    with pytest.raises(InvalidTermsError) as raised:
        parse_cash_discount("100/10, n/30")
    assert raised.value.problems == (
        TermProblem("percent_out_of_range", "discount_percent", D(100)),
    )


def test_negative_percents_and_days_are_problems():
    assert validate_cash_discount(CashDiscountTerms(D(-1), -2, -1)) == [
        TermProblem("percent_out_of_range", "discount_percent", D(-1)),
        TermProblem("negative", "discount_days", -2),
        TermProblem("negative", "net_days", -1),
    ]


def test_terms_are_written_the_conventional_way():
    assert format_cash_discount(CashDiscountTerms(D("2.00"), 10, 30)) == "2/10, n/30"
    assert str(CashDiscountTerms(D("1.5"), 15, 45)) == "1.5/15, n/45"
    assert str(CashDiscountTerms(D(20), 5, 60)) == "20/5, n/60"
    assert str(CashDiscountTerms(D(0), 0, 30)) == "n/30"


@given(
    st.decimals(min_value="0.01", max_value="99.99", places=2),
    st.integers(0, 120),
    st.integers(0, 120),
)
def test_written_terms_read_back_the_same(percent, first, second):
    discount_days, net_days = sorted((first, second))
    terms = CashDiscountTerms(percent, discount_days, net_days)
    assert parse_cash_discount(str(terms)) == terms
