"""Workbooks read as streams: rows stop at the limits, merges come from the sheet's own XML.

openpyxl's full mode builds every cell of every sheet before the first is read; its
read-only mode streams rows but drops merged ranges, which score sheets use for their
一级/二级 columns. The merges are read from the sheet part with one pattern instead.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.xml.functions import fromstring

MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3}[0-9]+:[A-Z]{1,3}[0-9]+)"')


@dataclass
class StreamedSheet:
    """One sheet's first rows and columns, whether it went on, and its merged ranges."""

    title: str
    rows: list[list[object]]
    too_long: bool
    # (min_col, min_row, max_col, max_row), 1-based, as openpyxl's range_boundaries gives
    merges: list[tuple[int, int, int, int]]


def stream_sheets(data: bytes, max_rows: int, max_columns: int) -> Iterator[StreamedSheet]:
    """The active sheet first, then the others; raises what openpyxl raises on a bad file."""
    # data_only: a formula cell gives the value Excel last computed, not its formula text.
    workbook = load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    archive = zipfile.ZipFile(io.BytesIO(data))
    parts = sheet_parts(archive)
    try:
        active = workbook.active
        sheets: list[Any] = [active] if active is not None else []
        sheets += [sheet for sheet in workbook.worksheets if sheet is not active]
        for sheet in sheets:
            yield _streamed(sheet, archive, parts.get(sheet.title, ""), max_rows, max_columns)
    finally:
        workbook.close()


def _streamed(
    sheet: Any, archive: zipfile.ZipFile, part: str, max_rows: int, max_columns: int
) -> Any:
    width = max(1, min(_declared_width(sheet) or max_columns, max_columns))
    rows: list[list[object]] = []
    too_long = False
    for values in sheet.iter_rows(max_col=width, values_only=True):
        if len(rows) == max_rows:
            too_long = True
            break
        rows.append(list(values))
    return StreamedSheet(sheet.title, rows, too_long, _merges(archive, part))


def _declared_width(sheet: Any) -> int | None:
    try:
        return int(sheet.max_column) if sheet.max_column else None
    except (TypeError, ValueError):
        return None


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each sheet's title and the archive member holding it, found as openpyxl finds them:
    the package's relationships lead to the workbook part, whose own lead to its sheets."""
    try:
        workbook = next(
            target
            for kind, target in _relationships(archive, "")
            if kind.endswith("/officeDocument")
        )
        targets = dict(_relationships(archive, workbook, by_id=True))
        root = fromstring(archive.read(workbook))
    except (KeyError, StopIteration, ValueError, SyntaxError):
        return {}  # no merges then: the rows are still read
    parts = {}
    for element in root.iter():
        if _local(element.tag) == "sheet":
            ids = [v for k, v in element.attrib.items() if _local(k) == "id"]
            name = element.get("name")
            if name is not None and ids and ids[0] in targets:
                parts[name] = targets[ids[0]]
    return parts


def _relationships(
    archive: zipfile.ZipFile, source: str, *, by_id: bool = False
) -> list[tuple[str, str]]:
    """(type or id, member) of each relationship of the part `source` ("" for the package)."""
    folder, name = posixpath.split(source)
    root = fromstring(archive.read(posixpath.join(folder, "_rels", name + ".rels")))
    found = []
    for element in root:
        target = element.get("Target")
        if _local(element.tag) != "Relationship" or target is None:
            continue
        member = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        key = element.get("Id" if by_id else "Type") or ""
        found.append((key, posixpath.normpath(member)))
    return found


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _merges(archive: zipfile.ZipFile, part: str) -> list[tuple[int, int, int, int]]:
    try:
        xml = archive.read(part)
    except KeyError:
        return []
    found = []
    for match in MERGE.finditer(xml):
        bounds = range_boundaries(match.group(1).decode("ascii"))
        if None not in bounds:
            found.append(tuple(int(b) for b in bounds))  # type: ignore[arg-type]
    return found  # type: ignore[return-value]
