"""Ingest one roster file into ``padron``: every row loaded or rejected, all in one transaction.

The batch row (``padron.carga``), its records and its rejects are written in a single
transaction, so a failure anywhere (bad bytes, a killed process, a full disk) leaves nothing
behind. A file whose content was already ingested for the same program and period is a no-op.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from psycopg import sql
from sqlalchemy import Connection, Engine, func, insert, select, text, update

from geo import tables as t
from geo.errors import InvalidParameter, NotFound
from geo.ingest.layouts import PUB, Layout
from geo.ingest.normalise import normalise
from geo.ingest.reader import Roster, open_roster, read_batches

PROGRAM_KEY = re.compile(r"^[A-Z0-9_-]{1,40}$")
BATCH_ROWS = 250_000


@dataclass
class IngestResult:
    """What happened to a file; ``filas_leidas == filas_cargadas + filas_rechazadas``."""

    carga_id: int
    archivo: str
    ya_cargado: bool
    filas_leidas: int = 0
    filas_cargadas: int = 0
    filas_rechazadas: int = 0
    folios_repetidos: int = 0
    rechazos: dict[str, int] = field(default_factory=dict)
    banderas: dict[str, int] = field(default_factory=dict)
    formato: str = ""
    codificacion: str = ""
    delimitador: str = ""


def ingest_file(
    engine: Engine,
    path: Path,
    programa: str,
    *,
    periodo: str | None = None,
    layout: Layout = PUB,
    usuario: str | None = None,
    nombre_archivo: str | None = None,
) -> IngestResult:
    """Load ``path`` as a roster of ``programa``; see the module docstring for the guarantees."""
    programa = programa.strip().upper()
    if not PROGRAM_KEY.match(programa):
        raise InvalidParameter(
            f"Clave de programa no válida: {programa!r}; use letras, dígitos, '_' o '-' (hasta 40)."
        )
    periodo = periodo.strip() if periodo and periodo.strip() else None
    with tempfile.TemporaryDirectory(prefix="padron-ingest-") as workdir:
        roster = open_roster(path, Path(workdir))
        positions = layout.resolve(roster.header)
        with engine.begin() as conn:
            previous = _previous_batch(conn, programa, periodo, roster.sha256)
            if previous is not None:
                return previous
            started = datetime.now(UTC)
            conn.execute(
                text(
                    "INSERT INTO padron.programa (clave, nombre) VALUES (:c, :c) ON CONFLICT DO NOTHING"
                ),
                {"c": programa},
            )
            carga_id = conn.execute(
                insert(t.carga)
                .values(
                    programa=programa,
                    periodo=periodo,
                    archivo=nombre_archivo or path.name,
                    sha256=roster.sha256,
                    formato=roster.formato,
                    codificacion=roster.codificacion,
                    delimitador=roster.delimitador,
                    layout=layout.name,
                    columnas=roster.header,
                    filas_leidas=0,
                    filas_cargadas=0,
                    filas_rechazadas=0,
                    folios_repetidos=0,
                    iniciada_en=started,
                    terminada_en=started,
                    usuario=usuario,
                )
                .returning(t.carga.c.id)
            ).scalar_one()
            result = IngestResult(
                carga_id=carga_id,
                archivo=nombre_archivo or path.name,
                ya_cargado=False,
                formato=roster.formato,
                codificacion=roster.codificacion,
                delimitador=roster.delimitador,
            )
            _load(conn, roster, positions, layout, programa, periodo, result)
            conn.execute(
                update(t.carga)
                .where(t.carga.c.id == carga_id)
                .values(
                    filas_leidas=result.filas_leidas,
                    filas_cargadas=result.filas_cargadas,
                    filas_rechazadas=result.filas_rechazadas,
                    folios_repetidos=result.folios_repetidos,
                    terminada_en=datetime.now(UTC),
                )
            )
            return result


def _load(
    conn: Connection,
    roster: Roster,
    positions: dict[str, int],
    layout: Layout,
    programa: str,
    periodo: str | None,
    result: IngestResult,
) -> None:
    loaded_keys = _existing_keys(conn, programa)
    seen_keys = pl.Series("key", [], dtype=pl.String)
    flags: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    width = len(roster.header)
    for batch in read_batches(roster, BATCH_ROWS):
        result.filas_leidas += batch.frame.height + len(batch.malformed)
        if batch.malformed:
            malformed = pl.DataFrame(
                {
                    "fila": [number for number, _ in batch.malformed],
                    "motivo": "columnas",
                    "detalle": [
                        f"{_field_count(raw, roster.delimitador)} campos, se esperaban {width}"
                        for _, raw in batch.malformed
                    ],
                    "crudo": [[raw] for _, raw in batch.malformed],
                },
                schema={
                    "fila": pl.Int32,
                    "motivo": pl.String,
                    "detalle": pl.String,
                    "crudo": pl.List(pl.String),
                },
            )
            _copy(conn, "rechazo", malformed.with_columns(carga_id=pl.lit(result.carga_id)))
            reasons["columnas"] += malformed.height
        if batch.frame.is_empty():
            continue
        records = normalise(batch.frame, positions, layout.constants, programa, periodo)
        key = pl.concat_str([pl.col("periodo").fill_null(""), pl.lit("\x1f"), pl.col("folio")])
        records = records.with_columns(_key=key)
        repeated_here = records["_key"].is_duplicated() & records["_key"].is_first_distinct().not_()
        records = records.with_columns(
            motivo=pl.when(pl.col("motivo").is_not_null())
            .then(pl.col("motivo"))
            .when(pl.col("_key").is_in(loaded_keys.implode()))
            .then(pl.lit("folio_ya_cargado"))
            .when(pl.col("_key").is_in(seen_keys.implode()) | repeated_here)
            .then(pl.lit("folio_repetido"))
        )
        seen_keys = pl.concat(
            [seen_keys, records.filter(pl.col("motivo").is_null())["_key"].rename("key")]
        )
        good = records.filter(pl.col("motivo").is_null())
        bad = records.filter(pl.col("motivo").is_not_null())
        _copy(
            conn,
            "registro",
            good.drop("motivo", "_key").with_columns(carga_id=pl.lit(result.carga_id)),
        )
        if not bad.is_empty():
            _copy(
                conn,
                "rechazo",
                bad.select(
                    "fila",
                    "motivo",
                    detalle=pl.when(pl.col("folio").is_not_null()).then(
                        pl.lit("folio ") + pl.col("folio")
                    ),
                    crudo="crudo",
                    carga_id=pl.lit(result.carga_id),
                ),
            )
        result.filas_cargadas += good.height
        reasons.update(bad["motivo"].to_list())
        flags.update(good["banderas"].explode().drop_nulls().to_list())
    result.filas_rechazadas = sum(reasons.values())
    result.folios_repetidos = reasons["folio_repetido"]
    result.rechazos = dict(reasons)
    result.banderas = dict(flags.most_common())


def _copy(conn: Connection, table: str, frame: pl.DataFrame) -> None:
    """COPY a frame into ``padron.<table>`` as CSV; list columns become PostgreSQL arrays."""
    frame = frame.with_columns(
        _pg_array(pl.col(c)).alias(c)
        for c, dtype in frame.schema.items()
        if isinstance(dtype, pl.List)
    )
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False, null_value="\\N")
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv, NULL '\\N')").format(
        sql.Identifier("padron", table), sql.SQL(", ").join(map(sql.Identifier, frame.columns))
    )
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        copy.write(buffer.getbuffer())


def _pg_array(column: pl.Expr) -> pl.Expr:
    """A list of texts as a PostgreSQL array literal: every element quoted and escaped."""
    quoted = column.list.eval(
        pl.lit('"')
        + pl.element()
        .str.replace_all("\\", "\\\\", literal=True)
        .str.replace_all('"', '\\"', literal=True)
        + pl.lit('"')
    )
    return pl.lit("{") + quoted.list.join(",") + pl.lit("}")


def _existing_keys(conn: Connection, programa: str) -> pl.Series:
    """``periodo␟folio`` of the program's records already loaded by earlier batches."""
    rows = conn.execute(
        select(func.coalesce(t.registro.c.periodo, "") + "\x1f" + t.registro.c.folio).where(
            t.registro.c.programa == programa
        )
    ).scalars()
    return pl.Series("key", list(rows), dtype=pl.String)


def _previous_batch(
    conn: Connection, programa: str, periodo: str | None, sha256: str
) -> IngestResult | None:
    row = (
        conn.execute(
            select(t.carga).where(
                t.carga.c.programa == programa,
                func.coalesce(t.carga.c.periodo, "") == (periodo or ""),
                t.carga.c.sha256 == sha256,
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return IngestResult(
        carga_id=row["id"],
        archivo=row["archivo"],
        ya_cargado=True,
        filas_leidas=row["filas_leidas"],
        filas_cargadas=row["filas_cargadas"],
        filas_rechazadas=row["filas_rechazadas"],
        folios_repetidos=row["folios_repetidos"],
        formato=row["formato"],
        codificacion=row["codificacion"],
        delimitador=row["delimitador"],
    )


def _field_count(raw: str, delimiter: str) -> int:
    return len(next(csv.reader([raw], delimiter=delimiter), []))


def batch_status(conn: Connection, carga_id: int) -> dict[str, object]:
    """A batch's bookkeeping (no personal data), with reject counts by reason."""
    row = conn.execute(select(t.carga).where(t.carga.c.id == carga_id)).mappings().first()
    if row is None:
        raise NotFound(f"No existe la carga {carga_id}.")
    reasons = dict(
        conn.execute(
            select(t.rechazo.c.motivo, func.count())
            .where(t.rechazo.c.carga_id == carga_id)
            .group_by(t.rechazo.c.motivo)
        ).all()
    )
    status = {k: v for k, v in row.items() if k != "sha256"}
    status["rechazos_por_motivo"] = reasons
    return status


def export_rejects(
    conn: Connection, out: io.TextIOBase | io.StringIO, carga_id: int | None = None
) -> int:
    """Write rejected rows as CSV: batch, file, row, reason, detail and the raw values."""
    query = (
        select(t.carga.c.id, t.carga.c.archivo, t.carga.c.columnas, t.rechazo.c.fila, t.rechazo.c.motivo,
               t.rechazo.c.detalle, t.rechazo.c.crudo)
        .join_from(t.rechazo, t.carga, t.rechazo.c.carga_id == t.carga.c.id)
        .order_by(t.carga.c.id, t.rechazo.c.fila)
    )  # fmt: skip
    if carga_id is not None:
        query = query.where(t.carga.c.id == carga_id)
    writer = csv.writer(out)
    writer.writerow(["carga", "archivo", "fila", "motivo", "detalle", "valores"])
    count = 0
    for row in conn.execute(query):
        values = "; ".join(
            f"{name}={value}" for name, value in zip(row.columnas, row.crudo, strict=False)
        )
        writer.writerow([row.id, row.archivo, row.fila, row.motivo, row.detalle or "", values])
        count += 1
    return count
