"""What every benchmark shares: sizes, stores, timing statistics and the reference workload."""

from __future__ import annotations

import json
import math
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from sqlalchemy import create_engine, text

from adapters.bootstrap import build_service, normalise_url
from application.service import EvaluationService
from domain.evaluation import Actor, Evaluation

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "examples" / "jiyang-incubator-2022.json"
# Deduction leaves of the reference case: writes rotate over them so no leaf runs out of points.
DEDUCTION_LEAVES = ("2.1.3", "2.2.2", "3.1.1", "3.2.1", "3.3.1", "3.4.1", "4.1.1", "4.2.1")
BENCH_ACTOR = Actor(name="benchmark", role="evaluator", correlation_id="benchmark")
SCHEMA_PREFIX = "scoretrail_bench_"


@dataclass(frozen=True)
class Sizes:
    """How much work each benchmark does: `full` aims at ~15 minutes in all, `quick` at ~1."""

    write_deductions: int
    write_evaluations: int
    http_gets: int
    http_posts: int
    http_clients: int
    history_lengths: tuple[int, ...]
    history_samples: int
    store_small: int
    store_large: int
    store_large_pg: int
    store_reads: int
    rebuild_events: int
    rounds: int


FULL = Sizes(
    write_deductions=1200,
    write_evaluations=20,
    http_gets=3000,
    http_posts=800,
    http_clients=4,
    history_lengths=(100, 1_000, 10_000),
    history_samples=40,
    store_small=10_000,
    store_large=1_000_000,
    store_large_pg=1_000_000,
    store_reads=300,
    rebuild_events=30_000,
    rounds=6,
)
QUICK = Sizes(
    write_deductions=150,
    write_evaluations=5,
    http_gets=300,
    http_posts=100,
    http_clients=4,
    history_lengths=(100, 1_000, 10_000),
    history_samples=8,
    store_small=10_000,
    store_large=100_000,
    store_large_pg=100_000,
    store_reads=60,
    rebuild_events=5_000,
    rounds=3,
)


def reference_case() -> dict[str, Any]:
    """The published 2022 incubator evaluation the examples and tests use."""
    return json.loads(REFERENCE.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------ statistics
def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile (p50 is the median of an odd count, p99 the 99th of 100)."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def median(samples: list[float]) -> float:
    return statistics.median(samples) if samples else math.nan


def ratio(ours: float, baseline: float) -> float:
    return ours / baseline if baseline else math.nan


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """Elapsed seconds, appended to the yielded list when the block ends."""
    box: list[float] = []
    start = time.perf_counter()
    try:
        yield box
    finally:
        box.append(time.perf_counter() - start)


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# ---------------------------------------------------------------------------- stores
class Stores:
    """Fresh, empty stores of one kind, each dropped again when the run ends.

    SQLite: a file in a temporary folder. PostgreSQL: a schema of its own
    (`scoretrail_bench_<name>`) in the given database, selected through search_path, so
    nothing outside those schemas is ever touched.
    """

    def __init__(self, kind: str, postgres_url: str | None = None) -> None:
        self.kind = kind
        self.postgres_url = normalise_url(postgres_url) if postgres_url else None
        self._tmp = tempfile.TemporaryDirectory(prefix="scoretrail-bench-")
        self._schemas: list[str] = []

    def url(self, name: str) -> str:
        """A URL for an empty store called `name`."""
        if self.kind == "sqlite":
            folder = Path(self._tmp.name) / f"{name}-{uuid.uuid4().hex[:8]}"
            folder.mkdir()
            return f"sqlite:///{folder / 'store.sqlite3'}"
        assert self.postgres_url is not None
        # a name of its own: runs that share the database (two at once) never drop each other's
        schema = f"{SCHEMA_PREFIX}{name}_{uuid.uuid4().hex[:8]}"
        engine = create_engine(self.postgres_url)
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        self._schemas.append(schema)
        return with_search_path(self.postgres_url, schema)

    def close(self) -> None:
        if self.postgres_url and self._schemas:
            engine = create_engine(self.postgres_url)
            with engine.begin() as connection:
                for schema in self._schemas:
                    connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            engine.dispose()
        self._tmp.cleanup()


def with_search_path(url: str, schema: str) -> str:
    """The PostgreSQL URL with `search_path` set to one schema (libpq `options`)."""
    parts = urlsplit(url)
    query = "&".join(
        q for q in (parts.query, urlencode({"options": f"-csearch_path={schema}"})) if q
    )
    return urlunsplit(parts._replace(query=query))


def postgres_problem(url: str | None) -> str | None:
    """None when the server answers, else a one-line reason."""
    if not url:
        return "no URL given (--postgres-url or SCORETRAIL_BENCH_POSTGRES_URL)"
    try:
        engine = create_engine(normalise_url(url), connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # any driver or network failure means "skip PostgreSQL"
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f"unreachable: {first[:160]}"
    return None


def dispose(service: EvaluationService) -> None:
    """Close a service's connections (each benchmark builds its own)."""
    engine = getattr(getattr(service.store.factory, "datastore", None), "engine", None)
    if engine is not None:
        engine.dispose()


# -------------------------------------------------------------------------- workload
def open_service(url: str) -> EvaluationService:
    return build_service(url)


def load_reference(service: EvaluationService, copies: int = 1) -> list[str]:
    """Record the reference evaluation `copies` times; returns the ids."""
    case = reference_case()
    return [str(service.import_evaluation(case, BENCH_ACTOR).id) for _ in range(copies)]


def deduction_body(number: int) -> dict[str, Any]:
    """The n-th benchmark deduction: a cent off a rotating leaf, with a reason and evidence."""
    return {
        "points": "0.01",
        "reason": f"抽查发现第{number}份台账记录不完整",
        "evidence": [{"title": f"抽查记录 {number}", "locator": f"附件{number}"}],
    }


def save_batch(service: EvaluationService, evaluation: Evaluation) -> None:
    """Save an aggregate's pending events and project them: the service's unit of work."""
    with service.unit_of_work.transaction():
        service._save(evaluation)


def extend_history(
    service: EvaluationService, evaluation_id: str, target_events: int, batch: int = 400
) -> int:
    """Grow an evaluation to `target_events` events; returns the version reached.

    Deduction + withdrawal pairs (4 events with their score changes) are applied to the
    aggregate in memory and saved through the service's unit of work every `batch` pairs,
    so long histories take seconds, not one transaction per command.
    """
    evaluation: Evaluation = service.store.repository.get(uuid.UUID(evaluation_id))
    leaves = DEDUCTION_LEAVES
    number = 0
    pending = 0
    while evaluation.version + 4 <= target_events:
        deduction_id = str(uuid.uuid4())
        body = deduction_body(number)
        evaluation.record_deduction(
            deduction_id,
            leaves[number % len(leaves)],
            body["points"],
            body["reason"],
            body["evidence"],
            BENCH_ACTOR,
        )
        evaluation.withdraw_deduction(deduction_id, "复核后撤回", BENCH_ACTOR)
        number += 1
        pending += 1
        if pending >= batch:
            save_batch(service, evaluation)
            pending = 0
    if evaluation.version + 2 <= target_events:
        body = deduction_body(number)
        evaluation.record_deduction(
            str(uuid.uuid4()),
            leaves[number % len(leaves)],
            body["points"],
            body["reason"],
            body["evidence"],
            BENCH_ACTOR,
        )
    save_batch(service, evaluation)
    return int(evaluation.version)
