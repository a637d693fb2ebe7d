"""Commits announced across processes on PostgreSQL: NOTIFY after a commit, LISTEN to wake."""

from __future__ import annotations

import logging
import threading
from typing import Any

import psycopg
from sqlalchemy import Engine

from application.feed import CommitSignal

CHANNEL = "scoretrail_feed"
NOTIFY_SQL = "NOTIFY " + CHANNEL
LISTEN_SQL = "LISTEN " + CHANNEL
# A notifier with nothing to send for this long ends; the next commit starts another.
IDLE_SECONDS = 60.0
# How often the listener looks at its stop flag, and waits before it connects again.
LISTEN_TICK_SECONDS = 1.0
log = logging.getLogger(__name__)


class PostgresCommitAnnouncer:
    """Tells the feed readers of every process on the database that something committed.

    The NOTIFY is sent by a thread of its own after the commit, on a pooled connection:
    not in the writer's transaction, where PostgreSQL would queue every notifying commit
    behind the others (adapters.integrity), and not on the request's time. A burst of
    commits folds into one notification. The listener holds one connection of its own,
    opened when a reader of this process first waits.
    """

    def __init__(self, engine: Engine, signal: CommitSignal) -> None:
        self.engine = engine
        self.signal = signal
        self._pending = threading.Event()
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._notifier: threading.Thread | None = None
        self._listener: threading.Thread | None = None
        signal.after_commit.append(self.announce)
        signal.before_wait = self.listen

    # ------------------------------------------------------------- announcing
    def announce(self) -> None:
        self._pending.set()
        with self._lock:
            if self._notifier is None or not self._notifier.is_alive():
                self._notifier = _daemon(self._notify_loop, "scoretrail-feed-notify")

    def _notify_loop(self) -> None:
        while not self._stopped.is_set():
            if not self._pending.wait(IDLE_SECONDS):
                with self._lock:
                    if not self._pending.is_set():
                        self._notifier = None
                        return
            self._pending.clear()
            try:
                with self.engine.begin() as connection:
                    connection.exec_driver_sql(NOTIFY_SQL)
            except Exception:  # the readers of other processes then wait out their bound
                log.warning("could not announce a commit to other processes", exc_info=True)

    # -------------------------------------------------------------- listening
    def listen(self) -> None:
        with self._lock:
            if self._listener is None or not self._listener.is_alive():
                self._listener = _daemon(self._listen_loop, "scoretrail-feed-listen")

    def _listen_loop(self) -> None:
        url = self.engine.url.set(drivername="postgresql")
        conninfo = url.render_as_string(hide_password=False)
        while not self._stopped.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True) as connection:
                    connection.execute(LISTEN_SQL)
                    while not self._stopped.is_set():
                        for _ in connection.notifies(timeout=LISTEN_TICK_SECONDS, stop_after=1):
                            self.signal.committed(local=False)
            except psycopg.Error:
                log.warning("feed listener lost its connection", exc_info=True)
                self._stopped.wait(LISTEN_TICK_SECONDS)

    def stop(self) -> None:
        """End both threads (within a tick)."""
        self._stopped.set()
        self._pending.set()


def _daemon(target: Any, name: str) -> threading.Thread:
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread
