"""A refresh that updates stored coverage by difference leaves exactly what a recompute from
nothing gives, through a person who moves, a merge, a corrected place and a withdrawn batch,
whether it recomputes a period whole or brings its kept rows per person up to date; and it
writes only the rows that changed."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, Table, delete, select, text

from geo import pipeline
from geo.coverage import refresh as refreshing
from geo.coverage.groups import parse_group
from geo.coverage.refresh import RefreshReport, refresh, refresh_in
from geo.geocode import geocode
from geo.ingest import ingest_file
from geo.kernel import curp
from geo.pipeline import refresh_and_publish, withdraw_batch
from geo.publish import tables as t
from geo.publish.publication import publish_in
from geo.resolve import resolve
from tests.api.conftest import L1, L2, MUN, coverage_row
from tests.ingest.builders import roster_writer

PERIOD = "2037"
"""A period no other test uses."""
BORN = dt.date(1951, 4, 3)
PEOPLE = {
    name: {"NB_PRIMER_AP": first, "NB_SEGUNDO_AP": second, "NB_NOMBRE": given, "CD_SEXO": sex,
           "NB_CURP": curp.build(first, second, given, BORN, sex, "20")}
    for name, (first, second, given, sex) in {
        "eva": ("Santiago", "Mendoza", "Eva", "M"),
        "fito": ("Ramos", "Pérez", "Adolfo", "H"),
        "gil": ("López", "Vera", "Gilberto", "H"),
    }.items()
}  # fmt: skip


def row(folio: str, loc: str, person: str, alta: str, importe: str = "1000") -> dict[str, str]:
    fields = {k: v for k, v in PEOPLE[person].items() if k != "NB_CURP"}
    return coverage_row(folio, loc, PEOPLE[person]["NB_CURP"], PERIODO=PERIOD, FH_ALTA=alta,
                        NU_IMP_MONETARIO=importe, **fields)  # fmt: skip


def stored(conn: Connection) -> tuple[list[Any], list[Any]]:
    """The period's coverage and program sets."""
    coverage = conn.execute(
        text(
            "SELECT programa, nivel, clave, personas, registros, importe, importe_repetido, grupo,"
            " poblacion_grupo, cobertura FROM analisis.cobertura WHERE periodo = :p ORDER BY 1, 2, 3"
        ),
        {"p": PERIOD},
    ).all()
    sets = conn.execute(
        text(
            "SELECT nivel, clave, programas, personas, importe FROM analisis.combinacion"
            " WHERE periodo = :p ORDER BY 1, 2, 3"
        ),
        {"p": PERIOD},
    ).all()
    return list(coverage), list(sets)


def from_nothing(engine: Engine) -> tuple[list[Any], list[Any]]:
    """The period recomputed with nothing stored (rolled back afterwards)."""
    with engine.connect() as conn:
        conn.execute(text("DELETE FROM analisis.cobertura WHERE periodo = :p"), {"p": PERIOD})
        conn.execute(text("DELETE FROM analisis.combinacion WHERE periodo = :p"), {"p": PERIOD})
        conn.execute(text("DELETE FROM analisis.refresco WHERE periodo = :p"), {"p": PERIOD})
        conn.execute(text("DELETE FROM analisis.refresco_carga"))
        conn.execute(
            text("DELETE FROM analisis.refresco_periodo WHERE periodo = :p"), {"p": PERIOD}
        )
        assert PERIOD in refresh_in(conn).recalculados
        result = stored(conn)
        conn.rollback()
    return result


def kept_partition(conn: Connection) -> str:
    """The name of the period's partition of ``analisis.persona_programa``."""
    return str(
        conn.execute(
            text(
                "SELECT tableoid::regclass::text FROM analisis.persona_programa"
                " WHERE periodo = :p LIMIT 1"
            ),
            {"p": PERIOD},
        ).scalar_one()
    )


REPORTS: list[RefreshReport] = []
"""What each refresh of :func:`incremental` did."""


def incremental(engine: Engine) -> tuple[list[Any], list[Any]]:
    REPORTS.append(refresh(engine))
    with engine.connect() as conn:
        return stored(conn)


def persons(engine: Engine, nivel: str, clave: str) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(
            conn.execute(
                text(
                    "SELECT programa, personas FROM analisis.cobertura"
                    " WHERE periodo = :p AND nivel = :n AND clave = :c"
                ),
                {"p": PERIOD, "n": nivel, "c": clave},
            ).all()
        )


def load(engine: Engine, write: Any, rows: list[dict[str, str]], program: str, name: str) -> int:
    result = ingest_file(engine, write(rows, name=name), program, periodo=PERIOD,
                         periodo_atipico=True)  # fmt: skip
    assert result.filas_cargadas == len(rows), result.rechazos
    geocode(engine, result.carga_id)
    resolve(engine)
    return result.carga_id


def place_in(conn: Connection, folio: str, locality: str) -> None:
    """Correct the place of the period's record ``folio`` to ``locality``, as a field check may."""
    conn.execute(
        text(
            "UPDATE padron.ubicacion SET cvegeo_loc = :l FROM padron.registro r"
            " WHERE r.id = ubicacion.registro_id AND r.folio = :f AND r.periodo = :p"
        ),
        {"p": PERIOD, "l": locality, "f": folio},
    )


def writes(
    conn: Connection, tables: tuple[str, ...] = ("cobertura", "combinacion")
) -> dict[str, int]:
    """Rows written so far to ``analisis`` tables by this connection's backend (counted in the
    transaction, plus what earlier transactions have not reported yet: compare two readings)."""
    return dict(
        conn.execute(
            text(
                "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
                " WHERE schemaname = 'analisis' AND relname = ANY(:tables)"
            ),
            {"tables": list(tables)},
        ).all()
    )


PUBLICATION = (t.cifra, t.indicador, t.bandera)
"""The tables a publication writes."""


def published(conn: Connection, table: Table) -> list[Any]:
    """Every row of a publication table, in order."""
    return list(conn.execute(select(table).order_by(*table.primary_key.columns)).all())


def publication(conn: Connection) -> list[list[Any]]:
    """Every row of every table of :data:`PUBLICATION`, in order."""
    return [published(conn, table) for table in PUBLICATION]


@pytest.fixture(scope="module")
def write(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return roster_writer(tmp_path_factory.mktemp("diferencia"))


@pytest.mark.parametrize("whole", [True, False], ids=["entero", "por_personas"])
def test_refresh_by_difference_equals_a_recompute_from_nothing(
    engine: Engine, write: Any, whole: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recomputing the period whole at every refresh, or (but for the first refresh and the
    withdrawal, in :func:`withdraw_batch`) bringing its kept rows up to date."""
    monkeypatch.setattr(refreshing, "WHOLE_BEYOND", 0.0 if whole else float("inf"))
    if not whole:  # a period of its own
        monkeypatch.setattr(sys.modules[__name__], "PERIOD", "2038")
    REPORTS.clear()
    suffix = "" if whole else "p"
    A, B = ("DIFA", "DIFB") if whole else ("DIPA", "DIPB")  # programs of their own
    load(engine, write, [row("D1", L1, "eva", "20370105"), row("D2", L1, "fito", "20370105"),
                         row("D3", L2, "gil", "20370105")], A, f"difa{suffix}.csv")  # fmt: skip
    assert incremental(engine) == from_nothing(engine)
    assert persons(engine, "localidad", L1) == {A: 2}

    # Eva moves: her newest record (another program) is in L2; Fito gets a second program.
    load(engine, write, [row("E1", L2, "eva", "20370601", "700"),
                         row("E2", L1, "fito", "20370105", "300")], B, f"difb{suffix}.csv")  # fmt: skip
    assert incremental(engine) == from_nothing(engine)
    assert persons(engine, "localidad", L1) == {A: 1, B: 1}
    assert persons(engine, "localidad", L2) == {A: 2, B: 1}

    # Gil is found to be Fito (as resolution merges two persons): his records become Fito's.
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE padron.asignacion SET persona_id = f.persona_id"
                " FROM padron.asignacion f JOIN padron.registro r ON r.id = f.registro_id,"
                " padron.registro g"
                " WHERE r.folio = 'D2' AND r.periodo = :p AND g.folio = 'D3'"
                " AND g.periodo = :p AND asignacion.registro_id = g.id"
            ),
            {"p": PERIOD},
        )
    assert incremental(engine) == from_nothing(engine)
    assert persons(engine, "municipio", MUN) == {A: 2, B: 2}

    # A field check corrects where Fito's newest record is: Fito (and Gil's records) move to L2.
    with engine.begin() as conn:
        place_in(conn, "E2", L2)
    assert incremental(engine) == from_nothing(engine)
    assert persons(engine, "localidad", L1) == {A: 0, B: 0}

    # A third batch, then its withdrawal: back to what was there before it.
    before = incremental(engine)
    third = load(engine, write, [row("F1", L1, "eva", "20371201", "50")], B, f"difc{suffix}.csv")
    assert incremental(engine) == from_nothing(engine) != before
    withdraw_batch(engine, third, "pruebas")
    with engine.connect() as conn:
        assert stored(conn) == from_nothing(engine) == before
    recomputed = [PERIOD in r.recalculados for r in REPORTS if PERIOD in r.periodos_combinados]
    assert recomputed == ([True] * 5 if whole else [True] + [False] * 4), recomputed


def test_a_kept_period_emptied_by_a_crash_is_recomputed_whole(
    engine: Engine, write: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kept rows are unlogged: after a crash PostgreSQL empties their partition. The next
    refresh finds the period empty where it held persons and recomputes it whole, rather than
    bringing nothing up to date (however little changed)."""
    monkeypatch.setattr(refreshing, "WHOLE_BEYOND", float("inf"))
    load(engine, write, [row("K1", L1, "eva", "20370105")], "DIFA", "difk.csv")
    refresh(engine)
    with engine.begin() as conn:
        partition = kept_partition(conn)
        conn.execute(text(f"TRUNCATE {partition}"))  # what crash recovery does to it
        place_in(conn, "K1", L2)
    assert refresh(engine).recalculados == [PERIOD]
    with engine.connect() as conn:
        assert stored(conn) == from_nothing(engine)


def test_a_period_brought_up_to_date_reads_its_kept_rows_once(
    engine: Engine, write: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Brought up to date, a period's figures are the stored ones plus the difference the
    touched persons make, and its kept rows are read once, to replace theirs (the partition has
    no index on the person). Counted again from every kept row, they were read twice more: at
    seed size with a 100,000-row roster, 3.5 s of a 12 s refresh."""
    monkeypatch.setattr(refreshing, "WHOLE_BEYOND", float("inf"))
    load(engine, write, [row("M1", L1, "eva", "20370105"), row("M2", L2, "gil", "20370105")],
         "DIFA", "difm.csv")  # fmt: skip
    refresh(engine)
    load(engine, write, [row("M3", L2, "fito", "20370105")], "DIFB", "difn.csv")
    scanned = text(
        "SELECT seq_tup_read FROM pg_stat_xact_user_tables WHERE relid = CAST(:t AS regclass)"
    )
    with engine.connect() as conn:
        partition = kept_partition(conn)
        kept = conn.execute(text(f"SELECT count(*) FROM {partition}")).scalar_one()
        before = conn.execute(scanned, {"t": partition}).scalar_one()
        report = refresh_in(conn)
        read = conn.execute(scanned, {"t": partition}).scalar_one() - before
        conn.rollback()
    assert report.periodos_combinados == [PERIOD] and not report.recalculados
    # The delete's scan, and one row for each check that the partition holds persons.
    assert kept and read <= kept + 2, (read, kept)
    assert incremental(engine) == from_nothing(engine)


def test_a_recomputed_period_rewrites_only_what_changed(engine: Engine, write: Any) -> None:
    """A new target group for one program recomputes its period; the program sets did not
    change, so not one of their rows is written, and only that program's coverage is."""
    load(engine, write, [row("G1", L2, "gil", "20370105")], "DIFA", "difd.csv")
    refresh(engine)
    with engine.connect() as conn:
        total = conn.execute(
            text(
                "SELECT count(*) FROM analisis.cobertura WHERE periodo = :p AND programa = 'DIFA'"
            ),
            {"p": PERIOD},
        ).scalar_one()
        assert total > 0
        before = writes(conn)
        report = refresh_in(conn, {"DIFA": parse_group("65+")})
        assert report.periodos_combinados == [PERIOD]
        after = writes(conn)
        conn.rollback()
    written = {
        name: after.get(name, 0) - before.get(name, 0) for name in ("cobertura", "combinacion")
    }
    assert written == {"cobertura": total, "combinacion": 0}


def test_the_publication_rewrites_only_what_changed(engine: Engine, write: Any) -> None:
    """Rebuilt from an unchanged state, the publication writes no row; and what it leaves is
    what a publication built from nothing holds."""
    load(engine, write, [row("H1", L1, "eva", "20370105")], "DIFA", "dife.csv")
    refresh(engine)
    tables = tuple(table.name for table in PUBLICATION)
    with engine.connect() as conn:
        publish_in(conn, force=True)
        before = writes(conn, tables)
        publish_in(conn, force=True)
        after = writes(conn, tables)
        kept = publication(conn)
        for table in PUBLICATION:
            conn.execute(delete(table))
        publish_in(conn, force=True)
        rebuilt = publication(conn)
        conn.rollback()
    assert {name: after.get(name, 0) - before.get(name, 0) for name in tables} == dict.fromkeys(
        tables, 0
    )
    assert kept == rebuilt and kept[0]


def test_the_registry_is_counted_beside_a_refresh_that_recomputes(
    engine: Engine, write: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The publication's counts of the records themselves are taken on a second connection
    while the refresh recomputes, and give the publication one transaction builds; a refresh
    with nothing to recompute takes none."""
    taken: list[int] = []
    original = pipeline._registry_tally

    def counted(e: Engine) -> Any:
        taken.append(1)
        return original(e)

    monkeypatch.setattr(pipeline, "_registry_tally", counted)
    load(engine, write, [row("J1", L2, "fito", "20370105")], "DIFA", "difg.csv")
    refreshed, built = refresh_and_publish(engine)
    assert refreshed.refrescados and built.construida and taken == [1]
    refreshed, built = refresh_and_publish(engine)
    assert not refreshed.refrescados and not built.construida and taken == [1]
    with engine.connect() as conn:
        beside = publication(conn)
        publish_in(conn, force=True)
        within = publication(conn)
        conn.rollback()
    assert beside == within and beside[1]
