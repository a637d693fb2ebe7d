"""Photograph the sheet, an indicator's timeline and the dispute queue for the README.

.venv/bin/python -m tests.browser.screenshots docs/screenshots
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from domain.evaluation import Actor
from tests.browser.harness import chromium, served, sign_in

UNIT = "三亚市吉阳区人力资源和社会保障局"


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch, served(Path(scratch) / "shots.sqlite3") as site:
        evaluation_id = site.load_reference()
        service, reviews = site.service, site.app.extensions["scoretrail.review"]
        evaluator = Actor(name="张评价", role="evaluator", correlation_id="screenshots")
        reviewer = Actor(name="李复核", role="reviewer", correlation_id="screenshots")
        unit = Actor(name="人社局联络员", role="subject", correlation_id="screenshots")
        service.record_deduction(
            evaluation_id,
            "4.2.1",
            points="0.5",
            reason="问卷显示部分入驻企业对服务不满意",
            evidence=[{"title": "满意度调查表"}],
            by=evaluator,
        )
        service.submit(evaluation_id, by=reviewer)
        document = service.document(evaluation_id)
        deductions = {i["code"]: i["deductions"] for i in document["indicators"]}
        first = reviews.raise_dispute(
            evaluation_id,
            deduction_id=deductions["3.1.1"][0]["id"],
            grounds="培训档案已于年底补齐，请复核",
            evidence=[{"title": "培训签到表"}],
            by=unit,
        )
        reviews.decide_dispute(
            evaluation_id,
            first["id"],
            outcome="amended",
            points="1",
            reason="档案部分补齐，改扣1分",
            by=reviewer,
        )
        for code, grounds in (("4.1.1", "孵化企业数量统计口径有误"), ("4.2.1", "不满意问卷仅2份")):
            reviews.raise_dispute(
                evaluation_id, deduction_id=deductions[code][0]["id"], grounds=grounds, by=unit
            )
        with chromium() as browser:
            page = browser.new_context(
                locale="zh-CN", viewport={"width": 1280, "height": 900}
            ).new_page()
            sign_in(page, site, site.token("李复核", "reviewer"))
            page.goto(site.url(f"/ui/evaluations/{evaluation_id}?checks=1"))
            page.screenshot(path=str(folder / "sheet.png"), full_page=True)
            page.goto(site.url(f"/ui/evaluations/{evaluation_id}/indicators/3.1.1"))
            page.screenshot(path=str(folder / "indicator-timeline.png"), full_page=True)
            page.goto(site.url("/ui/disputes"))
            page.screenshot(path=str(folder / "dispute-queue.png"), full_page=True)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
