"""Small fixture-format evaluations for the tests, with hand-computed expectations."""

from __future__ import annotations

import copy
from typing import Any

from flask import Flask

from domain.evaluation import Actor

SUBJECT = "示范区民政局"

_SMALL_CASE: dict[str, Any] = {
    "evaluation": {
        "title": "社区服务中心运营项目 2023年度绩效评价",
        "subject": SUBJECT,
        "fiscal_year": 2023,
        "kind": "project",
    },
    "indicators": [
        {"code": "1", "name": "决策", "weight": "40"},
        {"code": "1.1", "parent": "1", "name": "立项依据充分性", "weight": "20"},
        {
            "code": "1.2",
            "parent": "1",
            "name": "绩效目标合理性",
            "weight": "20",
            "method": "manual",
        },
        {"code": "2", "name": "产出与效益", "weight": "60"},
        {
            "code": "2.1",
            "parent": "2",
            "name": "制度执行有效性",
            "weight": "30",
            "method": "checklist",
            "items": [{"text": "制度健全", "points": "10"}, {"text": "执行到位", "points": "20"}],
        },
        {
            "code": "2.2",
            "parent": "2",
            "name": "服务对象满意度",
            "weight": "30",
            "method": "survey",
            "choices": [{"label": "满意", "weight": "10"}, {"label": "不满意", "weight": "0"}],
        },
    ],
    "data_entries": [{"key": "预算数", "value": "120", "unit": "万元", "source": "预算批复"}],
    "actions": [
        {"indicator": "1.1", "action": "deduct", "points": "2", "reason": "立项论证材料不完整"},
        {"indicator": "1.2", "action": "score", "score": "15", "justification": "目标基本合理"},
        {"indicator": "2.1", "action": "checklist", "met": [True, False], "justification": "抽查"},
        {"indicator": "2.2", "action": "survey", "tallies": [[8, 2]]},
    ],
}
# 1.1: 20 - 2 = 18; 1.2: 15; 2.1: 10; 2.2: 0.8 × 30 = 24; total 67.00
SMALL_TOTAL = "67.00"


_TARGET_CASE: dict[str, Any] = {
    "evaluation": {
        "title": "社区文化服务项目 2024年度绩效自评",
        "subject": SUBJECT,
        "fiscal_year": 2024,
        "kind": "self-evaluation",
        "required_sign_offs": ["评价组组长"],
    },
    "indicators": [
        {"code": "1", "name": "产出指标", "weight": "60"},
        {
            "code": "1.1",
            "parent": "1",
            "name": "演出场次",
            "weight": "30",
            "method": "target",
            "target": "≥20场次",
        },
        {
            "code": "1.2",
            "parent": "1",
            "name": "单场成本",
            "weight": "30",
            "method": "target",
            "target": "≤4.74万元",
        },
        {"code": "2", "name": "效益指标", "weight": "40"},
        {
            "code": "2.1",
            "parent": "2",
            "name": "群众文化生活",
            "weight": "40",
            "method": "target",
            "target": "有效提升",
        },
    ],
    "target_values": [
        {"indicator": "1.1", "stage": "final", "value": "24", "evidence": [{"title": "台账"}]},
        {"indicator": "1.2", "stage": "final", "value": "4.5", "evidence": [{"title": "决算"}]},
    ],
}
# 1.1: 24 ≥ 20 → 30; 1.2: 4.5 ≤ 4.74 → 30; 2.1 unscored; total 60.00, provisional (暂计):
# the case stays in draft until 2.1 is scored


def target_case(subject: str = SUBJECT) -> dict[str, Any]:
    """A small self-evaluation: two quantitative targets met, one qualitative still open."""
    case = copy.deepcopy(_TARGET_CASE)
    case["evaluation"]["subject"] = subject
    return case


def small_case(subject: str = SUBJECT) -> dict[str, Any]:
    """A fresh copy, optionally for another subject."""
    case = copy.deepcopy(_SMALL_CASE)
    case["evaluation"]["subject"] = subject
    return case


def load_directly(app: Flask, case: dict[str, Any], by: str = "alice") -> str:
    """Record a case through the service in one transaction, as the evaluator `by`.

    Faster than `load_through_api` for tests whose subject is what happens afterwards. Its
    sign-offs are transcribed as the console `load` does: each by its capacity's party.
    """
    actor = Actor(by, "evaluator", "test-setup")
    service = app.extensions["scoretrail"]
    return str(service.import_evaluation(case, actor, transcribe_sign_offs=True).id)


CHOICES = [
    {"label": "满意", "weight": "10"},
    {"label": "较满意", "weight": "8"},
    {"label": "基本满意", "weight": "6"},
    {"label": "较不满意", "weight": "2"},
    {"label": "不满意", "weight": "0"},
]

# Q1: (10×20 + 8×6 + 6×3 + 2×1 + 0×0) / (10 × 30) = 268/300 = 89.33 %
# Q2: (10×15 + 8×10 + 6×5) / (10 × 30) = 260/300 = 86.67 %; mean 0.88; × 20 = 17.60
TALLIES = [[20, 6, 3, 1, 0], [15, 10, 5, 0, 0]]


def mixed_case() -> dict[str, Any]:
    """Every scoring method once: A1 8.50, A2 6.00, A3 15.00, B1 17.60, B2 35.00; 82.10 良."""
    return {
        "evaluation": {
            "title": "社区服务项目 2024年度绩效评价",
            "subject": "某区民政局",
            "fiscal_year": 2024,
            "kind": "project",
        },
        "indicators": [
            {"code": "A", "name": "过程", "weight": "40"},
            {"code": "A1", "parent": "A", "name": "制度执行", "weight": "10"},
            {
                "code": "A2",
                "parent": "A",
                "name": "档案管理",
                "weight": "10",
                "method": "checklist",
                "items": [{"text": "档案齐全", "points": "6"}, {"text": "归档及时", "points": "4"}],
            },
            {
                "code": "A3",
                "parent": "A",
                "name": "预算执行率",
                "weight": "20",
                "method": "ratio",
                "numerator": "实际支出",
                "denominator": "预算资金",
            },
            {"code": "B", "name": "效益", "weight": "60"},
            {
                "code": "B1",
                "parent": "B",
                "name": "服务对象满意度",
                "weight": "20",
                "method": "survey",
                "choices": CHOICES,
            },
            {"code": "B2", "parent": "B", "name": "社会效益", "weight": "40", "method": "manual"},
        ],
        "data_entries": [
            {"key": "预算资金", "value": "200", "unit": "万元", "source": "预算批复"},
            {"key": "实际支出", "value": "150", "unit": "万元", "source": "财务账"},
        ],
        "actions": [
            {"indicator": "A1", "action": "deduct", "points": "1.5", "reason": "制度执行不到位"},
            {
                "indicator": "A2",
                "action": "checklist",
                "met": [True, False],
                "justification": "未及时归档",
            },
            {"indicator": "B1", "action": "survey", "tallies": TALLIES},
            {"indicator": "B2", "action": "score", "score": "35", "justification": "效益较好"},
        ],
    }
