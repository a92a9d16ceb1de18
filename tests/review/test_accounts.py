"""Reviewer accounts: hashing, throttled logins, disabling, the `coach reviewer` CLI."""

from __future__ import annotations

import json

import pytest
from argon2 import PasswordHasher, Type
from httpx import AsyncClient
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from coach import service
from coach.cli import app as cli
from coach.errors import InvalidInput, TooManyRequests, Unauthorized
from coach.service import accounts
from tests.conftest import Clock
from tests.review.conftest import PASSWORD, Reviewers, log_in, seed


def test_production_hasher_is_memory_hard_argon2id() -> None:
    hasher = PasswordHasher()
    assert hasher.type is Type.ID
    assert hasher.memory_cost >= 64 * 1024  # KiB
    assert accounts.MIN_PASSWORD_CHARS >= 12


def test_passwords_are_stored_only_as_argon2id(reviewers: Reviewers, engine: Engine) -> None:
    reviewers.add("alice@example.com")
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM reviewer")).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


@pytest.mark.parametrize("password", ["short", ""])
def test_weak_passwords_are_refused(reviewers: Reviewers, password: str) -> None:
    with pytest.raises(InvalidInput):
        reviewers.add("alice@example.com", password)


def _login(engine: Engine, email: str, password: str, address: str, clock: Clock) -> str:
    with service.open_session(engine) as session:
        token, _ = accounts.log_in(
            session=session, email=email, password=password, address=address,
            now=clock.now, hours=1,
        )  # fmt: skip
    return token


def test_account_is_locked_after_repeated_failures(
    reviewers: Reviewers, engine: Engine, clock: Clock
) -> None:
    reviewers.add("alice@example.com")
    for _ in range(accounts.ACCOUNT_FAILURES):
        with pytest.raises(Unauthorized):
            _login(engine, "alice@example.com", "wrong password!", "10.0.0.1", clock)
    # the right password from another address is refused too while the account is locked
    with pytest.raises(TooManyRequests):
        _login(engine, "alice@example.com", PASSWORD, "10.0.0.2", clock)
    clock.advance(minutes=16)
    assert _login(engine, "alice@example.com", PASSWORD, "10.0.0.2", clock)


def test_an_address_is_locked_after_failures_across_accounts(
    reviewers: Reviewers, engine: Engine, clock: Clock
) -> None:
    reviewers.add("alice@example.com")
    for n in range(accounts.ADDRESS_FAILURES):
        with pytest.raises(Unauthorized):
            _login(engine, f"guess{n}@example.com", "wrong password!", "10.0.0.9", clock)
    with pytest.raises(TooManyRequests):
        _login(engine, "alice@example.com", PASSWORD, "10.0.0.9", clock)
    assert _login(engine, "alice@example.com", PASSWORD, "10.0.0.10", clock)


async def test_login_page_shows_the_lockout(client: AsyncClient, reviewers: Reviewers) -> None:
    reviewers.add("alice@example.com")
    for _ in range(accounts.ACCOUNT_FAILURES):
        await log_in(client, "alice@example.com", "wrong password!")
    response = await log_in(client, "alice@example.com")
    assert response.status_code == 429
    assert "Too many failed logins" in response.text


async def test_disabling_ends_sessions_at_once(alice: AsyncClient, reviewers: Reviewers) -> None:
    assert (await alice.get("/review/transcripts")).status_code == 200
    reviewers.disable("alice@example.com")
    response = await alice.get("/review/transcripts")
    assert response.status_code == 303
    assert (await log_in(alice, "alice@example.com")).status_code == 401


def test_cli_reviewer_add_list_disable_and_tokens(
    migrated_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_DATABASE_URL", migrated_url)
    runner = CliRunner()
    added = runner.invoke(cli, ["reviewer", "add", "Carol@Example.com", "--password-stdin"],
                          input=PASSWORD + "\n")  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "carol@example.com" in added.output
    again = runner.invoke(cli, ["reviewer", "add", "carol@example.com", "--password-stdin"],
                          input=PASSWORD + "\n")  # fmt: skip
    assert again.exit_code == 1
    prompted = runner.invoke(cli, ["reviewer", "add", "dan@example.com"],
                             input=f"{PASSWORD}\n{PASSWORD}\n")  # fmt: skip
    assert prompted.exit_code == 0, prompted.output
    assert PASSWORD not in prompted.output
    token = runner.invoke(
        cli, ["reviewer", "token", "create", "carol@example.com", "--name", "ats"]
    )
    assert token.exit_code == 0, token.output
    assert "coach_rt_" in token.output
    listed = runner.invoke(cli, ["reviewer", "list"])
    assert "carol@example.com  active" in listed.output
    disabled = runner.invoke(cli, ["reviewer", "disable", "carol@example.com"])
    assert disabled.exit_code == 0
    assert "carol@example.com  disabled" in runner.invoke(cli, ["reviewer", "list"]).output
    revoked = runner.invoke(cli, ["reviewer", "token", "revoke", "1"])
    assert revoked.exit_code == 0, revoked.output


async def test_cli_export(
    client: AsyncClient, migrated_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed(client)
    monkeypatch.setenv("COACH_DATABASE_URL", migrated_url)
    runner = CliRunner()
    jsonl = runner.invoke(cli, ["export", "--format", "jsonl"])
    assert jsonl.exit_code == 0, jsonl.output
    assert len([json.loads(line) for line in jsonl.output.splitlines()]) == 2
    later = runner.invoke(cli, ["export", "--format", "csv", "--since", "2999-01-01"])
    assert later.output.splitlines()[0].startswith("transcript_id,kind,")
    assert len(later.output.splitlines()) == 1
    bad = runner.invoke(cli, ["export", "--since", "yesterday"])
    assert bad.exit_code == 1
