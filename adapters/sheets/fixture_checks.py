"""Fixture JSON and caller defaults: read, checked field by field, every problem located."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from application.text_gate import refusals

from .cells import (
    _BAD_CODE,
    _EVALUATION_FIELDS,
    _NUMBER,
    MAX_ERRORS,
    _text,
    format_decimal,
    parse_decimal,
)
from .documents import from_document, is_document
from .errors import ImportProblem, Location, SheetImportError, problem


def _defaults(defaults: Mapping[str, Any]) -> tuple[dict[str, Any], list[ImportProblem]]:
    """The caller's header fields, checked (they win over the file's), and their problems."""
    chosen: dict[str, Any] = {}
    errors: list[ImportProblem] = []
    for name in _EVALUATION_FIELDS:
        value = defaults.get(name)
        if value is None or value == "":
            continue
        if name == "fiscal_year":
            text = _text(value)
            if isinstance(value, bool) or not re.fullmatch(r"\d{4}", text):
                errors.append(problem(f"fiscal_year「{text}」不是四位年份", column=name))
                continue
            chosen[name] = int(text)
        elif name == "total_weight":
            try:
                weight = parse_decimal(value)
            except ValueError:
                weight = None
            if weight is None or weight <= 0:
                errors.append(problem(f"total_weight「{_text(value)}」不是正数", column=name))
                continue
            chosen[name] = format_decimal(weight)
        else:
            chosen[name] = _text(value)
    return chosen, errors


# --- fixture JSON -----------------------------------------------------------------------------


def _parse_fixture(
    text: str, overrides: dict[str, Any], problems: list[ImportProblem]
) -> dict[str, Any]:
    try:
        # Decimal, never float: 0.73 must stay 0.73.
        document = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise SheetImportError.single(
            f"JSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列）：{exc.msg}", row=exc.lineno
        ) from exc
    except ValueError as exc:
        raise SheetImportError.single(f"JSON 格式错误：{exc}") from exc
    refuse_unstorable_text(document)
    if is_document(document):  # a JSON report exported earlier
        document = from_document(document)
    errors = problems + _fixture_problems(document)
    if errors:
        raise SheetImportError(errors[:MAX_ERRORS])
    document = _plain(document)
    document["evaluation"].update(overrides)
    document.setdefault("data_entries", [])
    document.setdefault("actions", [])
    document["sources"] = _fixture_sources(document)
    return document


def refuse_unstorable_text(document: Any) -> None:
    """Every string the text gate refuses, keys too, named by its JSON path."""
    found = refusals(document)
    if found:
        raise SheetImportError(
            [
                problem(f"{path}：{refused.chinese}", column=path)
                for path, refused in sorted(found.items())[:MAX_ERRORS]
            ]
        )


def _fixture_sources(document: dict[str, Any]) -> dict[str, Any]:
    """Where each part of a fixture sits, as field paths (the JSON has no sheet or row)."""

    def at(path: str) -> Location:
        return {"sheet": None, "row": None, "column": path}

    indicators: dict[str, dict[str, Location]] = {}
    for index, indicator in enumerate(document["indicators"]):
        path = f"indicators[{index}]"
        indicators[indicator["code"]] = {
            "name": at(path),
            "weight": at(f"{path}.weight"),
            "method": at(f"{path}.method"),
            "score": at(path),
        }
    return {
        "evaluation": at("evaluation"),
        "indicators": indicators,
        "data_entries": [at(f"data_entries[{i}]") for i in range(len(document["data_entries"]))],
        "actions": [at(f"actions[{i}]") for i in range(len(document["actions"]))],
    }


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} 不是合法的数值")


def _plain(value: Any) -> Any:
    """The parsed document with JSON decimals back as decimal strings, exactly as written."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _decimal_problem(
    value: object, *, required: bool = True, positive: bool = False, signed: bool = False
) -> str | None:
    """Why a JSON number or decimal string is unacceptable, or None when it is fine."""
    if value is None:
        return "不能为空" if required else None
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        return "必须是数字或数字字符串"
    if isinstance(value, str) and not _NUMBER.match(value.strip()):
        return f"「{value}」不是数字"
    number = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    if (number < 0 and not signed) or (positive and number <= 0):
        return "必须大于 0" if positive else "不能为负数"
    return None


def _fixture_problems(document: object) -> list[ImportProblem]:
    """Every problem of a fixture document, part by part, each at its JSON path."""
    check = _FixtureCheck()
    if not isinstance(document, dict):
        check.bad(
            "$",
            "顶层必须是 JSON 对象（fixture 格式：evaluation, indicators, data_entries, actions）",
        )
        return check.errors
    check.header(document.get("evaluation"))
    codes = check.indicators(document.get("indicators"))
    check.steps(document, codes)
    if "expected" in document and not isinstance(document["expected"], dict):
        check.bad("expected", "必须是对象")
    return check.errors


class _FixtureCheck:
    """Collects the problems of one fixture document."""

    def __init__(self) -> None:
        self.errors: list[ImportProblem] = []

    def bad(self, path: str, message: str) -> None:
        self.errors.append(problem(message, column=path))

    def number(
        self,
        path: str,
        value: object,
        *,
        required: bool = True,
        positive: bool = False,
        signed: bool = False,
    ) -> None:
        reason = _decimal_problem(value, required=required, positive=positive, signed=signed)
        if reason:
            self.bad(path, reason)

    def header(self, evaluation: object) -> None:
        if not isinstance(evaluation, dict):
            self.bad("evaluation", "缺少 evaluation 对象")
            return
        if not _is_text(evaluation.get("title")):
            self.bad("evaluation.title", "标题不能为空")
        for name in ("subject", "kind", "evaluator"):
            if evaluation.get(name) is not None and not isinstance(evaluation[name], str):
                self.bad(f"evaluation.{name}", "必须是文本")
        year = evaluation.get("fiscal_year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            self.bad("evaluation.fiscal_year", "必须是整数年份")
        self.number(
            "evaluation.total_weight", evaluation.get("total_weight"), required=False, positive=True
        )
        self.form_and_funds(evaluation.get("form"), evaluation.get("funds"))

    def form_and_funds(self, form: object, funds: object) -> None:
        """The form's header fields are texts; each funds row names its source and amounts."""
        if form is not None and (
            not isinstance(form, dict)
            or not all(v is None or isinstance(v, str) for v in form.values())
        ):
            self.bad("evaluation.form", "必须是对象，各项为文本")
        if funds is None:
            return
        if not isinstance(funds, list):
            self.bad("evaluation.funds", "必须是列表")
            return
        for index, row in enumerate(funds):
            path = f"evaluation.funds[{index}]"
            if not isinstance(row, dict) or not _is_text(row.get("source")):
                self.bad(path, "需要 source、full_year_budget 和 executed")
                continue
            self.number(f"{path}.initial_budget", row.get("initial_budget"), required=False)
            for name in ("full_year_budget", "executed"):
                self.number(f"{path}.{name}", row.get(name))

    def indicators(self, indicators: object) -> set[str]:
        """Check each indicator; the codes seen so far are what a later parent may name."""
        codes: set[str] = set()
        if not isinstance(indicators, list) or not indicators:
            self.bad("indicators", "至少需要一个指标")
            return codes
        for index, indicator in enumerate(indicators):
            path = f"indicators[{index}]"
            if not isinstance(indicator, dict):
                self.bad(path, "必须是对象")
                continue
            code = indicator.get("code")
            if not isinstance(code, str) or not code.strip() or _BAD_CODE.search(code):
                self.bad(f"{path}.code", "编码必须是不含空格和 / \\ ? # % 的文本")
            elif code in codes:
                self.bad(f"{path}.code", f"编码「{code}」重复")
            if not _is_text(indicator.get("name")):
                self.bad(f"{path}.name", "名称不能为空")
            self.number(f"{path}.weight", indicator.get("weight"))
            parent = indicator.get("parent")
            if parent is not None and parent not in codes:
                self.bad(
                    f"{path}.parent",
                    f"上级指标「{parent}」不存在或列在本指标之后（上级须先于下级列出）",
                )
            if indicator.get("method") is not None and not _is_text(indicator["method"]):
                self.bad(f"{path}.method", "必须是文本")
            self.items(path, indicator.get("items"))
            if isinstance(code, str):
                codes.add(code)
        return codes

    def items(self, path: str, items: object) -> None:
        if items is None:
            return
        if not isinstance(items, list):
            self.bad(f"{path}.items", "必须是列表")
            return
        for item_index, item in enumerate(items):
            if not isinstance(item, dict) or not _is_text(item.get("text")):
                self.bad(f"{path}.items[{item_index}]", "需要 text 和 points")
            else:
                self.number(f"{path}.items[{item_index}].points", item.get("points"))

    def steps(self, document: dict[str, Any], codes: set[str]) -> None:
        lists: dict[str, list[Any]] = {}
        for name in ("data_entries", "actions"):
            value = document.get(name, [])
            if not isinstance(value, list):
                self.bad(name, "必须是列表")
            lists[name] = value if isinstance(value, list) else []
        for index, entry in enumerate(lists["data_entries"]):
            path = f"data_entries[{index}]"
            if not isinstance(entry, dict) or not _is_text(entry.get("key")):
                self.bad(path, "需要 key 和 value")
                continue
            # a figure such as a balance may be negative
            self.number(f"{path}.value", entry.get("value"), signed=True)
        for index, action in enumerate(lists["actions"]):
            self.action(f"actions[{index}]", action, codes)

    def action(self, path: str, action: object, codes: set[str]) -> None:
        if not isinstance(action, dict) or not _is_text(action.get("action")):
            self.bad(path, "需要 action")
            return
        target = action.get("indicator")
        if target is not None and target not in codes:
            self.bad(f"{path}.indicator", f"指标「{target}」不存在")
        kind = action["action"]
        if kind == "deduct":
            self.number(f"{path}.points", action.get("points"), positive=True)
            if not _is_text(action.get("reason")):
                self.bad(f"{path}.reason", "扣分必须写明理由")
        elif kind == "score":
            self.number(f"{path}.score", action.get("score"))
        elif kind == "checklist":
            met = action.get("met")
            if not isinstance(met, list) or not all(isinstance(flag, bool) for flag in met):
                self.bad(f"{path}.met", "必须是 true/false 列表")
