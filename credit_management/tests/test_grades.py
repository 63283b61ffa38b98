from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credit_management import grades
from credit_management.grades import (
    DEFAULT_THRESHOLDS,
    GRADE_CODES,
    GradeScale,
    InvalidScaleError,
    UnknownGradeError,
    validate_thresholds,
)


def test_the_scale_has_nine_grades_best_first():
    assert GRADE_CODES == ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C")
    assert grades.rank("AAA") == 0
    assert grades.rank("C") == 8


def test_better_worse_and_caps_follow_the_scale():
    assert grades.worst("A", "CCC", "BB") == "CCC"
    assert grades.best("A", "CCC", "BB") == "A"
    # "payment rate below 100 % -> not above A": an AA is capped to A, a BB stays BB
    assert grades.cap("AA", "A") == "A"
    assert grades.cap("BB", "A") == "BB"


def test_unknown_grade_code_is_rejected():
    with pytest.raises(UnknownGradeError):
        grades.rank("D")


def test_default_scale_maps_scores_on_threshold_boundaries():
    scale = GradeScale.default()
    assert scale.grade_for(100) == "AAA"
    assert scale.grade_for(90) == "AAA"
    assert scale.grade_for(Decimal("89.99")) == "AA"
    assert scale.grade_for(70) == "A"
    assert scale.grade_for(Decimal("69.5")) == "BBB"
    assert scale.grade_for(40) == "B"
    assert scale.grade_for(0) == "C"


def test_scores_outside_zero_to_hundred_are_clamped():
    scale = GradeScale.default()
    assert scale.grade_for(130) == "AAA"
    assert scale.grade_for(-5) == "C"


def test_custom_thresholds_change_the_grade():
    custom = dict(DEFAULT_THRESHOLDS, AAA=95)
    scale = GradeScale.from_mapping(custom)
    assert scale.grade_for(92) == "AA"
    assert scale.minimum("AAA") == Decimal(95)


def test_thresholds_out_of_order_are_reported_with_both_grades():
    bad = dict(DEFAULT_THRESHOLDS, A=85)  # A above AA (80)
    problems = validate_thresholds(bad)
    kinds = {(p.kind, p.grade, p.other) for p in problems}
    assert ("not_descending", "A", "AA") in kinds
    with pytest.raises(InvalidScaleError) as caught:
        GradeScale.from_mapping(bad)
    assert caught.value.problems == tuple(problems)


def test_equal_thresholds_are_not_strictly_descending():
    bad = dict(DEFAULT_THRESHOLDS, BB=60)  # same as BBB
    assert [p.kind for p in validate_thresholds(bad)] == ["not_descending"]


def test_missing_unknown_out_of_range_and_nonzero_lowest_are_all_reported():
    bad = dict(DEFAULT_THRESHOLDS)
    del bad["CC"]
    bad["D"] = 5
    bad["AAA"] = 120
    bad["C"] = 10
    kinds = sorted((p.kind, p.grade) for p in validate_thresholds(bad))
    assert kinds == [
        ("lowest_not_zero", "C"),
        ("missing", "CC"),
        ("out_of_range", "AAA"),
        ("unknown", "D"),
    ]


@st.composite
def valid_thresholds(draw):
    cuts = draw(
        st.lists(
            st.decimals(min_value=1, max_value=100, places=2),
            min_size=8,
            max_size=8,
            unique=True,
        )
    )
    values = [*sorted(cuts, reverse=True), Decimal(0)]
    return dict(zip(GRADE_CODES, values, strict=True))


@given(
    valid_thresholds(),
    st.decimals(min_value=0, max_value=100, places=2),
    st.decimals(min_value=0, max_value=100, places=2),
)
def test_a_higher_score_never_gets_a_worse_grade(thresholds, a, b):
    scale = GradeScale.from_mapping(thresholds)
    low, high = sorted((a, b))
    assert grades.rank(scale.grade_for(high)) <= grades.rank(scale.grade_for(low))


@given(valid_thresholds(), st.decimals(min_value=0, max_value=100, places=2))
def test_a_score_reaches_the_minimum_of_its_grade_and_not_the_next_one(thresholds, score):
    scale = GradeScale.from_mapping(thresholds)
    code = scale.grade_for(score)
    assert score >= scale.minimum(code)
    if code != "AAA":
        better = GRADE_CODES[grades.rank(code) - 1]
        assert score < scale.minimum(better)
