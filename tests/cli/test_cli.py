"""The ``padron`` command line against the test database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from cli.app import app
from tests.conftest import DATA_DIR
from tests.ingest.builders import RosterWriter

runner = CliRunner()


@pytest.fixture
def env(engine: Engine, database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "PADRON_DATA_DIR": str(DATA_DIR),
        "PADRON_HOME": str(tmp_path),
    }


def test_db_upgrade_and_status(env: dict[str, str]) -> None:
    upgraded = runner.invoke(app, ["db", "upgrade"], env=env)
    assert upgraded.exit_code == 0 and "revisión" in upgraded.output
    status = runner.invoke(app, ["db", "status"], env=env)
    assert status.exit_code == 0 and "DATABASE_URL" in status.output


def test_boundaries_load_again_says_nothing_changed(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["boundaries", "load"], env=env)
    assert result.exit_code == 0, result.output
    assert "Sin cambios" in result.output and "localidad: 10,723" in result.output


def test_boundaries_load_from_a_missing_directory_fails_clearly(
    env: dict[str, str], tmp_path: Path
) -> None:
    result = runner.invoke(app, ["boundaries", "load", "--desde", str(tmp_path / "nada")], env=env)
    assert result.exit_code == 1 and "No existe el directorio" in result.output


def test_ingest_then_export_rejects(
    env: dict[str, str], write_roster: RosterWriter, tmp_path: Path
) -> None:
    roster = write_roster([{"ID_REGISTRO": "C1"}, {"ID_REGISTRO": ""}])
    first = runner.invoke(
        app, ["ingest", str(roster), "--programa", "CLI", "--periodo", "2024"], env=env
    )
    assert first.exit_code == 0, first.output
    assert (
        "leídas 2 = cargadas 1 + rechazadas 1" in first.output
        and "rechazo sin_folio: 1" in first.output
    )
    again = runner.invoke(
        app, ["ingest", str(roster), "--programa", "CLI", "--periodo", "2024"], env=env
    )
    assert "Sin cambios" in again.output
    out = tmp_path / "rechazos.csv"
    exported = runner.invoke(app, ["export", "rechazos", "--salida", str(out)], env=env)
    assert exported.exit_code == 0 and "sin_folio" in out.read_text(encoding="utf-8")
    carga = re.search(r"Carga (\d+)", first.output)
    assert carga is not None, first.output
    original = tmp_path / "original.csv"
    written = runner.invoke(
        app, ["export", "original", "--carga", carga[1], "--salida", str(original)], env=env
    )
    assert written.exit_code == 0, written.output
    assert original.read_bytes() == roster.read_bytes()
    missing = runner.invoke(
        app, ["export", "original", "--carga", "999999", "--salida", str(original)], env=env
    )
    assert missing.exit_code == 1 and "No existe la carga 999999" in missing.output
    assert not original.exists()


def test_ingest_with_unknown_layout_fails_clearly(
    env: dict[str, str], write_roster: RosterWriter
) -> None:
    roster = write_roster([{}])
    result = runner.invoke(
        app, ["ingest", str(roster), "--programa", "CLI2", "--mapeo", "no.yaml"], env=env
    )
    assert result.exit_code == 1 and "No existe el archivo de formato" in result.output


def test_ingest_geocodes_and_exports_records(
    env: dict[str, str], write_roster: RosterWriter, tmp_path: Path
) -> None:
    roster = write_roster([{"ID_REGISTRO": "G1"}, {"ID_REGISTRO": "G2", "LONGITUD": "96.7255"}])
    result = runner.invoke(app, ["ingest", str(roster), "--programa", "CLIGEO"], env=env)
    assert result.exit_code == 0, result.output
    assert (
        "Ubicados 2 registros" in result.output
        and "bandera coord_signo_corregido: 1" in result.output
    )
    out = tmp_path / "registros.csv"
    exported = runner.invoke(app, ["export", "registros", "--salida", str(out)], env=env)
    assert exported.exit_code == 0, exported.output
    lines = [
        line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("CLIGEO,")
    ]
    # The ingest ran the whole pipeline: both records (one CURP) are resolved into one person.
    persons = {line.split(",")[3] for line in lines}
    assert len(persons) == 1 and persons != {""}
    (person,) = persons
    assert sorted(lines) == [
        f"CLIGEO,2024,G1,{person},200670001,-96.725500,17.060000,croquis,",
        f"CLIGEO,2024,G2,{person},200670001,-96.725500,17.060000,croquis_corregido,coord_signo_corregido",
    ]
    carga = re.search(r"Carga (\d+):", result.output).group(1)  # type: ignore[union-attr]
    again = runner.invoke(app, ["geocode", "--carga", carga], env=env)
    assert again.exit_code == 0 and f"Ubicados 2 registros de las cargas [{carga}]" in again.output
    missing = runner.invoke(app, ["geocode", "--carga", "999999"], env=env)
    assert missing.exit_code == 1 and "No existe la carga" in missing.output


def test_resolve_and_duplicated_support(env: dict[str, str], write_roster: RosterWriter) -> None:
    roster = write_roster([{"ID_REGISTRO": "D1"}, {"ID_REGISTRO": "D2"}], name="dup.csv")
    assert (
        runner.invoke(app, ["ingest", str(roster), "--programa", "CLIDUP"], env=env).exit_code == 0
    )
    resolved = runner.invoke(app, ["resolve"], env=env)
    assert resolved.exit_code == 0 and "personas;" in resolved.output
    report = runner.invoke(app, ["duplicados"], env=env)
    assert report.exit_code == 0, report.output
    assert "CLIDUP: 1 personas únicas; 1 inscripciones repetidas" in report.output


def test_progress_is_drawn_on_a_terminal_only(
    env: dict[str, str], write_roster: RosterWriter
) -> None:
    roster = write_roster([{"ID_REGISTRO": "T1"}, {"ID_REGISTRO": "T2"}])
    args = ["ingest", str(roster), "--programa", "BARRAS", "--periodo", "2024"]
    # What rich takes for an interactive terminal (standard error is the runner's buffer).
    terminal = {**env, "TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1", "COLUMNS": "150"}
    drawn = runner.invoke(app, args, env=terminal)
    assert drawn.exit_code == 0, drawn.output
    for step in ("Carga de padron.csv", "Ubicación", "Personas", "Cobertura"):
        assert step in drawn.stderr, drawn.stderr
    assert "2/2 filas" in drawn.stderr and "3/3 pasos" in drawn.stderr
    assert "leídas 2 = cargadas 2" in drawn.stdout  # the report itself is unchanged
    # The same command piped, logged or run by CI: the report and nothing else.
    plain = runner.invoke(app, args, env=env)
    assert plain.exit_code == 0, plain.output
    assert plain.stderr == "" and "\x1b" not in plain.output
    assert plain.output.startswith("Sin cambios: este contenido ya se cargó")


def test_serve_with_two_processes(env: dict[str, str]) -> None:
    """``padron serve --workers 2`` (or ``--procesos 2``): two worker processes answer, with
    compressed tiles."""
    import os
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    padron = Path(sys.executable).parent / "padron"
    server = subprocess.Popen(
        [str(padron), "serve", "--workers", "2", "--puerto", str(port)],
        env={**os.environ, **env, "PADRON_DB_POOL_SIZE": "2"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{base}/salud", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.5)
        tile = httpx.get(f"{base}/teselas/municipios/6/14/28.pbf", timeout=10)
        assert tile.status_code == 200 and tile.headers["content-encoding"] == "gzip"
        workers = [
            stat
            for stat in Path("/proc").glob("[0-9]*/stat")
            if _parent(stat) == server.pid and b"spawn_main" in _cmdline(stat)
        ]
        assert len(workers) == 2
    finally:
        server.terminate()
        server.wait(timeout=30)


def _parent(stat: Path) -> int | None:
    try:
        return int(stat.read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _cmdline(stat: Path) -> bytes:
    try:
        return (stat.parent / "cmdline").read_bytes()
    except OSError:
        return b""
