"""The peer benchmark's figures, its same-answer checks, and its table."""

from __future__ import annotations

from typing import Any

# The two ScoreTrail paths: what each figure measures on the answer-sized path ("ours") and
# on the API's default path ("ours_default"), against the same Continuum run ("peer").
SIDES = ("ours", "ours_default", "peer")
PATHS = ("ours", "ours_default")
# What the compact answer shows of each indicator whose figures moved (application.answers).
MOVED_FIELDS = ("score", "rate", "rule_score", "overridden")

Figures = tuple[Any, ...]


class DifferentAnswers(AssertionError):
    """The answer-sized and the default path disagree: no figure of the run may stand."""


def answered_figures(result: dict[str, Any], codes: tuple[str, ...]) -> Figures:
    """What a write's answer says the evaluation now stands at: its version, total and grade,
    and the figures of the indicators that moved (the compact answer lists them; of the full
    document, which lists every indicator, `codes`: the leaf written and its parent)."""
    evaluation = result.get("evaluation", result)  # a withdrawal's document comes bare
    compact = "changed" in evaluation
    listed = evaluation["changed"] if compact else evaluation["indicators"]
    shown = {i["code"]: tuple(i[f] for f in MOVED_FIELDS) for i in listed}
    moved = tuple((code, shown.get(code)) for code in sorted(shown if compact else codes))
    return (evaluation["version"], evaluation["total"], evaluation["grade"], moved)


def check_same_writes(sized: list[Figures], default: list[Figures]) -> int:
    """Operation by operation, the two paths' answers give the same figures; their count."""
    if len(sized) != len(default):
        raise DifferentAnswers(f"{len(sized)} answer-sized writes, {len(default)} default ones")
    for op, (a, b) in enumerate(zip(sized, default, strict=True)):
        if a != b:
            raise DifferentAnswers(f"write {op}: answer-sized {a} ≠ default {b}")
    return len(sized)


def active_part(document: dict[str, Any]) -> dict[str, Any]:
    """The document with each indicator listing only its active deductions."""
    return {
        **document,
        "indicators": [
            {**i, "deductions": [d for d in i["deductions"] if d["status"] == "active"]}
            for i in document["indicators"]
        ],
    }


def check_same_document(sized: dict[str, Any], default: dict[str, Any], what: str) -> None:
    """The default document, withdrawn deductions left out, is the answer-sized one."""
    if active_part(default) != sized:
        raise DifferentAnswers(f"{what}: the default document is not the answer-sized one")


def check_same_items(sized: list[dict[str, Any]], default: list[dict[str, Any]]) -> None:
    if sized != default:
        raise DifferentAnswers(
            f"one indicator's history: {len(sized)} items in one page, {len(default)} paged"
        )


def rate(times: list[float]) -> float:
    return len(times) / sum(times) if times else float("nan")


def figures(
    side: dict[str, list[float]], reads: dict[str, Any], n: int, peer_versions: dict[str, Any]
) -> dict[str, Any]:
    """Every figure of one store; each ratio is ScoreTrail's (each path) over Continuum's."""
    windows = {"overall": (0, n), "first_100": (0, 100), "first_1000": (0, 1000)}
    windows[f"last_100_at_{n}"] = (n - 100, n)
    write = {name: {who: rate(side[who][a:b]) for who in SIDES} for name, (a, b) in windows.items()}
    for w in write.values():
        w["ratio"] = w["ours"] / w["peer"]
        w["ratio_default"] = w["ours_default"] / w["peer"]
    small, large = reads["100"], reads[str(n)]
    return {
        "n": n,
        "peer": peer_versions.get("versions"),
        "write_ops_per_s": write,
        "write_end_to_start": {
            who: write[f"last_100_at_{n}"][who] / write["first_100"][who] for who in SIDES
        },
        "reads": reads,
        "as_of_middle_ratio": large["as_of_ms"]["ours"] / large["as_of_ms"]["peer"],
        "as_of_middle_ratio_default": large["as_of_ms"]["ours_default"] / large["as_of_ms"]["peer"],
        "as_of_growth": {who: large["as_of_ms"][who] / small["as_of_ms"][who] for who in SIDES},
        "history_ratio": large["history_ms"]["ours"] / large["history_ms"]["peer"],
        "history_ratio_default": large["history_ms"]["ours_default"] / large["history_ms"]["peer"],
    }


def _row(kind: str, figure: str, values: dict[str, float], unit: str, ratios: bool) -> str:
    peer, sized, default = values["peer"], values["ours"], values["ours_default"]
    cells = [f"{v:.2f}{unit}" if unit else f"{v:.1f}" for v in (peer, sized, default)]
    shares = [f"{sized / peer:.2f}", f"{default / peer:.2f}"] if ratios else ["", ""]
    return f"| {kind} | {figure} | " + " | ".join(cells + shares) + " |"


def table(report: dict[str, Any]) -> str:
    lines = [
        "| store | figure | Continuum | ScoreTrail answer-sized | ScoreTrail default "
        "| answer-sized ÷ Continuum | default ÷ Continuum |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind, r in report["stores"].items():
        if "skipped" in r:
            lines.append(f"| {kind} | skipped: {r['skipped']} | | | | | |")
            continue
        n = r["n"]
        for name, w in r["write_ops_per_s"].items():
            lines.append(_row(kind, f"write ops/s, {name.replace('_', ' ')}", w, "", True))
        e = r["write_end_to_start"]
        lines.append(
            f"| {kind} | write rate last 100 ÷ first 100 | {e['peer']:.2f} | {e['ours']:.2f} "
            f"| {e['ours_default']:.2f} | | |"
        )
        for size in ("100", str(n)):
            at = r["reads"][size]
            rows = at["history_rows"]
            lines.append(
                _row(
                    kind, f"state as of the middle, {int(size):,} ops", at["as_of_ms"], " ms", True
                )
            )
            label = (
                f"one indicator's history ({rows.get('ours_history')} / "
                f"{rows.get('peer_history')} rows), {int(size):,} ops"
            )
            lines.append(_row(kind, label, at["history_ms"], " ms", True))
        g = r["as_of_growth"]
        lines.append(
            f"| {kind} | as-of cost {n:,} : 100 ops | {g['peer']:.2f} | {g['ours']:.2f} "
            f"| {g['ours_default']:.2f} | | |"
        )
        checked = r.get("checked", {})
        verdict = "DIFFERENT" if checked.get("problems") else "same"
        lines.append(
            f"| {kind} | answers compared on both paths | | {checked.get('writes', 0):,} writes, "
            f"{checked.get('reads', 0)} reads | {verdict} | | |"
        )
    return "\n".join(lines)
