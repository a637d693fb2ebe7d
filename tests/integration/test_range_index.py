"""Each store's as-of index: the interval tree's on SQLite, a GiST range index on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, inspect, make_url, text

from adapters.bootstrap import build_service
from adapters.history_tables import HISTORY_TABLES
from adapters.range_index import RangeIndexUnavailable
from benchmarks.stores import in_schema
from tests.integration.conftest import dispose


def history_indexes(url: str) -> dict[str, dict[str, str]]:
    """Each history table's indexes but its key: name → access method."""
    engine = create_engine(url)
    try:
        found = inspect(engine)
        return {
            table.name: {
                str(index["name"]): str(
                    index.get("dialect_options", {}).get("postgresql_using", "btree")
                )
                for index in found.get_indexes(table.name)
            }
            for table in HISTORY_TABLES
        }
    finally:
        engine.dispose()


def test_the_history_tables_carry_the_interval_tree_on_sqlite_and_a_gist_range_index_on_postgresql(
    store_url: str,
) -> None:
    dispose(build_service(store_url))
    for name, indexes in history_indexes(store_url).items():
        if store_url.startswith("sqlite"):
            assert indexes == {f"{name}_lower_idx": "btree", f"{name}_upper_idx": "btree"}
        else:  # nothing reads the interval tree's there
            assert indexes == {f"{name}_range_idx": "gist"}


@contextmanager
def fresh_database(server: str) -> Iterator[str]:
    """A database of its own on the server (no btree_gist in it), dropped afterwards."""
    name = f"st_range_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(server), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def extension_schema(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                text(
                    "SELECT extnamespace::regnamespace::text FROM pg_extension"
                    " WHERE extname = 'btree_gist'"
                )
            ).scalar()
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_store_makes_btree_gist_in_public_so_dropping_another_stores_schema_keeps_its_index(
    postgres_server: str,
) -> None:
    with fresh_database(postgres_server) as database:
        stores = {}
        engine = create_engine(database)
        try:
            for schema in ("first", "second"):
                with engine.begin() as connection:
                    connection.execute(text(f"CREATE SCHEMA {schema}"))
                stores[schema] = in_schema(database, schema)
                dispose(build_service(stores[schema]))  # each with only its schema to search
            assert extension_schema(database) == "public"
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA first CASCADE"))
        finally:
            engine.dispose()
        assert extension_schema(database) == "public"
        for name, indexes in history_indexes(stores["second"]).items():
            assert indexes == {f"{name}_range_idx": "gist"}


@pytest.mark.postgres
def test_a_store_whose_user_cannot_make_btree_gist_does_not_start_and_says_what_to_run(
    postgres_server: str,
) -> None:
    role = f"st_range_{uuid.uuid4().hex[:10]}"
    try:
        # the database goes first (its connections with it), then the role that owned a
        # schema in it
        with fresh_database(postgres_server) as database:
            engine = create_engine(database)
            try:
                with engine.begin() as connection:
                    connection.execute(text(f"CREATE ROLE {role} LOGIN"))
                    connection.execute(text(f"CREATE SCHEMA AUTHORIZATION {role}"))
                # the role owns its schema but may not create extensions in the database
                as_role = make_url(database).set(username=role).render_as_string(False)
                with pytest.raises(RangeIndexUnavailable) as refused:
                    build_service(in_schema(as_role, role))
                message = str(refused.value)
                assert "btree_gist" in message and "CREATE EXTENSION btree_gist;" in message
                assert len(message.splitlines()) == 1  # the start-up error's line says it all
                assert extension_schema(database) is None
                made = set(inspect(engine).get_table_names(schema=role))
                assert not made & {t.name for t in HISTORY_TABLES}
            finally:
                engine.dispose()
    finally:
        admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f"DROP ROLE IF EXISTS {role}"))
        finally:
            admin.dispose()
