"""the client's own safety plan

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models  # custom column types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "safety_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("plan", app.crypto.EncryptedText(), nullable=False),
        sa.Column("updated_at", app.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["account.id"],
            name=op.f("fk_safety_plan_user_id_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_plan")),
        sa.UniqueConstraint("user_id", name=op.f("uq_safety_plan_user_id")),
    )


def downgrade() -> None:
    op.drop_table("safety_plan")
