"""What text may be stored, the one rule every entry applies; and the escape exports use."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# C0 controls other than tab, line feed and carriage return; DEL and the C1 controls; lone
# UTF-16 surrogates; the noncharacters U+FFFE and U+FFFF. NUL cannot be stored by PostgreSQL,
# a surrogate cannot be encoded at all, and the rest make xlsx (XML) reports fail or show
# nothing a reader can see. Tab and line breaks are text: reasons and notes hold paragraphs.
REFUSED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# A name (a file's, a command's argument) is one line: tab and line breaks are refused there too.
REFUSED_IN_NAMES = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


# (English, Chinese) for each kind of refused character; {0} is its code point (U+0001).
CONTROL = (
    "Must not contain control character {0}.",
    "含有控制字符 {0}，无法保存；请删去后重新输入。",
)
NONCHARACTER = (
    "Must not contain the noncharacter {0}.",
    "含有非字符 {0}，无法保存；请删去后重新输入。",
)
SURROGATE = (
    "Must not contain a lone surrogate (invalid Unicode).",
    "含有无效的 Unicode 字符（孤立代理项），无法保存；请删去后重新输入。",
)
MESSAGES = (CONTROL, NONCHARACTER, SURROGATE)


@dataclass(frozen=True)
class Refusal:
    """The first character that keeps a text from being stored."""

    char: str

    @property
    def code(self) -> str:
        return f"U+{ord(self.char):04X}"

    @property
    def _messages(self) -> tuple[str, str]:
        if "\ud800" <= self.char <= "\udfff":
            return SURROGATE
        return NONCHARACTER if self.char in "\ufffe\uffff" else CONTROL

    @property
    def english(self) -> str:
        return self._messages[0].format(self.code)

    @property
    def chinese(self) -> str:
        return self._messages[1].format(self.code)


def refusal(text: str, *, name: bool = False) -> Refusal | None:
    """Why `text` cannot be stored (None when it can); `name`: one line, no tabs either."""
    found = (REFUSED_IN_NAMES if name else REFUSED).search(text)
    return None if found is None else Refusal(found.group())


def strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a JSON value, keys included, with its dotted path (iteratively)."""
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            yield where or "_schema", item
        elif isinstance(item, dict):
            for key, child in item.items():
                named = f"{where}.{key}" if where else str(key)
                yield named, str(key)
                stack.append((child, named))
        elif isinstance(item, list | tuple):
            stack.extend(
                (child, f"{where}.{i}" if where else str(i)) for i, child in enumerate(item)
            )


def refusals(value: Any, path: str = "") -> dict[str, Refusal]:
    """The first refusal for each path in a JSON value that holds refused text."""
    found: dict[str, Refusal] = {}
    for where, text in strings(value, path):
        refused = refusal(text)
        if refused is not None:
            found.setdefault(where, refused)
    return found


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str) -> str:
    """The text with each refused character written out (\\x01, \\ud800): shown, never lost."""
    return REFUSED.sub(_visible, text)


def escaped(value: Any) -> Any:
    """A copy of a document (dicts, lists, tuples) with every string, keys too, escaped.

    Exports call this on what they render, so text stored before the gate refused it (or
    recorded by a path the gate does not guard) cannot break a report.
    """
    if isinstance(value, str):
        return escape(value) if REFUSED.search(value) else value
    if isinstance(value, dict):
        return {escaped(k): escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [escaped(item) for item in value]
    if isinstance(value, tuple):
        return tuple(escaped(item) for item in value)
    return value
