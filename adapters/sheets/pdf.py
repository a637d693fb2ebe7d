"""The record report as PDF (WeasyPrint), set in a font that has the Chinese characters."""

from __future__ import annotations

import importlib.util
import logging
import re
from datetime import tzinfo
from importlib import resources
from pathlib import Path
from typing import Any

from application.errors import RenderingUnavailable

from .record import Record, record_html

log = logging.getLogger("scoretrail.pdf")
# WeasyPrint reports each layout step at INFO: one line per step per report is noise
logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
FONT_FAMILY = "ScoreTrail CJK"

# Where the width to fill is under 4 em (a narrow column, or automatic table layout measuring
# a cell's narrowest width: width 0, once per Chinese character), WeasyPrint cuts the text it
# lays out short only at an ASCII space; Chinese has none, so each such layout takes the whole
# rest of the run: the square of its length (5,000 characters: about a minute). Runs longer
# than LONG_RUN are set as spans of at most RUN_PIECE characters: no layout is given more,
# while the text and where its lines may break stay the same.
LONG_RUN = 80
RUN_PIECE = 40
_TEXT = re.compile(r"(?<=>)[^<]+")  # text between tags (the body holds no script or style)
_RUN = re.compile(rf"(?:&#?\w+;|[^ \t\r\n<]){{{LONG_RUN + 1},}}")
_CHARACTER = re.compile(r"&#?\w+;|[^<]", re.S)  # an entity counts as the one character it is

# Sizing a table's columns by their content ("auto" layout) measures each cell's narrowest
# possible width: one text layout per place a line may break, that is per Chinese character,
# however the text is cut. The PDF's tables are laid out "fixed" instead, their columns
# shared out by what each holds: a column of free text takes WIDE shares, of names or short
# lists MEDIUM, of figures, dates and states one.
WIDE = 5
MEDIUM = 2
COLUMN_SHARES = {
    **dict.fromkeys(
        (
            "评价过程、调整与扣分",
            "扣分原因",
            "异议理由",
            "裁定理由",
            "意见",
            "处理情况",
            "偏差原因",
            "改进措施",
            "指标解释与评分标准",
            "数据来源及佐证",
        ),
        WIDE,
    ),
    **dict.fromkeys(("佐证材料", "SHA-256", "文件名", "指标", "签署人", "签字人"), MEDIUM),
}
# a word longer than its fixed column breaks rather than running into the next one
LAYOUT_CSS = "table { table-layout: fixed; }\nth, td { overflow-wrap: anywhere; }\n"
_HEADED_TABLE = re.compile(r"(<table[^>]*>)(\s*<thead>\s*<tr>)(.*?)(</tr>)", re.S)
_HEADER = re.compile(r"<th[^>]*>(.*?)</th>", re.S)


def cjk_font() -> Path | None:
    """Noto Sans SC from the pylopdf-fonts-zh-cn package (OFL), when installed."""
    try:
        path = resources.files("pylopdf_fonts_zh_cn") / "NotoSansSC-Regular.otf"
    except ModuleNotFoundError:
        return None
    found = Path(str(path))
    return found if found.is_file() else None


def font_css() -> str:
    """@font-face for the shipped font; without it the system's fonts are used (fontconfig
    finds any installed CJK font, e.g. Debian's fonts-noto-cjk)."""
    font = cjk_font()
    if font is None:
        log.warning("no shipped CJK font found: PDF text falls back to the system fonts")
        return ""
    return (
        f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{font.as_uri()}"); }}\n'
        f'body {{ font-family: "{FONT_FAMILY}", "Noto Sans CJK SC", sans-serif; }}\n'
        "@page { size: A4 landscape; margin: 12mm;"
        ' @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; } }\n'
        "body { margin: 0; font-size: 9pt; }\n"
    )


def _pieces(run: re.Match[str]) -> str:
    characters = _CHARACTER.findall(run.group())
    pieces = ("".join(characters[i : i + RUN_PIECE]) for i in range(0, len(characters), RUN_PIECE))
    return "<span>" + "</span><span>".join(pieces) + "</span>"


def breakable(html: str) -> str:
    """The page with every long run of text in the body set as short spans (see LONG_RUN)."""
    start = html.find("<body")
    if start < 0:
        return html
    body = _TEXT.sub(lambda text: _RUN.sub(_pieces, text.group()), html[start:])
    return html[:start] + body


def _share(header: str) -> int:
    if header.endswith("级指标"):  # the indicator's name at one level of the tree
        return MEDIUM
    return COLUMN_SHARES.get(header, 1)


def _columns(table: re.Match[str]) -> str:
    shares = [_share(header.strip()) for header in _HEADER.findall(table.group(3))]
    total = sum(shares) or 1
    columns = "".join(f'<col style="width: {100 * share / total:.2f}%">' for share in shares)
    return f"{table.group(1)}<colgroup>{columns}</colgroup>{''.join(table.groups()[1:])}"


def fixed_columns(html: str) -> str:
    """Every table with a header row gets column widths from what its columns hold."""
    return _HEADED_TABLE.sub(_columns, html)


def pdf_html(record: Record, zone: tzinfo) -> str:
    """The record page as WeasyPrint is given it: the shipped font, fixed table columns, long
    runs of text in pieces."""
    page = record_html(record, zone, extra_css=font_css() + LAYOUT_CSS)
    return breakable(fixed_columns(page))


def unavailable(error: BaseException | str) -> RenderingUnavailable:
    return RenderingUnavailable(
        f"PDF output needs WeasyPrint and Pango, which this installation lacks: {error}",
        format="pdf",
    )


def check_available() -> None:
    """Refuses at once when WeasyPrint is not installed (Pango is found when it loads)."""
    try:
        found = importlib.util.find_spec("weasyprint")
    except (ImportError, ValueError) as error:
        raise unavailable(error) from error
    if found is None:
        raise unavailable("No module named 'weasyprint'")


def warm_up() -> None:
    """Load WeasyPrint, as a PDF worker does before its first page."""
    import weasyprint  # noqa: F401


def html_to_pdf(html: str) -> bytes:
    """The page laid out for A4 and written as PDF, in this process."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # OSError: Pango missing
        raise unavailable(error) from error
    content: Any = HTML(string=html, base_url=".").write_pdf()
    return bytes(content)


def record_pdf(record: Record, zone: tzinfo) -> bytes:
    """The record page laid out for A4 and written as PDF, in this process."""
    return html_to_pdf(pdf_html(record, zone))
