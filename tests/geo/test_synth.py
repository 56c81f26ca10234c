"""Synthetic rosters: deterministic, faithful to their ground truth, placed by census population."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import pytest

from geo import curp
from geo import normalize as nz
from geo.synth import ProgramSpec, SynthConfig, generate
from tests.conftest import DATA_DIR

SMALL = SynthConfig(
    seed=11,
    programs=(
        ProgramSpec("ESTATAL", 6_000, "2016", 18, 90, "1500.00", "utf-8", ","),
        ProgramSpec("FEDERAL", 8_000, "2016", 65, 100, "1160.00", "cp1252", "|"),
    ),
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    generate(DATA_DIR, out, SMALL)
    return out


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes(generated: Path, tmp_path: Path) -> None:
    generate(DATA_DIR, tmp_path, SMALL)
    assert digest(tmp_path) == digest(generated)


def test_encodings_delimiters_and_row_counts(generated: Path) -> None:
    state = pl.read_csv(generated / "padron_estatal.csv", infer_schema=False)
    federal = pl.read_csv(
        generated / "padron_federal.csv", separator="|", encoding="cp1252", infer_schema=False
    )
    assert (state.height, federal.height) == (6_000, 8_000)
    with pytest.raises(UnicodeDecodeError):
        (generated / "padron_federal.csv").read_bytes().decode("utf-8")


def test_ground_truth_matches_the_rows(generated: Path) -> None:
    truth = pl.read_csv(generated / "verdad.csv", infer_schema=False).with_columns(
        pl.col("errores").fill_null("")
    )
    roster = pl.read_csv(generated / "padron_estatal.csv", infer_schema=False)
    mine = truth.filter(pl.col("archivo") == "padron_estatal.csv")
    assert mine["folio"].to_list() == roster["ID_REGISTRO"].to_list()
    rows = roster.join(mine, left_on="ID_REGISTRO", right_on="folio")
    for row in rows.iter_rows(named=True):
        errors = set(row["errores"].split(";")) - {""}
        received = row["NB_CURP"] or ""
        if "curp_faltante" in errors:
            assert received == ""
        elif "curp_error_tipeo" in errors:
            assert received != row["curp_verdadera"] and len(received) == 18
        elif "curp_minusculas" in errors:
            assert received == row["curp_verdadera"].lower()
        else:
            assert received == row["curp_verdadera"]
            assert curp.validate(received).flags == ()
        if "coord_faltante" in errors:
            assert row["LONGITUD"] is None
        elif not errors & {"coord_invertida", "coord_signo", "coord_cero", "coord_otro_municipio",
                           "coord_coma_decimal", "coord_dms"}:  # fmt: skip
            assert float(row["LONGITUD"]) == pytest.approx(float(row["lon_verdadera"]), abs=1e-6)
        if "coord_signo" in errors:
            assert (nz.parse_coordinate(row["LONGITUD"]) or 0) > 0
        if "claves_faltantes" in errors:
            assert row["CVE_MUN"] is None
        elif "claves_sin_ceros" not in errors:
            assert row["CVE_ENT"] + row["CVE_MUN"] + row["CVE_LOC"] == row["cvegeo_verdadero"]


def test_people_shared_between_programs_and_repeated_within(generated: Path) -> None:
    truth = pl.read_csv(generated / "verdad.csv", infer_schema=False)
    by_file = truth.group_by("archivo").agg(pl.col("persona_verdadera").unique())
    persons = dict(zip(by_file["archivo"], by_file["persona_verdadera"].to_list(), strict=True))
    shared = set(persons["padron_estatal.csv"]) & set(persons["padron_federal.csv"])
    assert 0.25 < len(shared) / len(persons["padron_federal.csv"]) < 0.45
    repeats = truth.filter(pl.col("errores").str.contains("duplicado_interno")).height
    assert 0.005 < repeats / truth.height < 0.03


def test_people_are_placed_in_proportion_to_population(generated: Path) -> None:
    truth = pl.read_csv(generated / "verdad.csv", infer_schema=False)
    share = truth.filter(pl.col("cvegeo_verdadero").str.starts_with("20067")).height / truth.height
    census_share = 270_955 / 4_132_148  # Oaxaca de Juárez, Censo 2020
    assert share == pytest.approx(census_share, rel=0.25)


def test_seed_sized_config_has_the_real_roster_sizes() -> None:
    config = SynthConfig.seed_sized()
    assert [p.rows for p in config.programs] == [1_598_672, 2_223_143]
    assert [p.rows for p in SynthConfig.seed_sized(0.01).programs] == [15_987, 22_231]


def test_every_person_has_a_distinct_valid_curp(tmp_path: Path) -> None:
    # Large enough for people whose names, birth date and sex coincide by chance.
    generate(
        DATA_DIR,
        tmp_path,
        SynthConfig(seed=5, programs=(ProgramSpec("UNO", 120_000, "2016", 18, 90, "1"),)),
    )
    truth = pl.read_csv(tmp_path / "verdad.csv", infer_schema=False)
    people = truth.unique("persona_verdadera")
    assert people["curp_verdadera"].n_unique() == people.height
    homonyms = truth.filter(pl.col("errores").str.contains("homonimo"))
    assert homonyms.height > 0
    assert all(curp.validate(v).flags == () for v in people["curp_verdadera"])
