"""Roster ingest against the real database: formats, validation, nothing lost."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, text

from geo.ingest import PUB_FIELDS, ingest_file, load_layout
from geo.ingest.archive import raw_rows
from geo.ingest.loader import export_rejects
from geo.ingest.reader import ReadLimits
from geo.ingest.tables import raw_values
from geo.kernel.db import csv_for_copy
from geo.kernel.errors import InvalidParameter
from tests.ingest.builders import BASE_ROW, RosterWriter

REPO = Path(__file__).resolve().parents[2]


def records(engine: Engine, carga_id: int) -> list[dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT * FROM padron.registro WHERE carga_id = :c ORDER BY fila"), {"c": carga_id}
        ).mappings()
        return [dict(r) for r in rows]


def rejects(engine: Engine, carga_id: int) -> list[dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT fila, motivo, detalle, crudo FROM padron.rechazo WHERE carga_id = :c ORDER BY fila"
            ),
            {"c": carga_id},
        ).mappings()
        return [dict(r) for r in rows]


@pytest.mark.parametrize(
    ("encoding", "delimiter", "programa"),
    [
        ("utf-8", ",", "ENC_UTF8"),
        ("utf-8-sig", "|", "ENC_UTF8_BOM"),
        ("cp1252", "\t", "ENC_CP1252"),
        ("latin-1", ";", "ENC_LATIN1"),
    ],
)
def test_encodings_and_delimiters_are_detected(
    engine: Engine, write_roster: RosterWriter, encoding: str, delimiter: str, programa: str
) -> None:
    path = write_roster(
        [
            {"ID_REGISTRO": "A1", "NB_PRIMER_AP": "Núñez"},
            {"ID_REGISTRO": "A2", "NB_NOMBRE": "José"},
        ],
        encoding=encoding,
        delimiter=delimiter,
    )
    # One program per case: the same folios under one program would be refused as loaded.
    result = ingest_file(engine, path, programa)
    assert (result.filas_leidas, result.filas_cargadas, result.filas_rechazadas) == (2, 2, 0)
    assert result.delimitador == delimiter
    assert result.codificacion == {"latin-1": "cp1252"}.get(encoding, encoding)
    loaded = records(engine, result.carga_id)
    assert loaded[0]["primer_ap"] == "Núñez" and loaded[1]["nombre"] == "José"
    assert loaded[0]["primer_ap_norm"] == "NUNEZ"


def test_headers_match_without_case_accents_or_spaces(
    engine: Engine, write_roster: RosterWriter
) -> None:
    header = [f"  {c.lower()} " for c in PUB_FIELDS]
    header[header.index("  nb_curp ")] = "Nb_Curp"
    path = write_roster([{}], header=list(reversed(header)))
    result = ingest_file(engine, path, "HDR")
    (record,) = records(engine, result.carga_id)
    assert record["folio"] == "F0001" and record["nombre"] == "María Guadalupe"


def test_normalisation_of_every_field(engine: Engine, write_roster: RosterWriter) -> None:
    path = write_roster(
        [
            {
                "ID_REGISTRO": "N1",
                "NB_CURP": BASE_ROW["NB_CURP"].lower(),
                "FH_NACIMIENTO": "02/03/1950",
                "CD_SEXO": "Mujer",
                "CVE_ENT": "20",
                "CVE_MUN": "67",
                "CVE_LOC": "1",
                "LONGITUD": "96°43'31.6\" W",
                "LATITUD": "17,06",
                "NU_IMP_MONETARIO": "$3,100.00",
                "FH_ALTA": "20240115",
            },
            {
                "ID_REGISTRO": "N2",
                "CD_SEXO": "2",
                "FH_NACIMIENTO": "19500302",
                "NB_NOMBRE": "Ma. Guadalupe",
            },
        ]
    )
    result = ingest_file(engine, path, "NORM")
    first, second = records(engine, result.carga_id)
    assert first["curp"] == BASE_ROW["NB_CURP"] and first["curp_valida"] is True
    assert str(first["fecha_nacimiento"]) == "1950-03-02" and first["sexo"] == "M"
    assert (first["cve_mun"], first["cve_loc"]) == ("067", "0001")
    assert "claves_sin_ceros" in first["banderas"]
    assert first["lon_declarada"] == pytest.approx(-96.725444, abs=1e-5)
    assert first["lat_declarada"] == pytest.approx(17.06)
    assert str(first["importe"]) == "3100.00" and str(first["fecha_alta"]) == "2024-01-15"
    assert second["sexo"] == "M" and str(second["fecha_nacimiento"]) == "1950-03-02"
    assert second["nombre_norm"] == first["nombre_norm"] == "MARIA GUADALUPE"
    with engine.connect() as conn:  # the cells as received, from the archived file
        raw = raw_rows(conn, result.carga_id, [first["fila"]])[first["fila"]]
    assert raw[PUB_FIELDS.index("LONGITUD")] == "96°43'31.6\" W"


def test_usable_problems_become_named_flags(engine: Engine, write_roster: RosterWriter) -> None:
    good = BASE_ROW["NB_CURP"]
    typo = good[:-1] + str((int(good[-1]) + 1) % 10)
    path = write_roster(
        [
            {"ID_REGISTRO": "P1", "NB_CURP": typo},
            {"ID_REGISTRO": "P2", "NB_CURP": ""},
            {
                "ID_REGISTRO": "P3",
                "NB_CURP": "XYZ",
                "CD_SEXO": "desconocido",
                "FH_NACIMIENTO": "31/02/1950",
            },
            {
                "ID_REGISTRO": "P4",
                "CVE_MUN": "mun",
                "LATITUD": "norte",
                "NU_IMP_MONETARIO": "mucho",
            },
            {"ID_REGISTRO": "P5", "FH_NACIMIENTO": "1951-03-02", "CD_SEXO": "H"},
        ]
    )
    result = ingest_file(engine, path, "FLAGS")
    flags = {r["folio"]: set(r["banderas"]) for r in records(engine, result.carga_id)}
    assert flags["P1"] == {"curp_check_digit"}
    assert flags["P2"] == {"curp_faltante"}
    assert flags["P3"] >= {"curp_formato", "sexo_invalido", "fecha_nacimiento_invalida"}
    assert flags["P4"] >= {"clave_mun_invalida", "coord_formato", "importe_invalido"}
    assert flags["P5"] == {"curp_no_coincide_fecha", "curp_no_coincide_sexo"}
    assert result.filas_rechazadas == 0


def test_rejections_keep_row_number_reason_and_raw_values(
    engine: Engine, write_roster: RosterWriter, tmp_path: Path
) -> None:
    path = write_roster(
        [
            {"ID_REGISTRO": "R1"},
            {"ID_REGISTRO": ""},
            {"ID_REGISTRO": "R3", "NB_PRIMER_AP": "", "NB_SEGUNDO_AP": "N/D", "NB_NOMBRE": " "},
            {"ID_REGISTRO": "R1", "NB_NOMBRE": "Otra persona"},
            {"ID_REGISTRO": "R5"},
        ]
    )
    # A ragged line: one field short.
    with path.open("a", encoding="utf-8") as handle:
        handle.write("R6,PAM,2024\n")
    result = ingest_file(engine, path, "REJ")
    assert result.filas_leidas == 6 == result.filas_cargadas + result.filas_rechazadas
    assert result.filas_cargadas == 2 and result.folios_repetidos == 1
    got = [(r["fila"], r["motivo"]) for r in rejects(engine, result.carga_id)]
    assert got == [(3, "sin_folio"), (4, "sin_nombre"), (5, "folio_repetido"), (7, "columnas")]
    repeated = rejects(engine, result.carga_id)[2]
    assert raw_values(repeated["crudo"])[PUB_FIELDS.index("NB_NOMBRE")] == "Otra persona"
    assert rejects(engine, result.carga_id)[3]["crudo"] == "R6,PAM,2024"
    out = io.StringIO()
    with engine.connect() as conn:
        assert export_rejects(conn, out, result.carga_id) == 4
    assert "folio_repetido" in out.getvalue() and "NB_NOMBRE=Otra persona" in out.getvalue()
    with engine.connect() as conn:
        stored = conn.execute(
            text(
                "SELECT filas_leidas, filas_cargadas, filas_rechazadas, folios_repetidos FROM padron.carga WHERE id = :c"
            ),
            {"c": result.carga_id},
        ).one()
    assert tuple(stored) == (6, 2, 4, 1)


def test_reingesting_the_same_content_is_a_no_op(
    engine: Engine, write_roster: RosterWriter
) -> None:
    path = write_roster([{"ID_REGISTRO": "S1"}, {"ID_REGISTRO": "S2"}])
    first = ingest_file(engine, path, "SAME", periodo="2024-T1")
    renamed = path.rename(path.with_name("otro_nombre.csv"))
    again = ingest_file(engine, renamed, "SAME", periodo="2024-T1")
    assert again.ya_cargado and again.carga_id == first.carga_id
    with engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM padron.registro WHERE programa = 'SAME'")
            ).scalar_one()
            == 2
        )


def test_a_folio_loaded_by_another_file_of_the_same_period_is_rejected(
    engine: Engine, write_roster: RosterWriter
) -> None:
    ingest_file(
        engine, write_roster([{"ID_REGISTRO": "T1"}], name="a.csv"), "TWICE", periodo="2024"
    )
    second = ingest_file(
        engine,
        write_roster([{"ID_REGISTRO": "T1"}, {"ID_REGISTRO": "T2"}], name="b.csv"),
        "TWICE",
        periodo="2024",
    )
    assert second.rechazos == {"folio_ya_cargado": 1} and second.filas_cargadas == 1
    other_period = ingest_file(
        engine, write_roster([{"ID_REGISTRO": "T1"}], name="c.csv"), "TWICE", periodo="2025"
    )
    assert other_period.filas_cargadas == 1


def test_rosters_of_two_programs_can_be_ingested_at_once(
    engine: Engine, write_roster: RosterWriter
) -> None:
    """Two uploads at the same time (two users, two programs) both load. Each ingest once
    held its new ``carga`` row until it committed while attaching its partition, which checks
    the foreign key to ``carga`` and so waits for every other open ingest's row: two at once
    were a lock cycle, and PostgreSQL cancelled one (a 503 for its user). The barrier lets
    both reach their first chunk before either attaches; with ingests taken one at a time,
    the second waits before it starts, and the first goes on after the barrier's timeout."""
    both_started = threading.Barrier(2, timeout=3)

    def ingest(programa: str) -> int:
        def progress(step: str, done: int, total: int | None, unit: str) -> None:
            if not both_started.broken:
                with contextlib.suppress(threading.BrokenBarrierError):
                    both_started.wait()

        path = write_roster([{"ID_REGISTRO": f"{programa}-1"}], name=f"{programa}.csv")
        return ingest_file(engine, path, programa, progress=progress).filas_cargadas

    with ThreadPoolExecutor(2) as pool:
        loaded = list(pool.map(ingest, ["CONCURRENTE_A", "CONCURRENTE_B"]))
    assert loaded == [1, 1]


def test_xlsx_roster(engine: Engine, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(PUB_FIELDS))
    row = {**BASE_ROW, "ID_REGISTRO": 101, "CVE_MUN": 67, "CP": 68000.0}
    sheet.append([row[c] for c in PUB_FIELDS])
    path = tmp_path / "padron.xlsx"
    workbook.save(path)
    result = ingest_file(engine, path, "XLSX")
    (record,) = records(engine, result.carga_id)
    assert result.formato == "xlsx"
    assert (record["folio"], record["cve_mun"], record["cp"]) == ("101", "067", "68000")


def test_yaml_mapping_layout(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "otro.csv"
    path.write_text(
        "Folio del beneficiario;Apellido paterno;Apellido materno;Nombre(s);Municipio;Clave del municipio\n"
        "X-1;López;Ruiz;Juana;Oaxaca de Juárez;67\n",
        encoding="utf-8",
    )
    layout = load_layout(str(REPO / "docs" / "layouts" / "ejemplo.yaml"))
    result = ingest_file(engine, path, "MAPEO", layout=layout)
    (record,) = records(engine, result.carga_id)
    assert (record["folio"], record["primer_ap"], record["cve_ent"], record["cve_mun"]) == (
        "X-1",
        "López",
        "20",
        "067",
    )


def test_missing_required_columns_are_a_clear_error(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "malo.csv"
    path.write_text("A,B\n1,2\n", encoding="utf-8")
    with pytest.raises(InvalidParameter, match=r"columnas obligatorias.*ID_REGISTRO"):
        ingest_file(engine, path, "MALO")
    with pytest.raises(InvalidParameter, match="Clave de programa no válida"):
        ingest_file(engine, path, "no válido!")
    with engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM padron.carga WHERE programa = 'MALO'")
            ).scalar_one()
            == 0
        )


def test_a_killed_ingest_leaves_no_partial_batch(
    engine: Engine, write_roster: RosterWriter
) -> None:
    path = write_roster([{"ID_REGISTRO": f"K{i}"} for i in range(200_000)], name="grande.csv")
    url = engine.url.render_as_string(hide_password=False)
    script = (
        "import sys; from pathlib import Path; from geo.kernel.db import make_engine; "
        "from geo.ingest import ingest_file; import geo.ingest.loader as p; p.CHUNK_ROWS = 20_000; "
        "ingest_file(make_engine(sys.argv[1]), Path(sys.argv[2]), 'KILLED')"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, url, str(path)], cwd=REPO, env=os.environ.copy()
    )
    deadline = time.monotonic() + 60
    with engine.connect() as conn:
        # Wait until the batch row exists inside the (uncommitted) transaction, then kill.
        while time.monotonic() < deadline:
            active = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE query ILIKE 'COPY%padron%registro%'"
                )
            ).scalar_one()
            conn.rollback()  # statistics are a snapshot per transaction
            if active:
                break
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait()
        time.sleep(0.5)
        assert (
            conn.execute(
                text("SELECT count(*) FROM padron.carga WHERE programa = 'KILLED'")
            ).scalar_one()
            == 0
        )
        assert (
            conn.execute(
                text("SELECT count(*) FROM padron.registro WHERE programa = 'KILLED'")
            ).scalar_one()
            == 0
        )


def test_a_failure_while_encoding_a_chunk_fails_the_ingest_and_keeps_nothing(
    engine: Engine, write_roster: RosterWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks are encoded in a thread of their own, beside the writing of the one before: an
    error there reaches the caller (no hang), the batch's transaction leaves nothing, and the
    ingest's threads end."""
    import geo.ingest.loader as loader
    import geo.ingest.reader as reader

    monkeypatch.setattr(reader, "PARSE_BLOCK_BYTES", 1 << 16)  # many small chunks...
    monkeypatch.setattr(loader, "CHUNK_ROWS", 200)  # ...one per block parsed
    encoded = 0

    def fail_on_the_third_chunk(frame: pl.DataFrame) -> memoryview:
        nonlocal encoded
        encoded += 1
        if encoded == 3:
            raise OSError("disco lleno")
        return csv_for_copy(frame)

    monkeypatch.setattr(loader, "csv_for_copy", fail_on_the_third_chunk)
    path = write_roster([{"ID_REGISTRO": f"E{i}"} for i in range(2_000)], name="enc.csv")
    short_rows = ReadLimits(max_line_bytes=4_096)  # else a block must hold a 1 MB row
    with pytest.raises(OSError, match="disco lleno"):
        ingest_file(engine, path, "ENCODE", limits=short_rows)
    with engine.connect() as conn:
        for table in ("carga", "registro"):
            count = text(f"SELECT count(*) FROM padron.{table} WHERE programa = 'ENCODE'")
            assert conn.execute(count).scalar_one() == 0
    left = [
        t.name for t in threading.enumerate() if t.name.startswith(("padron-encode", "padron-copy"))
    ]
    assert left == []


def test_folio_hash_hits_are_confirmed_on_the_strings() -> None:
    """A 64-bit hash collision must not reject a row: hits are checked against the keys."""
    from geo.ingest.loader import _confirmed

    keys = pl.Series(["2024\x1fA1", "2024\x1fB2"])
    colliding = pl.Series([keys.hash()[0], keys.hash()[1]])  # hashes say both are known...
    known = pl.Series(["2024\x1fB2", "2024\x1fZZ"])  # ...the strings say only B2 is
    assert _confirmed(keys, keys.hash(), colliding, lambda: known).to_list() == [False, True]
    nothing = pl.Series([], dtype=pl.UInt64)
    assert _confirmed(keys, keys.hash(), nothing, lambda: known).to_list() == [False, False]
