"""Re-grading: re-score stored attempts whose rubric changed, keeping every earlier grade."""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session

from coach.errors import InvalidInput
from coach.schemas import RegradeChange
from coach.scoring import Grade, Rubric, grade
from coach.service.questions import rubric_for, utcnow
from coach.storage import records
from coach.storage.db import read_transaction, write_transaction
from coach.storage.models import Attempt


def _change(attempt: Attempt, rubric: Rubric, new: Grade) -> RegradeChange:
    old = Grade.model_validate(attempt.grade)
    old_met, new_met = set(old.met_ids()), set(new.met_ids())
    return RegradeChange(
        attempt_id=attempt.id,
        question_id=attempt.question_id,
        old_version=attempt.rubric_version,
        new_version=rubric.version,
        old_score=attempt.score,
        new_score=new.score,
        now_met=sorted(new_met - old_met),
        now_missed=sorted(
            (old_met - new_met)
            | ({c.id for c in new.criteria} - new_met - {c.id for c in old.criteria})
        ),
    )


def regrade_attempts(
    *,
    session: Session,
    rubrics: Mapping[str, Rubric],
    max_chars: int,
    question_id: str | None = None,
) -> list[RegradeChange]:
    """Re-grade every stored attempt graded with an older rubric version, one transaction each.

    The replaced grade moves to the attempt_grade history table; nothing is overwritten.
    Attempts already at the current version are left alone, so running it twice is harmless.
    """
    question_ids = [rubric_for(rubrics, question_id).id] if question_id else sorted(rubrics)
    changes: list[RegradeChange] = []
    for qid in question_ids:
        rubric = rubrics[qid]
        with read_transaction(session):
            stale = records.list_attempts(
                session=session, question_id=qid, stale_for_version=rubric.version
            )
        for attempt in stale:
            try:
                new = grade(attempt.answer, rubric, max_chars=max_chars)
            except InvalidInput as exc:
                changes.append(
                    RegradeChange(
                        attempt_id=attempt.id,
                        question_id=qid,
                        old_version=attempt.rubric_version,
                        new_version=rubric.version,
                        old_score=attempt.score,
                        new_score=None,
                        skipped=exc.message,
                    )
                )
                continue
            change = _change(attempt, rubric, new)
            with write_transaction(session):
                current = records.get_attempt(session=session, attempt_id=attempt.id)
                if current is None or current.rubric_version == rubric.version:
                    continue  # re-graded by someone else meanwhile
                records.replace_grade(
                    session=session,
                    attempt=current,
                    grade=new.model_dump(mode="json"),
                    score=new.score,
                    rubric_version=rubric.version,
                    at=utcnow(),
                )
            changes.append(change)
    return changes
