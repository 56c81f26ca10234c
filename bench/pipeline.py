"""The whole pipeline, stage by stage, against the floor measured in the same run.

    uv run --group bench python -m bench.pipeline                    # seed size: 3.82 M rows
    uv run --group bench python -m bench.pipeline --escala 0.01      # a quick run
    uv run --group bench python -m bench.pipeline --escalas 0.25,0.5,1,2 --incremental

For each scale, in a fresh database with Oaxaca's geography, on the synthetic rosters of
``padron synth`` (cached in ``bench/out/rosters``; the same files as ``bench.ingest``'s):

1. the floor: a plain ``COPY`` of each roster into an unlogged table of text columns;
2. the rosters through ``geo.pipeline.process_rosters``, the orchestration of ``padron ingest``,
   ``POST /cargas`` and ``padron demo``, unchanged: each step it calls (``ingest_file`` per roster,
   ``geocode``, ``resolve``, ``refresh``, ``publish``) is timed where the pipeline calls it. Per
   stage: wall seconds; CPU seconds of this process and of the PostgreSQL server's processes (from
   ``/proc``: a server on this machine only); the cores used (CPU / wall); peak memory (this
   process's ``VmHWM``, reset at each stage, plus the server's resident memory sampled every 0.2 s:
   private memory of each process, shared memory once); and the ratio to the floor;
   then, rolled back, the least a first load's refresh can do and still keep one row per
   person and program for the next roster (``refresh_bound.sql``), against the same floor;
3. with ``--incremental``, a third roster of 100,000 rows (generated with the other two, so that
   a third of its people are already in the registry; the first two files are byte for byte
   those generated without it) through the same pipeline, against the floor of its own file,
   with the rows each table gained, changed or lost;
4. against ``padron serve`` started on that database (one process): the first ``GET
   /cobertura/brechas`` after the refresh, then 500 varied ones (filters as ``bench.cobertura``'s,
   as a planner) and 500 ``GET /ubicacion/verificar`` at random points of the state, with and
   without a declared place, after 20 unmeasured requests each; with ``--incremental``, the server
   runs through the third roster's refresh and its first gap query 3 s after it is timed too (the
   server rereads the tables within a second of a refresh, ``api/warm.py``); and, apart, how long
   reading the tables takes (``warm_gaps`` in this process).

Results: ``bench/out/pipeline.json``, a section of ``docs/benchmarks.md`` (between its
``bench.pipeline`` markers, above the earlier runs) and, with several scales,
``docs/pipeline-escalas.png`` (``--no-docs`` leaves docs/ alone).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, text

import geo.pipeline
from api.settings import REPO_ROOT, Settings
from api.warm import WARM_SECONDS
from bench.cobertura import filter_combinations
from bench.common import (
    OUT,
    children,
    cpu_seconds,
    machine,
    postmaster,
    save,
    throwaway_database,
    write_docs,
)
from bench.ingest import plain_copy
from boundaries.load import SourceFiles
from devtools.synth import SEED_SIZES, STATE_BENEFITS, ProgramSpec, SynthConfig, generate
from geo.access.users import create_user
from geo.coverage.queries import warm_gaps
from geo.coverage.rules import load_rules
from geo.kernel.db import make_engine
from geo.pipeline import RosterFile, load_geography, process_rosters

HERE = Path(__file__).parent
PLOT = REPO_ROOT / "docs" / "pipeline-escalas.png"
MARKERS = ("<!-- bench.pipeline: inicio -->", "<!-- bench.pipeline: fin -->")

STAGES = {
    "ingest_file": "ingest",
    "geocode": "geocode",
    "resolve": "resolve",
    "refresh": "refresh",
    "publish": "publication",
}
"""The functions ``geo.pipeline`` calls, and the stage each one is."""

TARGETS = {"ingest": 3, "geocode": 5, "resolve": 5, "refresh": 1, "pipeline": 15}
"""Issue #20: each stage's wall time at most this many times the floor's (the publication,
built after the refresh, has no target of its own: it should cost little beside the refresh)."""

INCREMENTAL_TARGET = 2
EXTRA = ProgramSpec("ALIMENTACION", 100_000, STATE_BENEFITS, ("2016",))
"""The third roster of the incremental run: a state program in the rosters' period."""

SAMPLE_SECONDS = 0.2


# -- rosters -------------------------------------------------------------------------------------


def rosters(scale: float, seed: int, extra: int) -> list[RosterFile]:
    """The rosters at ``scale`` of the seed sizes (and the third one of ``extra`` rows), written
    once; without ``extra`` and at most seed size, in ``bench.ingest``'s folder."""
    base = SynthConfig(seed=seed)
    programs = tuple(
        replace(p, rows=max(1, round(n * scale)))
        for p, n in zip(base.programs, SEED_SIZES, strict=True)
    )
    if extra:
        programs += (replace(EXTRA, rows=extra),)
    config = replace(base, programs=programs)
    folder = OUT / "rosters" / f"seed{seed}-scale{scale}{f'-mas{extra}' if extra else ''}"
    if not (folder / "verdad.csv").exists():
        started = time.perf_counter()
        generate(Settings().data_dir, folder, config)
        print(f"rosters generated in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return [RosterFile(folder / p.file_name, p.code) for p in config.programs]


# -- measuring -----------------------------------------------------------------------------------


@dataclass
class Usage:
    """What one stage used."""

    segundos: float = 0.0
    cpu_python_s: float = 0.0
    cpu_servidor_s: float = 0.0
    memoria_python_mb: float = 0.0
    memoria_servidor_mb: float = 0.0
    llamadas: int = 0

    @property
    def nucleos(self) -> float:
        """Cores kept busy on average: CPU seconds over wall seconds."""
        return (self.cpu_python_s + self.cpu_servidor_s) / self.segundos if self.segundos else 0

    @property
    def memoria_mb(self) -> float:
        """Peak memory: this process's and the server's."""
        return self.memoria_python_mb + self.memoria_servidor_mb

    def as_dict(self, floor: float | None = None) -> dict[str, float]:
        """Rounded, with cores, total memory and (given the floor's seconds) the ratio."""
        values = {k: round(v, 2) for k, v in asdict(self).items()}
        values |= {"nucleos": round(self.nucleos, 2), "memoria_mb": round(self.memoria_mb)}
        if floor:
            values["razon_piso"] = round(self.segundos / floor, 2)
        return values


class Meter:
    """Wall time, CPU and peak memory of this process and of the database server, per stage.

    CPU comes from ``/proc/<pid>/stat`` (the server's: its main process, its live children, and
    the children it has reaped). This process's peak memory is ``VmHWM``, reset at the start of
    each stage through ``/proc/self/clear_refs`` (and folded into the stages around it first).
    The server's is sampled, since its processes come and go: the private memory (``RssAnon``)
    of each, plus the largest shared memory (``RssShmem``: the buffers they all map) once. A
    stage's peak memory is the sum of the two peaks, which need not coincide: an upper bound.
    """

    def __init__(self, server: int | None) -> None:
        self.server = server
        self.stages: dict[str, Usage] = {}
        self._open: list[Usage] = []
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def close(self) -> None:
        """Stop sampling."""
        self._stop.set()
        self._sampler.join()

    @contextmanager
    def stage(self, name: str) -> Iterator[Usage]:
        """Measure the block as (part of) stage ``name``; stages may nest."""
        usage = self.stages.setdefault(name, Usage())
        self._fold_peak()
        _reset_peak()
        self._open.append(usage)
        self._fold_server()
        times, server, started = os.times(), cpu_seconds(self.server), time.perf_counter()
        try:
            yield usage
        finally:
            done = os.times()
            usage.segundos += time.perf_counter() - started
            usage.cpu_python_s += done.user + done.system - times.user - times.system
            usage.cpu_servidor_s += cpu_seconds(self.server) - server
            usage.llamadas += 1
            self._fold_server()
            self._fold_peak()
            self._open.pop()

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """``function``, measured as stage ``name`` each time it is called."""

        def measured(*args: Any, **kwargs: Any) -> Any:
            with self.stage(name):
                return function(*args, **kwargs)

        return measured

    def _fold_peak(self) -> None:
        peak = _status_mb("self", "VmHWM")
        for usage in self._open:
            usage.memoria_python_mb = max(usage.memoria_python_mb, peak)

    def _fold_server(self) -> None:
        if self.server is None or not self._open:
            return
        private, shared = 0.0, 0.0
        for pid in [self.server, *children(self.server)]:
            private += _status_mb(str(pid), "RssAnon")
            shared = max(shared, _status_mb(str(pid), "RssShmem"))
        for usage in list(self._open):
            usage.memoria_servidor_mb = max(usage.memoria_servidor_mb, private + shared)

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self._fold_server()


def _status_mb(pid: str, key: str) -> float:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in lines if line.startswith(key)), 0.0)


def _reset_peak() -> None:
    """Start this process's ``VmHWM`` again from its current resident memory (Linux ≥ 4.0)."""
    with contextlib.suppress(OSError):  # else the peak since the process started: a bound
        Path("/proc/self/clear_refs").write_text("5")


@contextmanager
def instrumented(meter: Meter, prefix: str = "") -> Iterator[None]:
    """``geo.pipeline``'s steps measured where it calls them, as stages named ``prefix`` and
    the step; the pipeline itself runs unchanged."""
    originals = {name: getattr(geo.pipeline, name) for name in STAGES}
    for name, stage in STAGES.items():
        setattr(geo.pipeline, name, meter.wrap(prefix + stage, originals[name]))
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(geo.pipeline, name, function)


# -- one run -------------------------------------------------------------------------------------


def settle(engine: Engine) -> None:
    """Write out what the previous step left dirty (a checkpoint, then the kernel's buffers),
    so that no timed stage pays for it: on 2026-12-02 the floor, run right after the
    geography's load, took 23.3 s of wall time for 8.3 s of CPU (8.8 s the day before)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("CHECKPOINT"))
    os.sync()


def floor(url: str, meter: Meter, files: list[RosterFile], name: str) -> Usage:
    """The plain ``COPY`` of each file into an unlogged table of text columns, each file read
    once beforehand: the ingest after it finds the files in the page cache, and so must the
    floor (read cold from disk, 0.25 of seed size took 8.3 s of wall time for 4.1 s of CPU)."""
    for roster in files:
        with roster.path.open("rb") as f:
            while f.read(1 << 24):
                pass
    for roster in files:
        with meter.stage(name):
            plain_copy(url, roster.path)
    return meter.stages[name]


def run_pipeline(
    engine: Engine, meter: Meter, files: list[RosterFile], prefix: str = ""
) -> dict[str, Any]:
    """``files`` through ``process_rosters`` with every step measured; its report's counts."""
    rules = load_rules(Settings().reglas_dir)
    with instrumented(meter, prefix), meter.stage(prefix + "pipeline"):
        report = process_rosters(engine, files, rules)
    return {
        "cargas": [i.carga_id for i in report.ingests],
        "filas": sum(i.filas_leidas for i in report.ingests),
        "registros": sum(i.filas_cargadas for i in report.ingests),
        "ubicados": report.pending.geocode.registros,
        "personas": report.pending.resolve.personas,
        "refrescados": report.pending.refresh.refrescados,
        "periodos_combinados": report.pending.refresh.periodos_combinados,
        "celdas_publicadas": report.pending.publication.celdas,
    }


def table_changes(engine: Engine) -> dict[str, tuple[int, int, int]]:
    """Rows inserted, updated and deleted so far per table (partitions under their table).

    The engine's connections are closed first: a backend reports its counts when it ends.
    """
    engine.dispose()
    with engine.connect() as conn:
        rows = conn.execute(text((HERE / "pipeline_tables.sql").read_text())).all()
    return {row.tabla: (row.insertadas, row.actualizadas, row.borradas) for row in rows}


def changes_between(
    before: dict[str, tuple[int, int, int]], after: dict[str, tuple[int, int, int]]
) -> dict[str, dict[str, int]]:
    """Per table, the rows each run inserted, updated and deleted (tables it left alone out)."""
    result = {}
    for table, counts in sorted(after.items()):
        old = before.get(table, (0, 0, 0))
        delta = [new - was for new, was in zip(counts, old, strict=True)]
        if any(delta):
            result[table] = dict(
                zip(("insertadas", "actualizadas", "borradas"), delta, strict=True)
            )
    return result


# -- the interactive paths -----------------------------------------------------------------------


@contextmanager
def serving(url: str, engine: Engine) -> Iterator[httpx.Client]:
    """``padron serve`` (one process) on the database, public rate limits lifted, and a client
    logged in as a planner (who sees exact figures and may join any programs in the gap query)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    OUT.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="bench-pipeline-") as home,
        (OUT / "pipeline-serve.log").open("wb") as log,
    ):
        env = dict(os.environ) | {
            "DATABASE_URL": url,
            "PADRON_HOME": home,
            "PADRON_PUBLIC_REQUESTS_PER_MINUTE": str(10**9),
        }
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "padron"), "serve", "--puerto", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                _wait_until_up(client, process)
                client.headers["Authorization"] = f"Bearer {_planner_token(client, engine)}"
                yield client
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)


def _wait_until_up(client: httpx.Client, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"padron serve stopped; see {OUT}/pipeline-serve.log")
        with contextlib.suppress(httpx.TransportError):
            if client.get("/salud").status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError("padron serve did not answer in 120 s")


def _planner_token(client: httpx.Client, engine: Engine) -> str:
    secret = secrets.token_urlsafe(16)
    with engine.begin() as conn:
        create_user(conn, f"bench-{secret[:6]}", "planeacion", secret)
    response = client.post("/token", data={"username": f"bench-{secret[:6]}", "password": secret})
    response.raise_for_status()
    return str(response.json()["access_token"])


def timed_get(client: httpx.Client, path: str, params: dict[str, Any]) -> float:
    """Milliseconds of one request, which must succeed."""
    started = time.perf_counter()
    response = client.get(path, params=params)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{path} {params}: {response.status_code} {response.text[:300]}")
    return elapsed


def percentiles(timings: list[float]) -> dict[str, float]:
    """Median, 95th percentile and maximum, in milliseconds (as ``bench.cobertura``)."""
    ordered = sorted(timings)
    return {
        "solicitudes": len(ordered),
        "p50_ms": round(ordered[len(ordered) // 2], 1),
        "p95_ms": round(ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)], 1),
        "max_ms": round(ordered[-1], 1),
    }


def field_points(engine: Engine, count: int, seed: int = 11) -> list[dict[str, Any]]:
    """Random points over the state's bounding box, a third with a declared municipality, a
    third with a declared locality, a third with none."""
    with engine.connect() as conn:
        municipalities = list(
            conn.execute(text("SELECT cvegeo FROM boundaries.municipio")).scalars()
        )
        localities = list(conn.execute(text("SELECT cvegeo FROM boundaries.localidad")).scalars())
        box = conn.execute(
            text("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM"
                 " (SELECT ST_Extent(geom) AS e FROM boundaries.municipio) x")
        ).one()  # fmt: skip
    rng = random.Random(seed)
    points = []
    for i in range(count):
        params: dict[str, Any] = {
            "lon": round(rng.uniform(box[0], box[2]), 6),
            "lat": round(rng.uniform(box[1], box[3]), 6),
        }
        if i % 3 == 1:
            params["cvegeo"] = rng.choice(municipalities)
        elif i % 3 == 2:
            params["cvegeo"] = rng.choice(localities)
        points.append(params)
    return points


def gap_latency(client: httpx.Client, combos: list[dict[str, Any]]) -> dict[str, Any]:
    """The first gap query (the first after the refresh), 20 more unmeasured, then ``combos``."""
    first = timed_get(client, "/cobertura/brechas", combos[0])
    for params in combos[:20]:
        timed_get(client, "/cobertura/brechas", params)
    timings = [timed_get(client, "/cobertura/brechas", params) for params in combos]
    return {"primera_ms": round(first, 1)} | percentiles(timings)


def field_latency(client: httpx.Client, points: list[dict[str, Any]]) -> dict[str, Any]:
    """20 unmeasured field checks, then ``points``."""
    for params in points[:20]:
        timed_get(client, "/ubicacion/verificar", params)
    return percentiles([timed_get(client, "/ubicacion/verificar", p) for p in points])


# -- a scale -------------------------------------------------------------------------------------


def run_scale(scale: float, seed: int, requests: int, incremental: bool) -> dict[str, Any]:
    """Floor, pipeline and interactive paths at one scale, in a fresh database."""
    files = rosters(scale, seed, EXTRA.rows if incremental else 0)
    base, extra = files[:2], files[2:]
    result: dict[str, Any] = {"escala": scale, "carga_promedio_inicio": os.getloadavg()[0]}
    with throwaway_database() as url:
        engine = make_engine(url)
        started = time.perf_counter()
        load_geography(
            engine, SourceFiles.discover(Settings().data_dir), "20",
            load_rules(Settings().reglas_dir),
        )  # fmt: skip
        result["geografia_s"] = round(time.perf_counter() - started, 1)
        meter = Meter(postmaster(engine))
        try:
            settle(engine)
            piso = floor(url, meter, base, "piso")
            settle(engine)
            result["conteos"] = run_pipeline(engine, meter, base)
            result["etapas"] = stage_report(meter, piso.segundos)
            result["cota_refresco"] = refresh_bound(engine, meter).as_dict(piso.segundos)
            combos = filter_combinations(engine, requests, "2016")
            points = field_points(engine, requests)
            with serving(url, engine) as client:
                result["brechas"] = gap_latency(client, combos)
                result["verificar"] = field_latency(client, points)
                if extra:
                    result["incremental"] = run_incremental(url, engine, meter, extra)
                    time.sleep(3 * WARM_SECONDS)  # a planner asks seconds later, not at once
                    result["incremental"]["brechas"] = gap_latency(client, combos)
            started = time.perf_counter()  # what the server does in the background
            warm_gaps(engine)
            result["lectura_brechas_ms"] = round((time.perf_counter() - started) * 1000, 1)
        finally:
            meter.close()
            engine.dispose()
    result["carga_promedio_fin"] = os.getloadavg()[0]
    return result


def refresh_bound(engine: Engine, meter: Meter) -> Usage:
    """The least a first load's refresh can do and still keep its rows for the next roster
    (``refresh_bound.sql``, rolled back), timed as a stage of its own, so that the refresh's
    ratio to the floor can be read beside what no such refresh can go below."""
    settle(engine)
    with engine.connect() as conn, meter.stage("cota refresco"):
        conn.execute(text((HERE / "refresh_bound.sql").read_text()))
        conn.rollback()
    return meter.stages["cota refresco"]


def run_incremental(
    url: str, engine: Engine, meter: Meter, files: list[RosterFile]
) -> dict[str, Any]:
    """The third roster through the pipeline, against its own floor; what each table got."""
    settle(engine)
    piso = floor(url, meter, files, "incremental piso")
    settle(engine)
    before = table_changes(engine)
    counts = run_pipeline(engine, meter, files, prefix="incremental ")
    changes = changes_between(before, table_changes(engine))
    return {
        "conteos": counts,
        "etapas": stage_report(meter, piso.segundos, prefix="incremental "),
        "tablas": changes,
    }


def stage_report(
    meter: Meter, floor_seconds: float, prefix: str = ""
) -> dict[str, dict[str, float]]:
    """The floor's, each stage's and the pipeline's usage (``prefix`` names a run's stages), with
    their ratios to the floor."""
    return whole_peak(
        {
            name: meter.stages[prefix + name].as_dict(floor_seconds)
            for name in ("piso", *STAGES.values(), "pipeline")
        }
    )


def whole_peak(stages: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """``stages`` with the pipeline's peak memory taken as its largest stage's: the stages run
    one after another, while the pipeline's own Python and server peaks, summed, came from
    different stages (at 2× seed size, resolution's Python and the refresh's server)."""
    largest = max((stages[name] for name in STAGES.values()), key=lambda s: s["memoria_mb"])
    keys = ("memoria_mb", "memoria_python_mb", "memoria_servidor_mb")
    return stages | {"pipeline": stages["pipeline"] | {key: largest[key] for key in keys}}


# -- report --------------------------------------------------------------------------------------

LABELS = {
    "piso": "floor: plain `COPY` into unlogged text tables",
    "ingest": "ingest (validation included)",
    "geocode": "geocode",
    "resolve": "resolve",
    "refresh": "coverage refresh",
    "publication": "publication (after the refresh)",
    "pipeline": "**pipeline total**",
}


def stage_table(stages: dict[str, dict[str, float]], target_of: Mapping[str, float]) -> list[str]:
    """One row per stage: wall and CPU seconds, cores, peak memory, ratio to floor, target."""
    lines = [
        "| stage | wall s | CPU s (Python + server) | cores | peak MB (Python + server) "
        "| ratio to floor | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, label in LABELS.items():
        s = stages[name]
        target = target_of.get(name)
        verdict = ""
        if target is not None:
            verdict = f"≤ {target}× {'met' if s['razon_piso'] <= target else '**not met**'}"
        lines.append(
            f"| {label} | {s['segundos']:,.1f} | {s['cpu_python_s'] + s['cpu_servidor_s']:,.1f} "
            f"({s['cpu_python_s']:,.1f} + {s['cpu_servidor_s']:,.1f}) | {s['nucleos']:.2f} "
            f"| {s['memoria_mb']:,} ({s['memoria_python_mb']:,.0f} + "
            f"{s['memoria_servidor_mb']:,.0f}) | {s['razon_piso']:.2f}× | {verdict} |"
        )
    return lines


def bound_line(run: dict[str, Any]) -> list[str]:
    """What the refresh's lower bound took, beside the refresh (runs before it had none)."""
    bound = run.get("cota_refresco")
    if bound is None:
        return []
    return [
        f"The least a first load's refresh can do and keep one row per person and program "
        f"(`bench/refresh_bound.sql`: every record read with its person and place, sorted, "
        f"grouped and written; no counting rule, no counts; rolled back): "
        f"{bound['segundos']:,.1f} s, **{bound['razon_piso']:.2f}× the floor**, against the "
        f"refresh's {run['etapas']['refresh']['razon_piso']:.2f}×.",
        "",
    ]


def growth(runs: list[dict[str, Any]], stage: str, key: str) -> str:
    """Exponent b of cost ∝ recordsᵇ between the smallest and largest scale (1 = linear)."""
    first, last = runs[0], runs[-1]
    n0, n1 = first["conteos"]["filas"], last["conteos"]["filas"]
    v0, v1 = first["etapas"][stage][key], last["etapas"][stage][key]
    if n1 == n0 or v0 <= 0 or v1 <= 0:
        return "–"
    return f"{math.log(v1 / v0) / math.log(n1 / n0):.2f}"


def markdown(result: dict[str, Any]) -> str:
    """The section of docs/benchmarks.md."""
    m = result["maquina"]
    lines = [
        f"Measured {m['fecha']} at commit `{result['commit']}` on {m['cpu']}, {m['nucleos']} "
        f"cores, {m['memoria_gb']} GB, {m['postgresql']}; load average "
        f"{result['runs'][0]['carga_promedio_inicio']:.2f} at the start, "
        f"{result['runs'][-1]['carga_promedio_fin']:.2f} at the end.",
        "",
    ]
    for run in result["runs"]:
        counts = run["conteos"]
        lines += [
            f"**Scale {run['escala']}**: {counts['filas']:,} rows, {counts['registros']:,} "
            f"records, {counts['personas']:,} persons (geography loaded in "
            f"{run['geografia_s']} s, not counted).",
            "",
            *stage_table(run["etapas"], TARGETS),
            "",
            *bound_line(run),
            f"Gap query (`/cobertura/brechas`): first request after the refresh "
            f"{run['brechas']['primera_ms']} ms (target ≤ 200; the server reads the period's "
            f"tables when it starts and in the background after each refresh: "
            f"{run['lectura_brechas_ms']} ms); {run['brechas']['solicitudes']} "
            f"varied requests p50 {run['brechas']['p50_ms']} ms, **p95 "
            f"{run['brechas']['p95_ms']} ms** (target ≤ 20), max {run['brechas']['max_ms']} ms. "
            f"Field check (`/ubicacion/verificar`): {run['verificar']['solicitudes']} random "
            f"points p50 {run['verificar']['p50_ms']} ms, **p95 {run['verificar']['p95_ms']} "
            f"ms** (target ≤ 10), max {run['verificar']['max_ms']} ms.",
            "",
        ]
        if inc := run.get("incremental"):
            lines += [
                f"Incremental: a third roster of {inc['conteos']['filas']:,} rows added to "
                f"this registry; ratios to the floor of its own file "
                f"(target: pipeline ≤ {INCREMENTAL_TARGET}×):",
                "",
                *stage_table(inc["etapas"], {"pipeline": INCREMENTAL_TARGET}),
                "",
                f"First gap query {3 * WARM_SECONDS:.0f} s after its refresh (the server "
                f"running throughout): {inc['brechas']['primera_ms']} ms. Rows each table "
                f"gained, changed or lost:",
                "",
                "| table | inserted | updated | deleted |",
                "|---|---|---|---|",
                *(
                    f"| `{t}` | {c['insertadas']:,} | {c['actualizadas']:,} | {c['borradas']:,} |"
                    for t, c in inc["tablas"].items()
                ),
                "",
            ]
    if len(result["runs"]) > 1:
        runs = result["runs"]
        lines += [
            "How cost grows: wall seconds and peak MB per stage against rows; b is the exponent "
            "of cost ∝ rowsᵇ from the smallest to the largest scale (1 = linear).",
            "",
            "| stage | " + " | ".join(f"{r['conteos']['filas']:,} rows" for r in runs)
            + " | b (seconds) | b (memory) |",
            "|---|" + "---|" * (len(runs) + 2),
        ]  # fmt: skip
        for name in LABELS:
            cells = [
                f"{r['etapas'][name]['segundos']:,.1f} s, {r['etapas'][name]['memoria_mb']:,} MB"
                for r in runs
            ]
            lines.append(
                f"| {LABELS[name]} | {' | '.join(cells)} | {growth(runs, name, 'segundos')} "
                f"| {growth(runs, name, 'memoria_mb')} |"
            )
        lines += ["", f"![Seconds and peak memory per stage]({PLOT.name})", ""]
    return "\n".join(lines)


def plot(runs: list[dict[str, Any]], path: Path) -> None:
    """Seconds and peak memory per stage against rows, on log-log axes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r["conteos"]["filas"] for r in runs]
    figure, (seconds, memory) = plt.subplots(1, 2, figsize=(11, 4.5))
    for name in LABELS:
        label = LABELS[name].split(":")[0].strip("*")
        seconds.plot(rows, [r["etapas"][name]["segundos"] for r in runs], "o-", label=label)
        memory.plot(rows, [r["etapas"][name]["memoria_mb"] for r in runs], "o-", label=label)
    seconds.plot(rows, [rows[0] and r / rows[0] * runs[0]["etapas"]["pipeline"]["segundos"]
                        for r in rows], ":", color="grey", label="linear")  # fmt: skip
    for axis, title, unit in ((seconds, "Wall time", "s"), (memory, "Peak memory", "MB")):
        axis.set(xscale="log", yscale="log", xlabel="roster rows", ylabel=unit, title=title)
        axis.grid(True, which="both", alpha=0.3)
    memory.axhline(8192, color="red", linestyle="--", label="8 GB")
    seconds.legend(fontsize=8)
    memory.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main() -> None:
    """Run every scale, save the results, write docs/ (unless ``--no-docs``)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--escala", type=float, default=1.0, help="fraction of the seed sizes")
    parser.add_argument("--escalas", help="several scales, e.g. 0.25,0.5,1,2 (over --escala)")
    parser.add_argument("--incremental", action="store_true", help="then a 100,000-row roster")
    parser.add_argument("--semilla", type=int, default=2016)
    parser.add_argument("--solicitudes", type=int, default=500, help="per interactive path")
    parser.add_argument("--no-docs", action="store_true", help="leave docs/ alone")
    args = parser.parse_args()
    scales = [float(s) for s in args.escalas.split(",")] if args.escalas else [args.escala]
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    result: dict[str, Any] = {"maquina": machine(), "commit": commit, "runs": []}
    for scale in sorted(scales):
        run = run_scale(scale, args.semilla, args.solicitudes, args.incremental)
        result["runs"].append(run)
        print(markdown(result | {"runs": [run]}), file=sys.stderr)
    print(f"results: {save('pipeline', result)}")
    section = markdown(result)
    print(section)
    if not args.no_docs:
        if len(result["runs"]) > 1:
            plot(result["runs"], PLOT)
        write_docs(MARKERS, section, keep_earlier=True)
    elif len(result["runs"]) > 1:
        plot(result["runs"], OUT / PLOT.name)


if __name__ == "__main__":
    main()
