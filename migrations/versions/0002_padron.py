"""Padron schema: programs, ingest batches, records and rejected rows.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

S = "padron"


def upgrade() -> None:
    op.execute(f"CREATE SCHEMA IF NOT EXISTS {S}")
    op.create_table(
        "programa",
        sa.Column("clave", sa.Text, primary_key=True),
        sa.Column("nombre", sa.Text, nullable=False),
        sa.Column(
            "creado_en", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.CheckConstraint("clave ~ '^[A-Z0-9_-]{1,40}$'", name="programa_clave"),
        schema=S,
    )
    op.create_table(
        "carga",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("programa", sa.Text, sa.ForeignKey(f"{S}.programa.clave"), nullable=False),
        sa.Column("periodo", sa.Text),
        sa.Column("archivo", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("formato", sa.Text, nullable=False),
        sa.Column("codificacion", sa.Text),
        sa.Column("delimitador", sa.Text),
        sa.Column("layout", sa.Text, nullable=False),
        sa.Column("columnas", ARRAY(sa.Text), nullable=False),
        sa.Column("filas_leidas", sa.Integer, nullable=False),
        sa.Column("filas_cargadas", sa.Integer, nullable=False),
        sa.Column("filas_rechazadas", sa.Integer, nullable=False),
        sa.Column("folios_repetidos", sa.Integer, nullable=False),
        sa.Column("iniciada_en", sa.DateTime(timezone=True), nullable=False),
        sa.Column("terminada_en", sa.DateTime(timezone=True), nullable=False),
        sa.Column("usuario", sa.Text),
        sa.CheckConstraint("filas_leidas = filas_cargadas + filas_rechazadas", name="carga_cuadra"),
        schema=S,
    )
    op.execute(
        f"CREATE UNIQUE INDEX carga_mismo_archivo ON {S}.carga "
        "(programa, coalesce(periodo, ''), sha256)"
    )
    # One partition per batch (carga): ingest writes a new table in its own transaction, which is
    # far cheaper than maintaining indexes row by row, and a batch can be retracted as a unit.
    op.execute(f"CREATE SEQUENCE {S}.registro_id_seq")
    op.create_table(
        "registro",
        sa.Column(
            "id",
            sa.BigInteger,
            server_default=sa.text(f"nextval('{S}.registro_id_seq')"),
            nullable=False,
        ),
        sa.Column(
            "carga_id",
            sa.BigInteger,
            sa.ForeignKey(f"{S}.carga.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("programa", sa.Text, nullable=False),
        sa.Column("periodo", sa.Text),
        sa.Column("folio", sa.Text, nullable=False),
        sa.Column("fila", sa.Integer, nullable=False),
        sa.Column("curp", sa.String(18)),
        sa.Column("curp_valida", sa.Boolean, nullable=False),
        sa.Column("primer_ap", sa.Text),
        sa.Column("segundo_ap", sa.Text),
        sa.Column("nombre", sa.Text),
        sa.Column("primer_ap_norm", sa.Text),
        sa.Column("segundo_ap_norm", sa.Text),
        sa.Column("nombre_norm", sa.Text),
        sa.Column("fecha_nacimiento", sa.Date),
        sa.Column("sexo", sa.String(1)),
        sa.Column("edo_nac", sa.String(2)),
        sa.Column("fecha_alta", sa.Date),
        sa.Column("importe", sa.Numeric(14, 2)),
        sa.Column("tipovial", sa.Text),
        sa.Column("nomvial", sa.Text),
        sa.Column("numext", sa.Text),
        sa.Column("numint", sa.Text),
        sa.Column("tipoasen", sa.Text),
        sa.Column("nomasen", sa.Text),
        sa.Column("cp", sa.String(5)),
        sa.Column("descrubic", sa.Text),
        sa.Column("cve_ent", sa.String(2)),
        sa.Column("cve_mun", sa.String(3)),
        sa.Column("cve_loc", sa.String(4)),
        sa.Column("nom_ent", sa.Text),
        sa.Column("nom_mun", sa.Text),
        sa.Column("nom_loc", sa.Text),
        sa.Column("lon_declarada", sa.Float),
        sa.Column("lat_declarada", sa.Float),
        sa.Column("banderas", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("crudo", sa.Text, nullable=False),
        sa.Column("persona_id", sa.BigInteger),
        # id first: the key also serves lookups by id alone.
        sa.PrimaryKeyConstraint("id", "carga_id", name="registro_pkey"),
        schema=S,
        postgresql_partition_by="LIST (carga_id)",
    )
    op.execute(f"ALTER SEQUENCE {S}.registro_id_seq OWNED BY {S}.registro.id")
    # Folios are unique per program and period; ingest enforces it across batches (partitions
    # cannot carry a global unique index without the partition key).
    op.create_index("registro_folio", "registro", ["programa", "periodo", "folio"], schema=S)
    op.create_index("registro_curp", "registro", ["curp"], schema=S)
    op.create_table(
        "rechazo",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column(
            "carga_id",
            sa.BigInteger,
            sa.ForeignKey(f"{S}.carga.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("fila", sa.Integer, nullable=False),
        sa.Column("motivo", sa.Text, nullable=False),
        sa.Column("detalle", sa.Text),
        sa.Column("crudo", sa.Text, nullable=False),
        schema=S,
    )
    op.create_index("rechazo_carga", "rechazo", ["carga_id"], schema=S)


def downgrade() -> None:
    op.execute(f"DROP SCHEMA IF EXISTS {S} CASCADE")
