"""Places without a foreign key to their batch, like assignments.

Geocoding inserts a place for every record of a batch; the key's check ran as a trigger per row,
an index lookup of ``carga`` each time: at seed size 12 % of geocoding's time (56.5 s against
64.3 s, same places). Only ``geo.geocode`` writes ``ubicacion``, with the batch of the record it
places, and a batch's places are forgotten by ``geo.geocode.locate.forget_batch`` when it is
withdrawn (batches are marked withdrawn, never deleted).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint("ubicacion_carga_id_fkey", "ubicacion", schema="padron", type_="foreignkey")


def downgrade() -> None:
    op.create_foreign_key(
        "ubicacion_carga_id_fkey",
        "ubicacion",
        "carga",
        ["carga_id"],
        ["id"],
        source_schema="padron",
        referent_schema="padron",
        ondelete="CASCADE",
    )
