"""Commands on evidence files (佐证材料): attach one by its content hash."""

from __future__ import annotations

from domain.actor import Actor
from domain.evidence import check_file
from domain.state import EvaluationState


class EvidenceCommands(EvaluationState):
    """Attaching files; evidence lists then cite them by id (see `check_evidence`)."""

    def attach_evidence(
        self, evidence_id: str, name: str, media_type: str, size: int, sha256: str, by: Actor
    ) -> None:
        """Record an uploaded file by its hash; evidence lists may then cite it by id."""
        self.check_open()
        check_file(evidence_id, name, media_type, size, sha256, self.attached_files())
        self._evidence_attached(
            evidence_id=evidence_id,
            name=name.strip(),
            media_type=media_type,
            size=size,
            sha256=sha256,
            meta=by.as_meta(),
        )
