"""Record → person assignments in their own narrow table instead of ``registro.persona_id``.

Resolution writes millions of assignments: rewriting each wide, index-heavy ``registro`` row for
them cost more than all of the matching. Like ``ubicacion`` (geocoding), the result of
resolution now lives beside the records as loaded, filled by one INSERT ... SELECT or COPY.

The block index of the CURP typo rule (birth date, sex, first surname) goes too: resolution
now reads the pending records in bulk (hash joins over whole scans), and every ingest paid for
building it on millions of rows.

No foreign keys: PostgreSQL checks them with a trigger per inserted row, which for millions of
assignments cost more than the insert itself. Rows are written only by ``geo.resolve``, in the
transaction that creates their persons, and batches are never deleted.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "asignacion",
        sa.Column("registro_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("carga_id", sa.BigInteger, nullable=False),
        sa.Column("persona_id", sa.BigInteger, nullable=False),
        schema="padron",
    )
    op.execute(
        "INSERT INTO padron.asignacion (registro_id, carga_id, persona_id)"
        " SELECT id, carga_id, persona_id FROM padron.registro WHERE persona_id IS NOT NULL"
    )
    op.create_index("asignacion_persona", "asignacion", ["persona_id"], schema="padron")
    op.drop_index("registro_persona", "registro", schema="padron")
    op.drop_index("registro_bloque_curp", "registro", schema="padron")
    op.drop_column("registro", "persona_id", schema="padron")


def downgrade() -> None:
    op.add_column("registro", sa.Column("persona_id", sa.BigInteger), schema="padron")
    op.execute(
        "UPDATE padron.registro r SET persona_id = a.persona_id"
        " FROM padron.asignacion a WHERE a.registro_id = r.id AND a.carga_id = r.carga_id"
    )
    op.create_index("registro_persona", "registro", ["persona_id"], schema="padron")
    op.create_index(
        "registro_bloque_curp",
        "registro",
        ["fecha_nacimiento", "sexo", "primer_ap_norm"],
        schema="padron",
    )
    op.drop_table("asignacion", schema="padron")
