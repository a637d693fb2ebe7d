"""Every report and export of an evaluation, fetched and opened: each must render."""

from __future__ import annotations

import io
import json
from typing import Any

from openpyxl import load_workbook

from tests.conftest import Api

# Text no entry accepts any more, as older stores may still hold it.
UNSTORABLE = "缺\x01失\x00尾\x07\x1b\x7f\x85\ufffe完"


def report(api: Api, evaluation_id: str, fmt: str) -> bytes:
    response = api.get(f"/evaluations/{evaluation_id}/report?format={fmt}")
    assert response.status_code == 200, (fmt, response.get_data(as_text=True)[:500])
    return bytes(response.data)


def text_of_workbook(data: bytes) -> str:
    workbook = load_workbook(io.BytesIO(data))
    return "\n".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def every_report(api: Api, evaluation_id: str, *, pdf: bool = True) -> dict[str, Any]:
    """Each format rendered and opened (xlsx by openpyxl, json parsed): their texts by format."""
    shown: dict[str, Any] = {"xlsx": text_of_workbook(report(api, evaluation_id, "xlsx"))}
    shown["csv"] = report(api, evaluation_id, "csv").decode("utf-8-sig")
    shown["html"] = report(api, evaluation_id, "html").decode("utf-8")
    assert shown["html"].startswith("<!DOCTYPE html>") or "<html" in shown["html"][:200]
    shown["json"] = json.loads(report(api, evaluation_id, "json"))
    if pdf:
        assert report(api, evaluation_id, "pdf").startswith(b"%PDF")
    history = api.get(f"/evaluations/{evaluation_id}/history?format=csv")
    assert history.status_code == 200, history.get_data(as_text=True)[:500]
    shown["history"] = history.data.decode("utf-8-sig")
    return shown
