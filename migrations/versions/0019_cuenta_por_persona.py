"""What the coverage refresh keeps per person between refreshes, and the log of what changed.

A refresh used to recompute a whole period from its records: at seed size 21-24 s, also when a
100,000-row roster was added to 3.8 M records. Now each period's per-person rows (where the
person lives, their programs and amounts) are kept in ``analisis.persona_programa``, one
partition per period; a refresh recomputes only the persons whose records changed, replaces
their rows and aggregates the period again from the kept rows (``geo.coverage.refresh``).

Which persons changed is written by the writers' own statements: triggers on
``padron.asignacion`` (a record's person) and ``padron.ubicacion`` (its place) log the records
they touch in ``analisis.cambio``, one set-based insert per statement (transition tables), and
only once a period is kept (before the first refresh there is nothing to bring up to date). A
new batch's records are found by its batch; a withdrawn batch, a changed target group or rebuilt
areas recompute the period whole.

The partitions are unlogged: what they hold is derived, and writing 3.8 M rows to the WAL on
every full refresh would cost seconds. After a crash PostgreSQL empties them; the refresh finds
a kept period empty where ``refresco_periodo`` says it held persons, and recomputes it whole.
``refresco_periodo.programas`` is the order of the programs in each kept row's bit string.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE analisis.persona_programa (
            periodo text,
            persona bigint,
            programa text,
            registros bigint,
            importe numeric,
            importe_repetido numeric,
            cvegeo_mun text COLLATE "C",
            cvegeo_loc text COLLATE "C",
            programas bit varying,
            importe_persona numeric,
            primera boolean
        ) PARTITION BY LIST (periodo)
        """
    )
    op.execute(
        """
        CREATE TABLE analisis.refresco_periodo (
            periodo text PRIMARY KEY,
            programas text[] NOT NULL,
            con_personas boolean NOT NULL
        )
        """
    )
    op.execute(
        "CREATE TABLE analisis.cambio (carga_id bigint NOT NULL, registro_id bigint NOT NULL,"
        " persona_id bigint)"
    )
    op.execute(
        """
        CREATE FUNCTION analisis.anotar_cambio() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NOT EXISTS (SELECT FROM analisis.refresco_periodo) THEN
                RETURN NULL;
            END IF;
            IF TG_TABLE_NAME = 'asignacion' THEN
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                    INSERT INTO analisis.cambio
                    SELECT carga_id, registro_id, persona_id FROM previas;
                END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                    INSERT INTO analisis.cambio
                    SELECT carga_id, registro_id, persona_id FROM nuevas;
                END IF;
            ELSIF TG_OP = 'DELETE' THEN
                INSERT INTO analisis.cambio SELECT carga_id, registro_id, NULL FROM previas;
            ELSE
                INSERT INTO analisis.cambio SELECT carga_id, registro_id, NULL FROM nuevas;
            END IF;
            RETURN NULL;
        END $$
        """
    )
    for table in ("asignacion", "ubicacion"):
        for event, transition in (
            ("INSERT", "NEW TABLE AS nuevas"),
            ("UPDATE", "OLD TABLE AS previas NEW TABLE AS nuevas"),
            ("DELETE", "OLD TABLE AS previas"),
        ):
            op.execute(
                f"CREATE TRIGGER anotar_cambio_{event.lower()} AFTER {event} ON padron.{table}"
                f" REFERENCING {transition} FOR EACH STATEMENT"
                " EXECUTE FUNCTION analisis.anotar_cambio()"
            )


def downgrade() -> None:
    for table in ("asignacion", "ubicacion"):
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER anotar_cambio_{event} ON padron.{table}")
    op.execute("DROP FUNCTION analisis.anotar_cambio()")
    op.execute("DROP TABLE analisis.cambio, analisis.refresco_periodo, analisis.persona_programa")
