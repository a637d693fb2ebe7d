"""Engine and server settings derived from the ScoreTrail settings."""

from __future__ import annotations

import pytest
from eventsourcing.utils import Environment

from adapters.store import StoreTuning, engine_options
from web.server import gunicorn_options
from web.settings import load_settings, store_tuning

TUNING = StoreTuning(lock_timeout_ms=250, statement_timeout_ms=4000, pool_size=3, max_overflow=2)


def test_postgresql_sessions_get_lock_and_statement_timeouts() -> None:
    options = engine_options("postgresql+psycopg://u@h/db", TUNING)

    assert options["connect_args"]["options"] == "-c lock_timeout=250 -c statement_timeout=4000"
    assert (options["pool_size"], options["max_overflow"]) == (3, 2)
    assert "pool_pre_ping" not in options  # pinged only after idling: adapters.store


def test_postgresql_options_given_in_the_url_are_kept() -> None:
    options = engine_options("postgresql+psycopg://u@h/db?options=-csearch_path%3Dt1", TUNING)

    assert options["connect_args"]["options"].startswith("-csearch_path=t1 -c lock_timeout=250")


def test_a_sqlite_file_waits_for_a_busy_writer_as_long_as_the_lock_timeout() -> None:
    assert engine_options("sqlite:///var/x.sqlite3", TUNING) == {"connect_args": {"timeout": 0.25}}
    assert engine_options("sqlite:///:memory:", TUNING) == {}


def test_tuning_travels_through_the_eventsourcing_environment() -> None:
    env = Environment("ScoreTrail", TUNING.as_env())

    assert StoreTuning.from_env(env) == TUNING


def test_settings_from_the_environment_reach_the_tuning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCORETRAIL_DB_LOCK_TIMEOUT_MS", "1234")

    tuning = store_tuning(load_settings({"SCORETRAIL_DB_POOL_SIZE": "7"}))

    assert (tuning.lock_timeout_ms, tuning.pool_size) == (1234, 7)


def test_sqlite_is_served_by_one_process_with_threads() -> None:
    options = gunicorn_options(load_settings({"SCORETRAIL_DATABASE_URL": "sqlite:///x.db"}))

    assert (options["workers"], options["threads"], options["worker_class"]) == (1, 8, "gthread")


def test_postgresql_is_served_by_several_processes() -> None:
    settings = load_settings({"SCORETRAIL_DATABASE_URL": "postgresql+psycopg://u@h/db"})

    options = gunicorn_options(settings)

    assert options["workers"] >= 2
    assert options["threads"] == 4
    assert options["accesslog"] is None  # the app logs each request as JSON itself


def test_explicit_workers_threads_and_address_win() -> None:
    settings = load_settings(
        {
            "SCORETRAIL_DATABASE_URL": "postgresql+psycopg://u@h/db",
            "SCORETRAIL_WORKERS": "3",
            "SCORETRAIL_THREADS": "2",
            "SCORETRAIL_HOST": "0.0.0.0",
            "SCORETRAIL_PORT": "9000",
        }
    )

    options = gunicorn_options(settings)

    assert (options["workers"], options["threads"], options["bind"]) == (3, 2, "0.0.0.0:9000")
