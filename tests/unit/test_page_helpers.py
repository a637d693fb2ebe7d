"""The pages' pure helpers: the score chart's coordinates and readable event fields."""

from __future__ import annotations

from web.ui.chart import HEIGHT, PAD, score_chart
from web.ui.labels import event_fields, when


def test_the_chart_steps_from_each_score_to_the_next_on_a_zero_to_weight_scale() -> None:
    changes = [
        {"version": 14, "score_after": "7.00"},
        {"version": 46, "score_after": "5.00"},
        {"version": 60, "score_after": "6.00"},
    ]
    chart = score_chart(changes, "7.00")
    assert chart is not None
    assert [p.version for p in chart.points] == [14, 46, 60]
    assert chart.points[0].y == PAD, "the full weight sits on the top line"
    assert chart.points[1].y > chart.points[2].y > chart.points[0].y
    assert chart.path.count(" H ") == 2 and chart.path.count(" V ") == 2


def test_a_score_of_zero_sits_on_the_baseline_and_no_score_draws_nothing() -> None:
    chart = score_chart([{"version": 3, "score_after": "0.00"}], "8.00")
    assert chart is not None and chart.points[0].y == HEIGHT - PAD
    assert score_chart([{"version": 3, "score_after": None}], "8.00") is None


def test_event_fields_are_labelled_in_chinese_without_derived_figures() -> None:
    data = {
        "code": "3.1.1",
        "overridden": False,
        "parents": {"3": "23.00"},
        "cause": "DisputeDecided",
        "evidence": [{"title": "培训签到表"}, {"title": "会议记录"}],
        "note": None,
    }
    assert event_fields(data) == [
        ("指标", "3.1.1"),
        ("人工调整", "否"),
        ("起因", "裁定异议"),
        ("证据", "培训签到表、会议记录"),
    ]


def test_times_read_in_local_time_with_the_offset_without_microseconds() -> None:
    assert when("2026-11-22T13:40:00.123456+00:00") == "2026-11-22 21:40:00 (UTC+08:00)"
    assert when(None) == "—"
