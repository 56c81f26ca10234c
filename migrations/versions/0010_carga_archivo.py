"""Each ingested file kept once, compressed, instead of every record's raw cells in ``crudo``.

``registro.crudo`` held each row's cells as received: as many bytes again as the rest of the
record, written by every ingest and read by every scan of ``registro``. The file itself, in
zstd-compressed parts of ``padron.carga_archivo``, is a quarter of that size and byte-exact (its
SHA-256 is ``carga.sha256``); a record's raw values are the cells of its row (``fila``) there.

Batches loaded before this revision keep their rows' cells: they move to ``carga_archivo`` as
``contenido = 'celdas'`` parts (one line per row: ``fila``, then the cells, separated by U+001F),
since their files were not kept.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_ROWS_PER_LEGACY_PART = 500_000


def upgrade() -> None:
    op.create_table(
        "carga_archivo",
        sa.Column("carga_id", sa.BigInteger, sa.ForeignKey("padron.carga.id"), primary_key=True),
        sa.Column("parte", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("contenido", sa.Text, nullable=False),
        sa.Column("tamano", sa.BigInteger, nullable=False),
        sa.Column("datos", sa.LargeBinary, nullable=False),
        sa.CheckConstraint("contenido IN ('original', 'celdas')", name="contenido_conocido"),
        schema="padron",
    )
    # The parts arrive compressed: TOAST need not try again.
    op.execute("ALTER TABLE padron.carga_archivo ALTER COLUMN datos SET STORAGE EXTERNAL")
    rows = _ROWS_PER_LEGACY_PART
    op.execute(
        "INSERT INTO padron.carga_archivo (carga_id, parte, contenido, tamano, datos)"
        " SELECT carga_id, parte, 'celdas', length(datos), datos FROM ("
        f"  SELECT carga_id, fila / {rows} AS parte,"
        "   convert_to(string_agg(fila || chr(31) || crudo, E'\\n' ORDER BY fila), 'UTF8') AS datos"
        f"  FROM padron.registro GROUP BY carga_id, fila / {rows}) AS celdas"
    )
    op.drop_column("registro", "crudo", schema="padron")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT EXISTS (SELECT FROM padron.carga_archivo)")).scalar_one():
        raise RuntimeError(
            "padron.carga_archivo holds archived files; downgrading would lose them."
        )
    op.add_column(
        "registro",
        sa.Column("crudo", sa.Text, nullable=False, server_default=""),
        schema="padron",
    )
    op.alter_column("registro", "crudo", server_default=None, schema="padron")
    op.drop_table("carga_archivo", schema="padron")
