"""Each ingested file is kept byte for byte, and a record's cells as received come from it."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, text

from geo.ingest import PUB_FIELDS, ingest_file
from geo.ingest import archive as archive_module
from geo.ingest.archive import raw_rows, write_original
from geo.kernel.db import make_engine, upgrade
from geo.kernel.errors import InvalidParameter
from tests.conftest import fresh_database
from tests.ingest.builders import RosterWriter


def _parts(engine: Engine, carga_id: int) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM padron.carga_archivo WHERE carga_id = :c"),
                {"c": carga_id},
            ).scalar_one()
        )


def test_the_original_file_comes_back_byte_for_byte(
    engine: Engine, write_roster: RosterWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive_module, "PART_BYTES", 1000)  # several parts, one per batch or more
    rows = [{"ID_REGISTRO": f"O{i}", "NB_NOMBRE": f"Núñez {i}"} for i in range(300)]
    path = write_roster(rows, encoding="cp1252", delimiter="|")
    result = ingest_file(engine, path, "ORIGINAL")
    assert _parts(engine, result.carga_id) == -(-path.stat().st_size // 1000)
    out = io.BytesIO()
    with engine.connect() as conn:
        assert write_original(conn, result.carga_id, out) == path.stat().st_size
        raw = raw_rows(conn, result.carga_id, [2, 301])
    assert out.getvalue() == path.read_bytes()
    assert raw[2][PUB_FIELDS.index("NB_NOMBRE")] == "Núñez 0"
    assert raw[301][PUB_FIELDS.index("ID_REGISTRO")] == "O299"
    # The same content again is a no-op: no second copy.
    again = ingest_file(engine, path, "ORIGINAL")
    assert again.ya_cargado and _parts(engine, result.carga_id) == _parts(engine, again.carga_id)


def test_a_damaged_archive_is_refused(engine: Engine, write_roster: RosterWriter) -> None:
    result = ingest_file(engine, write_roster([{"ID_REGISTRO": "D1"}]), "DANADO")
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE padron.carga SET sha256 = repeat('0', 64) WHERE id = :c"),
            {"c": result.carga_id},
        )
        with pytest.raises(InvalidParameter, match="no coincide con su SHA-256"):
            write_original(conn, result.carga_id, io.BytesIO())
        conn.rollback()


def test_xlsx_rows_as_received(engine: Engine, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(PUB_FIELDS))
    sheet.append(["X1", "", "2024"] + [""] * (len(PUB_FIELDS) - 4) + ["17.06"])
    sheet.append(["X2", "", "2024", "", "Pérez"] + [""] * (len(PUB_FIELDS) - 5))
    path = tmp_path / "padron.xlsx"
    workbook.save(path)
    result = ingest_file(engine, path, "XLSXORIG")
    out = io.BytesIO()
    with engine.connect() as conn:
        write_original(conn, result.carga_id, out)
        raw = raw_rows(conn, result.carga_id, [3])
    assert (
        hashlib.sha256(out.getvalue()).hexdigest() == hashlib.sha256(path.read_bytes()).hexdigest()
    )
    assert raw[3][PUB_FIELDS.index("NB_PRIMER_AP")] == "Pérez"


def test_batches_loaded_before_the_archive_keep_their_cells() -> None:
    """Migration 0010 moves each record's ``crudo`` into the batch's archive."""
    with fresh_database() as url:
        engine = make_engine(url)
        upgrade(engine, "0009")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO padron.programa (clave, nombre) VALUES ('V', 'V')"))
            conn.execute(
                text(
                    "INSERT INTO padron.carga (id, programa, archivo, sha256, formato, layout,"
                    " columnas, filas_leidas, filas_cargadas, filas_rechazadas, folios_repetidos,"
                    " iniciada_en, terminada_en) VALUES (7, 'V', 'viejo.csv', repeat('0', 64),"
                    " 'csv', 'pub', '{A,B}', 2, 2, 0, 0, now(), now())"
                )
            )
            conn.execute(
                text(
                    "CREATE TABLE padron.registro_7 PARTITION OF padron.registro FOR VALUES IN (7)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO padron.registro (carga_id, programa, folio, fila, curp_valida,"
                    " banderas, crudo) VALUES (7, 'V', 'F1', 2, false, '{}', 'F1' || chr(31) || 'Ana'),"
                    " (7, 'V', 'F2', 3, false, '{}', 'F2' || chr(31) || 'José Luis')"
                )
            )
        upgrade(engine)
        with engine.connect() as conn:
            assert raw_rows(conn, 7, [3, 2]) == {2: ["F1", "Ana"], 3: ["F2", "José Luis"]}
            with pytest.raises(InvalidParameter, match="anterior al archivo"):
                write_original(conn, 7, io.BytesIO())
        engine.dispose()
