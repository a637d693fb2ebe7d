"""Sign-offs (签字/意见): who signed which version in what capacity, and when it went stale."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from domain.actor import Actor
from domain.errors import SignOffNotPermitted, SignOffRefused

CURRENT, STALE = "current", "stale"
# The three parties to a self-evaluation form, by the role their accounts hold.
UNIT, FINANCE, GROUP = "subject", "reviewer", "evaluator"
# Who may sign in each capacity of the sign-off block (签字及意见): the evaluated unit's own
# accounts (bound to the evaluation's subject), the finance bureau's reviewers, the evaluation
# group's evaluators. A capacity not listed here is refused: the block is a fixed set, and a
# free-text capacity would let any role sign a line a required list may name.
SIGNERS: Mapping[str, str] = MappingProxyType(
    {
        "部门负责人": UNIT,
        "单位意见": UNIT,
        "填报人": UNIT,
        "财政部门归口业务科室": FINANCE,
        "财政部门意见": FINANCE,
        "评价组组长": GROUP,
        "评价组成员": GROUP,
    }
)
CAPACITIES = tuple(SIGNERS)
# Events that move what a signature vouched for: a score, a target value, a figure, the tree.
MOVING_EVENTS = frozenset(
    {"ScoreChanged", "TargetValueRecorded", "DataEntryRecorded", "FrameworkDefined"}
    | {"FundsRecorded", "FundsCorrected"}  # the 项目资金 block's figures
)
# A stale sign-off lists the changes after it up to this many; the count keeps going.
KEPT_CHANGES = 20
MAX_CAPACITY = 60
# The signer's lines of the block: 职务/职称 and 单位 as short text, 联系电话 as a number.
MAX_SIGNER_TEXT = 100
MAX_PHONE = 40
PHONE_CHARACTERS = frozenset("0123456789 +-()")


@dataclass
class SignOff:
    """One signature on one version; `changes` are what was recorded after it."""

    id: str
    actor: str
    role: str
    capacity: str
    opinion: str | None
    version: int
    head_digest: str | None
    signed_at: str
    title: str | None = None
    organization: str | None = None
    phone: str | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)
    change_count: int = 0

    @property
    def status(self) -> str:
        return STALE if self.change_count else CURRENT

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "actor": self.actor,
            "role": self.role,
            "capacity": self.capacity,
            "opinion": self.opinion,
            "version": self.version,
            "head_digest": self.head_digest,
            "signed_at": self.signed_at,
            "title": self.title,
            "organization": self.organization,
            "phone": self.phone,
            "status": self.status,
            "changed_after": [dict(c) for c in self.changes],
            "changes_after": self.change_count,
        }


def visible_text(name: str, given: str | None) -> str:
    """Text trimmed, inner runs of spaces made one, refused when an invisible or control
    character (Unicode category C: U+200B, U+FEFF, U+2060, a tab …) is inside it."""
    raw = given or ""
    inner = raw.strip()
    hidden = sorted({f"U+{ord(ch):04X}" for ch in inner if unicodedata.category(ch)[0] == "C"})
    if hidden:
        raise SignOffRefused(
            f"{name} {raw!r} holds invisible or control characters: {', '.join(hidden)}",
            characters=hidden,
            **{name: raw},
        )
    return " ".join(inner.split())


def check_capacity(capacity: str | None) -> str:
    """A capacity as visible text (see visible_text), at most MAX_CAPACITY characters."""
    text = visible_text("capacity", capacity)
    if not text:
        raise SignOffRefused("a sign-off names the capacity it is given in", field="capacity")
    if len(text) > MAX_CAPACITY:
        raise SignOffRefused(
            f"capacity is {len(text)} characters; at most {MAX_CAPACITY}", capacity=text
        )
    return text


def check_signer_text(name: str, given: str | None) -> str | None:
    """The signer's 职务/职称 or 单位: visible text of at most MAX_SIGNER_TEXT (None when blank)."""
    text = visible_text(name, given)
    if len(text) > MAX_SIGNER_TEXT:
        raise SignOffRefused(
            f"{name} is {len(text)} characters; at most {MAX_SIGNER_TEXT}", **{name: text}
        )
    return text or None


def check_phone(phone: str | None) -> str | None:
    """A 联系电话: digits, spaces, +, - and parentheses, at most MAX_PHONE (None when blank)."""
    text = visible_text("phone", phone)
    others = sorted({ch for ch in text if ch not in PHONE_CHARACTERS})
    if others:
        raise SignOffRefused(
            f"phone {text!r} holds {', '.join(others)}: a phone number has only digits, "
            "spaces, +, - and parentheses",
            phone=text,
            characters=others,
        )
    if len(text) > MAX_PHONE:
        raise SignOffRefused(f"phone is {len(text)} characters; at most {MAX_PHONE}", phone=text)
    if text and not any(ch.isdigit() for ch in text):
        raise SignOffRefused(f"phone {text!r} has no digit", phone=text)
    return text or None


def check_known(capacity: str | None) -> str:
    """A visible capacity of the sign-off block (see SIGNERS); any other is refused."""
    text = check_capacity(capacity)
    if text not in SIGNERS:
        raise SignOffRefused(
            f"capacity {text} is not in the sign-off block; use one of {', '.join(CAPACITIES)}",
            capacity=text,
            capacities=list(CAPACITIES),
        )
    return text


def check_signer(capacity: str | None, by: Actor, subject: str) -> str:
    """Only the capacity's party signs in it; the unit's accounts only for their own subject."""
    text = check_known(capacity)
    party = SIGNERS[text]
    if by.role != party or (party == UNIT and by.subject != subject):
        raise SignOffNotPermitted(
            f"{by.name} ({by.role}) may not sign as {text}: only {party} accounts"
            + (" of the evaluated unit" if party == UNIT else "")
            + " sign in that capacity",
            capacity=text,
            role=by.role,
            actor=by.name,
            party=party,
        )
    return text


def capacities_of(role: str) -> list[str]:
    """The capacities a role signs in, in the block's order (none for auditors and admins)."""
    return [capacity for capacity, party in SIGNERS.items() if party == role]


def check_required(capacities: list[str] | None) -> list[str]:
    """Required capacities of the sign-off block, each named once, in the order given."""
    seen: list[str] = []
    for capacity in capacities or []:
        name = check_known(capacity)
        if name not in seen:
            seen.append(name)
    return seen


def change_indicator(event_type: str, data: dict[str, Any] | None) -> str | None:
    """The indicator a moving change is about (None for data entries and the framework)."""
    if event_type in ("ScoreChanged", "TargetValueRecorded") and data:
        code = data.get("code")
        return None if code is None else str(code)
    return None


def note_change(
    sign_offs: Mapping[str, SignOff], version: int, event_type: str, indicator: str | None
) -> None:
    """Mark every sign-off older than this change as stale (called from apply bodies)."""
    for sign_off in sign_offs.values():
        if sign_off.version < version:
            sign_off.change_count += 1
            if len(sign_off.changes) < KEPT_CHANGES:
                sign_off.changes.append(
                    {"version": version, "type": event_type, "indicator": indicator}
                )


def missing_capacities(required: tuple[str, ...], sign_offs: Mapping[str, SignOff]) -> list[str]:
    """Required capacities without a current sign-off."""
    current = {s.capacity for s in sign_offs.values() if s.status == CURRENT}
    return [c for c in required if c not in current]


def check_signed(required: tuple[str, ...], sign_offs: Mapping[str, SignOff]) -> None:
    """Finalization waits until each required capacity has a current sign-off."""
    missing = missing_capacities(required, sign_offs)
    if missing:
        stale = sorted(
            {s.capacity for s in sign_offs.values() if s.status == STALE and s.capacity in missing}
        )
        detail = f"finalization waits for current sign-offs by: {', '.join(missing)}"
        if stale:
            detail += f" (changed after sign-off: {', '.join(stale)})"
        raise SignOffRefused(detail, missing=missing, stale=stale)
