"""judge jobs: the LLM judge's queue and verdicts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 20:54:53.620922
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "judge_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Uuid(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("queued_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("next_run_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("rubric_version", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempt.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("judge_job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_judge_job_attempt_id"), ["attempt_id"], unique=True)
        batch_op.create_index(batch_op.f("ix_judge_job_next_run_at"), ["next_run_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_judge_job_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("judge_job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_judge_job_status"))
        batch_op.drop_index(batch_op.f("ix_judge_job_next_run_at"))
        batch_op.drop_index(batch_op.f("ix_judge_job_attempt_id"))

    op.drop_table("judge_job")
