"""The result page shows the judge's opinion beside the grade, whatever state it is in."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from bs4 import BeautifulSoup
from httpx import AsyncClient
from sqlalchemy import Engine

from coach import service
from coach.judge import JudgeResult, JudgeVerdict
from coach.scoring import Status
from coach.storage.db import write_transaction
from coach.storage.judging import JobStatus, enqueue_judge_job, finish_judge_job, get_judge_job
from tests.web.pages_helpers import practise

ANSWER = (
    "Checkpoints are saved asynchronously: copy to pinned CPU memory, then write per-rank shards "
    "to Lustre with torch.distributed.checkpoint, and commit with an atomic rename once every "
    "rank has written. A resumable 100B checkpoint is about 1.4 TB."
)


async def practise_once(client: AsyncClient) -> tuple[str, str]:
    response = await practise(client, "checkpointing", ANSWER)
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    return location, location.rstrip("/").split("/")[-1]


def store_opinion(engine: Engine, attempt_id: str, status: JobStatus, **result: Any) -> None:
    with service.open_session(engine) as session, write_transaction(session):
        uid = uuid.UUID(attempt_id)
        job = get_judge_job(session=session, attempt_id=uid) or enqueue_judge_job(
            session=session, attempt_id=uid, now=service.utcnow()
        )
        assert job.id is not None
        finish_judge_job(
            session=session,
            job_id=job.id,
            status=status,
            result=JudgeResult(model="m", **result).model_dump(mode="json") if result else None,
            rubric_version=None,
            error=result.get("error", ""),
            now=service.utcnow(),
        )


async def test_no_judge_section_without_a_judge(client: AsyncClient) -> None:
    url, _ = await practise_once(client)
    page = BeautifulSoup((await client.get(url)).text, "html.parser")
    assert page.select_one("section.judge") is None


@pytest.mark.parametrize(
    ("status", "result", "expect"),
    [
        (JobStatus.QUEUED, {}, "still reading"),
        (JobStatus.FAILED, {"error": "The judge did not answer within 30 s."}, "could not score"),
    ],
)
async def test_pending_or_failed_judge_is_explained(
    client: AsyncClient,
    engine: Engine,
    status: JobStatus,
    result: dict[str, Any],
    expect: str,
) -> None:
    url, attempt_id = await practise_once(client)
    store_opinion(engine, attempt_id, status, **result)
    section = BeautifulSoup((await client.get(url)).text, "html.parser").select_one("section.judge")
    assert section is not None and section["data-judge-status"] == status.value
    assert expect in section.get_text()


async def test_done_judge_shows_each_verdict_and_where_it_differs(
    client: AsyncClient, engine: Engine
) -> None:
    url, attempt_id = await practise_once(client)
    page = BeautifulSoup((await client.get(url)).text, "html.parser")
    criteria = [li["data-criterion"] for li in page.select("li.criterion")]
    met = {li["data-criterion"] for li in page.select("li.criterion.met")}
    verdicts = [
        JudgeVerdict(id=cid, status=Status.PASS, quote="atomic rename", reason="<b>ok</b>")
        for cid in criteria
    ]
    store_opinion(engine, attempt_id, JobStatus.DONE, verdicts=verdicts)
    # agreement is computed when read, so the page matches the stored grade
    section = BeautifulSoup((await client.get(url)).text, "html.parser").select_one("section.judge")
    assert section is not None
    rows = section.select("tbody tr")
    assert [r["data-criterion"] for r in rows] == criteria
    differs = {r["data-criterion"] for r in rows if "disagree" in r["class"]}
    assert differs == set(criteria) - met
    assert section.select_one("td b") is None  # the judge's text is escaped
