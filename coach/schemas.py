"""What the service returns and the API serialises: typed, documented, one model per answer."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from coach.judge.verdicts import JudgeVerdict
from coach.scoring import Grade


class DimensionPublic(BaseModel):
    id: str
    title: str
    description: str


class QuestionPublic(BaseModel):
    """A question as a candidate sees it: no checks, no model answer."""

    id: str
    title: str
    topic: str
    question: str
    suggested_minutes: int
    dimensions: list[DimensionPublic]
    rubric_version: str
    """Content hash of the rubric answers to this question are graded with."""


class InterviewState(StrEnum):
    OPEN = "open"
    FINISHED = "finished"
    EXPIRED = "expired"
    """The time limit passed before the candidate finished."""


class QuestionProgress(BaseModel):
    id: str
    title: str
    attempts: int
    latest_score: float | None


class InterviewStatus(BaseModel):
    id: uuid.UUID
    state: InterviewState
    progress: str
    """Human-readable, e.g. "2 / 5 answered"."""
    answered: int
    total: int
    current_question: QuestionPublic | None
    """The first question without an answer yet; None when all are answered or it is closed."""
    questions: list[QuestionProgress]
    candidate_name: str | None
    started_at: datetime
    deadline: datetime | None
    """started_at + time limit; None without a limit."""
    finished_at: datetime | None


class InterviewOpened(InterviewStatus):
    token: str
    """Present it as `Authorization: Bearer <token>` on every later call. Shown only once."""


class AttemptReceipt(BaseModel):
    attempt_id: uuid.UUID
    question_id: str
    interview_id: uuid.UUID | None
    attempt_number: int
    """1 for the first answer to this question (in this interview), 2 for a retry, ..."""
    submitted_at: datetime
    time_taken_s: float
    grade: Grade
    progress: str | None = None
    """The interview's progress after this answer (interview attempts only)."""
    token: str | None = None
    """Standalone attempts only: the token that reads this attempt later. Shown only once."""


class GradeHistoryEntry(BaseModel):
    rubric_version: str
    score: float
    graded_at: datetime
    superseded_at: datetime


class JudgeOpinion(BaseModel):
    """The LLM judge's second opinion on an attempt, shown beside the deterministic grade."""

    status: str
    """queued, running, done or failed."""
    model: str = ""
    verdicts: list[JudgeVerdict] = Field(default_factory=list)
    error: str = ""
    """Why the judge could not score, if it could not; its verdicts are then unscored."""
    agreement: float | None = None
    """Share of the criteria both scored on which the judge agrees with the deterministic grade."""
    disagreements: list[str] = Field(default_factory=list)
    """Criterion ids where the two readings differ."""


class AttemptPublic(BaseModel):
    id: uuid.UUID
    question_id: str
    interview_id: uuid.UUID | None
    answer: str
    """The answer exactly as submitted."""
    rubric_version: str
    score: float
    grade: Grade
    client: str
    started_at: datetime
    submitted_at: datetime
    time_taken_s: float
    graded_at: datetime
    history: list[GradeHistoryEntry] = Field(default_factory=list)
    """Earlier grades, replaced by `coach regrade` after a rubric changed."""
    model_answer: str | None = None
    """Revealed for standalone attempts, and for interview attempts once the interview closed."""
    judge: JudgeOpinion | None = None
    """The LLM judge's opinion (None when no judge is configured). It never changes `score`."""


class RegradeChange(BaseModel):
    attempt_id: uuid.UUID
    question_id: str
    old_version: str
    new_version: str
    old_score: float | None
    new_score: float | None
    now_met: list[str] = Field(default_factory=list)
    now_missed: list[str] = Field(default_factory=list)
    skipped: str | None = None
    """Why the attempt was left as it was (e.g. its rubric no longer exists)."""

    def summary(self) -> str:
        head = f"{self.attempt_id}  {self.question_id}  {self.old_version} -> {self.new_version}"
        if self.skipped:
            return f"{head}  skipped: {self.skipped}"
        old, new = self.old_score or 0.0, self.new_score or 0.0
        parts = [f"{head}  score {old:.1f} -> {new:.1f} ({new - old:+.1f})"]
        if self.now_met:
            parts.append(f"now met: {', '.join(self.now_met)}")
        if self.now_missed:
            parts.append(f"now missed: {', '.join(self.now_missed)}")
        return "; ".join(parts)
