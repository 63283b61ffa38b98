from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from credit_management import grades
from credit_management.grades import GRADE_CODES, GradeScale
from credit_management.scoring import (
    DEFAULT_MODEL,
    DEFAULT_OVERRIDES,
    NEW_CUSTOMER_GRADE,
    NEW_CUSTOMER_SALES_MODE,
    Band,
    Factor,
    FactorScore,
    InvalidScoringError,
    Override,
    ScoringModel,
    ScoringProblem,
    apply_overrides,
    bands_from_cuts,
    flags_from_values,
    is_new_customer,
    is_paying_slower,
    on_time_payment_rate,
    rate,
    score,
    validate_model,
)

D = Decimal
SCALE = GradeScale.default()

# Two factors: payment rate (higher is better) and debt ratio (lower is better).
PAYMENT = Factor(
    "payment_rate",
    D(3),
    (Band(None, D("0.9"), D(0)), Band(D("0.9"), D(1), D(60)), Band(D(1), None, D(100))),
    True,
)
DEBT = Factor(
    "debt_ratio",
    D(1),
    (Band(None, D("0.5"), D(100)), Band(D("0.5"), None, D(20))),
    False,
)
TWO_FACTORS = ScoringModel((PAYMENT, DEBT))


# --- structures --------------------------------------------------------------------------


def test_a_band_holds_its_lower_bound_but_not_its_upper_bound():
    band = Band(D(1), D(2), D(50))
    assert band.contains(D(1))
    assert band.contains(D("1.999"))
    assert not band.contains(D(2))
    assert not band.contains(D("0.999"))


def test_an_unbounded_side_holds_every_value_on_that_side():
    assert Band(None, D(0), D(0)).contains(D(-(10**9)))
    assert Band(D(0), None, D(0)).contains(D(10**9))


def test_bands_from_cuts_cover_every_value():
    assert bands_from_cuts(["1", "2"], [0, 50, 100]) == (
        Band(None, D(1), D(0)),
        Band(D(1), D(2), D(50)),
        Band(D(2), None, D(100)),
    )


def test_bands_from_cuts_needs_one_more_points_value_than_cuts():
    with pytest.raises(ValueError):
        bands_from_cuts([1, 2], [0, 100])


# --- validation --------------------------------------------------------------------------


def test_the_default_model_is_valid():
    assert validate_model(DEFAULT_MODEL) == []


def test_the_default_model_weights_add_up_to_one_hundred():
    # financial 8+6+8+8 = 30, payment 15+10+7+8 = 40, 5C 8+6+6+5+5 = 30
    assert sum(factor.weight for factor in DEFAULT_MODEL.factors) == D(100)


def test_the_default_model_covers_ratios_payment_behaviour_and_the_five_cs():
    assert [factor.code for factor in DEFAULT_MODEL.factors] == [
        "current_ratio",
        "quick_ratio",
        "debt_ratio",
        "net_margin",
        "payment_rate",
        "avg_days_late",
        "overdue_count",
        "longest_overdue_days",
        "character",
        "capacity",
        "capital",
        "collateral",
        "conditions",
    ]
    lower_is_better = {f.code for f in DEFAULT_MODEL.factors if f.higher_is_better is False}
    assert lower_is_better == {
        "debt_ratio",
        "avg_days_late",
        "overdue_count",
        "longest_overdue_days",
    }


def test_an_empty_model_is_a_problem():
    assert validate_model(ScoringModel(())) == [ScoringProblem("no_factors")]


def test_negative_weights_and_all_zero_weights_are_problems():
    negative = ScoringModel((Factor("x", D(-1), PAYMENT.bands),))
    assert validate_model(negative) == [
        ScoringProblem("negative_weight", "x", D(-1)),
        ScoringProblem("all_weights_zero"),
    ]
    zero = ScoringModel((Factor("x", D(0), PAYMENT.bands), Factor("y", D(0), PAYMENT.bands)))
    assert validate_model(zero) == [ScoringProblem("all_weights_zero")]


def test_two_factors_with_the_same_code_are_a_problem():
    model = ScoringModel((PAYMENT, PAYMENT))
    assert validate_model(model) == [ScoringProblem("duplicate_factor", "payment_rate")]


def test_a_factor_without_bands_is_a_problem():
    assert validate_model(ScoringModel((Factor("x", D(1), ()),))) == [
        ScoringProblem("no_bands", "x")
    ]


def test_a_band_whose_lower_bound_is_not_below_its_upper_bound_is_empty():
    bands = (Band(None, D(1), D(0)), Band(D(1), D(1), D(50)), Band(D(1), None, D(100)))
    assert validate_model(ScoringModel((Factor("x", D(1), bands),))) == [
        ScoringProblem("empty_band", "x", D(1), D(1), band=1)
    ]


def test_points_outside_zero_to_hundred_are_problems():
    bands = (Band(None, D(1), D(-1)), Band(D(1), None, D(101)))
    assert validate_model(ScoringModel((Factor("x", D(1), bands),))) == [
        ScoringProblem("points_out_of_range", "x", D(-1), band=0),
        ScoringProblem("points_out_of_range", "x", D(101), band=1),
    ]


def test_a_gap_between_bands_is_a_problem():
    bands = (Band(None, D(1), D(0)), Band(D(2), None, D(100)))
    assert validate_model(ScoringModel((Factor("x", D(1), bands),))) == [
        ScoringProblem("gap", "x", D(1), D(2), band=1)
    ]


def test_overlapping_bands_are_a_problem():
    bands = (Band(None, D(2), D(0)), Band(D(1), None, D(100)))
    assert validate_model(ScoringModel((Factor("x", D(1), bands),))) == [
        ScoringProblem("overlap", "x", D(1), D(2), band=1)
    ]


def test_bounded_ends_leave_values_without_points_and_are_problems():
    bands = (Band(D(0), D(1), D(0)), Band(D(1), D(2), D(100)))
    assert validate_model(ScoringModel((Factor("x", D(1), bands),))) == [
        ScoringProblem("open_below", "x", D(0), band=0),
        ScoringProblem("open_above", "x", D(2), band=1),
    ]


def test_bands_may_be_listed_in_any_order():
    bands = (Band(D(2), None, D(100)), Band(None, D(1), D(0)), Band(D(1), D(2), D(50)))
    model = ScoringModel((Factor("x", D(1), bands),))
    assert validate_model(model) == []
    assert score(model, {"x": D("1.5")}).score == D(50)


def test_points_running_against_the_direction_of_the_factor_are_a_problem():
    falling = (Band(None, D(1), D(100)), Band(D(1), None, D(0)))
    assert validate_model(ScoringModel((Factor("x", D(1), falling, True),))) == [
        ScoringProblem("not_monotone", "x", D(0), D(100), band=1)
    ]
    assert validate_model(ScoringModel((Factor("x", D(1), falling, None),))) == []


def test_overrides_with_unknown_kind_or_grade_are_problems():
    model = ScoringModel((PAYMENT,), (Override("f", "lift", "D"),))
    assert validate_model(model) == [
        ScoringProblem("unknown_override_kind", "f", "lift"),
        ScoringProblem("unknown_grade", "f", "D"),
    ]


def test_scoring_with_an_invalid_model_raises_with_every_problem():
    with pytest.raises(InvalidScoringError) as raised:
        score(ScoringModel(()), {})
    assert raised.value.problems == (ScoringProblem("no_factors"),)


# --- score -------------------------------------------------------------------------------


def test_score_is_the_weighted_mean_of_the_points():
    result = score(TWO_FACTORS, {"payment_rate": D("0.95"), "debt_ratio": D("0.6")})
    # payment 0.95 -> 60 points, weight 3 ; debt 0.6 -> 20 points, weight 1
    # (3 x 60 + 1 x 20) / (3 + 1) = 200 / 4 = 50
    assert result.score == D(50)
    assert result.missing == ()
    assert result.lines == (
        FactorScore("payment_rate", D("0.95"), D(60), D(3), D(45)),  # 3 x 60 / 4
        FactorScore("debt_ratio", D("0.6"), D(20), D(1), D(5)),  # 1 x 20 / 4
    )


def test_a_missing_factor_is_left_out_of_both_sums_and_listed():
    result = score(TWO_FACTORS, {"payment_rate": D(1), "debt_ratio": None})
    # only payment: 3 x 100 / 3 = 100
    assert result.score == D(100)
    assert result.missing == ("debt_ratio",)
    assert [line.code for line in result.lines] == ["payment_rate"]


def test_values_for_unknown_codes_are_ignored():
    result = score(TWO_FACTORS, {"debt_ratio": D("0.2"), "shoe_size": D(44)})
    assert result.score == D(100)
    assert result.missing == ("payment_rate",)


def test_without_any_value_there_is_no_score():
    result = score(TWO_FACTORS, {})
    assert result.score is None
    assert result.lines == ()
    assert result.missing == ("payment_rate", "debt_ratio")


def test_values_only_for_weightless_factors_give_no_score():
    model = ScoringModel((PAYMENT, Factor("info", D(0), bands_from_cuts([], [100]))))
    result = score(model, {"info": D(1)})
    assert result.score is None
    assert result.lines == (FactorScore("info", D(1), D(100), D(0), D(0)),)


def test_score_is_rounded_half_up_to_hundredths():
    model = ScoringModel(
        (
            Factor("a", D(1), bands_from_cuts([], [100])),
            Factor("b", D(2), bands_from_cuts([], [0])),
        )
    )
    # (1 x 100 + 2 x 0) / 3 = 33.333... -> 33.33
    assert score(model, {"a": 1, "b": 1}).score == D("33.33")
    half = ScoringModel(
        (
            Factor("a", D(1), bands_from_cuts([], ["0.01"])),
            Factor("b", D(1), bands_from_cuts([], [0])),
        )
    )
    # (0.01 + 0) / 2 = 0.005 -> 0.01 (half up)
    assert score(half, {"a": 1, "b": 1}).score == D("0.01")


def test_values_given_as_int_float_or_text_are_read_as_decimals():
    result = score(TWO_FACTORS, {"payment_rate": 0.95, "debt_ratio": "0.6"})
    assert result.score == D(50)
    assert result.lines[0].value == D("0.95")


def test_a_perfect_customer_scores_100_and_a_dreadful_one_0_on_the_default_model():
    perfect = {
        "current_ratio": 3,
        "quick_ratio": 2,
        "debt_ratio": "0.2",
        "net_margin": "0.15",
        "payment_rate": 1,
        "avg_days_late": 0,
        "overdue_count": 0,
        "longest_overdue_days": 0,
        "character": 5,
        "capacity": 5,
        "capital": 5,
        "collateral": 5,
        "conditions": 5,
    }
    dreadful = {
        "current_ratio": "0.2",
        "quick_ratio": "0.1",
        "debt_ratio": "0.95",
        "net_margin": "-0.1",
        "payment_rate": "0.5",
        "avg_days_late": 90,
        "overdue_count": 12,
        "longest_overdue_days": 200,
        "character": 0,
        "capacity": 0,
        "capital": 0,
        "collateral": 0,
        "conditions": 0,
    }
    assert score(DEFAULT_MODEL, perfect).score == D(100)
    assert score(DEFAULT_MODEL, dreadful).score == D(0)


def test_a_typical_customer_on_the_default_model_scores_by_hand():
    values = {
        "current_ratio": "1.2",  # [1, 1.5) -> 50, weight 8 -> 400
        "debt_ratio": "0.6",  # [0.55, 0.7) -> 50, weight 8 -> 400
        "payment_rate": "0.9",  # [0.85, 0.95) -> 60, weight 15 -> 900
        "avg_days_late": 10,  # [8, 16) -> 60, weight 10 -> 600
        "character": 4,  # [4, 5) -> 80, weight 8 -> 640
    }
    # (400 + 400 + 900 + 600 + 640) / (8 + 8 + 15 + 10 + 8) = 2940 / 49 = 60
    result = score(DEFAULT_MODEL, values)
    assert result.score == D(60)
    assert len(result.missing) == 13 - 5


# --- grade and overrides -----------------------------------------------------------------


def test_rate_reads_the_grade_from_the_scale():
    result = rate(SCALE, TWO_FACTORS, {"payment_rate": D("0.95"), "debt_ratio": D("0.6")})
    assert result.score == D(50)
    assert result.score_grade == "BB"  # 50 reaches BB's minimum 50
    assert result.grade == "BB"
    assert result.applied_overrides == ()


def test_selling_competitors_products_forces_c():
    result = rate(SCALE, TWO_FACTORS, {"payment_rate": 1}, {"competitor_products"})
    assert result.score_grade == "AAA"
    assert result.grade == "C"
    assert result.applied_overrides == (Override("competitor_products", "force", "C"),)


def test_a_payment_rate_below_full_caps_the_grade_at_a():
    result = rate(SCALE, TWO_FACTORS, {"debt_ratio": D("0.1")}, {"payment_rate_below_full"})
    assert result.score_grade == "AAA"
    assert result.grade == "A"


def test_a_cap_does_not_lift_a_grade_already_below_it():
    result = rate(SCALE, TWO_FACTORS, {"debt_ratio": D("0.9")}, {"payment_rate_below_full"})
    assert result.score == D(20)
    assert result.score_grade == "CC"
    assert result.grade == "CC"


def test_large_debts_elsewhere_cap_the_grade_at_c_and_bankruptcy_forces_c():
    assert rate(SCALE, TWO_FACTORS, {"payment_rate": 1}, {"large_debts_elsewhere"}).grade == "C"
    assert rate(SCALE, TWO_FACTORS, {"payment_rate": 1}, {"bankrupt"}).grade == "C"


def test_the_default_overrides_are_the_rules_from_practice():
    assert [(rule.code, rule.kind, rule.grade) for rule in DEFAULT_OVERRIDES] == [
        ("competitor_products", "force", "C"),
        ("payment_rate_below_full", "cap", "A"),
        ("large_debts_elsewhere", "cap", "C"),
        ("bankrupt", "force", "C"),
        ("risky_side_business", "cap", "BBB"),
        ("bad_records", "cap", "BB"),
        ("policy_violation", "cap", "BBB"),
    ]


def test_red_flags_without_a_forcing_rule_keep_a_customer_out_of_the_strong_grades():
    assert rate(SCALE, TWO_FACTORS, {"payment_rate": 1}, {"risky_side_business"}).grade == "BBB"
    assert rate(SCALE, TWO_FACTORS, {"payment_rate": 1}, {"bad_records"}).grade == "BB"


def test_flags_nobody_wrote_a_rule_for_are_ignored():
    result = rate(SCALE, TWO_FACTORS, {"payment_rate": 1}, {"likes_golf"})
    assert result.grade == "AAA"
    assert result.applied_overrides == ()


def test_a_force_wins_over_a_cap():
    overrides = (Override("strict", "cap", "CC"), Override("decided", "force", "BBB"))
    grade, applied = apply_overrides("AAA", overrides, {"strict", "decided"})
    assert grade == "BBB"
    assert applied == (Override("decided", "force", "BBB"),)


def test_among_forces_and_among_caps_the_worst_grade_wins():
    forces = (Override("f1", "force", "BB"), Override("f2", "force", "CCC"))
    assert apply_overrides("AAA", forces, {"f1", "f2"})[0] == "CCC"
    caps = (Override("c1", "cap", "A"), Override("c2", "cap", "BBB"))
    grade, applied = apply_overrides("AAA", caps, {"c1", "c2"})
    assert grade == "BBB"
    assert applied == caps


def test_a_force_to_a_better_grade_than_the_score_keeps_the_score_grade():
    grade, _ = apply_overrides("CC", (Override("f", "force", "A"),), {"f"})
    assert grade == "CC"


def test_without_a_score_a_force_still_gives_a_grade_but_a_cap_gives_none():
    assert rate(SCALE, TWO_FACTORS, {}, {"bankrupt"}).grade == "C"
    capped = rate(SCALE, TWO_FACTORS, {}, {"payment_rate_below_full"})
    assert capped.score is None
    assert capped.score_grade is None
    assert capped.grade is None
    assert capped.applied_overrides == ()


def test_a_payment_rate_below_one_raises_the_payment_flag():
    assert flags_from_values({"payment_rate": D("0.99")}) == {"payment_rate_below_full"}
    assert flags_from_values({"payment_rate": D(1)}) == frozenset()
    assert flags_from_values({"payment_rate": None}) == frozenset()
    assert flags_from_values({}) == frozenset()


def test_an_excellent_customer_paying_99_percent_on_time_is_capped_at_a():
    values = {
        "current_ratio": 3,
        "quick_ratio": 2,
        "debt_ratio": "0.2",
        "net_margin": "0.15",
        "payment_rate": "0.99",
        "avg_days_late": 0,
        "overdue_count": 0,
        "longest_overdue_days": 0,
        "character": 5,
        "capacity": 5,
        "capital": 5,
        "collateral": 5,
        "conditions": 5,
    }
    # every factor at 100 points except payment rate 0.99 in [0.95, 1) -> 80, weight 15
    # (85 x 100 + 15 x 80) / 100 = (8500 + 1200) / 100 = 97 -> AAA, capped at A
    result = rate(SCALE, DEFAULT_MODEL, values, flags_from_values(values))
    assert result.score == D(97)
    assert result.score_grade == "AAA"
    assert result.grade == "A"
    assert result.applied_overrides == (Override("payment_rate_below_full", "cap", "A"),)


# --- payment behaviour -------------------------------------------------------------------


def test_on_time_payment_rate_divides_paid_on_time_by_due():
    # 45,000 / 50,000 = 0.9
    assert on_time_payment_rate(D(45_000), D(50_000)) == D("0.9")


def test_on_time_payment_rate_is_none_when_nothing_fell_due():
    assert on_time_payment_rate(D(0), D(0)) is None
    assert on_time_payment_rate(D(100), D(0)) is None


def test_paying_more_than_was_due_does_not_exceed_a_full_rate():
    assert on_time_payment_rate(D(60_000), D(50_000)) == D(1)


def test_negative_ledger_amounts_are_a_boundary_bug():
    with pytest.raises(ValueError):
        on_time_payment_rate(D(-1), D(10))


def test_payments_getting_slower_by_more_than_the_threshold_is_a_warning():
    assert is_paying_slower(D(20), D(26))  # 6 > 5
    assert not is_paying_slower(D(20), D(25))  # 5 is not more than 5
    assert not is_paying_slower(D(30), D(20))
    assert is_paying_slower(D(20), D(23), threshold_days=D(2))


def test_a_period_without_payments_gives_no_slowdown_warning():
    assert not is_paying_slower(None, D(60))
    assert not is_paying_slower(D(20), None)


def test_a_negative_slowdown_threshold_is_a_problem():
    with pytest.raises(InvalidScoringError) as raised:
        is_paying_slower(D(1), D(2), threshold_days=D(-1))
    assert raised.value.problems == (ScoringProblem("negative", "slowdown_threshold", D(-1)),)


# --- new customers -----------------------------------------------------------------------


def test_a_customer_with_less_than_three_months_of_history_is_new():
    assert is_new_customer(None)
    assert is_new_customer(0)
    assert is_new_customer(2)
    assert not is_new_customer(3)
    assert not is_new_customer(24)


def test_the_minimum_history_is_a_setting():
    assert is_new_customer(5, minimum_months=6)
    assert not is_new_customer(6, minimum_months=6)


def test_new_customers_are_c_and_pay_before_delivery():
    assert NEW_CUSTOMER_GRADE == "C"
    assert NEW_CUSTOMER_SALES_MODE == "prepayment"


def test_a_negative_minimum_history_is_a_problem():
    with pytest.raises(InvalidScoringError) as raised:
        is_new_customer(1, minimum_months=-1)
    assert raised.value.problems[0].kind == "negative"


# --- properties --------------------------------------------------------------------------

decimals = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False)


@st.composite
def monotone_factors(draw, code):
    cuts = sorted(set(draw(st.lists(decimals, max_size=5))))
    higher_is_better = draw(st.booleans())
    points = sorted(
        draw(st.lists(st.integers(0, 100), min_size=len(cuts) + 1, max_size=len(cuts) + 1)),
        reverse=not higher_is_better,
    )
    weight = draw(st.integers(0, 20))
    return Factor(code, D(weight), bands_from_cuts(cuts, points), higher_is_better)


@st.composite
def models_and_values(draw):
    count = draw(st.integers(1, 5))
    factors = [draw(monotone_factors(f"f{i}")) for i in range(count)]
    if not any(factor.weight > 0 for factor in factors):
        first = factors[0]
        factors[0] = Factor(first.code, D(1), first.bands, first.higher_is_better)
    model = ScoringModel(tuple(factors))
    values = {
        factor.code: draw(st.one_of(st.none(), decimals, st.integers(-(10**6), 10**6)))
        for factor in factors
    }
    return model, values


@given(models_and_values())
def test_generated_models_are_valid(model_and_values):
    model, _ = model_and_values
    assert validate_model(model) == []


@given(models_and_values())
def test_the_score_always_lies_within_zero_and_hundred(model_and_values):
    model, values = model_and_values
    result = score(model, values)
    assert result.score is None or D(0) <= result.score <= D(100)


@given(models_and_values(), st.data())
def test_improving_one_factor_never_lowers_the_score(model_and_values, data):
    model, values = model_and_values
    known = [code for code, value in values.items() if value is not None]
    assume(known)
    code = data.draw(st.sampled_from(known))
    factor = next(f for f in model.factors if f.code == code)
    step = data.draw(st.decimals(min_value=0, max_value=2000, places=2))
    raised = dict(values, **{code: D(values[code]) + step})
    before, after = score(model, values).score, score(model, raised).score
    assume(before is not None)
    if factor.higher_is_better:
        assert after >= before
    else:
        assert after <= before


default_values = st.fixed_dictionaries(
    {
        factor.code: st.one_of(
            st.none(), st.decimals(min_value=-5, max_value=200, places=3, allow_nan=False)
        )
        for factor in DEFAULT_MODEL.factors
    }
)


@given(default_values, st.sampled_from([f.code for f in DEFAULT_MODEL.factors]), st.data())
def test_the_default_model_moves_the_right_way_for_every_factor(values, code, data):
    values = dict(values, **{code: data.draw(st.decimals(-5, 200, places=3))})
    factor = next(f for f in DEFAULT_MODEL.factors if f.code == code)
    raised = dict(values, **{code: values[code] + data.draw(st.decimals(0, 50, places=3))})
    before, after = score(DEFAULT_MODEL, values).score, score(DEFAULT_MODEL, raised).score
    if factor.higher_is_better:
        assert after >= before
    else:
        assert after <= before


overrides = st.builds(
    Override,
    st.sampled_from(["f1", "f2", "f3"]),
    st.sampled_from(["cap", "force"]),
    st.sampled_from(GRADE_CODES),
)


@given(
    st.sampled_from(GRADE_CODES),
    st.lists(overrides, max_size=4),
    st.sets(st.sampled_from(["f1", "f2", "f3", "other"])),
)
def test_an_override_never_improves_a_grade(score_grade, rules, flags):
    grade, applied = apply_overrides(score_grade, rules, flags)
    assert grades.rank(grade) >= grades.rank(score_grade)
    assert all(rule.code in flags for rule in applied)


@given(default_values, st.sets(st.sampled_from([o.code for o in DEFAULT_OVERRIDES])))
def test_a_rating_never_ends_above_the_grade_of_its_score(values, flags):
    result = rate(SCALE, DEFAULT_MODEL, values, flags)
    if result.score_grade is not None:
        assert grades.rank(result.grade) >= grades.rank(result.score_grade)
