"""The judge's job table: one row per attempt sent to the LLM judge.

A job is queued with the attempt, claimed by a worker (status running), and ends done (the
judge's verdicts stored beside the deterministic grade) or failed (after MAX_TRIES, with the
reason). A worker killed mid-call leaves a running job whose claim goes stale; the next worker
claims it again, so jobs survive restarts.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, or_
from sqlmodel import Field, Session, SQLModel, col, select


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class JudgeJob(SQLModel, table=True):
    __tablename__ = "judge_job"

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: uuid.UUID = Field(
        foreign_key="attempt.id", unique=True, index=True, ondelete="CASCADE"
    )
    status: str = Field(default=JobStatus.QUEUED.value, max_length=10, index=True)
    tries: int = 0
    queued_at: datetime
    next_run_at: datetime = Field(index=True)
    updated_at: datetime
    rubric_version: str | None = Field(default=None, max_length=64)
    """The rubric version the verdicts were given against."""
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    """coach.judge.JudgeResult as JSON once the judge has answered (or given up)."""
    error: str = Field(default="", max_length=500)


def enqueue_judge_job(*, session: Session, attempt_id: uuid.UUID, now: datetime) -> JudgeJob:
    job = JudgeJob(attempt_id=attempt_id, queued_at=now, next_run_at=now, updated_at=now)
    session.add(job)
    session.flush()
    return job


def claim_judge_job(*, session: Session, now: datetime, stale_after: timedelta) -> JudgeJob | None:
    """The next due job, marked running; a running job whose claim is stale counts as due."""
    statement = (
        select(JudgeJob)
        .where(
            or_(
                (col(JudgeJob.status) == JobStatus.QUEUED.value)
                & (col(JudgeJob.next_run_at) <= now),
                (col(JudgeJob.status) == JobStatus.RUNNING.value)
                & (col(JudgeJob.updated_at) <= now - stale_after),
            )
        )
        .order_by(col(JudgeJob.next_run_at), col(JudgeJob.id))
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    job = session.exec(statement).first()
    if job is None:
        return None
    job.status = JobStatus.RUNNING.value
    job.tries += 1
    job.updated_at = now
    session.add(job)
    session.flush()
    return job


def finish_judge_job(
    *,
    session: Session,
    job_id: int,
    status: JobStatus,
    result: dict[str, Any] | None,
    rubric_version: str | None,
    error: str,
    now: datetime,
    retry_at: datetime | None = None,
) -> JudgeJob | None:
    job = session.get(JudgeJob, job_id)
    if job is None:
        return None
    job.status = status.value
    job.result = result
    job.rubric_version = rubric_version
    job.error = error[:500]
    job.updated_at = now
    if retry_at is not None:
        job.next_run_at = retry_at
    session.add(job)
    session.flush()
    return job


def get_judge_job(*, session: Session, attempt_id: uuid.UUID) -> JudgeJob | None:
    return session.exec(select(JudgeJob).where(JudgeJob.attempt_id == attempt_id)).first()


def count_judge_jobs(*, session: Session) -> dict[str, int]:
    rows = session.exec(select(JudgeJob.status)).all()
    counts: dict[str, int] = {}
    for status in rows:
        counts[status] = counts.get(status, 0) + 1
    return counts
