"""Storage: SQLModel tables, engines and sessions, keyword-only data functions, migrations."""

from coach.storage.db import make_engine, new_session, read_transaction, write_transaction
from coach.storage.models import Attempt, AttemptGrade, Client, Interview

__all__ = [
    "Attempt",
    "AttemptGrade",
    "Client",
    "Interview",
    "make_engine",
    "new_session",
    "read_transaction",
    "write_transaction",
]
