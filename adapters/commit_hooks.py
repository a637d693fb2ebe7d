"""Calls hooks after the outermost unit of work of a thread commits (the feed's wake-up)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any


class CommitHooks:
    """Wraps a transaction so that, once the outermost one of the thread has committed, each
    hook runs (nested units of work join the outer one and commit with it)."""

    def __init__(self) -> None:
        self.hooks: list[Callable[[], None]] = []
        self._local = threading.local()

    @contextmanager
    def around(self, transaction: AbstractContextManager[Any]) -> Iterator[Any]:
        depth = getattr(self._local, "depth", 0)
        self._local.depth = depth + 1
        try:
            with transaction as inside:
                yield inside
        finally:
            self._local.depth = depth
        if depth == 0:  # reached only when the transaction committed without an error
            for hook in self.hooks:
                hook()
