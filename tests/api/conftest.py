"""An app on the test database, used inside ``with TestClient`` so the lifespan runs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from api.settings import Settings
from tests.api.contract import ContractClient


@pytest.fixture(scope="session")
def client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    """HTTP client of an app bound to the migrated, loaded test database."""
    with ContractClient(create_app(settings)) as test_client:
        yield test_client


# -- coverage: hand-made rosters of two programs in one period, in Guadalupe de Ramírez -----------

COVERAGE_PERIOD = "2031"
"""A period no other test uses, so the program combinations of that period are only ours."""

MUN = "20034"  # Guadalupe de Ramírez: seat 0001 (783 hab., Muy alto IMU), 0002, 0003 (Medio IMM)
L1, L2 = "200340002", "200340003"  # San Ildefonso Salinas (442 hab.), Santa María Salinas (63)


def coverage_row(folio: str, loc: str, curp_value: str = "", **extra: str) -> dict[str, str]:
    """A roster row placed by key in a locality of Guadalupe de Ramírez, without croquis."""
    return {
        "ID_REGISTRO": folio, "PERIODO": COVERAGE_PERIOD, "NB_CURP": curp_value,
        "CVE_MUN": MUN[2:], "NOM_MUN": "Guadalupe de Ramírez", "CVE_LOC": loc[5:],
        "NOM_LOC": "", "LONGITUD": "", "LATITUD": "", "NU_IMP_MONETARIO": "1000", **extra,
    }  # fmt: skip


@pytest.fixture(scope="session")
def cobertura(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """COBA: Ana (L1), Beto twice (L1). COBB: Ana (L1), two persons without CURP (L2).
    Ingested, geocoded, resolved, refreshed and published; returns the refresh report and batch
    ids."""
    import datetime as dt

    from geo.geocode import geocode
    from geo.ingest import ingest_file
    from geo.kernel import curp
    from geo.pipeline import refresh_and_publish
    from geo.resolve import resolve
    from tests.ingest.builders import roster_writer

    born = dt.date(1950, 3, 2)
    ana = curp.build("Bautista", "Ortiz", "Ana", born, "M", "20")
    beto = curp.build("Cruz", "Luna", "Alberto", born, "H", "20")
    write = roster_writer(tmp_path_factory.mktemp("cobertura"))
    people = {
        "ana": {"NB_PRIMER_AP": "Bautista", "NB_SEGUNDO_AP": "Ortiz", "NB_NOMBRE": "Ana",
                "CD_SEXO": "M"},
        "beto": {"NB_PRIMER_AP": "Cruz", "NB_SEGUNDO_AP": "Luna", "NB_NOMBRE": "Alberto",
                 "CD_SEXO": "H"},
    }  # fmt: skip
    coba = write(
        [
            coverage_row("A1", L1, ana, **people["ana"]),
            coverage_row("A2", L1, beto, **people["beto"]),
            coverage_row("A3", L1, beto, **people["beto"]),
        ],
        name="coba.csv",
    )
    cobb = write(
        [
            coverage_row("B1", L1, ana, **people["ana"], NU_IMP_MONETARIO="500"),
            coverage_row("B2", L2, NB_NOMBRE="Carmen"),
            coverage_row("B3", L2, NB_NOMBRE="Dolores"),
        ],
        name="cobb.csv",
    )
    batches = {}
    for program, path in (("COBA", coba), ("COBB", cobb)):
        result = ingest_file(engine, path, program, periodo=COVERAGE_PERIOD, periodo_atipico=True)
        assert result.filas_cargadas == 3, result.rechazos
        geocode(engine, result.carga_id)
        batches[program] = result.carga_id
    resolve(engine)
    report, _ = refresh_and_publish(engine)
    return {"report": report, "cargas": batches}
