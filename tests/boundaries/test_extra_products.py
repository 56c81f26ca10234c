"""CONAPO's locality index (IML) and SEPOMEX postal codes loaded into the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from boundaries.load import load_iml, load_sepomex
from geo.kernel.errors import DataCheckFailed

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_iml_becomes_the_preferred_marginality(conn: Connection) -> None:
    assert load_iml(conn, FIXTURES / "iml_2020_muestra.csv", "20") == 5
    best = conn.execute(
        text("SELECT fuente, gm, im FROM boundaries.marginacion_mejor WHERE cvegeo = '200670001'")
    ).one()
    loaded = conn.execute(
        text("SELECT gm, im FROM boundaries.marginacion_localidad WHERE cvegeo = '200670001'")
    ).one()
    assert (best.fuente, best.gm, best.im) == ("IML", loaded.gm, loaded.im)
    # Localities the file does not cover keep their previous source.
    other = conn.execute(
        text("SELECT fuente FROM boundaries.marginacion_mejor WHERE cvegeo = '200020002'")
    ).scalar_one()
    assert other == "IMM"


def test_iml_of_another_state_is_refused(conn: Connection) -> None:
    with pytest.raises(DataCheckFailed, match="no hay localidades de la entidad 21"):
        load_iml(conn, FIXTURES / "iml_2020_muestra.csv", "21")


def test_sepomex_settlements_by_municipality(conn: Connection) -> None:
    assert load_sepomex(conn, FIXTURES / "sepomex_cp_muestra.txt", "20") == 6
    rows = conn.execute(
        text("SELECT cp, asentamiento, cvegeo_mun FROM boundaries.codigo_postal WHERE cp = '69830'")
    ).all()
    assert [tuple(r) for r in rows] == [("69830", "El Ñame", "20208")]


def test_sepomex_with_unknown_municipality_is_refused(conn: Connection, tmp_path: Path) -> None:
    raw = (FIXTURES / "sepomex_cp_muestra.txt").read_bytes().replace(b"|413|", b"|999|")
    bad = tmp_path / "cp.txt"
    bad.write_bytes(raw)
    with pytest.raises(DataCheckFailed, match="20999"):
        load_sepomex(conn, bad, "20")
