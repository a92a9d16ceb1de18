"""Alembic: empty -> head, head -> base -> head, no drift from the models, schema checks."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import Session, SQLModel

from coach import service
from coach.errors import SchemaBehind
from coach.scoring import load_rubrics
from coach.storage import models  # noqa: F401  (registers the tables)
from coach.storage.models import Interview
from tests.conftest import FIXTURE_RUBRICS
from tests.factories import KV_STRONG, KV_WEAK

TABLES = {"interview", "attempt", "attempt_grade", "alembic_version"}
"""The tables this suite relies on (later migrations add more)."""


def table_names(url: str) -> set[str]:
    engine = service.connect(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_from_empty_creates_every_table_and_index(database_url: str) -> None:
    service.upgrade_schema(database_url)
    assert TABLES <= table_names(database_url)
    engine = service.connect(database_url)
    try:
        indexed = {tuple(i["column_names"]) for i in inspect(engine).get_indexes("attempt")}
    finally:
        engine.dispose()
    assert {("question_id",), ("submitted_at",), ("interview_id",)} <= indexed


def test_downgrade_to_base_and_up_again(database_url: str) -> None:
    service.upgrade_schema(database_url)
    service.downgrade_schema(database_url, "base")
    assert table_names(database_url) <= {"alembic_version"}
    service.upgrade_schema(database_url)
    assert TABLES <= table_names(database_url)


def test_models_and_migrations_do_not_drift(migrated_url: str) -> None:
    engine = service.connect(migrated_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
    assert diff == []


@pytest.mark.parametrize("migrate", [False, True], ids=["empty", "at-head"])
def test_schema_check_names_the_command_that_fixes_it(database_url: str, migrate: bool) -> None:
    if migrate:
        service.upgrade_schema(database_url)
    engine = service.connect(database_url)
    try:
        if migrate:
            service.ensure_schema_current(engine)
            return
        with pytest.raises(SchemaBehind) as caught:
            service.ensure_schema_current(engine)
    finally:
        engine.dispose()
    assert "coach db upgrade" in caught.value.message
    assert "revision none" in caught.value.message


def test_migration_0005_computes_the_tally_of_existing_interviews(migrated_url: str) -> None:
    rubrics = load_rubrics(FIXTURE_RUBRICS)
    start = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    engine = service.connect(migrated_url)
    try:
        with service.open_session(engine) as session:
            opened = service.open_interview(session=session, rubrics=rubrics, now=start)
            for minutes, text in [(1, KV_WEAK), (2, KV_STRONG)]:
                service.submit_answer(
                    session=session,
                    rubrics=rubrics,
                    interview_id=str(opened.id),
                    token=opened.token,
                    question_id="kv-cache",
                    answer=text,
                    max_chars=20_000,
                    now=start + timedelta(minutes=minutes),
                )
            kept = tally(session, opened.id)
        service.downgrade_schema(migrated_url, "0004")
        service.upgrade_schema(migrated_url)
        with service.open_session(engine) as session:
            assert tally(session, opened.id) == kept
    finally:
        engine.dispose()
    assert kept[0]["kv-cache"]["attempts"] == 2
    assert kept[1] == start + timedelta(minutes=2)


def tally(session: Session, interview_id: uuid.UUID) -> tuple[Any, Any]:
    interview = session.get(Interview, interview_id, populate_existing=True)
    assert interview is not None
    return interview.answered, interview.last_answer_at
