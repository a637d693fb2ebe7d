"""PDF rendering in a bounded set of worker processes: a render past its time limit is killed."""

from __future__ import annotations

import contextlib
import importlib
import logging
import math
import multiprocessing
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from adapters.sheets.pdf import unavailable
from application.errors import (
    PdfCallerBusy,
    PdfRenderersBusy,
    PdfRenderStopped,
    RenderingUnavailable,
)

log = logging.getLogger("scoretrail.pdf")

DEFAULT_RENDERER = "adapters.sheets.pdf:html_to_pdf"
# How long a worker asked to stop may take before it is killed, in seconds.
STOP_GRACE = 2.0


def renderer_named(name: str) -> Callable[[str], bytes]:
    """The function `module:attribute` names (HTML in, PDF bytes out), its module warmed up:
    a module's `warm_up()` loads what the first render would (WeasyPrint takes seconds)."""
    module_name, _, attribute = name.partition(":")
    module = importlib.import_module(module_name)
    warm_up = getattr(module, "warm_up", None)
    if warm_up is not None:
        warm_up()
    found: Callable[[str], bytes] = getattr(module, attribute)
    return found


def serve(connection: Connection, renderer: str) -> None:
    """A worker's life: load the renderer once, then render each page sent until told to stop
    (None) or until the service's end of the pipe closes."""
    try:
        render: Callable[[str], bytes] | None = renderer_named(renderer)
        failure = ""
    except (ImportError, OSError, AttributeError) as error:  # OSError: Pango missing
        render, failure = None, f"{type(error).__name__}: {error}"
    while True:
        try:
            html = connection.recv()
        except (EOFError, OSError):
            return
        if html is None:
            return
        if render is None:
            connection.send(("unavailable", failure))
            continue
        try:
            connection.send(("pdf", render(html)))
        except RenderingUnavailable as error:
            connection.send(("unavailable", error.detail))
        except Exception as error:  # one page failed: the worker stays for the next
            connection.send(("failed", f"{type(error).__name__}: {error}"))


@dataclass
class Worker:
    """One worker process and the service's end of its pipe."""

    process: Any
    connection: Connection

    def ask_to_stop(self) -> None:
        with contextlib.suppress(OSError):  # already gone
            self.connection.send(None)

    def stop(self, grace: float = STOP_GRACE) -> None:
        """Ask the worker to end; kill it when it does not within `grace` seconds."""
        self.ask_to_stop()
        self.process.join(grace)
        self.kill()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()
        self.process.close()


class PdfPool:
    """At most `workers` PDFs render at once, each in its own process, at most `per_caller` of
    them for one caller; a render running longer than `timeout` seconds has its process killed
    and a fresh one takes its place. A request that would exceed a limit is refused at once.

    Workers start on the first PDF (not with the app), from a fresh interpreter ('spawn'): they
    inherit no database connection, lock or thread of the service. They are daemonic, so a
    service process that ends takes them with it, and a worker whose service died stops when
    its pipe closes. Each process that builds an app (each gunicorn worker) owns its own pool.
    """

    def __init__(
        self,
        workers: int,
        timeout: float,
        per_caller: int,
        renderer: str = DEFAULT_RENDERER,
        start_method: str = "spawn",
    ) -> None:
        self.workers = max(1, workers)
        self.timeout = timeout
        self.per_caller = max(1, per_caller)
        self.renderer = renderer
        self.context: Any = multiprocessing.get_context(start_method)
        self.lock = threading.Lock()
        self.idle: list[Worker] = []
        self.busy: list[Worker] = []
        self.running: dict[str, int] = {}  # caller → renders in progress
        self.closed = False

    @property
    def retry_after(self) -> int:
        """Seconds a refused caller is told to wait: a render ends within the time limit."""
        return max(1, min(5, math.ceil(self.timeout)))

    def render(self, html: str, caller: str) -> bytes:
        """The PDF of `html`, rendered by a worker; refuses when a limit is reached."""
        self.admit(caller)
        try:
            return self.render_admitted(html)
        finally:
            with self.lock:
                self.running[caller] -= 1
                if not self.running[caller]:
                    del self.running[caller]

    def admit(self, caller: str) -> None:
        with self.lock:
            if self.closed:
                raise RenderingUnavailable("the PDF renderers are shut down", format="pdf")
            if self.running.get(caller, 0) >= self.per_caller:
                raise PdfCallerBusy(
                    f"{self.per_caller} PDF reports of this caller are rendering; "
                    "retry when one is done",
                    retry_after=self.retry_after,
                )
            if sum(self.running.values()) >= self.workers:
                raise PdfRenderersBusy(
                    f"all {self.workers} PDF renderers are busy; retry shortly",
                    retry_after=self.retry_after,
                )
            self.running[caller] = self.running.get(caller, 0) + 1

    def render_admitted(self, html: str) -> bytes:
        worker, fresh = self.take()
        started = time.monotonic()
        outcome, payload = self.exchange(worker, html)
        if outcome == "died" and not fresh:  # it had died waiting (e.g. killed): once more
            worker.kill()
            self.release(worker)
            worker, fresh = self.take(fresh=True)
            outcome, payload = self.exchange(worker, html)
        if outcome in ("late", "died"):
            worker.kill()
            self.release(worker)
            self.replace()
            seconds = time.monotonic() - started
            log.warning("PDF render stopped after %.1f s (%s %s)", seconds, outcome, payload)
            if outcome == "late":
                raise PdfRenderStopped(
                    f"the PDF took longer than {self.timeout:g} seconds and was stopped",
                    retry_after=self.retry_after,
                )
            raise PdfRenderStopped(
                "the PDF renderer stopped unexpectedly", retry_after=self.retry_after
            )
        self.give_back(worker)
        if outcome == "unavailable":
            raise unavailable(payload)
        if outcome == "failed":
            raise RuntimeError(f"the PDF could not be rendered: {payload}")
        return bytes(payload)

    def start(self) -> Worker:
        service_end, worker_end = self.context.Pipe()
        process = self.context.Process(
            target=serve, args=(worker_end, self.renderer), name="scoretrail-pdf", daemon=True
        )
        process.start()
        worker_end.close()  # the worker holds its own copy: EOF here when it dies
        return Worker(process, service_end)

    def exchange(self, worker: Worker, html: str) -> tuple[str, Any]:
        """Send the page; the worker's answer, "late" past the time limit, or "died"."""
        try:
            worker.connection.send(html)
            if not worker.connection.poll(self.timeout):
                return "late", ""
            outcome, payload = worker.connection.recv()
        except (EOFError, OSError) as error:  # the worker died (killed from outside, memory)
            return "died", f"{type(error).__name__}: {error}"
        return str(outcome), payload

    def take(self, fresh: bool = False) -> tuple[Worker, bool]:
        """An idle worker that is still alive, else a fresh one; and whether it is fresh."""
        while not fresh:
            with self.lock:
                worker = self.idle.pop() if self.idle else None
                if worker is not None:
                    self.busy.append(worker)
            if worker is None:
                break
            if worker.process.is_alive():
                return worker, False
            worker.kill()  # ended while idle (killed from outside): release it
            self.release(worker)
        worker = self.start()
        with self.lock:
            self.busy.append(worker)
        return worker, True

    def release(self, worker: Worker) -> None:
        with self.lock:
            if worker in self.busy:
                self.busy.remove(worker)

    def give_back(self, worker: Worker) -> None:
        with self.lock:
            if worker in self.busy:
                self.busy.remove(worker)
            if not self.closed:
                self.idle.append(worker)
                return
        worker.stop()

    def replace(self) -> None:
        """A fresh worker for the killed one, loading its renderer while nothing waits on it."""
        with self.lock:
            if self.closed or len(self.idle) >= self.workers:
                return
        self.give_back(self.start())

    def rendering(self) -> int:
        """Renders admitted and not yet answered."""
        with self.lock:
            return sum(self.running.values())

    def warm(self) -> None:
        """Start every worker now rather than on the first PDFs (each loads WeasyPrint)."""
        with self.lock:
            missing = 0 if self.closed else self.workers - len(self.idle)
            missing -= sum(self.running.values())
        for _ in range(max(0, missing)):
            self.give_back(self.start())

    def pids(self) -> set[int]:
        """Process ids of this pool's workers, idle and rendering."""
        with self.lock:
            return {w.process.pid for w in [*self.idle, *self.busy] if w.process.pid is not None}

    def alive(self) -> int:
        """Worker processes of this pool now running (idle ones; busy ones are counted by the
        requests waiting on them)."""
        with self.lock:
            return sum(1 for worker in self.idle if worker.process.is_alive())

    def close(self) -> None:
        """Stop every idle worker; busy ones stop when their render ends."""
        with self.lock:
            self.closed = True
            idle, self.idle = self.idle, []
        for worker in idle:
            worker.ask_to_stop()
        deadline = time.monotonic() + STOP_GRACE  # one grace for all, not one each
        for worker in idle:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            worker.kill()
