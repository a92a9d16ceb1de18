"""Keyword-only data functions. They add, read and update rows; callers own the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from coach.storage.models import Attempt, AttemptCreate, AttemptGrade, Interview, InterviewCreate
from coach.storage.transcripts import sync_attempt, sync_interview


def create_interview(*, session: Session, interview_in: InterviewCreate) -> Interview:
    interview = Interview.model_validate(interview_in)
    session.add(interview)
    session.flush()
    sync_interview(session=session, interview_id=interview.id)
    return interview


def get_interview(
    *, session: Session, interview_id: uuid.UUID, for_update: bool = False
) -> Interview | None:
    """One interview; `for_update` locks its row (PostgreSQL) so finish and answers serialise."""
    statement = select(Interview).where(Interview.id == interview_id)
    if for_update:
        statement = statement.with_for_update()
    return session.exec(statement).first()


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
    sync_attempt(session=session, attempt=attempt, added=True)
    return attempt


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


def last_submission_at(*, session: Session, interview_id: uuid.UUID) -> datetime | None:
    statement = select(func.max(Attempt.submitted_at)).where(Attempt.interview_id == interview_id)
    value: datetime | None = session.exec(statement).one()
    return value


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
    sync_attempt(session=session, attempt=attempt)
    return previous


def list_grade_history(*, session: Session, attempt_id: uuid.UUID) -> Sequence[AttemptGrade]:
    statement = (
        select(AttemptGrade)
        .where(AttemptGrade.attempt_id == attempt_id)
        .order_by(col(AttemptGrade.superseded_at), col(AttemptGrade.id))
    )
    return session.exec(statement).all()
