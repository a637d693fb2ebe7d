"""Throw-away stores: a fresh PostgreSQL schema, or a SQLite file."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def in_schema(url: str, schema: str) -> str:
    """The URL with every connection's search_path set to `schema` (tables land there)."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


@contextmanager
def postgres_schema(url: str, *, keep: bool = False, prefix: str = "st") -> Iterator[str]:
    """A new schema in the database at `url`, dropped afterwards (unless `keep`); yields
    the URL that uses it. Stores in separate schemas share nothing, not even lock keys."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield in_schema(url, schema)
    finally:
        if not keep:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def sqlite_file(folder: str | Path) -> Iterator[str]:
    """A SQLite file URL in `folder`."""
    yield f"sqlite:///{Path(folder) / 'scoretrail.sqlite3'}"
