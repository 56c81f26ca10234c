"""Probabilistic resolution of records without a usable CURP, on hand-made records with exact
expected outcomes: Mexican name variants join, different people never do, the review queue and
its decisions, and stable ids."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest
from sqlalchemy import Engine, text

from geo.ingest import ingest_file
from geo.kernel import curp
from geo.resolve import decide_review, match, resolve, review_queue
from tests.ingest.builders import RosterWriter, roster_writer
from tests.resolve.builders import BORN, record, row


def valid(first: str, second: str, given: str, sex: str, homoclave: str = "0") -> str:
    return curp.build(first, second, given, BORN, sex, "20", homoclave=homoclave)


KNOWN = [
    row("K1", "Ramírez", "Cruz", "Ana", "M", curp=valid("Ramírez", "Cruz", "Ana", "M")),
    row("K2", "Santiago", "López", "Alberto", "H", curp=valid("Santiago", "López", "Alberto", "H")),
    row("K3", "Martínez", "Pérez", "María Guadalupe", "M",
        curp=valid("Martínez", "Pérez", "María Guadalupe", "M")),
    row("K4", "De la Cruz", "Santiago", "José Luis", "H",
        curp=valid("De la Cruz", "Santiago", "José Luis", "H")),
    row("K5", "Muñoz", "Núñez", "Dora", "M", curp=valid("Muñoz", "Núñez", "Dora", "M")),
    row("K6", "Hernández", "García", "Francisco", "H",
        curp=valid("Hernández", "García", "Francisco", "H")),
    # Homonyms: same names, birth date, sex and state; different CURPs and towns.
    row("K7", "Velasco", "Aquino", "Rosa", "M", curp=valid("Velasco", "Aquino", "Rosa", "M", "0")),
    row("K8", "Velasco", "Aquino", "Rosa", "M", curp=valid("Velasco", "Aquino", "Rosa", "M", "1"),
        CVE_MUN="390", CVE_LOC="0001"),
]  # fmt: skip

NEW = [
    row("N1", "CRUZ", "RAMIREZ", "ANA", "M"),  # swapped surnames
    row("N2", "Santiago", "", "Alberto", "H"),  # no second surname
    row("N3", "MARTINEZ", "PEREZ", "MA. GUADALUPE", "M"),  # MA. for MARIA
    row("N4", "CRUZ", "SANTIAGO", "J. LUIS", "H"),  # particle dropped, J. for JOSE
    row("N5", "MUNIOZ", "NU#EZ", "DORA", "M"),  # Ñ written NI and #
    row("N6", "Hernández", "García", "Francisca", "M"),  # a woman: not Francisco
    row("N7", "Velasco", "Aquino", "Rosa", "M"),  # homonym K7's town: K7
    row("N8", "Velasco", "Aquino", "Rosa", "M", CVE_MUN="", CVE_LOC=""),  # K7 or K8? review
    # Twins: same surnames, birth date and home, different names.
    row("N9", "Pérez", "López", "Juan", "H"),
    row("N10", "Pérez", "López", "Pedro", "H"),
    row("N11", "PEREZ", "LOPEZ", "JUAN", "H"),  # Juan listed twice
]


@pytest.fixture(scope="module")
def personas(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> dict[str, int | None]:
    write: RosterWriter = roster_writer(tmp_path_factory.mktemp("match"))
    ingest_file(engine, write(KNOWN, name="known.csv"), "MATK")
    ingest_file(engine, write(NEW, name="new.csv"), "MATN")
    resolve(engine, model=match.DEFAULT_MODEL)
    return current(engine)


def current(engine: Engine) -> dict[str, int | None]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT folio, persona_id FROM padron.registro r"
                " LEFT JOIN padron.asignacion a ON a.registro_id = r.id WHERE programa LIKE 'MAT%'"
            )
        ).all()
    return dict(rows)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("new", "known"),
    [("N1", "K1"), ("N2", "K2"), ("N3", "K3"), ("N4", "K4"), ("N5", "K5"), ("N7", "K7")],
    ids=["swapped", "no-second-surname", "MA.", "particle-and-J.", "enye", "homonym-by-town"],
)
def test_name_variants_join_the_known_person(
    personas: dict[str, int | None], new: str, known: str
) -> None:
    assert personas[known] is not None
    assert personas[new] == personas[known]


def test_francisca_is_not_francisco(personas: dict[str, int | None]) -> None:
    assert personas["N6"] is not None
    assert personas["N6"] != personas["K6"]


def test_homonyms_are_never_merged_and_an_undecidable_record_waits(
    engine: Engine, personas: dict[str, int | None]
) -> None:
    assert personas["K7"] != personas["K8"]
    assert personas["N8"] is None
    with engine.connect() as conn:
        queue = review_queue(conn)
    pending = [item for item in queue if item.registro["folio"] == "N8"]
    assert len(pending) == 1
    assert pending[0].candidato["folio"] in {"K7", "K8"}


def test_twins_stay_apart_and_a_repeated_listing_joins(personas: dict[str, int | None]) -> None:
    assert None not in (personas["N9"], personas["N10"])
    assert personas["N9"] != personas["N10"]
    assert personas["N11"] == personas["N9"]


def test_ids_are_stable_and_decisions_are_respected(
    engine: Engine, personas: dict[str, int | None], write_roster: RosterWriter
) -> None:
    resolve(engine, model=match.DEFAULT_MODEL)
    assert current(engine) == personas
    with engine.connect() as conn:
        (item,) = [i for i in review_queue(conn) if i.registro["folio"] == "N8"]
    other = "K8" if item.candidato["folio"] == "K7" else "K7"
    with engine.begin() as conn:
        decide_review(conn, item.id, "distinta", "prueba")
    z = write_roster([row("Z1", "Ramírez", "Cruz", "Ana", "M", CVE_LOC="0001")], name="z.csv")
    ingest_file(engine, z, "MATZ")
    resolve(engine, model=match.DEFAULT_MODEL)
    after = current(engine)
    assert after["Z1"] == personas["K1"]  # a new roster, matched against the known persons
    assert after["N8"] == personas[other]  # "different" from one homonym: the other one
    assert {k: v for k, v in after.items() if k not in ("Z1", "N8")} == {
        k: v for k, v in personas.items() if k != "N8"
    }


def test_a_same_decision_joins(engine: Engine, write_roster: RosterWriter) -> None:
    born = "1929-02-03"
    base = {"FH_NACIMIENTO": born, "CVE_MUN": "067", "CVE_LOC": "0001", "NB_CURP": ""}
    first = {**base, "ID_REGISTRO": "S1", "NB_PRIMER_AP": "Zárate", "NB_SEGUNDO_AP": "Ruiz",
             "NB_NOMBRE": "Elena", "CD_SEXO": "M"}  # fmt: skip
    second = {**first, "ID_REGISTRO": "S2", "NB_SEGUNDO_AP": "Morales"}  # one surname differs
    ingest_file(engine, write_roster([first], name="s1.csv"), "MATS")
    resolve(engine, model=match.DEFAULT_MODEL)
    ingest_file(engine, write_roster([second], name="s2.csv"), "MATT")
    resolve(engine, model=match.DEFAULT_MODEL)
    with engine.connect() as conn:
        (item,) = [i for i in review_queue(conn) if i.registro["folio"] == "S2"]
    assert item.candidato["folio"] == "S1"
    with engine.begin() as conn:
        decide_review(conn, item.id, "misma", "prueba")
    resolve(engine, model=match.DEFAULT_MODEL)
    after = current(engine)
    assert after["S2"] == after["S1"] is not None
    with engine.connect() as conn:
        assert all(i.id != item.id for i in review_queue(conn))


def levels_of(a: dict[str, object], b: dict[str, object]) -> dict[str, str | None]:
    """The level of each comparison for one hand-made pair."""
    frame = match.prepare(pl.DataFrame([a, b | {"id": 1}], schema=match.RECORD_SCHEMA))
    pair = pl.DataFrame({"i": [0], "j": [1]}, schema={"i": pl.UInt32, "j": pl.UInt32})
    row = match.compare(frame, pair).row(0, named=True)
    return {c: None if row[c] is None else match.LEVELS[c][row[c]] for c in match.LEVELS}


VALID = curp.build("LOPEZ", "DIAZ", "ROSA", BORN, "M", "20")
"""LODR310709MOCPZS0 + its check digit."""


def mistyped(value: str, position: int, char: str) -> str:
    """``value`` with one character replaced; its check digit no longer fits."""
    typed = value[:position] + char + value[position + 1 :]
    assert "curp_check_digit" in curp.validate(typed).flags
    return typed


LEVEL_CASES = [
    # (case, changes to the first record, changes to the second, {comparison: level})
    ("iguales", {}, {}, {"apellidos": "iguales", "nombre": "igual", "fecha": "igual",
                         "sexo": "igual", "edo_nac": "igual", "lugar": "localidad", "curp": None}),
    ("invertidos", {}, {"primer_ap_norm": "DIAZ", "segundo_ap_norm": "LOPEZ"},
     {"apellidos": "invertidos"}),
    ("second surname on one side only", {}, {"segundo_ap_norm": None}, {"apellidos": "falta_uno"}),
    ("BARRIOS/BARRISO: a transposition is one edit",
     {"segundo_ap_norm": "BARRIOS"}, {"segundo_ap_norm": "BARRISO"}, {"apellidos": "parecidos"}),
    ("a letter dropped", {"primer_ap_norm": "HERNANDEZ"}, {"primer_ap_norm": "HERNADEZ"},
     {"apellidos": "parecidos"}),
    ("second missing and a typo in the first", {}, {"primer_ap_norm": "LOPES", "segundo_ap_norm": None},
     {"apellidos": "parecidos"}),
    ("two edits on a long surname", {"primer_ap_norm": "HERNANDEZ"},
     {"primer_ap_norm": "HRENANDES"}, {"apellidos": "lejanos"}),
    ("a truncated surname", {"segundo_ap_norm": "CARRASCO"}, {"segundo_ap_norm": "CARRA"},
     {"apellidos": "lejanos"}),
    ("two edits on a short surname", {"primer_ap_norm": "RUIZ"}, {"primer_ap_norm": "RUSA"},
     {"apellidos": "uno_igual"}),
    ("particles and a married name", {"primer_ap_norm": "DE LA CRUZ", "segundo_ap_norm": "DIAZ"},
     {"primer_ap_norm": "CRUZ", "segundo_ap_norm": "DIAZ VDA DE PEREZ"}, {"apellidos": "iguales"}),
    ("the given name written as the first surname, and the other way round", {},
     {"primer_ap_norm": "ROSA", "nombre_norm": "LOPES"},
     {"apellidos": "parecidos", "nombre": "igual"}),
    ("ISABEL/IASBEL", {"nombre_norm": "ISABEL"}, {"nombre_norm": "IASBEL"},
     {"nombre": "parecido"}),
    ("MA. for MARIA", {"nombre_norm": "MARIA GUADALUPE"}, {"nombre_norm": "GUADALUPE"},
     {"nombre": "nucleo"}),
    ("an initial for a name", {"nombre_norm": "JOSE LUIS", "sexo": "H"},
     {"nombre_norm": "JOSE L", "sexo": "H"}, {"nombre": "contenido"}),
    ("two edits on a long given name", {"nombre_norm": "GUADALUPE"}, {"nombre_norm": "GAUDALPE"},
     {"nombre": "lejano"}),
    ("ALBERTO/ROBERTO are different names", {"nombre_norm": "ALBERTO", "sexo": "H"},
     {"nombre_norm": "ROBERTO", "sexo": "H"}, {"nombre": "distinto"}),
    ("FRANCISCO/FRANCISCA are different names", {"nombre_norm": "FRANCISCO", "sexo": "H"},
     {"nombre_norm": "FRANCISCA"}, {"nombre": "distinto", "sexo": "distinto"}),
    ("a digit", {}, {"fecha_nacimiento": dt.date(1931, 7, 8)}, {"fecha": "parecida"}),
    ("two digits swapped", {}, {"fecha_nacimiento": dt.date(1913, 7, 9)}, {"fecha": "parecida"}),
    ("day and month swapped", {}, {"fecha_nacimiento": dt.date(1931, 9, 7)}, {"fecha": "parecida"}),
    ("months apart", {}, {"fecha_nacimiento": dt.date(1930, 12, 24)}, {"fecha": "lejana"}),
    ("another date", {}, {"fecha_nacimiento": dt.date(1958, 2, 3)}, {"fecha": "distinta"}),
    ("no date, no sex: no evidence", {}, {"fecha_nacimiento": None, "sexo": None},
     {"fecha": None, "sexo": None}),
    ("same municipality", {}, {"cve_loc": "0002"}, {"lugar": "municipio"}),
    ("not placed: the postal code", {}, {"cve_mun": None, "cve_loc": None},
     {"lugar": "codigo_postal"}),
    ("not placed, other postal code", {}, {"cve_mun": None, "cp": "68050"},
     {"lugar": "otro_codigo_postal"}),
    ("another municipality", {}, {"cve_mun": "390"}, {"lugar": "distinto"}),
    ("a CURP one character off", {"curp": VALID, "curp_valida": True},
     {"curp": mistyped(VALID, 9, "8")}, {"curp": "un_caracter"}),
    ("a CURP with two characters swapped", {"curp": VALID, "curp_valida": True},
     {"curp": VALID[:5] + VALID[6] + VALID[5] + VALID[7:]}, {"curp": "un_caracter"}),
    ("a CURP with two name letters wrong: compared by its parts",
     {"curp": VALID, "curp_valida": True}, {"curp": "LUDS" + VALID[4:]}, {"curp": "partes"}),
    ("a homonym's CURP with a typo: another differentiator",
     {"curp": VALID, "curp_valida": True}, {"curp": mistyped(VALID[:16] + "1" + VALID[17], 0, "K")},
     {"curp": "distinta"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [case[1:] for case in LEVEL_CASES],
    ids=[case[0] for case in LEVEL_CASES],
)
def test_comparison_levels_of_hand_made_pairs(
    first: dict[str, object], second: dict[str, object], expected: dict[str, str | None]
) -> None:
    found = levels_of(record(0, **first), record(1, **second))
    assert {c: found[c] for c in expected} == expected


def test_a_broken_curp_lends_its_birth_date_and_sex_to_a_record_without_them() -> None:
    broken = mistyped(VALID, 17, "0" if VALID[17] != "0" else "1")
    found = levels_of(
        record(0), record(1, curp=broken, fecha_nacimiento=None, sexo=None, cve_mun=None)
    )
    assert (found["fecha"], found["sexo"]) == ("igual", "igual")


def test_blocks_compare_records_without_birth_date_or_sex_and_drop_strangers() -> None:
    elsewhere = {"cve_mun": "390", "cp": "71000"}
    records = pl.DataFrame(
        [
            record(0),
            record(1, primer_ap_norm="DIAZ", segundo_ap_norm="LOPEZ"),  # swapped surnames
            record(2, primer_ap_norm="LOPES", segundo_ap_norm=None),  # typo, no second surname
            record(3, primer_ap_norm="DIAS", segundo_ap_norm="LOPEX", nombre_norm="ROSALBA"),
            record(4, primer_ap_norm="RUIZ", segundo_ap_norm="CANO", nombre_norm="ELSA",
                   **elsewhere),
            record(5, primer_ap_norm="RUIZ", segundo_ap_norm="CANO", nombre_norm="ELSA",
                   curp="RUCE310709MOCZNL01", cve_mun="500"),
            record(6, primer_ap_norm="PEREZ", segundo_ap_norm="MORA", nombre_norm="ANA",
                   curp="RUCE310709MOCZNL02", fecha_nacimiento=None, sexo=None,
                   cve_mun="501"),  # whole name mistyped; only the CURP is left
            record(7, sexo=None),  # no sex: compared with men and women born that day
            record(8, fecha_nacimiento=dt.date(1962, 4, 1)),  # another date, same place and name
            record(9, fecha_nacimiento=None, cve_mun=None, cp=None),  # neither date nor place
            record(10, primer_ap_norm="GARCIA", segundo_ap_norm="LUNA", nombre_norm="IRMA",
                   **elsewhere),  # a stranger born the same day
        ],
        schema=match.RECORD_SCHEMA,
    )  # fmt: skip
    frame = match.prepare(records)
    found = {tuple(sorted(p)) for p in match.candidate_pairs(frame, frame["i"]).iter_rows()}
    same_day_and_place = [0, 1, 2, 3, 7]
    expected = (
        {(x, y) for x in same_day_and_place for y in same_day_and_place if x < y}
        | {(0, 8), (1, 8), (7, 8), (0, 9), (1, 9), (7, 9), (8, 9)}
        | {(4, 5), (5, 6), (4, 10)}
    )
    # 3 has every name mistyped: found because it was born the same day in the same place.
    # 8 was born decades later and 9 has neither date nor place: found by the same surnames
    # and given names, which the typo of 2 and the names of 3 do not have. 6 has only the
    # CURP, one character away from 5's. 4 and 10 are strangers born the same day in the same
    # town (compared, scored as unlike names); 10 and 5 were born in different towns.
    assert found == expected


def chain_records() -> pl.DataFrame:
    """Twins (same surnames, birth date and home, different given names) and a listing of one
    of them without given names: A–B and B–C are strong links, A–C are different people."""
    return pl.DataFrame(
        [
            record(0, nombre_norm="HILARIO", sexo="H"),
            record(1, nombre_norm=None, sexo="H"),
            record(2, nombre_norm="HUGO", sexo="H"),
        ],
        schema=match.RECORD_SCHEMA,
    )


def test_a_group_is_never_joined_through_a_chain_whose_ends_are_unlike() -> None:
    frame = match.prepare(chain_records())
    model = match.DEFAULT_MODEL.for_population(3_000)
    thresholds = match.Thresholds()
    scored = match.score(match.compare(frame, match.candidate_pairs(frame, frame["i"])), model)
    weight = {(i, j): w for i, j, w in scored.select("i", "j", "peso").iter_rows()}
    assert weight[(0, 1)] >= thresholds.match_bits and weight[(1, 2)] >= thresholds.match_bits
    unlike = scored.filter((pl.col("i") == 0) & (pl.col("j") == 2))["nombres_distintos"]
    assert unlike.to_list() == [True]  # never above the review threshold (match.decide)
    decisions = match.decide(frame, scored, thresholds, model=model)
    assert sorted(map(sorted, decisions.new)) == [[0, 1], [2]]


def resolved_in_two_arrivals(
    records: pl.DataFrame, earlier: dict[int, int], model: match.Model
) -> match.Decisions:
    """Decisions for the records not in ``earlier`` (row → person made by matching, without a
    CURP, in an earlier run), as a later run makes them."""
    persons = pl.Series([earlier.get(n) for n in range(records.height)], dtype=pl.Int64)
    frame = match.prepare(records.with_columns(persona_id=persons))
    pending = frame.filter(pl.col("persona_id").is_null())["i"]
    scored = match.score(match.compare(frame, match.candidate_pairs(frame, pending)), model)
    return match.decide(
        frame, scored, match.Thresholds(), model=model, uncertain=set(earlier.values())
    )


def test_a_later_record_meets_a_person_without_curp_as_it_would_meet_its_records() -> None:
    """Persons made by matching are groups of records that could have been pending: a later
    record is decided as it would have been had everything been resolved at once."""
    model = match.DEFAULT_MODEL.for_population(3_000)
    chain = chain_records()  # at once: [[0, 1], [2]] (HILARIO, no given name; HUGO)
    # HUGO after HILARIO and the listing without given names were made one person: he resembles
    # that listing, not HILARIO, so he is not joined through it (complete linkage).
    hugo = resolved_in_two_arrivals(chain, {0: 100, 1: 100}, model)
    assert (hugo.join, hugo.new, hugo.review) == ({}, [[2]], [])
    # The listing without given names after HILARIO and HUGO were made two persons: as strong
    # to both, it joins the strongest, as it would have been grouped at once (only a person
    # with a CURP close behind is a doubt for a human).
    listing = resolved_in_two_arrivals(chain, {0: 100, 2: 200}, model)
    assert (listing.join, listing.new, listing.review) == ({1: 100}, [], [])
    # Two listings of Rosa after another Rosa of her town born months apart (a doubt): at once
    # the two are one person and the earlier Rosa another, no one held; so they are now.
    rosas = pl.DataFrame(
        [record(0, fecha_nacimiento=dt.date(1932, 3, 1)), record(1), record(2)],
        schema=match.RECORD_SCHEMA,
    )
    both = resolved_in_two_arrivals(rosas, {0: 100}, model)
    assert (both.join, both.new, both.review) == ({}, [[1, 2]], [])


def test_names_mistyped_after_their_first_letters_are_compared_whatever_the_date(
    engine: Engine, write_roster: RosterWriter
) -> None:
    """A listing without a birth date whose first surname and given name are both mistyped
    (GASKNI KIRR for GASKIN KIRRA) shares no block key but the place and the names' first
    letters; it arrives after the person is known, so the earlier record must be loaded too."""
    born = dt.date(1926, 5, 14)
    known = {"ID_REGISTRO": "G1", "NB_PRIMER_AP": "Gaskin", "NB_SEGUNDO_AP": "Salinas",
             "NB_NOMBRE": "Kirra", "FH_NACIMIENTO": born.isoformat(), "CD_SEXO": "M",
             "CVE_MUN": "067", "CVE_LOC": "0001",
             "NB_CURP": curp.build("Gaskin", "Salinas", "Kirra", born, "M", "20")}  # fmt: skip
    later = known | {"ID_REGISTRO": "G2", "NB_PRIMER_AP": "Gaskni", "NB_NOMBRE": "Kirr",
                     "FH_NACIMIENTO": "", "NB_CURP": ""}  # fmt: skip
    ingest_file(engine, write_roster([known], name="g1.csv"), "MATG")
    resolve(engine, model=match.DEFAULT_MODEL)
    ingest_file(engine, write_roster([later], name="g2.csv"), "MATH")
    resolve(engine, model=match.DEFAULT_MODEL)
    after = current(engine)
    assert after["G2"] == after["G1"] is not None


def test_the_chain_is_split_end_to_end(engine: Engine, write_roster: RosterWriter) -> None:
    born = "1927-03-15"
    base = {"FH_NACIMIENTO": born, "CVE_MUN": "067", "CVE_LOC": "0001", "NB_CURP": "",
            "NB_PRIMER_AP": "Olivera", "NB_SEGUNDO_AP": "Matus", "CD_SEXO": "H"}  # fmt: skip
    rows = [
        {**base, "ID_REGISTRO": "C1", "NB_NOMBRE": "Hilario"},
        {**base, "ID_REGISTRO": "C2", "NB_NOMBRE": ""},
        {**base, "ID_REGISTRO": "C3", "NB_NOMBRE": "Hugo"},
    ]
    ingest_file(engine, write_roster(rows, name="cadena.csv"), "MATC")
    resolve(engine, model=match.DEFAULT_MODEL)
    after = current(engine)
    assert after["C1"] is not None and after["C3"] is not None
    assert after["C1"] != after["C3"]
    assert after["C2"] in (after["C1"], after["C3"])


def test_a_rare_name_is_stronger_evidence_than_a_common_one_given_enough_records() -> None:
    def person(n: int, first: str, second: str, given: str) -> dict[str, object]:
        return {"id": n, "persona_id": None, "curp": None, "curp_valida": False,
                "primer_ap_norm": first, "segundo_ap_norm": second, "nombre_norm": given,
                "fecha_nacimiento": BORN, "sexo": "M", "edo_nac": "OC", "cve_mun": None,
                "cve_loc": None, "cp": None}  # fmt: skip

    records = pl.DataFrame(
        [
            person(0, "TORRES", "CASTILLO", "YADIRA"),
            person(1, "TORRES", "CASTILLO", "YADIRA"),
            person(2, "LOPEZ", "CRUZ", "MARIA"),
            person(3, "LOPEZ", "CRUZ", "MARIA"),
        ],
        schema=match.RECORD_SCHEMA,
    )
    pairs = pl.DataFrame({"i": [0, 2], "j": [1, 3]}, schema={"i": pl.UInt32, "j": pl.UInt32})

    def weights(scale: int | None) -> list[float]:
        frequencies = None
        if scale is not None:
            given = {"YADIRA": 5, "MARIA": 20_000, "OTRA": 100_000}
            surnames = {"TORRES": 20, "CASTILLO": 30, "LOPEZ": 30_000, "CRUZ": 25_000,
                        "OTRO": 200_000}  # fmt: skip
            frequencies = match.NameFrequencies(
                nombres=pl.DataFrame(
                    {"sexo": "M", "nombre_norm": [*given], "n": [n * scale for n in given.values()]}
                ),
                apellidos=pl.DataFrame(
                    {"apellido": [*surnames], "n": [n * scale for n in surnames.values()]}
                ),
            )
        frame = match.prepare(records, frequencies)
        scored = match.score(match.compare(frame, pairs), match.DEFAULT_MODEL)
        return scored["peso"].to_list()

    rare, common = weights(scale=10)
    plain_rare, plain_common = weights(scale=None)
    assert plain_rare == plain_common  # the average name, without frequencies
    assert rare > plain_rare + 5 and common < plain_common
    assert weights(scale=0) == pytest.approx([plain_rare, plain_common])  # no records: no change


def test_a_registry_whose_labelled_pairs_all_match_still_gets_a_usable_model() -> None:
    """One CURP listed many times gives matching pairs only: u cannot be counted on them, and a
    prior of 1 made ``padron resolve`` divide by zero."""
    listed = curp.build("LOPEZ", "DIAZ", "ROSA", BORN, "M", "20")
    records = pl.DataFrame(
        [
            {
                "id": n,
                "persona_id": None,
                "curp": listed,
                "curp_valida": True,
                "primer_ap_norm": "LOPEZ",
                "segundo_ap_norm": "DIAZ",
                "nombre_norm": "ROSA",
                "fecha_nacimiento": BORN,
                "sexo": "M",
                "edo_nac": "OC",
                "cve_mun": "067",
                "cve_loc": "0001",
                "cp": None,
            }
            for n in range(40)  # 780 matching pairs, more than MIN_LABELLED_MATCHES
        ],
        schema=match.RECORD_SCHEMA,
    )
    model = match.estimate_model(match.prepare(records))
    assert 0 < model.prior <= 0.5 and math.isfinite(model.prior_bits())
    assert all(math.isfinite(w) for levels in model.weights().values() for w in levels.values())


def test_a_curp_listed_thousands_of_times_counts_m_on_its_first_records_only() -> None:
    """A placeholder CURP, or a row repeated: all its pairs (n²/2) once filled the memory of a
    resolution (40,000 rows of one CURP, killed at 21 GB). Other people make u countable."""
    listed = curp.build("LOPEZ", "DIAZ", "ROSA", BORN, "M", "20")
    others = [BORN + dt.timedelta(days=n) for n in range(1, 601)]
    records = pl.DataFrame(
        [record(n, curp=listed, curp_valida=True) for n in range(200)]
        + [
            record(200 + n, curp=curp.build("LOPEZ", "DIAZ", "ROSA", born, "M", "20"),
                   curp_valida=True, fecha_nacimiento=born)
            for n, born in enumerate(others)
        ],
        schema=match.RECORD_SCHEMA,
    )  # fmt: skip
    model = match.estimate_model(match.prepare(records))
    first = match.LABELLED_PER_CURP
    assert model.coincidencias_etiquetadas == first * (first - 1) // 2  # not 200 * 199 / 2


def test_a_key_that_would_make_too_many_pairs_makes_none(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten pending records sharing every key (10 × 10 pairs a key, over the cap of 20) are
    compared through no rule; three others (3 × 3 a key) still are. The ten differ in their
    state of birth, which no key reads: a placeholder's records, not copies of one row."""
    monkeypatch.setattr(match, "MAX_KEY_PAIRS", 20)
    elsewhere = {"fecha_nacimiento": dt.date(1971, 2, 3), "cve_mun": "390", "cp": "71000"}
    records = pl.DataFrame(
        [record(n, edo_nac=f"E{n}") for n in range(10)]
        + [
            record(10 + n, primer_ap_norm="RUIZ", nombre_norm="ELSA", **elsewhere) for n in range(3)
        ],
        schema=match.RECORD_SCHEMA,
    )
    frame = match.prepare(records)
    found = {tuple(sorted(p)) for p in match.candidate_pairs(frame, frame["i"]).iter_rows()}
    assert found == {(10, 11), (10, 12), (11, 12)}
