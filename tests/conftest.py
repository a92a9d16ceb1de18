"""Shared fixtures. Keep each group together; add new groups below with a heading."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import Engine, create_engine, text

from coach import service
from coach.config import Settings
from coach.web import create_app
from coach.web.deps import get_now, get_session, get_settings

# ---------------------------------------------------------------------------------------------
# Storage and API (issue 3): one fresh database per test, SQLite file + PostgreSQL when available
# ---------------------------------------------------------------------------------------------

FIXTURE_RUBRICS = Path(__file__).resolve().parent / "fixtures" / "rubrics"
POSTGRES_URL = os.environ.get("COACH_TEST_POSTGRES_URL", "")
DATABASES = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not POSTGRES_URL, reason="COACH_TEST_POSTGRES_URL is not set"),
        ],
    ),
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Without PostgreSQL, drop the postgres half from collection instead of showing skips; the
    # terminal summary below says plainly that it did not run.
    if POSTGRES_URL:
        return
    kept = [item for item in items if "[postgres" not in item.nodeid]
    dropped = [item for item in items if "[postgres" in item.nodeid]
    if dropped:
        config.stash[_DROPPED] = len(dropped)
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


_DROPPED = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if POSTGRES_URL:
        terminalreporter.write_line(
            "PostgreSQL half: RUN against COACH_TEST_POSTGRES_URL.", green=True
        )
    elif config.stash.get(_DROPPED, 0):
        terminalreporter.write_line(
            f"PostgreSQL half NOT RUN: {config.stash[_DROPPED]} storage/API test(s) need "
            "COACH_TEST_POSTGRES_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/db); "
            "only SQLite was tested.",
            yellow=True,
            bold=True,
        )


def reset_postgres(url: str) -> None:
    """Empty the test database: drop and recreate the public schema."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file in tmp_path, or the (reset) PostgreSQL test database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'coach.db'}"
        return
    reset_postgres(POSTGRES_URL)
    yield POSTGRES_URL
    reset_postgres(POSTGRES_URL)


@pytest.fixture
def migrated_url(database_url: str) -> str:
    """The database, migrated to head with Alembic (the same path `coach db upgrade` takes)."""
    service.upgrade_schema(database_url)
    return database_url


@pytest.fixture
def engine(migrated_url: str) -> Iterator[Engine]:
    engine = service.connect(migrated_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(migrated_url: str) -> Settings:
    return Settings(database_url=migrated_url, rubrics_dir=FIXTURE_RUBRICS)


@dataclass
class Clock:
    """The app's clock in tests: starts now, ticks 1 ms a reading (like a real clock, two
    requests never share a timestamp), and jumps when told."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(settings: Settings, engine: Engine, clock: Clock) -> Iterator[FastAPI]:
    app = create_app(settings)

    def session_override() -> Iterator[Any]:
        with service.open_session(engine) as session:
            yield session

    app.dependency_overrides[get_session] = session_override
    app.dependency_overrides[get_settings] = lambda: settings
    app.dependency_overrides[get_now] = clock
    yield app
    app.state.engine.dispose()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(transport=ASGITransport(app), base_url="http://coach.test") as client:
        yield client
