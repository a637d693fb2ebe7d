"""The delivery worker's thread: delivers what is due, then sleeps until a commit or a retry."""

from __future__ import annotations

import logging
import threading

from application.feed import CommitSignal
from application.webhooks import DeliveryWorker

log = logging.getLogger("scoretrail.webhooks")


class DeliveryRunner:
    """Runs a DeliveryWorker in a daemon thread until stopped.

    It wakes when this process commits (or, on PostgreSQL, any process: the feed's signal)
    and at least every `idle_seconds`, for retries that fall due and for commits a SQLite
    file cannot announce. Delivery never runs on a writer's thread.
    """

    def __init__(self, worker: DeliveryWorker, signal: CommitSignal, idle_seconds: float = 1.0):
        self.worker = worker
        self.signal = signal
        self.idle_seconds = idle_seconds
        self._stopped = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        self._stopped.clear()
        self.thread = threading.Thread(target=self._run, name="scoretrail-webhooks", daemon=True)
        self.thread.start()

    def stop(self, timeout: float | None = 10.0) -> None:
        """Stop after the batch in hand (a receiver mid-POST is waited for)."""
        self._stopped.set()
        self.signal.committed(local=False)  # wake the thread if it waits
        if self.thread is not None:
            self.thread.join(timeout)

    def _run(self) -> None:
        while not self._stopped.is_set():
            seen = self.signal.generation
            try:
                more = self.worker.run_once()
            except Exception:  # a store hiccup: logged, and tried again after the idle wait
                log.exception("webhook delivery failed")
                more = False
            if not more and not self._stopped.is_set():
                self.signal.wait(seen, self.idle_seconds)
