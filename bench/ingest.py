"""Ingest benchmark: the two seed-size rosters (1,598,672 + 2,223,143 rows), validation included.

    uv run python -m bench.ingest [--scale 1.0]

Generates the rosters with ``devtools.synth`` (cached in ``bench/out/rosters``), measures a
plain COPY of each file into an unlogged table of text columns (the floor), then ``ingest_file``
on each in
a child process (wall time and peak resident memory of that process). Results go to
``bench/out/ingest.json``; copy the table into ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from psycopg import sql

from api.settings import REPO_ROOT, Settings
from bench.common import OUT, machine, save, throwaway_database
from geo.kernel.db import driver_url

SEED_ROWS = {"BIENESTAR": 1_598_672, "SEDESOL": 2_223_143}


def rosters(scale: float, seed: int) -> list[tuple[str, Path]]:
    """Generate (once per size and seed) the rosters to ingest."""
    from devtools.synth import SynthConfig, generate

    folder = OUT / "rosters" / f"seed{seed}-scale{scale}"
    config = SynthConfig.seed_sized(scale=scale, seed=seed)
    if not (folder / "verdad.csv").exists():
        started = time.perf_counter()
        generate(Settings().data_dir, folder, config)
        print(f"rosters generated in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return [(p.code, folder / p.file_name) for p in config.programs]


def plain_copy(url: str, path: Path) -> float:
    """Seconds to COPY the file as is into an unlogged table of text columns."""
    conninfo = driver_url(url)
    with path.open("rb") as handle:
        header = handle.readline().decode("utf-8-sig", "replace")
    delimiter = max(",|\t;", key=header.count)
    columns = [f"c{i}" for i in range(header.count(delimiter) + 1)]
    with psycopg.connect(conninfo) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_plain")
        conn.execute(
            sql.SQL("CREATE UNLOGGED TABLE bench_plain ({})").format(
                sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c)) for c in columns)
            )
        )
        encoding = "UTF8" if _is_utf8(path) else "WIN1252"
        started = time.perf_counter()
        with (
            conn.cursor() as cursor,
            cursor.copy(
                sql.SQL(
                    "COPY bench_plain FROM STDIN (FORMAT csv, HEADER, DELIMITER {}, ENCODING {})"
                ).format(sql.Literal(delimiter), sql.Literal(encoding))
            ) as copy,
            path.open("rb") as handle,
        ):
            while block := handle.read(1 << 20):
                copy.write(block)
        elapsed = time.perf_counter() - started
        conn.execute("DROP TABLE bench_plain")
    return elapsed


def ingest_in_child(url: str, code: str, path: Path) -> dict[str, object]:
    """Run one ingest in a fresh process; report its wall time, peak RSS and counts."""
    script = (
        "import json, sys, time; from pathlib import Path; from bench.common import peak_rss_mb;"
        "from geo.kernel.db import make_engine; from geo.ingest import ingest_file;"
        "e = make_engine(sys.argv[1]); t = time.perf_counter();"
        "r = ingest_file(e, Path(sys.argv[3]), sys.argv[2]);"
        "print(json.dumps({'segundos': time.perf_counter() - t, 'filas': r.filas_leidas,"
        " 'cargadas': r.filas_cargadas, 'rechazadas': r.filas_rechazadas,"
        " 'rss_mb': peak_rss_mb()}))"
    )
    output = subprocess.run(
        [sys.executable, "-c", script, url, code, str(path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _is_utf8(path: Path) -> bool:
    from geo.ingest.reader import scan_file

    return scan_file(path).encoding.startswith("utf-8")


def main() -> None:
    """Run the benchmark and print a Markdown summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the seed sizes")
    parser.add_argument("--seed", type=int, default=2016)
    args = parser.parse_args()
    files = rosters(args.scale, args.seed)
    runs = []
    with throwaway_database() as url:
        for code, path in files:
            baseline = plain_copy(url, path)
            measured = ingest_in_child(url, code, path)
            runs.append(
                {"programa": code, "archivo": path.name, "copy_plano_s": baseline, **measured}
            )
    total_rows = sum(int(r["filas"]) for r in runs)  # type: ignore[call-overload]
    total_s = sum(float(r["segundos"]) for r in runs)  # type: ignore[arg-type]
    copy_s = sum(float(r["copy_plano_s"]) for r in runs)  # type: ignore[arg-type]
    result = {
        "maquina": machine(),
        "escala": args.scale,
        "corridas": runs,
        "total": {
            "filas": total_rows,
            "segundos": round(total_s, 1),
            "filas_por_s": round(total_rows / total_s),
            "copy_plano_s": round(copy_s, 1),
            "copy_plano_filas_por_s": round(total_rows / copy_s),
            "razon_vs_copy": round(total_s / copy_s, 2),
            "rss_max_mb": max(float(r["rss_mb"]) for r in runs),  # type: ignore[arg-type]
        },
    }
    print(json.dumps(result["total"], indent=2))
    print(f"results: {save('ingest', result)}")


if __name__ == "__main__":
    main()
