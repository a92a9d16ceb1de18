"""Grading benchmark: median and p99 time of grade() per rubric, and grades/second on one core.

Prints, for each rubric, its excellent example (~300 words) graded repeatedly, a 2,000-word
answer built from its own examples, and all its example and held-out answers graded in turn
("N answers": words is their median length), plus the time to reject a 1 MB answer.
Target: median under 2 ms for a typical 300-word answer.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import yaml

from coach.config import Settings
from coach.errors import AnswerTooLong
from coach.scoring import Rubric, grade, load_rubrics

ROUNDS = 200
HELDOUT = Path(__file__).resolve().parent.parent / "tests" / "scoring" / "heldout"
TARGET_MEDIAN_MS = 2.0


def _long_answer(rubric: Rubric, words: int = 2000) -> str:
    parts: list[str] = []
    pool = [e.answer for e in rubric.examples if e.id not in ("injection", "keyword-salad")]
    while sum(len(p.split()) for p in parts) < words:
        parts.append(pool[len(parts) % len(pool)])
    return " ".join(" ".join(parts).split()[:words])


def _rotation(answers: list[str], rubric: Rubric, rounds: int) -> list[float]:
    """Time the answers in turn (with several, nothing is graded twice in a row), after one
    untimed grade of each that warms the rubric's concept index."""
    for answer in answers:
        grade(answer, rubric)
    out = []
    for i in range(rounds):
        answer = answers[i % len(answers)]
        started = time.perf_counter()
        grade(answer, rubric)
        out.append((time.perf_counter() - started) * 1000)
    return out


def _all_answers(rubric: Rubric) -> list[str]:
    """The rubric's own examples and its held-out answers, written in other voices."""
    answers = [e.answer for e in rubric.examples]
    heldout = HELDOUT / f"{rubric.id}.yaml"
    if heldout.exists():
        answers += [item["answer"] for item in yaml.safe_load(heldout.read_text("utf-8"))]
    return answers


def _p99(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.99) - 1)]


def _row(rubric_id: str, label: str, words: int, t: list[float]) -> None:
    print(
        f"{rubric_id:<32}{label:<14}{words:>6}{statistics.median(t):>11.2f}"
        f"{_p99(t):>9.2f}{1000 / statistics.mean(t):>10.0f}"
    )


def main() -> None:
    rubrics = load_rubrics(Settings().rubrics_dir)
    print("== grading: grade() on one core ==")
    print(f"{'rubric':<32}{'answer':<14}{'words':>6}{'median ms':>11}{'p99 ms':>9}{'grades/s':>10}")
    medians_300: list[float] = []
    for rubric in rubrics.values():
        excellent = next(e.answer for e in rubric.examples if e.id == "excellent")
        for label, answer, rounds in (
            ("excellent", excellent, ROUNDS),
            ("2000 words", _long_answer(rubric), ROUNDS // 4),
        ):
            t = _rotation([answer], rubric, rounds)
            if label == "excellent":
                medians_300.append(statistics.median(t))
            _row(rubric.id, label, len(answer.split()), t)
        answers = _all_answers(rubric)
        words = int(statistics.median(len(a.split()) for a in answers))
        _row(rubric.id, f"{len(answers)} answers", words, _rotation(answers, rubric, ROUNDS))
    huge = "NVLink is 900 GB/s inside the node. " * 30_000
    started = time.perf_counter()
    for _ in range(100):
        try:
            grade(huge, next(iter(rubrics.values())))
        except AnswerTooLong:
            pass
    reject_ms = (time.perf_counter() - started) * 10
    worst = max(medians_300)
    verdict = "meets" if worst < TARGET_MEDIAN_MS else "MISSES"
    print(f"1 MB answer rejected in {reject_ms:.3f} ms")
    print(
        f"typical answer: worst median {worst:.2f} ms ({verdict} the {TARGET_MEDIAN_MS} ms target)"
    )


if __name__ == "__main__":
    main()
