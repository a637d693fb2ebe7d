"""PDF render time against the length of ten deduction reasons, Chinese and ASCII, as ratios.

    python -m benchmarks.pdf_render [--lengths 500,1000,2000,5000] [--rounds 1]
                                    [--before-up-to 500] [--json FILE]

Each report is the record of the reference evaluation with ten deductions whose reasons are
`length` characters long: unspaced Chinese (as a unit writes it) or ASCII words. The time is
WeasyPrint's HTML → PDF step in this process (the page is built first, untimed), the median
of `--rounds`, divided by the time of the same report with 20-character reasons measured in
the same run. "before" renders the page as it was given to WeasyPrint before long runs were
set in pieces; it is measured only up to `--before-up-to` characters (it grows with the
square of the length: 5,000 characters take minutes).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from adapters.sheets.pdf import font_css, html_to_pdf, pdf_html
from adapters.sheets.record import record_html
from application.moments import zone_named
from benchmarks.common import BENCH_ACTOR, DEDUCTION_LEAVES, reference_case

# Common characters, visited with a stride so that a reason repeats no short pattern.
CHINESE = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能"
    "下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加"
    "量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与"
    "关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者"
)
WORDS = ("audit", "score", "reason", "deducted", "evidence", "survey", "target", "project")
REASONS = 10
BASELINE_LENGTH = 20


def unspaced_chinese(length: int, start: int = 0) -> str:
    """`length` Chinese characters without a space or punctuation."""
    return "".join(CHINESE[(start + i * 37) % len(CHINESE)] for i in range(length))


def ascii_words(length: int, start: int = 0) -> str:
    """ASCII words separated by spaces, cut to `length` characters."""
    words: list[str] = []
    total, i = 0, start
    while total < length:
        words.append(WORDS[(i * 3) % len(WORDS)])
        total += len(words[-1]) + 1
        i += 1
    return " ".join(words)[:length]


def record_with(reasons: list[str]) -> tuple[dict[str, Any], Any]:
    """The record of the reference evaluation with one deduction per reason, and its zone."""
    from web import create_app

    app = create_app({"SCORETRAIL_DATABASE_URL": "sqlite:///:memory:", "TESTING": True})
    try:
        service = app.extensions["scoretrail"]
        evaluation_id = str(service.import_evaluation(reference_case(), BENCH_ACTOR).id)
        for number, reason in enumerate(reasons):
            leaf = DEDUCTION_LEAVES[number % len(DEDUCTION_LEAVES)]
            service.record_deduction(
                evaluation_id, leaf, points="0.01", reason=reason, by=BENCH_ACTOR
            )
        record = app.extensions["scoretrail.records"].record(
            evaluation_id, generated_by="benchmark", generated_role="auditor"
        )
        return record, zone_named(app.config["SCORETRAIL_TIMEZONE"])
    finally:
        app.extensions["scoretrail.pdf"].close()


def timed(render: Callable[[], bytes], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        render()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(lengths: list[int], rounds: int, before_up_to: int) -> dict[str, Any]:
    """Seconds and ratios to the short-reason baseline for each text kind and length."""
    texts: dict[str, Callable[[int, int], str]] = {
        "chinese": unspaced_chinese,
        "ascii": ascii_words,
    }
    record, zone = record_with([unspaced_chinese(BASELINE_LENGTH, n) for n in range(REASONS)])
    html = pdf_html(record, zone)
    html_to_pdf(html)  # loads WeasyPrint and the font before anything is timed
    baseline = timed(lambda: html_to_pdf(html), max(3, rounds))
    rows = []
    for kind, text in texts.items():
        for length in lengths:
            record, zone = record_with([text(length, n * 101) for n in range(REASONS)])
            page = pdf_html(record, zone)
            seconds = timed(lambda page=page: html_to_pdf(page), rounds)  # type: ignore[misc]
            row: dict[str, Any] = {
                "text": kind,
                "length": length,
                "seconds": round(seconds, 3),
                "ratio": round(seconds / baseline, 2),
            }
            if kind == "chinese" and length <= before_up_to:
                raw = record_html(record, zone, extra_css=font_css())
                before = timed(lambda raw=raw: html_to_pdf(raw), rounds)  # type: ignore[misc]
                row["before_seconds"] = round(before, 3)
                row["before_ratio"] = round(before / baseline, 2)
            rows.append(row)
            print(describe(row), file=sys.stderr, flush=True)
    return {"reasons": REASONS, "baseline_seconds": round(baseline, 3), "rows": rows}


def describe(row: dict[str, Any]) -> str:
    before = (
        f"   before {row['before_seconds']:8.2f} s ×{row['before_ratio']:.1f}"
        if "before_seconds" in row
        else ""
    )
    return (
        f"{row['text']:8s} {row['length']:6d} chars × {REASONS}: "
        f"{row['seconds']:7.2f} s  ×{row['ratio']:.1f}{before}"
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", default="500,1000,2000,5000")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--before-up-to", type=int, default=500)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    lengths = [int(part) for part in args.lengths.split(",") if part.strip()]
    result = measure(lengths, args.rounds, args.before_up_to)
    print(
        f"baseline ({REASONS} reasons of {BASELINE_LENGTH} characters): "
        f"{result['baseline_seconds']:.2f} s"
    )
    for row in result["rows"]:
        print(describe(row))
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
