"""Where evidence bytes live: a directory of files named by hash, or a table of blobs."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import Column, LargeBinary, MetaData, String, Table, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from adapters.setup import create_missing

blob_metadata = MetaData()
# Not a read model: never dropped or rebuilt (bytea on PostgreSQL, BLOB on SQLite).
evidence_blobs = Table(
    "evidence_blobs",
    blob_metadata,
    Column("sha256", String(64), primary_key=True),
    Column("content", LargeBinary, nullable=False),
)


class DirectoryBlobStore:
    """Files under `root/ab/abcdef…` (by SHA-256), written once and made read-only; a file
    whose bytes no longer hash to its name is replaced by the next upload of the genuine ones."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, sha256: str, content: bytes) -> None:
        target = self.path(sha256)
        if _holds(target, sha256):
            return  # same hash, same bytes: never rewritten
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o444)
            # atomic: a reader sees the old file or the whole new one, never a part
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

    def get(self, sha256: str) -> bytes | None:
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            return None


def _holds(path: Path, sha256: str) -> bool:
    """Does the file exist with bytes that hash to `sha256`?"""
    try:
        with path.open("rb") as stored:
            return hashlib.file_digest(stored, "sha256").hexdigest() == sha256
    except FileNotFoundError:
        return False


class SqlBlobStore:
    """Blobs in the database the events live in, one row per hash. Inside a unit of work the
    row is written in its transaction, so it commits or rolls back with the upload's event."""

    def __init__(self, datastore: SQLAlchemyDatastore) -> None:
        self.datastore = datastore
        assert datastore.engine is not None
        create_missing(datastore.engine, blob_metadata)  # type: ignore[arg-type]

    def put(self, sha256: str, content: bytes) -> None:
        with self.datastore.transaction(commit=True) as session:
            found = session.execute(
                select(evidence_blobs.c.content).where(evidence_blobs.c.sha256 == sha256)
            ).scalar()
            if found is None:
                # another upload of the same bytes may insert it meanwhile: theirs stands
                dialect = session.get_bind().dialect.name
                insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
                session.execute(
                    insert(evidence_blobs)
                    .values(sha256=sha256, content=content)
                    .on_conflict_do_nothing(index_elements=["sha256"])
                )
            elif hashlib.sha256(bytes(found)).hexdigest() != sha256:
                session.execute(
                    update(evidence_blobs)
                    .where(evidence_blobs.c.sha256 == sha256)
                    .values(content=content)
                )

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
