import calendar
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credit_management.grades import GRADE_CODES
from credit_management.terms import (
    DEFAULT_GRADE_POLICIES,
    DELAY_AFTER_END_OF_MONTH,
    DELAY_AFTER_END_OF_NEXT_MONTH,
    DELAY_END_OF_MONTH_ON_THE,
    SALES_MODES,
    CashDiscountTerms,
    CreditDaysProposal,
    GradePolicy,
    Installment,
    InvalidTermsError,
    TermProblem,
    format_cash_discount,
    granted_terms,
    installment_max_days,
    latest_due_days,
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


def test_a_discount_period_longer_than_the_net_period_is_a_problem():
    assert validate_cash_discount(CashDiscountTerms(D(2), 40, 30)) == [
        TermProblem("discount_after_net", "discount_days", 40, "net_days", 30),
    ]


def test_a_discount_of_a_hundred_percent_or_more_is_a_problem():
    assert validate_cash_discount(CashDiscountTerms(D(100), 10, 30)) == [
        TermProblem("percent_out_of_range", "discount_percent", D(100)),
    ]


def test_negative_percents_and_days_are_problems():
    assert validate_cash_discount(CashDiscountTerms(D(-1), -2, -1)) == [
        TermProblem("percent_out_of_range", "discount_percent", D(-1)),
        TermProblem("negative", "discount_days", -2),
        TermProblem("negative", "net_days", -1),
    ]


def test_a_discount_without_a_discount_period_is_a_problem():
    assert validate_cash_discount(CashDiscountTerms(D(2), 0, 30)) == [
        TermProblem("missing", "discount_days"),
    ]


def test_terms_are_written_the_conventional_way():
    assert format_cash_discount(CashDiscountTerms(D("2.00"), 10, 30)) == "2/10, n/30"
    assert str(CashDiscountTerms(D("1.5"), 15, 45)) == "1.5/15, n/45"
    assert str(CashDiscountTerms(D(20), 5, 60)) == "20/5, n/60"
    assert str(CashDiscountTerms(D(0), 0, 30)) == "n/30"


# --- granted terms ----------------------------------------------------------------------


def test_granted_days_with_the_policy_discount_give_two_ten_net_thirty():
    assert granted_terms(30, "2", 10) == CashDiscountTerms(D(2), 10, 30)
    assert str(granted_terms(30, "2", 10)) == "2/10, n/30"


def test_a_policy_without_discount_grants_net_terms():
    assert granted_terms(45, 0, 10) == CashDiscountTerms(D(0), 0, 45)
    assert not granted_terms(45).has_discount


def test_no_credit_days_is_immediate_payment_without_discount():
    assert granted_terms(0, 2, 10) == CashDiscountTerms(D(0), 0, 0)


@pytest.mark.parametrize(
    ("days", "percent", "discount_days", "problem"),
    [
        (-1, 0, 0, TermProblem("negative", "net_days", -1)),
        (30, 100, 10, TermProblem("percent_out_of_range", "discount_percent", D(100))),
        (30, -2, 10, TermProblem("percent_out_of_range", "discount_percent", D(-2))),
        (5, 2, 10, TermProblem("discount_after_net", "discount_days", 10, "net_days", 5)),
    ],
)
def test_unusable_granted_terms_are_refused_with_the_reason(days, percent, discount_days, problem):
    with pytest.raises(InvalidTermsError) as raised:
        granted_terms(days, percent, discount_days)
    assert problem in raised.value.problems


# --- the days a payment term gives --------------------------------------------------------


def odoo_due_date(invoice_date, installment):
    """Odoo 18's ``account.payment.term.line._get_due_date``, rewritten on the standard
    library so the worst case can be checked over every invoice date."""

    def end_of_month(day):
        return day.replace(day=calendar.monthrange(day.year, day.month)[1])

    def next_month_on(day, wanted):
        year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
        return date(year, month, min(wanted, calendar.monthrange(year, month)[1]))

    days = timedelta(days=installment.days)
    if installment.delay == DELAY_AFTER_END_OF_MONTH:
        return end_of_month(invoice_date) + days
    if installment.delay == DELAY_AFTER_END_OF_NEXT_MONTH:
        return end_of_month(next_month_on(invoice_date, 1)) + days
    if installment.delay == DELAY_END_OF_MONTH_ON_THE:
        if not installment.day_of_month:
            return end_of_month(invoice_date + days)
        return next_month_on(invoice_date + days, installment.day_of_month)
    return invoice_date + days


FOUR_YEARS = [date(2023, 1, 1) + timedelta(days=n) for n in range(4 * 366)]


@pytest.mark.parametrize(
    "installment",
    [
        Installment(30),
        Installment(0, DELAY_AFTER_END_OF_MONTH),
        Installment(30, DELAY_AFTER_END_OF_MONTH),
        Installment(0, DELAY_AFTER_END_OF_NEXT_MONTH),
        Installment(15, DELAY_AFTER_END_OF_NEXT_MONTH),
        Installment(0, DELAY_END_OF_MONTH_ON_THE, 0),
        Installment(30, DELAY_END_OF_MONTH_ON_THE, 10),
        Installment(0, DELAY_END_OF_MONTH_ON_THE, 31),
        Installment(45, DELAY_END_OF_MONTH_ON_THE, 28),
    ],
)
def test_an_installment_counts_the_most_days_it_can_fall_after_the_invoice(installment):
    worst = max((odoo_due_date(day, installment) - day).days for day in FOUR_YEARS)
    assert installment_max_days(installment) == worst


def test_thirty_days_end_of_month_can_be_sixty_days():
    # invoiced on 1 March: the month ends on 31 March, due 30 April, 60 days later
    assert installment_max_days(Installment(30, DELAY_AFTER_END_OF_MONTH)) == 60


def test_a_term_gives_the_days_of_its_last_installment():
    # 30 % at 30 days, the balance at 60: the customer has 60 days for the last part
    assert latest_due_days([Installment(30), Installment(60)]) == 60
    assert latest_due_days([Installment(60), Installment(30, DELAY_AFTER_END_OF_MONTH)]) == 60
    assert latest_due_days([Installment(0)]) == 0
    assert latest_due_days([]) == 0
