"""Turn an uploaded score table (xlsx, csv) or fixture JSON into the fixture format."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from .cells import Progress
from .fixture_checks import _defaults, _parse_fixture
from .grids import (
    _choose_sheet,
    _csv_grid,
    _decode,
    _reject_binary,
    _xlsx_grids,
    refuse_unstorable,
)
from .tables import TableParser

# --- entry point ------------------------------------------------------------------------------


def parse_sheet(
    data: bytes,
    filename: str,
    defaults: Mapping[str, Any] | None = None,
    *,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Parse an upload into the fixture format (evaluation, indicators, data_entries, actions).

    The format is read from the content (zip → xlsx, a JSON object → fixture or an exported
    evaluation document, other text → csv);
    the name only decides what a wrong content is reported as. `defaults` (title, subject,
    fiscal_year, kind, evaluator, total_weight) fill or override the evaluation header.
    `sources` says where each part came from (sheet, row, column: a cell, or a field path in
    JSON): per indicator code its name, weight, method and score cells, and one location per
    data entry and per action, so a rule broken later can be pinned to the row that broke it.
    Raises SheetImportError listing every problem; never returns a partial result. Text the
    gate refuses (control characters…) is refused cell by cell ("B7"), or by JSON path.
    """
    overrides, problems = _defaults(defaults or {})
    if data.startswith(b"PK\x03\x04"):
        grid = _choose_sheet(_xlsx_grids(data))
    else:
        _reject_binary(data, filename)
        text = _decode(data)
        if PurePath(filename).suffix.lower() == ".json" or text.lstrip().startswith("{"):
            result = _parse_fixture(text, overrides, problems)
            if progress:
                progress(1, 1)
            return result
        grid = _csv_grid(text)
    grid = refuse_unstorable(grid)
    return TableParser(grid, filename, overrides, problems, progress).parse()
