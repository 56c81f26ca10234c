"""Review queue of probabilistic resolution: candidate pairs and the human decisions on them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "revision",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("registro_id", sa.BigInteger, nullable=False),
        sa.Column("candidato_id", sa.BigInteger, nullable=False),
        sa.Column("probabilidad", sa.Float, nullable=False),
        sa.Column(
            "creada_en", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("decision", sa.Text),
        sa.Column("decidida_en", sa.DateTime(timezone=True)),
        sa.Column("decidida_por", sa.Text),
        sa.CheckConstraint("decision IN ('misma', 'distinta')", name="revision_decision"),
        sa.CheckConstraint("registro_id <> candidato_id", name="revision_par"),
        sa.UniqueConstraint("registro_id", "candidato_id", name="revision_registro_candidato"),
        schema="padron",
    )


def downgrade() -> None:
    op.drop_table("revision", schema="padron")
