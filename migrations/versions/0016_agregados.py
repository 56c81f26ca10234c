"""Districts, regions and states generalised once at load, as their municipalities are.

OGC collections, downloads and the transparency page dissolved the generalised municipalities of
each district or region with ``ST_Union`` on every request (seconds under load). The reference
data load now stores each level's union beside the municipalities (``boundaries/generalise.py``);
a database loaded before this revision gets it on the next ``padron boundaries load``.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agregado_generalizado",
        sa.Column("nivel", sa.Text, primary_key=True),
        sa.Column("clave", sa.Text, primary_key=True),
        sa.Column("zoom", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column(
            "geom_mercator",
            Geometry("MULTIPOLYGON", 3857, spatial_index=False),
            nullable=False,
        ),
        schema="boundaries",
    )
    op.execute(
        "ALTER TABLE boundaries.agregado_generalizado "
        "ADD COLUMN geom geometry(MultiPolygon, 4326) "
        "GENERATED ALWAYS AS (ST_Transform(geom_mercator, 4326)) STORED"
    )


def downgrade() -> None:
    op.drop_table("agregado_generalizado", schema="boundaries")
