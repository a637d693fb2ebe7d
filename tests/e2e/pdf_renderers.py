"""Stand-in PDF renderers the worker pool loads in its processes, for tests of its limits."""

from __future__ import annotations

import threading


def never_finishes(html: str) -> bytes:
    """A render that outlasts any time limit: only killing its process ends it."""
    threading.Event().wait()
    return b""


def echoes(html: str) -> bytes:
    """A render that answers at once with a PDF-looking header and the page's length."""
    return f"%PDF-stand-in {len(html)}".encode()


def page_as_given(html: str) -> bytes:
    """A render that answers with the page it was given, for tests of what a PDF is made of."""
    return html.encode("utf-8")
