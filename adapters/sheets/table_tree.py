"""The indicator tree read from a table: weights resolved, codes assigned, the fixture built."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from openpyxl.utils import get_column_letter

from .cells import (
    _ATTACHMENT,
    _LABEL_PAIR,
    _LABELS,
    _META_SEPARATOR,
    _YEAR,
    _YEAR_IN_TITLE,
    _key,
    _text,
    format_decimal,
)
from .errors import ImportProblem, Location
from .grids import Columns, Grid, _is_header_word
from .labels import kind_code


@dataclass
class Node:
    """An indicator being assembled from the rows that name it."""

    path: tuple[str, ...]
    row: int | None = None
    code: str | None = None
    weight: Decimal | None = None
    weight_at: tuple[int, int] | None = None  # set once a weight cell is seen, even unreadable
    score: Decimal | None = None
    score_at: tuple[int, int] | None = None
    method: str | None = None
    texts: dict[str, str] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)
    parent: Node | None = None

    @property
    def name(self) -> str:
        return self.path[-1]


class TableTree:
    """The second half of the table parser: from the nodes read to the fixture format."""

    grid: Grid
    filename: str
    overrides: dict[str, Any]
    errors: list[ImportProblem]
    nodes: dict[tuple[str, ...], Node]
    roots: list[Node]
    reported_total: Decimal | None
    columns: Columns

    def error(self, message: str, row: int | None = None, column: int | None = None) -> None:
        raise NotImplementedError

    def preorder(self) -> Iterator[Node]:
        stack = list(reversed(self.roots))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def resolve_weights(self) -> None:
        for node in reversed(list(self.preorder())):  # children before parents
            if node.children:
                node.method = None  # a parent's score is the sum of its children, never its own
                if node.weight is None and all(child.weight is not None for child in node.children):
                    node.weight = sum(
                        (child.weight or Decimal(0) for child in node.children), Decimal(0)
                    )
                continue
            assert node.row is not None  # leaves are only ever created by the row that names them
            if node.weight is None and node.weight_at is None:
                column = self.columns.own_weight(len(node.path) - 1)
                self.error(f"指标「{node.name}」缺少分值", node.row, column)
            elif node.weight is not None and node.score is not None and node.score > node.weight:
                at = node.score_at or (node.row, None)
                self.error(
                    f"「{node.name}」的得分 {format_decimal(node.score)} "
                    f"超过分值 {format_decimal(node.weight)}",
                    *at,
                )

    def assign_codes(self) -> None:
        # A parent without a code of its own takes its children's dotted prefix (1.1.1 → 1.1).
        for node in reversed(list(self.preorder())):
            if node.code is None and node.children:
                prefixes = {
                    child.code.rsplit(".", 1)[0]
                    for child in node.children
                    if child.code and "." in child.code
                }
                if len(prefixes) == 1:
                    node.code = prefixes.pop()
        for siblings, prefix in self.sibling_groups():
            for number, node in enumerate(siblings, start=1):
                if node.code is None:
                    node.code = f"{prefix}{number}"
        seen: dict[str, Node] = {}
        for node in self.preorder():
            assert node.code is not None
            if node.code in seen:
                other = seen[node.code]
                where = f"第 {other.row + 1} 行" if other.row is not None else f"「{other.name}」"
                self.error(
                    f"编码「{node.code}」重复：与{where}相同"
                    "（数字编码请以文本格式保存，1.10 会被读成 1.1）",
                    node.row,
                    self.columns.roles.get("code"),
                )
            seen[node.code] = node

    def sibling_groups(self) -> Iterator[tuple[list[Node], str]]:
        yield self.roots, ""
        for node in self.preorder():  # parents get their code before their children are numbered
            if node.children:
                yield node.children, f"{node.code}."

    # the result

    def result(self) -> dict[str, Any]:
        indicators: list[dict[str, Any]] = []
        actions: list[dict[str, Any]] = []
        sources: dict[str, Any] = {
            "evaluation": self.location(None, None),
            "indicators": {},
            "data_entries": [],
            "actions": [],
        }
        for node in self.preorder():
            assert node.code is not None and node.weight is not None
            entry: dict[str, Any] = {"code": node.code}
            if node.parent is not None:
                entry["parent"] = node.parent.code
            entry["name"] = node.name
            entry["weight"] = format_decimal(node.weight)
            if not node.children:
                entry["method"] = node.method or "manual"
            for role in ("explanation", "criteria"):
                if role in node.texts:
                    entry[role] = node.texts[role]
            indicators.append(entry)
            sources["indicators"][node.code] = self.node_sources(node)
            if not node.children and node.score is not None:
                action = _action(
                    node.code,
                    entry["method"],
                    node.weight,
                    node.score,
                    node.texts.get("justification"),
                )
                if action is not None:
                    actions.append(action)
                    sources["actions"].append(sources["indicators"][node.code]["score"])
        return {
            "evaluation": self.evaluation(
                sum((root.weight or Decimal(0) for root in self.roots), Decimal(0))
            ),
            "indicators": indicators,
            "data_entries": [],
            "actions": actions,
            "sources": sources,
        }

    def location(self, row: int | None, column: int | None) -> Location:
        """A 0-based grid position as the sheet shows it (1-based row, column letter)."""
        return {
            "sheet": self.grid.sheet,
            "row": None if row is None else row + 1,
            "column": None if column is None else get_column_letter(column + 1),
        }

    def first_row(self, node: Node) -> int | None:
        """The node's own row, or for a group named only in merged cells, its first child's."""
        if node.row is not None:
            return node.row
        rows = [row for child in node.children if (row := self.first_row(child)) is not None]
        return min(rows) if rows else None

    def node_sources(self, node: Node) -> dict[str, Location]:
        """Where the indicator's name, weight, method and score were read."""
        row = self.first_row(node)
        depth = len(node.path) - 1
        weight = node.weight_at or (row, self.columns.own_weight(depth))
        score = node.score_at or (row, self.columns.roles.get("score"))
        return {
            "name": self.location(row, self.columns.levels[depth]),
            "weight": self.location(*weight),
            "method": self.location(row, self.columns.roles.get("method")),
            "score": self.location(*score),
        }

    def evaluation(self, root_weights: Decimal) -> dict[str, Any]:
        found = self.header_fields()
        title = found.get("title") or PurePath(self.filename).stem
        year_in_title = _YEAR_IN_TITLE.search(title)
        evaluation: dict[str, Any] = {
            "title": title,
            "subject": found.get("subject"),
            "fiscal_year": found.get("fiscal_year")
            or (int(year_in_title.group(1)) if year_in_title else None),
            "kind": kind_code(found.get("kind")),
            "evaluator": found.get("evaluator"),
            "total_weight": format_decimal(root_weights),
        }
        evaluation.update(self.overrides)
        if self.reported_total is not None:
            evaluation["reported_total"] = format_decimal(self.reported_total)
        return evaluation

    def header_fields(self) -> dict[str, Any]:
        """Title and labelled fields (被评价单位：…, 评价年度：…) from the rows above the header."""
        found: dict[str, Any] = {}
        for row in self.grid.rows[: self.columns.header_row]:
            texts = [text for text in (_text(value) for value in row) if text]
            index = 0
            while index < len(texts):
                text = texts[index]
                index += 1
                if _LABELS.get(_key(text)) and index < len(texts):
                    # a label cell followed by its value cell
                    _store_label(_LABELS[_key(text)], texts[index], found)
                    index += 1
                elif (
                    not _read_labels(text, found)
                    and "title" not in found
                    and not _is_header_word(_key(text))
                ):
                    title = _ATTACHMENT.sub("", text).strip()
                    if title:
                        found["title"] = re.sub(r"\s*\n\s*", " ", title)
        return found


def _read_labels(text: str, found: dict[str, Any]) -> bool:
    """Read the "label：value" parts of a cell, separated by ；, | or wide spaces; True if any."""
    matched = False
    for part in _META_SEPARATOR.split(text):
        pair = _LABEL_PAIR.match(part)
        if pair and _key(pair.group(1)) in _LABELS and pair.group(2).strip():
            _store_label(_LABELS[_key(pair.group(1))], pair.group(2).strip(), found)
            matched = True
    return matched


def _store_label(name: str, value: str, found: dict[str, Any]) -> None:
    if name == "fiscal_year":
        year = _YEAR.search(unicodedata.normalize("NFKC", value))
        if year:
            found.setdefault(name, int(year.group(1)))
    else:
        found.setdefault(name, value)


def _action(
    code: str, method: str, weight: Decimal, score: Decimal, reason: str | None
) -> dict[str, Any] | None:
    """The recording that makes a replayed leaf score equal the sheet's."""
    text = reason or f"导入：得分 {format_decimal(score)}"
    if method == "deduction":
        if score >= weight:
            return None  # a deduction leaf starts at its full weight
        return {
            "indicator": code,
            "action": "deduct",
            "points": format_decimal(weight - score),
            "reason": text,
        }
    # manual leaves take the score as recorded; rule-based ones take it as an override, so the
    # service still shows what the rule would give beside it.
    return {
        "indicator": code,
        "action": "score",
        "score": format_decimal(score),
        "justification": text,
    }
