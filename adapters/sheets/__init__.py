"""Score tables in and out: import xlsx, csv or fixture JSON; export xlsx, csv, html or json."""

from .errors import ImportProblem, Location, SheetImportError
from .export_html import to_html
from .exporting import to_csv, to_json, to_xlsx
from .importing import parse_sheet

__all__ = [
    "ImportProblem",
    "Location",
    "SheetImportError",
    "parse_sheet",
    "to_csv",
    "to_html",
    "to_json",
    "to_xlsx",
]
