"""Persons: stable ids that records of every program point to.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch SCHEMA public")
    op.create_table(
        "persona",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("curp", sa.String(18), unique=True),
        sa.Column(
            "creada_en", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        schema="padron",
    )
    op.create_index("registro_persona", "registro", ["persona_id"], schema="padron")
    op.create_index(
        "registro_bloque_curp",
        "registro",
        ["fecha_nacimiento", "sexo", "primer_ap_norm"],
        schema="padron",
    )


def downgrade() -> None:
    op.drop_index("registro_bloque_curp", "registro", schema="padron")
    op.drop_index("registro_persona", "registro", schema="padron")
    op.drop_table("persona", schema="padron")
