"""The LLM judge as a second opinion: queue a job with each attempt, let a worker ask the judge,
store its verdicts beside the deterministic grade.

Blend policy: the judge never changes the score. The deterministic grade is the grade; the
judge's per-criterion verdicts are shown beside it, with where the two disagree, so a candidate
sees a second reading and a reviewer knows where to look. A judge that times out or answers
nonsense leaves its verdicts *unscored* with the reason.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from coach.config import Settings
from coach.judge import JudgeClient, JudgeResult, judge_http, unscored_result
from coach.schemas import JudgeOpinion
from coach.scoring import Grade, Rubric, Status
from coach.service.questions import utcnow
from coach.storage import records
from coach.storage.db import new_session, read_transaction, write_transaction
from coach.storage.judging import (
    JobStatus,
    claim_judge_job,
    enqueue_judge_job,
    finish_judge_job,
    get_judge_job,
)

logger = logging.getLogger(__name__)
MAX_TRIES = 3
RETRY_AFTER = (timedelta(seconds=30), timedelta(minutes=2))


def enqueue_judging(*, session: Session, attempt_id: uuid.UUID, now: datetime) -> None:
    """Queue the judge for an attempt, inside the caller's transaction."""
    enqueue_judge_job(session=session, attempt_id=attempt_id, now=now)


def _compare(grade: Grade, result: JudgeResult) -> tuple[float | None, list[str]]:
    met = {c.id: c.met for c in grade.criteria if c.status is not Status.UNSCORED}
    both = [v for v in result.verdicts if v.status is not Status.UNSCORED and v.id in met]
    if not both:
        return None, []
    differ = [v.id for v in both if (v.status is Status.PASS) != met[v.id]]
    return round(1 - len(differ) / len(both), 3), differ


def opinion_in(*, session: Session, attempt_id: uuid.UUID, grade: Grade) -> JudgeOpinion | None:
    """The judge's opinion of an attempt (None when it was never asked), inside the caller's
    transaction."""
    job = get_judge_job(session=session, attempt_id=attempt_id)
    if job is None:
        return None
    if job.result is None:
        return JudgeOpinion(status=job.status)
    status = job.status
    result = JudgeResult.model_validate(job.result)
    agreement, differ = _compare(grade, result)
    return JudgeOpinion(
        status=status,
        model=result.model,
        verdicts=result.verdicts,
        error=result.error,
        agreement=agreement,
        disagreements=differ,
    )


def judge_opinion(*, session: Session, attempt_id: uuid.UUID, grade: Grade) -> JudgeOpinion | None:
    """The judge's opinion of an attempt, or None when the judge was never asked."""
    with read_transaction(session):
        return opinion_in(session=session, attempt_id=attempt_id, grade=grade)


async def judge_next(
    *,
    engine: Engine,
    rubrics: Mapping[str, Rubric],
    client: JudgeClient,
    clock: Callable[[], datetime] = utcnow,
) -> bool:
    """Claim one due job, ask the judge (no transaction open meanwhile), store the answer.
    Returns False when no job was due."""
    stale_after = timedelta(seconds=2 * client.timeout_s + 30)
    with new_session(engine) as session:
        with write_transaction(session):
            job = claim_judge_job(session=session, now=clock(), stale_after=stale_after)
            if job is None or job.id is None:
                return False
            job_id, tries = job.id, job.tries
            attempt = records.get_attempt(session=session, attempt_id=job.attempt_id)
            question, answer = (attempt.question_id, attempt.answer) if attempt else ("", "")
        rubric = rubrics.get(question)
        if rubric is None:
            result = JudgeResult(model=client.model, error=f"No rubric for {question!r}.")
        else:
            result = await client.judge(rubric, answer)
        now = clock()
        if not result.error:
            status, retry_at = JobStatus.DONE, None
        elif tries < MAX_TRIES:
            status, retry_at = JobStatus.QUEUED, now + RETRY_AFTER[min(tries, 2) - 1]
        else:
            status, retry_at = JobStatus.FAILED, None
        if rubric is not None and result.error and not result.verdicts:
            result = unscored_result(rubric, client.model, result.error)
        with write_transaction(session):
            finish_judge_job(
                session=session,
                job_id=job_id,
                status=status,
                result=result.model_dump(mode="json"),
                rubric_version=rubric.version if rubric else None,
                error=result.error,
                now=now,
                retry_at=retry_at,
            )
    return True


async def run_judge_worker(
    *,
    engine: Engine,
    rubrics: Mapping[str, Rubric],
    client: JudgeClient,
    stop: asyncio.Event,
    idle_s: float = 1.0,
) -> None:
    """Work through due jobs until `stop` is set; poll every `idle_s` when there is none."""
    while not stop.is_set():
        try:
            busy = await judge_next(engine=engine, rubrics=rubrics, client=client)
        except Exception:  # a database hiccup must not kill the worker; it is logged
            logger.exception("judge worker: a job could not be processed")
            busy = False
        if not busy:
            try:
                await asyncio.wait_for(stop.wait(), timeout=idle_s)
            except TimeoutError:
                pass


@asynccontextmanager
async def judge_worker(
    *, engine: Engine, rubrics: Mapping[str, Rubric], settings: Settings
) -> AsyncIterator[None]:
    """Run the judge worker for the lifetime of the app, when a judge is configured."""
    if not settings.judge_enabled:
        yield
        return
    async with judge_http() as http:
        client = JudgeClient(
            base_url=settings.judge_base_url or "",
            model=settings.judge_model or "",
            http=http,
            api_key=settings.judge_api_key.get_secret_value() if settings.judge_api_key else None,
            timeout_s=settings.judge_timeout_s,
        )
        stop = asyncio.Event()
        task = asyncio.create_task(
            run_judge_worker(engine=engine, rubrics=rubrics, client=client, stop=stop)
        )
        try:
            yield
        finally:
            stop.set()
            try:
                await asyncio.wait_for(task, timeout=settings.judge_timeout_s + 5)
            except TimeoutError:
                task.cancel()
