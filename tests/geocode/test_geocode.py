"""Geocoding hand-made records against the real Oaxaca geography, with exact outcomes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from boundaries.load import load_sepomex
from geo.geocode import geocode
from geo.ingest import ingest_file
from tests.ingest.builders import RosterWriter

# Oaxaca de Juárez (20067, locality 0001, urban polygon) and a rural locality of Acatlán de
# Pérez Figueroa (200020002 Agua Escondida).
CITY = {
    "CVE_MUN": "067",
    "CVE_LOC": "0001",
    "NOM_MUN": "OAXACA DE JUÁREZ",
    "NOM_LOC": "OAXACA DE JUÁREZ",
}
IN_CITY = {"LONGITUD": "-96.7255", "LATITUD": "17.0600"}
NO_POINT = {"LONGITUD": "", "LATITUD": ""}
NO_PLACE = {"CVE_ENT": "", "CVE_MUN": "", "CVE_LOC": "", "NOM_MUN": "", "NOM_LOC": "", "CP": ""}

CASES: dict[str, dict[str, Any]] = {
    "croquis_ok": {**CITY, **IN_CITY},
    "sin_coord": {**CITY, "LONGITUD": "", "LATITUD": ""},
    "signo": {**CITY, "LONGITUD": "96.7255", "LATITUD": "17.0600"},
    "invertida": {**CITY, "LONGITUD": "17.0600", "LATITUD": "-96.7255"},
    "cero": {**CITY, "LONGITUD": "0", "LATITUD": "0"},
    "cdmx": {**CITY, "LONGITUD": "-99.1332", "LATITUD": "19.4326"},
    "otro_mun": {**CITY, "LONGITUD": "-95.0203", "LATITUD": "16.4347"},  # Juchitán
    "por_nombre": {
        "CVE_MUN": "",
        "CVE_LOC": "",
        "NOM_MUN": "Oaxaca de Juarez",
        "NOM_LOC": "Oaxaca de Juárez",
        "LONGITUD": "",
        "LATITUD": "",
    },
    "honorifico": {
        "CVE_MUN": "",
        "CVE_LOC": "",
        "NOM_MUN": "JUCHITAN DE ZARAGOZA",
        "NOM_LOC": "",
        "LONGITUD": "",
        "LATITUD": "",
    },
    "sin_ceros": {
        "CVE_ENT": "20",
        "CVE_MUN": "2",
        "CVE_LOC": "2",
        "NOM_MUN": "",
        "NOM_LOC": "",
        "LONGITUD": "",
        "LATITUD": "",
    },
    "solo_croquis": {**NO_PLACE, **IN_CITY},
    "nada": {**NO_PLACE, **NO_POINT},
    "mun_inexistente": {**NO_PLACE, **NO_POINT, "CVE_MUN": "999"},
    # Only a postal code: SEPOMEX's 70000 lies entirely in Juchitán (20043).
    "por_cp": {**NO_PLACE, **NO_POINT, "CP": "70000"},
}


@pytest.fixture(scope="module")
def placed(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    from tests.ingest.builders import roster_writer

    with engine.begin() as conn:  # the operator's SEPOMEX catalogue (a hand-made sample)
        load_sepomex(
            conn, Path(__file__).resolve().parents[1] / "fixtures" / "sepomex_cp_muestra.txt", "20"
        )
    write: RosterWriter = roster_writer(tmp_path_factory.mktemp("geo"))
    path = write([{"ID_REGISTRO": folio, **values} for folio, values in CASES.items()])
    carga = ingest_file(engine, path, "GEOTEST").carga_id
    report = geocode(engine, carga)
    assert report.registros == len(CASES)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT r.folio, u.cvegeo_mun, u.cvegeo_loc, u.precision, u.confianza, u.banderas,"
                " ST_X(u.geom) AS x, ST_Y(u.geom) AS y FROM padron.ubicacion u"
                " JOIN padron.registro r ON r.id = u.registro_id WHERE u.carga_id = :c"
            ),
            {"c": carga},
        ).mappings()
        return {row["folio"]: dict(row) for row in rows}


@pytest.mark.parametrize(
    ("folio", "mun", "loc", "precision", "flags"),
    [
        ("croquis_ok", "20067", "200670001", "croquis", set()),
        ("sin_coord", "20067", "200670001", "localidad", set()),
        ("signo", "20067", "200670001", "croquis_corregido", {"coord_signo_corregido"}),
        ("invertida", "20067", "200670001", "croquis_corregido", {"coord_invertida_corregida"}),
        ("cero", "20067", "200670001", "localidad", {"coord_cero"}),
        ("cdmx", "20067", "200670001", "localidad", {"coord_fuera_de_oaxaca"}),
        ("otro_mun", "20067", "200670001", "localidad", {"coord_fuera_de_municipio"}),
        ("por_nombre", "20067", "200670001", "localidad", set()),
        ("honorifico", "20043", None, "municipio", set()),
        ("sin_ceros", "20002", "200020002", "localidad", set()),
        ("solo_croquis", "20067", "200670001", "croquis", {"sin_lugar_declarado"}),
        ("nada", None, None, "sin_ubicar", set()),
        ("mun_inexistente", None, None, "sin_ubicar", {"clave_mun_inexistente"}),
        ("por_cp", "20043", None, "municipio", {"municipio_por_cp"}),
    ],
)
def test_placement(
    placed: dict[str, dict[str, Any]],
    folio: str,
    mun: str | None,
    loc: str | None,
    precision: str,
    flags: set[str],
) -> None:
    row = placed[folio]
    assert (row["cvegeo_mun"], row["cvegeo_loc"], row["precision"]) == (mun, loc, precision)
    assert set(row["banderas"]) == flags


def test_points_and_confidence(placed: dict[str, dict[str, Any]]) -> None:
    assert (placed["croquis_ok"]["x"], placed["croquis_ok"]["y"]) == pytest.approx(
        (-96.7255, 17.06)
    )
    assert (placed["signo"]["x"], placed["signo"]["y"]) == pytest.approx((-96.7255, 17.06))
    # Without a usable croquis the point is the locality's INEGI point.
    assert (placed["cdmx"]["x"], placed["cdmx"]["y"]) == pytest.approx(
        (-96.725450, 17.059993), abs=1e-6
    )
    assert (
        placed["croquis_ok"]["confianza"]
        > placed["signo"]["confianza"]
        > placed["por_nombre"]["confianza"]
    )
    assert placed["nada"]["x"] is None and placed["nada"]["confianza"] == 0


def test_geocoding_again_replaces_the_batch(
    engine: Engine, placed: dict[str, dict[str, Any]]
) -> None:
    with engine.connect() as conn:
        carga = conn.execute(
            text("SELECT id FROM padron.carga WHERE programa = 'GEOTEST'")
        ).scalar_one()
    assert geocode(engine, carga).registros == len(CASES)
    with engine.connect() as conn:
        count = conn.execute(
            text("SELECT count(*) FROM padron.ubicacion WHERE carga_id = :c"), {"c": carga}
        ).scalar_one()
    assert count == len(CASES)
