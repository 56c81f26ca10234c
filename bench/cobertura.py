"""Coverage benchmark: refresh times and the gap query's latency at seed size.

    uv run python -m bench.cobertura [--scale 1.0] [--requests 500]

Ingests the synthetic rosters of ``bench.ingest`` (generated if missing) into a fresh database
with Oaxaca's geography, geocodes and resolves them, then times: the first coverage refresh
(areas included), a refresh with nothing to do, and an incremental refresh after one small new
batch of one program. Finally it sends ``GET /cobertura/brechas`` with varied filter combinations
through the app (in-process ASGI) and reports percentiles, with the load average, since the
machine may be shared. Results in ``bench/out/cobertura.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from api.settings import Settings
from bench.common import machine, save, throwaway_database
from bench.ingest import rosters
from boundaries.load import SourceFiles, load_state
from geo.coverage.refresh import refresh
from geo.geocode import geocode
from geo.ingest import ingest_file
from geo.kernel.db import make_engine
from geo.resolve import resolve


def timed(action: object) -> tuple[object, float]:
    started = time.perf_counter()
    result = action()  # type: ignore[operator]
    return result, round(time.perf_counter() - started, 2)


EXTRA_PERIOD = "2016-extra-bench"
"""Period of the small batch that times the incremental refresh (not a roster's period)."""


def filter_combinations(
    engine: object, count: int, periodo: str, seed: int = 7
) -> list[dict[str, object]]:
    """Random but reproducible mixes of every filter of the gap query, in the rosters' period
    (the newest period by text order would be the small extra batch's)."""
    with engine.connect() as conn:  # type: ignore[attr-defined]
        municipios = [r[0] for r in conn.execute(text("SELECT cvegeo FROM boundaries.municipio"))]
        distritos = [
            r[0] for r in conn.execute(text("SELECT DISTINCT distrito FROM boundaries.municipio"))
        ]
        regiones = [
            r[0] for r in conn.execute(text("SELECT DISTINCT region FROM boundaries.municipio"))
        ]
    rng = random.Random(seed)
    combos = []
    for _ in range(count):
        params: dict[str, object] = {"limite": 50, "periodo": periodo}
        programs = rng.choice([[], ["BIENESTAR"], ["SEDESOL"], ["BIENESTAR", "SEDESOL"]])
        if programs:
            params["programa"] = programs
        grades = rng.choice([None, ["Muy alto"], ["Alto", "Muy alto"], ["Medio"]])
        if grades:
            params["grado"] = grades
        if (minimum := rng.choice([None, 100, 1000])) is not None:
            params["poblacion_min"] = minimum
        if (maximum := rng.choice([None, 0.05, 0.2])) is not None:
            params["cobertura_max"] = maximum
        area = rng.choice(["", "municipio", "distrito", "region"])
        if area:
            params[area] = rng.choice(
                {"municipio": municipios, "distrito": distritos, "region": regiones}[area]
            )
        params["grupo"] = rng.choice(["total", "65+", "0-14", "mujeres"])
        combos.append(params)
    return combos


def latency(url: str, combos: list[dict[str, object]]) -> dict[str, object]:
    """Milliseconds per ``GET /cobertura/brechas`` through the app."""
    timings = []
    # One client sends every request: lift the per-client rate limit of public routes.
    settings = Settings(database_url=url, public_requests_per_minute=10**9)
    with TestClient(create_app(settings)) as client:
        started = time.perf_counter()
        client.get("/cobertura/brechas", params=combos[0])  # reads the period's tables
        first_ms = (time.perf_counter() - started) * 1000
        for params in combos[:20]:  # warm-up: connections, plans, caches
            client.get("/cobertura/brechas", params=params)
        for params in combos:
            started = time.perf_counter()
            response = client.get("/cobertura/brechas", params=params)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
    timings.sort()
    return {
        "primera_solicitud_ms": round(first_ms, 1),
        "solicitudes": len(timings),
        "mediana_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(0.95 * len(timings)) - 1], 1),
        "max_ms": round(timings[-1], 1),
        "carga_promedio_1min": os.getloadavg()[0],
    }


def main() -> None:
    """Run the benchmark and print its summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    files = rosters(args.scale, args.seed)
    with throwaway_database() as url:
        engine = make_engine(url)
        load_state(engine, SourceFiles.discover(Settings().data_dir), "20")
        for code, path in files:
            ingest_file(engine, path, code)
        _, geocode_s = timed(lambda: geocode(engine))
        _, resolve_s = timed(lambda: resolve(engine))
        first, first_s = timed(lambda: refresh(engine))
        _, noop_s = timed(lambda: refresh(engine))
        extra = Path(files[0][1]).parent / "extra.csv"
        with Path(files[0][1]).open(encoding="utf-8") as source:
            extra.write_text("".join(source.readline() for _ in range(1001)), encoding="utf-8")
        batch = ingest_file(engine, extra, files[0][0], periodo=EXTRA_PERIOD)
        geocode(engine, batch.carga_id)
        incremental, incremental_s = timed(lambda: refresh(engine))
        with engine.connect() as conn:
            records = conn.execute(text("SELECT count(*) FROM padron.registro")).scalar_one()
            combos_rows = conn.execute(
                text("SELECT count(*) FROM analisis.combinacion")
            ).scalar_one()
            periodo = conn.execute(
                text("SELECT max(periodo) FROM analisis.refresco WHERE periodo <> :extra"),
                {"extra": EXTRA_PERIOD},
            ).scalar_one()
        result = {
            "maquina": machine(),
            "escala": args.scale,
            "registros": records,
            "filas_combinacion": combos_rows,
            "segundos": {
                "geocodificar": geocode_s,
                "resolver": resolve_s,
                "primer_refresco_con_areas": first_s,
                "refresco_sin_cambios": noop_s,
                "refresco_incremental_1000_filas": incremental_s,
            },
            "refrescados": {
                "primero": first.refrescados,  # type: ignore[attr-defined]
                "incremental": incremental.refrescados,  # type: ignore[attr-defined]
                "sin_cambios_en_incremental": incremental.sin_cambios,  # type: ignore[attr-defined]
            },
            "brechas": latency(url, filter_combinations(engine, args.requests, periodo)),
        }
    print(json.dumps({k: v for k, v in result.items() if k != "maquina"}, indent=2))
    print(f"results: {save('cobertura', result)}")


if __name__ == "__main__":
    main()
