"""What the review service returns and the reviewer pages, API and exports render."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from coach.schemas import JudgeOpinion
from coach.scoring import Flag, MisconceptionResult

Sort = Literal["date_desc", "date_asc", "score_desc", "score_asc"]
ReviewStatus = Literal["unreviewed", "reviewed", "mine", "not_mine"]
FLAG_CHOICES = (
    "keyword_stuffing",
    "keyword_dump",
    "possible_injection",
    "misconception",
    "too_short",
    "off_topic",
    "dismissive",
    "no_figures",
    "hidden_characters",
)
BAND_CHOICES = ("excellent", "strong", "partial", "weak")


class TranscriptQuery(BaseModel):
    """The list's filters, sort and page, as the page's form and the API's query send them."""

    candidate: str | None = Field(default=None, max_length=200)
    """A part of the candidate's name or email (case-insensitive)."""
    question: str | None = Field(default=None, max_length=100)
    score_min: float | None = Field(default=None, ge=0, le=100)
    score_max: float | None = Field(default=None, ge=0, le=100)
    band: Literal["excellent", "strong", "partial", "weak"] | None = None
    flag: str | None = Field(default=None, max_length=50)
    """keyword_stuffing, possible_injection, misconception, ..."""
    status: ReviewStatus | None = None
    """unreviewed, reviewed (by anyone), mine (I submitted), not_mine."""
    since: date | None = None
    """Activity on or after this day (UTC)."""
    until: date | None = None
    """Activity on or before this day (UTC)."""
    kind: Literal["interview", "attempt"] | None = None
    sort: Sort = "date_desc"
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=50, ge=1, le=200)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_any(cls, value: Any) -> Any:
        """A browser sends an empty field as "": that means "any", not invalid."""
        return None if isinstance(value, str) and not value.strip() else value


class Agreement(BaseModel):
    reviews: int
    """Submitted reviews."""
    reviewers_agree: bool | None
    """All reviewers on the same side (yes / no); None with fewer than two reviews."""
    coach_agree: int
    """How many reviews are on the same side as the coach's band."""


class TranscriptRow(BaseModel):
    id: uuid.UUID
    kind: str
    candidate: str
    """Name and email, or a pseudonym when the reviewer hides identities."""
    questions: list[str]
    attempt_count: int
    score: float | None
    band: str | None
    flags: list[str]
    started_at: datetime
    last_activity_at: datetime
    review_count: int
    my_review: Literal["none", "draft", "submitted"]
    agreement: Agreement | None
    """None while blind review hides it (before the reviewer submitted their own)."""


class TranscriptPage(BaseModel):
    rows: list[TranscriptRow]
    total: int
    page: int
    per_page: int
    pages: int


class Span(BaseModel):
    """A highlighted part of an answer: evidence for a criterion, misconception or flag."""

    start: int
    end: int
    kind: Literal["criterion", "misconception", "flag"]
    ref: str
    """The criterion, misconception or flag id."""


class CriterionView(BaseModel):
    id: str
    dimension: str
    description: str
    status: str
    coach_met: bool
    points: float
    max_points: float
    feedback: str
    note: str
    evidence: list[str]
    judge_status: str | None = None
    """The LLM judge's verdict (pass, fail, unscored); None when the judge was not asked."""
    judge_reason: str = ""
    judge_quote: str = ""
    override_met: bool | None = None
    """This reviewer's override; None when they kept the coach's verdict."""
    override_reason: str | None = None

    @property
    def effective_met(self) -> bool:
        return self.coach_met if self.override_met is None else self.override_met


class AttemptView(BaseModel):
    id: uuid.UUID
    question_id: str
    attempt_number: int
    """1 for the first answer to the question, 2 for the first retry, ..."""
    answer: str
    submitted_at: datetime
    time_taken_s: float
    score: float
    band: str
    reviewed_score: float
    """The coach's score moved by this reviewer's criterion overrides (caps not re-applied)."""
    criteria: list[CriterionView]
    misconceptions: list[MisconceptionResult]
    flags: list[Flag]
    spans: list[Span]
    judge: JudgeOpinion | None = None
    """The LLM judge's second opinion (status, model, agreement); None when not asked."""
    regraded: int = 0
    """How many earlier grades `coach regrade` replaced."""


class QuestionView(BaseModel):
    question_id: str
    title: str
    attempts: list[AttemptView]


class ReviewView(BaseModel):
    id: int
    reviewer: str
    mine: bool
    overrides: dict[str, dict[str, dict[str, Any]]]
    adjusted_score: float | None
    adjusted_reason: str | None
    recommendation: str | None
    notes: str
    updated_at: datetime
    submitted_at: datetime | None


class AuditView(BaseModel):
    at: datetime
    reviewer: str
    entity: str
    before: Any
    after: Any
    reason: str


class TranscriptView(BaseModel):
    row: TranscriptRow
    candidate_name: str | None
    candidate_email: str | None
    identity_hidden: bool
    questions: list[QuestionView]
    coach_recommendation: str | None
    reviewed_score: float | None
    """This reviewer's total: their adjustment, else the coach's total moved by overrides."""
    my_review: ReviewView | None
    other_reviews: list[ReviewView]
    hidden_reviews: int
    """Other reviewers' verdicts blind review keeps from this reviewer until they submit."""
    audit: list[AuditView]
    blind: bool
