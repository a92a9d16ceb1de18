"""Mock interviews: open, status, finish, report. Access is by the interview's bearer token."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from sqlmodel import Session

from coach.errors import Forbidden, InterviewClosed
from coach.report import Report, build_report
from coach.schemas import InterviewOpened, InterviewState, InterviewStatus, QuestionProgress
from coach.scoring import Rubric
from coach.service.questions import (
    hash_token,
    new_token,
    ordered_ids,
    question_public,
    rubric_for,
    token_matches,
)
from coach.storage import records
from coach.storage.db import read_transaction, write_transaction
from coach.storage.models import Interview, InterviewCreate
from coach.storage.records import InterviewAccess

NO_ACCESS = (
    "This token does not open interview {id}, or there is no such interview. Send the token "
    "returned when the interview was created as `Authorization: Bearer <token>`."
)


class Timed(Protocol):
    """What the open/finished/expired state depends on: an Interview, or the fresh figures read
    inside a write transaction (coach.storage.records.LockedInterview)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def started_at(self) -> datetime: ...
    @property
    def time_limit_minutes(self) -> int | None: ...
    @property
    def finished_at(self) -> datetime | None: ...


def progress_text(answered: int, total: int) -> str:
    return f"{answered} / {total} answered"


def state_of(interview: Timed, now: datetime) -> InterviewState:
    if interview.finished_at is not None:
        return InterviewState.FINISHED
    deadline = _deadline(interview)
    if deadline is not None and now >= deadline:
        return InterviewState.EXPIRED
    return InterviewState.OPEN


def _deadline(interview: Timed) -> datetime | None:
    if interview.time_limit_minutes is None:
        return None
    return interview.started_at + timedelta(minutes=interview.time_limit_minutes)


def parse_id(text: str) -> uuid.UUID | None:
    """An interview or attempt id from a URL or a request; None when it is not a UUID (callers
    then answer exactly as for an unknown id)."""
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _check_token(token: str, token_hash: str | None, interview_id: str) -> None:
    """Unknown ids and wrong tokens fail identically. Hash even when there is no interview
    (`token_hash` None), so timing does not tell the two cases apart."""
    if not token_matches(token, token_hash if token_hash is not None else hash_token("")):
        raise Forbidden(NO_ACCESS.format(id=interview_id))


def authorized_interview(session: Session, interview_id: str, token: str) -> Interview:
    """The interview, if the token opens it."""
    key = parse_id(interview_id)
    interview = records.get_interview(session=session, interview_id=key) if key else None
    _check_token(token, interview.token_hash if interview else None, interview_id)
    assert interview is not None
    return interview


def authorized_access(session: Session, interview_id: str, token: str) -> InterviewAccess:
    """What answering needs to know about the interview, if the token opens it: the same check
    as `authorized_interview`, one Core select instead of an ORM object."""
    key = parse_id(interview_id)
    access = records.get_interview_access(session=session, interview_id=key) if key else None
    _check_token(token, access.token_hash if access else None, interview_id)
    assert access is not None
    return access


def ensure_open(interview: Timed, now: datetime) -> None:
    state = state_of(interview, now)
    if state is InterviewState.FINISHED:
        raise InterviewClosed(
            f"Interview {interview.id} is finished; it takes no more answers. "
            "Read the report at GET /api/v1/interviews/{id}/report.".replace(
                "{id}", str(interview.id)
            )
        )
    if state is InterviewState.EXPIRED:
        raise InterviewClosed(
            f"The {interview.time_limit_minutes}-minute time limit of interview {interview.id} "
            f"ran out at {_deadline(interview):%Y-%m-%d %H:%M:%S} UTC; it takes no more answers."
        )


def status_of(
    interview: Interview,
    scores: Sequence[tuple[str, float]],
    rubrics: Mapping[str, Rubric],
    now: datetime,
) -> InterviewStatus:
    """Where the interview stands, from (question id, score) of its attempts in order."""
    state = state_of(interview, now)
    counts = {q: 0 for q in interview.question_ids}
    latest: dict[str, float] = {}
    for question_id, score in scores:
        counts[question_id] = counts.get(question_id, 0) + 1
        latest[question_id] = score
    answered = sum(1 for q in interview.question_ids if counts[q])
    pending = [q for q in interview.question_ids if not counts[q]]
    total = len(interview.question_ids)
    return InterviewStatus(
        id=interview.id,
        state=state,
        progress=progress_text(answered, total),
        answered=answered,
        total=total,
        current_question=(
            question_public(rubrics[pending[0]])
            if pending and state is InterviewState.OPEN
            else None
        ),
        questions=[
            QuestionProgress(
                id=q, title=rubrics[q].title, attempts=counts[q], latest_score=latest.get(q)
            )
            for q in interview.question_ids
        ],
        candidate_name=interview.candidate_name,
        started_at=interview.started_at,
        deadline=_deadline(interview),
        finished_at=interview.finished_at,
    )


def open_interview(
    *,
    session: Session,
    rubrics: Mapping[str, Rubric],
    now: datetime,
    candidate_name: str | None = None,
    candidate_email: str | None = None,
    question_ids: Sequence[str] | None = None,
    time_limit_minutes: int | None = None,
) -> InterviewOpened:
    """Open a mock interview (all questions by default) and return its one-time token."""
    chosen = list(question_ids) if question_ids else ordered_ids(rubrics)
    for question_id in chosen:
        rubric_for(rubrics, question_id)
    chosen = list(dict.fromkeys(chosen))
    token, token_hash = new_token()
    interview_in = InterviewCreate(
        candidate_name=candidate_name,
        candidate_email=candidate_email,
        time_limit_minutes=time_limit_minutes,
        question_ids=chosen,
        token_hash=token_hash,
        started_at=now,
    )
    with write_transaction(session):
        interview = records.create_interview(session=session, interview_in=interview_in)
    status = status_of(interview, [], rubrics, now)
    return InterviewOpened(**status.model_dump(), token=token)


def interview_status(
    *, session: Session, rubrics: Mapping[str, Rubric], interview_id: str, token: str, now: datetime
) -> InterviewStatus:
    with read_transaction(session):
        interview = authorized_interview(session, interview_id, token)
        scores = records.question_scores(session=session, interview_id=interview.id)
    return status_of(interview, scores, rubrics, now)


def finish_interview(
    *, session: Session, rubrics: Mapping[str, Rubric], interview_id: str, token: str, now: datetime
) -> InterviewStatus:
    """Close the interview; finishing twice is harmless and keeps the first finish time."""
    with write_transaction(session):
        interview = authorized_interview(session, interview_id, token)
        if interview.finished_at is None:
            records.finish_interview(session=session, interview=interview, at=now)
        scores = records.question_scores(session=session, interview_id=interview.id)
    return status_of(interview, scores, rubrics, now)


def interview_report(
    *, session: Session, rubrics: Mapping[str, Rubric], interview_id: str, token: str, now: datetime
) -> Report:
    status = interview_status(
        session=session, rubrics=rubrics, interview_id=interview_id, token=token, now=now
    )
    if status.state is InterviewState.OPEN:
        raise InterviewClosed(
            f"Interview {interview_id} is still open: the report (with the model answers) is "
            f"available once it is finished. POST /api/v1/interviews/{interview_id}/finish."
        )
    with read_transaction(session):
        interview = authorized_interview(session, interview_id, token)
        attempts = records.list_attempts(session=session, interview_id=interview.id)
    return build_report(
        interview=interview,
        attempts=attempts,
        rubrics=rubrics,
        state=status.state,
        progress=status.progress,
    )
