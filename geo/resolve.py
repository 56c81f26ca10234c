"""One person, one id: resolve roster records into ``padron.persona``.

First the deterministic rules (``sql/resolve_curp.sql``): an exact valid CURP, and a CURP with
one mistyped character whose record agrees on birth date, sex and names. Then the records still
without a person are matched probabilistically (``geo.match``) against every record in their
blocks: joined to a known person, grouped into new persons, or held in the review queue
(``padron.revision``) when the evidence is between the thresholds. Assignments are rows of
``padron.asignacion`` (record → person), written only for records without one, so an existing
assignment never changes and a new roster is matched incrementally; human decisions in the queue
are applied on every run.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, cast

import polars as pl
import psycopg
from sqlalchemy import Connection, Engine, func, select, text

from geo import match
from geo import tables as t
from geo.db import run_sql_file
from geo.errors import InvalidParameter, NotFound


@dataclass(frozen=True)
class ResolveReport:
    """Records with and without a person after a run, and the number of persons."""

    resueltos: int
    sin_resolver: int
    """Records held in the review queue (or without the data to compare them)."""
    personas: int
    en_revision: int
    """Pairs waiting for a human decision."""


def resolve(
    engine: Engine,
    model: match.Model | None = None,
    thresholds: match.Thresholds | None = None,
) -> ResolveReport:
    """Assign persons to the records that have none yet (see the module docstring).

    ``model`` defaults to m/u counted on the records with a valid CURP
    (:func:`geo.match.estimate_model`), or :data:`geo.match.DEFAULT_MODEL` if they are too few.
    """
    with engine.begin() as conn:
        # One run at a time: two would assign the same records.
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('padron.resolve'))"))
        run_sql_file(conn, "geo", "resolve_curp.sql")
        _match_pending(conn, model, thresholds or match.Thresholds())
    with engine.connect() as conn:
        resolved = conn.execute(select(func.count()).select_from(t.asignacion)).scalar_one()
        total = conn.execute(select(func.count()).select_from(t.registro)).scalar_one()
        persons = conn.execute(select(func.count()).select_from(t.persona)).scalar_one()
        queued = conn.execute(
            select(func.count()).select_from(t.revision).where(t.revision.c.decision.is_(None))
        ).scalar_one()
    return ResolveReport(
        resueltos=resolved, sin_resolver=total - resolved, personas=persons, en_revision=queued
    )


_LOAD = """
WITH pendiente AS (
    SELECT fecha_nacimiento, sexo, primer_ap_norm, nombre_norm
    FROM padron.registro r
    WHERE NOT EXISTS (SELECT FROM padron.asignacion a WHERE a.registro_id = r.id)
)
SELECT r.id, r.carga_id, {columns}
FROM padron.registro r LEFT JOIN padron.asignacion a ON a.registro_id = r.id
WHERE a.persona_id IS NULL
   OR (r.fecha_nacimiento, r.sexo) IN (SELECT fecha_nacimiento, sexo FROM pendiente)
   OR (date_part('year', r.fecha_nacimiento), r.primer_ap_norm, r.nombre_norm) IN (
        SELECT date_part('year', fecha_nacimiento), primer_ap_norm, nombre_norm FROM pendiente)
   OR r.id IN (SELECT candidato_id FROM padron.revision WHERE decision IS NOT NULL)
"""


def load_for_matching(conn: Connection) -> pl.DataFrame:
    """Records without a person and every record sharing a block with one (COPY, then Polars)."""
    special = {"curp_valida": "r.curp_valida::text", "persona_id": "a.persona_id"}
    columns = ", ".join(special.get(c, f"r.{c}") for c in match.RECORD_SCHEMA if c != "id")
    buffer = io.BytesIO()
    with (
        _raw(conn).cursor() as cursor,
        cursor.copy(
            f"COPY ({_LOAD.format(columns=columns)}) TO STDOUT (FORMAT csv, HEADER)"
        ) as copy,
    ):
        for block in copy:
            buffer.write(block)
    schema = {"id": pl.Int64(), "carga_id": pl.Int64()} | {
        k: v for k, v in match.RECORD_SCHEMA.items() if k != "id"
    }
    buffer.seek(0)
    return pl.read_csv(buffer, schema=schema, null_values="")


def name_frequencies(conn: Connection) -> match.NameFrequencies:
    """Given names (by sex) and surnames counted over every record of the registry."""
    given = conn.execute(
        text(
            "SELECT sexo, nombre_norm, count(*) FROM padron.registro"
            " WHERE sexo IS NOT NULL AND nombre_norm IS NOT NULL GROUP BY 1, 2"
        )
    ).all()
    surnames = conn.execute(
        text(
            "SELECT apellido, count(*) FROM padron.registro,"
            " unnest(ARRAY[primer_ap_norm, segundo_ap_norm]) AS apellido"
            " WHERE apellido IS NOT NULL GROUP BY 1"
        )
    ).all()
    return match.NameFrequencies(
        nombres=pl.DataFrame(
            given, schema={"sexo": pl.String, "nombre_norm": pl.String, "n": pl.Int64}, orient="row"
        ),
        apellidos=pl.DataFrame(
            surnames, schema={"apellido": pl.String, "n": pl.Int64}, orient="row"
        ),
    )


def _match_pending(
    conn: Connection, model: match.Model | None, thresholds: match.Thresholds
) -> None:
    records = load_for_matching(conn)
    if records.filter(pl.col("persona_id").is_null()).height == 0:
        return
    frame = match.prepare(records, name_frequencies(conn))
    pending = frame.filter(pl.col("persona_id").is_null())["i"]
    model = model or match.estimate_model(frame)
    scored = match.score(match.compare(frame, match.candidate_pairs(frame, pending)), model)
    row = dict(zip(frame["id"].to_list(), frame["i"].to_list(), strict=True))
    pending_ids = set(frame.filter(pl.col("persona_id").is_null())["id"].to_list())
    decided = conn.execute(
        select(t.revision.c.registro_id, t.revision.c.candidato_id, t.revision.c.decision).where(
            t.revision.c.decision.is_not(None)
        )
    ).all()
    same = [
        (row[a], row[b]) for a, b, d in decided if d == "misma" and a in pending_ids and b in row
    ]
    different = [
        (row[a], row[b]) for a, b, d in decided if d == "distinta" and a in pending_ids and b in row
    ]
    decisions = match.decide(frame, scored, thresholds, same, different)
    _write(conn, frame, decisions)


def _write(conn: Connection, frame: pl.DataFrame, decisions: match.Decisions) -> None:
    """New persons, record → person assignments and review items, in the open transaction."""
    new_ids = (
        conn.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('padron.persona', 'id'))"
                " FROM generate_series(1, :n)"
            ),
            {"n": len(decisions.new)},
        )
        .scalars()
        .all()
    )
    if new_ids:
        conn.execute(
            text("INSERT INTO padron.persona (id) SELECT unnest(CAST(:ids AS bigint[]))"),
            {"ids": list(new_ids)},
        )
    rows = list(decisions.join.items()) + [
        (i, persona) for group, persona in zip(decisions.new, new_ids, strict=True) for i in group
    ]
    if rows:
        assigned = pl.DataFrame(
            {"i": [i for i, _ in rows], "persona_id": [p for _, p in rows]},
            schema={"i": pl.UInt32, "persona_id": pl.Int64},
        ).join(frame.select("i", "id", "carga_id"), on="i")
        buffer = io.BytesIO()
        assigned.select("id", "carga_id", "persona_id").write_csv(buffer, include_header=False)
        with (
            _raw(conn).cursor() as cursor,
            cursor.copy(
                "COPY padron.asignacion (registro_id, carga_id, persona_id) FROM STDIN (FORMAT csv)"
            ) as copy,
        ):
            copy.write(buffer.getbuffer())
    if decisions.review:
        ids = frame["id"]
        conn.execute(
            text(
                "INSERT INTO padron.revision (registro_id, candidato_id, probabilidad)"
                " VALUES (:registro, :candidato, :probabilidad)"
                " ON CONFLICT (registro_id, candidato_id) DO NOTHING"
            ),
            [
                {"registro": ids[i], "candidato": ids[j], "probabilidad": p}
                for i, j, p in decisions.review
            ],
        )


def _raw(conn: Connection) -> psycopg.Connection[Any]:
    raw = conn.connection.driver_connection
    if raw is None:  # pragma: no cover - a Connection inside begin() is always open
        raise RuntimeError("connection closed")
    return cast("psycopg.Connection[Any]", raw)


@dataclass(frozen=True)
class DuplicatedSupport:
    """Who receives from several programs, or twice from one, in the same period (aggregates
    only: no personal data)."""

    personas_por_programa: dict[str, int]
    """Unique persons per program (the roster's size without its repeated listings)."""
    pares_de_programas: dict[tuple[str, str], int]
    """Persons listed by both programs in the same period."""
    duplicados_en_programa: dict[str, int]
    """Listings beyond a person's first within one program and period."""
    varios_programas_por_municipio: dict[str, int]
    """Persons in more than one program in a period, by the municipality (CVEGEO) of their
    listings (a person listed in two municipalities counts in both)."""
    importe_varios_programas: str
    """``NU_IMP_MONETARIO`` of every listing of a person paid by more than one program in a
    period."""
    importe_repetido_en_programa: str
    """``NU_IMP_MONETARIO`` of the listings beyond a person's first in one program and period."""
    importe_involucrado: str
    """Total of every listing of a person listed more than once in a period (both kinds)."""
    registros_sin_persona: int
    """Records not in any count: waiting for review or without the data to compare them."""

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready form (program pairs as ``"A|B"``)."""
        return {
            "personas_por_programa": self.personas_por_programa,
            "pares_de_programas": {f"{a}|{b}": n for (a, b), n in self.pares_de_programas.items()},
            "duplicados_en_programa": self.duplicados_en_programa,
            "varios_programas_por_municipio": self.varios_programas_por_municipio,
            "importe_varios_programas": self.importe_varios_programas,
            "importe_repetido_en_programa": self.importe_repetido_en_programa,
            "importe_involucrado": self.importe_involucrado,
            "registros_sin_persona": self.registros_sin_persona,
        }


def published_duplicated_support(report: DuplicatedSupport, k: int) -> dict[str, object]:
    """The report as the public sees it: municipal counts under ``k`` persons are suppressed
    (``None``), with complementary suppression so that none can be recovered from the others
    and their total."""
    from geo.transparency import Cell, suppress

    counts = report.varios_programas_por_municipio
    cells = {m: Cell("municipio", m, "", "", n, "estado") for m, n in counts.items()}
    cells["estado"] = Cell("estado", "estado", "", "", sum(counts.values()), None, hijos=[*counts])
    suppress(cells, k)
    published = report.as_dict()
    published["varios_programas_por_municipio"] = {
        m: None if cells[m].suprimida else n for m, n in counts.items()
    }
    return published


_RESOLVED = """
resuelto AS NOT MATERIALIZED (
    SELECT r.id, r.programa, r.periodo, r.importe, r.cve_ent, r.cve_mun, a.persona_id
    FROM padron.registro r JOIN padron.asignacion a ON a.registro_id = r.id
)"""
"""Resolved records with their person (a CTE for the report's SQL)."""

_UNIQUE = f"""
WITH {_RESOLVED}
SELECT programa, count(DISTINCT persona_id) FROM resuelto GROUP BY programa
"""  # noqa: S608 (constant fragments)

_PAIRS = f"""
WITH {_RESOLVED}
SELECT x.programa, y.programa, count(DISTINCT x.persona_id)
FROM resuelto x
JOIN resuelto y ON y.persona_id = x.persona_id AND x.programa < y.programa
 AND x.periodo IS NOT DISTINCT FROM y.periodo
GROUP BY 1, 2
"""  # noqa: S608 (constant fragments)

_WITHIN = f"""
WITH {_RESOLVED}
SELECT programa, sum(veces - 1)
FROM (SELECT programa, periodo, persona_id, count(*) AS veces
      FROM resuelto GROUP BY programa, periodo, persona_id) listado
WHERE veces > 1
GROUP BY programa
"""  # noqa: S608 (constant fragments)

_SEVERAL_PROGRAMS = f"""
WITH {_RESOLVED},
varios AS (
    SELECT periodo, persona_id FROM resuelto
    GROUP BY periodo, persona_id HAVING count(DISTINCT programa) > 1
)
SELECT r.cve_ent || r.cve_mun AS municipio, count(DISTINCT r.persona_id) AS personas
FROM resuelto r
JOIN varios v ON v.persona_id = r.persona_id AND v.periodo IS NOT DISTINCT FROM r.periodo
WHERE r.cve_ent IS NOT NULL AND r.cve_mun IS NOT NULL
GROUP BY 1
"""  # noqa: S608 (constant fragments)

_MONEY = f"""
WITH {_RESOLVED},
repetida AS (
    SELECT periodo, persona_id, count(DISTINCT programa) > 1 AS varios
    FROM resuelto
    GROUP BY periodo, persona_id HAVING count(*) > 1
), listado AS (
    SELECT r.importe, p.varios,
           row_number() OVER (PARTITION BY r.programa, r.periodo, r.persona_id ORDER BY r.id) > 1
               AS extra
    FROM resuelto r
    JOIN repetida p ON p.persona_id = r.persona_id AND p.periodo IS NOT DISTINCT FROM r.periodo
)
SELECT coalesce(sum(importe) FILTER (WHERE varios), 0),
       coalesce(sum(importe) FILTER (WHERE extra), 0),
       coalesce(sum(importe), 0)
FROM listado
"""  # noqa: S608 (constant fragments)


def duplicated_support(conn: Connection) -> DuplicatedSupport:
    """Counts over resolved records (see :class:`DuplicatedSupport`)."""
    unique = conn.execute(text(_UNIQUE)).all()
    pairs = conn.execute(text(_PAIRS)).all()
    within = conn.execute(text(_WITHIN)).all()
    by_municipality = conn.execute(text(_SEVERAL_PROGRAMS)).all()
    several, extra, repeated = conn.execute(text(_MONEY)).one()
    records = conn.execute(select(func.count()).select_from(t.registro)).scalar_one()
    resolved = conn.execute(select(func.count()).select_from(t.asignacion)).scalar_one()
    return DuplicatedSupport(
        personas_por_programa={k: int(v) for k, v in unique},
        pares_de_programas={(p, q): int(n) for p, q, n in pairs},
        duplicados_en_programa={k: int(v) for k, v in within},
        varios_programas_por_municipio={m: int(n) for m, n in by_municipality},
        importe_varios_programas=str(several),
        importe_repetido_en_programa=str(extra),
        importe_involucrado=str(repeated),
        registros_sin_persona=int(records - resolved),
    )


REVIEW_FIELDS = (
    "id", "programa", "periodo", "folio", "curp", "primer_ap", "segundo_ap", "nombre",
    "fecha_nacimiento", "sexo", "edo_nac", "cve_mun", "cve_loc", "nom_loc", "persona_id",
)  # fmt: skip
"""What a reviewer sees of each record of a pair (personal data: planners and admins, audited)."""

DECISIONS = ("misma", "distinta")


@dataclass(frozen=True)
class ReviewItem:
    """A pair in the review queue: a record held without a person, and its best candidate."""

    id: int
    probabilidad: float
    registro: dict[str, Any]
    candidato: dict[str, Any]
    decision: str | None


def review_queue(conn: Connection, limit: int = 100, offset: int = 0) -> list[ReviewItem]:
    """Pairs waiting for a decision whose record still has no person, most likely first."""
    if not 1 <= limit <= 1000 or offset < 0:
        raise InvalidParameter("limite debe estar entre 1 y 1000 y desplazamiento ser ≥ 0.")
    q, asg = t.revision, t.asignacion
    a, b = t.registro.alias("a"), t.registro.alias("b")
    candidate_person = asg.alias("candidato_asignado")
    held = ~select(asg.c.registro_id).where(asg.c.registro_id == a.c.id).exists()
    rows = conn.execute(
        select(q.c.id, q.c.probabilidad, q.c.decision, a, b, candidate_person.c.persona_id)
        .join(a, a.c.id == q.c.registro_id)
        .join(b, b.c.id == q.c.candidato_id)
        .outerjoin(candidate_person, candidate_person.c.registro_id == b.c.id)
        .where(q.c.decision.is_(None) & held)
        .order_by(q.c.probabilidad.desc(), q.c.id)
        .limit(limit)
        .offset(offset)
    ).all()
    keys = t.registro.columns.keys()
    width = len(keys)
    items = []
    for item_id, probability_, decision, *values in rows:
        first = dict(zip(keys, values[:width], strict=True)) | {"persona_id": None}
        second = dict(zip(keys, values[width : 2 * width], strict=True))
        second["persona_id"] = values[-1]
        items.append(
            ReviewItem(
                id=item_id,
                probabilidad=round(probability_, 4),
                registro={k: _plain(first[k]) for k in REVIEW_FIELDS},
                candidato={k: _plain(second[k]) for k in REVIEW_FIELDS},
                decision=decision,
            )
        )
    return items


def decide_review(conn: Connection, item_id: int, decision: str, usuario: str | None) -> None:
    """Record a human decision; the next ``resolve`` applies it ("misma" joins the record to the
    candidate's person, "distinta" keeps it away from that person)."""
    if decision not in DECISIONS:
        raise InvalidParameter("La decisión debe ser 'misma' o 'distinta'.")
    updated = conn.execute(
        t.revision.update()
        .where(t.revision.c.id == item_id)
        .values(decision=decision, decidida_en=func.now(), decidida_por=usuario)
    ).rowcount
    if not updated:
        raise NotFound(f"No existe el par {item_id} en la cola de revisión.")


def _plain(value: object) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else value
