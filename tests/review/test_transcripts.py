"""The transcript summary stays current on every write, and migration 0003 backfills it."""

from __future__ import annotations

import uuid

from httpx import AsyncClient
from sqlalchemy import Engine, text
from sqlmodel import Session

from coach import service
from coach.storage.review import Transcript
from coach.storage.transcripts import sync_interview
from tests.factories import API, auth
from tests.review.conftest import seed


def transcript(engine: Engine, key: str) -> Transcript:
    with Session(engine) as session:
        row = session.get(Transcript, uuid.UUID(key))
        assert row is not None
        return row


async def test_interview_summary_follows_answers_and_finish(
    client: AsyncClient, engine: Engine
) -> None:
    seeded = await seed(client)
    row = transcript(engine, seeded.interview["id"])
    assert (row.kind, row.attempt_count, row.question_count) == ("interview", 3, 2)
    assert row.questions == ",kv-cache,checkpointing,"
    assert row.candidate_search == "ada lovelace ada@example.com"
    report = await client.post(
        f"{API}/interviews/{seeded.interview['id']}/finish", headers=auth(seeded.interview["token"])
    )
    assert report.status_code == 200
    finished = transcript(engine, seeded.interview["id"])
    assert finished.finished_at is not None
    standalone = transcript(engine, seeded.standalone["attempt_id"])
    assert (standalone.kind, standalone.band) == ("attempt", "weak")


async def test_migration_backfills_transcripts(client: AsyncClient, migrated_url: str) -> None:
    seeded = await seed(client)
    service.downgrade_schema(migrated_url, "0002")
    service.upgrade_schema(migrated_url)
    engine = service.connect(migrated_url)
    try:
        with engine.connect() as connection:
            rows = dict(
                connection.execute(text("SELECT kind, attempt_count FROM transcript")).all()
            )
        assert rows == {"interview": 3, "attempt": 1}
        row = transcript(engine, seeded.interview["id"])
        assert row.score is not None and row.band is not None
    finally:
        engine.dispose()


async def test_flags_added_answer_by_answer_equal_a_full_recompute(
    client: AsyncClient, engine: Engine
) -> None:
    # Regression: every stored answer used to re-read every earlier grade of its interview.
    seeded = await seed(client)
    incremental = transcript(engine, seeded.interview["id"]).flags
    assert incremental.strip(",")
    with Session(engine) as session, session.begin():
        sync_interview(session=session, interview_id=uuid.UUID(seeded.interview["id"]))
    assert transcript(engine, seeded.interview["id"]).flags == incremental
