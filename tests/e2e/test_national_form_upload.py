"""The national 项目支出绩效自评表 posted with no other field becomes one self-evaluation."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from tests.conftest import Api
from tests.sheet_files import national_form, upload


def test_the_national_form_posted_alone_is_read_whole_from_the_file(api: Api) -> None:
    response = api.post(
        "/api/v1/evaluations/import",
        data=upload(national_form(), "项目支出绩效自评表.xlsx"),
        content_type="multipart/form-data",
    )

    assert response.status_code == 201, response.json
    # 119.76 / 120 × 10 for the budget row, then the table's printed 得分 (all recompute)
    budget = (Decimal("119.76") / 120 * 10).quantize(Decimal("0.01"), ROUND_HALF_UP)
    table = Decimal(15) + 8 + 15 + 10 + 18 + 10 + 10
    assert response.json["total"] == str(budget + table)
    assert response.json["warnings"] == []
    document = api.get(response.headers["Location"]).json
    assert (document["subject"], document["fiscal_year"], document["kind"]) == (
        "某区文化馆",
        2023,
        "self-evaluation",
    )
    assert document["form"]["department"] == "某区文化和旅游局"
    assert document["funds"]["total"]["full_year_budget"] == "120.00"
    budget_row = next(i for i in document["indicators"] if i["name"] == "预算执行率")
    assert (budget_row["method"], budget_row["score"]) == ("ratio", str(budget))
