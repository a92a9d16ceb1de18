"""The tables: interview, attempt and attempt_grade (the grades an attempt had before a re-grade).

Families follow `XBase` -> `XCreate` -> `X(table=True)` -> `XPublic`. Datetimes are timezone-aware
UTC on the way in and out (SQLite keeps no offset; the column type restores it on read).
Tokens are never stored: only their SHA-256 hex digest.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

TOKEN_HASH_LENGTH = 64


class Client(StrEnum):
    """Where an attempt came from."""

    WEB = "web"
    API = "api"


class InterviewBase(SQLModel):
    candidate_name: str | None = Field(default=None, max_length=200)
    candidate_email: str | None = Field(default=None, max_length=320)
    time_limit_minutes: int | None = Field(default=None, gt=0, le=24 * 60)
    """No limit when None; answers after started_at + limit are refused (409)."""


class InterviewCreate(InterviewBase):
    question_ids: list[str]
    token_hash: str
    started_at: datetime


class Interview(InterviewBase, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    token_hash: str = Field(max_length=TOKEN_HASH_LENGTH)
    question_ids: list[str] = Field(sa_column=Column(JSON, nullable=False))
    """The questions in the order the candidate gets them."""
    started_at: datetime
    finished_at: datetime | None = None
    answered: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )
    """{question id: {"attempts": n, "best_score": x}} over the interview's attempts, kept
    current with every attempt written (so an answer never re-reads the earlier ones)."""
    last_answer_at: datetime | None = None
    """When the latest attempt was submitted: the default start of the next answer."""


class AttemptBase(SQLModel):
    question_id: str = Field(max_length=100, index=True)
    answer: str = Field(sa_column=Column(Text, nullable=False))
    """The candidate's answer, verbatim."""
    rubric_version: str = Field(max_length=64)
    """Content hash of the rubric the current grade was computed with."""
    score: float
    grade: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    """The full Grade as JSON (coach.scoring.Grade)."""
    started_at: datetime
    submitted_at: datetime = Field(index=True)
    time_taken_s: float
    client: str = Field(max_length=10)
    """web or api (a Client value)."""


class AttemptCreate(AttemptBase):
    interview_id: uuid.UUID | None = None
    token_hash: str | None = None


class Attempt(AttemptBase, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    interview_id: uuid.UUID | None = Field(
        default=None, foreign_key="interview.id", index=True, ondelete="RESTRICT"
    )
    token_hash: str | None = Field(default=None, max_length=TOKEN_HASH_LENGTH, index=True)
    """Standalone attempts only: the hash of the token that reads it (per attempt over the API;
    the browser's key for web practice, so a browser's attempts are found by it)."""
    graded_at: datetime
    """When the current grade was computed (submitted_at, or the last re-grade)."""


class AttemptGrade(SQLModel, table=True):
    """A grade an attempt had before `coach regrade` replaced it: history, never overwritten."""

    __tablename__ = "attempt_grade"

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: uuid.UUID = Field(foreign_key="attempt.id", index=True, ondelete="CASCADE")
    rubric_version: str = Field(max_length=64)
    score: float
    grade: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    graded_at: datetime
    superseded_at: datetime
