"""Browser sessions in SQL: started by a token, ended by sign-out, expiry or the token's revocation;
and the dispute queue across evaluations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun import freeze_time
from sqlalchemy import func, select

from adapters.bootstrap import (
    build_review_service,
    build_service,
    build_token_service,
    datastore_of,
)
from adapters.sessions import SqlSessionStore, ui_sessions
from application.sessions import SessionService
from domain.evaluation import Actor
from tests.cases import SUBJECT, small_case

EVA = Actor("eva", "evaluator", "c1")
REX = Actor("rex", "reviewer", "c2")
UNIT = Actor("unit", "subject", "c3")
NOON = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOON

    def __call__(self) -> datetime:
        return self.now


def sessions_on(url: str) -> tuple[SessionService, Clock]:
    service = build_service(url)
    tokens = build_token_service(service)
    clock = Clock()
    return SessionService(SqlSessionStore(datastore_of(service)), tokens, clock), clock


def test_a_valid_token_starts_a_session_that_carries_its_identity_and_csrf_token(
    store_url: str,
) -> None:
    sessions, _ = sessions_on(store_url)
    _, secret = sessions.tokens.create("人社局联络员", "subject", SUBJECT)
    cookie = sessions.start(secret)
    assert cookie is not None and cookie != secret
    signed = sessions.resolve(cookie)
    assert signed is not None
    assert (signed.principal.name, signed.principal.role) == ("人社局联络员", "subject")
    assert signed.principal.subject == SUBJECT
    assert len(signed.csrf_token) >= 32
    assert sessions.resolve(sessions.start(secret)).csrf_token != signed.csrf_token  # type: ignore[union-attr]


def test_an_unknown_token_starts_no_session(store_url: str) -> None:
    sessions, _ = sessions_on(store_url)
    assert sessions.start("st_" + "x" * 43) is None
    assert sessions.start("") is None
    assert sessions.resolve("made-up") is None


def test_revoking_the_token_ends_its_sessions_at_once(store_url: str) -> None:
    sessions, _ = sessions_on(store_url)
    _, secret = sessions.tokens.create("李复核", "reviewer")
    cookie = sessions.start(secret)
    sessions.tokens.revoke("李复核")
    assert sessions.resolve(cookie) is None


def test_a_session_ends_on_sign_out_and_after_its_lifetime(store_url: str) -> None:
    sessions, clock = sessions_on(store_url)
    _, secret = sessions.tokens.create("审计员", "auditor")
    first, second = sessions.start(secret), sessions.start(secret)
    sessions.end(first)
    assert sessions.resolve(first) is None
    assert sessions.resolve(second) is not None
    clock.now = NOON + sessions.lifetime - timedelta(seconds=1)
    assert sessions.resolve(second) is not None
    clock.now = NOON + sessions.lifetime
    assert sessions.resolve(second) is None


def test_the_dispute_queue_spans_evaluations_and_narrows_to_a_subject(store_url: str) -> None:
    service = build_service(store_url)
    reviews = build_review_service(service)
    ids = []
    for subject in (SUBJECT, "另一个被评价单位"):
        document = service.import_evaluation(small_case(subject), EVA).document()
        service.submit(document["id"], by=REX)
        deduction = document["indicators"][1]["deductions"][0]["id"]
        reviews.raise_dispute(document["id"], deduction_id=deduction, grounds="有异议", by=UNIT)
        ids.append(document["id"])
    reviews.raise_dispute(ids[0], indicator="2.2", grounds="样本少", by=UNIT)

    queue = reviews.queue("open")["items"]
    assert [d["evaluation_id"] for d in queue] == [ids[0], ids[1], ids[0]]
    assert queue[0]["deduction"] == {
        "points": "2.00",
        "reason": "立项论证材料不完整",
        "recorded_by": "eva",
    }
    assert queue[2]["deduction"] is None
    assert {d["subject"] for d in reviews.queue("open", SUBJECT)["items"]} == {SUBJECT}
    assert reviews.queue("decided")["items"] == []


def stored_sessions(sessions: SessionService) -> int:
    store = sessions.store
    assert isinstance(store, SqlSessionStore)
    with store.datastore.transaction(commit=False) as session:
        return int(session.execute(select(func.count()).select_from(ui_sessions)).scalar_one())


def test_signing_in_purges_sessions_past_their_lifetime(store_url: str) -> None:
    service = build_service(store_url)
    tokens = build_token_service(service)
    with freeze_time(NOON) as frozen:
        sessions = SessionService(SqlSessionStore(datastore_of(service)), tokens)
        _, secret = tokens.create("审计员", "auditor")
        expired = [sessions.start(secret) for _ in range(3)]
        frozen.tick(sessions.lifetime / 2)
        live = sessions.start(secret)
        frozen.tick(sessions.lifetime / 2)  # the first three just expired, the fourth not yet

        fresh = sessions.start(secret)

        assert stored_sessions(sessions) == 2
        assert all(sessions.resolve(cookie) is None for cookie in expired)
        assert sessions.resolve(live) is not None and sessions.resolve(fresh) is not None


def test_each_sign_in_purges_a_bounded_batch_of_expired_sessions(store_url: str) -> None:
    service = build_service(store_url)
    tokens = build_token_service(service)
    with freeze_time(NOON) as frozen:
        sessions = SessionService(SqlSessionStore(datastore_of(service)), tokens, purge_batch=2)
        _, secret = tokens.create("审计员", "auditor")
        for _ in range(5):
            sessions.start(secret)
        frozen.tick(sessions.lifetime)

        sessions.start(secret)
        assert stored_sessions(sessions) == 5 - 2 + 1
        sessions.start(secret)
        sessions.start(secret)
        assert stored_sessions(sessions) == 3  # every expired one gone, the three live kept
