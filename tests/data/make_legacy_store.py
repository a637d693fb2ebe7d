"""Writes legacy-store.sqlite with the code of commit cfdc47c (run from a checkout of it)."""

# How it was made: git archive cfdc47c | tar -x -C /tmp/old; cd /tmp/old;
# python /path/to/tests/data/make_legacy_store.py /path/to/tests/data/legacy-store.sqlite
# The file keeps the events and snapshots as that code wrote them, so loading it proves
# that stored evaluations survive changes to the aggregate.

import json
import sys
from pathlib import Path

from adapters.bootstrap import build_review_service, build_service
from domain.evaluation import Actor


def main(target: str) -> None:
    path = Path(target)
    path.unlink(missing_ok=True)
    service = build_service(f"sqlite:///{path}")
    reviews = build_review_service(service)
    spec = json.loads(Path("examples/jiyang-incubator-2022.json").read_text(encoding="utf-8"))
    anna = Actor("anna", "evaluator", "c-1")
    unit = Actor("uma", "unit", "c-2")
    rita = Actor("rita", "reviewer", "c-3")
    eid = str(service.import_evaluation(spec, anna).id)
    service.record_data_entry(
        eid,
        key="预算资金",
        value="230.00",
        unit="万元",
        source="调整",
        reason="预算调整后的金额",
        by=anna,
    )
    for n in range(8):
        service.record_deduction(eid, code="3.2.1", points="0.25", reason=f"缺少台账 {n}", by=anna)
    cut = service.record_deduction(eid, code="3.3.1", points="1", reason="资料不全", by=anna).record
    service.withdraw_deduction(eid, cut["id"], reason="已补充资料", by=anna)
    service.record_score(eid, code="2.1.1", score="1.5", justification="到位资金有延迟", by=anna)
    service.record_score(eid, code="4.4.1", score="7", justification="满意度复核", by=anna)
    service.submit(eid, by=anna)
    doc = service.document(eid)
    leaf = next(i for i in doc["indicators"] if i["code"] == "3.2.1")
    cuts = [d for d in leaf["deductions"] if d["status"] == "active"]
    amended = reviews.raise_dispute(eid, grounds="扣分过重", deduction_id=cuts[0]["id"], by=unit)
    reviews.decide_dispute(
        eid, amended["id"], outcome="amended", points="0.1", reason="部分采纳", by=rita
    )
    overturned = reviews.raise_dispute(eid, grounds="台账齐全", deduction_id=cuts[1]["id"], by=unit)
    reviews.decide_dispute(eid, overturned["id"], outcome="overturned", reason="核实无误", by=rita)
    upheld = reviews.raise_dispute(eid, grounds="不认可", deduction_id=cuts[2]["id"], by=unit)
    reviews.decide_dispute(eid, upheld["id"], outcome="upheld", reason="证据充分", by=rita)
    override = reviews.raise_dispute(eid, grounds="资金已到位", indicator="2.1.1", by=unit)
    reviews.decide_dispute(eid, override["id"], outcome="overturned", reason="以规则为准", by=rita)
    score = reviews.raise_dispute(eid, grounds="立项规范", indicator="1.1.1", by=unit)
    reviews.decide_dispute(
        eid, score["id"], outcome="amended", points="2.5", reason="部分扣分", by=rita
    )
    note = reviews.add_note(eid, "3.1.1", text="请补充说明", by=rita)
    reviews.resolve_note(eid, note["id"], reason="已说明", by=anna)
    service.finalize(eid, by=rita)
    service.reopen(eid, reason="复核发现笔误", by=rita)
    # past version 100, so the second snapshot holds disputes, notes and withdrawn deductions
    service.record_deduction(eid, code="4.1.1", points="0.5", reason="复核扣分", by=rita)
    service.record_deduction(eid, code="4.2.1", points="0.5", reason="复核扣分", by=rita)
    expected = {
        "document": service.document(eid),
        "disputes": reviews.disputes(eid)["items"],
        "notes": reviews.notes(eid)["items"],
    }
    path.with_suffix(".expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main(sys.argv[1])
