"""Cells of a score table: numbers, text and the words that name columns and methods."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from domain.methods import method_names

from .upload_limits import representable

Progress = Callable[[int, int], None]

# Score tables have a few hundred rows: these bounds make a bloated upload cheap to refuse.
MAX_ROWS = 10_000
MAX_COLUMNS = 60
HEADER_SCAN_ROWS = 20
MAX_ERRORS = 200

METHODS = method_names()  # a method added under domain/methods is accepted by name
METHOD_LABELS: dict[str, str] = {
    "deduction": "扣分",
    "checklist": "清单",
    "ratio": "比率",
    "manual": "手工",
    "survey": "问卷",
}


def _vocabulary(**roles: str) -> dict[str, str]:
    """Map each space-separated word (already in _key form) to its role."""
    return {word: role for role, words in roles.items() for word in words.split()}


_METHOD_ALIASES: dict[str, str] = {
    **{method: method for method in METHODS},
    **{label: method for method, label in METHOD_LABELS.items()},
    **_vocabulary(
        deduction="扣分法",
        checklist="清单法 核查",
        ratio="比率法 比例",
        manual="人工 手工录入",
        survey="问卷调查 满意度调查",
    ),
}
# Header names after _key(): lower case, no spaces, no bracketed aside (分值（分） → 分值).
_HEADER_ROLES: dict[str, str] = _vocabulary(
    weight="分值 权重 标准分 标准分值 指标分值 满分 weight points maxscore maxpoints",
    score="得分 实际得分 评价得分 最终得分 score",
    explanation="指标解释 指标说明 指标内涵 指标释义 explanation description",
    criteria="评分标准 评分细则 评分规则 criteria scoringcriteria scoringrules",
    justification="评价过程 评分依据 扣分理由 扣分原因 扣分说明 得分依据 得分说明 评分说明 "
    "justification reason basis rationale",
    method="方法 评分方法 计分方法 评价方法 method scoringmethod",
    code="编码 指标编码 代码 指标代码 code indicatorcode",
)
_TEXT_ROLES = ("explanation", "criteria", "justification")
_NUMERALS = "一二三四五六七八九"
_LEVEL_HEADER = re.compile(
    rf"^(?:([{_NUMERALS}])级指标|(\d{{1,2}})级指标|(?:level|lvl|l)(\d{{1,2}})(?:indicator)?)$"
)

# Rows that sum others: a total's score is kept as reported_total; subtotals are recomputed.
_SUM_ROWS = _vocabulary(
    total="合计 总计 总分 总得分 得分合计 合计得分 total grandtotal sum",
    subtotal="小计 subtotal",
)
_NOTE = re.compile(r"^(?:注\s*\d*|说明|备注|notes?)\s*[:：]", re.IGNORECASE)
_ATTACHMENT = re.compile(r"^附\s*[件表]\s*\d*\s*[:：]?\s*")

# Labelled fields above the header row (被评价单位：…), keyed like header names.
_LABELS: dict[str, str] = _vocabulary(
    title="标题 评价名称 title",
    subject="被评价单位 评价对象 项目单位 主管部门 预算单位 单位名称 subject",
    fiscal_year="评价年度 年度 预算年度 财政年度 项目年度 fiscalyear year",
    kind="评价类型 评价类别 kind",
    evaluator="评价机构 评价主体 evaluator",
)
_LABEL_PAIR = re.compile(r"^\s*([^:：]{1,16}?)\s*[:：]\s*(.*)$", re.DOTALL)
_META_SEPARATOR = re.compile(r"[;；|\u3000]+|\s{2,}")
_YEAR = re.compile(r"((?:19|20)\d{2})")
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年")

_EVALUATION_FIELDS = ("title", "subject", "fiscal_year", "kind", "evaluator", "total_weight")
_NUMBER = re.compile(r"^[+-]?(?:\d{1,12}(?:\.\d{0,10})?|\.\d{1,10})$")
_FLOAT_PLACES = Decimal("0.000001")
_CENTS = Decimal("0.01")
# Text a spreadsheet would run as a formula (a reason typed as "=HYPERLINK(…)") starts with one of
# these; CSV exports put an apostrophe before such text and imports take it off again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Codes end up in URL paths (/indicators/{code}); these characters would break or reroute them.
_BAD_CODE = re.compile(r"[\s/\\?#%]")


# --- numbers and text -------------------------------------------------------------------------


def parse_decimal(value: object) -> Decimal | None:
    """A cell as a Decimal: numbers, or text like "3", "3.00", "3分", "０.７３"; None when blank.

    Raises ValueError for anything else ("三分", "abc", booleans, dates, NaN).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("boolean")
    if isinstance(value, int):
        return representable(Decimal(value))
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) >= 1e12:
            raise ValueError("out of range")
        # Spreadsheets store binary floats (a formula sum reads 6.930000000000001); six places is
        # far beyond any score's precision and removes that noise.
        return _trim(Decimal(repr(value)).quantize(_FLOAT_PLACES))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("not finite")
        return representable(value)
    if isinstance(value, str):
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))
        if not text:
            return None
        if text.endswith("分"):
            text = text[:-1]
        if not _NUMBER.match(text):
            raise ValueError("not a number")
        return representable(Decimal(text))
    raise ValueError(type(value).__name__)


def format_decimal(value: Decimal) -> str:
    """Two places when that is exact ("3" → "3.00"), otherwise every significant place."""
    cents = value.quantize(_CENTS)
    if cents == value:
        return str(abs(cents) if cents.is_zero() else cents)
    return format(_trim(value), "f")


def _trim(value: Decimal) -> Decimal:
    # normalize() alone turns 10 into 1E+1; integers are quantized back to exponent 0.
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def _name_text(value: object) -> str:
    # Report cells wrap long names by hand ("改善创业环境，\n提高人民生活质量"): join the lines.
    return re.sub(r"\s*\n\s*", "", _text(value))


def _key(value: object) -> str:
    """A header or label cell reduced to what identifies it: 分值（分） → 分值, Level 1 → level1."""
    text = unicodedata.normalize("NFKC", _text(value)).lower()
    text = re.sub(r"\([^)]*\)", "", text)
    return re.sub(r"[\s_\-:：]+", "", text)


def _level_of(key: str) -> int | None:
    match = _LEVEL_HEADER.match(key)
    if not match:
        return None
    numeral, digits, english = match.groups()
    return _NUMERALS.index(numeral) + 1 if numeral else int(digits or english)
