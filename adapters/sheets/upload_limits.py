"""What an upload may cost before it is parsed: bounded xlsx parts and recognised encodings."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

from adapters.sheets.errors import SheetImportError
from domain.errors import InvalidValue
from domain.values import check_representable

# The XML of every part but embedded media, uncompressed. A 10 000-row score sheet needs a
# few MB; a zip of repeated cells compresses a thousandfold, so only this bound tells.
MAX_XLSX_XML_BYTES = 12 * 1024 * 1024
MAX_XLSX_PARTS = 2_000
MEDIA = ("xl/media/", "xl/embeddings/", "docProps/thumbnail")
# Share of non-ASCII characters outside GB2312 above which a GB18030 decoding is a guess.
MAX_RARE_SHARE = 0.1


def check_xlsx_size(data: bytes) -> None:
    """Refuse a workbook whose parts would inflate past the bound, before openpyxl opens it."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise SheetImportError.single(
            f"无法读取 xlsx 工作簿（{type(exc).__name__}）：文件可能已损坏或不是 Excel 工作簿"
        ) from exc
    if len(infos) > MAX_XLSX_PARTS:
        raise SheetImportError.single(f"xlsx 工作簿包含 {len(infos)} 个部件，超过 {MAX_XLSX_PARTS}")
    inflated = sum(i.file_size for i in infos if not i.filename.startswith(MEDIA))
    if inflated > MAX_XLSX_XML_BYTES:
        raise SheetImportError.single(
            f"xlsx 工作簿解压后表格内容达 {inflated // (1024 * 1024)} MB，超过 "
            f"{MAX_XLSX_XML_BYTES // (1024 * 1024)} MB 上限：不像是一张指标评分表"
        )


def decode_text(data: bytes) -> str:
    """The upload as text (NUL-free: no database keeps it), see `_decode_text`."""
    text = _decode_text(data)
    if "\x00" in text:
        raise SheetImportError.single(
            f"第 {text.count(chr(10), 0, text.index(chr(0))) + 1} 行含有 NUL 字符：这不是文本表格"
        )
    return text


def _decode_text(data: bytes) -> str:
    """The upload as text: UTF-16 with a byte-order mark, UTF-8, or GB18030 when it is
    plausibly Chinese; anything else (Big5, Latin-1, broken UTF-16) is an encoding problem."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise SheetImportError.single(
                f"文件以 UTF-16 标记开头，但第 {exc.start} 字节处内容无效：文件已损坏或编码不一致"
            ) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and plausibly_gb(text):
        return text
    raise SheetImportError.single(
        "无法识别文件编码：既不是 UTF-8，也不像 GB18030（GBK）中文，可能是 Big5 或 Latin-1 等编码；"
        "请另存为 UTF-8 或 GB18030（GBK）编码后再导入"
    )


def plausibly_gb(text: str) -> bool:
    """GB18030 decodes almost any bytes; Big5 or Latin-1 read that way give mostly characters
    outside GB2312's common set, which real Chinese sheets rarely use."""
    wide = [c for c in text if ord(c) > 0x7F]
    if not wide:
        return True
    rare = 0
    for char in wide:
        try:
            char.encode("gb2312")
        except UnicodeEncodeError:
            rare += 1
    return rare / len(wide) <= MAX_RARE_SHARE


def representable(number: Decimal) -> Decimal:
    """The API's rule for numbers, for cells: ValueError when the stores cannot keep it."""
    try:
        return check_representable(number, "value", number)
    except InvalidValue as error:
        raise ValueError(error.detail) from None
