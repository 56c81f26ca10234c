"""Geocoding benchmark: accuracy against ``padron synth`` ground truth, speed, field-check latency.

    uv run python -m bench.geocode [--scale 1.0]

Ingests the synthetic rosters of ``bench.ingest`` (generated if missing) into a fresh database
with Oaxaca's geography, geocodes every batch (timed), compares municipality and locality with
the truth, measures how many coordinate problems are flagged (recall) and how many clean
coordinates are (false alarms), and times ``GET /ubicacion/verificar``. Results in
``bench/out/geocode.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import time

import polars as pl
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from api.settings import Settings
from bench.common import machine, save, throwaway_database
from bench.ingest import rosters
from boundaries.load import SourceFiles, load_state
from geo.geocode import geocode
from geo.ingest import ingest_file
from geo.kernel.db import make_engine

COORDINATE_PROBLEMS = ("coord_invertida", "coord_signo", "coord_cero", "coord_otro_municipio")
"""Damages a geocoder must flag (missing, decimal comma and DMS are formats, not problems)."""


def accuracy(engine: object, truth: pl.DataFrame) -> dict[str, float]:
    """Municipality/locality correctness and coordinate-problem detection over every record."""
    with engine.connect() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(
            text(
                "SELECT r.programa, r.folio, u.cvegeo_mun, u.cvegeo_loc,"
                " array_to_string(u.banderas, ';') FROM padron.registro r"
                " JOIN padron.ubicacion u ON u.registro_id = r.id"
            )
        ).all()
    placed = pl.DataFrame(
        [tuple(r) for r in rows],
        schema=["programa", "folio", "mun", "loc", "banderas"],
        orient="row",
    )
    joined = truth.join(placed, on=["programa", "folio"], how="left")
    mun_ok = (joined["mun"] == joined["cvegeo_verdadero"].str.slice(0, 5)).fill_null(False)
    loc_ok = (joined["loc"] == joined["cvegeo_verdadero"]).fill_null(False)
    errors = joined["errores"].fill_null("")
    problem = errors.str.contains("|".join(COORDINATE_PROBLEMS))
    flagged = joined["banderas"].fill_null("").str.contains("coord_")
    clean = ~problem & ~errors.str.contains("coord_faltante")
    return {
        "registros": joined.height,
        "municipio_correcto_pct": round(100 * mun_ok.mean(), 3),
        "localidad_correcta_pct": round(100 * loc_ok.mean(), 3),
        "problemas_coord": int(problem.sum()),
        "recall_problemas_pct": round(100 * (flagged & problem).sum() / max(1, problem.sum()), 2),
        "coord_limpias": int(clean.sum()),
        "falsas_alarmas_pct": round(100 * (flagged & clean).sum() / max(1, clean.sum()), 3),
    }


def field_check_latency(url: str, requests: int = 2_000) -> dict[str, float]:
    """Milliseconds per ``/ubicacion/verificar`` call through the app (in-process ASGI)."""
    rng = random.Random(1)
    timings = []
    with TestClient(create_app(Settings(database_url=url))) as client:
        for _ in range(requests):
            params = {
                "lon": -98.5 + 4.6 * rng.random(),
                "lat": 15.7 + 2.9 * rng.random(),
                "cvegeo": "200670001",
            }
            started = time.perf_counter()
            response = client.get("/ubicacion/verificar", params=params)
            timings.append(1000 * (time.perf_counter() - started))
            assert response.status_code == 200
    timings.sort()
    return {
        "solicitudes": requests,
        "p50_ms": round(timings[len(timings) // 2], 2),
        "p95_ms": round(timings[int(0.95 * len(timings))], 2),
        "max_ms": round(timings[-1], 2),
    }


def main() -> None:
    """Run the benchmark and print its summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2016)
    args = parser.parse_args()
    files = rosters(args.scale, args.seed)
    truth = pl.read_csv(files[0][1].parent / "verdad.csv", infer_schema=False)
    with throwaway_database() as url:
        engine = make_engine(url)
        load_state(engine, SourceFiles.discover(Settings().data_dir), "20")
        for code, path in files:
            ingest_file(engine, path, code)
        started = time.perf_counter()
        report = geocode(engine)
        seconds = time.perf_counter() - started
        result = {
            "maquina": machine(),
            "escala": args.scale,
            "velocidad": {
                "registros": report.registros,
                "segundos": round(seconds, 1),
                "registros_por_s": round(report.registros / seconds),
            },
            "precision": report.por_precision,
            "exactitud": accuracy(engine, truth),
            "verificar": field_check_latency(url),
        }
    print(json.dumps({k: v for k, v in result.items() if k != "maquina"}, indent=2))
    print(f"results: {save('geocode', result)}")


if __name__ == "__main__":
    main()
