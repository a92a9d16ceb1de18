"""Keyword-only data functions for a browser's practice: its attempts, found by token hash."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session, col, select

from coach.storage.models import Attempt


def token_attempt_scores(
    *, session: Session, token_hash: str
) -> list[tuple[uuid.UUID, str, float, datetime]]:
    """(id, question id, score, submitted_at) of the attempts a token opens, oldest first.

    No answer text or grade JSON: the home page needs only scores.
    """
    statement = (
        select(Attempt.id, Attempt.question_id, Attempt.score, Attempt.submitted_at)
        .where(Attempt.token_hash == token_hash)
        .order_by(col(Attempt.submitted_at), col(Attempt.id))
    )
    return [(a, q, s, t) for a, q, s, t in session.exec(statement).all()]
