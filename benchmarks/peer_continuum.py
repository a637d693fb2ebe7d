"""The peer's side of the peer benchmark: the same workload on SQLAlchemy-Continuum.

Runs in its own environment (the peer needs a newer SQLAlchemy than ScoreTrail), driven by
`benchmarks.peer` over stdin/stdout, one JSON object a line; it imports nothing of ours.
The model is what a Flask + SQLAlchemy developer would write: an evaluation, its indicators
and their deductions as versioned tables; each command one transaction that writes the
deduction, the indicator's score and the evaluation's total.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy_continuum import make_versioned, version_class

make_versioned(user_cls=None)


class Base(DeclarativeBase):
    pass


class PeerEvaluation(Base):
    __versioned__: ClassVar[dict[str, Any]] = {}
    __tablename__ = "peer_evaluation"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    total: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))


class PeerIndicator(Base):
    __versioned__: ClassVar[dict[str, Any]] = {}
    __tablename__ = "peer_indicator"
    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(sa.ForeignKey("peer_evaluation.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    weight: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    score: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))


class PeerDeduction(Base):
    __versioned__: ClassVar[dict[str, Any]] = {}
    __tablename__ = "peer_deduction"
    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(sa.ForeignKey("peer_evaluation.id"), index=True)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("peer_indicator.id"), index=True)
    points: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    reason: Mapped[str] = mapped_column(sa.String(500))
    status: Mapped[str] = mapped_column(sa.String(20))


sa.orm.configure_mappers()
EvaluationVersion = version_class(PeerEvaluation)
IndicatorVersion = version_class(PeerIndicator)
DeductionVersion = version_class(PeerDeduction)
Transaction = IndicatorVersion.transaction.property.mapper.class_  # the peer's own table


class Peer:
    """One evaluation of `leaves` leaves, changed one transaction at a time."""

    def __init__(self, url: str, leaves: int, weight: str) -> None:
        self.engine = sa.create_engine(url)
        Base.metadata.create_all(self.engine)
        with Session(self.engine) as session, session.begin():
            evaluation = PeerEvaluation(title="peer", total=Decimal(weight) * leaves)
            session.add(evaluation)
            session.flush()
            self.evaluation_id = evaluation.id
            nodes = [
                PeerIndicator(
                    evaluation_id=evaluation.id,
                    code=f"L{n + 1:02d}",
                    weight=Decimal(weight),
                    score=Decimal(weight),
                )
                for n in range(leaves)
            ]
            session.add_all(nodes)
            session.flush()
            self.indicator_ids = [node.id for node in nodes]
        self.op = 0
        self.open: tuple[int, int] | None = None  # (deduction id, indicator id)
        self.marks: dict[str, datetime] = {}

    def _rescore(self, session: Session, indicator: PeerIndicator) -> None:
        taken = session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(PeerDeduction.points), 0)).where(
                PeerDeduction.indicator_id == indicator.id, PeerDeduction.status == "active"
            )
        )
        indicator.score = max(Decimal(0), indicator.weight - Decimal(taken))
        evaluation = session.get(PeerEvaluation, self.evaluation_id)
        assert evaluation is not None
        session.flush()
        evaluation.total = session.scalar(
            sa.select(sa.func.sum(PeerIndicator.score)).where(
                PeerIndicator.evaluation_id == self.evaluation_id
            )
        )

    def step(self) -> float:
        """The next operation: record a 1–5 point deduction, or withdraw the last one."""
        start = time.perf_counter()
        with Session(self.engine) as session, session.begin():
            if self.open is None:
                indicator_id = self.indicator_ids[(self.op // 2) % len(self.indicator_ids)]
                indicator = session.get(PeerIndicator, indicator_id)
                assert indicator is not None
                cut = PeerDeduction(
                    evaluation_id=self.evaluation_id,
                    indicator_id=indicator_id,
                    points=Decimal(1 + (self.op // 2) % 5),
                    reason=f"deduction {self.op}",
                    status="active",
                )
                session.add(cut)
                session.flush()
                self.open = (cut.id, indicator_id)
            else:
                cut_id, indicator_id = self.open
                found = session.get(PeerDeduction, cut_id)
                assert found is not None
                found.status = "withdrawn"
                indicator = session.get(PeerIndicator, indicator_id)
                assert indicator is not None
                self.open = None
            self._rescore(session, indicator)
        elapsed = time.perf_counter() - start
        self.op += 1
        return elapsed

    def write(self, count: int, mark: int | None) -> list[float]:
        times = []
        for _ in range(count):
            times.append(self.step())
            if self.op == mark:
                self.marks[str(mark)] = datetime.now(UTC)
        return times

    def as_of(self, when: datetime) -> dict[str, Any]:
        """The evaluation, its indicators and active deductions as they stood at `when`:
        the transaction current then, and one range query per versioned table."""
        with Session(self.engine) as session:
            tx = session.scalar(
                sa.select(sa.func.max(Transaction.id)).where(Transaction.issued_at <= when)
            )

            def held(cls: Any) -> Any:
                return sa.and_(
                    cls.evaluation_id == self.evaluation_id
                    if cls is not EvaluationVersion
                    else cls.id == self.evaluation_id,
                    cls.transaction_id <= tx,
                    sa.or_(cls.end_transaction_id.is_(None), cls.end_transaction_id > tx),
                    cls.operation_type != 2,
                )

            head = session.execute(sa.select(EvaluationVersion).where(held(EvaluationVersion)))
            evaluation = head.scalars().one()
            nodes = session.execute(
                sa.select(IndicatorVersion)
                .where(held(IndicatorVersion))
                .order_by(IndicatorVersion.id)
            ).scalars()
            cuts = session.execute(
                sa.select(DeductionVersion).where(
                    held(DeductionVersion), DeductionVersion.status == "active"
                )
            ).scalars()
            return {
                "total": str(evaluation.total),
                "indicators": [{"code": n.code, "score": str(n.score)} for n in nodes],
                "deductions": [{"id": d.id, "points": str(d.points)} for d in cuts],
            }

    def history(self) -> list[dict[str, Any]]:
        """Every version of the first indicator, oldest first, with when it was written."""
        with Session(self.engine) as session:
            rows = session.execute(
                sa.select(IndicatorVersion, Transaction.issued_at)
                .join(Transaction, Transaction.id == IndicatorVersion.transaction_id)
                .where(IndicatorVersion.id == self.indicator_ids[0])
                .order_by(IndicatorVersion.transaction_id)
            ).all()
            return [{"score": str(v.score), "at": at.isoformat() if at else None} for v, at in rows]


def timed_reads(read: Any, repeat: int) -> dict[str, Any]:
    times = []
    size = 0
    for _ in range(repeat):
        start = time.perf_counter()
        answer = read()
        times.append(time.perf_counter() - start)
        size = len(answer) if isinstance(answer, list) else len(answer["indicators"])
    return {"times": times, "size": size}


def main() -> None:
    peer: Peer | None = None
    for line in sys.stdin:
        request = json.loads(line)
        command = request["cmd"]
        reply: Any
        if command == "setup":
            peer = Peer(request["url"], request["leaves"], request["weight"])
            reply = {"versions": {"sqlalchemy": sa.__version__, "continuum": _continuum()}}
        elif command == "write":
            assert peer is not None
            reply = {"times": peer.write(request["count"], request.get("mark"))}
        elif command == "as_of":
            assert peer is not None
            when = peer.marks[str(request["mark"])]
            reply = timed_reads(partial(peer.as_of, when), request["repeat"])
        elif command == "history":
            assert peer is not None
            reply = timed_reads(peer.history, request["repeat"])
        elif command == "quit":
            if peer is not None:
                peer.engine.dispose()
            return
        else:
            reply = {"error": f"unknown command {command}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


def _continuum() -> str:
    from importlib.metadata import version

    return version("sqlalchemy-continuum")


if __name__ == "__main__":
    main()
