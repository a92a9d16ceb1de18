"""`coach reviewer ...` and `coach export`: reviewer accounts, API tokens and exports.

Registered on the main `coach` app in coach/cli.py. Passwords are read from a hidden prompt or,
with --password-stdin, from standard input: never from argv, where `ps` and shell history see it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Literal, TypeVar

import typer
from sqlmodel import Session

from coach import service
from coach.config import Settings
from coach.errors import CoachError
from coach.service import accounts, export

reviewer_app = typer.Typer(help="Reviewer accounts and their API tokens.", no_args_is_help=True)
token_app = typer.Typer(help="Personal API tokens for the reviewer API.", no_args_is_help=True)
reviewer_app.add_typer(token_app, name="token")
T = TypeVar("T")


def _fail(message: str, code: int = 1) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@contextmanager
def _session() -> Iterator[Session]:
    engine = service.connect(Settings().database_url)
    try:
        service.ensure_schema_current(engine)
        with service.open_session(engine) as session:
            yield session
    finally:
        engine.dispose()


def _run(action: Callable[[Session], T]) -> T:
    try:
        with _session() as session:
            return action(session)
    except CoachError as exc:
        _fail(exc.message)
        raise  # unreachable: _fail exits


@reviewer_app.command("add")
def reviewer_add(
    email: Annotated[str, typer.Argument(help="The reviewer's email (their login).")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create a reviewer account (argon2id password hash)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    created = _run(
        lambda s: accounts.add_reviewer(
            session=s, email=email, password=password, now=service.utcnow()
        )
    )
    typer.echo(f"Added reviewer {created.email}.")


@reviewer_app.command("list")
def reviewer_list() -> None:
    """List reviewer accounts."""
    for r in _run(lambda s: accounts.list_reviewers(session=s)):
        state = f"disabled {r.disabled_at:%Y-%m-%d}" if r.disabled_at else "active"
        typer.echo(f"{r.email}  {state}  created {r.created_at:%Y-%m-%d}")


@reviewer_app.command("disable")
def reviewer_disable(email: Annotated[str, typer.Argument(help="The reviewer's email.")]) -> None:
    """Disable an account: it can no longer log in or use its tokens; its reviews stay."""
    done = _run(lambda s: accounts.disable_reviewer(session=s, email=email, now=service.utcnow()))
    typer.echo(f"Disabled {done.email}; their logins ended and their tokens stopped working.")


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Argument(help="The reviewer's email.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "cli",
) -> None:
    """Create an API token and print it once (only its hash is stored)."""
    created = _run(
        lambda s: accounts.create_api_token_for(
            session=s, email=email, name=name, now=service.utcnow()
        )
    )
    typer.echo(f"Token {created.id} ({created.name}) for {email}:", err=True)
    typer.echo(created.token)


@token_app.command("revoke")
def token_revoke(token_id: Annotated[int, typer.Argument(help="The token's id.")]) -> None:
    """Revoke an API token."""
    _run(lambda s: accounts.revoke_api_token(session=s, token_id=token_id, now=service.utcnow()))
    typer.echo(f"Revoked token {token_id}.")


def export_command(
    fmt: Annotated[
        Literal["csv", "jsonl"], typer.Option("--format", help="csv (a row per attempt) or jsonl.")
    ] = "csv",
    since: Annotated[
        str | None, typer.Option("--since", help="Only transcripts active on or after this day.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Export transcripts with grades and every review (CSV cells are spreadsheet-safe)."""
    try:
        start = (
            datetime.combine(date.fromisoformat(since), datetime.min.time(), tzinfo=UTC)
            if since
            else None
        )
    except ValueError:
        _fail(f"--since takes a day as YYYY-MM-DD, not {since!r}.")
        return

    def write(session: Session) -> None:
        chunks = export.export_transcripts(session=session, fmt=fmt, since=start)
        if output is None:
            for chunk in chunks:
                sys.stdout.write(chunk)
            return
        with output.open("w", encoding="utf-8", newline="") as fh:
            for chunk in chunks:
                fh.write(chunk)

    _run(write)


def register(app: typer.Typer) -> None:
    """Add these commands to the main `coach` app."""
    app.add_typer(reviewer_app, name="reviewer")
    app.command("export")(export_command)
