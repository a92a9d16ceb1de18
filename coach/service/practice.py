"""Practice from a browser: answers kept under the browser's key, its progress, its retries.

A web candidate has no account. The browser holds a long-lived random key (an HttpOnly cookie);
practice answers are stored as standalone attempts whose read token *is* that key (only its hash
is stored), so the key opens every attempt the browser made and finds them for the progress view.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from pydantic import BaseModel, Field
from sqlmodel import Session

from coach.schemas import AttemptPublic, AttemptReceipt
from coach.scoring import Grade, Rubric, grade
from coach.service.attempts import _attempt_in, _started_at, read_attempt
from coach.service.questions import hash_token, ordered_ids, rubric_for
from coach.storage import progress, records
from coach.storage.db import read_transaction, write_transaction
from coach.storage.judging import enqueue_judge_job
from coach.storage.models import Client


class QuestionStanding(BaseModel):
    """One question as this browser has practised it."""

    id: str
    title: str
    topic: str
    suggested_minutes: int
    attempts: int
    best_score: float | None
    best_attempt_id: uuid.UUID | None
    latest_attempt_id: uuid.UUID | None


class BrowserProgress(BaseModel):
    questions: list[QuestionStanding]
    completed: int
    """Questions with at least one attempt."""
    total: int

    @property
    def progress(self) -> str:
        return f"{self.completed} / {self.total} completed"


class AttemptChange(BaseModel):
    """What changed since the browser's previous attempt at the same question."""

    previous_attempt_id: uuid.UUID
    previous_score: float
    score_delta: float
    newly_met: list[str] = Field(default_factory=list)
    """Criterion ids met now and missed last time."""
    no_longer_met: list[str] = Field(default_factory=list)


class PracticeResult(BaseModel):
    attempt: AttemptPublic
    attempt_number: int
    """1 for this browser's first attempt at the question, 2 for the first retry, ..."""
    change: AttemptChange | None
    """None on a first attempt (and for interview attempts)."""


def practise_in_browser(
    *,
    session: Session,
    rubrics: Mapping[str, Rubric],
    browser_key: str,
    question_id: str,
    answer: str,
    max_chars: int,
    now: datetime,
    started_at: datetime | None = None,
    judge: bool = False,
) -> AttemptReceipt:
    """Grade and store a web practice answer that the browser's key reads back."""
    rubric = rubric_for(rubrics, question_id)
    result = grade(answer, rubric, max_chars=max_chars)
    attempt_in = _attempt_in(
        rubric=rubric,
        answer=answer,
        result=result,
        started_at=_started_at(started_at, now, now),
        now=now,
        client=Client.WEB,
        token_hash=hash_token(browser_key),
    )
    with write_transaction(session):
        attempt = records.create_attempt(session=session, attempt_in=attempt_in)
        if judge:
            enqueue_judge_job(session=session, attempt_id=attempt.id, now=now)
        scores = progress.token_attempt_scores(session=session, token_hash=attempt.token_hash or "")
    return AttemptReceipt(
        attempt_id=attempt.id,
        question_id=question_id,
        interview_id=None,
        attempt_number=sum(1 for _, q, _, _ in scores if q == question_id),
        submitted_at=attempt.submitted_at,
        time_taken_s=attempt.time_taken_s,
        grade=result,
    )


def browser_progress(
    *, session: Session, rubrics: Mapping[str, Rubric], browser_key: str
) -> BrowserProgress:
    """Every question with this browser's attempts, best score and latest attempt."""
    with read_transaction(session):
        rows = progress.token_attempt_scores(session=session, token_hash=hash_token(browser_key))
    standings: list[QuestionStanding] = []
    for question_id in ordered_ids(rubrics):
        rubric = rubrics[question_id]
        mine = [(a, s) for a, q, s, _ in rows if q == question_id]
        best = max(mine, key=lambda row: row[1]) if mine else None
        standings.append(
            QuestionStanding(
                id=question_id,
                title=rubric.title,
                topic=rubric.topic,
                suggested_minutes=rubric.suggested_minutes,
                attempts=len(mine),
                best_score=best[1] if best else None,
                best_attempt_id=best[0] if best else None,
                latest_attempt_id=mine[-1][0] if mine else None,
            )
        )
    completed = sum(1 for s in standings if s.attempts)
    return BrowserProgress(questions=standings, completed=completed, total=len(standings))


def _change(previous: Grade, previous_id: uuid.UUID, current: Grade) -> AttemptChange:
    before, after = set(previous.met_ids()), set(current.met_ids())
    return AttemptChange(
        previous_attempt_id=previous_id,
        previous_score=previous.score,
        score_delta=round(current.score - previous.score, 1),
        newly_met=[c.id for c in current.criteria if c.id in after - before],
        no_longer_met=[c.id for c in current.criteria if c.id in before - after],
    )


def read_practice_result(
    *,
    session: Session,
    rubrics: Mapping[str, Rubric],
    attempt_id: str,
    browser_key: str,
    now: datetime,
) -> PracticeResult:
    """An attempt the browser's key opens, with the change since its previous try."""
    attempt = read_attempt(
        session=session, rubrics=rubrics, attempt_id=attempt_id, token=browser_key, now=now
    )
    with read_transaction(session):
        rows = progress.token_attempt_scores(session=session, token_hash=hash_token(browser_key))
        ids = [a for a, q, _, _ in rows if q == attempt.question_id]
        number = ids.index(attempt.id) + 1 if attempt.id in ids else 1
        previous = (
            records.get_attempt(session=session, attempt_id=ids[number - 2]) if number > 1 else None
        )
    change = (
        _change(Grade.model_validate(previous.grade), previous.id, attempt.grade)
        if previous is not None
        else None
    )
    return PracticeResult(attempt=attempt, attempt_number=number, change=change)
