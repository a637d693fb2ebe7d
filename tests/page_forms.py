"""The forms a rendered page offers, read from its HTML: where each posts and what it sends."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser

# Inputs a person types into; the others (hidden, radio, checkbox, buttons) carry fixed values.
TYPED = frozenset({"", "text", "search", "number", "datetime-local", "date", "password"})


@dataclass
class PageForm:
    method: str
    action: str
    typed: list[str] = field(default_factory=list)  # fields a person types, in page order
    fixed: dict[str, str] = field(default_factory=dict)  # hidden values, first choices


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self.current: PageForm | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = {k: unescape(v or "") for k, v in attrs}
        if tag == "form":
            self.current = PageForm(given.get("method", "get").lower(), given.get("action", ""))
            self.forms.append(self.current)
            return
        form, name = self.current, given.get("name")
        if form is not None and tag == "option" and self.select and given.get("value"):
            form.fixed.setdefault(self.select, given["value"])
        if form is None or not name:
            return
        if tag == "textarea" or (tag == "input" and given.get("type", "") in TYPED):
            if name not in form.typed:
                form.typed.append(name)
        elif tag == "input" and given.get("type") in ("hidden", "radio", "checkbox"):
            form.fixed.setdefault(name, given.get("value", ""))
        elif tag == "select":
            self.select = name

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def forms_on(html: str) -> list[PageForm]:
    """Every form of the page."""
    reader = _FormReader()
    reader.feed(html)
    return reader.forms
