"""The stamp of the last resolution: what it read, so that a run with nothing new is skipped.

A resolution with no record, place or review decision new since the one before it decides
nothing new: the same frame, model and pairs give the same decisions, and an assignment is never
changed. Yet it set the records held for review apart and matched them against their blocks all
the same: at seed size 41-46 s for the 321 records held, on every re-run of the pipeline (a
roster uploaded again, a refresh after a change of rules). ``padron.resolucion`` keeps one row:
a hash of what the last run read besides its own writes, and the counts of assignments and
persons it left (``geo/resolve/sql/huella.sql``, ``geo.resolve.resolver``).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04
"""

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE padron.resolucion (
            id smallint PRIMARY KEY CHECK (id = 1),
            huella text NOT NULL,
            resuelta_en timestamptz NOT NULL
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE padron.resolucion")
