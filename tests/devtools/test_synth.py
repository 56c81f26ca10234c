"""Synthetic rosters: deterministic, faithful to their ground truth, placed by census population.

No database: run with ``--noconftest`` if the shared conftest needs one.
"""

from __future__ import annotations

import hashlib
import math
import os
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from openpyxl import load_workbook

from devtools.synth import (
    COLUMNS,
    ERRORS,
    GIVEN_NAMES,
    SURNAMES,
    TRUTH_COLUMNS,
    Benefit,
    ProgramSpec,
    SynthConfig,
    _split,
    generate,
)
from geo.kernel import curp
from geo.kernel import fields as nz
from geo.kernel.errors import InvalidParameter
from tests.progress import Recorder

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("PADRON_DATA_DIR", REPO_ROOT.parent / "shared" / "data"))

STATE = ProgramSpec(
    "ESTATAL",
    2_000,
    (
        Benefit("EST-AM", "ADULTOS MAYORES", 0.4, 65, 100, 600.0),
        Benefit("EST-MJ", "MUJERES", 0.4, 18, 64, 1_000.0, "M"),
        Benefit("EST-BE", "BECAS", 0.2, 6, 17, 400.0),
    ),
    periods=("2015", "2016"),
    encoding="utf-8-sig",
    delimiter=";",
    shuffle_columns=True,
)
FEDERAL = ProgramSpec(
    "FEDERAL",
    2_500,
    (
        Benefit("PAM", "PENSION ADULTOS MAYORES", 0.3, 65, 100, 1_160.0),
        Benefit("PROSPERA", "PROSPERA", 0.7, 0, 64, 850.0),
    ),
    encoding="cp1252",
    delimiter="\t",
)
WORKBOOK = ProgramSpec(
    "LIBRO", 300, (Benefit("JOV", "JOVENES", 1.0, 18, 29, 2_400.0, "H"),), xlsx=True
)
SMALL = SynthConfig(
    seed=11, programs=(STATE, FEDERAL, WORKBOOK), rates={"homonimo": 0.03}, chunk_rows=1_000
)
READ = {STATE.file_name: STATE, FEDERAL.file_name: FEDERAL}


@pytest.fixture(scope="module")
def generation(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Recorder]:
    out, recorder = tmp_path_factory.mktemp("synth"), Recorder()
    generate(DATA_DIR, out, SMALL, recorder)
    return out, recorder


@pytest.fixture(scope="module")
def generated(generation: tuple[Path, Recorder]) -> Path:
    return generation[0]


def read_roster(folder: Path, program: ProgramSpec) -> pl.DataFrame:
    if program.xlsx:
        sheet = load_workbook(folder / program.file_name, read_only=True).active
        assert sheet is not None
        rows = list(sheet.iter_rows(values_only=True))
        width = len(rows[0])  # trailing empty cells are not stored
        return pl.DataFrame(
            [[*r, *[None] * (width - len(r))] for r in rows[1:]],
            schema=[str(c) for c in rows[0]],
            orient="row",
        )
    return pl.read_csv(
        folder / program.file_name,
        separator=program.delimiter,
        encoding="utf8" if program.encoding.startswith("utf-8") else program.encoding,
        infer_schema=False,
    )


@pytest.fixture(scope="module")
def joined(generated: Path) -> pl.DataFrame:
    """Every roster row next to its truth row (all columns as text)."""
    truth = pl.read_csv(generated / "verdad.csv", infer_schema=False).with_columns(
        pl.col("errores").fill_null("")
    )
    parts = []
    for program in SMALL.programs:
        roster = read_roster(generated, program).select(COLUMNS)
        mine = truth.filter(pl.col("archivo") == program.file_name)
        assert mine.height == roster.height == program.rows
        parts.append(pl.concat([roster, mine], how="horizontal"))
    return pl.concat(parts)


def errors_of(row: dict[str, str]) -> set[str]:
    return set(row["errores"].split(";")) - {""}


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_progress_counts_rows_written(generation: tuple[Path, Recorder]) -> None:
    _, recorder = generation
    total = sum(p.rows for p in SMALL.programs)
    assert recorder.finished() == {"Padrones sintéticos": (total, "filas")}
    written = recorder.counts("Padrones sintéticos")
    assert written[:3] == [0, 1_000, 2_000]  # chunk by chunk (chunk_rows = 1,000)


def test_same_seed_same_bytes_other_seed_other_bytes(generated: Path, tmp_path: Path) -> None:
    generate(DATA_DIR, tmp_path / "same", SMALL)
    assert digest(tmp_path / "same") == digest(generated)
    generate(DATA_DIR, tmp_path / "other", SynthConfig(seed=12, programs=SMALL.programs))
    other = digest(tmp_path / "other")
    assert all(other[name] != value for name, value in digest(generated).items())


def test_encodings_delimiters_and_columns(generated: Path) -> None:
    state = (generated / STATE.file_name).read_bytes()
    assert state.startswith(b"\xef\xbb\xbf")
    header = state[3:].split(b"\n")[0].decode().split(";")
    assert sorted(header) == sorted(COLUMNS) and header != list(COLUMNS)
    federal = (generated / FEDERAL.file_name).read_bytes()
    assert federal.split(b"\n")[0].decode().split("\t") == list(COLUMNS)
    with pytest.raises(UnicodeDecodeError):
        federal.decode("utf-8")
    assert "Á".encode("cp1252") in federal or "Í".encode("cp1252") in federal
    book = read_roster(generated, WORKBOOK)
    assert book.columns == list(COLUMNS) and book.height == WORKBOOK.rows
    assert (generated / "verdad.csv").read_text("utf-8").split("\n")[0] == ",".join(TRUTH_COLUMNS)


def test_every_row_has_its_truth_row(generated: Path, joined: pl.DataFrame) -> None:
    assert (joined["ID_REGISTRO"] == joined["folio"]).all()
    for program in SMALL.programs:
        mine = joined.filter(pl.col("archivo") == program.file_name)
        assert mine["fila"].cast(pl.Int64).to_list() == list(range(2, program.rows + 2))
        assert mine["ID_REGISTRO"].n_unique() == program.rows
        assert (mine["CD_PROGRAMA"] == program.code).all()
        assert set(mine["PERIODO"]) == set(program.periods)
    vocabulary = set(ERRORS)
    assert all(errors_of(r) <= vocabulary for r in joined.iter_rows(named=True))


def test_curps_and_their_damage(joined: pl.DataFrame) -> None:
    seen = {"curp_faltante": 0, "curp_error_tipeo": 0, "curp_minusculas": 0}
    for row in joined.iter_rows(named=True):
        errors = errors_of(row)
        true, received = row["curp_verdadera"], row["NB_CURP"]
        assert curp.validate(true).flags == ()
        if "curp_faltante" in errors:
            assert received is None
        elif "curp_error_tipeo" in errors:
            assert "curp_check_digit" in curp.validate(received).flags
            assert sum(a != b for a, b in zip(received, true, strict=True)) == 1
        elif "curp_minusculas" in errors:
            assert received == true.lower()
        else:
            assert received == true
        seen.update({e: seen[e] + 1 for e in errors & seen.keys()})
        if "nombre_variante" not in errors:
            birth = nz.parse_date(row["FH_NACIMIENTO"])
            sex = nz.parse_sex(row["CD_SEXO"])
            assert (
                curp.agrees_with(
                    true, row["NB_PRIMER_AP"], row["NB_SEGUNDO_AP"], row["NB_NOMBRE"], birth, sex
                )
                == ()
            )
    assert all(count > 0 for count in seen.values())


def test_true_curps_are_what_geo_curp_builds(joined: pl.DataFrame) -> None:
    for row in (
        joined.filter(~pl.col("errores").str.contains("nombre_variante"))
        .head(300)
        .iter_rows(named=True)
    ):
        birth = nz.parse_date(row["FH_NACIMIENTO"])
        sex = nz.parse_sex(row["CD_SEXO"])
        assert birth is not None and sex is not None
        true = row["curp_verdadera"]
        built = curp.build(
            row["NB_PRIMER_AP"], row["NB_SEGUNDO_AP"], row["NB_NOMBRE"], birth, sex,
            row["CD_EDO_NAC"], true[16],
        )  # fmt: skip
        assert built == true


def test_coordinate_errors_are_where_they_say(joined: pl.DataFrame) -> None:
    places = pl.read_csv(
        DATA_DIR / "oaxaca_iter2020_localidades.csv",
        infer_schema=False,
        columns=["MUN", "LOC", "LON_DEC", "LAT_DEC"],
    ).filter(~pl.col("LOC").is_in(["0000", "9998", "9999"]))
    mun = places["MUN"].to_numpy()
    lon = places["LON_DEC"].cast(pl.Float64).to_numpy()
    lat = places["LAT_DEC"].cast(pl.Float64).to_numpy()
    counted = dict.fromkeys(e for e in ERRORS if e.startswith("coord_"))
    for name in counted:
        counted[name] = 0
    for row in joined.iter_rows(named=True):
        errors = errors_of(row)
        for e in errors & counted.keys():
            counted[e] = (counted[e] or 0) + 1
        lon_raw, lat_raw = row["LONGITUD"], row["LATITUD"]
        if "coord_faltante" in errors:
            assert lon_raw is None and lat_raw is None
            continue
        if "coord_cero" in errors:
            assert (lon_raw, lat_raw) == ("0", "0")
            continue
        assert ("," in lon_raw) == ("coord_coma_decimal" in errors)
        assert ("°" in lon_raw) == ("coord_dms" in errors)
        x, y = nz.parse_coordinate(lon_raw), nz.parse_coordinate(lat_raw)
        assert x is not None and y is not None
        if "coord_invertida" in errors:
            x, y = y, x
        if "coord_signo" in errors:
            assert x > 0
            x = -x
        true = (float(row["lon_verdadera"]), float(row["lat_verdadera"]))
        if "coord_otro_municipio" in errors:
            nearest = int(np.argmin(np.hypot(lon - x, lat - y)))
            assert math.hypot(lon[nearest] - x, lat[nearest] - y) < 2e-6
            assert mun[nearest] != row["cvegeo_verdadero"][2:5]
        else:
            assert x == pytest.approx(true[0], abs=1e-6) and y == pytest.approx(true[1], abs=1e-6)
            assert -98.6 < x < -93.8 and 15.6 < y < 18.7  # Oaxaca's bounding box
    assert all(count for count in counted.values())


def test_keys_and_place_names(joined: pl.DataFrame) -> None:
    for row in joined.iter_rows(named=True):
        errors = errors_of(row)
        keys = (row["CVE_ENT"], row["CVE_MUN"], row["CVE_LOC"])
        if "claves_faltantes" in errors:
            assert keys == (None, None, None)
        elif "claves_sin_ceros" in errors:
            padded = [nz.pad_key(k, w) for k, w in zip(keys, (2, 3, 4), strict=True)]
            assert "".join(p or "" for p in padded) == row["cvegeo_verdadero"]
            assert len("".join(keys)) < 9
        else:
            assert "".join(keys) == row["cvegeo_verdadero"]
    names = joined.group_by("cvegeo_verdadero").agg(
        pl.col("NOM_LOC").filter(~pl.col("errores").str.contains("nombre_lugar_variante")).unique()
    )
    assert names["NOM_LOC"].list.len().max() == 1
    varied = joined.filter(pl.col("errores").str.contains("nombre_lugar_variante"))
    plain = dict(zip(names["cvegeo_verdadero"], names["NOM_LOC"].list.first(), strict=True))
    mun_names = dict(
        joined.filter(~pl.col("errores").str.contains("nombre_lugar_variante"))
        .select("cvegeo_verdadero", "NOM_MUN")
        .iter_rows()
    )
    for row in varied.iter_rows(named=True):
        key = row["cvegeo_verdadero"]
        if key in plain and plain[key] is not None:
            assert (row["NOM_LOC"], row["NOM_MUN"]) != (plain[key], mun_names[key])


def test_names_vary_only_where_the_truth_says(joined: pl.DataFrame) -> None:
    name = pl.concat_str(
        [pl.col(c).fill_null("") for c in ("NB_PRIMER_AP", "NB_SEGUNDO_AP", "NB_NOMBRE")],
        separator="|",
    )
    rows = joined.with_columns(name=name, varied=pl.col("errores").str.contains("nombre_variante"))
    canonical = (
        rows.filter(~pl.col("varied")).group_by("persona_verdadera").agg(pl.col("name").unique())
    )
    assert canonical["name"].list.len().max() == 1
    plain = dict(zip(canonical["persona_verdadera"], canonical["name"].list.first(), strict=True))
    varied = rows.filter(pl.col("varied"))
    compared = [r for r in varied.iter_rows(named=True) if r["persona_verdadera"] in plain]
    assert compared
    assert all(r["name"] != plain[r["persona_verdadera"]] for r in compared)
    assert varied.height / rows.height == pytest.approx(0.10, abs=4 * math.sqrt(0.09 / rows.height))


def test_ages_and_sex_fit_the_benefit(joined: pl.DataFrame) -> None:
    benefits = {b.code: b for p in SMALL.programs for b in p.benefits}
    periods = {p.code: max(p.periods) for p in SMALL.programs}
    for row in joined.iter_rows(named=True):
        benefit = benefits[row["CD_INTRAPROGRAMA"]]
        birth = nz.parse_date(row["FH_NACIMIENTO"])
        assert birth is not None
        age = int(periods[row["CD_PROGRAMA"]]) - birth.year
        assert benefit.min_age <= age <= benefit.max_age
        if benefit.sex:
            assert nz.parse_sex(row["CD_SEXO"]) == benefit.sex
        assert nz.parse_amount(row["NU_IMP_MONETARIO"]) == pytest.approx(benefit.amount)
        assert nz.parse_date(row["FH_ALTA"]).year == int(row["PERIODO"])  # type: ignore[union-attr]


def test_overlap_and_repeats_are_as_configured(joined: pl.DataFrame) -> None:
    persons = {
        p.file_name: set(joined.filter(pl.col("archivo") == p.file_name)["persona_verdadera"])
        for p in SMALL.programs
    }
    # Each later roster takes 35% of each benefit's distinct people from earlier rosters.
    expected = sum(
        round(c * SMALL.shared)
        for c in _split(FEDERAL.rows - round(FEDERAL.rows * 0.015), [0.3, 0.7])
    )
    assert len(persons[FEDERAL.file_name] & persons[STATE.file_name]) == expected
    for program in SMALL.programs:
        mine = joined.filter(pl.col("archivo") == program.file_name)
        repeated = mine.filter(pl.col("errores").str.contains("duplicado_interno"))
        assert repeated.height == round(program.rows * 0.015)
        assert repeated.height == mine.height - mine["persona_verdadera"].n_unique()
        first_rows = mine.filter(~pl.col("errores").str.contains("duplicado_interno"))
        assert first_rows["persona_verdadera"].n_unique() == first_rows.height


def test_homonyms_are_distinct_people_with_distinct_curps(joined: pl.DataFrame) -> None:
    people = joined.unique("persona_verdadera")
    assert people["curp_verdadera"].n_unique() == people.height
    prefix = people.with_columns(p=pl.col("curp_verdadera").str.slice(0, 16))
    groups = prefix.group_by("p").agg(pl.col("persona_verdadera").n_unique().alias("n"))
    sizes = dict(zip(groups["p"], groups["n"], strict=True))
    homonyms = prefix.filter(pl.col("errores").str.contains("homonimo"))
    assert homonyms.height >= 10
    assert all(sizes[p] >= 2 for p in homonyms["p"])


def test_error_rates_are_near_their_defaults(joined: pl.DataFrame) -> None:
    n = joined.height
    for name in ("coord_faltante", "curp_faltante", "claves_faltantes", "nombre_lugar_variante"):
        rate = SMALL.rate(name)
        observed = joined["errores"].str.contains(name).mean()
        assert observed == pytest.approx(rate, abs=4 * math.sqrt(rate * (1 - rate) / n))


def test_people_are_placed_in_proportion_to_population(joined: pl.DataFrame) -> None:
    places = pl.read_csv(
        DATA_DIR / "oaxaca_iter2020_localidades.csv",
        infer_schema=False,
        columns=["MUN", "LOC", "POBTOT"],
    ).filter(~pl.col("LOC").is_in(["0000", "9998", "9999"]))
    population = places["POBTOT"].cast(pl.Int64)
    census = population.filter(places["MUN"] == "067").sum() / population.sum()
    assert census == pytest.approx(270_955 / 4_132_148, rel=0.01)  # Oaxaca de Juárez
    people = joined.unique("persona_verdadera")
    share = people["cvegeo_verdadero"].str.starts_with("20067").mean()
    assert share == pytest.approx(census, abs=3 * math.sqrt(census * (1 - census) / people.height))


def test_vocabularies() -> None:
    assert len(set(SURNAMES)) >= 150 and len(set(SURNAMES)) == len(SURNAMES)
    assert {"DE LA CRUZ", "DEL VALLE", "MUÑOZ", "NÚÑEZ", "IBÁÑEZ"} <= set(SURNAMES)
    for sex, names in GIVEN_NAMES.items():
        assert len(set(names)) >= 150 and len(set(names)) == len(names), sex
    assert {"MARÍA GUADALUPE", "FRANCISCA"} <= set(GIVEN_NAMES["M"])
    assert {"JOSÉ LUIS", "FRANCISCO"} <= set(GIVEN_NAMES["H"])


def test_seed_sized_config_has_the_real_roster_sizes() -> None:
    config = SynthConfig.seed_sized()
    assert [p.rows for p in config.programs] == [1_598_672, 2_223_143]
    assert [p.rows for p in SynthConfig.seed_sized(0.01).programs] == [15_987, 22_231]
    with pytest.raises(InvalidParameter):
        SynthConfig.seed_sized(0)


def test_invalid_configurations_are_refused(tmp_path: Path) -> None:
    for config in (
        SynthConfig(programs=(STATE, STATE)),
        SynthConfig(rates={"coord_rara": 0.1}),
        SynthConfig(programs=(ProgramSpec("X", 10, STATE.benefits, encoding="utf-16"),)),
        SynthConfig(programs=(ProgramSpec("X", 10, (Benefit("B", "B", 1, 70, 60, 1.0),)),)),
    ):
        with pytest.raises(InvalidParameter):
            generate(DATA_DIR, tmp_path, config)


def test_every_person_has_a_distinct_valid_curp_at_scale(tmp_path: Path) -> None:
    # Large enough for people whose names, birth date and sex coincide by chance.
    config = SynthConfig(
        seed=5,
        programs=(ProgramSpec("UNO", 100_000, (Benefit("A", "A", 1.0, 65, 100, 1.0),)),),
    )
    summary = generate(DATA_DIR, tmp_path, config)
    truth = pl.read_csv(tmp_path / "verdad.csv", infer_schema=False)
    people = truth.unique("persona_verdadera")
    assert people.height == summary.people
    assert people["curp_verdadera"].n_unique() == people.height
    sixteen = people["curp_verdadera"].str.slice(0, 16)
    assert sixteen.n_unique() < people.height  # some share all but the differentiator
    assert all(curp.validate(v).flags == () for v in people["curp_verdadera"])
    assert people["curp_verdadera"].str.slice(16, 1).str.contains("^[0-9]$").all()
