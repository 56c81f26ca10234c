"""Field points carry the phone's accuracy; a poor fix is not a verified point.

``acceso.punto_verificado`` gains ``precision_m`` (the accuracy radius the phone reported, in
metres), ``precision`` (``verificado_campo`` within the configured threshold,
``campo_impreciso`` beyond it) and ``medido_en`` (when the phone took the fix, which is earlier
than ``en`` for a point queued offline). ``padron.ubicacion`` accepts ``campo_impreciso``.

Points recorded before this revision were saved without any accuracy (a 350 m fix was stored as
verified): nobody can tell how good they were, so they become ``campo_impreciso`` here and in
``padron.ubicacion`` (confidence 0.5).

Revision ID: 0014
Revises: 0010
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_OLD = "'croquis','croquis_corregido','localidad','municipio','sin_ubicar','verificado_campo'"


def upgrade() -> None:
    op.add_column("punto_verificado", sa.Column("precision_m", sa.Float), schema="acceso")
    op.add_column(
        "punto_verificado",
        sa.Column("precision", sa.Text, nullable=False, server_default="campo_impreciso"),
        schema="acceso",
    )
    op.add_column(
        "punto_verificado", sa.Column("medido_en", sa.DateTime(timezone=True)), schema="acceso"
    )
    op.alter_column("punto_verificado", "precision", server_default=None, schema="acceso")
    op.create_check_constraint(
        "punto_verificado_precision",
        "punto_verificado",
        "precision IN ('verificado_campo','campo_impreciso') "
        "AND (precision_m IS NULL OR precision_m >= 0)",
        schema="acceso",
    )
    op.drop_constraint("ubicacion_precision", "ubicacion", schema="padron")
    op.create_check_constraint(
        "ubicacion_precision",
        "ubicacion",
        f"precision IN ({_OLD},'campo_impreciso')",
        schema="padron",
    )
    op.execute(
        "UPDATE padron.ubicacion SET precision = 'campo_impreciso', confianza = 0.5 "
        "WHERE precision = 'verificado_campo'"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE padron.ubicacion SET precision = 'verificado_campo', confianza = 1.0 "
        "WHERE precision = 'campo_impreciso'"
    )
    op.drop_constraint("ubicacion_precision", "ubicacion", schema="padron")
    op.create_check_constraint(
        "ubicacion_precision", "ubicacion", f"precision IN ({_OLD})", schema="padron"
    )
    op.drop_constraint("punto_verificado_precision", "punto_verificado", schema="acceso")
    for column in ("medido_en", "precision", "precision_m"):
        op.drop_column("punto_verificado", column, schema="acceso")
