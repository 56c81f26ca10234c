"""The review queue keeps why a pair is doubtful: each comparison's level and weight.

``padron.revision.detalle`` (JSONB): ``{"peso_previo": bits, "comparaciones": {name: {"nivel":
level, "peso": bits}}}`` as scored when the pair was queued, so that a reviewer sees the evidence
beside the two records. Pairs queued before this revision have none.

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("revision", sa.Column("detalle", JSONB), schema="padron")


def downgrade() -> None:
    op.drop_column("revision", "detalle", schema="padron")
