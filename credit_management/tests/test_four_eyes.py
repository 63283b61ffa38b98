from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from credit_management.four_eyes import (
    REASON_HOLD_AMOUNT,
    REASON_LIMIT_AMOUNT,
    REASON_OVERDUE_RAISE,
    FourEyesPolicy,
    is_raise,
    may_approve_second,
    second_approval_reasons,
)

D = Decimal
POLICY = FourEyesPolicy(
    enabled=True, hold_threshold=D(50_000), limit_threshold=D(100_000), overdue_raises=True
)
"""Holds above 50,000 and new limits above 100,000 need a second officer, and so does any raise
for a customer with overdue money."""


def test_a_hold_above_the_threshold_needs_a_second_approval():
    assert second_approval_reasons(POLICY, order_amount="50000.01") == (REASON_HOLD_AMOUNT,)


def test_a_hold_at_or_below_the_threshold_needs_one():
    assert second_approval_reasons(POLICY, order_amount=50_000) == ()
    assert second_approval_reasons(POLICY, order_amount="49999.99") == ()


def test_a_new_limit_above_the_threshold_needs_a_second_approval():
    assert second_approval_reasons(POLICY, limit_before=90_000, new_limit="100000.01") == (
        REASON_LIMIT_AMOUNT,
    )


def test_the_threshold_is_judged_on_the_new_limit_not_the_increase():
    # raising 95,000 to 105,000 is an increase of 10,000 only, but the new limit is above
    assert second_approval_reasons(POLICY, limit_before=95_000, new_limit=105_000) == (
        REASON_LIMIT_AMOUNT,
    )


def test_a_new_limit_equal_to_the_threshold_needs_one_approval():
    assert second_approval_reasons(POLICY, limit_before=0, new_limit=100_000) == ()


def test_lowering_a_limit_above_the_threshold_needs_one_approval():
    assert second_approval_reasons(POLICY, limit_before=300_000, new_limit=200_000) == ()


def test_any_raise_for_a_customer_with_overdue_money_needs_a_second_approval():
    assert second_approval_reasons(
        POLICY, limit_before=1_000, new_limit="1000.01", overdue_amount="0.01"
    ) == (REASON_OVERDUE_RAISE,)


def test_keeping_the_limit_of_a_customer_with_overdue_money_needs_one_approval():
    reasons = second_approval_reasons(POLICY, limit_before=1_000, new_limit=1_000, overdue_amount=5)
    assert reasons == ()


def test_overdue_raises_are_a_policy_choice():
    policy = FourEyesPolicy(enabled=True, limit_threshold=D(100_000), overdue_raises=False)
    assert second_approval_reasons(policy, limit_before=0, new_limit=5_000, overdue_amount=5) == ()


def test_a_threshold_of_zero_switches_its_rule_off():
    policy = FourEyesPolicy(enabled=True)
    reasons = second_approval_reasons(policy, order_amount=10**9, limit_before=0, new_limit=10**9)
    assert reasons == ()


def test_every_reason_is_given():
    assert second_approval_reasons(
        POLICY, order_amount=60_000, limit_before=0, new_limit=150_000, overdue_amount=1
    ) == (REASON_HOLD_AMOUNT, REASON_LIMIT_AMOUNT, REASON_OVERDUE_RAISE)


def test_no_limit_before_is_a_limit_of_zero():
    assert is_raise(None, "0.01")
    assert not is_raise(None, 0)


def test_the_second_approver_is_someone_else():
    assert may_approve_second(7, 8)
    assert not may_approve_second(7, 7)
    assert not may_approve_second(None, 7)


amounts = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False)


@given(amounts, amounts, amounts, amounts, st.booleans())
def test_a_disabled_policy_never_asks_for_a_second_approval(order, before, new, overdue, flag):
    policy = FourEyesPolicy(
        enabled=False, hold_threshold=D(1), limit_threshold=D(1), overdue_raises=flag
    )
    assert (
        second_approval_reasons(
            policy, order_amount=order, limit_before=before, new_limit=new, overdue_amount=overdue
        )
        == ()
    )


@given(amounts, amounts, amounts)
def test_a_lower_threshold_never_asks_for_fewer_approvals(low, high, amount):
    """Lowering a threshold can only add second approvals (monotone)."""
    low, high = sorted((low, high))
    strict = FourEyesPolicy(enabled=True, hold_threshold=low, limit_threshold=low)
    loose = FourEyesPolicy(enabled=True, hold_threshold=high, limit_threshold=high)
    for kwargs in ({"order_amount": amount}, {"limit_before": 0, "new_limit": amount}):
        if second_approval_reasons(loose, **kwargs) and low > 0:
            assert second_approval_reasons(strict, **kwargs)


@given(amounts, amounts, amounts)
def test_a_limit_that_is_no_raise_never_needs_a_second_approval(before, new, overdue):
    if new <= before:
        assert (
            second_approval_reasons(
                POLICY, limit_before=before, new_limit=new, overdue_amount=overdue
            )
            == ()
        )
