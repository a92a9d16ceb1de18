"""The Grade: what every surface (CLI, API, pages, exports) renders."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class Status(StrEnum):
    """The outcome of one check. "Could not score" is not "wrong"."""

    PASS = "pass"
    FAIL = "fail"
    UNSCORED = "unscored"


class Evidence(BaseModel):
    """A span of the candidate's original text that a check relied on."""

    start: int
    """Offset of the first character in the text the candidate typed."""
    end: int
    """Offset one past the last character."""
    text: str
    """The candidate's own words at [start, end)."""


class CriterionResult(BaseModel):
    id: str
    dimension: str
    description: str
    status: Status
    """pass, fail, or unscored (the check could not run; never counted as a fail)."""
    met: bool
    points: float
    """Points earned (0 when missed)."""
    max_points: float
    evidence: list[Evidence] = Field(default_factory=list)
    feedback: str
    """The sentence the candidate reads: why it was met, or what was missing."""
    note: str = ""
    """Why a match did not count (negated, only in a keyword list, ...), or why unscored."""


class MisconceptionResult(BaseModel):
    id: str
    description: str
    penalty: float
    evidence: list[Evidence]
    correction: str
    """What is actually true, and why."""


class Flag(BaseModel):
    code: str
    """keyword_stuffing, keyword_dump, too_short, off_topic, possible_injection, dismissive,
    no_figures, wrong_claim, hidden_characters."""
    message: str
    """A plain-words explanation for the candidate and the reviewer."""
    evidence: list[Evidence] = Field(default_factory=list)


class DimensionScore(BaseModel):
    id: str
    title: str
    score: float
    """0..100: the share of this dimension's points the answer earned."""
    points: float
    max_points: float


class Grade(BaseModel):
    """The result of grading one answer against one rubric (pure and reproducible)."""

    question: str
    rubric_version: str
    """Content hash of the rubric file the grade was computed with."""
    score: float
    """0..100 after penalties and caps; never below 0."""
    band: str
    """excellent (>= 80), strong (>= 60), partial (>= 35) or weak."""
    raw_points: float
    """Points earned by criteria before penalties and caps."""
    max_points: float
    penalty_points: float
    cap: float | None = None
    """The ceiling a flag imposed on the score, if any."""
    dimensions: dict[str, DimensionScore]
    criteria: list[CriterionResult]
    misconceptions: list[MisconceptionResult]
    flags: list[Flag]
    word_count: int

    def flag_codes(self) -> list[str]:
        return [flag.code for flag in self.flags]

    def met_ids(self) -> list[str]:
        return [c.id for c in self.criteria if c.met]


BANDS: tuple[tuple[float, str], ...] = (
    (80.0, "excellent"),
    (60.0, "strong"),
    (35.0, "partial"),
    (0.0, "weak"),
)


def band_for(score: float) -> str:
    for floor, name in BANDS:
        if score >= floor:
            return name
    return "weak"
