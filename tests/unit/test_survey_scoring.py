"""Survey scoring against figures computed by hand."""

from __future__ import annotations

from decimal import Decimal

from domain.evaluation import Actor, Evaluation
from domain.framework import Indicator, build_tree, normalise_definitions
from domain.methods.base import Context, RuleResult
from domain.methods.survey import SurveyMethod, Tallies
from tests.cases import CHOICES, TALLIES

BY = Actor("alice", "evaluator", "c")


def survey_leaf(weight: str) -> Indicator:
    defs = normalise_definitions(
        [{"code": "S", "name": "满意度", "weight": weight, "method": "survey", "choices": CHOICES}]
    )
    return build_tree(defs)["S"]


def survey_score(leaf: Indicator, tallies: list[list[int]]) -> RuleResult:
    inputs = Tallies(tuple(tuple(q) for q in tallies), 1)
    return SurveyMethod().rule(leaf, inputs, Context({}, {}))


def test_each_question_rate_is_points_over_the_top_weight_times_respondents() -> None:
    result = survey_score(survey_leaf("20"), TALLIES)
    # (200 + 48 + 18 + 2) / 300 and (150 + 80 + 30) / 300
    assert result.rates == (Decimal(268) / Decimal(300), Decimal(260) / Decimal(300))
    # mean 528 / 600 = 0.88, times the weight 20
    assert result.exact == Decimal("17.60")


def test_the_leaf_score_rounds_half_up_where_bankers_rounding_would_not() -> None:
    # 150×10 + 25×8 + 6×6 + 1×2 + 18×0 = 1738 of 2000: 0.869 × 5 = 4.345
    tallies = [[150, 25, 6, 1, 18]]
    result = survey_score(survey_leaf("5"), tallies)
    assert result.exact == Decimal("4.345")
    evaluation = Evaluation.start(
        title="t",
        subject="s",
        fiscal_year=2024,
        kind="project",
        evaluator=None,
        total_weight="5",
        by=BY,
    )
    evaluation.define_framework(
        [{"code": "S", "name": "满意度", "weight": "5", "method": "survey", "choices": CHOICES}], BY
    )
    evaluation.record_survey("S", tallies, "问卷", BY)
    assert evaluation.leaves["S"].score == Decimal("4.35")
    assert evaluation.leaves["S"].result.rates == (Decimal("0.869"),)


def test_a_question_nobody_answered_counts_as_zero_and_says_so() -> None:
    result = survey_score(survey_leaf("10"), [[10, 0, 0, 0, 0], [0, 0, 0, 0, 0]])
    assert result.exact == Decimal(5)
    assert result.note is not None and "[2]" in result.note
