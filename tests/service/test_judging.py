"""The judge's queue: jobs survive restarts, failures retry then become unscored, verdicts are
stored beside the deterministic grade and never change the score."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from coach import service
from coach.config import Settings
from coach.judge import JudgeClient
from coach.schemas import AttemptReceipt
from coach.scoring import Grade, Rubric, Status, load_rubrics
from coach.service.judging import (
    MAX_TRIES,
    enqueue_judging,
    judge_next,
    judge_opinion,
    run_judge_worker,
)
from coach.storage import records
from coach.storage.db import write_transaction
from coach.storage.judging import JobStatus, claim_judge_job, get_judge_job

from ..conftest import Clock

ANSWER = (
    "Checkpoints are written with async checkpointing to Lustre and committed by atomic rename "
    "once every rank has finished; the resumable state is about 1.4 TB for 100B parameters."
)


@pytest.fixture
def rubrics(settings: Settings) -> dict[str, Rubric]:
    return load_rubrics(settings.rubrics_dir)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with service.open_session(engine) as session:
        yield session


def practise(session: Session, rubrics: dict[str, Rubric], clock: Clock) -> AttemptReceipt:
    return service.practise_answer(
        session=session,
        rubrics=rubrics,
        question_id="checkpointing",
        answer=ANSWER,
        max_chars=20_000,
        now=clock(),
    )


@pytest.fixture
def attempt(session: Session, rubrics: dict[str, Rubric], clock: Clock) -> tuple[uuid.UUID, Grade]:
    receipt = practise(session, rubrics, clock)
    with write_transaction(session):
        enqueue_judging(session=session, attempt_id=receipt.attempt_id, now=clock())
    return receipt.attempt_id, receipt.grade


def judge_with(handler: Callable[[httpx.Request], httpx.Response]) -> JudgeClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return JudgeClient(base_url="http://judge.test/v1", model="judge-m", http=http, timeout_s=1)


def agreeing(grade: Grade, flip: str | None = None) -> Callable[[httpx.Request], httpx.Response]:
    """A judge that agrees with the deterministic grade, except on `flip`."""
    verdicts: list[dict[str, Any]] = []
    for c in grade.criteria:
        met = c.met != (c.id == flip)
        quote = c.evidence[0].text if c.met and c.evidence else "atomic rename"
        verdicts.append({"id": c.id, "met": met, "quote": quote, "reason": "r"})
    content = json.dumps({"criteria": verdicts})
    return lambda request: httpx.Response(
        200, json={"choices": [{"message": {"content": content}}]}
    )


async def test_judge_verdicts_are_stored_beside_the_grade(
    engine: Engine,
    session: Session,
    rubrics: dict[str, Rubric],
    clock: Clock,
    attempt: tuple[uuid.UUID, Grade],
) -> None:
    attempt_id, grade = attempt
    flip = grade.criteria[0].id
    assert await judge_next(
        engine=engine, rubrics=rubrics, client=judge_with(agreeing(grade, flip)), clock=clock
    )
    opinion = judge_opinion(session=session, attempt_id=attempt_id, grade=grade)
    assert opinion is not None and opinion.status == JobStatus.DONE
    assert opinion.model == "judge-m"
    assert opinion.disagreements == [flip]
    assert opinion.agreement == pytest.approx(1 - 1 / len(grade.criteria), abs=0.01)
    with service.open_session(engine) as fresh:
        stored = records.get_attempt(session=fresh, attempt_id=attempt_id)
        assert stored is not None
        assert stored.score == grade.score and stored.grade == grade.model_dump(mode="json")
    assert not await judge_next(
        engine=engine, rubrics=rubrics, client=judge_with(agreeing(grade)), clock=clock
    )


async def test_failing_judge_retries_then_gives_unscored_verdicts_with_the_reason(
    engine: Engine,
    session: Session,
    rubrics: dict[str, Rubric],
    clock: Clock,
    attempt: tuple[uuid.UUID, Grade],
) -> None:
    attempt_id, grade = attempt
    calls = 0

    def down(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(503)

    client = judge_with(down)
    for attempt_number in range(1, MAX_TRIES + 1):
        assert await judge_next(engine=engine, rubrics=rubrics, client=client, clock=clock)
        assert not await judge_next(engine=engine, rubrics=rubrics, client=client, clock=clock)
        clock.advance(minutes=5)
        with service.open_session(engine) as fresh:
            job = get_judge_job(session=fresh, attempt_id=attempt_id)
            assert job is not None and job.tries == attempt_number
    assert calls == MAX_TRIES
    opinion = judge_opinion(session=session, attempt_id=attempt_id, grade=grade)
    assert opinion is not None and opinion.status == JobStatus.FAILED
    assert "HTTP 503" in opinion.error
    assert {v.status for v in opinion.verdicts} == {Status.UNSCORED}
    assert opinion.agreement is None


async def test_a_job_claimed_by_a_dead_worker_is_taken_again_after_its_claim_goes_stale(
    engine: Engine,
    rubrics: dict[str, Rubric],
    clock: Clock,
    attempt: tuple[uuid.UUID, Grade],
) -> None:
    attempt_id, grade = attempt

    with service.open_session(engine) as dead_worker, write_transaction(dead_worker):
        assert claim_judge_job(session=dead_worker, now=clock(), stale_after=timedelta(seconds=32))
    client = judge_with(agreeing(grade))
    assert not await judge_next(engine=engine, rubrics=rubrics, client=client, clock=clock)
    clock.advance(minutes=2)
    assert await judge_next(engine=engine, rubrics=rubrics, client=client, clock=clock)
    with service.open_session(engine) as fresh:
        job = get_judge_job(session=fresh, attempt_id=attempt_id)
        assert job is not None and job.status == JobStatus.DONE and job.tries == 2


async def test_worker_drains_the_queue_and_stops_when_told(
    engine: Engine,
    session: Session,
    rubrics: dict[str, Rubric],
    attempt: tuple[uuid.UUID, Grade],
) -> None:
    attempt_id, grade = attempt
    stop = asyncio.Event()
    worker = asyncio.create_task(
        run_judge_worker(
            engine=engine,
            rubrics=rubrics,
            client=judge_with(agreeing(grade)),
            stop=stop,
            idle_s=0.05,
        )
    )
    for _ in range(100):
        opinion = judge_opinion(session=session, attempt_id=attempt_id, grade=grade)
        if opinion is not None and opinion.status == JobStatus.DONE:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(worker, timeout=5)
    assert opinion is not None and opinion.status == JobStatus.DONE
    assert opinion.agreement == 1.0


def test_no_opinion_when_the_judge_was_never_asked(
    session: Session, rubrics: dict[str, Rubric], clock: Clock
) -> None:
    receipt = practise(session, rubrics, clock)
    assert (
        judge_opinion(session=session, attempt_id=receipt.attempt_id, grade=receipt.grade) is None
    )
