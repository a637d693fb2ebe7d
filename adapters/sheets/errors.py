"""The error an import raises: every problem found, each pinned to a sheet, row and column."""

from __future__ import annotations

from typing import TypedDict


class ImportProblem(TypedDict):
    """One problem; row is 1-based as a spreadsheet shows it, column a letter or a field path."""

    sheet: str | None
    row: int | None
    column: str | None
    message: str


class Location(TypedDict):
    """Where a value came from: the same coordinates as a problem, without the message."""

    sheet: str | None
    row: int | None
    column: str | None


def problem(
    message: str, *, sheet: str | None = None, row: int | None = None, column: str | None = None
) -> ImportProblem:
    """Build one problem entry."""
    return {"sheet": sheet, "row": row, "column": column, "message": message}


class SheetImportError(Exception):
    """An upload that cannot be imported; `errors` lists every problem found, not just the first."""

    def __init__(self, errors: list[ImportProblem]) -> None:
        self.errors: list[ImportProblem] = list(errors)
        super().__init__(self._summary())

    @classmethod
    def single(
        cls,
        message: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> SheetImportError:
        """An error about the file as a whole, or about one place in it."""
        return cls([problem(message, sheet=sheet, row=row, column=column)])

    def _summary(self) -> str:
        shown = "; ".join(_describe(error) for error in self.errors[:3])
        more = len(self.errors) - 3
        return f"{shown} (and {more} more)" if more > 0 else shown


def _describe(error: ImportProblem) -> str:
    where = [
        part
        for part in (
            error["sheet"],
            f"row {error['row']}" if error["row"] is not None else None,
            f"column {error['column']}" if error["column"] else None,
        )
        if part
    ]
    return f"{', '.join(where)}: {error['message']}" if where else error["message"]
