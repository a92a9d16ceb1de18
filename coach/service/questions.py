"""Shared by the service modules: clock, tokens, question lookup and the public question view."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime

from coach.errors import UnknownQuestion
from coach.schemas import DimensionPublic, QuestionPublic
from coach.scoring import Grade, Rubric, grade

QUESTION_ORDER = (
    "gpu-cluster-networking",
    "distributed-training-sharding",
    "checkpointing",
    "kv-cache",
    "pd-disaggregation",
)


def utcnow() -> datetime:
    return datetime.now(UTC)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """An unguessable token and the hash that is stored instead of it."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def token_matches(token: str, token_hash: str | None) -> bool:
    """Constant-time comparison of a presented token with a stored hash."""
    return token_hash is not None and hmac.compare_digest(hash_token(token), token_hash)


def ordered_ids(rubrics: Mapping[str, Rubric]) -> list[str]:
    """The five questions in interview order, then any other rubric by id."""
    known = [q for q in QUESTION_ORDER if q in rubrics]
    return known + sorted(set(rubrics) - set(known))


def rubric_for(rubrics: Mapping[str, Rubric], question_id: str) -> Rubric:
    if question_id not in rubrics:
        raise UnknownQuestion(question_id, rubrics)
    return rubrics[question_id]


def question_public(rubric: Rubric) -> QuestionPublic:
    return QuestionPublic(
        id=rubric.id,
        title=rubric.title,
        topic=rubric.topic,
        question=rubric.question,
        suggested_minutes=rubric.suggested_minutes,
        dimensions=[
            DimensionPublic(id=d.id, title=d.title, description=d.description)
            for d in rubric.dimensions
        ],
        rubric_version=rubric.version,
    )


def list_questions(*, rubrics: Mapping[str, Rubric]) -> list[QuestionPublic]:
    return [question_public(rubrics[q]) for q in ordered_ids(rubrics)]


def get_question(*, rubrics: Mapping[str, Rubric], question_id: str) -> QuestionPublic:
    return question_public(rubric_for(rubrics, question_id))


def grade_answer(
    *, rubrics: Mapping[str, Rubric], question_id: str, answer: str, max_chars: int
) -> Grade:
    """Grade one answer; nothing is stored."""
    return grade(answer, rubric_for(rubrics, question_id), max_chars=max_chars)
