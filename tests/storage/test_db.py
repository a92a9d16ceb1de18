"""Engine settings a user relies on: durable SQLite pragmas, BEGIN IMMEDIATE, UTC timestamps."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import IntegrityError

from coach.storage import records
from coach.storage.db import make_engine, new_session, read_transaction, write_transaction
from coach.storage.models import AttemptCreate, InterviewCreate


def attempt_in(**overrides: Any) -> AttemptCreate:
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "question_id": "kv-cache",
        "answer": "paged attention",
        "rubric_version": "v1",
        "score": 50.0,
        "grade": {"score": 50.0},
        "started_at": now - timedelta(minutes=2),
        "submitted_at": now,
        "time_taken_s": 120.0,
        "client": "api",
    }
    return AttemptCreate(**{**values, **overrides})


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [("journal_mode", "wal"), ("synchronous", 1), ("busy_timeout", 15000), ("foreign_keys", 1)],
)
def test_sqlite_connections_get_durable_pragmas(
    tmp_path: Path, pragma: str, expected: object
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'coach.db'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql(f"PRAGMA {pragma}").scalar() == expected
    finally:
        engine.dispose()


def test_sqlite_default_path_folder_is_created(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'nested' / 'coach.db'}")
    try:
        with engine.connect():
            pass
    finally:
        engine.dispose()
    assert (tmp_path / "data" / "nested" / "coach.db").exists()


def test_sqlite_writes_begin_immediate_and_reads_deferred(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'coach.db'}")
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    try:
        with new_session(engine) as session:
            with write_transaction(session):
                session.exec(text("select 1"))  # type: ignore[call-overload]
            with read_transaction(session):
                session.exec(text("select 1"))  # type: ignore[call-overload]
    finally:
        engine.dispose()
    begins = [s for s in statements if s.startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE", "BEGIN DEFERRED"]


def test_timestamps_come_back_timezone_aware_utc(engine: Engine) -> None:
    submitted = datetime(2025, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    with new_session(engine) as session, write_transaction(session):
        created = records.create_attempt(
            session=session,
            attempt_in=attempt_in(submitted_at=submitted, started_at=submitted),
        )
    with new_session(engine) as session:
        stored = records.get_attempt(session=session, attempt_id=created.id)
    assert stored is not None
    assert stored.submitted_at == submitted
    assert stored.submitted_at.utcoffset() == timedelta(0)


def test_attempt_for_a_missing_interview_is_refused_by_the_foreign_key(engine: Engine) -> None:
    with new_session(engine) as session:
        with pytest.raises(IntegrityError), write_transaction(session):
            records.create_attempt(
                session=session, attempt_in=attempt_in(interview_id=uuid.uuid4())
            )
        with read_transaction(session):
            assert records.list_attempts(session=session) == []


def test_replace_grade_keeps_the_earlier_grade_in_history(engine: Engine) -> None:
    with new_session(engine) as session:
        with write_transaction(session):
            interview = records.create_interview(
                session=session,
                interview_in=InterviewCreate(
                    question_ids=["kv-cache"], token_hash="0" * 64, started_at=datetime.now(UTC)
                ),
            )
            attempt = records.create_attempt(
                session=session, attempt_in=attempt_in(interview_id=interview.id)
            )
        with write_transaction(session):
            records.replace_grade(
                session=session,
                attempt=attempt,
                grade={"score": 70.0},
                score=70.0,
                rubric_version="v2",
                at=datetime.now(UTC),
            )
        with read_transaction(session):
            history = records.list_grade_history(session=session, attempt_id=attempt.id)
            stale = records.list_attempts(session=session, stale_for_version="v2")
            scores = records.question_scores(session=session, interview_id=interview.id)
    assert [(h.rubric_version, h.score, h.grade) for h in history] == [
        ("v1", 50.0, {"score": 50.0})
    ]
    assert attempt.score == 70.0 and attempt.rubric_version == "v2"
    assert stale == []
    assert scores == [("kv-cache", 70.0)]
