"""A webhook receiver in a process of its own: answers 204 and logs when each position arrived.

    python -m benchmarks.feed_receiver <log file>

prints the port it listens on (127.0.0.1), then appends `<arrival unix time> <position>
<recorded_at>` per item it receives to the log file.
"""

from __future__ import annotations

import http.server
import json
import sys
import time
from typing import Any


def serve(log_path: str) -> None:
    log = open(log_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - open while serving

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            arrived = time.time()
            self.send_response(204)
            self.end_headers()
            for item in json.loads(body)["items"]:
                log.write(f"{arrived} {item['position']} {item['recorded_at']}\n")

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    serve(sys.argv[1])
