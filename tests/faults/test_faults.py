"""Kill and fault tests: a step killed with SIGKILL at random points, and an ingest that meets a
full disk, leave nothing half-written; running the step again finishes the work, and every
batch still has ``filas_leidas = filas_cargadas + filas_rechazadas`` with as many records and
rejects as it says.

Kill points are random delays (a seeded generator, so each run tries the same ones) after the
step's first statement reaches the server; a step that finished before its kill point counts as
tried, not as interrupted. After a kill the test waits for the server to drop the dead client's
backend (which rolls its transaction back) before it looks.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, text

from api.settings import REPO_ROOT
from devtools.cluster import LocalCluster
from geo.coverage.refresh import refresh
from geo.geocode import geocode
from geo.ingest import ingest_file
from geo.kernel import curp
from geo.kernel.db import make_engine, upgrade
from geo.pipeline import withdraw_batch
from geo.resolve import resolve
from geo.resolve.forget import forget_batch as forget_resolution
from tests.ingest.builders import roster_writer

KILLS_PER_STEP = 4
ROWS = 40_000
SEED = 17
PROGRAM = "MATADO"
PERIOD = "2024"

STEP = """
import sys
from pathlib import Path
from geo.kernel.db import make_engine
step, url = sys.argv[1], sys.argv[2]
engine = make_engine(url)
if step == "ingest":
    import geo.ingest.loader as loader
    from geo.ingest import ingest_file
    loader.CHUNK_ROWS = 10_000
    ingest_file(engine, Path(sys.argv[3]), sys.argv[4], periodo=sys.argv[5])
elif step == "resolve":
    from geo.pipeline import withdraw_batch
from geo.resolve import resolve
from geo.resolve.forget import forget_batch as forget_resolution
    resolve(engine)
else:
    from geo.coverage.refresh import refresh
    refresh(engine)
"""
"""One step of the pipeline in a process of its own, to be killed."""

GIVEN = ["Anacleta", "Bonifacio", "Celerina", "Demetrio", "Eleuteria", "Filemón", "Gumersinda"]
SURNAMES = ["Aquino", "Bautista", "Cruz", "Díaz", "Estrada", "Fabián", "García", "Hernández"]


def roster(folder: Path, rows: int, name: str) -> Path:
    """Distinct persons in Oaxaca de Juárez; half with a CURP, half for the matching model."""
    lines = []
    for i in range(rows):
        first, second = SURNAMES[i % 8], SURNAMES[(i // 8) % 8]
        given = f"{GIVEN[i % 7]} {GIVEN[(i // 7) % 7]}"
        born = f"19{40 + i % 50:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        key = ""
        if i % 2 == 0:
            key = curp.build(first, second, given, dt.date.fromisoformat(born), "M", "20")
        lines.append({"ID_REGISTRO": f"M{i:06d}", "NB_PRIMER_AP": first, "NB_SEGUNDO_AP": second,
                      "NB_NOMBRE": given, "FH_NACIMIENTO": born, "CD_SEXO": "M", "NB_CURP": key,
                      "PERIODO": PERIOD, "LONGITUD": "", "LATITUD": ""})  # fmt: skip
    return roster_writer(folder)(lines, name=name)


def spawn(engine: Engine, name: str, *args: str) -> subprocess.Popen[bytes]:
    url = engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "PGAPPNAME": name}
    return subprocess.Popen(
        [sys.executable, "-c", STEP, *args[:1], url, *args[1:]], cwd=REPO_ROOT, env=env
    )


def backends(conn: Connection, name: str) -> int:
    count = conn.execute(
        text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :n"), {"n": name}
    ).scalar_one()
    conn.rollback()  # statistics are a snapshot per transaction
    return int(count)


def run_and_kill(engine: Engine, rng: random.Random, window: float, *args: str) -> bool:
    """Start a step, SIGKILL it a random time after it reaches the server; whether it was still
    running. Returns once the server has dropped its backend (its transaction rolled back)."""
    name = f"padron-matar-{uuid.uuid4().hex[:8]}"
    process = spawn(engine, name, *args)
    delay = rng.uniform(0, window)
    with engine.connect() as conn:
        deadline = time.monotonic() + 120
        while process.poll() is None and not backends(conn, name) and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(delay)
        interrupted = process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 300
        while backends(conn, name) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not backends(conn, name), "the killed client's backend is still there"
    return interrupted


def inconsistent_batches(conn: Connection) -> list[int]:
    """Batches in use whose counts disagree with their rows (a half-written batch)."""
    return list(
        conn.execute(
            text(
                "SELECT c.id FROM padron.carga c WHERE c.retirada_en IS NULL AND ("
                " c.filas_leidas <> c.filas_cargadas + c.filas_rechazadas"
                " OR c.filas_cargadas <> (SELECT count(*) FROM padron.registro r WHERE r.carga_id = c.id)"
                " OR c.filas_rechazadas <> (SELECT count(*) FROM padron.rechazo j WHERE j.carga_id = c.id))"
            )
        ).scalars()
    )


def state(conn: Connection, carga: int | None) -> dict[str, int]:
    """What a step of the pipeline writes, for the program under test."""
    queries = {
        "cargas": "SELECT count(*) FROM padron.carga WHERE programa = :p AND retirada_en IS NULL",
        "registros": "SELECT count(*) FROM padron.registro WHERE programa = :p",
        "asignados": "SELECT count(*) FROM padron.asignacion WHERE carga_id = :c",
        "personas_huerfanas": "SELECT count(*) FROM padron.persona p WHERE NOT EXISTS"
        " (SELECT FROM padron.asignacion a WHERE a.persona_id = p.id)",
        "asignaciones_sin_persona": "SELECT count(*) FROM padron.asignacion a WHERE NOT EXISTS"
        " (SELECT FROM padron.persona p WHERE p.id = a.persona_id)",
        "refresco": "SELECT count(*) FROM analisis.refresco WHERE programa = :p",
        "refresco_carga": "SELECT count(*) FROM analisis.refresco_carga WHERE carga_id = :c",
        "cobertura": "SELECT count(*) FROM analisis.cobertura WHERE programa = :p",
    }
    return {k: int(conn.execute(text(q), {"p": PROGRAM, "c": carga or 0}).scalar_one())
            for k, q in queries.items()}  # fmt: skip


@pytest.fixture(scope="module")
def tried(request: pytest.FixtureRequest) -> Iterator[dict[str, list[str]]]:
    """Each step's kill points and what each found: ``revertida`` (killed inside the
    transaction, rolled back) or ``confirmada`` (the step had committed before its kill)."""
    points: dict[str, list[str]] = {}
    yield points
    total = sum(len(v) for v in points.values())
    summary = "; ".join(
        f"{k}: {v.count('revertida')} revertidas, {v.count('confirmada')} ya confirmadas"
        for k, v in points.items()
    )
    with request.config.pluginmanager.get_plugin("capturemanager").global_and_fixture_disabled():
        print(f"\nfallas: {total} puntos de SIGKILL probados ({summary})")


@pytest.fixture
def leaves_no_trace(engine: Engine) -> Iterator[None]:
    """The kill test's records would change what later tests match (name frequencies): its
    batch is withdrawn at the end, which is also a withdrawal of a large batch."""
    yield
    with engine.connect() as conn:
        batches = conn.execute(text(ACTIVE_BATCH), {"p": PROGRAM}).scalars().all()
    for batch in batches:
        withdrawn = withdraw_batch(engine, batch, "pruebas")
        assert withdrawn.registros == ROWS and withdrawn.refresh.retirados == [(PROGRAM, PERIOD)]
    with engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM padron.registro WHERE programa = :p"), {"p": PROGRAM}
            ).scalar_one()
            == 0
        )


def test_killed_ingest_resolve_and_refresh_leave_nothing_half_written(
    engine: Engine, tmp_path: Path, tried: dict[str, list[str]], leaves_no_trace: None
) -> None:
    rng = random.Random(SEED)
    path = roster(tmp_path, ROWS, "matado.csv")
    with engine.connect() as conn:
        orphans = state(conn, None)["personas_huerfanas"]

    # Ingest: a batch is all there, consistent, or not there at all.
    tried["ingest"] = []
    for _ in range(KILLS_PER_STEP):
        run_and_kill(engine, rng, 3.0, "ingest", str(path), PROGRAM, PERIOD)
        with engine.connect() as conn:
            assert not inconsistent_batches(conn)
            now = state(conn, None)
        assert (now["cargas"], now["registros"]) in ((0, 0), (1, ROWS)), now
        tried["ingest"].append("confirmada" if now["cargas"] else "revertida")
        if now["cargas"]:  # committed before the kill: take it back to try the next point
            with engine.connect() as conn:
                batch = conn.execute(text(ACTIVE_BATCH), {"p": PROGRAM}).scalar_one()
            withdraw_batch(engine, batch, "pruebas")
    result = ingest_file(engine, path, PROGRAM, periodo=PERIOD)  # the rerun
    assert result.filas_leidas == result.filas_cargadas + result.filas_rechazadas == ROWS
    geocode(engine, result.carga_id)

    # Resolution: every record of the batch gets its person, or none does.
    tried["resolve"] = []
    for _ in range(KILLS_PER_STEP):
        run_and_kill(engine, rng, 3.0, "resolve")
        with engine.connect() as conn:
            now = state(conn, result.carga_id)
        assert now["asignaciones_sin_persona"] == 0 and now["personas_huerfanas"] == orphans
        assert now["asignados"] in (0, ROWS - held(engine, result.carga_id)), now
        tried["resolve"].append("confirmada" if now["asignados"] else "revertida")
        if now["asignados"]:
            with engine.begin() as conn:
                forget_resolution(conn, result.carga_id)
    resolve(engine)
    with engine.connect() as conn:
        assert state(conn, result.carga_id)["asignados"] + held(engine, result.carga_id) == ROWS

    # Coverage: a program and period is computed from the batch entirely, or not yet.
    tried["refresh"] = []
    for _ in range(KILLS_PER_STEP):
        run_and_kill(engine, rng, 2.0, "refresh")
        with engine.connect() as conn:
            now = state(conn, result.carga_id)
        done = (now["refresco"], now["refresco_carga"], now["cobertura"] > 0)
        assert done in ((0, 0, False), (1, 1, True)), done  # all of it or none
        tried["refresh"].append("confirmada" if now["refresco"] else "revertida")
        if now["refresco"]:
            with engine.begin() as conn:
                for statement in FORGET_COVERAGE:
                    conn.execute(text(statement), {"p": PROGRAM, "c": result.carga_id})
    refresh(engine)
    with engine.connect() as conn:
        final = state(conn, result.carga_id)
        assert (final["refresco"], final["refresco_carga"]) == (1, 1) and final["cobertura"] > 0
        total = conn.execute(
            text("SELECT registros_total FROM analisis.refresco WHERE programa = :p"),
            {"p": PROGRAM},
        ).scalar_one()
        assert total == ROWS and not inconsistent_batches(conn)
    assert all(v.count("revertida") for v in tried.values()), tried


ACTIVE_BATCH = "SELECT id FROM padron.carga WHERE programa = :p AND retirada_en IS NULL"
FORGET_COVERAGE = (
    "DELETE FROM analisis.cobertura WHERE programa = :p",
    "DELETE FROM analisis.refresco WHERE programa = :p",
    "DELETE FROM analisis.refresco_carga WHERE carga_id = :c",
)
"""A program's coverage forgotten, as if never computed: the next refresh computes it again."""


def held(engine: Engine, carga: int) -> int:
    """Records of the batch held in the review queue (resolution leaves them without a person)."""
    with engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT count(DISTINCT registro_id) FROM padron.revision v JOIN padron.registro r"
            " ON r.id = v.registro_id WHERE r.carga_id = :c AND v.decision IS NULL"
        ), {"c": carga}).scalar_one())  # fmt: skip


FILE_LIMIT = 20 << 20
"""Largest file the full-disk cluster may write: WAL segments (16 MB) and the catalog fit,
a batch's records of a 100,000-row roster do not."""


@pytest.fixture
def full_disk_cluster() -> Iterator[LocalCluster]:
    """A throwaway cluster whose server may write no file past :data:`FILE_LIMIT` (RLIMIT_FSIZE:
    runs as root in CI without mounting anything; a tmpfs or quota would need privileges)."""
    folder = REPO_ROOT / ".padron" / f"fault-db-{uuid.uuid4().hex[:8]}"
    cluster = LocalCluster(folder, max_file_bytes=FILE_LIMIT)
    try:
        yield cluster
    finally:
        LocalCluster(folder).stop()
        shutil.rmtree(folder, ignore_errors=True)


def test_an_ingest_that_meets_a_full_disk_leaves_nothing(
    full_disk_cluster: LocalCluster, tmp_path: Path
) -> None:
    engine = make_engine(full_disk_cluster.start())
    upgrade(engine)
    path = roster(tmp_path, 100_000, "lleno.csv")
    with pytest.raises(Exception, match=r"File too large|could not extend|could not write"):
        ingest_file(engine, path, PROGRAM, periodo=PERIOD)
    with engine.connect() as conn:
        assert state(conn, None)["cargas"] == 0 and state(conn, None)["registros"] == 0
    engine.dispose()
    full_disk_cluster.stop()
    roomy = LocalCluster(full_disk_cluster.data_dir)  # the disk has room again
    engine = make_engine(roomy.start())
    try:
        result = ingest_file(engine, path, PROGRAM, periodo=PERIOD)
        assert result.filas_leidas == result.filas_cargadas + result.filas_rechazadas == 100_000
        with engine.connect() as conn:
            assert not inconsistent_batches(conn)
    finally:
        engine.dispose()
