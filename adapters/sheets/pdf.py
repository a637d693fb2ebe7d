"""The record report as PDF (WeasyPrint), set in a font that has the Chinese characters."""

from __future__ import annotations

import logging
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


def record_pdf(record: Record, zone: tzinfo) -> bytes:
    """The record page laid out for A4 and written as PDF."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # OSError: Pango missing
        raise RenderingUnavailable(
            f"PDF output needs WeasyPrint and Pango, which this installation lacks: {error}",
            format="pdf",
        ) from error
    html = record_html(record, zone, extra_css=font_css())
    content: Any = HTML(string=html, base_url=".").write_pdf()
    return bytes(content)
