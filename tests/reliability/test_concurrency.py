"""No data lost under concurrency: 200 answers from 20 clients to one interview."""

from __future__ import annotations

import asyncio
import json
import uuid

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from coach.storage.models import Attempt
from tests.factories import API, KV_STRONG, KV_WEAK, auth, open_interview

CLIENTS = 20
ANSWERS_EACH = 10


async def test_200_concurrent_answers_are_each_stored_exactly_once(
    app: FastAPI, engine: Engine
) -> None:
    """On the SQLite file database (and PostgreSQL when configured); every 201 is stored once."""
    async with AsyncClient(transport=ASGITransport(app), base_url="http://coach.test") as setup:
        interview = await open_interview(setup)

    async def candidate(n: int) -> list[tuple[int, str, str]]:
        acknowledged = []
        async with AsyncClient(transport=ASGITransport(app), base_url="http://coach.test") as c:
            for i in range(ANSWERS_EACH):
                text = f"{KV_STRONG if i % 2 else KV_WEAK} (client {n}, answer {i})"
                response = await c.post(
                    f"{API}/interviews/{interview['id']}/answers",
                    json={"question_id": "kv-cache", "answer": text},
                    headers=auth(interview["token"]),
                )
                acknowledged.append((response.status_code, response.text, text))
        return acknowledged

    results = [r for batch in await asyncio.gather(*map(candidate, range(CLIENTS))) for r in batch]
    failures = [(status, body) for status, body, _ in results if status != 201]
    assert failures == []
    acknowledged = {uuid.UUID(json.loads(body)["attempt_id"]): text for _, body, text in results}
    with Session(engine) as session:
        stored = session.exec(
            select(Attempt).where(Attempt.interview_id == uuid.UUID(interview["id"]))
        ).all()
    assert len(stored) == CLIENTS * ANSWERS_EACH
    assert {a.id: a.answer for a in stored} == acknowledged
