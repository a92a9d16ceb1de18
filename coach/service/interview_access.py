"""Who may answer an interview, remembered per process so an answer skips a read before grading.

Only facts that never change are trusted from memory: an interview's token hash, questions,
start and time limit are fixed when it opens, and interviews are never deleted, so every worker
process may keep its own copy. The one fact that changes, `finished_at`, is re-read under the
write lock before anything is stored, and before any other error is reported (so a closed
interview still answers 409 first, exactly as without the cache).
"""

from __future__ import annotations

import threading
import uuid
from datetime import datetime

from sqlmodel import Session

from coach.service.interviews import authorized_access, ensure_open, parse_id
from coach.service.questions import token_matches
from coach.storage import records
from coach.storage.db import read_transaction
from coach.storage.records import InterviewAccess

MAX_ENTRIES = 10_000


class InterviewAccessCache:
    """A bounded map from interview id to its access facts (oldest entries go first)."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: dict[uuid.UUID, InterviewAccess] = {}
        self._max_entries = max_entries
        self._lock = threading.Lock()  # page routes answer from threadpool threads

    def get(self, interview_id: uuid.UUID) -> InterviewAccess | None:
        return self._entries.get(interview_id)

    def put(self, access: InterviewAccess) -> None:
        with self._lock:
            if access.id not in self._entries and len(self._entries) >= self._max_entries:
                del self._entries[next(iter(self._entries))]
            self._entries[access.id] = access


def access_for_answer(
    *,
    session: Session,
    interview_id: str,
    token: str,
    now: datetime,
    known: InterviewAccessCache | None,
) -> tuple[InterviewAccess, bool]:
    """The interview's access facts if the token opens it and it is open, and whether they came
    from `known` (then `finished_at` may be stale: `still_open` re-reads it)."""
    key = parse_id(interview_id)
    cached = known.get(key) if known is not None and key is not None else None
    if cached is not None and token_matches(token, cached.token_hash):
        ensure_open(cached, now)  # a finished interview stays finished; expiry is a clock matter
        return cached, True
    with read_transaction(session):
        access = authorized_access(session, interview_id, token)
    if known is not None:
        known.put(access)
    ensure_open(access, now)
    return access, False


def still_open(*, session: Session, interview_id: uuid.UUID, now: datetime) -> None:
    """Raise InterviewClosed if the interview was finished meanwhile (a fresh read)."""
    with read_transaction(session):
        access = records.get_interview_access(session=session, interview_id=interview_id)
    assert access is not None  # interviews are never deleted
    ensure_open(access, now)
