"""Storage: SQLModel tables, engines and sessions, keyword-only data functions, migrations."""

from coach.storage.db import make_engine, new_session, read_transaction, write_transaction
from coach.storage.judging import JobStatus, JudgeJob
from coach.storage.models import Attempt, AttemptGrade, Client, Interview
from coach.storage.review import (
    AuditEvent,
    LoginThrottle,
    Review,
    Reviewer,
    ReviewerSession,
    ReviewerToken,
    Transcript,
)

__all__ = [
    "Attempt",
    "AttemptGrade",
    "AuditEvent",
    "Client",
    "Interview",
    "JobStatus",
    "JudgeJob",
    "LoginThrottle",
    "Review",
    "Reviewer",
    "ReviewerSession",
    "ReviewerToken",
    "Transcript",
    "make_engine",
    "new_session",
    "read_transaction",
    "write_transaction",
]
