"""The end-of-interview report: pure aggregation of stored grades (no I/O).

Policy: per question the *best* attempt counts for dimensions and the things to work on (the
candidate showed they can do it); the latest is shown beside it. A habit counts as shown when its
average across the answered questions that assess it is at least HABIT_SHOWN_AT.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime

from pydantic import BaseModel

from coach.schemas import InterviewState
from coach.scoring import Grade, Rubric
from coach.scoring.rubric import SHARED_DIMENSIONS
from coach.storage.models import Attempt, Interview

HABIT_SHOWN_AT = 50.0
WORK_ITEMS = 3


class QuestionResult(BaseModel):
    question_id: str
    title: str
    attempts: int
    best_score: float | None
    best_band: str | None
    best_attempt_id: uuid.UUID | None
    latest_score: float | None
    latest_attempt_id: uuid.UUID | None
    model_answer: str
    """Revealed now that the interview is over."""
    why_strong: str


class DimensionAverage(BaseModel):
    id: str
    title: str
    average: float | None
    """Mean of this dimension's score over the best attempts of the questions that assess it."""
    questions: int
    """How many answered questions assess it."""


class HabitResult(DimensionAverage):
    shown: bool | None
    """True when the average reaches HABIT_SHOWN_AT; None when no answered question assesses it."""


class WorkItem(BaseModel):
    question_id: str
    criterion_id: str
    dimension: str
    points_missed: float
    feedback: str


class Report(BaseModel):
    interview_id: uuid.UUID
    state: InterviewState
    candidate_name: str | None
    progress: str
    overall_score: float
    """Mean of the best score per question; an unanswered question counts as 0."""
    questions: list[QuestionResult]
    dimensions: list[DimensionAverage]
    habits: list[HabitResult]
    """The four habits of a strong answer: numbers, intra-vs-inter-node, memory-sizing,
    failure-modes; which ones the candidate shows and which they miss."""
    work_on: list[WorkItem]
    """The top things to work on, from the feedback of criteria the best attempts missed."""
    finished_at: datetime | None


def _best(attempts: Sequence[Attempt]) -> Attempt | None:
    # Ties go to the earlier attempt: max() keeps the first maximal element.
    return max(attempts, key=lambda a: a.score) if attempts else None


def _averages(best: Mapping[str, Grade], titles: Mapping[str, str]) -> dict[str, DimensionAverage]:
    scores: dict[str, list[float]] = {}
    for result in best.values():
        for dim in result.dimensions.values():
            scores.setdefault(dim.id, []).append(dim.score)
    out: dict[str, DimensionAverage] = {}
    for dim_id, title in titles.items():
        values = scores.get(dim_id, [])
        average = round(sum(values) / len(values), 1) if values else None
        out[dim_id] = DimensionAverage(
            id=dim_id, title=title, average=average, questions=len(values)
        )
    return out


def _work_items(best: Mapping[str, Grade]) -> list[WorkItem]:
    missed = [
        WorkItem(
            question_id=question_id,
            criterion_id=c.id,
            dimension=c.dimension,
            points_missed=c.max_points - c.points,
            feedback=c.feedback,
        )
        for question_id, result in best.items()
        for c in result.criteria
        if not c.met and c.status != "unscored"
    ]
    missed.sort(key=lambda w: (-w.points_missed, w.dimension not in SHARED_DIMENSIONS))
    seen: set[str] = set()
    items: list[WorkItem] = []
    for item in missed:
        if item.feedback not in seen:
            seen.add(item.feedback)
            items.append(item)
    return items[:WORK_ITEMS]


def _habit(average: DimensionAverage) -> HabitResult:
    shown = None if average.average is None else average.average >= HABIT_SHOWN_AT
    return HabitResult(**average.model_dump(), shown=shown)


def build_report(
    *,
    interview: Interview,
    attempts: Sequence[Attempt],
    rubrics: Mapping[str, Rubric],
    state: InterviewState,
    progress: str,
) -> Report:
    by_question: dict[str, list[Attempt]] = {q: [] for q in interview.question_ids}
    for attempt in attempts:
        by_question.setdefault(attempt.question_id, []).append(attempt)
    questions: list[QuestionResult] = []
    best_grades: dict[str, Grade] = {}
    titles: dict[str, str] = {}
    for question_id in interview.question_ids:
        rubric = rubrics[question_id]
        for dim in rubric.dimensions:
            titles.setdefault(dim.id, dim.title)
        tries = by_question[question_id]
        best, latest = _best(tries), (tries[-1] if tries else None)
        if best is not None:
            best_grades[question_id] = Grade.model_validate(best.grade)
        questions.append(
            QuestionResult(
                question_id=question_id,
                title=rubric.title,
                attempts=len(tries),
                best_score=best.score if best else None,
                best_band=best_grades[question_id].band if best else None,
                best_attempt_id=best.id if best else None,
                latest_score=latest.score if latest else None,
                latest_attempt_id=latest.id if latest else None,
                model_answer=rubric.model_answer,
                why_strong=rubric.why_strong,
            )
        )
    for habit in SHARED_DIMENSIONS:
        titles.setdefault(habit, habit)
    averages = _averages(best_grades, titles)
    habits = [_habit(averages[h]) for h in SHARED_DIMENSIONS]
    total = len(questions)
    overall = sum(q.best_score or 0.0 for q in questions) / total if total else 0.0
    return Report(
        interview_id=interview.id,
        state=state,
        candidate_name=interview.candidate_name,
        progress=progress,
        overall_score=round(overall, 1),
        questions=questions,
        dimensions=list(averages.values()),
        habits=habits,
        work_on=_work_items(best_grades),
        finished_at=interview.finished_at,
    )
