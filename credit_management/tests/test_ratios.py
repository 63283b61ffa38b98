from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from credit_management.ratios import (
    DEFAULT_RECOVERY_RATES,
    FinancialStatement,
    RecoveryRates,
    StatementProblem,
    current_ratio,
    debt_ratio,
    liquidation_value,
    net_margin,
    net_working_capital,
    quick_ratio,
    ratio_values,
    validate_recovery_rates,
    validate_statement,
)

D = Decimal

STATEMENT = FinancialStatement(
    total_assets=D(1_000_000),
    total_liabilities=D(600_000),
    current_assets=D(450_000),
    current_liabilities=D(300_000),
    inventory=D(150_000),
    net_worth=D(400_000),
    revenue=D(2_000_000),
    net_profit=D(80_000),
)


def test_current_ratio_divides_current_assets_by_current_liabilities():
    # 450,000 / 300,000 = 1.5
    assert current_ratio(STATEMENT) == D("1.5")


def test_quick_ratio_leaves_inventory_out():
    # (450,000 - 150,000) / 300,000 = 1
    assert quick_ratio(STATEMENT) == D(1)


def test_debt_ratio_divides_total_liabilities_by_total_assets():
    # 600,000 / 1,000,000 = 0.6
    assert debt_ratio(STATEMENT) == D("0.6")


def test_net_margin_divides_net_profit_by_revenue():
    # 80,000 / 2,000,000 = 0.04
    assert net_margin(STATEMENT) == D("0.04")


def test_a_loss_gives_a_negative_net_margin():
    loss = FinancialStatement(revenue=D(2_000_000), net_profit=D(-50_000))
    # -50,000 / 2,000,000 = -0.025
    assert net_margin(loss) == D("-0.025")


def test_net_working_capital_is_current_assets_less_current_liabilities():
    # 450,000 - 300,000 = 150,000
    assert net_working_capital(STATEMENT) == D(150_000)


def test_net_working_capital_may_be_negative():
    short = FinancialStatement(current_assets=D(200_000), current_liabilities=D(260_000))
    # 200,000 - 260,000 = -60,000
    assert net_working_capital(short) == D(-60_000)


def test_zero_denominators_make_ratios_not_computable():
    zero = FinancialStatement(
        total_assets=D(0),
        total_liabilities=D(0),
        current_assets=D(10),
        current_liabilities=D(0),
        inventory=D(0),
        revenue=D(0),
        net_profit=D(5),
    )
    assert current_ratio(zero) is None
    assert quick_ratio(zero) is None
    assert debt_ratio(zero) is None
    assert net_margin(zero) is None


def test_negative_denominators_make_ratios_not_computable():
    negative = FinancialStatement(
        current_assets=D(10), current_liabilities=D(-5), inventory=D(0), revenue=D(-1)
    )
    assert current_ratio(negative) is None
    assert quick_ratio(negative) is None
    assert net_margin(negative) is None


def test_missing_amounts_make_ratios_not_computable():
    empty = FinancialStatement()
    assert current_ratio(empty) is None
    assert quick_ratio(empty) is None
    assert debt_ratio(empty) is None
    assert net_margin(empty) is None
    assert net_working_capital(empty) is None
    assert liquidation_value(empty) is None


def test_quick_ratio_needs_a_known_inventory():
    no_inventory = FinancialStatement(current_assets=D(450), current_liabilities=D(300))
    assert current_ratio(no_inventory) == D("1.5")
    assert quick_ratio(no_inventory) is None


def test_amounts_given_as_int_float_or_text_become_decimals():
    statement = FinancialStatement(total_assets=1000, current_assets=0.1, inventory="12.50")
    assert statement.total_assets == D(1000)
    assert statement.current_assets == D("0.1")
    assert statement.inventory == D("12.50")


def test_a_sound_statement_has_no_problems():
    assert validate_statement(STATEMENT) == []


def test_negative_assets_liabilities_inventory_and_revenue_are_problems():
    statement = FinancialStatement(
        total_assets=D(-1),
        total_liabilities=D(-2),
        current_assets=D(-3),
        current_liabilities=D(-4),
        inventory=D(-5),
        revenue=D(-6),
    )
    negatives = {(p.field, p.value) for p in validate_statement(statement) if p.kind == "negative"}
    assert negatives == {
        ("total_assets", D(-1)),
        ("total_liabilities", D(-2)),
        ("current_assets", D(-3)),
        ("current_liabilities", D(-4)),
        ("inventory", D(-5)),
        ("revenue", D(-6)),
    }


def test_negative_net_worth_and_net_profit_are_allowed():
    insolvent = FinancialStatement(
        total_assets=D(100), total_liabilities=D(150), net_worth=D(-50), net_profit=D(-20)
    )
    assert validate_statement(insolvent) == []


def test_a_part_larger_than_its_total_is_a_problem():
    statement = FinancialStatement(
        total_assets=D(100),
        current_assets=D(120),
        inventory=D(130),
        total_liabilities=D(50),
        current_liabilities=D(60),
    )
    assert validate_statement(statement) == [
        StatementProblem("exceeds", "current_assets", D(120), "total_assets", D(100)),
        StatementProblem("exceeds", "current_liabilities", D(60), "total_liabilities", D(50)),
        StatementProblem("exceeds", "inventory", D(130), "current_assets", D(120)),
    ]


def test_liquidation_value_applies_recovery_rates_and_deducts_all_liabilities():
    statement = FinancialStatement(
        total_assets=D(1_000_000),
        current_assets=D(600_000),
        inventory=D(100_000),
        total_liabilities=D(300_000),
    )
    # 0.8 x (600,000 - 100,000) = 400,000 ; 0.5 x 100,000 = 50,000
    # 0.3 x (1,000,000 - 600,000) = 120,000 ; 400,000 + 50,000 + 120,000 - 300,000 = 270,000
    assert liquidation_value(statement) == D(270_000)


def test_liquidation_value_can_be_negative_for_a_leveraged_customer():
    # 0.8 x 300,000 = 240,000 ; 0.5 x 150,000 = 75,000 ; 0.3 x 550,000 = 165,000
    # 240,000 + 75,000 + 165,000 - 600,000 = -120,000
    assert liquidation_value(STATEMENT) == D(-120_000)


def test_liquidation_value_uses_the_recovery_rates_given():
    statement = FinancialStatement(
        total_assets=D(1000), current_assets=D(600), inventory=D(100), total_liabilities=D(300)
    )
    rates = RecoveryRates(liquid_current_assets=D(1), inventory=D(1), non_current_assets=D(1))
    # book values: 500 + 100 + 400 - 300 = 700 (= total assets - total liabilities)
    assert liquidation_value(statement, rates) == D(700)


def test_default_recovery_rates_are_valid_and_rates_above_one_are_problems():
    assert validate_recovery_rates(DEFAULT_RECOVERY_RATES) == []
    rates = RecoveryRates(liquid_current_assets="1.2", inventory="-0.1")
    assert validate_recovery_rates(rates) == [
        StatementProblem("rate_out_of_range", "liquid_current_assets", D("1.2")),
        StatementProblem("rate_out_of_range", "inventory", D("-0.1")),
    ]


def test_ratio_values_are_keyed_by_scoring_factor_codes():
    assert ratio_values(STATEMENT) == {
        "current_ratio": D("1.5"),
        "quick_ratio": D(1),
        "debt_ratio": D("0.6"),
        "net_margin": D("0.04"),
    }


amounts = st.one_of(
    st.none(),
    st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False),
    st.just(D(0)),
)


@given(
    st.builds(
        FinancialStatement,
        total_assets=amounts,
        total_liabilities=amounts,
        current_assets=amounts,
        current_liabilities=amounts,
        inventory=amounts,
        net_worth=amounts,
        revenue=amounts,
        net_profit=amounts,
    )
)
def test_ratios_never_raise_and_are_none_exactly_when_not_computable(statement):
    def computable(numerator, denominator):
        return numerator is not None and denominator is not None and denominator > 0

    s = statement
    assert (current_ratio(s) is not None) == computable(s.current_assets, s.current_liabilities)
    assert (debt_ratio(s) is not None) == computable(s.total_liabilities, s.total_assets)
    assert (net_margin(s) is not None) == computable(s.net_profit, s.revenue)
    quick_ratio(s)
    net_working_capital(s)
    liquidation_value(s)
    validate_statement(s)
