"""Who may do what: the roles, the actions each grants (the one permission table), scopes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from application.errors import EvaluationNotFound, Forbidden


class Action(StrEnum):
    """What a request does, independent of the route that does it."""

    CREATE = "create"  # open evaluations
    READ = "read"  # documents, indicator histories, disputes
    READ_TRAIL = "read-trail"  # the full event history and review notes
    RECORD = "record"  # framework, data entries, scores, deductions, withdrawals
    SUBMIT = "submit"  # hand the scored draft to the evaluated unit
    TRANSITION = "transition"  # finalize, reopen
    DISPUTE = "dispute"  # raise disputes
    ATTACH = "attach"  # upload evidence files
    DECIDE = "decide"  # decide disputes
    NOTE = "note"  # attach and resolve review notes
    SIGN = "sign"  # sign off a version of the evaluation in a capacity
    MANAGE_TOKENS = "manage-tokens"  # issue, list and revoke API tokens
    MANAGE_WEBHOOKS = "manage-webhooks"  # register, list and remove webhook receivers


EVALUATOR, REVIEWER, SUBJECT = "evaluator", "reviewer", "subject"
AUDITOR, ADMIN = "auditor", "admin"

A = Action
# The permission table: a role may do exactly the actions listed for it.
PERMISSIONS: Mapping[str, frozenset[Action]] = MappingProxyType(
    {
        # an evaluator scores the draft and hands it to the unit; a reviewer closes it
        EVALUATOR: frozenset(
            {A.CREATE, A.READ, A.READ_TRAIL, A.RECORD, A.ATTACH, A.SIGN, A.SUBMIT}
        ),
        REVIEWER: frozenset(
            {
                A.READ,
                A.READ_TRAIL,
                A.RECORD,
                A.SUBMIT,
                A.TRANSITION,
                A.DISPUTE,
                A.DECIDE,
                A.NOTE,
                A.ATTACH,
                A.SIGN,
            }
        ),
        # a unit uploads the evidence its disputes cite, and gives its opinion (单位意见)
        # by signing
        SUBJECT: frozenset({A.READ, A.DISPUTE, A.ATTACH, A.SIGN}),
        AUDITOR: frozenset({A.READ, A.READ_TRAIL}),
        # Managing credentials grants no access to evaluations: an admin who must read
        # issues an auditor token, which leaves a trace in the token table.
        # A receiver gets every event: registering one leaves a trace in the webhook table.
        ADMIN: frozenset({A.MANAGE_TOKENS, A.MANAGE_WEBHOOKS}),
    }
)
ROLES = tuple(PERMISSIONS)
# Roles bound to one subject: they see that subject's evaluations only.
SCOPED_ROLES = frozenset({SUBJECT})


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: the name recorded on events, the role, the subject scope."""

    name: str
    role: str
    subject: str | None = None
    token_id: str | None = None

    def may(self, action: Action) -> bool:
        return action in PERMISSIONS.get(self.role, frozenset())

    @property
    def scoped(self) -> bool:
        return self.role in SCOPED_ROLES


class AccessControl:
    """Checks a principal against the permission table and its subject scope."""

    def __init__(self, subject_of: Callable[[str], str | None]) -> None:
        self.subject_of = subject_of

    def authorize(
        self, principal: Principal, action: Action, evaluation_id: str | None = None
    ) -> None:
        """Forbidden when the role lacks the action; not found when out of the subject scope.

        The role is checked first, so a refusal says nothing about which evaluations exist.
        """
        if not principal.may(action):
            raise Forbidden(
                f"the role {principal.role} does not allow {action.value}",
                role=principal.role,
                action=action.value,
            )
        if evaluation_id is not None and principal.scoped:
            subject = self.subject_of(evaluation_id)
            if subject is None or subject != principal.subject:
                raise EvaluationNotFound(f"evaluation {evaluation_id} does not exist")

    @staticmethod
    def scope_filters(principal: Principal, filters: dict[str, Any]) -> dict[str, Any] | None:
        """List filters narrowed to what the principal may see; None when nothing can match."""
        if not principal.scoped:
            return filters
        wanted = filters.get("subject")
        if wanted is not None and wanted != principal.subject:
            return None
        return {**filters, "subject": principal.subject}
