"""The hash chain over stored records: every kind of rewrite breaks it at the right version."""

from __future__ import annotations

import dataclasses

from application.integrity import GENESIS, RawRecord, link_digest, prove, walk

KEY = b"test-key"
ID = "6f1c2b1e-8a53-4d2e-9a1f-1c2d3e4f5a6b"
OTHER = "0b9a8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"


def records(evaluation_id: str = ID, count: int = 5) -> list[RawRecord]:
    return [
        RawRecord(evaluation_id, v, "domain.evaluation:Evaluation.Event", f'{{"n":{v}}}'.encode())
        for v in range(1, count + 1)
    ]


def sealed(rows: list[RawRecord], key: bytes = KEY) -> dict[int, str]:
    digests, previous = {}, GENESIS
    for row in rows:
        previous = digests[row.version] = link_digest(key, row, previous)
    return digests


def test_an_untouched_chain_verifies_and_reports_its_head() -> None:
    rows = records()
    digests = sealed(rows)
    verdict = walk(KEY, ID, rows, digests)
    assert verdict.ok and verdict.events_checked == 5
    assert (verdict.head_version, verdict.head_digest) == (5, digests[5])


def test_each_digest_depends_on_the_key_the_version_the_originator_and_the_predecessor() -> None:
    row = records()[0]
    base = link_digest(KEY, row, GENESIS)
    assert link_digest(b"other-key", row, GENESIS) != base
    assert link_digest(KEY, dataclasses.replace(row, version=2), GENESIS) != base
    assert link_digest(KEY, dataclasses.replace(row, originator_id=OTHER), GENESIS) != base
    assert link_digest(KEY, row, "1" * 64) != base
    assert len(base) == 64 and int(base, 16) >= 0


def test_fields_are_length_prefixed_so_moving_bytes_between_them_changes_the_digest() -> None:
    one = RawRecord(ID, 1, "ab", b"c")
    two = RawRecord(ID, 1, "a", b"bc")
    assert link_digest(KEY, one, GENESIS) != link_digest(KEY, two, GENESIS)


def test_a_changed_state_is_named_by_its_version() -> None:
    rows = records()
    digests = sealed(rows)
    rows[2] = dataclasses.replace(rows[2], state=b'{"n":99}')
    verdict = walk(KEY, ID, rows, digests)
    assert not verdict.ok
    assert verdict.first_bad_version == 3
    assert (verdict.head_version, verdict.head_digest) == (2, digests[2])
    assert "does not match its digest" in str(verdict.problem)


def test_a_missing_record_is_named_by_its_version() -> None:
    rows = records()
    digests = sealed(rows)
    del rows[1]
    verdict = walk(KEY, ID, rows, digests)
    assert (verdict.ok, verdict.first_bad_version) == (False, 2)
    assert "missing" in str(verdict.problem)


def test_a_record_without_a_digest_is_named() -> None:
    rows = records()
    digests = sealed(rows)
    rows.append(RawRecord(ID, 6, "t", b"{}"))
    verdict = walk(KEY, ID, rows, digests)
    assert (verdict.ok, verdict.first_bad_version) == (False, 6)
    assert "no stored digest" in str(verdict.problem)


def test_a_digest_recomputed_with_another_key_does_not_pass() -> None:
    rows = records()
    forged = sealed(rows, b"guessed-key")
    verdict = walk(KEY, ID, rows, forged)
    assert (verdict.ok, verdict.first_bad_version) == (False, 1)


def test_a_proof_holds_for_a_digest_taken_earlier_and_fails_after_a_rewrite() -> None:
    rows = records()
    digests = sealed(rows)
    assert prove(KEY, ID, rows, 3, digests[3])["ok"] is True
    assert prove(KEY, ID, rows, 3, digests[3].upper())["ok"] is True
    rows[0] = dataclasses.replace(rows[0], state=b'{"n":0}')
    proof = prove(KEY, ID, rows, 3, digests[3])
    assert proof["ok"] is False and proof["computed_digest"] != digests[3]


def test_a_proof_for_a_version_the_history_no_longer_holds_fails() -> None:
    rows = records()
    digests = sealed(rows)
    proof = prove(KEY, ID, rows[:3], 5, digests[5])
    assert proof["ok"] is False
    assert "holds 3 versions" in proof["problem"]
