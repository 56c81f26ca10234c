"""The locality index of places in byte order ("C"), the column itself unchanged.

Geocoding builds this index after a bulk run, on the critical path: under a libc collation such
as C.UTF-8 each comparison goes through ``strcoll`` without abbreviated keys, and at seed size the
build took 6.3-6.5 s alone against 3.4 s in byte order (docs/benchmarks.md). INEGI keys are
digits, so both orders agree; only the column's collation must stay the database's, since it is
compared with ``boundaries``' keys, whose indexes are in that collation. Lookups by locality ask
for this index with ``cvegeo_loc COLLATE "C"`` (``geo.access``, ``geo.coverage``).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def _locality_index(collation: str) -> None:
    op.execute("DROP INDEX IF EXISTS padron.ubicacion_loc")
    op.execute(f'CREATE INDEX ubicacion_loc ON padron.ubicacion (cvegeo_loc COLLATE "{collation}")')


def upgrade() -> None:
    _locality_index("C")


def downgrade() -> None:
    _locality_index("default")
