"""Keyword-only data functions. They add, read and update rows; callers own the transaction.

An interview keeps a tally of its attempts (`Interview.answered`, `Interview.last_answer_at`),
updated with every attempt written, so storing an answer costs the same in the hundredth attempt
as in the first: `lock_interview` + `add_interview_attempt` are one select, one insert and two
updates, written with SQLAlchemy Core (no ORM unit of work on the hot path).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlmodel import Session, col, select

from coach.storage.db import JSONText
from coach.storage.models import Attempt, AttemptCreate, AttemptGrade, Interview, InterviewCreate
from coach.storage.review import Transcript
from coach.storage.transcripts import add_to_interview_transcript, sync_attempt, sync_interview

INTERVIEW = Interview.__table__  # type: ignore[attr-defined]
ATTEMPT = Attempt.__table__  # type: ignore[attr-defined]
TRANSCRIPT = Transcript.__table__  # type: ignore[attr-defined]


def create_interview(*, session: Session, interview_in: InterviewCreate) -> Interview:
    interview = Interview.model_validate(interview_in)
    session.add(interview)
    session.flush()
    sync_interview(session=session, interview_id=interview.id)
    return interview


def get_interview(*, session: Session, interview_id: uuid.UUID) -> Interview | None:
    """One interview (answers lock its row with `lock_interview`)."""
    return session.exec(select(Interview).where(Interview.id == interview_id)).first()


@dataclass(frozen=True)
class InterviewAccess:
    """What answering an interview needs before grading: who may, which questions, whether open."""

    id: uuid.UUID
    token_hash: str
    question_ids: list[str]
    started_at: datetime
    time_limit_minutes: int | None
    finished_at: datetime | None


_ACCESS = select(  # type: ignore[call-overload]
    INTERVIEW.c.token_hash,
    INTERVIEW.c.question_ids,
    INTERVIEW.c.started_at,
    INTERVIEW.c.time_limit_minutes,
    INTERVIEW.c.finished_at,
).where(INTERVIEW.c.id == bindparam("key"))


def get_interview_access(*, session: Session, interview_id: uuid.UUID) -> InterviewAccess | None:
    row = session.connection().execute(_ACCESS, {"key": interview_id}).first()
    return InterviewAccess(interview_id, *row) if row is not None else None


def finish_interview(*, session: Session, interview: Interview, at: datetime) -> Interview:
    interview.finished_at = at
    session.add(interview)
    session.flush()
    sync_interview(session=session, interview_id=interview.id)
    return interview


def create_attempt(*, session: Session, attempt_in: AttemptCreate) -> Attempt:
    attempt = Attempt.model_validate(attempt_in, update={"graded_at": attempt_in.submitted_at})
    session.add(attempt)
    session.flush()
    if attempt.interview_id is not None:
        interview = session.get(Interview, attempt.interview_id)
        assert interview is not None  # the foreign key held
        interview.answered = tally(interview.answered, attempt.question_id, attempt.score)
        interview.last_answer_at = _later(interview.last_answer_at, attempt.submitted_at)
        session.add(interview)
        session.flush()
    sync_attempt(session=session, attempt=attempt, added=True)
    return attempt


def tally(answered: Mapping[str, Any], question_id: str, score: float) -> dict[str, Any]:
    """`answered` (an interview's tally) with one more attempt at `question_id`."""
    before = answered.get(question_id)
    if before is None:
        return {**answered, question_id: {"attempts": 1, "best_score": score}}
    best = max(float(before["best_score"]), score)
    return {**answered, question_id: {"attempts": int(before["attempts"]) + 1, "best_score": best}}


def _later(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b > a else a


@dataclass(frozen=True)
class LockedInterview:
    """What adding an attempt changes, read inside the write transaction (on PostgreSQL the
    interview's row stays locked until commit, so finishing and answering serialise)."""

    id: uuid.UUID
    started_at: datetime
    time_limit_minutes: int | None
    finished_at: datetime | None
    answered: dict[str, Any]
    last_answer_at: datetime | None
    question_count: int
    transcript_flags: str | None
    """None when the interview has no transcript row (the next write creates it)."""
    transcript_activity_at: datetime | None


# The hot path's statements, built once (compiled once too: SQLAlchemy caches by statement).
_LOCK = (
    select(  # type: ignore[call-overload]
        INTERVIEW.c.started_at,
        INTERVIEW.c.time_limit_minutes,
        INTERVIEW.c.finished_at,
        INTERVIEW.c.answered,
        INTERVIEW.c.last_answer_at,
        INTERVIEW.c.question_ids,
        TRANSCRIPT.c.flags,
        TRANSCRIPT.c.last_activity_at,
    )
    .select_from(INTERVIEW.outerjoin(TRANSCRIPT, TRANSCRIPT.c.id == INTERVIEW.c.id))
    .where(INTERVIEW.c.id == bindparam("key"))
    .with_for_update(of=INTERVIEW)
)
_INSERT_ATTEMPT = insert(ATTEMPT)
_UPDATE_TALLY = update(INTERVIEW).where(INTERVIEW.c.id == bindparam("key"))


def lock_interview(*, session: Session, interview_id: uuid.UUID) -> LockedInterview | None:
    """The interview's current tally and state, in one select."""
    row = session.connection().execute(_LOCK, {"key": interview_id}).first()
    if row is None:
        return None
    started_at, limit, finished_at, answered, last_answer_at, question_ids, flags, activity_at = row
    return LockedInterview(
        id=interview_id,
        started_at=started_at,
        time_limit_minutes=limit,
        finished_at=finished_at,
        answered=answered,
        last_answer_at=last_answer_at,
        question_count=len(question_ids),
        transcript_flags=flags,
        transcript_activity_at=activity_at,
    )


@dataclass(frozen=True)
class AddedAttempt:
    attempt_id: uuid.UUID
    attempt_number: int
    """1 for the first attempt at this question in the interview, 2 for a retry, ..."""
    answered: dict[str, Any]
    """The interview's tally, this attempt included."""


def add_interview_attempt(
    *,
    session: Session,
    locked: LockedInterview,
    question_id: str,
    answer: str,
    rubric_version: str,
    score: float,
    grade_json: str,
    flags: set[str],
    started_at: datetime,
    submitted_at: datetime,
    client: str,
) -> AddedAttempt:
    """Store an attempt in a locked interview (`lock_interview`, same transaction) and bring the
    interview's tally and transcript up to date. `grade_json` is the Grade already serialised
    (stored as it is); `flags` are the transcript flags it raises (`transcript_flags`)."""
    attempt_id = uuid.uuid4()
    connection = session.connection()
    connection.execute(
        _INSERT_ATTEMPT,
        {
            "id": attempt_id,
            "interview_id": locked.id,
            "token_hash": None,
            "question_id": question_id,
            "answer": answer,
            "rubric_version": rubric_version,
            "score": score,
            "grade": JSONText(grade_json),
            "started_at": started_at,
            "submitted_at": submitted_at,
            "graded_at": submitted_at,
            "time_taken_s": round((submitted_at - started_at).total_seconds(), 3),
            "client": client,
        },
    )
    answered = tally(locked.answered, question_id, score)
    last_answer_at = _later(locked.last_answer_at, submitted_at)
    connection.execute(
        _UPDATE_TALLY,
        {"key": locked.id, "answered": answered, "last_answer_at": last_answer_at},
    )
    if locked.transcript_flags is None:
        sync_interview(session=session, interview_id=locked.id)
    else:
        add_to_interview_transcript(
            session=session,
            interview_id=locked.id,
            answered=answered,
            question_count=locked.question_count,
            flags=flags | {f for f in locked.transcript_flags.split(",") if f},
            activity_at=_later(locked.transcript_activity_at, submitted_at),
        )
    return AddedAttempt(
        attempt_id=attempt_id,
        attempt_number=int(answered[question_id]["attempts"]),
        answered=answered,
    )


def get_attempt(*, session: Session, attempt_id: uuid.UUID) -> Attempt | None:
    return session.get(Attempt, attempt_id)


def list_attempts(
    *,
    session: Session,
    interview_id: uuid.UUID | None = None,
    question_id: str | None = None,
    stale_for_version: str | None = None,
) -> Sequence[Attempt]:
    """Attempts in submission order; `stale_for_version` keeps those graded with another version."""
    statement = select(Attempt)
    if interview_id is not None:
        statement = statement.where(Attempt.interview_id == interview_id)
    if question_id is not None:
        statement = statement.where(Attempt.question_id == question_id)
    if stale_for_version is not None:
        statement = statement.where(Attempt.rubric_version != stale_for_version)
    statement = statement.order_by(col(Attempt.submitted_at), col(Attempt.id))
    return session.exec(statement).all()


def question_scores(*, session: Session, interview_id: uuid.UUID) -> list[tuple[str, float]]:
    """(question id, score) of every attempt in an interview, in submission order; no grade JSON."""
    statement = (
        select(Attempt.question_id, Attempt.score)
        .where(Attempt.interview_id == interview_id)
        .order_by(col(Attempt.submitted_at), col(Attempt.id))
    )
    return [(question_id, score) for question_id, score in session.exec(statement).all()]


def replace_grade(
    *,
    session: Session,
    attempt: Attempt,
    grade: dict[str, Any],
    score: float,
    rubric_version: str,
    at: datetime,
) -> AttemptGrade:
    """Move the attempt's current grade into history, then store the new one on the attempt."""
    previous = AttemptGrade(
        attempt_id=attempt.id,
        rubric_version=attempt.rubric_version,
        score=attempt.score,
        grade=attempt.grade,
        graded_at=attempt.graded_at,
        superseded_at=at,
    )
    session.add(previous)
    attempt.grade = grade
    attempt.score = score
    attempt.rubric_version = rubric_version
    attempt.graded_at = at
    session.add(attempt)
    session.flush()
    if attempt.interview_id is not None:
        recount_interview(session=session, interview_id=attempt.interview_id)
    sync_attempt(session=session, attempt=attempt)
    return previous


def recount_interview(*, session: Session, interview_id: uuid.UUID) -> None:
    """Rebuild an interview's tally from its attempts (after a score changed)."""
    statement = select(Attempt.question_id, Attempt.score, Attempt.submitted_at).where(
        Attempt.interview_id == interview_id
    )
    answered: dict[str, Any] = {}
    last: datetime | None = None
    for question_id, score, submitted_at in session.exec(statement).all():
        answered = tally(answered, question_id, score)
        last = _later(last, submitted_at)
    session.connection().execute(
        _UPDATE_TALLY, {"key": interview_id, "answered": answered, "last_answer_at": last}
    )


def list_grade_history(*, session: Session, attempt_id: uuid.UUID) -> Sequence[AttemptGrade]:
    statement = (
        select(AttemptGrade)
        .where(AttemptGrade.attempt_id == attempt_id)
        .order_by(col(AttemptGrade.superseded_at), col(AttemptGrade.id))
    )
    return session.exec(statement).all()
