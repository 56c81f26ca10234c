"""Map tiles: the service beside tipg, on the same database, layers, columns and tile lists.

    uv run --group bench python -m bench.tiles                 # seed size, about 30 minutes
    uv run --group bench python -m bench.tiles --scale 0.01 --duration 3 --zooms 6,14

Builds (once; kept and reused) a database with Oaxaca's geography and the synthetic rosters of
``bench.ingest`` ingested, geocoded, resolved, refreshed and published; creates views with the
columns of each of the service's layers for tipg (``bench/tipg_views.sql``); lists the tiles
over the state at each zoom (``bench/tile_lists.sql``: tiles touching the state for polygon
layers, tiles holding a locality for point layers) and samples the same ``--tiles`` of them for
both.

Then, one server at a time, each with two worker processes on an otherwise idle machine and the
tables all of them read in shared buffers (``bench/tile_prewarm.sql``): tipg (``uvicorn
tipg.main:app --workers 2``), the service (``padron serve --procesos 2``) and, with
``--sin-cache``, the service without its cache of hot tiles (which holds tiles up to
``tile_cache_max_zoom``, 10: deeper ones are built the same way by both). For every layer, zoom and
concurrency, wrk (Debian's ``wrk``; a Lua script cycles through the tile list, asking for gzip
like a browser) runs ``--warmup`` seconds unmeasured, then ``--duration`` seconds measured:
tiles per second, p50 and p99 latency, bytes on the wire per tile, and the CPU per tile of the
database's processes (``/proc``, local cluster only) and of the server's. Finally a sample of
each list is decoded from both servers and compared with the database: a tile that carries
fewer features than the database holds in it is counted as truncated.

Results: ``bench/out/tiles.json`` and a table written into ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import mapbox_vector_tile
from sqlalchemy import Engine, text

from api.settings import REPO_ROOT, Settings
from bench.common import OUT, cpu_seconds, machine, save, write_docs
from devtools.cluster import LocalCluster
from geo.kernel.db import driver_url, make_engine, upgrade
from geo.publish.tiles import LAYERS

HERE = Path(__file__).parent
MARKERS = ("<!-- bench.tiles: inicio -->", "<!-- bench.tiles: fin -->")
CLUSTER = LocalCluster(REPO_ROOT / ".padron" / "bench-db")


# -- the database --------------------------------------------------------------------------------


def database(scale: float, seed: int) -> str:
    """URL of the benchmark's database: DATABASE_URL's, or one kept on the bench cluster per
    scale and seed, built on first use (the pipeline is re-runnable: a crash resumes)."""
    url = Settings().database_url
    if not url:
        CLUSTER.start()
        url = CLUSTER.create_database(f"bench_teselas_{str(scale).replace('.', '_')}_{seed}")
    engine = make_engine(url)
    upgrade(engine)
    _fill(engine, scale, seed)
    with engine.begin() as conn:
        conn.execute(text((HERE / "tipg_views.sql").read_text()))
    engine.dispose()
    return url


def _fill(engine: Engine, scale: float, seed: int) -> None:
    from bench.ingest import rosters
    from boundaries.load import SourceFiles, load_state
    from geo.geocode import geocode
    from geo.ingest import ingest_file
    from geo.pipeline import refresh_and_publish
    from geo.publish.publication import publish
    from geo.resolve import resolve

    load_state(engine, SourceFiles.discover(Settings().data_dir), "20")
    with engine.connect() as conn:
        built = conn.execute(text("SELECT count(*) FROM analisis.refresco")).scalar_one()
    if built:
        publish(engine)  # a database kept from before the tiles read the publication
        return
    started = time.perf_counter()
    for code, path in rosters(scale, seed):
        ingest_file(engine, path, code)
    geocode(engine)
    resolve(engine)
    refresh_and_publish(engine)
    print(f"database built in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def prewarm(url: str) -> None:
    """Read what the tile servers read into shared buffers (``bench/tile_prewarm.sql``)."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text((HERE / "tile_prewarm.sql").read_text()))
    engine.dispose()


def tile_lists(url: str, zooms: list[int], count: int, seed: int) -> dict[tuple[str, int], list]:
    """(kind, zoom) → a sample of ``count`` tiles, the same for every server."""
    engine = make_engine(url)
    lists: dict[tuple[str, int], list[tuple[int, int, int]]] = {}
    with engine.connect() as conn:
        for z in zooms:
            rows = conn.execute(text((HERE / "tile_lists.sql").read_text()), {"z": z}).all()
            for kind in ("poligonos", "puntos"):
                tiles = sorted((z, r.x, r.y) for r in rows if r.tipo == kind)
                random.Random(seed + z).shuffle(tiles)
                lists[(kind, z)] = tiles[:count]
    engine.dispose()
    return lists


def kind(layer: str) -> str:
    return "puntos" if LAYERS[layer].geometry == "point" else "poligonos"


# -- servers -------------------------------------------------------------------------------------


@dataclass
class Server:
    """A running tile server: how to name a tile, its process group, its log."""

    name: str
    base: str
    template: dict[str, str]
    """layer → path with {z}, {x}, {y}."""
    process: subprocess.Popen[bytes]

    def path(self, layer: str, z: int, x: int, y: int) -> str:
        return self.template[layer].format(z=z, x=x, y=y)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(name: str, url: str, layers: list[str], *, cache: bool = True) -> Iterator[Server]:
    """Start one server with two worker processes; stop its process group afterwards."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    if name == "tipg":
        plain = driver_url(url)
        env |= {
            "DATABASE_URL": plain,
            "TIPG_DB_SCHEMAS": '["bench_tipg"]',
            "TIPG_MAX_FEATURES_PER_TILE": "1000000",  # never truncate, as in the runs
        }
        command = [sys.executable, "-m", "uvicorn", "tipg.main:app", "--workers", "2"]
        command += ["--host", "127.0.0.1", "--port", str(port)]
    else:
        env |= {
            "DATABASE_URL": url,
            "PADRON_PUBLIC_TILES_PER_MINUTE": str(10**9),
            "PADRON_TILE_CACHE_MB": "64" if cache else "0",
        }
        padron = Path(sys.executable).parent / "padron"
        command = [str(padron), "serve", "--procesos", "2", "--puerto", str(port)]
    log = (OUT / f"tiles-{name}.log").open("wb")
    process = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        _wait_until_up(f"{base}/teselas/municipios.json" if name != "tipg" else base, process)
        if name == "tipg":
            template = {
                layer: f"/collections/bench_tipg.{layer}/tiles/WebMercatorQuad/{{z}}/{{x}}/{{y}}"
                for layer in layers
            }
        else:  # as a map would: the versioned URLs of the TileJSON documents
            template = {
                layer: httpx.get(f"{base}/teselas/{layer}.json").json()["tiles"][0]
                for layer in layers
            }
            template = {k: v.removeprefix(base) for k, v in template.items()}
        yield Server(name, base, template, process)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
        log.close()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped; see {OUT}/tiles-*.log")
        try:
            if httpx.get(url, timeout=5).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the server did not answer in {timeout} s")


# -- load ----------------------------------------------------------------------------------------


def _postmaster(url: str) -> int | None:
    """The local bench cluster's server process (DATABASE_URL's server is not measured)."""
    if Settings().database_url or not (CLUSTER.pgdata / "postmaster.pid").exists():
        return None
    return int((CLUSTER.pgdata / "postmaster.pid").read_text().split()[0])


def run_wrk(
    server: Server, paths: list[str], concurrency: int, seconds: int, db_pid: int | None
) -> dict[str, Any]:
    """One measured wrk run over ``paths``; returns the rates and CPU per tile."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("\n".join(paths) + "\n")
    command = ["wrk", "-t", "1", "-c", str(concurrency), "-d", f"{max(1, seconds)}s"]
    command += ["--timeout", "30s", "-s", str(HERE / "tiles.lua"), server.base, "--", listing.name]
    db_before, app_before = cpu_seconds(db_pid), cpu_seconds(server.process.pid)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    db_after, app_after = cpu_seconds(db_pid), cpu_seconds(server.process.pid)
    Path(listing.name).unlink()
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    requests = max(int(result["solicitudes"]), 1)
    errors = sum(v for k, v in result.items() if k.startswith("errores"))
    return {
        "teselas_por_s": round(requests / (result["duracion_us"] / 1e6), 1),
        "p50_ms": round(result["p50_us"] / 1000, 1),
        "p99_ms": round(result["p99_us"] / 1000, 1),
        "bytes_por_tesela": round(result["bytes"] / requests),
        "cpu_bd_ms_por_tesela": (
            round((db_after - db_before) * 1000 / requests, 2) if db_pid else None
        ),
        "cpu_servidor_ms_por_tesela": round((app_after - app_before) * 1000 / requests, 2),
        "solicitudes": requests,
        "errores": errors,
    }


# -- completeness --------------------------------------------------------------------------------


def carried(body: bytes) -> int:
    """Features a tile carries: aggregates count for the localities they stand for."""
    total = 0
    for layer in mapbox_vector_tile.decode(body).values():
        total += sum(int(f["properties"].get("n", 1)) for f in layer["features"])
    return total


def held(engine: Engine, layer: str, z: int, x: int, y: int) -> int:
    """Features of ``layer`` the database holds inside the tile (``bench/tile_held.sql``)."""
    with engine.connect() as conn:
        statement = text((HERE / "tile_held.sql").read_text())
        return int(conn.execute(statement, {"capa": layer, "z": z, "x": x, "y": y}).scalar_one())


def completeness(
    server: Server, url: str, layers: list[str], lists: dict[tuple[str, int], list], sample: int
) -> dict[str, dict[str, int]]:
    """Per layer and zoom: tiles checked and tiles carrying fewer features than the database."""
    engine = make_engine(url)
    report: dict[str, dict[str, int]] = {}
    with httpx.Client(base_url=server.base, timeout=60) as client:
        for layer in layers:
            for (kind_, z), tiles in sorted(lists.items()):
                if kind_ != kind(layer) or z < LAYERS[layer].min_zoom:
                    continue
                short = 0
                for tile in tiles[:sample]:
                    response = client.get(server.path(layer, *tile))
                    if response.status_code not in (200, 204):
                        raise RuntimeError(f"{server.name}: {response.status_code} {response.url}")
                    got = 0 if response.status_code == 204 else carried(response.content)
                    short += got < held(engine, layer, *tile)
                report[f"{layer} z{z}"] = {"revisadas": len(tiles[:sample]), "truncadas": short}
    engine.dispose()
    return report


# -- the report ----------------------------------------------------------------------------------


def markdown(result: dict[str, Any]) -> str:
    runs = result["corridas"]
    ours = [name for name in runs if name != "tipg"]
    header = (
        "| capa | z | c | tipg teselas/s | "
        + " | ".join(f"{name} teselas/s (× tipg)" for name in ours)
        + " | p50 / p99 ms (tipg; "
        + "; ".join(ours)
        + ") | bytes por tesela (tipg; servicio) | CPU BD ms por tesela (tipg; servicio) |"
    )
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    for key, tipg in runs["tipg"].items():
        layer, z, c = key.split("|")
        cells = [layer, z, c, f"{tipg['teselas_por_s']:.1f}"]
        for name in ours:
            mine = runs[name][key]
            ratio = mine["teselas_por_s"] / max(tipg["teselas_por_s"], 0.01)
            cells.append(f"{mine['teselas_por_s']:.1f} ({ratio:.1f}×)")
        latencies = [f"{tipg['p50_ms']} / {tipg['p99_ms']}"] + [
            f"{runs[n][key]['p50_ms']} / {runs[n][key]['p99_ms']}" for n in ours
        ]
        cells.append("; ".join(latencies))
        cells.append(f"{tipg['bytes_por_tesela']:,}; {runs[ours[0]][key]['bytes_por_tesela']:,}")
        cells.append(
            f"{tipg['cpu_bd_ms_por_tesela']}; {runs[ours[0]][key]['cpu_bd_ms_por_tesela']}"
        )
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("| capa y zoom | teselas revisadas | truncadas tipg | truncadas servicio |")
    lines.append("|---|---|---|---|")
    for key, checked in result["completitud"]["tipg"].items():
        mine = result["completitud"]["servicio"][key]
        lines.append(
            f"| {key} | {checked['revisadas']} | {checked['truncadas']} | {mine['truncadas']} |"
        )
    m = result["maquina"]
    facts = (
        f"{m['fecha']}, commit `{result['commit']}`, {m['cpu']}, {m['nucleos']} núcleos, "
        f"{m['memoria_gb']} GB, {m['postgresql']}; escala {result['escala']} "
        f"({result['registros']:,} registros), {result['teselas_por_lista']} teselas por lista, "
        f"{result['segundos']} s por corrida (tras {result['calentamiento']} s sin medir), "
        f"carga promedio al terminar {result['carga_promedio']:.2f}."
    )
    return facts + "\n\n" + "\n".join(lines) + "\n"


def main() -> None:
    """Run the benchmark, save the results and write the table into docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the seed sizes")
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--zooms", default="6,10,14")
    parser.add_argument("--concurrency", default="1,16")
    parser.add_argument("--layers", default=",".join(LAYERS))
    parser.add_argument("--tiles", type=int, default=1000, help="tiles per list")
    parser.add_argument("--duration", type=int, default=15, help="measured seconds per run")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured seconds per run")
    parser.add_argument("--check", type=int, default=30, help="tiles decoded per list")
    parser.add_argument("--sin-cache", action="store_true", help="also the service uncached")
    parser.add_argument("--no-docs", action="store_true", help="do not touch docs/benchmarks.md")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    zooms = [int(z) for z in args.zooms.split(",")]
    levels = [int(c) for c in args.concurrency.split(",")]
    layers = args.layers.split(",")
    OUT.mkdir(parents=True, exist_ok=True)

    url = database(args.scale, args.seed)
    lists = tile_lists(url, zooms, args.tiles, args.seed)
    db_pid = _postmaster(url)
    variants = [("tipg", True), ("servicio", True)]
    if args.sin_cache:
        variants.append(("servicio sin caché", False))
    runs: dict[str, dict[str, Any]] = {}
    checks: dict[str, Any] = {}
    for name, cache in variants:
        runs[name] = {}
        prewarm(url)
        with serving("tipg" if name == "tipg" else "servicio", url, layers, cache=cache) as server:
            for layer in layers:
                for z in zooms:
                    if z < LAYERS[layer].min_zoom:
                        continue
                    paths = [server.path(layer, *t) for t in lists[(kind(layer), z)]]
                    for c in levels:
                        run_wrk(server, paths, c, args.warmup, None)
                        measured = run_wrk(server, paths, c, args.duration, db_pid)
                        runs[name][f"{layer}|{z}|{c}"] = measured
                        print(name, layer, z, c, measured, file=sys.stderr)
            if cache:
                checks[name] = completeness(server, url, layers, lists, args.check)
    engine = make_engine(url)
    with engine.connect() as conn:
        records = conn.execute(text("SELECT count(*) FROM padron.registro")).scalar_one()
    engine.dispose()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    result = {
        "maquina": machine(),
        "commit": commit,
        "escala": args.scale,
        "registros": records,
        "teselas_por_lista": args.tiles,
        "segundos": args.duration,
        "calentamiento": args.warmup,
        "carga_promedio": os.getloadavg()[0],
        "corridas": runs,
        "completitud": checks,
    }
    print(f"results: {save('tiles', result)}")
    table = markdown(result)
    print(table)
    failed = {
        f"{n} {k}": r["errores"] for n, rs in runs.items() for k, r in rs.items() if r["errores"]
    }
    if failed:
        raise SystemExit(
            f"requests failed, docs left as they were (see {OUT}/tiles-*.log): {failed}"
        )
    if not args.no_docs:
        write_docs(MARKERS, table, keep_earlier=False)


if __name__ == "__main__":
    main()
