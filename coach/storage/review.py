"""Tables for hiring-team review.

    reviewer           an account (email + argon2id hash); disabled, never deleted
    reviewer_session   a login: the SHA-256 of the cookie's token, with an expiry
    reviewer_token     a personal API token (SHA-256 stored), revocable
    login_throttle     failed logins per account and per client address
    transcript         one row per interview or standalone attempt: what the list filters on,
                       kept current by coach.storage.transcripts on every attempt write
    review             one reviewer's verdict on one transcript: criterion overrides, an adjusted
                       total, a recommendation and notes; submitted_at once submitted
    audit_event        every change a reviewer made: who, when, what, before, after, why

Datetimes are timezone-aware UTC. Secrets (passwords, session and API tokens) are never stored.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

TOKEN_HASH_LENGTH = 64


class Recommendation(StrEnum):
    """The four-point scale of an overall verdict."""

    STRONG_NO = "strong_no"
    NO = "no"
    YES = "yes"
    STRONG_YES = "strong_yes"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @property
    def is_yes(self) -> bool:
        return self in (Recommendation.YES, Recommendation.STRONG_YES)


class TranscriptKind(StrEnum):
    INTERVIEW = "interview"
    ATTEMPT = "attempt"


class ReviewerBase(SQLModel):
    email: str = Field(max_length=320, unique=True, index=True)
    """Lower-cased; the login name."""


class ReviewerCreate(ReviewerBase):
    password_hash: str
    created_at: datetime


class Reviewer(ReviewerBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=200)
    """argon2id, in the PHC string format (parameters and salt included)."""
    created_at: datetime
    disabled_at: datetime | None = None
    """A disabled reviewer can neither log in nor use a token; their reviews stay."""
    hide_candidate: bool = False
    """Their preference: hide candidates' names and emails while reviewing."""


class ReviewerPublic(ReviewerBase):
    id: int
    created_at: datetime
    disabled_at: datetime | None
    hide_candidate: bool


class ReviewerSession(SQLModel, table=True):
    __tablename__ = "reviewer_session"

    token_hash: str = Field(primary_key=True, max_length=TOKEN_HASH_LENGTH)
    reviewer_id: int = Field(foreign_key="reviewer.id", index=True, ondelete="CASCADE")
    created_at: datetime
    expires_at: datetime


class ReviewerToken(SQLModel, table=True):
    __tablename__ = "reviewer_token"

    id: int | None = Field(default=None, primary_key=True)
    reviewer_id: int = Field(foreign_key="reviewer.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=TOKEN_HASH_LENGTH, unique=True, index=True)
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class LoginThrottle(SQLModel, table=True):
    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=400)
    """"account:<email>" or "address:<client address>"."""
    failures: int = 0
    window_started_at: datetime
    locked_until: datetime | None = None


class Transcript(SQLModel, table=True):
    """A denormalised summary of one interview or standalone attempt, for the list's filters."""

    # One index per sort (with id, the tie-breaker, so deep pages read ids from the index
    # alone) and per common filter-then-sort pair; measured by bench/review.py.
    __table_args__ = (
        Index("ix_transcript_activity", "last_activity_at", "id"),
        Index("ix_transcript_score", "score", "id"),
        Index("ix_transcript_band_activity", "band", "last_activity_at", "id"),
        Index("ix_transcript_band_score", "band", "score", "id"),
        Index("ix_transcript_reviews_activity", "review_count", "last_activity_at", "id"),
    )

    id: uuid.UUID = Field(primary_key=True)
    """The interview's id, or the standalone attempt's id."""
    kind: str = Field(max_length=10)
    """interview or attempt (a TranscriptKind value)."""
    candidate_name: str | None = Field(default=None, max_length=200)
    candidate_email: str | None = Field(default=None, max_length=320)
    candidate_search: str = Field(default="", max_length=530)
    """Name and email, lower-cased, for the candidate filter."""
    questions: str = Field(default=",", max_length=2000)
    """",id1,id2," so one question is found with LIKE '%,id,%'."""
    question_count: int = 0
    attempt_count: int = 0
    score: float | None = None
    """Interviews: mean of the best score per question, unanswered counting 0 (as the report)."""
    band: str | None = Field(default=None, max_length=20)
    flags: str = Field(default=",", max_length=1000)
    """",keyword_stuffing,misconception," over every attempt; misconception if any was found."""
    started_at: datetime
    last_activity_at: datetime
    finished_at: datetime | None = None
    review_count: int = 0
    """Submitted reviews."""
    yes_count: int = 0
    """Submitted reviews recommending yes or strong yes."""


class Review(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("transcript_id", "reviewer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    transcript_id: uuid.UUID = Field(foreign_key="transcript.id", index=True, ondelete="CASCADE")
    reviewer_id: int = Field(foreign_key="reviewer.id", index=True, ondelete="RESTRICT")
    overrides: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    """{attempt id: {criterion id: {"met": bool, "reason": str}}}; the grade itself is kept."""
    adjusted_score: float | None = None
    """The reviewer's total for the transcript, when they changed it."""
    adjusted_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    recommendation: str | None = Field(default=None, max_length=20)
    """A Recommendation value."""
    notes: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None = None
    """Set on submission; other reviewers' verdicts become visible to this reviewer then."""


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    reviewer_id: int = Field(foreign_key="reviewer.id", index=True, ondelete="RESTRICT")
    transcript_id: uuid.UUID = Field(foreign_key="transcript.id", index=True, ondelete="CASCADE")
    review_id: int = Field(foreign_key="review.id", index=True, ondelete="CASCADE")
    entity: str = Field(max_length=200)
    """What changed: "criterion <attempt>/<criterion>", "score", "recommendation", "notes",
    "submitted"."""
    before: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))
