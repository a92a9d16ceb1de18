"""interview tally: answered (attempts and best score per question) and last_answer_at

Storing an answer used to re-read every earlier attempt of its interview (for the attempt number,
the progress, the transcript's score and the next answer's start). The interview now keeps
those figures itself; this migration computes them for existing interviews (self-contained here,
so later code changes cannot alter what it did).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# recreate="never": SQLite (3.35+) adds and drops these columns in place. Recreating the table
# would drop it, which the attempts' foreign key forbids.


def upgrade() -> None:
    with op.batch_alter_table("interview", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("answered", sa.JSON(), server_default="{}", nullable=False))
        batch_op.add_column(
            sa.Column("last_answer_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    _backfill()


def _backfill() -> None:
    bind = op.get_bind()
    meta = sa.MetaData()
    interview = sa.Table("interview", meta, autoload_with=bind)
    attempt = sa.Table("attempt", meta, autoload_with=bind)
    answered: dict[Any, dict[str, dict[str, Any]]] = {}
    last: dict[Any, Any] = {}
    statement = sa.select(
        attempt.c.interview_id, attempt.c.question_id, attempt.c.score, attempt.c.submitted_at
    ).where(attempt.c.interview_id.is_not(None))
    for key, question_id, score, submitted_at in bind.execute(statement):
        entry = answered.setdefault(key, {}).setdefault(
            question_id, {"attempts": 0, "best_score": score}
        )
        entry["attempts"] += 1
        entry["best_score"] = max(entry["best_score"], score)
        last[key] = submitted_at if key not in last else max(last[key], submitted_at)
    for key, tally in answered.items():
        bind.execute(
            interview.update().where(interview.c.id == key),
            {"answered": tally, "last_answer_at": last[key]},
        )


def downgrade() -> None:
    with op.batch_alter_table("interview", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("last_answer_at")
        batch_op.drop_column("answered")
