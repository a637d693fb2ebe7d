"""A small HTTP client for the API: keep-alive, optional bearer token, JSON in and out."""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Reply:
    """One answer: status (0 when the connection failed), headers, JSON body, seconds taken."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    seconds: float = 0.0
    error: str | None = None

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")


class Client:
    """One connection, reused across requests (one client per thread)."""

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 10) -> None:
        parts = urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self.connection

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Reply:
        """Send once; a failed connection gives status 0 (the caller decides to retry)."""
        sent = {"Accept": "application/json", **(headers or {})}
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            sent["Content-Type"] = "application/json"
        started = time.perf_counter()
        # A kept-alive connection the server has since closed fails at once: a GET is sent
        # again on a new one; a POST is left to the caller, who resends it with its key.
        tries = 2 if method == "GET" and self.connection is not None else 1
        for attempt in range(tries):
            try:
                connection = self._connect()
                connection.request(method, self.prefix + path, body=data, headers=sent)
                response = connection.getresponse()
                raw = response.read()
                break
            except (OSError, http.client.HTTPException) as error:
                self.close()
                if attempt + 1 == tries:
                    return Reply(0, seconds=time.perf_counter() - started, error=repr(error))
        seconds = time.perf_counter() - started
        reply_headers = {k.lower(): v for k, v in response.getheaders()}
        if reply_headers.get("connection", "").lower() == "close":
            self.close()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode("utf-8", "replace")
        return Reply(response.status, reply_headers, parsed, seconds)

    def get(self, path: str, **kw: Any) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.request("POST", path, body, **kw)


def post_until_answered(
    client: Client,
    path: str,
    body: Any,
    key: str,
    *,
    headers: dict[str, str] | None = None,
    attempts: int = 8,
    backoff: float = 0.05,
) -> tuple[Reply, int]:
    """POST with an Idempotency-Key, sending it again (same key) after a lost connection
    or a 503, as a careful client does. Returns the last reply and the number of sends."""
    sent_headers = {**(headers or {}), "Idempotency-Key": key}
    reply = Reply(0)
    for attempt in range(1, attempts + 1):
        reply = client.post(path, body, headers=sent_headers)
        if reply.status not in (0, 503):
            return reply, attempt
        time.sleep(backoff * attempt)
    return reply, attempts
