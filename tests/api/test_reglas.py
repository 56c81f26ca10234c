"""Rules of operation, anomalies and the new-program simulation on the hand-made rosters of the
``cobertura`` fixture (COBA, COBB in 2031) plus COBD in 2033 (see ``overcovered``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from api.settings import Settings
from geo.access.users import create_user, issue_token_by_name
from geo.coverage.anomalies import anomaly_counts, anomaly_records
from geo.coverage.rules import Target, load_rules, violations
from geo.coverage.simulate import simulate
from geo.geocode import geocode
from geo.ingest import ingest_file
from geo.kernel.errors import InvalidParameter
from geo.pipeline import refresh_and_publish
from tests.api.conftest import L1, L2, coverage_row
from tests.api.contract import ContractClient
from tests.ingest.builders import roster_writer

COBA = """
programa: COBA
nombre: Apoyo A
fuente: reglas de prueba
poblacion_objetivo: {edad_min: 65, sexo: M, grados: [alto, Muy alto]}
incompatibles: [COBB]
montos: [{periodo: "2031", importe: 1200}]
"""
COBB = """
programa: COBB
nombre: Apoyo B
fuente: reglas de prueba
poblacion_objetivo: {edad_max: 30}
"""
TOKENS: dict[str, str] = {}


@pytest.fixture(scope="module")
def reglas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("reglas")
    (folder / "coba.yaml").write_text(COBA, encoding="utf-8")
    (folder / "cobb.yaml").write_text(COBB, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def overcovered(engine: Engine, cobertura: dict, tmp_path_factory: pytest.TempPathFactory) -> None:
    """COBD 2033: two persons in El Solano (1 inhabitant) and one record whose locality key
    does not exist (placed at its municipality only)."""
    write = roster_writer(tmp_path_factory.mktemp("cobd"))
    solano = {"CVE_MUN": "004", "NOM_MUN": "Asunción Cuyotepeji", "PERIODO": "2033"}
    rows = [
        coverage_row("D1", "200040002", **solano),
        coverage_row("D2", "200040002", **solano),
        coverage_row("D3", "200049999", **solano),
    ]
    result = ingest_file(
        engine, write(rows, name="cobd.csv"), "COBD", periodo="2033", periodo_atipico=True
    )
    geocode(engine, result.carga_id)
    refresh_and_publish(engine)


@pytest.fixture(scope="module")
def published(engine: Engine, overcovered: None, reglas: Path) -> None:
    """The publication built with these rules (its violation counts come from them)."""
    refresh_and_publish(engine, load_rules(reglas))


@pytest.fixture(scope="module")
def admin_client(engine: Engine, settings: Settings, reglas: Path) -> Iterator[TestClient]:
    with engine.begin() as conn:
        create_user(conn, "reglas_admin", "admin", "secreto-de-prueba")
        TOKENS["admin"] = issue_token_by_name(conn, "reglas_admin", timedelta(hours=1)).access_token
    configured = settings.model_copy(update={"reglas_dir": reglas})
    with ContractClient(create_app(configured)) as client:
        yield client


def test_rules_files_load_and_give_target_groups(reglas: Path) -> None:
    rules = load_rules(reglas)
    assert sorted(rules) == ["COBA", "COBB"]
    assert rules["COBA"].poblacion_objetivo.grados == ["Alto", "Muy alto"]
    assert rules["COBA"].grupo is not None and rules["COBA"].grupo.clave == "M65+"
    assert rules["COBB"].grupo is not None and rules["COBB"].grupo.clave == "0-30"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("programa: X\nnombre: x\n", r"malo.yaml: reglas no válidas: fuente: Field required"),
        (COBB + "extra: 1\n", r"extra: Extra inputs are not permitted"),
        (COBB.replace("{edad_max: 30}", "{sexo: F}"), r"poblacion_objetivo.sexo"),
        (COBB.replace("{edad_max: 30}", "{municipios: ['34']}"), r"5 dígitos"),
        (COBB.replace("{edad_max: 30}", "{grados: [altísimo]}"), r"Grado de marginación"),
        ("programa: [", r"malo.yaml: YAML no válido"),
    ],
)
def test_bad_rules_files_are_named_with_the_problem(
    tmp_path: Path, content: str, message: str
) -> None:
    (tmp_path / "malo.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(InvalidParameter, match=message):
        load_rules(tmp_path)


def test_violations_per_rule_and_record(engine: Engine, cobertura: dict, reglas: Path) -> None:
    rules = load_rules(reglas)
    with engine.connect() as conn:
        coba = violations(conn, rules["COBA"], periodo="2031", detalle=True)
        cobb = violations(conn, rules["COBB"], periodo="2031", detalle=True)
    assert coba.registros == 3 and coba.registros_con_violacion == 3
    assert coba.por_regla == {
        "fuera_de_zona": 3, "importe_distinto": 3, "programa_incompatible": 1,
        "sexo_no_objetivo": 2,
    }  # fmt: skip
    incompatible = [r for r in coba.detalle if r["regla"] == "programa_incompatible"]
    assert [(r["folio"], r["detalle"]) for r in incompatible] == [("A1", "COBB")]
    zone = next(r for r in coba.detalle if r["regla"] == "fuera_de_zona")
    assert zone["detalle"] == f"{L1} (Medio)"
    assert cobb.por_regla == {"edad_fuera_de_rango": 3}
    assert {r["detalle"] for r in cobb.detalle} == {"73 años"}


def test_anomaly_counts(engine: Engine, overcovered: None, reglas: Path) -> None:
    rules = load_rules(reglas)
    with engine.connect() as conn:
        found = anomaly_counts(conn, rules, "2033")
        assert found["localidades_con_mas_beneficiarios_que_habitantes"] == [
            {"cvegeo": "200040002", "nom_loc": "El Solano", "nom_mun": "Asunción Cuyotepeji",
             "pobtot": 1, "personas": 2}
        ]  # fmt: skip
        assert found["ubicacion_no_confiable_por_programa"] == {"COBD": 1}
        records = anomaly_records(conn, "ubicacion_no_confiable", rules, "2033")
        assert [(r["folio"], r["precision"]) for r in records] == [("D3", "municipio")]
        in_2031 = anomaly_counts(conn, rules, "2031")
        # Other tests' programs share the database: only this fixture's COBD is known here.
        assert "COBD" not in in_2031["ubicacion_no_confiable_por_programa"]  # D3 is of 2033
        every_period = anomaly_counts(conn, rules, None)
        assert every_period["ubicacion_no_confiable_por_programa"]["COBD"] == 1
        assert in_2031["personas_en_programas_incompatibles"] == {"COBA y COBB": 1}
        assert in_2031["fuera_de_poblacion_objetivo"]["COBB"] == {"edad_fuera_de_rango": 3}
        pairs = anomaly_records(conn, "programa_incompatible", rules, "2031")
        assert [(r["folio"], r["tambien_en"]) for r in pairs] == [("A1", "COBB B1")]
        with pytest.raises(InvalidParameter, match="Tipo de anomalía desconocido"):
            anomaly_records(conn, "otro", rules, None)


def test_simulation_estimates_target_and_reach(engine: Engine, cobertura: dict) -> None:
    with engine.connect() as conn:
        elderly = simulate(conn, Target(edad_min=65, municipios=["20034"]), periodo="2031")
        women = simulate(conn, Target(edad_min=65, sexo="M", municipios=["20034"]), periodo="2031")
        young = simulate(conn, Target(edad_max=30, municipios=["20034"]), periodo="2031")
        with pytest.raises(InvalidParameter, match="edad mínima"):
            simulate(conn, Target(edad_min=70, edad_max=60))
    reached = {r["cvegeo"]: r["ya_atendidos"] for r in elderly.detalle}
    assert reached == {"200340001": 0, L1: 2, L2: 2}
    assert elderly.localidades == 3 and elderly.ya_atendidos == 4
    assert elderly.grupo == "Personas de 65 años y más"
    assert elderly.poblacion_objetivo == round(
        sum(r["poblacion_objetivo"] for r in elderly.detalle)
    )
    assert {r["cvegeo"]: r["ya_atendidos"] for r in women.detalle} == {"200340001": 0, L1: 1, L2: 2}
    assert young.ya_atendidos == 0


def test_api_rules_counts_are_public_records_are_not(
    admin_client: TestClient, published: None
) -> None:
    headers = {"Authorization": f"Bearer {TOKENS['admin']}"}
    counts = admin_client.get("/reglas/violaciones", params={"periodo": "2031"}).json()
    # 3 records each: fewer than k, and COBA has records in one period only.
    assert {c["programa"]: c["registros_con_violacion"] for c in counts} == {
        "COBA": None, "COBB": None
    }  # fmt: skip
    exact = admin_client.get("/reglas/violaciones", params={"periodo": "2031"}, headers=headers)
    assert {c["programa"]: c["registros_con_violacion"] for c in exact.json()} == {
        "COBA": 3, "COBB": 3
    }  # fmt: skip
    assert {c["programa"]: c["por_regla"] for c in exact.json()}["COBB"] == {
        "edad_fuera_de_rango": 3
    }  # fmt: skip
    every = {c["programa"]: c["registros"] for c in
             admin_client.get("/reglas/violaciones", headers=headers).json()}  # fmt: skip
    assert every["COBB"] == 3 and every["COBA"] >= 3  # all periods (other tests use COBA too)
    assert admin_client.get("/reglas").json()["programas"][0]["programa"] == "COBA"
    denied = admin_client.get("/reglas/COBA/violaciones")
    assert denied.status_code == 401 and denied.json()["detalle"]
    response = admin_client.get(
        "/reglas/COBA/violaciones", params={"periodo": "2031", "limite": 2}, headers=headers
    )
    assert response.status_code == 200
    body = response.json()
    assert len(body["elementos"]) == 2 and body["registros_con_violacion"] == 3
    assert set(body["elementos"][0]) == {"carga", "folio", "periodo", "regla", "detalle"}
    missing = admin_client.get("/reglas/NADA/violaciones", headers=headers)
    assert missing.status_code == 404 and "NADA" in missing.json()["detalle"]
    assert (
        admin_client.get(
            "/anomalias/registros", params={"tipo": "programa_incompatible"}
        ).status_code
        == 401
    )


def test_api_anomalies_and_simulation(admin_client: TestClient, published: None) -> None:
    headers = {"Authorization": f"Bearer {TOKENS['admin']}"}
    body = admin_client.get("/anomalias", params={"periodo": "2033"}, headers=headers).json()
    assert body["exactas"] and body["periodo"] == "2033"
    assert body["localidades_con_mas_beneficiarios_que_habitantes"][0]["cvegeo"] == "200040002"
    assert body["ubicacion_no_confiable_por_programa"] == {"COBD": 1}
    in_2031 = admin_client.get("/anomalias", params={"periodo": "2031"}, headers=headers).json()
    assert in_2031["personas_en_programas_incompatibles"] == {"COBA y COBB": 1}
    assert in_2031["fuera_de_poblacion_objetivo"]["COBB"] == {"edad_fuera_de_rango": 3}
    # Publicly El Solano's 2 persons are not published, so it is not listed either.
    public = admin_client.get("/anomalias", params={"periodo": "2033"}).json()
    assert public["localidades_con_mas_beneficiarios_que_habitantes"] == []
    assert public["ubicacion_no_confiable_por_programa"] == {"COBD": None}
    target = {"poblacion_objetivo": {"edad_min": 65, "municipios": ["20034"]}, "periodo": "2031"}
    response = admin_client.post("/cobertura/simulacion", json=target, headers=headers)
    assert response.status_code == 200 and response.json()["ya_atendidos"] == 4
    public_sim = admin_client.post("/cobertura/simulacion", json=target).json()
    assert public_sim["exactas"] is False and public_sim["ya_atendidos"] is None
    assert public_sim["poblacion_objetivo"] == response.json()["poblacion_objetivo"]
    everybody = {"poblacion_objetivo": {"municipios": ["20034"]}, "periodo": "2031"}
    reached = admin_client.post("/cobertura/simulacion", json=everybody).json()["elementos"]
    assert {r["cvegeo"]: r["ya_atendidos"] for r in reached} == {
        "200340001": 0, L1: None, L2: None  # 2 and 3 persons: not published
    }  # fmt: skip
    bad = admin_client.post("/cobertura/simulacion", json={"poblacion_objetivo": {"sexo": "X"}})
    assert bad.status_code == 422 and bad.json()["detalle"] == "Parámetros no válidos."
