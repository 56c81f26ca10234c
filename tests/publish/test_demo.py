"""The publication on a database filled the way ``scripts/demo`` fills it (``demo_engine``):
an attacker recovers no suppressed count, no public answer holds a small count, and the public
figures agree with coverage and with the registry."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.app import create_app
from api.settings import Settings
from tests.api.contract import ContractClient
from tests.api.sweep import sweep_figures
from tests.publish.attacker import Publication, attack, describe, exact_counts

K = 5


@pytest.fixture(scope="module")
def demo_client(demo_settings: Settings) -> Iterator[TestClient]:
    with ContractClient(create_app(demo_settings)) as client:
        yield client


def periods(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(text("SELECT DISTINCT periodo FROM analisis.cifra")))


def test_the_attacker_recovers_no_suppressed_cell(demo_engine: Engine) -> None:
    assert periods(demo_engine) == ["2016"]
    with demo_engine.connect() as conn:
        publication = Publication.read(conn, "2016")
        result = attack(publication, exact_counts(conn, "2016"), K)
        published = sum(v is not None for v in publication.counts.values())
    print(json.dumps({"publicadas": published, **describe(result)}, default=str))
    assert result.sensitive > 1000  # the demo's localities are mostly small
    assert result.counts == [] and result.amounts == []


def test_primary_suppression_alone_would_be_broken(demo_engine: Engine) -> None:
    """The attacker is not toothless on these data: without the complementary cells it solves
    hundreds of them."""
    with demo_engine.connect() as conn:
        publication = Publication.read(conn, "2016")
        exact = exact_counts(conn, "2016")
    primary = {c: (None if 1 <= exact[c] < K else exact[c]) for c in publication.counts}
    weak = Publication.of(primary, publication.amounts, publication.parent)
    assert len(attack(weak, exact, K).counts) > 100


def test_no_public_answer_holds_a_small_count(demo_client: TestClient, demo_engine: Engine) -> None:
    places = [(-96.7255, 17.06), (-95.0203, 16.4347), (-97.2, 16.2), (-96.0, 18.1)]
    found, read = sweep_figures(demo_client, demo_engine, K, places)
    assert found == []
    assert read > 60


def test_public_counts_equal_coverage_counts(demo_engine: Engine) -> None:
    """For every area, program and period, the published count is the coverage count (and the
    all-programs count is the union of the programs' persons) whenever it is published."""
    with demo_engine.connect() as conn:
        disagree = conn.execute(
            text(
                "SELECT p.periodo, p.programa, p.nivel, p.clave, p.personas, c.personas "
                "FROM publico.cifra p JOIN analisis.cobertura c USING (periodo, programa, nivel, "
                "clave) WHERE NOT p.suprimida AND p.personas <> c.personas"
            )
        ).all()
        missing = conn.scalar(
            text(
                "SELECT count(*) FROM analisis.cobertura c WHERE c.personas > 0 AND NOT EXISTS "
                "(SELECT FROM publico.cifra p WHERE (p.periodo, p.programa, p.nivel, p.clave) = "
                "(c.periodo, c.programa, c.nivel, c.clave))"
            )
        )
        union = conn.execute(
            text(
                "SELECT p.nivel, p.clave, p.personas, x.personas FROM publico.cifra p "
                "JOIN (SELECT periodo, nivel, clave, sum(personas) AS personas "
                "      FROM analisis.combinacion GROUP BY 1, 2, 3) x USING (periodo, nivel, clave) "
                "WHERE p.programa = '*' AND NOT p.suprimida AND p.personas <> x.personas"
            )
        ).all()
        compared = conn.scalar(text("SELECT count(*) FROM publico.cifra WHERE NOT suprimida"))
    assert disagree == [] and missing == 0 and union == []
    assert compared > 1000


def test_the_state_total_is_the_resolved_persons_placed_in_oaxaca(demo_engine: Engine) -> None:
    """Counted straight from the registry, apart from the coverage SQL: persons (resolved, or
    a record held for review) with a record of the program and period placed in a municipality
    of Oaxaca."""
    with demo_engine.connect() as conn:
        registry = dict(
            conn.execute(
                text(
                    "SELECT r.programa, count(DISTINCT coalesce(a.persona_id, -r.id)) "
                    "FROM padron.registro r "
                    "LEFT JOIN padron.asignacion a ON a.registro_id = r.id "
                    "WHERE EXISTS (SELECT FROM padron.registro o "
                    "  JOIN padron.ubicacion u ON u.registro_id = o.id "
                    "  LEFT JOIN padron.asignacion oa ON oa.registro_id = o.id "
                    "  JOIN boundaries.municipio m ON m.cvegeo = u.cvegeo_mun "
                    "  WHERE coalesce(oa.persona_id, -o.id) = coalesce(a.persona_id, -r.id) "
                    "    AND o.periodo IS NOT DISTINCT FROM r.periodo) "
                    "GROUP BY r.programa"
                )
            ).all()
        )
        everyone = conn.scalar(
            text(
                "SELECT count(DISTINCT coalesce(a.persona_id, -r.id)) FROM padron.registro r "
                "JOIN padron.ubicacion u ON u.registro_id = r.id "
                "LEFT JOIN padron.asignacion a ON a.registro_id = r.id "
                "JOIN boundaries.municipio m ON m.cvegeo = u.cvegeo_mun"
            )
        )
        published = dict(
            conn.execute(
                text("SELECT programa, personas FROM publico.cifra WHERE nivel = 'estado'")
            ).all()
        )
        unresolved = conn.scalar(
            text(
                "SELECT count(*) FROM padron.registro r WHERE NOT EXISTS "
                "(SELECT FROM padron.asignacion a WHERE a.registro_id = r.id)"
            )
        )
    assert set(registry) == {"BIENESTAR", "SEDESOL"}
    assert {p: published[p] for p in registry} == registry
    assert published["*"] == everyone
    assert unresolved < 20  # after resolution only the records held for review are left
