"""Engines and sessions, built from a URL (no import-time engine).

SQLite gets WAL, synchronous=NORMAL, a busy timeout and foreign keys on every connection, and
every transaction starts with BEGIN IMMEDIATE: a deferred transaction that reads and then writes
fails at once with "database is locked", ignoring the busy timeout (see DESIGN.md, Storage).
Read-only work opts into a deferred BEGIN with `read_transaction`, so readers never queue
behind writers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

SQLITE_BUSY_TIMEOUT_MS = 15_000
_BEGIN_OPTION = "coach_sqlite_begin"
_BEGIN_MODES = {"IMMEDIATE", "DEFERRED"}


class JSONText(str):
    """Text that is JSON already (e.g. pydantic's `model_dump_json`): a JSON column stores it as
    it is instead of encoding it a second time."""

    __slots__ = ()


def _json_serializer(value: Any) -> str:
    return value if isinstance(value, JSONText) else json.dumps(value)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _ensure_sqlite_directory(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" hook issue BEGIN itself instead of pysqlite's implicit BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _on_sqlite_begin(connection: Any) -> None:
    mode = connection.get_execution_options().get(_BEGIN_OPTION, "IMMEDIATE")
    if mode not in _BEGIN_MODES:
        raise ValueError(f"unknown SQLite BEGIN mode {mode!r}")
    connection.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; creates the folder of a SQLite file database if needed."""
    kwargs.setdefault("json_serializer", _json_serializer)
    if not is_sqlite(url):
        return create_engine(url, pool_pre_ping=True, **kwargs)
    _ensure_sqlite_directory(url)
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def new_session(engine: Engine) -> Session:
    """A session whose objects stay readable after commit (the service returns them)."""
    return Session(engine, expire_on_commit=False)


@contextmanager
def read_transaction(session: Session) -> Iterator[Session]:
    """A transaction that only reads: deferred BEGIN on SQLite, so it never waits for writers."""
    with session.begin():
        session.connection(execution_options={_BEGIN_OPTION: "DEFERRED"})
        yield session


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """A transaction that writes: BEGIN IMMEDIATE on SQLite; commits, or rolls back on error."""
    with session.begin():
        yield session
