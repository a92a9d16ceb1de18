"""Answers in an interview: stored with a running tally, at a cost that does not grow with the
interview, and never after the interview closed."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select
from sqlmodel import Session

from coach import service
from coach.errors import CoachError, Forbidden, InterviewClosed
from coach.schemas import InterviewOpened
from coach.scoring import Grade, Rubric, load_rubrics
from coach.service import InterviewAccessCache, attempts
from coach.storage import records
from coach.storage.db import write_transaction
from coach.storage.models import Attempt, Interview
from coach.storage.records import InterviewAccess
from coach.storage.review import Transcript
from coach.storage.transcripts import sync_interview
from tests.conftest import FIXTURE_RUBRICS
from tests.factories import CHECKPOINT_ANSWER, KV_STRONG, KV_WEAK

START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def rubrics() -> dict[str, Rubric]:
    return load_rubrics(FIXTURE_RUBRICS)


@pytest.fixture
def opened(engine: Engine, rubrics: dict[str, Rubric]) -> InterviewOpened:
    with service.open_session(engine) as session:
        return service.open_interview(session=session, rubrics=rubrics, now=START)


def submit(
    engine: Engine,
    rubrics: dict[str, Rubric],
    interview: InterviewOpened,
    question_id: str,
    text: str,
    now: datetime,
    *,
    known: InterviewAccessCache | None = None,
    token: str | None = None,
) -> Any:
    with service.open_session(engine) as session:
        return service.submit_answer(
            session=session,
            rubrics=rubrics,
            interview_id=str(interview.id),
            token=token or interview.token,
            question_id=question_id,
            answer=text,
            max_chars=20_000,
            now=now,
            known=known,
        )


def finish(
    engine: Engine, rubrics: dict[str, Rubric], interview: InterviewOpened, now: datetime
) -> None:
    """Finish the interview in a session of its own (another request, another worker)."""
    with service.open_session(engine) as session:
        service.finish_interview(
            session=session,
            rubrics=rubrics,
            interview_id=str(interview.id),
            token=interview.token,
            now=now,
        )


def count_attempts(engine: Engine) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(Attempt)).scalar_one()


def test_interview_finished_while_grading_refuses_the_answer(
    engine: Engine,
    rubrics: dict[str, Rubric],
    opened: InterviewOpened,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Regression: the re-check after grading read the interview the session already held, so an
    # interview finished during grading still took the answer.
    real_grade = attempts.grade

    def grade_while_someone_finishes(*args: Any, **kwargs: Any) -> Grade:
        finish(engine, rubrics, opened, START + timedelta(minutes=1))
        return real_grade(*args, **kwargs)

    monkeypatch.setattr(attempts, "grade", grade_while_someone_finishes)
    with pytest.raises(InterviewClosed, match="finished"):
        submit(engine, rubrics, opened, "kv-cache", KV_STRONG, START + timedelta(minutes=2))
    assert count_attempts(engine) == 0


def test_receipts_number_retries_and_time_each_answer_from_the_previous_one(
    engine: Engine, rubrics: dict[str, Rubric], opened: InterviewOpened
) -> None:
    first = submit(engine, rubrics, opened, "kv-cache", KV_WEAK, START + timedelta(minutes=3))
    retry = submit(engine, rubrics, opened, "kv-cache", KV_STRONG, START + timedelta(minutes=5))
    other = submit(
        engine, rubrics, opened, "checkpointing", CHECKPOINT_ANSWER, START + timedelta(minutes=6)
    )
    assert [r.attempt_number for r in (first, retry, other)] == [1, 2, 1]
    assert [r.time_taken_s for r in (first, retry, other)] == [180.0, 120.0, 60.0]
    assert [r.progress for r in (first, retry, other)] == [
        "1 / 2 answered",
        "1 / 2 answered",
        "2 / 2 answered",
    ]


def test_tally_and_transcript_equal_a_recount_from_the_attempts(
    engine: Engine, rubrics: dict[str, Rubric], opened: InterviewOpened
) -> None:
    answers = [("kv-cache", KV_WEAK), ("kv-cache", KV_STRONG), ("kv-cache", KV_WEAK)]
    answers += [("checkpointing", CHECKPOINT_ANSWER)]
    receipts = [
        submit(engine, rubrics, opened, q, text, START + timedelta(minutes=i + 1))
        for i, (q, text) in enumerate(answers)
    ]
    with Session(engine) as session:
        interview = session.get(Interview, opened.id)
        assert interview is not None
        incremental = (interview.answered, interview.last_answer_at)
        row = session.get(Transcript, opened.id)
        assert row is not None
        summary = (row.attempt_count, row.score, row.band, row.flags, row.last_activity_at)
    kv_scores = [r.grade.score for r in receipts[:3]]
    assert incremental == (
        {
            "kv-cache": {"attempts": 3, "best_score": max(kv_scores)},
            "checkpointing": {"attempts": 1, "best_score": receipts[3].grade.score},
        },
        START + timedelta(minutes=4),
    )
    with Session(engine) as session, write_transaction(session):
        records.recount_interview(session=session, interview_id=opened.id)
        sync_interview(session=session, interview_id=opened.id)
    with Session(engine) as session:
        interview = session.get(Interview, opened.id)
        row = session.get(Transcript, opened.id)
        assert interview is not None and row is not None
        assert (interview.answered, interview.last_answer_at) == incremental
        assert (row.attempt_count, row.score, row.band, row.flags, row.last_activity_at) == summary


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_an_answer_costs_the_same_statements_however_many_came_before(
    engine: Engine, rubrics: dict[str, Rubric], opened: InterviewOpened, statements: list[str]
) -> None:
    # Regression: every answer re-read all earlier attempts of its interview (three times).
    per_answer = []
    for i in range(12):
        statements.clear()
        submit(
            engine, rubrics, opened, "kv-cache", f"{KV_STRONG} ({i})", START + timedelta(minutes=i)
        )
        per_answer.append(list(statements))
    assert per_answer[-1] == per_answer[1]
    reads = [s for s in per_answer[-1] if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 2  # the access check before grading, the locked tally after
    writes = [s.split()[0].upper() for s in per_answer[-1] if not s.startswith(("SELECT", "BEGIN"))]
    assert writes == ["INSERT", "UPDATE", "UPDATE"]


def test_unknown_interview_is_refused_like_a_wrong_token(
    engine: Engine, rubrics: dict[str, Rubric], opened: InterviewOpened
) -> None:
    stranger = opened.model_copy(update={"id": uuid.uuid4()})
    with pytest.raises(Forbidden):
        submit(engine, rubrics, stranger, "kv-cache", KV_STRONG, START + timedelta(minutes=1))


def test_regrade_recounts_the_best_scores_of_the_interview(
    engine: Engine, rubrics: dict[str, Rubric], opened: InterviewOpened, tmp_path: Path
) -> None:
    receipt = submit(engine, rubrics, opened, "kv-cache", KV_STRONG, START + timedelta(minutes=1))
    edited = tmp_path / "rubrics"
    shutil.copytree(FIXTURE_RUBRICS, edited)
    rubric = edited / "kv-cache.yaml"  # eviction now needs a phrase the answer does not use
    rubric.write_text(
        rubric.read_text().replace(
            "eviction: [eviction, evict, lru, preemption, preempt]",
            "eviction: [sliding window eviction]",
        )
    )
    with service.open_session(engine) as session:
        [change] = service.regrade_attempts(
            session=session, rubrics=load_rubrics(edited), max_chars=20_000
        )
    assert change.new_score is not None and change.new_score < receipt.grade.score
    with Session(engine) as session:
        interview = session.get(Interview, opened.id)
        row = session.get(Transcript, opened.id)
        assert interview is not None and row is not None
        assert interview.answered == {"kv-cache": {"attempts": 1, "best_score": change.new_score}}
        assert row.score == round(change.new_score / 2, 1)


# --- the access check answered from memory (InterviewAccessCache) ------------------------------


def test_a_remembered_interview_skips_the_read_before_grading(
    engine: Engine, rubrics: dict[str, Rubric], opened: InterviewOpened, statements: list[str]
) -> None:
    known = InterviewAccessCache()
    submit(engine, rubrics, opened, "kv-cache", KV_WEAK, START + timedelta(minutes=1), known=known)
    statements.clear()
    receipt = submit(
        engine, rubrics, opened, "kv-cache", KV_STRONG, START + timedelta(minutes=2), known=known
    )
    assert receipt.attempt_number == 2
    reads = [s for s in statements if s.startswith("SELECT")]
    assert len(reads) == 1  # only the locked tally


@pytest.mark.parametrize(
    ("text", "token"),
    [(KV_STRONG, None), ("", None), ("y" * 20_001, None), (KV_STRONG, "wrong-token")],
    ids=["valid", "empty", "too-long", "wrong-token"],
)
def test_a_remembered_interview_that_was_finished_answers_as_if_nothing_was_remembered(
    engine: Engine,
    rubrics: dict[str, Rubric],
    opened: InterviewOpened,
    text: str,
    token: str | None,
) -> None:
    known = InterviewAccessCache()
    submit(engine, rubrics, opened, "kv-cache", KV_WEAK, START + timedelta(minutes=1), known=known)
    finish(engine, rubrics, opened, START + timedelta(minutes=2))  # elsewhere: a worker, a page
    outcomes = []
    for memory in (known, InterviewAccessCache()):
        with pytest.raises(CoachError) as caught:
            submit(
                engine,
                rubrics,
                opened,
                "kv-cache",
                text,
                START + timedelta(minutes=3),
                known=memory,
                token=token,
            )
        outcomes.append((type(caught.value), caught.value.message))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] is (Forbidden if token else InterviewClosed)
    assert count_attempts(engine) == 1


def test_the_cache_keeps_at_most_its_size_dropping_the_oldest() -> None:
    known = InterviewAccessCache(max_entries=2)
    entries = [
        InterviewAccess(uuid.uuid4(), "0" * 64, ["kv-cache"], START, None, None) for _ in range(3)
    ]
    for entry in entries:
        known.put(entry)
    assert [known.get(e.id) for e in entries] == [None, entries[1], entries[2]]
