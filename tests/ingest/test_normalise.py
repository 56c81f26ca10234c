"""The column-wise fast paths agree with the scalar reference parsers, value for value."""

from __future__ import annotations

import datetime as dt
import random

import polars as pl

from geo.ingest import PUB, PUB_FIELDS
from geo.ingest.normalise import CURP_FLAGS, _date, map_unique, normalise, validate_curps
from geo.kernel import curp
from geo.kernel import fields as nz
from tests.ingest.builders import BASE_ROW


def _curps(count: int, seed: int = 7) -> list[str | None]:
    """Valid CURPs, and the ways rosters damage them."""
    rng = random.Random(seed)
    surnames = ["HERNANDEZ", "GARCIA", "LOPEZ", "DE LA CRUZ", "NUÑEZ", "ORTIZ", "ÁLVAREZ", "UX"]
    given = ["MARIA GUADALUPE", "JOSE LUIS", "ROSA", "FRANCISCO", "ÑANDU", "J. JESUS"]
    values: list[str | None] = [None, "", "XYZ", "BAOG500302MOCTRD0", "BAOG500302MOCTRD077"]
    for _ in range(count):
        born = dt.date(1900, 1, 1) + dt.timedelta(days=rng.randrange(0, 45_000))
        value = curp.build(
            rng.choice(surnames), rng.choice([*surnames, ""]), rng.choice(given),
            born, rng.choice("HM"), rng.choice(["20", "09", "21", "07"]),
        )  # fmt: skip
        damage = rng.random()
        if damage < 0.1:  # one mistyped character
            i = rng.randrange(18)
            value = value[:i] + rng.choice(curp.ALPHABET.replace("Ñ", "")) + value[i + 1 :]
        elif damage < 0.15:
            value = value.lower()
        elif damage < 0.2:
            value = f" {value[:9]} {value[9:]} "
        elif damage < 0.25:  # impossible date
            value = value[:6] + "13" + value[8:]
        elif damage < 0.27:  # sex X, state NE
            value = (
                value[:10] + "X" + value[11:]
                if rng.random() < 0.5
                else value[:11] + "NE" + value[13:]
            )
        values.append(value)
    return values


def test_vectorised_curp_validation_matches_the_reference() -> None:
    raw = pl.Series("curp", _curps(5_000), dtype=pl.String)
    got = validate_curps(raw).to_dicts()
    for value, row in zip(raw.to_list(), got, strict=True):
        if value is None:
            assert row["curp"] is None
            continue
        reference = curp.validate(value)
        usable = "curp_formato" not in reference.flags
        expected = {
            "curp": reference.value if usable else None,
            "curp_valida": usable and not reference.flags,
            "curp_nacimiento": reference.birth_date,
            "curp_sexo": reference.sex,
            **{name: name in reference.flags for name in CURP_FLAGS},
        }
        assert row == expected, value


def test_vectorised_dates_match_the_reference() -> None:
    rng = random.Random(3)
    texts: list[str | None] = [
        None,
        "",
        "31/02/1950",
        "1950-02-30",
        "00000000",
        "2024-13-01",
        "1/2/1950",
    ]
    for _ in range(3_000):
        day = dt.date(1920, 1, 1) + dt.timedelta(days=rng.randrange(0, 38_000))
        texts.append(
            rng.choice([day.isoformat(), day.strftime("%d/%m/%Y"), day.strftime("%Y%m%d")])
        )
    series = pl.Series(texts, dtype=pl.String)
    assert _date(series).to_list() == [nz.parse_date(t) if t else None for t in texts]


def test_map_unique_parses_each_distinct_value_once() -> None:
    calls: list[str] = []

    def parse(text: str) -> int:
        calls.append(text)
        return len(text)

    result = map_unique(pl.Series(["a", "bb", "a", None, "bb"]), parse, pl.Int64())
    assert result.to_list() == [1, 2, 1, None, 2]
    assert sorted(calls) == ["a", "bb"]


def test_cells_are_cleaned_like_the_reference() -> None:
    """Trimmed, inner whitespace collapsed, no-data markers NULL."""
    names = ["  Juan   Carlos ", "N/D", "\tRosa\nMaría", "Luz\u00a0 Elena", "sin dato", "José"]
    # A column whose cells only have whitespace at their edges, and one with a single tab.
    streets = [" Juárez", "Hidalgo ", "\u00a0Morelos\u00a0", "N/D ", "Reforma", "5 de Mayo"]
    places = ["El\tCarrizal", "Centro", "Centro", "Centro", "Centro", "Centro"]
    rows = [
        {**BASE_ROW, "ID_REGISTRO": f"C{i}", "NB_NOMBRE": name, "NOMVIAL": street,
         "NOMASEN": place}
        for i, (name, street, place) in enumerate(zip(names, streets, places, strict=True))
    ]  # fmt: skip
    # Many clean rows around the messy ones, as in a real batch.
    rows += [{**BASE_ROW, "ID_REGISTRO": f"L{i}"} for i in range(50)]
    batch = pl.DataFrame(
        {f"c{i}": [row[f] for row in rows] for i, f in enumerate(PUB_FIELDS)}
    ).with_columns(fila=pl.int_range(2, len(rows) + 2, dtype=pl.Int32), bytes_nulos=False)
    got = normalise(batch, PUB.resolve(list(PUB_FIELDS)), PUB.constants, "X", None).records
    assert (
        got["nombre"].to_list() == [nz.clean_text(n) for n in names] + [BASE_ROW["NB_NOMBRE"]] * 50
    )
    assert (
        got["nomvial"].to_list() == [nz.clean_text(n) for n in streets] + [BASE_ROW["NOMVIAL"]] * 50
    )
    assert (
        got["nomasen"].to_list() == [nz.clean_text(n) for n in places] + [BASE_ROW["NOMASEN"]] * 50
    )
