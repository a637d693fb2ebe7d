"""The score-over-time chart of an indicator, drawn server-side as SVG coordinates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

WIDTH, HEIGHT, PAD = 640, 180, 36


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    score: str
    version: int


@dataclass(frozen=True)
class Tick:
    x: float
    label: str  # a local time, to the minute


@dataclass(frozen=True)
class Chart:
    """A step line from the first change to the last, on a 0..weight scale; the x axis is
    time, with ticks at the first and last change (and between when far apart)."""

    width: int
    height: int
    points: list[Point]
    path: str
    top: str  # the weight, labelled at the top of the scale
    baseline: float
    ceiling: float
    ticks: list[Tick] = field(default_factory=list)


def number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def _moment(change: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(change["recorded_at"]).replace("Z", "+00:00"))


def score_chart(changes: list[dict[str, Any]], weight: Any, zone: tzinfo) -> Chart | None:
    """Chart of `score_after` over the time of each change (oldest first), times labelled in
    `zone`; None when nothing was scored. Changes in one instant share an x."""
    scored: list[tuple[dict[str, Any], Decimal]] = []
    for change in changes:
        score = number(change.get("score_after"))
        if score is not None:
            scored.append((change, score))
    if not scored:
        return None
    top = number(weight) or max(s for _, s in scored) or Decimal(1)
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    start, end = _moment(scored[0][0]), _moment(scored[-1][0])
    span = (end - start).total_seconds() or 1.0

    def x_at(moment: datetime) -> float:
        return round(PAD + inner_w * (moment - start).total_seconds() / span, 1)

    points = [
        Point(
            x=x_at(_moment(c)),
            y=round(PAD + inner_h * float(1 - min(max(s / top, Decimal(0)), Decimal(1))), 1),
            score=str(c.get("score_after")),
            version=int(c["version"]),
        )
        for c, s in scored
    ]
    path = f"M {points[0].x} {points[0].y}"
    for after in points[1:]:
        path += f" H {after.x} V {after.y}"  # a score holds until the next change
    moments = [start, end] if end > start else [start]
    if (end - start).total_seconds() > 0:
        moments.insert(1, start + (end - start) / 2)
    ticks = [Tick(x_at(m), f"{m.astimezone(zone):%Y-%m-%d %H:%M}") for m in moments]
    return Chart(WIDTH, HEIGHT, points, path, str(weight), HEIGHT - PAD, float(PAD), ticks)
