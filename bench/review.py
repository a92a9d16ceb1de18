"""Review list benchmark: 100,000 attempts in a temporary SQLite database, list pages timed.

Seeds BENCH_ATTEMPTS attempts (default 100,000: half in 10,000 five-question interviews, half
standalone) with bulk inserts, plus their transcript rows, in a bounded time; then times the
reviewer list (coach.service.review.list_transcripts: the page's rows and the total count, as
the page and the API run it) for common filters and sorts, and prints median and p95 ms.

Target: p95 under 100 ms per page for every filter.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from coach import service
from coach.review_schemas import TranscriptQuery
from coach.service import accounts
from coach.service.review import list_transcripts
from coach.storage.models import Attempt, Interview
from coach.storage.review import Transcript
from coach.storage.transcripts import transcript_values

ATTEMPTS = int(os.environ.get("BENCH_ATTEMPTS", "100000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))
TARGET_P95_MS = 100.0
QUESTIONS = ["gpu-cluster-networking", "distributed-training-sharding", "checkpointing",
             "kv-cache", "pd-disaggregation"]  # fmt: skip
FLAGS = ["keyword_stuffing", "possible_injection", "too_short"]
NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Leslie"]
QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("newest first", {}),
    ("page 500", {"page": 500}),
    ("by score", {"sort": "score_desc"}),
    ("band=strong", {"band": "strong"}),
    ("score 40..60", {"score_min": 40, "score_max": 60, "sort": "score_asc"}),
    ("question=kv-cache", {"question": "kv-cache"}),
    ("flag=injection", {"flag": "possible_injection"}),
    ("flag=misconception", {"flag": "misconception"}),
    ("candidate=grace", {"candidate": "grace"}),
    ("unreviewed", {"status": "unreviewed"}),
    ("not reviewed by me", {"status": "not_mine"}),
    ("last 30 days", {"since": (datetime.now(UTC) - timedelta(days=30)).date()}),
    ("interviews, band, by score", {"kind": "interview", "band": "partial", "sort": "score_desc"}),
]


def _grade(rng: random.Random, score: float) -> tuple[dict[str, Any], list[str]]:
    flags = [f for f in FLAGS if rng.random() < 0.03]
    misconceptions = [{"id": "m"}] if rng.random() < 0.1 else []
    codes = flags + (["misconception"] if misconceptions else [])
    grade = {
        "score": score,
        "flags": [{"code": f} for f in flags],
        "misconceptions": misconceptions,
    }
    return grade, codes


def seed(url: str, attempts: int, rng: random.Random) -> None:
    engine = service.connect(url)
    now = datetime.now(UTC)
    interview_rows: list[dict[str, Any]] = []
    attempt_rows: list[dict[str, Any]] = []
    transcript_rows: list[dict[str, Any]] = []

    def attempt(question: str, at: datetime, interview_id: uuid.UUID | None) -> tuple[Any, ...]:
        score = round(rng.betavariate(2, 2) * 100, 1)
        grade, codes = _grade(rng, score)
        key = uuid.uuid4()
        attempt_rows.append(
            {"id": key, "question_id": question, "answer": "An answer. " * 20,
             "rubric_version": "bench", "score": score, "grade": grade, "started_at": at,
             "submitted_at": at, "graded_at": at, "time_taken_s": 300.0, "client": "api",
             "interview_id": interview_id, "token_hash": None}
        )  # fmt: skip
        return key, score, codes

    for n in range(attempts // 10):  # interviews: 5 attempts each -> half the attempts
        start = now - timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        key = uuid.uuid4()
        name = f"{rng.choice(NAMES)} {n}"
        interview_rows.append(
            {"id": key, "candidate_name": name, "candidate_email": f"c{n}@example.com",
             "time_limit_minutes": None, "token_hash": "0" * 64, "question_ids": QUESTIONS,
             "started_at": start, "finished_at": None}
        )  # fmt: skip
        scores, flags = [], set()
        for i, question in enumerate(QUESTIONS):
            _, score, codes = attempt(question, start + timedelta(minutes=10 * i), key)
            scores.append(score)
            flags |= set(codes)
        transcript_rows.append(
            transcript_values(
                kind="interview", transcript_id=key, question_ids=QUESTIONS, attempt_count=5,
                score=round(sum(scores) / 5, 1), flags=flags, started_at=start,
                last_activity_at=start + timedelta(minutes=40), candidate_name=name,
                candidate_email=f"c{n}@example.com",
            )
        )  # fmt: skip
    while len(attempt_rows) < attempts:
        at = now - timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        question = rng.choice(QUESTIONS)
        key, score, codes = attempt(question, at, None)
        transcript_rows.append(
            transcript_values(
                kind="attempt", transcript_id=key, question_ids=[question], attempt_count=1,
                score=score, flags=codes, started_at=at, last_activity_at=at,
            )
        )  # fmt: skip
    try:
        with engine.begin() as connection:
            for table, rows in (
                (Interview.__table__, interview_rows),
                (Attempt.__table__, attempt_rows),
                (Transcript.__table__, transcript_rows),
            ):
                for i in range(0, len(rows), 5000):
                    connection.execute(insert(table), rows[i : i + 5000])  # type: ignore[arg-type]
            connection.exec_driver_sql("ANALYZE")
    finally:
        engine.dispose()


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def main() -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        service.upgrade_schema(url)
        started = time.perf_counter()
        seed(url, ATTEMPTS, rng)
        seeded_s = time.perf_counter() - started
        engine = service.connect(url)
        try:
            with service.open_session(engine) as session:
                viewer = accounts.add_reviewer(
                    session=session, email="bench@example.com", password="x" * 16,
                    now=datetime.now(UTC),
                )  # fmt: skip
                print(f"== review list: {ATTEMPTS:,} attempts (seeded in {seeded_s:.1f} s), "
                      f"SQLite, 50 rows a page, {ROUNDS} rounds ==")  # fmt: skip
                print(f"{'filter':<30}{'matches':>9}{'median ms':>11}{'p95 ms':>9}")
                worst = 0.0
                for label, params in QUERIES:
                    query = TranscriptQuery(**params)
                    times: list[float] = []
                    total = 0
                    for _ in range(ROUNDS):
                        t0 = time.perf_counter()
                        page = list_transcripts(
                            session=session, viewer=viewer, query=query, blind=True
                        )
                        times.append((time.perf_counter() - t0) * 1000)
                        total = page.total
                    p95 = _p95(times)
                    worst = max(worst, p95)
                    print(f"{label:<30}{total:>9,}{statistics.median(times):>11.1f}{p95:>9.1f}")
        finally:
            engine.dispose()
    verdict = "OK" if worst < TARGET_P95_MS else "SLOW"
    print(f"worst p95 {worst:.1f} ms; target < {TARGET_P95_MS:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
