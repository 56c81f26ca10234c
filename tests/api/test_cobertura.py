"""Coverage tables, incremental refresh and the gap ranking, on hand-made rosters (see the
``cobertura`` fixture in conftest: COBA and COBB in period 2031, Guadalupe de Ramírez)."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url

from api.warm import WARM_SECONDS
from geo.coverage.groups import parse_group
from geo.coverage.queries import (
    CoverageFilter,
    GapFilter,
    gaps,
    list_coverage,
    percent,
    warm_gaps,
)
from geo.coverage.refresh import refresh
from geo.geocode import geocode
from geo.ingest import ingest_file
from geo.kernel.db import make_engine
from geo.kernel.errors import InvalidParameter
from tests.api.conftest import COVERAGE_PERIOD, L1, L2, MUN, coverage_row
from tests.ingest.builders import roster_writer

pytestmark = pytest.mark.usefixtures("cobertura")


def coverage(engine: Engine, nivel: str, clave: str, programa: str, periodo: str = "2031") -> dict:
    with engine.connect() as conn:
        rows, total = list_coverage(
            conn, CoverageFilter(nivel=nivel, programa=programa, periodo=periodo, clave=clave)
        )
    assert total == 1
    return rows[0]


def test_locality_coverage_counts_unique_persons(engine: Engine) -> None:
    coba = coverage(engine, "localidad", L1, "COBA")
    assert (coba["personas"], coba["registros"], coba["importe"]) == (2, 3, 3000.0)
    assert coba["pobtot"] == 442 and coba["poblacion_grupo"] == 442
    assert coba["cobertura"] == pytest.approx(2 / 442)
    assert (coba["gm"], coba["fuente_marginacion"], coba["anio_marginacion"]) == (
        "Medio",
        "IMM",
        2020,
    )
    assert coba["nom_mun"] == "Guadalupe de Ramírez" and coba["grupo"] == "total"
    # Unresolved records (no CURP) count as one person each.
    cobb = coverage(engine, "localidad", L2, "COBB")
    assert (cobb["personas"], cobb["registros"]) == (2, 2)
    # Areas without beneficiaries are listed with zero.
    seat = coverage(engine, "localidad", "200340001", "COBA")
    assert (seat["personas"], seat["cobertura"]) == (0, 0)


def test_higher_levels_count_each_person_once(engine: Engine) -> None:
    assert coverage(engine, "municipio", MUN, "COBB")["personas"] == 3
    municipio = coverage(engine, "municipio", MUN, "COBA")
    assert municipio["personas"] == 2 and municipio["fuente_marginacion"] == "IMM"
    with engine.connect() as conn:
        district, region = conn.execute(
            text("SELECT distrito, region FROM boundaries.municipio WHERE cvegeo = :m"), {"m": MUN}
        ).one()
        population = conn.execute(
            text(
                "SELECT sum(l.pobtot) FROM boundaries.localidad l "
                "JOIN boundaries.municipio m ON m.cvegeo = l.cvegeo_mun WHERE m.distrito = :d"
            ),
            {"d": district},
        ).scalar_one()
    row = coverage(engine, "distrito", district, "COBA")
    assert (row["personas"], row["pobtot"], row["gm"]) == (2, population, None)
    assert coverage(engine, "region", region, "COBB")["personas"] == 3


def test_program_combinations_give_exact_unions(engine: Engine) -> None:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT programas, personas FROM analisis.combinacion "
                "WHERE periodo = '2031' AND nivel = 'municipio' AND clave = :m ORDER BY programas"
            ),
            {"m": MUN},
        ).all()
    assert [(list(p), n) for p, n in rows] == [(["COBA"], 1), (["COBA", "COBB"], 1), (["COBB"], 2)]


def test_refresh_records_batches(engine: Engine, cobertura: dict) -> None:
    with engine.connect() as conn:
        stored = dict(
            conn.execute(
                text("SELECT programa, cargas FROM analisis.refresco WHERE periodo = '2031'")
            ).all()
        )
    assert stored == {"COBA": [cobertura["cargas"]["COBA"]], "COBB": [cobertura["cargas"]["COBB"]]}
    assert ("COBA", "2031") in cobertura["report"].refrescados


def test_refresh_is_incremental(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> None:
    write = roster_writer(tmp_path_factory.mktemp("incremental"))
    rows = [coverage_row("C1", L1, PERIODO="2032")]
    for program in ("COBA", "COBC"):
        result = ingest_file(
            engine,
            write(rows, name=f"{program}.csv"),
            program,
            periodo="2032",
            periodo_atipico=True,
        )
        geocode(engine, result.carga_id)
    first = refresh(engine)
    assert {("COBA", "2032"), ("COBC", "2032")} <= set(first.refrescados)
    assert refresh(engine).refrescados == []

    def reached(programa: str) -> dict[str, int]:
        with engine.connect() as conn:
            rows, _, _ = gaps(conn, GapFilter(periodo="2032", municipio=MUN, programas=[programa]))
        return {r["cvegeo"]: r["personas"] for r in rows}

    assert reached("COBC")[L2] == 0  # the gap ranking keeps the period's tables in memory

    extra = ingest_file(
        engine,
        write([coverage_row("C2", L2, PERIODO="2032")], name="mas.csv"),
        "COBC",
        periodo="2032",
        periodo_atipico=True,
    )
    geocode(engine, extra.carga_id)
    second = refresh(engine)
    # A person's place in a period is chosen among all its programs: the period is recomputed.
    assert second.refrescados == [("COBA", "2032"), ("COBC", "2032")]
    assert {("COBA", COVERAGE_PERIOD), ("COBB", COVERAGE_PERIOD)} <= set(second.sin_cambios)
    assert ("COBA", "2032") not in second.sin_cambios
    assert second.periodos_combinados == ["2032"]
    assert coverage(engine, "municipio", MUN, "COBC", "2032")["personas"] == 2
    assert reached("COBC")[L2] == 1  # ... until a refresh changes them

    # A program's target group is part of its state: a new group recomputes its period only.
    third = refresh(engine, {"COBC": parse_group("65+")})
    assert third.refrescados == [("COBA", "2032"), ("COBC", "2032")]
    row = coverage(engine, "localidad", "200340001", "COBC", "2032")
    with engine.connect() as conn:
        expected = conn.execute(
            text(
                "SELECT sum(poblacion) FROM boundaries.poblacion_edad "
                "WHERE cvegeo = '200340001' AND sexo = 'T' AND edad_min >= 65"
            )
        ).scalar_one()
    assert row["grupo"] == "65+" and row["poblacion_grupo"] == expected
    refresh(engine)  # back to the total population for the other tests


def test_group_population_prorates_straddling_age_groups(engine: Engine) -> None:
    with engine.connect() as conn:
        bins = dict(
            conn.execute(
                text(
                    "SELECT edad_min, poblacion FROM boundaries.poblacion_edad "
                    "WHERE cvegeo = '200340001' AND sexo = 'T'"
                )
            ).all()
        )
        stored = conn.execute(
            text(
                "SELECT poblacion FROM analisis.area WHERE nivel = 'localidad' AND clave = '200340001'"
            )
        ).scalar_one()
    # 18-64: two of the five years of 15-19, and every group from 20-24 to 60-64.
    expected = 2 / 5 * bins[15] + sum(bins[a] for a in range(20, 65, 5))
    assert stored["18-64"] == round(expected)
    assert stored["total"] == 783


def test_suppressed_census_groups_are_estimated_from_the_state_share(engine: Engine) -> None:
    with engine.connect() as conn:
        key, pobtot, stored = conn.execute(
            text(
                "SELECT a.clave, a.pobtot, (a.poblacion ->> '65+')::float8 FROM analisis.area a "
                "WHERE a.nivel = 'localidad' AND EXISTS (SELECT 1 FROM boundaries.poblacion_edad e "
                "WHERE e.cvegeo = a.clave AND e.sexo = 'T' AND e.edad_min >= 65 "
                "AND e.poblacion IS NULL) AND a.pobtot > 0 ORDER BY a.clave LIMIT 1"
            )
        ).one()
        share = conn.execute(
            text(
                "WITH l AS (SELECT e.cvegeo, sum(e.poblacion) AS p, bool_or(e.poblacion IS NULL) AS s "
                "FROM boundaries.poblacion_edad e WHERE e.sexo = 'T' AND e.edad_min >= 65 "
                "GROUP BY e.cvegeo) SELECT sum(l.p) / sum(x.pobtot)::float8 FROM l "
                "JOIN boundaries.localidad x ON x.cvegeo = l.cvegeo WHERE NOT l.s"
            )
        ).scalar_one()
    assert stored == round(pobtot * share), key


def test_gaps_rank_by_grade_then_coverage(engine: Engine) -> None:
    with engine.connect() as conn:
        rows, total, period = gaps(conn, GapFilter(periodo="2031", municipio=MUN))
    assert period == "2031" and total == 3
    assert [r["cvegeo"] for r in rows] == ["200340001", L1, L2]
    assert [r["lugar"] for r in rows] == [1, 2, 3]
    assert rows[0]["motivo"] == (
        "Marginación Muy alto (IMU 2020); cobertura 0 % de 783 hab.; sin programas COBA, COBB"
    )
    assert rows[1]["motivo"] == "Marginación Medio (IMM 2020); cobertura 0.5 % de 442 hab."
    assert rows[2]["personas"] == 2 and rows[2]["programas_presentes"] == ["COBB"]
    assert (
        rows[2]["motivo"]
        == "Marginación Medio (IMM 2020); cobertura 3 % de 63 hab.; sin programa COBA"
    )


def test_gap_filters(engine: Engine) -> None:
    with engine.connect() as conn:
        only_a, _, _ = gaps(conn, GapFilter(periodo="2031", municipio=MUN, programas=["coba"]))
        assert [(r["cvegeo"], r["personas"]) for r in only_a] == [
            ("200340001", 0),
            (L2, 0),
            (L1, 2),
        ]
        assert only_a[1]["motivo"].endswith("sin programa COBA")
        low, total, _ = gaps(
            conn, GapFilter(periodo="2031", municipio=MUN, cobertura_max=0.01, grados=["medio"])
        )
        assert [r["cvegeo"] for r in low] == [L1] and total == 1
        big, _, _ = gaps(conn, GapFilter(periodo="2031", municipio=MUN, poblacion_min=400))
        assert [r["cvegeo"] for r in big] == ["200340001", L1]
        elderly, _, _ = gaps(conn, GapFilter(periodo="2031", municipio=MUN, grupo="65+"))
        assert "personas de 65 años y más" in elderly[0]["motivo"]
        name = elderly[0]["distrito"]
        district, total, _ = gaps(conn, GapFilter(periodo="2031", distrito=name.upper()), limit=5)
        assert total > 3 and {r["distrito"] for r in district} == {name}


@pytest.mark.parametrize(
    ("gap_filter", "message"),
    [
        (GapFilter(periodo="2031", programas=["NOEXISTE"]), "Programas sin cobertura"),
        (GapFilter(periodo="1999"), "No hay cobertura calculada"),
        (GapFilter(periodo="2031", grupo="ancianos"), "Grupo de población no válido"),
        (GapFilter(periodo="2031", grupo="H30-39"), "no está calculado"),
        (GapFilter(periodo="2031", cobertura_max=5), "fracción"),
        (GapFilter(periodo="2031", municipio="34"), "Clave de municipio"),
        (GapFilter(periodo="2031", grados=["altísimo"]), "Grado de marginación desconocido"),
    ],
)
def test_gap_errors_are_clear(engine: Engine, gap_filter: GapFilter, message: str) -> None:
    with engine.connect() as conn, pytest.raises(InvalidParameter, match=message):
        gaps(conn, gap_filter)


def table_reads(engine: Engine, action: Callable[[], object]) -> list[str]:
    """The statements of ``action`` on ``engine`` that read the gap ranking's tables."""
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return [s for s in statements if "analisis.area" in s or "analisis.combinacion" in s]


def test_warmed_gap_tables_spare_the_request_reading_them(database_url: str) -> None:
    # An engine of its own: the cache is per database URL, and the session's app keeps its own
    # warm in the background.
    url = make_url(database_url).update_query_dict({"application_name": "calor"})
    engine = make_engine(url.render_as_string(hide_password=False))

    def ask() -> None:
        with engine.connect() as conn:
            gaps(conn, GapFilter(periodo="2031", grupo="65+", programas=["COBA"]))

    assert len(table_reads(engine, ask)) == 2  # the period's localities and program sets
    assert table_reads(engine, ask) == []
    with engine.begin() as conn:  # what a refresh leaves: new time stamps
        conn.execute(text("UPDATE analisis.refresco SET refrescado_en = refrescado_en + '1 s'"))

    warm_gaps(engine)

    assert table_reads(engine, ask) == []
    engine.dispose()


def test_the_app_reads_gap_tables_after_a_refresh_not_in_a_request(
    client: TestClient, engine: Engine
) -> None:
    app_engine = client.app.state.engine  # type: ignore[attr-defined]

    def ask() -> None:
        assert client.get("/cobertura/brechas", params={"periodo": "2031"}).status_code == 200

    ask()
    with engine.begin() as conn:  # a refresh run by another process
        conn.execute(text("UPDATE analisis.refresco SET refrescado_en = refrescado_en + '1 s'"))
    time.sleep(3 * WARM_SECONDS)

    assert table_reads(app_engine, ask) == []


def test_percent_reads_well() -> None:
    assert [percent(x) for x in (None, 0, 0.004, 0.031, 0.5, 1.2)] == [
        "0 %",
        "0 %",
        "0.4 %",
        "3 %",
        "50 %",
        "120 %",
    ]


# -- API -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def planner(engine: Engine) -> dict[str, str]:
    """The token of a planner with the whole state, who sees exact figures."""
    from datetime import timedelta

    from geo.access.users import create_user, issue_token_by_name

    with engine.begin() as conn:
        create_user(conn, "cobertura_planea", "planeacion", "secreto-de-prueba")
        issued = issue_token_by_name(conn, "cobertura_planea", timedelta(hours=1))
    return {"Authorization": f"Bearer {issued.access_token}"}


def test_api_coverage_json(client: TestClient, planner: dict[str, str]) -> None:
    params = {"nivel": "localidad", "programa": "coba", "periodo": "2031", "municipio": MUN}
    response = client.get("/cobertura", params=params)
    assert response.status_code == 200
    body = response.json()
    # Localities without persons in the period are not listed; 2 persons are not published.
    assert {e["clave"]: e["personas"] for e in body["elementos"]} == {L1: None, L2: 0}
    assert body["total"] == 2 and body["elementos"][0]["suprimida"]
    assert body["elementos"][0]["importe"] is None and body["elementos"][0]["cobertura"] is None
    exact = client.get("/cobertura", params=params, headers=planner).json()
    assert {e["clave"]: e["personas"] for e in exact["elementos"]} == {L1: 2, L2: 0}
    assert exact["elementos"][0]["importe"] == 3000.0
    personal = {"curp", "nombre_norm", "primer_ap", "fecha_nacimiento", "persona_id", "folio"}
    assert not personal & set(body["elementos"][0])


def test_api_coverage_csv_and_geojson(client: TestClient, planner: dict[str, str]) -> None:
    params = {"nivel": "municipio", "programa": "COBB", "periodo": "2031", "clave": MUN,
              "formato": "csv"}  # fmt: skip
    response = client.get("/cobertura", params=params)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    (row,) = list(csv.DictReader(io.StringIO(response.text)))
    assert (row["personas"], row["suprimida"], row["nombre"]) == (
        "",
        "True",
        "Guadalupe de Ramírez",
    )
    (row,) = list(csv.DictReader(io.StringIO(client.get("/cobertura", params=params,
                                                          headers=planner).text)))  # fmt: skip
    assert row["personas"] == "3"
    response = client.get(
        "/cobertura",
        params={"nivel": "localidad", "programa": "COBB", "periodo": "2031", "clave": L2,
                "formato": "geojson"},
        headers=planner,
    )  # fmt: skip
    assert response.headers["content-type"] == "application/geo+json"
    feature = response.json()["features"][0]
    assert feature["geometry"]["type"] == "Point" and feature["properties"]["personas"] == 2


def test_api_gaps_and_errors(client: TestClient, planner: dict[str, str]) -> None:
    params = {"periodo": "2031", "municipio": MUN, "programa": "COBA"}
    response = client.get("/cobertura/brechas", params=params)
    assert response.status_code == 200
    body = response.json()
    # L1's 2 persons are not published: it ranks as if none were reached (before L2, larger).
    assert body["periodo"] == "2031"
    assert [(e["cvegeo"], e["personas"]) for e in body["elementos"]] == [
        ("200340001", 0), (L1, None), (L2, 0)
    ]  # fmt: skip
    assert "no publicada" in body["elementos"][1]["motivo"]
    exact = client.get("/cobertura/brechas", params=params, headers=planner).json()
    assert [e["cvegeo"] for e in exact["elementos"]] == ["200340001", L2, L1]
    union = {"periodo": "2031", "programa": ["COBA", "COBB"]}
    assert client.get("/cobertura/brechas", params=union).status_code == 200  # = all programs
    for params in ({"grupo": "nadie"}, {"programa": "NOEXISTE"}, {"municipio": "x"}):
        response = client.get("/cobertura/brechas", params={"periodo": "2031", **params})
        assert response.status_code == 400 and response.json()["detalle"]
    response = client.get("/cobertura", params={"nivel": "colonia"})
    assert response.status_code == 422 and response.json()["detalle"] == "Parámetros no válidos."
    calculated = client.get("/cobertura/calculada").json()
    coba = next(c for c in calculated if c["programa"] == "COBA" and c["periodo"] == "2031")
    assert coba["registros"] is None  # records counted: for planners only
    calculated = client.get("/cobertura/calculada", headers=planner).json()
    coba = next(c for c in calculated if c["programa"] == "COBA" and c["periodo"] == "2031")
    assert coba["registros"] == 3
