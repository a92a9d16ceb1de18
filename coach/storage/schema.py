"""Alembic from code: upgrade, downgrade, and the check that the schema is not behind."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from coach.errors import SchemaBehind

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"


def alembic_config(database_url: str) -> Config:
    """The project's alembic.ini with the URL handed to migrations/env.py."""
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def head_revision(database_url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def ensure_current(engine: Engine) -> None:
    """Raise SchemaBehind, naming the fix, unless the database is at the code's head revision."""
    url = engine.url.render_as_string(hide_password=True)
    head = head_revision(url)
    current = current_revision(engine)
    if current != head:
        raise SchemaBehind(
            f"The database at {url} is at revision {current or 'none (empty)'} but the code "
            f"needs {head}: run `coach db upgrade` (or `make run`)."
        )
