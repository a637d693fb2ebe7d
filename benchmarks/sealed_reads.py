"""Sealed reads: the score sheet read with its seal checked, against the same read unchecked.

    .venv/bin/python -m benchmarks.sealed_reads [ROUNDS]

Both reads come from one SQLite file holding the reference case; the baseline is the
read-model queries' document without the key (no seal, no head lookup), measured in the same run,
alternating, so the ratio is what checking the seal costs a GET.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from adapters.queries import SqlEvaluationQueries
from benchmarks.common import load_reference, median, open_service, ratio


def run(rounds: int = 2000) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        service = open_service(f"sqlite:///{Path(folder) / 'store.sqlite3'}")
        (evaluation_id,) = load_reference(service)
        sealed = service.queries
        assert isinstance(sealed, SqlEvaluationQueries)
        bare = SqlEvaluationQueries(sealed.datastore)  # no key: the read without the check
        assert "integrity_problem" not in (sealed.document(evaluation_id) or {})
        samples: dict[str, list[float]] = {"sealed": [], "bare": []}
        for _ in range(rounds):
            for name, model in (("sealed", sealed), ("bare", bare)):
                start = time.perf_counter()
                model.document(evaluation_id)
                samples[name].append(time.perf_counter() - start)
    checked, plain = median(samples["sealed"]), median(samples["bare"])
    return {"sealed_ms": checked * 1000, "bare_ms": plain * 1000, "ratio": ratio(checked, plain)}


if __name__ == "__main__":
    result = run(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
    print(
        f"document read: sealed {result['sealed_ms']:.3f} ms, unchecked {result['bare_ms']:.3f} ms"
        f" (median); ratio {result['ratio']:.2f}"
    )
