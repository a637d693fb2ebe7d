"""Garbage collection kept off the objects a long-running job finds already in memory."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Move every object alive now out of the collector's reach until the block ends.

    A rebuild keeps a batch of events and its held-back rows alive across many collections,
    so the collector's full passes come often, and each walks everything the process holds
    (modules, SQLAlchemy's caches, the aggregate shelf): more than the batch itself. Frozen
    objects are still freed by reference counting; they only skip the cycle search until
    `gc.unfreeze` hands them back at the end. Objects made inside the block are collected
    as usual.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
