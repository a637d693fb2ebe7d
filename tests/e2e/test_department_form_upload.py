"""The 部门整体支出绩效自评表 posted with no other field becomes one self-evaluation."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from tests.conftest import Api
from tests.sheet_files import department_form, upload


def test_the_department_form_posted_alone_is_read_whole_from_the_file(api: Api) -> None:
    response = api.post(
        "/api/v1/evaluations/import",
        data=upload(department_form(), "部门整体支出绩效自评表.xlsx"),
        content_type="multipart/form-data",
    )

    assert response.status_code == 201, response.json
    # 1140 / 1200 × 10 for the budget row; 85 of ≥90 × 10 for 家长满意度; the rest met in full
    budget = (Decimal(1140) / 1200 * 10).quantize(Decimal("0.01"), ROUND_HALF_UP)
    satisfaction = (Decimal(85) / 90 * 10).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert response.json["total"] == str(budget + 80 + satisfaction)
    document = api.get(response.headers["Location"]).json
    assert (document["subject"], document["fiscal_year"], document["kind"]) == (
        "某区教育局",
        2023,
        "self-evaluation",
    )
    assert document["funds"]["total"]["executed"] == "1140.00"
