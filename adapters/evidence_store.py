"""Where evidence bytes live: a directory of files named by hash, or a table of blobs."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import Column, LargeBinary, MetaData, String, Table, select
from sqlalchemy.exc import IntegrityError

blob_metadata = MetaData()
# Not a read model: never dropped or rebuilt (bytea on PostgreSQL, BLOB on SQLite).
evidence_blobs = Table(
    "evidence_blobs",
    blob_metadata,
    Column("sha256", String(64), primary_key=True),
    Column("content", LargeBinary, nullable=False),
)


class DirectoryBlobStore:
    """Files under `root/ab/abcdef…` (by SHA-256), written once and made read-only."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, sha256: str, content: bytes) -> None:
        target = self.path(sha256)
        if target.exists():
            return  # same hash, same bytes: never overwritten
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o444)
            with contextlib.suppress(FileExistsError):  # another upload got there first
                os.link(temporary, target)
        finally:
            os.unlink(temporary)

    def get(self, sha256: str) -> bytes | None:
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            return None


class SqlBlobStore:
    """Blobs in the database the events live in, one row per hash."""

    def __init__(self, datastore: SQLAlchemyDatastore) -> None:
        self.datastore = datastore
        assert datastore.engine is not None
        blob_metadata.create_all(datastore.engine)

    def put(self, sha256: str, content: bytes) -> None:
        if self.get(sha256) is not None:
            return
        # stored meanwhile by another upload of the same bytes: nothing to do
        with contextlib.suppress(IntegrityError), self.datastore.transaction(commit=True) as s:
            s.execute(evidence_blobs.insert().values(sha256=sha256, content=content))

    def get(self, sha256: str) -> bytes | None:
        with self.datastore.transaction(commit=False) as session:
            value = session.execute(
                select(evidence_blobs.c.content).where(evidence_blobs.c.sha256 == sha256)
            ).scalar()
        return None if value is None else bytes(value)


def blob_store_for(
    datastore: SQLAlchemyDatastore, database_url: str, directory: str | None
) -> DirectoryBlobStore | SqlBlobStore:
    """A configured directory; else a directory beside a SQLite file; else the database."""
    if directory:
        return DirectoryBlobStore(Path(directory))
    if database_url.startswith("sqlite:///") and ":memory:" not in database_url:
        database = Path(database_url.removeprefix("sqlite:///"))
        return DirectoryBlobStore(database.parent / "evidence")
    return SqlBlobStore(datastore)
