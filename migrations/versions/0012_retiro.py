"""Withdrawn batches, and the records a period's coverage was computed from.

A withdrawn batch keeps its row in ``padron.carga`` (who withdrew it, when and why) and its
file in ``padron.carga_archivo``: its records, rejects and everything derived from them are
gone, but what was received can still be exported. ``analisis.refresco.registros_total``
counts every record of a program and period, placed or not, so that the share of placed
records tells a usable period from one whose records could not be placed.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("carga", sa.Column("retirada_en", sa.DateTime(timezone=True)), schema="padron")
    op.add_column("carga", sa.Column("retirada_por", sa.Text), schema="padron")
    op.add_column("carga", sa.Column("motivo_retiro", sa.Text), schema="padron")
    # The same file may be sent again once its batch is withdrawn.
    op.execute("DROP INDEX padron.carga_mismo_archivo")
    op.execute(
        "CREATE UNIQUE INDEX carga_mismo_archivo ON padron.carga "
        "(programa, coalesce(periodo, ''), sha256) WHERE retirada_en IS NULL"
    )
    op.add_column(
        "refresco",
        sa.Column("registros_total", sa.Integer, nullable=False, server_default="0"),
        schema="analisis",
    )
    # Until each pair is refreshed again, its placed records are all that is known.
    op.execute("UPDATE analisis.refresco SET registros_total = registros")
    op.alter_column("refresco", "registros_total", server_default=None, schema="analisis")


def downgrade() -> None:
    op.drop_column("refresco", "registros_total", schema="analisis")
    op.execute("DROP INDEX padron.carga_mismo_archivo")
    op.execute(
        "CREATE UNIQUE INDEX carga_mismo_archivo ON padron.carga "
        "(programa, coalesce(periodo, ''), sha256)"
    )
    op.drop_column("carga", "motivo_retiro", schema="padron")
    op.drop_column("carga", "retirada_por", schema="padron")
    op.drop_column("carga", "retirada_en", schema="padron")
