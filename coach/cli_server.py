"""`coach serve`, `coach db ...` and `coach regrade`: the server and database commands.

Registered on the main `coach` app in coach/cli.py. Thin: every command calls coach.service.
"""

from __future__ import annotations

from typing import Annotated

import typer

from coach import service
from coach.config import Settings
from coach.errors import CoachError
from coach.scoring import load_rubrics

db_app = typer.Typer(help="Create and migrate the database (Alembic).", no_args_is_help=True)


def _fail(message: str, code: int = 1) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = True,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Server processes on the port, one per CPU core (grading is CPU-bound). On "
            "Linux each has its own SO_REUSEPORT socket, so the kernel spreads connections "
            "across them. More than one needs COACH_SECRET_KEY, so that every worker accepts "
            "the others' forms.",
        ),
    ] = 1,
) -> None:
    """Serve the web pages and the JSON API (refuses to start on an outdated database)."""
    import uvicorn

    from coach.web import create_app
    from coach.web.workers import BALANCED_REUSEPORT, listening_socket, serve_workers

    settings = Settings()
    if workers > 1 and not settings.secret_key.get_secret_value():
        _fail(
            f"--workers {workers} needs COACH_SECRET_KEY: without it each worker signs forms and "
            "logins with its own random key, and the others refuse them."
        )
    engine = service.connect(settings.database_url)
    try:
        service.ensure_schema_current(engine)
    except CoachError as exc:
        _fail(exc.message)
    finally:
        engine.dispose()
    try:
        app = create_app(settings)
    except CoachError as exc:
        _fail(exc.message)
    if workers == 1:
        uvicorn.run(app, host=host, port=port, access_log=access_log, log_level="info")
        return
    try:  # a port already taken fails here, with a message, rather than in every worker
        listening_socket(host, port, reuse_port=BALANCED_REUSEPORT).close()
    except OSError as exc:
        _fail(f"Cannot listen on {host}:{port}: {exc.strerror or exc}.")
    # Each worker process builds its own app (and engine) from the same environment.
    options = {"access_log": access_log, "log_level": "info"}
    raise typer.Exit(serve_workers(workers, host, port, options))


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Migrate the database (COACH_DATABASE_URL) up to the code's schema."""
    url = Settings().database_url
    service.upgrade_schema(url, revision)
    engine = service.connect(url)
    try:
        current, _ = service.schema_revisions(engine)
    finally:
        engine.dispose()
    typer.echo(f"Database is at revision {current}.")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. -1 or base.")],
) -> None:
    """Migrate the database down (data in dropped tables is lost)."""
    service.downgrade_schema(Settings().database_url, revision)
    typer.echo(f"Database downgraded to {revision}.")


@db_app.command("current")
def db_current() -> None:
    """Print the database's revision and the code's."""
    engine = service.connect(Settings().database_url)
    try:
        current, head = service.schema_revisions(engine)
    finally:
        engine.dispose()
    state = "up to date" if current == head else "behind: run `coach db upgrade`"
    typer.echo(f"database {current or 'empty'}, code {head}: {state}")


def regrade(
    question: Annotated[
        str | None, typer.Option("--question", "-q", help="Only this question id.")
    ] = None,
) -> None:
    """Re-grade stored attempts whose rubric changed; earlier grades are kept as history."""
    settings = Settings()
    engine = service.connect(settings.database_url)
    try:
        service.ensure_schema_current(engine)
        rubrics = load_rubrics(settings.rubrics_dir)
        with service.open_session(engine) as session:
            changes = service.regrade_attempts(
                session=session,
                rubrics=rubrics,
                max_chars=settings.max_answer_chars,
                question_id=question,
            )
    except CoachError as exc:
        _fail(exc.message)
    finally:
        engine.dispose()
    for change in changes:
        typer.echo(change.summary())
    skipped = sum(1 for c in changes if c.skipped)
    typer.echo(
        f"Re-graded {len(changes) - skipped} attempt(s); {skipped} skipped. "
        "Attempts already graded with the current rubric were left as they are."
    )


def register(app: typer.Typer) -> None:
    """Add these commands to the main `coach` app."""
    app.command()(serve)
    app.command()(regrade)
    app.add_typer(db_app, name="db")
