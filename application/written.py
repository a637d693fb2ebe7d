"""What a command did: the evaluation it left, what moved, its record; the document on demand."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from domain.evaluation import event_class

# The class, not its name: a renamed event fails at import rather than moving nothing.
SCORE_CHANGED: type[Any] = event_class("ScoreChanged")  # its fields are made at run time


def moved_codes(events: Iterable[Any]) -> frozenset[str]:
    """The indicators whose figures the events moved: each rescored leaf and its ancestors."""
    moved: set[str] = set()
    for event in events:
        if isinstance(event, SCORE_CHANGED):
            moved.add(event.code)
            moved.update(event.parents)
    return frozenset(moved)


class Written:
    """A committed command's outcome. `view` is the document listing the active deductions
    (what the read model sealed; rendered for that anyway), `withdrawn` how many it leaves
    out, `moved` the indicators whose figures the command's events moved, `record` what a
    use case adds (the deduction it recorded or withdrew). The whole document is rendered
    only when asked for, and only when withdrawn deductions make it differ from `view`.
    """

    def __init__(
        self,
        view: dict[str, Any],
        withdrawn: int,
        moved: frozenset[str],
        render: Callable[[], dict[str, Any]],
        record: dict[str, Any] | None = None,
    ) -> None:
        self.view = view
        self.withdrawn = withdrawn
        self.moved = moved
        self.record: dict[str, Any] = record or {}
        self._render = render
        self._document: dict[str, Any] | None = None

    @property
    def id(self) -> str:
        return str(self.view["id"])

    @property
    def version(self) -> int:
        return int(self.view["version"])

    @property
    def status(self) -> str:
        return str(self.view["status"])

    @property
    def total(self) -> str | None:
        total: str | None = self.view["total"]
        return total

    @property
    def grade(self) -> str | None:
        grade: str | None = self.view["grade"]
        return grade

    def moved_indicators(self) -> list[dict[str, Any]]:
        """The document's rows of the indicators whose figures moved, in framework order."""
        return [i for i in self.view["indicators"] if i["code"] in self.moved]

    def document(self) -> dict[str, Any]:
        """The evaluation document as the command left it, every deduction listed."""
        if self.withdrawn == 0:
            return self.view  # nothing withdrawn: the active view is the whole document
        if self._document is None:
            self._document = self._render()
        return self._document

    def with_record(self, record: dict[str, Any]) -> Written:
        """The same outcome carrying the record a use case made or changed."""
        return Written(self.view, self.withdrawn, self.moved, self.document, record)
