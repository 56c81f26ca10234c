"""One measured resolution run, in its own process (see ``bench/resolve.py``).

python -m bench.resolve_child padron DATABASE_URL
python -m bench.resolve_child splink RECORDS.parquet CLUSTERS.parquet [SETUP] [THRESHOLDS]

``SETUP``: ``semilla`` (default), designed for the seed-size benchmark (its blocks need the
birth date and sex); or ``evaluacion`` (``bench/resolve_eval.py``), which blocks as
``../shared/DOMAIN.md`` says without needing sex — birth date; first surname and given names;
the CURP's first ten characters — so that rosters without sex (FEBRL) or with it missing are
compared, and adds the postal code to the place. ``THRESHOLDS``: comma-separated match
probabilities; the clusters file gets a ``cluster_<t>`` column for each (``cluster_id`` is the
first).
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from bench.common import OUT, peak_rss_mb


def padron(url: str) -> dict[str, object]:
    from geo.kernel.db import make_engine
    from geo.resolve import match, resolve

    # Candidate pairs of each blocking (pending records; late CURPs; the model's EM, if any).
    found: list[int] = []
    blocking = match.candidate_pairs

    def counted(*args: Any, **kwargs: Any) -> Any:
        pairs = blocking(*args, **kwargs)
        found.append(pairs.height)
        return pairs

    match.candidate_pairs = counted  # type: ignore[assignment]
    report = resolve(make_engine(url))
    return {"personas": report.personas, "sin_resolver": report.sin_resolver,
            "en_revision": report.en_revision, "pares_candidatos": found}  # fmt: skip


def splink(
    records: str, clusters: str, setup: str = "semilla", thresholds: str = "0.999"
) -> dict[str, object]:
    import duckdb
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.backends.duckdb import DuckDBAPI

    con = duckdb.connect()
    con.execute("SET memory_limit = '6GB'")
    # Spilled data goes beside the results (ignored by git), not to ./.tmp in the checkout.
    con.execute("SET temp_directory = ?", [str(OUT / "duckdb")])
    con.execute(
        "CREATE TABLE registros AS SELECT * EXCLUDE (archivo, folio, persona_id) "
        "FROM read_parquet(?)",
        [records],
    )
    db_api = DuckDBAPI(connection=con)
    # Only pairs where a record lacks a valid CURP are scored; same valid CURP = linked below.
    not_both_valid = "(NOT l.curp_valida OR NOT r.curp_valida)"
    if setup == "semilla":
        rules = [
            f"l.fecha_nacimiento = r.fecha_nacimiento AND l.sexo = r.sexo AND {not_both_valid}",
            "substr(l.fecha_nacimiento, 1, 4) = substr(r.fecha_nacimiento, 1, 4)"
            f" AND l.primer_ap_norm = r.primer_ap_norm AND l.nombre_norm = r.nombre_norm"
            f" AND {not_both_valid}",
        ]
        training = [block_on("fecha_nacimiento", "sexo"), block_on("primer_ap_norm", "nombre_norm")]
    else:
        rules = [
            f"l.fecha_nacimiento = r.fecha_nacimiento AND {not_both_valid}",
            f"l.primer_ap_norm = r.primer_ap_norm AND l.nombre_norm = r.nombre_norm"
            f" AND {not_both_valid}",
            f"substr(l.curp, 1, 10) = substr(r.curp, 1, 10) AND {not_both_valid}",
        ]
        training = [block_on("fecha_nacimiento"), block_on("primer_ap_norm", "nombre_norm")]
    place_levels = [
        {"sql_condition": "(cve_mun_l IS NULL OR cve_mun_r IS NULL)"
                          " AND (cp_l IS NULL OR cp_r IS NULL)", "is_null_level": True},
        {"sql_condition": "cve_mun_l = cve_mun_r AND cve_loc_l = cve_loc_r",
         "label_for_charts": "localidad"},
        {"sql_condition": "cve_mun_l = cve_mun_r", "label_for_charts": "municipio"},
        {"sql_condition": "cp_l = cp_r", "label_for_charts": "código postal"},
        {"sql_condition": "ELSE", "label_for_charts": "distinto"},
    ]  # fmt: skip
    if setup == "semilla":
        place_levels = [
            {"sql_condition": "cve_mun_l IS NULL OR cve_mun_r IS NULL", "is_null_level": True},
            *place_levels[1:3],
            place_levels[4],
        ]
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=rules,
        comparisons=[
            cl.CustomComparison(
                output_column_name="curp",
                comparison_levels=[
                    {"sql_condition": "curp_l IS NULL OR curp_r IS NULL", "is_null_level": True},
                    {"sql_condition": "curp_l = curp_r", "label_for_charts": "igual"},
                    {"sql_condition": "curp_valida_l AND curp_valida_r",
                     "label_for_charts": "dos CURP válidas distintas"},
                    {"sql_condition": "levenshtein(curp_l, curp_r) <= 1",
                     "label_for_charts": "un carácter"},
                    {"sql_condition": "levenshtein(curp_l, curp_r) <= 2",
                     "label_for_charts": "dos caracteres"},
                    {"sql_condition": "ELSE", "label_for_charts": "distinta"},
                ],
            ),
            cl.NameComparison("primer_ap_norm").configure(term_frequency_adjustments=True),
            cl.NameComparison("segundo_ap_norm"),
            cl.NameComparison("nombre_norm").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("fecha_nacimiento", input_is_string=True),
            cl.ExactMatch("sexo"),
            cl.ExactMatch("edo_nac"),
            cl.CustomComparison(output_column_name="lugar", comparison_levels=place_levels),
        ],
        retain_intermediate_calculation_columns=False,
    )  # fmt: skip
    table = db_api.register("registros")
    linker = Linker(table, settings)
    ((with_curp,),) = con.sql("SELECT count(*) FROM registros WHERE curp_valida").fetchall()
    deterministic = (
        [block_on("curp")]
        if with_curp
        else [block_on("primer_ap_norm", "nombre_norm", "fecha_nacimiento")]
    )
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.9)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=2016)
    for rule in training:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    levels = [float(t) for t in thresholds.split(",")]
    predictions = linker.inference.predict(threshold_match_probability=min(levels))
    con.register(
        "edges_splink",
        predictions.as_duckdbpyrelation().select("unique_id_l, unique_id_r, match_probability"),
    )
    import polars as pl

    result = con.sql("SELECT unique_id FROM registros").pl()
    for index, level in enumerate(levels):
        # CURP-exact shortcut: each record links to the first record with its valid CURP.
        con.execute("DROP TABLE IF EXISTS enlaces")
        con.execute(
            "CREATE TABLE enlaces AS SELECT unique_id_l, unique_id_r FROM edges_splink"
            " WHERE match_probability >= ? UNION ALL SELECT unique_id, min(unique_id)"
            " OVER (PARTITION BY curp) FROM registros WHERE curp_valida",
            [level],
        )
        components = connected_components(con).rename({"cluster_id": f"cluster_{level}"})
        result = result.join(components, on="unique_id", how="left")
        if index == 0:
            result = result.with_columns(cluster_id=pl.col(f"cluster_{level}"))
    result.write_parquet(clusters)
    return {"personas": result["cluster_id"].n_unique()}


def connected_components(con: object) -> object:
    """Components of ``enlaces`` over ``registros`` (Polars label propagation on minima)."""
    import polars as pl

    nodes = con.sql("SELECT unique_id FROM registros").pl()  # type: ignore[attr-defined]
    edges = con.sql("SELECT unique_id_l AS a, unique_id_r AS b FROM enlaces").pl()  # type: ignore[attr-defined]
    edges = pl.concat([edges, edges.select(a="b", b="a")])
    label = nodes.with_columns(cluster_id=pl.col("unique_id"))
    while True:
        spread = (
            edges.join(label, left_on="a", right_on="unique_id")
            .group_by("b")
            .agg(pl.col("cluster_id").min().alias("vecino"))
        )
        updated = label.join(spread, left_on="unique_id", right_on="b", how="left").select(
            "unique_id", cluster_id=pl.min_horizontal("cluster_id", "vecino")
        )
        if updated.equals(label):
            return label
        label = updated


def main() -> None:
    started = time.perf_counter()
    kind, *args = sys.argv[1:]
    result = padron(*args) if kind == "padron" else splink(*args)
    print(json.dumps({"segundos": round(time.perf_counter() - started, 1),
                      "rss_max_mb": round(peak_rss_mb()), **result}))  # fmt: skip


if __name__ == "__main__":
    main()
