from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from credit_management import checks, terms
from credit_management.checks import CheckFacts, CheckSettings, evaluate

CREDIT = terms.SALES_MODE_CREDIT


def rules_of(failures):
    return [failure.rule for failure in failures]


def test_an_order_within_the_limit_passes():
    facts = CheckFacts(order_amount=300, exposure=600, limit=1000, sales_mode=CREDIT)
    assert evaluate(facts, CheckSettings()) == ()


def test_exposure_after_the_order_above_the_limit_fails_with_its_numbers():
    facts = CheckFacts(order_amount=500, exposure=600, limit=1000, sales_mode=CREDIT)
    (failure,) = evaluate(facts, CheckSettings())
    assert failure.rule == checks.RULE_LIMIT
    # 600 + 500 = 1100 against 1000: 100 over
    assert failure.values["exposure_after"] == Decimal(1100)
    assert failure.values["excess"] == Decimal(100)


def test_exactly_reaching_the_limit_passes():
    facts = CheckFacts(order_amount="400.00", exposure="600.00", limit=1000, sales_mode=CREDIT)
    assert evaluate(facts, CheckSettings()) == ()


def test_a_zero_limit_means_no_credit_and_unlimited_means_no_ceiling():
    no_credit = CheckFacts(order_amount=1, exposure=0, limit=0, sales_mode=CREDIT)
    assert rules_of(evaluate(no_credit, CheckSettings())) == [checks.RULE_LIMIT]
    unlimited = CheckFacts(
        order_amount=10**9, exposure=0, limit=0, unlimited=True, sales_mode=CREDIT
    )
    assert evaluate(unlimited, CheckSettings()) == ()


def test_an_order_paid_at_delivery_takes_no_credit():
    cash = CheckFacts(
        order_amount=500, exposure=0, limit=0, sales_mode=CREDIT, immediate_payment=True
    )
    assert evaluate(cash, CheckSettings()) == ()
    # but a customer already over its limit is held even for a cash order: 1,200 > 1,000
    owing = CheckFacts(
        order_amount=500, exposure=1200, limit=1000, sales_mode=CREDIT, immediate_payment=True
    )
    (failure,) = evaluate(owing, CheckSettings())
    assert failure.values["exposure_after"] == Decimal(1200)
    assert failure.values["order_amount"] == Decimal(0)


def test_negative_exposure_from_advance_payments_leaves_more_room():
    facts = CheckFacts(order_amount=1200, exposure=-300, limit=1000, sales_mode=CREDIT)
    assert evaluate(facts, CheckSettings()) == ()


def test_overdue_money_above_the_tolerance_fails():
    facts = CheckFacts(
        order_amount=10,
        exposure=0,
        limit=1000,
        sales_mode=CREDIT,
        overdue_amount="50.01",
        oldest_overdue_days=3,
    )
    settings = CheckSettings(overdue_tolerance=Decimal(50), overdue_max_days=30)
    (failure,) = evaluate(facts, settings)
    assert failure.rule == checks.RULE_OVERDUE_AMOUNT
    assert failure.values == {"overdue_amount": Decimal("50.01"), "tolerance": Decimal(50)}
    within = CheckFacts(
        order_amount=10,
        exposure=0,
        limit=1000,
        sales_mode=CREDIT,
        overdue_amount=50,
        oldest_overdue_days=3,
    )
    assert evaluate(within, settings) == ()


def test_an_old_overdue_item_fails_even_within_the_amount_tolerance():
    facts = CheckFacts(
        order_amount=10,
        exposure=0,
        limit=1000,
        sales_mode=CREDIT,
        overdue_amount=20,
        oldest_overdue_days=46,
    )
    settings = CheckSettings(overdue_tolerance=Decimal(100), overdue_max_days=45)
    assert rules_of(evaluate(facts, settings)) == [checks.RULE_OVERDUE_DAYS]


def test_cash_grades_take_only_immediate_or_prepaid_orders():
    for mode in (terms.SALES_MODE_CASH_ON_DELIVERY, terms.SALES_MODE_PREPAYMENT):
        credit_order = CheckFacts(
            order_amount=10, exposure=0, limit=0, unlimited=True, sales_mode=mode
        )
        assert rules_of(evaluate(credit_order, CheckSettings())) == [checks.RULE_GRADE_POLICY]
        paid = CheckFacts(
            order_amount=10,
            exposure=0,
            limit=0,
            unlimited=True,
            sales_mode=mode,
            immediate_payment=True,
        )
        assert evaluate(paid, CheckSettings()) == ()


def test_an_expired_rating_fails():
    facts = CheckFacts(
        order_amount=1,
        exposure=0,
        limit=10,
        sales_mode=CREDIT,
        valid_until=date(2026, 10, 31),
        today=date(2026, 11, 1),
    )
    (failure,) = evaluate(facts, CheckSettings())
    assert failure.rule == checks.RULE_RATING_EXPIRED
    assert failure.values == {"valid_until": date(2026, 10, 31)}
    on_the_day = CheckFacts(
        order_amount=1,
        exposure=0,
        limit=10,
        sales_mode=CREDIT,
        valid_until=date(2026, 11, 1),
        today=date(2026, 11, 1),
    )
    assert evaluate(on_the_day, CheckSettings()) == ()


def test_a_manual_hold_and_a_too_large_document_fail_and_all_failures_are_listed():
    facts = CheckFacts(
        order_amount=5000,
        exposure=0,
        limit=1000,
        sales_mode=CREDIT,
        on_hold=True,
        max_document_amount=2000,
    )
    assert rules_of(evaluate(facts, CheckSettings())) == [
        checks.RULE_MANUAL_HOLD,
        checks.RULE_LIMIT,
        checks.RULE_MAX_DOCUMENT,
    ]


def test_disabled_rules_do_not_run():
    facts = CheckFacts(order_amount=5000, exposure=0, limit=1000, sales_mode=CREDIT, on_hold=True)
    settings = CheckSettings(enabled={checks.RULE_MANUAL_HOLD})
    assert rules_of(evaluate(facts, settings)) == [checks.RULE_MANUAL_HOLD]


def test_another_module_can_add_a_rule():
    def too_many_open_orders(facts, settings):
        return checks.Failure("open_orders", {"count": 9})

    rules = dict(checks.RULES, open_orders=too_many_open_orders)
    settings = CheckSettings(enabled={"open_orders"})
    facts = CheckFacts(order_amount=1, exposure=0, limit=10, sales_mode=CREDIT)
    assert rules_of(evaluate(facts, settings, rules)) == ["open_orders"]


def test_exposure_sums_only_the_enabled_categories():
    categories = [("receivables", "1200.50"), ("draft_invoices", 300), ("orders", "99.50")]
    assert checks.exposure_total(categories, {"receivables", "orders"}) == Decimal("1300.00")
    assert checks.exposure_total(categories, set()) == Decimal(0)


amounts = st.decimals(min_value=0, max_value=10**9, places=2)


@given(amounts, amounts, amounts, amounts)
def test_a_bigger_order_never_passes_the_limit_where_a_smaller_one_failed(exposure, limit, a, b):
    small, big = sorted((a, b))

    def fails(amount):
        facts = CheckFacts(order_amount=amount, exposure=exposure, limit=limit, sales_mode=CREDIT)
        return checks.RULE_LIMIT in rules_of(evaluate(facts, CheckSettings()))

    assert not (fails(small) and not fails(big))


def test_a_group_limit_binds_every_member_of_the_credit_group():
    # own limit 8,000 holds 2,000 + 5,000 = 7,000, but the group owes 6,500 already:
    # 6,500 + 5,000 = 11,500 against the 10,000 the group shares, 1,500 over
    facts = CheckFacts(
        order_amount=5000,
        exposure=2000,
        limit=8000,
        sales_mode=CREDIT,
        group_limit=10000,
        group_exposure="6500.00",
    )
    (failure,) = evaluate(facts, CheckSettings())
    assert failure.rule == checks.RULE_GROUP_LIMIT
    assert failure.values["exposure_after"] == Decimal(11500)
    assert failure.values["excess"] == Decimal(1500)
    within = CheckFacts(
        order_amount=3500,
        exposure=2000,
        limit=8000,
        sales_mode=CREDIT,
        group_limit=10000,
        group_exposure="6500.00",
    )
    assert evaluate(within, CheckSettings()) == ()


def test_a_customer_outside_any_group_has_no_group_rule_and_unlimited_does_not_escape_it():
    alone = CheckFacts(order_amount=5000, exposure=0, limit=8000, sales_mode=CREDIT)
    assert evaluate(alone, CheckSettings()) == ()
    unlimited_member = CheckFacts(
        order_amount=5000,
        exposure=0,
        limit=0,
        unlimited=True,
        sales_mode=CREDIT,
        group_limit=0,
    )
    assert rules_of(evaluate(unlimited_member, CheckSettings())) == [checks.RULE_GROUP_LIMIT]
    cash = CheckFacts(
        order_amount=5000,
        exposure=0,
        limit=8000,
        sales_mode=CREDIT,
        immediate_payment=True,
        group_limit=0,
    )
    assert evaluate(cash, CheckSettings()) == ()
    switched_off = CheckSettings(enabled={checks.RULE_LIMIT})
    assert evaluate(unlimited_member, switched_off) == ()


def test_stopped_deliveries_fail_the_checkpoint_rule_with_the_reason():
    facts = CheckFacts(
        order_amount=0,
        exposure=0,
        limit=10,
        sales_mode=CREDIT,
        extra={"deliveries_stopped": True, "stop_reason": "dunning level 4"},
    )
    failure = checks.stop_deliveries(facts, CheckSettings())
    assert failure == checks.Failure(checks.RULE_STOP_DELIVERIES, {"reason": "dunning level 4"})
    assert checks.stop_deliveries(CheckFacts(order_amount=0, exposure=0, limit=10), None) is None


def test_the_order_rules_do_not_include_the_delivery_checkpoint_rule():
    assert checks.RULE_STOP_DELIVERIES not in checks.RULES


# --- credit term (赊销期限) -----------------------------------------------------------------


def term_facts(term_days, credit_days, **values):
    return CheckFacts(
        order_amount=100,
        exposure=0,
        limit=0,
        unlimited=True,
        sales_mode=CREDIT,
        term_days=term_days,
        credit_days=credit_days,
        **values,
    )


def test_an_order_giving_more_days_than_granted_fails_with_both_numbers():
    (failure,) = evaluate(term_facts(60, 30), CheckSettings())
    assert failure.rule == checks.RULE_TERM
    assert failure.values == {"asked_days": 60, "granted_days": 30}


def test_an_order_within_the_granted_term_passes_even_on_the_last_day():
    assert evaluate(term_facts(30, 30), CheckSettings()) == ()
    assert evaluate(term_facts(0, 30), CheckSettings()) == ()


def test_an_order_paid_at_or_before_delivery_asks_no_term():
    assert evaluate(term_facts(60, 0, immediate_payment=True), CheckSettings()) == ()


def test_a_customer_granted_no_term_takes_only_orders_due_at_once():
    assert rules_of(evaluate(term_facts(1, 0), CheckSettings())) == [checks.RULE_TERM]
    assert evaluate(term_facts(0, 0), CheckSettings()) == ()


def test_without_an_order_term_there_is_nothing_to_judge():
    assert evaluate(term_facts(None, 0), CheckSettings()) == ()


def test_the_term_rule_can_be_switched_off():
    settings = CheckSettings(enabled=CheckSettings().enabled - {checks.RULE_TERM})
    assert evaluate(term_facts(60, 30), settings) == ()


@given(st.integers(0, 400), st.integers(0, 400))
def test_the_term_rule_fails_exactly_when_more_days_are_asked_than_granted(asked, granted):
    failed = bool(evaluate(term_facts(asked, granted), CheckSettings()))
    assert failed == (asked > granted)
