"""Loading Oaxaca's real INEGI/CONAPO products into PostGIS."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, text

from boundaries.load import SourceFiles, load_state
from geo.kernel.errors import DataCheckFailed, InvalidParameter
from tests.conftest import DATA_DIR


def scalar(conn: Connection, sql: str, **params: object) -> object:
    return conn.execute(text(sql), params).scalar_one()


def test_counts_and_population_match_the_census(conn: Connection) -> None:
    assert scalar(conn, "SELECT count(*) FROM boundaries.municipio") == 570
    assert scalar(conn, "SELECT count(*) FROM boundaries.localidad") == 10_723
    assert scalar(conn, "SELECT sum(pobtot) FROM boundaries.localidad") == 4_132_148
    assert scalar(conn, "SELECT count(*) FROM boundaries.localidad_poligono") == 4_068
    assert scalar(conn, "SELECT count(*) FROM boundaries.estado") == 1
    assert scalar(conn, "SELECT count(DISTINCT anio) FROM boundaries.marginacion_municipal") == 3
    assert (
        scalar(conn, "SELECT count(*) FROM boundaries.marginacion_ageb WHERE anio = 2020") == 2_068
    )


def test_geometries_are_valid_and_indexed_in_4326(conn: Connection) -> None:
    assert scalar(conn, "SELECT count(*) FROM boundaries.municipio WHERE NOT ST_IsValid(geom)") == 0
    assert scalar(conn, "SELECT DISTINCT ST_SRID(geom) FROM boundaries.localidad") == 4326
    gist = conn.execute(
        text(
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'boundaries' AND indexdef LIKE '%gist%'"
        )
    ).scalars()
    assert {"municipio_geom_gist", "localidad_geom_gist", "localidad_poligono_geom_gist"} <= set(
        gist
    )


def test_dms_coordinates_are_parsed_like_inegi_decimal_values(conn: Connection) -> None:
    with (DATA_DIR / "oaxaca_iter2020_localidades.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["LOC"] not in {"0000", "9998", "9999"}]
    expected = {r["CVEGEO"]: (float(r["LON_DEC"]), float(r["LAT_DEC"])) for r in rows}
    got = conn.execute(
        text("SELECT cvegeo, ST_X(geom), ST_Y(geom) FROM boundaries.localidad")
    ).all()
    worst = max(max(abs(x - expected[k][0]), abs(y - expected[k][1])) for k, x, y in got)
    assert worst < 1e-6
    # Oaxaca de Juárez, 96°43'31.621" W 17°03'35.975" N in ITER.
    x, y = conn.execute(
        text("SELECT ST_X(geom), ST_Y(geom) FROM boundaries.localidad WHERE cvegeo = '200670001'")
    ).one()
    assert x == pytest.approx(-96.725450, abs=1e-6) and y == pytest.approx(17.059993, abs=1e-6)


def test_iter_markers_become_null_never_zero(conn: Connection) -> None:
    # Localities of one or two dwellings have their indicators masked with '*'.
    masked = scalar(
        conn,
        "SELECT count(*) FROM boundaries.localidad WHERE pobtot <= 5 AND pobfem IS NULL",
    )
    assert masked > 0
    zero_for_star = scalar(
        conn,
        "SELECT count(*) FROM boundaries.localidad WHERE pobfem = 0 AND pobmas = 0 AND pobtot > 0",
    )
    assert zero_for_star == 0
    null_json = scalar(
        conn,
        "SELECT count(*) FROM boundaries.localidad WHERE jsonb_typeof(indicadores->'P15YM_AN') = 'null'",
    )
    assert null_json > 0
    assert (
        scalar(conn, "SELECT count(*) FROM boundaries.poblacion_edad WHERE poblacion IS NULL") > 0
    )


def test_age_groups_add_up_to_the_locality_population(conn: Connection) -> None:
    # Oaxaca de Juárez is large enough that nothing is masked.
    total = scalar(
        conn,
        "SELECT sum(poblacion) FROM boundaries.poblacion_edad WHERE cvegeo = '200670001' AND sexo = 'T'",
    )
    pobtot = scalar(conn, "SELECT pobtot FROM boundaries.localidad WHERE cvegeo = '200670001'")
    assert total is not None and abs(int(total) - int(pobtot)) <= 0.01 * int(pobtot)  # type: ignore[call-overload]
    assert scalar(conn, "SELECT count(DISTINCT edad_min) FROM boundaries.poblacion_edad") == 18


def test_points_in_another_municipality_are_flagged_not_corrected(conn: Connection) -> None:
    assert scalar(conn, "SELECT count(*) FROM boundaries.localidad WHERE fuera_de_municipio") == 101
    row = conn.execute(
        text(
            "SELECT cvegeo_mun, mun_espacial, fuera_de_municipio FROM boundaries.localidad WHERE cvegeo = '200090012'"
        )
    ).one()
    assert tuple(row) == ("20009", "20417", True)


def test_districts_and_regions(conn: Connection) -> None:
    assert scalar(conn, "SELECT count(DISTINCT distrito) FROM boundaries.municipio") == 30
    assert scalar(conn, "SELECT count(DISTINCT region) FROM boundaries.municipio") == 8
    assert (
        scalar(conn, "SELECT region FROM boundaries.municipio WHERE cvegeo = '20067'")
        == "Valles Centrales"
    )


def test_best_marginality_prefers_urban_index_then_municipal(conn: Connection) -> None:
    sources = dict(
        conn.execute(
            text("SELECT fuente, count(*) FROM boundaries.marginacion_mejor GROUP BY 1")
        ).all()
    )
    assert sources.keys() == {"IMU", "IMM"}
    assert sum(sources.values()) == 10_723
    # Oaxaca de Juárez has urban AGEBs: population-weighted IMU.
    weighted = scalar(
        conn,
        "SELECT sum(im * pob_total) / sum(pob_total) FROM boundaries.marginacion_ageb "
        "WHERE cvegeo_loc = '200670001' AND anio = 2020",
    )
    best = conn.execute(
        text("SELECT fuente, im, anio FROM boundaries.marginacion_mejor WHERE cvegeo = '200670001'")
    ).one()
    assert best.fuente == "IMU" and best.anio == 2020
    assert best.im == pytest.approx(weighted)
    # A rural locality without AGEBs takes its municipality's IMM 2020 grade.
    rural = conn.execute(
        text(
            "SELECT b.fuente, b.gm, m.gm AS gm_mun FROM boundaries.marginacion_mejor b "
            "JOIN boundaries.localidad l USING (cvegeo) JOIN boundaries.marginacion_municipal m "
            "ON m.cvegeo = l.cvegeo_mun AND m.anio = 2020 WHERE l.cvegeo = '200020002'"
        )
    ).one()
    assert rural.fuente == "IMM" and rural.gm == rural.gm_mun


def test_loading_the_same_files_again_is_a_no_op(engine: Engine) -> None:
    report = load_state(engine, SourceFiles.discover(DATA_DIR), "20")
    assert report.changed is False
    assert report.counts["localidad"] == 10_723


def test_failed_check_rolls_back_and_keeps_previous_data(engine: Engine, tmp_path: Path) -> None:
    for item in DATA_DIR.iterdir():
        (tmp_path / item.name).symlink_to(item)
    iter_copy = tmp_path / "oaxaca_iter2020_localidades.csv"
    iter_copy.unlink()
    lines = (DATA_DIR / iter_copy.name).read_text(encoding="utf-8").splitlines(keepends=True)
    # Drop one real locality: the state total no longer adds up.
    victim = next(i for i, line in enumerate(lines) if line.startswith("200670001,"))
    iter_copy.write_text("".join(lines[:victim] + lines[victim + 1 :]), encoding="utf-8")

    with pytest.raises(
        DataCheckFailed, match="localidades: se cargaron 10,722, se esperaban 10,723"
    ):
        load_state(engine, SourceFiles.discover(tmp_path), "20")
    with engine.connect() as conn:
        assert scalar(conn, "SELECT count(*) FROM boundaries.localidad") == 10_723
        assert (
            scalar(conn, "SELECT count(*) FROM boundaries.localidad WHERE cvegeo = '200670001'")
            == 1
        )


def test_missing_products_and_bad_state_are_clear_errors(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(InvalidParameter, match="faltan productos obligatorios"):
        SourceFiles.discover(tmp_path)
    with pytest.raises(InvalidParameter, match="'01' a '32'"):
        load_state(engine, SourceFiles.discover(DATA_DIR), "99")
