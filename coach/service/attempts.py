"""Answers: graded first (no lock held), then stored in one short write transaction."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from sqlmodel import Session

from coach.errors import CoachError, Forbidden, InvalidInput, UnknownQuestion
from coach.schemas import AttemptPublic, AttemptReceipt, GradeHistoryEntry, InterviewState
from coach.scoring import Grade, Rubric, grade
from coach.service.interview_access import InterviewAccessCache, access_for_answer, still_open
from coach.service.interviews import (
    authorized_interview,
    ensure_open,
    parse_id,
    progress_text,
    state_of,
)
from coach.service.judging import opinion_in
from coach.service.questions import hash_token, new_token, rubric_for, token_matches
from coach.storage import records
from coach.storage.db import read_transaction, write_transaction
from coach.storage.judging import enqueue_judge_job
from coach.storage.models import Attempt, AttemptCreate, Client
from coach.storage.transcripts import transcript_flags

NO_ATTEMPT_ACCESS = (
    "This token does not open attempt {id}, or there is no such attempt. Interview attempts "
    "open with the interview's token, standalone attempts with the token returned with them."
)


def _started_at(given: datetime | None, default: datetime, now: datetime) -> datetime:
    """When the candidate started this answer: as the client says, else `default`."""
    if given is None:
        return default
    if given.utcoffset() is None:
        raise InvalidInput("started_at needs a time zone, e.g. 2025-01-31T09:00:00Z.")
    if given > now:
        raise InvalidInput("started_at is in the future; send when the candidate started.")
    return given


def _attempt_in(
    *,
    rubric: Rubric,
    answer: str,
    result: Grade,
    started_at: datetime,
    now: datetime,
    client: Client,
    interview_id: uuid.UUID | None = None,
    token_hash: str | None = None,
) -> AttemptCreate:
    return AttemptCreate(
        question_id=rubric.id,
        answer=answer,
        rubric_version=rubric.version,
        score=result.score,
        grade=result.model_dump(mode="json"),
        started_at=started_at,
        submitted_at=now,
        time_taken_s=round((now - started_at).total_seconds(), 3),
        client=client.value,
        interview_id=interview_id,
        token_hash=token_hash,
    )


def submit_answer(
    *,
    session: Session,
    rubrics: Mapping[str, Rubric],
    interview_id: str,
    token: str,
    question_id: str,
    answer: str,
    max_chars: int,
    now: datetime,
    client: Client = Client.API,
    started_at: datetime | None = None,
    judge: bool = False,
    known: InterviewAccessCache | None = None,
) -> AttemptReceipt:
    """Grade and store one answer in an open interview; every retry is a new attempt.
    With `judge`, the LLM judge is queued for it in the same transaction. With `known`, the
    access check before grading is answered from memory when it can be."""
    interview, remembered = access_for_answer(
        session=session, interview_id=interview_id, token=token, now=now, known=known
    )
    try:
        if question_id not in interview.question_ids:
            raise UnknownQuestion(question_id, interview.question_ids)
        rubric = rubric_for(rubrics, question_id)
        result = grade(answer, rubric, max_chars=max_chars)
        if started_at is not None:
            _started_at(started_at, now, now)  # refuse a bad started_at before taking the lock
    except CoachError:
        if remembered:  # a closed interview answers 409 before any other error, as uncached
            still_open(session=session, interview_id=interview.id, now=now)
        raise
    grade_json = result.model_dump_json()
    flags = transcript_flags(result.flag_codes(), bool(result.misconceptions))
    with write_transaction(session):
        locked = records.lock_interview(session=session, interview_id=interview.id)
        assert locked is not None  # interviews are never deleted
        ensure_open(locked, now)  # it may have been finished while we graded
        shown_at = max(locked.started_at, locked.last_answer_at or locked.started_at)
        began = _started_at(started_at, min(shown_at, now), now)
        added = records.add_interview_attempt(
            session=session,
            locked=locked,
            question_id=question_id,
            answer=answer,
            rubric_version=rubric.version,
            score=result.score,
            grade_json=grade_json,
            flags=flags,
            started_at=began,
            submitted_at=now,
            client=client.value,
        )
        if judge:
            enqueue_judge_job(session=session, attempt_id=added.attempt_id, now=now)
    answered = sum(1 for q in interview.question_ids if q in added.answered)
    return AttemptReceipt(
        attempt_id=added.attempt_id,
        question_id=question_id,
        interview_id=interview.id,
        attempt_number=added.attempt_number,
        submitted_at=now,
        time_taken_s=round((now - began).total_seconds(), 3),
        grade=result,
        progress=progress_text(answered, len(interview.question_ids)),
    )


def practise_answer(
    *,
    session: Session,
    rubrics: Mapping[str, Rubric],
    question_id: str,
    answer: str,
    max_chars: int,
    now: datetime,
    client: Client = Client.API,
    started_at: datetime | None = None,
    judge: bool = False,
) -> AttemptReceipt:
    """Grade and store a standalone answer; the returned token is what reads it back."""
    rubric = rubric_for(rubrics, question_id)
    result = grade(answer, rubric, max_chars=max_chars)
    token, token_hash = new_token()
    attempt_in = _attempt_in(
        rubric=rubric,
        answer=answer,
        result=result,
        started_at=_started_at(started_at, now, now),
        now=now,
        client=client,
        token_hash=token_hash,
    )
    with write_transaction(session):
        attempt = records.create_attempt(session=session, attempt_in=attempt_in)
        if judge:
            enqueue_judge_job(session=session, attempt_id=attempt.id, now=now)
    return AttemptReceipt(
        attempt_id=attempt.id,
        question_id=question_id,
        interview_id=None,
        attempt_number=1,
        submitted_at=attempt.submitted_at,
        time_taken_s=attempt.time_taken_s,
        grade=result,
        token=token,
    )


def _readable(session: Session, attempt_id: str, token: str, now: datetime) -> tuple[Attempt, bool]:
    """The attempt if the token opens it, and whether its model answer may be shown."""
    key = parse_id(attempt_id)
    attempt = records.get_attempt(session=session, attempt_id=key) if key else None
    if attempt is None:
        token_matches(token, hash_token(""))  # same work as a real check
        raise Forbidden(NO_ATTEMPT_ACCESS.format(id=attempt_id))
    if attempt.interview_id is None:
        if not token_matches(token, attempt.token_hash):
            raise Forbidden(NO_ATTEMPT_ACCESS.format(id=attempt_id))
        return attempt, True
    try:
        interview = authorized_interview(session, str(attempt.interview_id), token)
    except Forbidden:
        raise Forbidden(NO_ATTEMPT_ACCESS.format(id=attempt_id)) from None
    return attempt, state_of(interview, now) is not InterviewState.OPEN


def read_attempt(
    *,
    session: Session,
    rubrics: Mapping[str, Rubric],
    attempt_id: str,
    token: str,
    now: datetime,
) -> AttemptPublic:
    with read_transaction(session):
        attempt, reveal = _readable(session, attempt_id, token, now)
        history = records.list_grade_history(session=session, attempt_id=attempt.id)
        current = Grade.model_validate(attempt.grade)
        opinion = opinion_in(session=session, attempt_id=attempt.id, grade=current)
    rubric = rubrics.get(attempt.question_id)
    return AttemptPublic(
        id=attempt.id,
        question_id=attempt.question_id,
        interview_id=attempt.interview_id,
        answer=attempt.answer,
        rubric_version=attempt.rubric_version,
        score=attempt.score,
        grade=current,
        client=attempt.client,
        started_at=attempt.started_at,
        submitted_at=attempt.submitted_at,
        time_taken_s=attempt.time_taken_s,
        graded_at=attempt.graded_at,
        history=[
            GradeHistoryEntry(
                rubric_version=h.rubric_version,
                score=h.score,
                graded_at=h.graded_at,
                superseded_at=h.superseded_at,
            )
            for h in history
        ],
        model_answer=rubric.model_answer if reveal and rubric else None,
        judge=opinion,
    )
