"""Posting to webhook receivers over HTTP, and resolving their hosts (standard library only)."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from typing import Any

from application.webhooks import Reply


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A receiver that redirects has not taken the delivery: a redirect could point anywhere,
    past the address checks, so it is a failure like any other non-2xx."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class HttpSender:
    """POSTs a body with its headers; the status code, or the error that stopped it."""

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout
        self.opener = urllib.request.build_opener(_NoRedirects())

    def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> Reply:
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                response.read(65536)  # let a keep-alive receiver finish its answer
                return Reply(int(response.status))
        except urllib.error.HTTPError as error:
            return Reply(int(error.code), f"HTTP {error.code}")
        except (OSError, ValueError) as error:  # refused, timed out, unreachable, bad URL
            return Reply(None, f"{type(error).__name__}: {error}"[:500])


def resolve(host: str, port: int) -> list[str]:
    """Every address the host resolves to (OSError when it does not)."""
    found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in found})
