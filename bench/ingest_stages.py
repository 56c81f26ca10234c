"""Where an ingest's time goes: each stage of ``ingest_file`` run alone, on the seed rosters.

    uv run python -m bench.ingest_stages [--scale 1.0]

Stages, one after another for each file: ``scan`` (hash and encoding), ``parse`` (pyarrow),
``normalise`` (Polars), ``write`` (the CSV that ``COPY`` reads), the server's ``COPY`` into a new
partition, and ``ATTACH`` (the index builds). Their sum is the work; ``ingest_file`` overlaps
parsing and normalising with the ``COPY``, so ``bench.ingest`` takes less than the sum. Each
stage reports wall seconds and CPU seconds (of this process, or of the server's backend, which
needs the project's local cluster or a server on this machine). Results go to
``bench/out/ingest_stages.json``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Connection, insert, text

from bench.common import machine, save, throwaway_database
from bench.ingest import rosters
from geo.ingest import tables as t
from geo.ingest.layouts import PUB
from geo.ingest.loader import CHUNK_ROWS, attach_partition, create_partition
from geo.ingest.normalise import normalise
from geo.ingest.reader import open_roster, read_chunks
from geo.kernel.db import copy_csv, csv_for_copy, make_engine, psycopg_connection


def stages(conn: Connection, programa: str, path: Path) -> dict[str, dict[str, float]]:
    """Run each stage of one file's ingest alone; wall and CPU seconds of each."""
    times: dict[str, dict[str, float]] = {}
    backend = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()

    @contextmanager
    def stage(name: str, cpu: Callable[[], float] = time.process_time) -> Iterator[None]:
        wall, used = time.perf_counter(), cpu()
        yield
        total = times.setdefault(name, {"s": 0.0, "cpu_s": 0.0})
        total["s"] += time.perf_counter() - wall
        total["cpu_s"] += cpu() - used

    with tempfile.TemporaryDirectory() as workdir, stage("scan"):
        roster = open_roster(path, Path(workdir))
    positions = PUB.resolve(roster.header)
    carga_id = _batch_row(conn, programa, path)
    frames = []
    batches = read_chunks(roster, CHUNK_ROWS)
    while True:
        with stage("parse"):
            batch = next(batches, None)
        if batch is None:
            break
        with stage("normalise"):
            records = normalise(batch.frame, positions, PUB.constants, programa, None).records
        frames.append(records.drop("motivo").with_columns(carga_id=pl.lit(carga_id)))
    buffers = []
    for frame in frames:
        with stage("write"):
            buffers.append(csv_for_copy(frame))
    create_partition(conn, carga_id)
    server_cpu = _process_cpu(backend)
    raw = psycopg_connection(conn)
    with stage("copy", server_cpu):
        for frame, data in zip(frames, buffers, strict=True):
            copy_csv(raw, "padron", f"registro_{carga_id}", frame.columns, data, freeze=True)
    with stage("attach", server_cpu):  # the leader only: parallel workers are not counted
        attach_partition(conn, carga_id)
    return {k: {m: round(v, 2) for m, v in values.items()} for k, values in times.items()}


def _batch_row(conn: Connection, programa: str, path: Path) -> int:
    conn.execute(
        text("INSERT INTO padron.programa (clave, nombre) VALUES (:c, :c) ON CONFLICT DO NOTHING"),
        {"c": programa},
    )
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "programa": programa, "archivo": path.name, "sha256": "", "formato": "csv",
        "layout": "pub", "columnas": [], "filas_leidas": 0, "filas_cargadas": 0,
        "filas_rechazadas": 0, "folios_repetidos": 0, "iniciada_en": now, "terminada_en": now,
    }  # fmt: skip
    return int(conn.execute(insert(t.carga).values(values).returning(t.carga.c.id)).scalar_one())


def _process_cpu(pid: int) -> Callable[[], float]:
    """CPU seconds (user + system) used so far by process ``pid`` of this machine."""
    ticks = 100  # USER_HZ on Linux

    def used() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks

    return used


def main() -> None:
    """Run the stages of each roster's ingest and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the seed sizes")
    parser.add_argument("--seed", type=int, default=2016)
    args = parser.parse_args()
    runs = {}
    with throwaway_database() as url:
        engine = make_engine(url)
        for code, path in rosters(args.scale, args.seed):
            with engine.connect() as conn:  # rolled back: nothing stays
                runs[path.name] = stages(conn, code, path)
    for name, times in runs.items():
        print(name, "  ".join(f"{k} {v['s']} s ({v['cpu_s']} CPU s)" for k, v in times.items()))
    print(f"results: {save('ingest_stages', {'maquina': machine(), 'etapas': runs})}")


if __name__ == "__main__":
    main()
