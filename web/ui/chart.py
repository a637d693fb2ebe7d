"""The score-over-time chart of an indicator, drawn server-side as SVG coordinates."""

from __future__ import annotations

from dataclasses import dataclass
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
class Chart:
    """A step line from the first change to the last, on a 0..weight scale."""

    width: int
    height: int
    points: list[Point]
    path: str
    top: str  # the weight, labelled at the top of the scale
    baseline: float
    ceiling: float


def number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def score_chart(changes: list[dict[str, Any]], weight: Any) -> Chart | None:
    """Chart of `score_after` by change (oldest first); None when nothing was scored."""
    scored: list[tuple[dict[str, Any], Decimal]] = []
    for change in changes:
        score = number(change.get("score_after"))
        if score is not None:
            scored.append((change, score))
    if not scored:
        return None
    top = number(weight) or max(s for _, s in scored) or Decimal(1)
    span = max(len(scored) - 1, 1)
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    points = [
        Point(
            x=round(PAD + inner_w * i / span, 1),
            y=round(PAD + inner_h * float(1 - min(max(s / top, Decimal(0)), Decimal(1))), 1),
            score=str(c.get("score_after")),
            version=int(c["version"]),
        )
        for i, (c, s) in enumerate(scored)
    ]
    path = f"M {points[0].x} {points[0].y}"
    for after in points[1:]:
        path += f" H {after.x} V {after.y}"  # a score holds until the next change
    return Chart(WIDTH, HEIGHT, points, path, str(weight), HEIGHT - PAD, float(PAD))
