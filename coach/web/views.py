"""What the candidate pages show, built from service results: pure, no I/O, no markup."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from coach.schemas import AttemptPublic
from coach.scoring import Grade, Rubric
from coach.scoring.rubric import SHARED_DIMENSIONS
from coach.service import AttemptChange
from coach.web.highlight import Kind, refs_of, segments

HABITS = (
    ("numbers", "Give numbers", "Concrete specs: NVLink 900 GB/s, NDR InfiniBand 400 Gb/s."),
    (
        "intra-vs-inter-node",
        "Separate intra-node from inter-node",
        "NVLink/NVSwitch within a node, InfiniBand between nodes.",
    ),
    (
        "memory-sizing",
        "Size memory in GB",
        "Calculate the actual GB for the model size: interviewers want to see you size a system.",
    ),
    (
        "failure-modes",
        "Cover failure modes",
        "Atomic rename for checkpoints, what breaks and how you recover: it signals seniority.",
    ),
)
assert tuple(h[0] for h in HABITS) == SHARED_DIMENSIONS

FLAG_HEADLINES = {
    "keyword_stuffing": "This reads as a list of keywords: explain why",
    "keyword_dump": "A list of terms tacked on earns nothing",
    "too_short": "Too short to show your reasoning",
    "off_topic": "This does not answer the question asked",
    "possible_injection": "Part of this talks to the grader, not the interviewer",
    "dismissive": "This waves away what the question is about",
    "no_figures": "No numbers: size it, and give the bandwidths",
    "hidden_characters": "Invisible characters were removed",
    "wrong_claim": "A wrong claim keeps this below excellent",
}


@dataclass(frozen=True)
class Bar:
    id: str
    title: str
    score: float | None
    """0..100, or None when nothing assessed it."""


def bars_for(result: Grade, rubric: Rubric | None) -> list[Bar]:
    """One bar per dimension, in the rubric's order (the grade's order without a rubric)."""
    order = [d.id for d in rubric.dimensions] if rubric else list(result.dimensions)
    order += [d for d in result.dimensions if d not in order]
    return [
        Bar(d, result.dimensions[d].title, result.dimensions[d].score)
        for d in order
        if d in result.dimensions
    ]


def flag_headline(code: str) -> str:
    return FLAG_HEADLINES.get(code, code.replace("_", " ").capitalize())


def result_context(
    *,
    attempt: AttemptPublic,
    rubric: Rubric | None,
    change: AttemptChange | None = None,
    attempt_number: int = 1,
) -> dict[str, Any]:
    """Everything the result page renders for one attempt."""
    result = attempt.grade
    labels = {(ref.kind, ref.id): ref.label for ref, _ in refs_of(result)}
    descriptions = {c.id: c.description for c in result.criteria}
    return {
        "attempt": attempt,
        "grade": result,
        "rubric": rubric,
        "segments": segments(attempt.answer, result),
        "bars": bars_for(result, rubric),
        "met": sorted(
            (c for c in result.criteria if c.met),
            key=lambda c: int(labels.get((Kind.CRITERION, c.id), "9999")),
        ),
        "missed": sorted(
            (c for c in result.criteria if not c.met and c.status == "fail"),
            key=lambda c: -c.max_points,
        ),
        "unscored": [c for c in result.criteria if c.status == "unscored"],
        "criterion_label": {cid: lab for (k, cid), lab in labels.items() if k is Kind.CRITERION},
        "misconception_label": {
            mid: lab for (k, mid), lab in labels.items() if k is Kind.MISCONCEPTION
        },
        "flags": [(flag_headline(f.code), f) for f in result.flags],
        "change": change,
        "newly_met": [descriptions.get(c, c) for c in change.newly_met] if change else [],
        "no_longer_met": [descriptions.get(c, c) for c in change.no_longer_met] if change else [],
        "attempt_number": attempt_number,
    }


def habit_rows(averages: Mapping[str, float | None]) -> list[Bar]:
    return [Bar(h_id, title, averages.get(h_id)) for h_id, title, _ in HABITS]


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
