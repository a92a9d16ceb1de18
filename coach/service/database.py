"""Database lifecycle for the web and CLI layers, so they never reach into storage themselves."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from coach.storage import schema
from coach.storage.db import make_engine, new_session


def connect(database_url: str) -> Engine:
    """An engine for the URL (lazy: nothing connects until the first session is used)."""
    return make_engine(database_url)


def open_session(engine: Engine) -> Session:
    return new_session(engine)


def upgrade_schema(database_url: str, revision: str = "head") -> None:
    schema.upgrade(database_url, revision)


def downgrade_schema(database_url: str, revision: str) -> None:
    schema.downgrade(database_url, revision)


def schema_revisions(engine: Engine) -> tuple[str | None, str | None]:
    """(the database's revision, the code's head revision)."""
    url = engine.url.render_as_string(hide_password=False)
    return schema.current_revision(engine), schema.head_revision(url)


def ensure_schema_current(engine: Engine) -> None:
    """Raise SchemaBehind (naming `coach db upgrade`) unless the schema is at head."""
    schema.ensure_current(engine)
