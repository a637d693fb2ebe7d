"""Evidence files: upload by content hash, download, and re-hashing what is stored."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from application.errors import EvidenceChanged, EvidenceTooLarge, EvidenceTypeRefused
from application.service import EvaluationService
from domain.errors import UnknownEvidence
from domain.evaluation import Actor

T = TypeVar("T")
# Shown in the browser when opened: types a browser renders without running what they carry.
INLINE_MEDIA_TYPES = frozenset(
    {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}
)


@dataclass(frozen=True)
class Upload:
    """A file as a form sent it: the name its sender gave it, its declared type, its bytes."""

    name: str
    media_type: str
    content: bytes


# Types an evaluation's evidence usually comes in: scans and photos, office documents,
# plain text, archives and OFD (the national e-invoice and e-document format).
DEFAULT_MEDIA_TYPES = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/tiff",
    "text/plain",
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/msword",
    "application/zip",
    "application/ofd",
)


class BlobStore(Protocol):
    """Content-addressed bytes: put keeps what a hash already holds when those bytes still
    hash to it, and replaces them (atomically) when they were changed."""

    def put(self, sha256: str, content: bytes) -> None: ...

    def get(self, sha256: str) -> bytes | None: ...


@dataclass(frozen=True)
class EvidenceLimits:
    """The largest file accepted and the media types taken."""

    max_bytes: int = 20 * 1024 * 1024
    media_types: tuple[str, ...] = DEFAULT_MEDIA_TYPES

    def too_large(self, what: str, size: int) -> EvidenceTooLarge:
        """The refusal of `what` ("the file", "the upload") of `size` bytes."""
        return EvidenceTooLarge(
            f"{what} has {size} bytes; evidence files are accepted up to "
            f"{self.max_bytes} bytes ({readable_size(self.max_bytes)})",
            size=size,
            limit=self.max_bytes,
        )


def readable_size(count: int) -> str:
    """A byte count as people write it: 20 MB, 512 KB, 1000 bytes."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if count >= scale:
            return f"{count / scale:.4g} {unit}"
    return f"{count} bytes"


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class EvidenceFiles:
    """Uploads recorded as EvidenceAttached events (hash, name, type, size), bytes in a blob
    store keyed by the hash, so the chain over the events covers the content."""

    def __init__(
        self, service: EvaluationService, blobs: BlobStore, limits: EvidenceLimits | None = None
    ) -> None:
        self.service = service
        self.blobs = blobs
        self.limits = limits or EvidenceLimits()

    def check_upload(self, media_type: str, size: int) -> None:
        """413 past the size limit, 415 for a type not taken."""
        if size > self.limits.max_bytes:
            raise self.limits.too_large("the file", size)
        if media_type not in self.limits.media_types:
            raise EvidenceTypeRefused(
                f"files of type {media_type} are not accepted as evidence",
                media_type=media_type,
                accepted=list(self.limits.media_types),
            )

    def upload(
        self,
        evaluation_id: str,
        *,
        name: str,
        media_type: str,
        content: bytes,
        by: Actor,
        expected_version: int | None = None,
    ) -> dict[str, Any]:
        """Store the bytes (kept once per hash), then record the file on the evaluation."""
        self.check_upload(media_type, len(content))
        digest = sha256_of(content)
        evidence_id = str(uuid.uuid4())
        size = len(content)

        def attach(evaluation: Any) -> None:
            evaluation.attach_evidence(evidence_id, name, media_type, size, digest, by)
            # Stored once the evaluation took the file, after every check (404, 412, the
            # domain's), inside the same unit of work: a refused upload stores nothing, and
            # no blob is ever removed (another file record may cite the same bytes). A
            # commit that fails after this leaves at most an unreferenced blob.
            self.blobs.put(digest, content)

        self.service.change(evaluation_id, attach, expected_version)
        return {
            "id": evidence_id,
            "name": name.strip(),
            "media_type": media_type,
            "size": size,
            "sha256": digest,
        }

    def citing(
        self,
        evaluation_id: str,
        file: Upload | None,
        cited: list[dict[str, Any]] | None,
        record: Callable[[list[dict[str, Any]] | None], T],
        *,
        by: Actor,
    ) -> T:
        """Upload `file` and run `record` with the evidence list that cites it, in one unit of
        work: a record the domain refuses leaves no file attached. Without a file, `record`
        gets `cited` as it is. The file is cited by its id, with the typed title (or its
        name) and locator."""
        if file is None:
            return record(cited)
        with self.service.unit_of_work.transaction():
            stored = self.upload(
                evaluation_id,
                name=file.name,
                media_type=file.media_type,
                content=file.content,
                by=by,
            )
            first = (cited or [{}])[0]
            title = first.get("title") or stored["name"]
            citation = {"id": stored["id"], "title": title, "locator": first.get("locator")}
            return record([citation])

    def listing(self, evaluation_id: str, version: int | None = None) -> list[dict[str, Any]]:
        """Every file attached to the evaluation (at a version), in upload order."""
        evaluation = self.service._get(evaluation_id, version)
        return [{"id": key, **value} for key, value in evaluation.attached_files().items()]

    def download(self, evaluation_id: str, evidence_id: str) -> tuple[dict[str, Any], bytes]:
        """The file's record and its bytes, re-hashed: altered bytes are never served."""
        found = {f["id"]: f for f in self.listing(evaluation_id)}.get(evidence_id)
        if found is None:
            raise UnknownEvidence(f"evidence file {evidence_id} does not exist", id=evidence_id)
        problem = self._problem(found)
        if problem is not None:
            raise EvidenceChanged(problem, id=evidence_id, sha256=found["sha256"])
        content = self.blobs.get(found["sha256"])
        assert content is not None
        return found, content

    def check(self, evaluation_id: str) -> dict[str, Any]:
        """Re-hash every stored file of the evaluation; names the first missing or changed."""
        files = self.listing(evaluation_id)
        for file in files:
            problem = self._problem(file)
            if problem is not None:
                return {"ok": False, "checked": len(files), "file": file, "problem": problem}
        return {"ok": True, "checked": len(files), "file": None, "problem": None}

    def _problem(self, file: dict[str, Any]) -> str | None:
        content = self.blobs.get(file["sha256"])
        if content is None:
            return f"evidence file {file['name']} ({file['id']}) is missing from the store"
        if sha256_of(content) != file["sha256"]:
            return (
                f"evidence file {file['name']} ({file['id']}) was changed: its bytes no longer "
                f"hash to the recorded sha256 {file['sha256']}"
            )
        return None
