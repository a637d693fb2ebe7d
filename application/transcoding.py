"""Transcoder that also accepts subclasses of registered types (e.g. test clocks' datetimes)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.evaluation import DataEntry, Deduction, LeafState
from domain.framework import Indicator
from domain.review import Dispute, ReviewNote
from domain.signoffs import SignOff
from domain.targets.values import TargetState, TargetValue


class SubclassAwareTranscoder(JSONTranscoder):
    """Look registered transcodings up along the object's MRO, not only its exact type."""

    def _encode_obj(self, o: Any) -> dict[str, Any]:
        for cls in type(o).__mro__:
            transcoding: Transcoding | None = self.types.get(cls)
            if transcoding is not None:
                return {"_type_": transcoding.name, "_data_": transcoding.encode(o)}
        return super()._encode_obj(o)


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


def domain_transcodings() -> list[Transcoding]:
    """Transcodings for the aggregate's value objects, so snapshots can store them."""
    simple = [
        type(
            f"{cls.__name__}AsDict", (DataclassAsDict,), {"type": cls, "name": cls.__name__.lower()}
        )
        for cls in (
            LeafState,
            Deduction,
            DataEntry,
            Dispute,
            ReviewNote,
            TargetState,
            TargetValue,
            SignOff,
        )
    ]
    return [IndicatorAsDict(), *(t() for t in simple)]
