"""Two users at once: the whole pipeline (ingest, geocode, resolve, refresh, publication) run
for two programs on two threads, as the API does for two uploads, then a withdrawal beside an
upload, against a real database."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, make_url, text

from geo.kernel.db import make_engine
from geo.pipeline import RosterFile, RostersReport, process_rosters, withdraw_batch
from tests.conftest import fresh_database
from tests.ingest.builders import RosterWriter

NAMES = ("Juan", "María", "Pedro", "Lucía", "Rosa", "José", "Ana", "Luis")


@pytest.fixture(scope="module")
def own_engine(reference_database: str) -> Iterator[Engine]:
    """A copy of the reference database: this module's refreshes count only its own rows."""
    with fresh_database(template=make_url(reference_database).database) as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def test_two_uploads_at_once_both_go_through_the_whole_pipeline(
    own_engine: Engine, write_roster: RosterWriter
) -> None:
    def roster(programa: str, round_: int) -> RosterFile:
        rows = [
            {
                "ID_REGISTRO": f"{programa}-{round_}-{i}",
                "NB_NOMBRE": NAMES[i % len(NAMES)],
                "NB_PRIMER_AP": f"Apellido{i}",
                "NB_CURP": "",
            }
            for i in range(60)
        ]
        return RosterFile(write_roster(rows, name=f"{programa}-{round_}.csv"), programa, "2024")

    batches_of_a: list[int] = []
    for round_ in range(3):  # the second and third overlap an ingest with the other's steps
        with ThreadPoolExecutor(2) as pool:
            reports: list[RostersReport] = list(
                pool.map(process_rosters, [own_engine] * 2,
                         [[roster("SIMULTANEO_A", round_)], [roster("SIMULTANEO_B", round_)]])
            )  # fmt: skip
        assert [r.ingests[0].filas_cargadas for r in reports] == [60, 60]
        batches_of_a.append(reports[0].ingests[0].carga_id)

    # An administrator withdraws a batch while another user uploads one.
    with ThreadPoolExecutor(2) as pool:
        withdrawn = pool.submit(withdraw_batch, own_engine, batches_of_a[0], "admin", "duplicado")
        uploaded = pool.submit(process_rosters, own_engine, [roster("SIMULTANEO_B", 3)])
        assert withdrawn.result().registros == 60
        assert uploaded.result().ingests[0].filas_cargadas == 60

    with own_engine.connect() as conn:
        loaded = conn.execute(
            text(
                "SELECT r.programa, count(*), count(a.registro_id), count(u.registro_id) "
                "FROM padron.registro r "
                "LEFT JOIN padron.asignacion a ON a.registro_id = r.id "
                "LEFT JOIN padron.ubicacion u ON u.registro_id = r.id "
                "GROUP BY 1 ORDER BY 1"
            )
        ).all()
        covered = conn.execute(
            text(
                "SELECT programa, personas FROM analisis.cobertura "
                "WHERE periodo = '2024' AND nivel = 'estado' ORDER BY 1"
            )
        ).all()
    assert [tuple(r) for r in loaded] == [("SIMULTANEO_A", 120, 120, 120),
                                          ("SIMULTANEO_B", 240, 240, 240)]  # fmt: skip
    assert [(p, n) for p, n in covered] == [("SIMULTANEO_A", 120), ("SIMULTANEO_B", 240)]
