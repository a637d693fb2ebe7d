"""A target as printed ("≥20场次", "100%", "符合") parsed into comparator, value and unit."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.errors import TargetRefused
from domain.values import to_decimal, unsigned

POSITIVE = (">=", ">")  # more is better: output, quality, benefit
NEGATIVE = ("<=", "<")  # less is better: cost, time, incidents
EXACT = "="
QUALITATIVE = "qualitative"
COMPARATORS = (*POSITIVE, *NEGATIVE, EXACT, QUALITATIVE)

# Printed signs after NFKC (which already turns ＞＜＝ into ><=); longest first.
_SIGNS = (
    (">=", ">="),
    ("=>", ">="),
    ("<=", "<="),
    ("=<", "<="),
    ("≥", ">="),
    ("≧", ">="),
    ("⩾", ">="),
    ("≤", "<="),
    ("≦", "<="),
    ("⩽", "<="),
    (">", ">"),
    ("<", "<"),
    ("=", "="),
)
# Spelled-out comparators; longer words first so 不低于 is not read as 低于.
_WORDS = (
    ("大于或等于", ">="),
    ("大于等于", ">="),
    ("不低于", ">="),
    ("不少于", ">="),
    ("不小于", ">="),
    ("不得低于", ">="),
    ("至少", ">="),
    ("达到", ">="),
    ("达", ">="),
    ("小于或等于", "<="),
    ("小于等于", "<="),
    ("不超过", "<="),
    ("不高于", "<="),
    ("不多于", "<="),
    ("不大于", "<="),
    ("不得超过", "<="),
    ("不得高于", "<="),
    ("控制在", "<="),
    ("至多", "<="),
    ("大于", ">"),
    ("高于", ">"),
    ("超过", ">"),
    ("多于", ">"),
    ("小于", "<"),
    ("低于", "<"),
    ("少于", "<"),
    ("等于", "="),
)
# Trailing words: in Chinese statistics 以上/以下 include the number itself.
_TRAILERS = (
    ("及以上", ">="),
    ("以上", ">="),
    ("及以下", "<="),
    ("以下", "<="),
    ("以内", "<="),
    ("左右", "="),
)
_NUMBER = re.compile(r"^([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)")
_PERCENT = ("%", "‰")
# A date or period ("2022年全年", "12月底前", "6月30日前") is a timeliness target judged as
# achieved or not, not a number to divide by.
_PERIOD = re.compile(r"^(?:\d{4}年|\d{1,2}月|\d{1,2}日)|(?:年底|月底|全年|季度|上半年|下半年)")
_MAX_UNIT = 12


# A number inside a name ("引进“双创”企业10家"): what may stand before it (not a code such as
# GB5749-2022) and the short unit that must close the text.
_EMBEDDED = re.compile(r"(?<![A-Za-z0-9.\-/_])((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)([^\d]{0,4})$")
FLOOR, CEILING = ">=", "<="


class UnparseableTarget(TargetRefused):
    """The printed target cannot be read as a comparator, a value and a unit."""

    title = "Unparseable target"


@dataclass(frozen=True)
class Target:
    """What a leaf must reach: a comparator with a value and unit, or a qualitative text.

    `cumulative` targets count things that only grow over the year (场次, 人次, 万元 spent):
    a final count below the mid-year one is suspicious.
    """

    comparator: str
    value: Decimal | None
    unit: str | None
    text: str
    cumulative: bool = False
    read: bool = False  # comparator, value and unit were read from the printed text

    @property
    def qualitative(self) -> bool:
        return self.comparator == QUALITATIVE

    @property
    def positive(self) -> bool:
        return self.comparator in POSITIVE

    @property
    def negative(self) -> bool:
        return self.comparator in NEGATIVE

    def as_dict(self) -> dict[str, Any]:
        """The canonical primitives a FrameworkDefined event stores."""
        return {
            "comparator": self.comparator,
            "value": self.value,
            "unit": self.unit,
            "text": self.text,
            "cumulative": self.cumulative,
            # only when true: definitions stored before the flag keep their shape
            **({"read": True} if self.read else {}),
        }


def normalise(text: str) -> str:
    """Full-width digits and signs to ASCII (NFKC), whitespace removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def parse_target(text: object, bare: str = FLOOR) -> Target:
    """Parse printed target text, keeping the text as written.

    `bare` is the comparator of a bare value ("100%", "20个"): the national form
    (财预〔2020〕10号) reads it as a floor, a cost target's as a ceiling (the caller, who knows
    the leaf's parents, passes `<=`), and a region may configure `=` instead. A number inside
    a name ("引进“双创”企业10家", "年培训人数达到500人次") is read with the short unit that
    closes the text, and the comparator word just before it, if any.
    """
    written = str(text if text is not None else "").strip()
    compact = normalise(written)
    if not compact:
        raise UnparseableTarget("a target needs its text or comparator and value", text=written)
    comparator, rest, symbolic = _leading_comparator(compact)
    rest, trailing = _trailing_comparator(rest)
    if comparator and trailing and comparator != trailing and trailing != EXACT:
        raise UnparseableTarget(
            f"target {written!r} says both {comparator} and {trailing}", text=written
        )
    comparator = comparator or trailing
    number = _NUMBER.match(rest)
    if number is None and not symbolic:
        inside = _inside_name(_trailing_comparator(compact)[0])
        if inside is not None:
            word, value, unit = inside
            final = word or comparator or bare
            return Target(final, value, unit, written, default_cumulative(final, unit), True)
    if number is None or _PERIOD.search(rest):
        if symbolic:
            raise UnparseableTarget(
                f"target {written!r}: a sign must be followed by a number", text=written
            )
        return _qualitative(written)
    value = to_decimal(number.group(1).replace(",", ""), "target value")
    unit = rest[number.end() :]
    if any(ch.isdigit() for ch in unit) or len(unit) > _MAX_UNIT:
        raise UnparseableTarget(
            f"target {written!r} is not one value with a unit "
            "(give a range as two targets, or the text as a qualitative target)",
            text=written,
        )
    final = comparator or bare
    return Target(
        final, value, unit or None, written, default_cumulative(final, unit or None), True
    )


def _leading_comparator(text: str) -> tuple[str | None, str, bool]:
    for sign, comparator in _SIGNS:
        if text.startswith(sign):
            return comparator, text[len(sign) :], True
    for word, comparator in _WORDS:
        if text.startswith(word):
            return comparator, text[len(word) :], False
    return None, text, False


def _trailing_comparator(text: str) -> tuple[str, str | None]:
    for word, comparator in _TRAILERS:
        if text.endswith(word) and len(text) > len(word):
            return text[: -len(word)], comparator
    return text, None


def _inside_name(text: str) -> tuple[str | None, Decimal, str | None] | None:
    """The comparator word, value and unit of a number that closes a name, or None."""
    found = _EMBEDDED.search(text)
    if found is None or _PERIOD.search(text[found.start() :]):
        return None
    prefix = text[: found.start()]
    if not prefix:
        return None
    word = next((c for w, c in (*_SIGNS, *_WORDS) if prefix.endswith(w)), None)
    value = to_decimal(found.group(1).replace(",", ""), "target value")
    return word, value, found.group(2) or None


_LOOSE_FIGURE = re.compile(r"(?<![A-Za-z0-9.\-/_])\d")


def figure_left_unread(target: Target) -> bool:
    """A qualitative target whose text has a figure that is neither a date nor part of a code
    (GB5749-2022): was a number meant, in a form the reading does not take?"""
    if not target.qualitative:
        return False
    compact = normalise(target.text)
    return bool(_LOOSE_FIGURE.search(compact)) and not _PERIOD.search(compact)


def _qualitative(text: str, read: bool = True) -> Target:
    return Target(QUALITATIVE, None, None, text, read=read)


def default_cumulative(comparator: str, unit: str | None) -> bool:
    """Counts and amounts of a positive target grow over the year; rates and durations do not."""
    if comparator not in POSITIVE or unit is None:
        return False
    return unit not in _PERCENT and not unit.endswith(("率", "天", "日", "小时", "月", "年", "分"))


def target_from(raw: object, bare: str = FLOOR) -> Target:
    """A target given as printed text, or as {comparator, value?, unit?, text?, cumulative?}.

    What the object states wins over the reading of its text: a person corrects a reading by
    giving the comparator (and the value and unit, when the text has none to read).
    """
    if isinstance(raw, str):
        return parse_target(raw, bare)
    if not isinstance(raw, dict):
        raise UnparseableTarget("a target is its printed text or an object", text=repr(raw))
    comparator = str(raw.get("comparator") or "").strip()
    text = str(raw.get("text") or "").strip()
    if not comparator:
        parsed = parse_target(text, bare)
        return _with_cumulative(_given_over(parsed, raw), raw)
    if comparator not in COMPARATORS:
        raise TargetRefused(
            f"comparator {comparator!r} is not one of {', '.join(COMPARATORS)}",
            comparator=comparator,
        )
    if comparator == QUALITATIVE:
        if not text:
            raise TargetRefused("a qualitative target needs its text", comparator=comparator)
        return _with_cumulative(_qualitative(text, read=False), raw)
    reading = _reading_of(text, bare)
    given = raw.get("value")
    if given is None and (reading is None or reading.value is None):
        raise TargetRefused(f"a {comparator} target needs a value", comparator=comparator)
    read_value = reading.value if reading is not None else None
    value = to_decimal(given if given is not None else read_value, "target value")
    unit = str(raw.get("unit") or "").strip() or None
    if unit is None and given is None and reading is not None:
        unit = reading.unit
    printed = text or f"{_PRINTED[comparator]}{value}{unit or ''}"
    return _with_cumulative(
        Target(comparator, value, unit, printed, default_cumulative(comparator, unit)), raw
    )


_PRINTED = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": ""}


def _reading_of(text: str, bare: str) -> Target | None:
    """The reading of a text given beside explicit fields (None when it has no figure)."""
    if not text:
        return None
    try:
        return parse_target(text, bare)
    except TargetRefused:
        return None


def _given_over(parsed: Target, raw: dict[str, Any]) -> Target:
    """The reading of the text with a value or unit the object states put over it."""
    if parsed.qualitative or (raw.get("value") is None and not raw.get("unit")):
        return parsed
    value = parsed.value if raw.get("value") is None else to_decimal(raw["value"], "target value")
    unit = str(raw.get("unit") or "").strip() or parsed.unit
    return Target(parsed.comparator, value, unit, parsed.text, parsed.cumulative, read=False)


def _with_cumulative(target: Target, raw: dict[str, Any]) -> Target:
    flag = raw.get("cumulative")
    if flag is None:
        return target
    return Target(
        target.comparator, target.value, target.unit, target.text, bool(flag), target.read
    )


def target_of(stored: dict[str, Any]) -> Target:
    """Back from the primitives an event stored (no parsing: replay must not re-interpret)."""
    value = stored.get("value")
    return Target(
        stored["comparator"],
        None if value is None else unsigned(Decimal(str(value))),
        stored.get("unit"),
        stored["text"],
        bool(stored.get("cumulative")),
        bool(stored.get("read")),
    )
