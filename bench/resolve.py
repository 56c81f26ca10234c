"""Resolution benchmark: pairwise accuracy against ``verdad.csv``, time and peak memory, with
Splink (on DuckDB) beside ``geo.resolve`` on the same records.

    uv run python -m bench.resolve [--scale 0.05] [--sin-splink]

Generates the rosters (``bench.ingest.rosters``, cached), ingests them into a throwaway database,
exports the matching columns to Parquet, then runs in child processes (wall time, peak RSS):

- ``padron``: ``geo.resolve.resolve`` (deterministic CURP rules, then ``geo.resolve.match``);
- ``splink``: Splink 5 on DuckDB over the Parquet file, designed for this size: records sharing a
  valid CURP are linked without comparison (the CURP-exact shortcut), only pairs where at least
  one record lacks a valid CURP are scored, u is estimated on a bounded random sample and m by EM
  on two blocking rules; clusters are connected components of the links at 0.999.

Pairwise precision, recall and F1: over all pairs of records, a pair is predicted when both have
the same person id and true when ``persona_verdadera`` agrees. Results go to
``bench/out/resolve.json``; copy the table into ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import psycopg

from api.settings import REPO_ROOT
from bench.common import OUT, machine, save, throwaway_database
from bench.ingest import rosters
from geo.kernel.db import driver_url

EXPORT = """
SELECT r.id AS unique_id, c.archivo, r.folio, r.curp, r.curp_valida, r.primer_ap_norm,
       r.segundo_ap_norm, r.nombre_norm, r.fecha_nacimiento::text AS fecha_nacimiento, r.sexo,
       r.edo_nac, r.cve_mun, r.cve_loc, a.persona_id
FROM padron.registro r JOIN padron.carga c ON c.id = r.carga_id
LEFT JOIN padron.asignacion a ON a.registro_id = r.id
"""


def export(url: str, path: Path, statement: str = EXPORT) -> pl.DataFrame:
    """The matching columns (and ``persona_id``) of every record, as ``statement`` selects
    them, written to Parquet."""
    conninfo = driver_url(url)
    buffer = io.BytesIO()
    with (
        psycopg.connect(conninfo) as conn,
        conn.cursor() as cursor,
        cursor.copy(f"COPY ({statement}) TO STDOUT (FORMAT csv, HEADER)") as copy,
    ):
        for block in copy:
            buffer.write(block)
    buffer.seek(0)
    frame = pl.read_csv(buffer, infer_schema=False).with_columns(
        pl.col("unique_id", "persona_id").cast(pl.Int64), pl.col("curp_valida") == "t"
    )
    frame.write_parquet(path)
    return frame


def pairwise(predicted: pl.Series, truth: pl.Series) -> dict[str, float | int]:
    """Pairwise precision, recall and F1 of a clustering (null = a record alone)."""
    frame = pl.DataFrame({"p": predicted, "t": truth}).with_row_index("n")
    frame = frame.with_columns(
        p=pl.when(pl.col("p").is_null()).then(-pl.col("n").cast(pl.Int64) - 1).otherwise("p")
    )

    def pairs(*by: str) -> int:
        sizes = frame.group_by(*by).len()["len"].cast(pl.Int64)
        return int((sizes * (sizes - 1) // 2).sum())

    both, predicted_pairs, true_pairs = pairs("p", "t"), pairs("p"), pairs("t")
    precision = both / predicted_pairs if predicted_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    return {
        "pares_predichos": predicted_pairs,
        "pares_verdaderos": true_pairs,
        "pares_correctos": both,
        "precision": round(precision, 6),
        "recall": round(recall, 6),
        "f1": round(2 * precision * recall / (precision + recall), 6),
    }


def in_child(*args: str) -> dict[str, object]:
    """Run ``python -m bench.resolve_child ...`` and return its JSON line."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.resolve_child", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if output.returncode != 0:
        raise RuntimeError(output.stderr[-4000:])
    return json.loads(output.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    """Run the benchmark and print a summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.05, help="fraction of the seed sizes")
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--sin-splink", action="store_true", help="only geo.resolve")
    args = parser.parse_args()
    files = rosters(args.scale, args.seed)
    folder = files[0][1].parent
    truth = pl.read_csv(
        folder / "verdad.csv",
        columns=["archivo", "folio", "persona_verdadera"],
        schema_overrides={"folio": pl.String},
    )
    results: dict[str, object] = {"maquina": machine(), "escala": args.scale}
    with throwaway_database() as url:
        from geo.ingest import ingest_file
        from geo.kernel.db import make_engine

        engine = make_engine(url)
        started = time.perf_counter()
        for code, path in files:
            ingest_file(engine, path, code)
        print(f"ingested in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        parquet = OUT / f"resolve-{args.scale}.parquet"
        OUT.mkdir(parents=True, exist_ok=True)
        export(url, parquet)
        ours = in_child("padron", url)
        records = export(url, parquet)
    labelled = records.join(truth, on=["archivo", "folio"], how="left")
    results["registros"] = labelled.height
    results["personas_verdaderas"] = labelled["persona_verdadera"].n_unique()
    results["padron"] = ours | pairwise(labelled["persona_id"], labelled["persona_verdadera"])
    print(json.dumps(results["padron"], indent=2))
    if not args.sin_splink:
        clusters = OUT / f"resolve-{args.scale}-splink.parquet"
        splink = in_child("splink", str(parquet), str(clusters))
        found = pl.read_parquet(clusters)
        joined = labelled.select("unique_id", "persona_verdadera").join(
            found, on="unique_id", how="left"
        )
        results["splink"] = splink | pairwise(joined["cluster_id"], joined["persona_verdadera"])
        print(json.dumps(results["splink"], indent=2))
    print(f"results: {save(f'resolve-{args.scale}', results)}")


if __name__ == "__main__":
    main()
