"""Run `scoretrail serve` as a child process on a free port, and stop or kill it."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

LISTENING = re.compile(r"Listening at: http://([\d.]+):(\d+)")
ROOT = Path(__file__).resolve().parent.parent


class ServerProcess:
    """gunicorn serving ScoreTrail in its own process group, its log copied to `log_path`."""

    def __init__(
        self,
        database_url: str,
        *,
        workers: int | None = None,
        threads: int | None = None,
        env: dict[str, str] | None = None,
        log_path: Path | None = None,
    ) -> None:
        self.database_url = database_url
        self.workers = workers
        self.threads = threads
        self.env = env or {}
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.base_url = ""
        self._listening = threading.Event()
        self._lines: list[str] = []

    def start(self, timeout: float = 60) -> str:
        """Start and return the base URL once gunicorn listens (workers may still boot:
        the first requests wait in the socket's backlog)."""
        command = [sys.executable, "-m", "web.cli", "serve", "--port", "0"]
        if self.workers:
            command += ["--workers", str(self.workers)]
        if self.threads:
            command += ["--threads", str(self.threads)]
        env = {
            **os.environ,
            "SCORETRAIL_LOG_LEVEL": "WARNING",
            **self.env,
            "SCORETRAIL_DATABASE_URL": self.database_url,
        }
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own group: a kill reaches the workers too
        )
        assert self.process.stderr is not None
        threading.Thread(target=self._drain, args=(self.process.stderr,), daemon=True).start()
        if not self._listening.wait(timeout) or not self.base_url:
            self.kill()
            raise RuntimeError("the server did not start:\n" + "".join(self._lines[-30:]))
        return self.base_url

    def _drain(self, stream: IO[bytes]) -> None:
        log = self.log_path.open("a", encoding="utf-8") if self.log_path else None
        try:
            for raw in stream:
                line = raw.decode("utf-8", "replace")
                self._lines.append(line)
                if log:
                    log.write(line)
                found = LISTENING.search(line)
                if found and not self.base_url:
                    self.base_url = f"http://{found.group(1)}:{found.group(2)}"
                    self._listening.set()
        finally:
            self._listening.set()  # the process ended: stop anyone waiting
            if log:
                log.close()

    def kill(self) -> None:
        """SIGKILL the master and its workers at once: no shutdown, no cleanup."""
        self._signal(signal.SIGKILL)

    def stop(self) -> None:
        """Graceful stop (SIGTERM), waiting for the workers to finish their requests."""
        self._signal(signal.SIGTERM)

    def _signal(self, sig: signal.Signals) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)  # the group this object started
        self.process.wait(timeout=60)

    def log(self) -> str:
        return "".join(self._lines)

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
