"""Access: users with roles and areas, hashed tokens, append-only audit log, dwelling photos.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SCHEMA IF NOT EXISTS acceso")
    op.create_table(
        "usuario",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("nombre", sa.Text, nullable=False, unique=True),
        sa.Column("rol", sa.Text, nullable=False),
        sa.Column("secreto_hash", sa.Text, nullable=False),
        sa.Column("municipios", ARRAY(sa.String(5)), nullable=False, server_default="{}"),
        sa.Column("regiones", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("activo", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column(
            "creado_en", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.CheckConstraint("rol IN ('campo','planeacion','admin')", name="usuario_rol"),
        schema="acceso",
    )
    op.create_table(
        "token",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column(
            "usuario_id",
            sa.BigInteger,
            sa.ForeignKey("acceso.usuario.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "creado_en", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("expira_en", sa.DateTime(timezone=True), nullable=False),
        schema="acceso",
    )
    op.create_index("token_usuario", "token", ["usuario_id"], schema="acceso")
    op.create_table(
        "auditoria",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("en", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("usuario", sa.Text, nullable=False),
        sa.Column("accion", sa.Text, nullable=False),
        sa.Column("registro_id", sa.BigInteger),
        sa.Column("carga_id", sa.BigInteger),
        sa.Column("detalle", sa.Text),
        sa.Column("cliente", sa.Text),
        schema="acceso",
    )
    op.create_index("auditoria_registro", "auditoria", ["registro_id"], schema="acceso")
    op.create_index("auditoria_en", "auditoria", ["en"], schema="acceso")
    # Append-only even for the table's owner: a trigger refuses UPDATE, DELETE and TRUNCATE.
    op.execute(
        """
        CREATE FUNCTION acceso.auditoria_solo_agregar() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'la bitácora de auditoría solo admite agregar renglones'
                USING ERRCODE = 'insufficient_privilege';
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER auditoria_sin_cambios BEFORE UPDATE OR DELETE ON acceso.auditoria "
        "FOR EACH ROW EXECUTE FUNCTION acceso.auditoria_solo_agregar()"
    )
    op.execute(
        "CREATE TRIGGER auditoria_sin_truncar BEFORE TRUNCATE ON acceso.auditoria "
        "FOR EACH STATEMENT EXECUTE FUNCTION acceso.auditoria_solo_agregar()"
    )
    op.create_table(
        "foto",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("registro_id", sa.BigInteger, nullable=False),
        sa.Column("carga_id", sa.BigInteger, nullable=False),
        sa.Column("archivo", sa.Text, nullable=False, unique=True),
        sa.Column("tipo", sa.Text, nullable=False),
        sa.Column("bytes", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("subida_por", sa.Text, nullable=False),
        sa.Column(
            "subida_en", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.ForeignKeyConstraint(
            ["registro_id", "carga_id"],
            ["padron.registro.id", "padron.registro.carga_id"],
            ondelete="CASCADE",
        ),
        schema="acceso",
    )
    op.create_index("foto_registro", "foto", ["registro_id"], schema="acceso")
    # The field-verified point survives a re-run of geocoding, which rewrites padron.ubicacion.
    op.create_table(
        "punto_verificado",
        sa.Column("registro_id", sa.BigInteger, primary_key=True),
        sa.Column("geom", Geometry("POINT", 4326, spatial_index=False), nullable=False),
        sa.Column("usuario", sa.Text, nullable=False),
        sa.Column("en", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema="acceso",
    )


def downgrade() -> None:
    op.drop_table("punto_verificado", schema="acceso")
    op.drop_table("foto", schema="acceso")
    op.drop_table("auditoria", schema="acceso")
    op.execute("DROP FUNCTION acceso.auditoria_solo_agregar()")
    op.drop_table("token", schema="acceso")
    op.drop_table("usuario", schema="acceso")
    op.execute("DROP SCHEMA acceso")
