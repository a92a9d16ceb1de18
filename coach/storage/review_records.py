"""Keyword-only data functions for reviewers, their logins and tokens, reviews and the audit trail.

They add, read and update rows; callers (coach.service) own the transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from coach.storage.review import (
    AuditEvent,
    LoginThrottle,
    Review,
    Reviewer,
    ReviewerCreate,
    ReviewerSession,
    ReviewerToken,
)

# --- reviewers ---------------------------------------------------------------------------------


def create_reviewer(*, session: Session, reviewer_in: ReviewerCreate) -> Reviewer:
    reviewer = Reviewer.model_validate(reviewer_in)
    session.add(reviewer)
    session.flush()
    return reviewer


def get_reviewer(*, session: Session, reviewer_id: int) -> Reviewer | None:
    return session.get(Reviewer, reviewer_id)


def get_reviewer_by_email(*, session: Session, email: str) -> Reviewer | None:
    return session.exec(select(Reviewer).where(Reviewer.email == email)).first()


def list_reviewers(*, session: Session) -> Sequence[Reviewer]:
    return session.exec(select(Reviewer).order_by(col(Reviewer.email))).all()


def save_reviewer(*, session: Session, reviewer: Reviewer) -> Reviewer:
    session.add(reviewer)
    session.flush()
    return reviewer


def reviewer_emails(*, session: Session, reviewer_ids: Sequence[int]) -> dict[int, str]:
    if not reviewer_ids:
        return {}
    statement = select(Reviewer.id, Reviewer.email).where(col(Reviewer.id).in_(reviewer_ids))
    return {rid: email for rid, email in session.exec(statement).all() if rid is not None}


# --- sessions ----------------------------------------------------------------------------------


def create_login(
    *, session: Session, token_hash: str, reviewer_id: int, at: datetime, expires_at: datetime
) -> ReviewerSession:
    login = ReviewerSession(
        token_hash=token_hash, reviewer_id=reviewer_id, created_at=at, expires_at=expires_at
    )
    session.add(login)
    session.flush()
    return login


def get_login(*, session: Session, token_hash: str) -> tuple[ReviewerSession, Reviewer] | None:
    statement = (
        select(ReviewerSession, Reviewer)
        .join(Reviewer, col(Reviewer.id) == col(ReviewerSession.reviewer_id))
        .where(ReviewerSession.token_hash == token_hash)
    )
    row = session.exec(statement).first()
    return (row[0], row[1]) if row else None


def delete_login(*, session: Session, token_hash: str) -> None:
    session.execute(delete(ReviewerSession).where(col(ReviewerSession.token_hash) == token_hash))


def delete_logins(
    *, session: Session, reviewer_id: int, expired_before: datetime | None = None
) -> None:
    """Every login of a reviewer (or, with `expired_before`, only the expired ones of anyone)."""
    statement = delete(ReviewerSession)
    if expired_before is not None:
        statement = statement.where(col(ReviewerSession.expires_at) < expired_before)
    else:
        statement = statement.where(col(ReviewerSession.reviewer_id) == reviewer_id)
    session.execute(statement)


# --- API tokens --------------------------------------------------------------------------------


def create_token(
    *, session: Session, reviewer_id: int, name: str, token_hash: str, at: datetime
) -> ReviewerToken:
    token = ReviewerToken(reviewer_id=reviewer_id, name=name, token_hash=token_hash, created_at=at)
    session.add(token)
    session.flush()
    return token


def list_tokens(*, session: Session, reviewer_id: int) -> Sequence[ReviewerToken]:
    statement = (
        select(ReviewerToken)
        .where(ReviewerToken.reviewer_id == reviewer_id)
        .order_by(col(ReviewerToken.created_at).desc(), col(ReviewerToken.id).desc())
    )
    return session.exec(statement).all()


def get_token(*, session: Session, token_id: int) -> ReviewerToken | None:
    return session.get(ReviewerToken, token_id)


def get_token_by_hash(
    *, session: Session, token_hash: str
) -> tuple[ReviewerToken, Reviewer] | None:
    statement = (
        select(ReviewerToken, Reviewer)
        .join(Reviewer, col(Reviewer.id) == col(ReviewerToken.reviewer_id))
        .where(ReviewerToken.token_hash == token_hash)
    )
    row = session.exec(statement).first()
    return (row[0], row[1]) if row else None


def save_token(*, session: Session, token: ReviewerToken) -> ReviewerToken:
    session.add(token)
    session.flush()
    return token


# --- login throttle ----------------------------------------------------------------------------


def get_throttle(*, session: Session, key: str) -> LoginThrottle | None:
    return session.get(LoginThrottle, key)


def save_throttle(*, session: Session, throttle: LoginThrottle) -> None:
    session.add(throttle)
    session.flush()


def clear_throttle(*, session: Session, key: str) -> None:
    session.execute(delete(LoginThrottle).where(col(LoginThrottle.key) == key))


# --- reviews and audit -------------------------------------------------------------------------


def get_review(*, session: Session, transcript_id: uuid.UUID, reviewer_id: int) -> Review | None:
    statement = select(Review).where(
        Review.transcript_id == transcript_id, Review.reviewer_id == reviewer_id
    )
    return session.exec(statement).first()


def get_review_by_id(*, session: Session, review_id: int) -> Review | None:
    return session.get(Review, review_id)


def list_reviews(*, session: Session, transcript_id: uuid.UUID) -> Sequence[Review]:
    statement = (
        select(Review)
        .where(Review.transcript_id == transcript_id)
        .order_by(col(Review.created_at), col(Review.id))
    )
    return session.exec(statement).all()


def reviews_for(
    *, session: Session, transcript_ids: Sequence[uuid.UUID], reviewer_id: int | None = None
) -> Sequence[Review]:
    """Reviews of several transcripts (of one reviewer, when given)."""
    if not transcript_ids:
        return []
    statement = select(Review).where(col(Review.transcript_id).in_(transcript_ids))
    if reviewer_id is not None:
        statement = statement.where(Review.reviewer_id == reviewer_id)
    return session.exec(statement.order_by(col(Review.id))).all()


def save_review(*, session: Session, review: Review) -> Review:
    session.add(review)
    session.flush()
    return review


def add_audit_event(
    *,
    session: Session,
    review: Review,
    at: datetime,
    entity: str,
    before: Any,
    after: Any,
    reason: str,
) -> AuditEvent:
    assert review.id is not None
    event = AuditEvent(
        at=at,
        reviewer_id=review.reviewer_id,
        transcript_id=review.transcript_id,
        review_id=review.id,
        entity=entity,
        before=before,
        after=after,
        reason=reason,
    )
    session.add(event)
    session.flush()
    return event


def list_audit_events(*, session: Session, transcript_id: uuid.UUID) -> Sequence[AuditEvent]:
    statement = (
        select(AuditEvent)
        .where(AuditEvent.transcript_id == transcript_id)
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    )
    return session.exec(statement).all()
