"""The pages' pure helpers: the score chart's coordinates and readable event fields."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from web.ui.chart import HEIGHT, PAD, WIDTH, score_chart
from web.ui.labels import event_fields, when

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_chart_steps_from_each_score_to_the_next_on_a_zero_to_weight_scale() -> None:
    changes = [
        {"version": 14, "score_after": "7.00", "recorded_at": "2026-03-01T02:00:00+00:00"},
        {"version": 46, "score_after": "5.00", "recorded_at": "2026-03-02T02:00:00+00:00"},
        {"version": 60, "score_after": "6.00", "recorded_at": "2026-03-05T02:00:00+00:00"},
    ]
    chart = score_chart(changes, "7.00", SHANGHAI)
    assert chart is not None
    assert [p.version for p in chart.points] == [14, 46, 60]
    assert chart.points[0].y == PAD, "the full weight sits on the top line"
    assert chart.points[1].y > chart.points[2].y > chart.points[0].y
    assert chart.path.count(" H ") == 2 and chart.path.count(" V ") == 2


def test_a_score_of_zero_sits_on_the_baseline_and_no_score_draws_nothing() -> None:
    at = "2026-03-01T02:00:00+00:00"
    chart = score_chart(
        [{"version": 3, "score_after": "0.00", "recorded_at": at}], "8.00", SHANGHAI
    )
    assert chart is not None and chart.points[0].y == HEIGHT - PAD
    none = [{"version": 3, "score_after": None, "recorded_at": at}]
    assert score_chart(none, "8.00", SHANGHAI) is None


def test_the_charts_x_axis_is_time_with_local_ticks_at_both_ends() -> None:
    changes = [
        {"version": 1, "score_after": "7.00", "recorded_at": "2026-03-01T02:00:00+00:00"},
        {"version": 2, "score_after": "6.00", "recorded_at": "2026-03-01T03:00:00+00:00"},
        {"version": 3, "score_after": "5.00", "recorded_at": "2026-03-11T02:00:00+00:00"},
    ]
    chart = score_chart(changes, "7.00", SHANGHAI)
    assert chart is not None
    xs = [p.x for p in chart.points]
    assert xs[0] == PAD and xs[-1] == WIDTH - PAD
    assert xs[1] - xs[0] < (xs[2] - xs[1]) / 100, "an hour apart sits close; ten days far"
    assert [t.label for t in chart.ticks] == [
        "2026-03-01 10:00",
        "2026-03-06 10:00",
        "2026-03-11 10:00",
    ]


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


def test_every_event_the_aggregate_records_has_a_chinese_name() -> None:
    from eventsourcing.domain import Aggregate

    import domain.form_events
    import domain.target_events
    from application.system_text import EVENT_NAMES
    from domain.evaluation import Evaluation

    def events_of(owner: object) -> set[str]:
        found = (getattr(owner, name) for name in dir(owner))
        return {
            kind.__name__
            for kind in found
            if isinstance(kind, type) and issubclass(kind, Aggregate.Event)
        }

    events = events_of(Evaluation) | events_of(domain.target_events) | events_of(domain.form_events)
    events -= {"Event", "Snapshot"}
    assert {"DeductionRecorded", "SignedOff", "FundsRecorded"} <= events
    assert events - set(EVENT_NAMES) == set()
