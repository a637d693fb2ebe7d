"""Transcoder that also accepts subclasses of registered types (e.g. test clocks' datetimes)."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding, TranscodingNotRegisteredError

from domain.disputes import Dispute, Disputes
from domain.framework import Indicator
from domain.leaf import LeafScore, LeafState, Override
from domain.ledger import DataEntry, Deduction
from domain.methods.checklist import Checklist
from domain.methods.manual import ManualScore
from domain.methods.survey import Tallies
from domain.review import ReviewNote
from domain.signoffs import SignOff
from domain.targets.values import TargetState, TargetValue


class SubclassAwareTranscoder(JSONTranscoder):
    """Look registered transcodings up along the object's MRO, not only its exact type."""

    def __init__(self) -> None:
        super().__init__()
        # the library's encoder with our lookup as its fallback (same options as the library's)
        self.encoder = json.JSONEncoder(
            default=self.encode_registered, separators=(",", ":"), ensure_ascii=False
        )

    def encode_registered(self, o: Any) -> dict[str, Any]:
        for cls in type(o).__mro__:
            transcoding: Transcoding | None = self.types.get(cls)
            if transcoding is not None:
                return {"_type_": transcoding.name, "_data_": transcoding.encode(o)}
        raise TranscodingNotRegisteredError(
            f"Object of type {type(o)} is not serializable: register a transcoding for it"
        )


class DataclassAsDict(Transcoding):
    """A dataclass as its fields (shallow: nested values go through the transcoder again)."""

    type: type
    name: str

    def encode(self, obj: Any) -> dict[str, Any]:
        return {f.name: getattr(obj, f.name) for f in fields(obj)}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


class IndicatorAsDict(DataclassAsDict):
    """Indicators keep tuples, which JSON turns into lists: restore them on the way back."""

    type = Indicator
    name = "indicator"

    def decode(self, data: dict[str, Any]) -> Indicator:
        return Indicator(
            **{
                **data,
                "items": tuple(tuple(i) for i in data["items"]),
                "choices": tuple(tuple(c) for c in data["choices"]),
                "children": tuple(data["children"]),
            }
        )


class LeafScoreAsDict(DataclassAsDict):
    type = LeafScore
    name = "leafscore"

    def decode(self, data: dict[str, Any]) -> LeafScore:
        return LeafScore(**{**data, "rates": tuple(data["rates"])})


class ChecklistAsDict(DataclassAsDict):
    type = Checklist
    name = "checklist"

    def decode(self, data: dict[str, Any]) -> Checklist:
        return Checklist(**{**data, "met": tuple(data["met"])})


class TalliesAsDict(DataclassAsDict):
    type = Tallies
    name = "tallies"

    def decode(self, data: dict[str, Any]) -> Tallies:
        return Tallies(**{**data, "counts": tuple(tuple(q) for q in data["counts"])})


class DisputesAsDict(Transcoding):
    type = Disputes
    name = "disputes"

    def encode(self, obj: Disputes) -> dict[str, Any]:
        return {"items": obj.by_id}

    def decode(self, data: dict[str, Any]) -> Disputes:
        return Disputes(data["items"])


class LegacyLeafState:
    """Never built: names the leaf state of first-version snapshots for decoding only."""


class LegacyLeafStateAsDict(Transcoding):
    """First-version snapshots stored 19-field leaves: decode them as dicts for the upcaster."""

    type = LegacyLeafState
    name = "leafstate"

    def encode(self, obj: Any) -> dict[str, Any]:
        raise TypeError("leaf states are no longer stored in the first shape")

    def decode(self, data: dict[str, Any]) -> dict[str, Any]:
        return data


def domain_transcodings() -> list[Transcoding]:
    """Transcodings for the aggregate's value objects, so snapshots can store them."""
    simple = [
        type(f"{cls.__name__}AsDict", (DataclassAsDict,), {"type": cls, "name": name})
        for cls, name in (
            (LeafState, "leaf"),
            (Override, "override"),
            (ManualScore, "manualscore"),
            (Deduction, "deduction"),
            (DataEntry, "dataentry"),
            (Dispute, "dispute"),
            (ReviewNote, "reviewnote"),
            (TargetState, "targetstate"),
            (TargetValue, "targetvalue"),
            (SignOff, "signoff"),
        )
    ]
    return [
        IndicatorAsDict(),
        LeafScoreAsDict(),
        ChecklistAsDict(),
        TalliesAsDict(),
        DisputesAsDict(),
        LegacyLeafStateAsDict(),
        *(t() for t in simple),
    ]
