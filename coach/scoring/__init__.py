"""Pure grading: answer text + Rubric -> Grade. No I/O beyond reading rubric files, no clock,
no environment, no web/DB/HTTP imports (a test enforces it)."""

from coach.scoring.grader import check_answer, grade, prepare
from coach.scoring.result import (
    Evidence,
    Flag,
    Grade,
    MisconceptionResult,
    Status,
    band_for,
)
from coach.scoring.rubric import Rubric, load_rubric, load_rubrics, parse_rubric

__all__ = [
    "Evidence",
    "Flag",
    "Grade",
    "MisconceptionResult",
    "Rubric",
    "Status",
    "band_for",
    "check_answer",
    "grade",
    "load_rubric",
    "load_rubrics",
    "parse_rubric",
    "prepare",
]
