"""Fixtures for reviewer pages and API: accounts, logged-in browsers, tokens, transcripts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from argon2 import PasswordHasher
from httpx import AsyncClient
from sqlalchemy import Engine

from coach import service
from coach.service import accounts
from coach.service.accounts import ReviewerPublic
from tests.conftest import Clock
from tests.factories import API, CHECKPOINT_ANSWER, KV_STRONG, KV_WEAK, answer, auth, open_interview

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


@pytest.fixture(autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """argon2id with its production cost takes ~0.5 s a hash here; tests use a cheap one."""
    production = accounts.password_hasher
    accounts.password_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    accounts._dummy_hash.cache_clear()
    yield
    accounts.password_hasher = production
    accounts._dummy_hash.cache_clear()


@dataclass
class Reviewers:
    engine: Engine

    def add(self, email: str, password: str = PASSWORD) -> ReviewerPublic:
        with service.open_session(self.engine) as session:
            return accounts.add_reviewer(
                session=session, email=email, password=password, now=service.utcnow()
            )

    def disable(self, email: str) -> None:
        with service.open_session(self.engine) as session:
            accounts.disable_reviewer(session=session, email=email, now=service.utcnow())

    def token(self, email: str, name: str = "test") -> str:
        with service.open_session(self.engine) as session:
            created = accounts.create_api_token_for(
                session=session, email=email, name=name, now=service.utcnow()
            )
        return created.token


@pytest.fixture
def reviewers(engine: Engine) -> Reviewers:
    return Reviewers(engine)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


async def log_in(client: AsyncClient, email: str, password: str = PASSWORD) -> Any:
    page = await client.get("/review/login")
    return await client.post(
        "/review/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
    )


async def page_csrf(client: AsyncClient, path: str = "/review/transcripts") -> str:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    return csrf_of(response.text)


@pytest.fixture
async def alice(client: AsyncClient, reviewers: Reviewers) -> AsyncClient:
    """The test client, logged in as alice@example.com."""
    reviewers.add("alice@example.com")
    response = await log_in(client, "alice@example.com")
    assert response.status_code == 303, response.text
    return client


@dataclass
class Seeded:
    interview: dict[str, Any]
    standalone: dict[str, Any]


async def seed(
    client: AsyncClient, name: str = "Ada Lovelace", clock: Clock | None = None
) -> Seeded:
    """An interview (kv-cache answered twice, checkpointing once) and a standalone attempt,
    a minute apart when given the app's clock."""
    interview = await open_interview(
        client,
        candidate_name=name,
        candidate_email="ada@example.com",
        question_ids=["kv-cache", "checkpointing"],
    )
    for question_id, text in (
        ("kv-cache", KV_WEAK),
        ("kv-cache", KV_STRONG),
        ("checkpointing", CHECKPOINT_ANSWER),
    ):
        if clock is not None:
            clock.advance(minutes=1)
        response = await answer(client, interview, question_id, text)
        assert response.status_code == 201, response.text
    standalone = await client.post(
        f"{API}/attempts", json={"question_id": "kv-cache", "answer": KV_WEAK}
    )
    assert standalone.status_code == 201, standalone.text
    return Seeded(interview=interview, standalone=standalone.json())


__all__ = ["PASSWORD", "Reviewers", "Seeded", "auth", "csrf_of", "log_in", "page_csrf", "seed"]
