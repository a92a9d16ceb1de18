"""Reviewer accounts: passwords (argon2id), logins with throttling, personal API tokens.

Passwords are hashed with argon2id (argon2-cffi defaults: 3 passes over 64 MiB), so a stolen
table costs an attacker memory, not just time. Logins and API tokens are random 256-bit values
of which only the SHA-256 is stored. Failed logins are counted per account and per client
address; past the limit that key is locked for a while, whatever the password.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel
from sqlmodel import Session

from coach.errors import Conflict, InvalidInput, NotFound, TooManyRequests, Unauthorized
from coach.service.questions import hash_token
from coach.storage import review_records as records
from coach.storage.db import read_transaction, write_transaction
from coach.storage.review import LoginThrottle, Reviewer, ReviewerCreate
from coach.storage.review import ReviewerPublic as ReviewerPublic

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024
ACCOUNT_FAILURES = 5
"""Failed logins per account within THROTTLE_WINDOW before it is locked."""
ADDRESS_FAILURES = 20
"""Failed logins per client address within THROTTLE_WINDOW before it is locked."""
THROTTLE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
API_TOKEN_PREFIX = "coach_rt_"
WRONG_LOGIN = "Wrong email or password."

password_hasher = PasswordHasher()


class TokenPublic(BaseModel):
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenPublic):
    token: str
    """The secret: shown once, never stored."""


@cache
def _dummy_hash() -> str:
    return password_hasher.hash(secrets.token_urlsafe(16))


def _public(reviewer: Reviewer) -> ReviewerPublic:
    return ReviewerPublic.model_validate(reviewer)


def normalise_email(email: str) -> str:
    cleaned = email.strip().lower()
    if "@" not in cleaned or len(cleaned) > 320 or any(c.isspace() for c in cleaned):
        raise InvalidInput(f"{email!r} is not an email address.")
    return cleaned


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(f"The password needs at least {MIN_PASSWORD_CHARS} characters.")
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidInput(f"The password is longer than {MAX_PASSWORD_CHARS} characters.")


def add_reviewer(*, session: Session, email: str, password: str, now: datetime) -> ReviewerPublic:
    address = normalise_email(email)
    check_password(password)
    password_hash = password_hasher.hash(password)
    with write_transaction(session):
        if records.get_reviewer_by_email(session=session, email=address) is not None:
            raise Conflict(f"A reviewer {address} already exists.")
        reviewer = records.create_reviewer(
            session=session,
            reviewer_in=ReviewerCreate(email=address, password_hash=password_hash, created_at=now),
        )
        return _public(reviewer)


def list_reviewers(*, session: Session) -> list[ReviewerPublic]:
    with read_transaction(session):
        return [_public(r) for r in records.list_reviewers(session=session)]


def disable_reviewer(*, session: Session, email: str, now: datetime) -> ReviewerPublic:
    """Disable an account: its logins end now, its tokens stop working, its reviews stay."""
    address = normalise_email(email)
    with write_transaction(session):
        reviewer = records.get_reviewer_by_email(session=session, email=address)
        if reviewer is None or reviewer.id is None:
            raise NotFound(f"No reviewer {address}.")
        if reviewer.disabled_at is None:
            reviewer.disabled_at = now
            records.save_reviewer(session=session, reviewer=reviewer)
        records.delete_logins(session=session, reviewer_id=reviewer.id)
        return _public(reviewer)


def set_hide_candidate(*, session: Session, reviewer_id: int, hide: bool) -> ReviewerPublic:
    with write_transaction(session):
        reviewer = records.get_reviewer(session=session, reviewer_id=reviewer_id)
        if reviewer is None:
            raise NotFound("No such reviewer.")
        reviewer.hide_candidate = hide
        return _public(records.save_reviewer(session=session, reviewer=reviewer))


# --- logging in --------------------------------------------------------------------------------


def _throttle_keys(email: str, address: str) -> list[tuple[str, int]]:
    return [(f"account:{email}", ACCOUNT_FAILURES), (f"address:{address}", ADDRESS_FAILURES)]


def _ensure_not_locked(session: Session, keys: list[tuple[str, int]], now: datetime) -> None:
    for key, _ in keys:
        throttle = records.get_throttle(session=session, key=key)
        if throttle and throttle.locked_until and throttle.locked_until > now:
            minutes = max(1, round((throttle.locked_until - now).total_seconds() / 60))
            raise TooManyRequests(
                f"Too many failed logins; try again in about {minutes} minute(s)."
            )


def _count_failure(session: Session, keys: list[tuple[str, int]], now: datetime) -> None:
    for key, limit in keys:
        throttle = records.get_throttle(session=session, key=key)
        if throttle is None or now - throttle.window_started_at > THROTTLE_WINDOW:
            throttle = throttle or LoginThrottle(key=key, window_started_at=now)
            throttle.failures, throttle.window_started_at = 0, now
        throttle.failures += 1
        if throttle.failures >= limit:
            throttle.locked_until = now + LOCKOUT
            throttle.failures, throttle.window_started_at = 0, now
        records.save_throttle(session=session, throttle=throttle)


def _password_ok(reviewer: Reviewer | None, password: str) -> bool:
    stored = reviewer.password_hash if reviewer else _dummy_hash()
    try:
        password_hasher.verify(stored, password[:MAX_PASSWORD_CHARS])
    except (VerificationError, InvalidHashError):
        return False
    return reviewer is not None and reviewer.disabled_at is None


def log_in(
    *,
    session: Session,
    email: str,
    password: str,
    address: str,
    now: datetime,
    hours: float,
) -> tuple[str, ReviewerPublic]:
    """A new login token for the reviewer, or Unauthorized / TooManyRequests.

    Unknown accounts, disabled accounts and wrong passwords fail alike (same message, same
    argon2 work), and all count against the throttle.
    """
    login = email.strip().lower()[:320]
    keys = _throttle_keys(login, address)
    with read_transaction(session):
        _ensure_not_locked(session, keys, now)
        reviewer = records.get_reviewer_by_email(session=session, email=login)
    if not _password_ok(reviewer, password):
        with write_transaction(session):
            _count_failure(session, keys, now)
        raise Unauthorized(WRONG_LOGIN)
    assert reviewer is not None and reviewer.id is not None
    token = secrets.token_urlsafe(32)
    with write_transaction(session):
        _ensure_not_locked(session, keys, now)
        records.clear_throttle(session=session, key=keys[0][0])
        records.delete_logins(session=session, reviewer_id=0, expired_before=now)
        if password_hasher.check_needs_rehash(reviewer.password_hash):
            reviewer.password_hash = password_hasher.hash(password)
            records.save_reviewer(session=session, reviewer=reviewer)
        records.create_login(
            session=session,
            token_hash=hash_token(token),
            reviewer_id=reviewer.id,
            at=now,
            expires_at=now + timedelta(hours=hours),
        )
    return token, _public(reviewer)


def log_out(*, session: Session, token: str) -> None:
    with write_transaction(session):
        records.delete_login(session=session, token_hash=hash_token(token))


def reviewer_for_login(*, session: Session, token: str, now: datetime) -> ReviewerPublic | None:
    """The reviewer a login cookie belongs to; None when unknown, expired or disabled."""
    if not token:
        return None
    with read_transaction(session):
        found = records.get_login(session=session, token_hash=hash_token(token))
    if found is None:
        return None
    login, reviewer = found
    if login.expires_at <= now or reviewer.disabled_at is not None:
        return None
    return _public(reviewer)


# --- API tokens --------------------------------------------------------------------------------


def _token_public(token: object) -> TokenPublic:
    return TokenPublic.model_validate(token, from_attributes=True)


def create_api_token(
    *, session: Session, reviewer_id: int, name: str, now: datetime
) -> TokenCreated:
    label = name.strip()
    if not label or len(label) > 100:
        raise InvalidInput("Name the token (1 to 100 characters), e.g. 'ATS sync'.")
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with write_transaction(session):
        reviewer = records.get_reviewer(session=session, reviewer_id=reviewer_id)
        if reviewer is None or reviewer.disabled_at is not None:
            raise NotFound("No such active reviewer.")
        token = records.create_token(
            session=session,
            reviewer_id=reviewer_id,
            name=label,
            token_hash=hash_token(secret),
            at=now,
        )
        return TokenCreated(**_token_public(token).model_dump(), token=secret)


def create_api_token_for(*, session: Session, email: str, name: str, now: datetime) -> TokenCreated:
    with read_transaction(session):
        reviewer = records.get_reviewer_by_email(session=session, email=normalise_email(email))
    if reviewer is None or reviewer.id is None:
        raise NotFound(f"No reviewer {email}.")
    return create_api_token(session=session, reviewer_id=reviewer.id, name=name, now=now)


def list_api_tokens(*, session: Session, reviewer_id: int) -> list[TokenPublic]:
    with read_transaction(session):
        return [
            _token_public(t) for t in records.list_tokens(session=session, reviewer_id=reviewer_id)
        ]


def revoke_api_token(
    *, session: Session, token_id: int, now: datetime, reviewer_id: int | None = None
) -> TokenPublic:
    """Revoke a token; with `reviewer_id`, only one of that reviewer's own (else NotFound)."""
    with write_transaction(session):
        token = records.get_token(session=session, token_id=token_id)
        if token is None or (reviewer_id is not None and token.reviewer_id != reviewer_id):
            raise NotFound(f"No token {token_id}.")
        if token.revoked_at is None:
            token.revoked_at = now
            records.save_token(session=session, token=token)
        return _token_public(token)


def reviewer_for_api_token(*, session: Session, token: str, now: datetime) -> ReviewerPublic | None:
    """The reviewer an API token belongs to; None when unknown, revoked or disabled."""
    if not token.startswith(API_TOKEN_PREFIX):
        return None
    with write_transaction(session):
        found = records.get_token_by_hash(session=session, token_hash=hash_token(token))
        if found is None:
            return None
        api_token, reviewer = found
        if api_token.revoked_at is not None or reviewer.disabled_at is not None:
            return None
        if api_token.last_used_at is None or now - api_token.last_used_at > timedelta(minutes=1):
            api_token.last_used_at = now
            records.save_token(session=session, token=api_token)
        return _public(reviewer)
