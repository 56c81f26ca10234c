"""Probabilistic resolution of records without a usable CURP, on hand-made records with exact
expected outcomes: Mexican name variants join, different people never do, the review queue and
its decisions, and stable ids."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from sqlalchemy import Engine, text

from geo.ingest import ingest_file
from geo.kernel import curp
from geo.resolve import decide_review, match, resolve, review_queue
from tests.ingest.builders import RosterWriter, roster_writer

BORN = dt.date(1931, 7, 9)  # a date no other test uses: blocks stay private to this module


def row(folio: str, first: str, second: str, given: str, sex: str, **extra: str) -> dict[str, str]:
    return {
        "ID_REGISTRO": folio, "NB_CURP": extra.pop("curp", ""), "NB_PRIMER_AP": first,
        "NB_SEGUNDO_AP": second, "NB_NOMBRE": given, "FH_NACIMIENTO": BORN.isoformat(),
        "CD_SEXO": sex, "CVE_MUN": "067", "CVE_LOC": "0001", **extra,
    }  # fmt: skip


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


def test_levels_of_hand_made_pairs() -> None:
    records = pl.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "persona_id": [None, 10, None, 11],
            "curp": [None, "AAAA310709MOCXXX00", "AAAA310709MOCXXY07", "AAAA310709MOCXXY01"],
            "curp_valida": [False, True, False, True],
            "primer_ap_norm": ["LOPEZ", "LOPEZ", "DE LA CRUZ", "CRUZ"],
            "segundo_ap_norm": ["DIAZ", None, "LOPEZ", "LOPES"],
            "nombre_norm": ["MARIA GUADALUPE", "GUADALUPE", "MARIO", "MARIA"],
            "fecha_nacimiento": [BORN] * 4,
            "sexo": ["M", "M", "H", "M"],
            "edo_nac": ["OC", None, "OC", "OC"],
            "cve_mun": ["067", "067", None, "067"],
            "cve_loc": ["0001", "0002", None, "0001"],
        },
        schema=match.RECORD_SCHEMA,
    )
    frame = match.prepare(records)
    pairs = pl.DataFrame({"i": [0, 2], "j": [1, 3]}, schema={"i": pl.UInt32, "j": pl.UInt32})
    levels = match.compare(frame, pairs)

    def named(column: str) -> list[str | None]:
        return [None if v is None else match.LEVELS[column][v] for v in levels[column]]

    assert named("curp") == [None, "un_caracter"]
    assert named("apellidos") == ["falta_uno", "parecidos"]
    assert named("nombre") == ["nucleo", "distinto"]  # MARIO/MARIA: not "parecido"
    assert named("sexo") == ["igual", "distinto"]
    assert named("edo_nac") == [None, "igual"]
    assert named("lugar") == ["municipio", None]


def test_blocks_keep_every_pair_that_could_match_and_drop_strangers_born_the_same_day() -> None:
    def record(
        n: int, first: str, second: str | None, given: str, curp: str | None = None
    ) -> dict[str, object]:
        return {"id": n, "persona_id": None, "curp": curp, "curp_valida": False,
                "primer_ap_norm": first, "segundo_ap_norm": second, "nombre_norm": given,
                "fecha_nacimiento": BORN, "sexo": "M", "edo_nac": "OC", "cve_mun": "067",
                "cve_loc": "0001"}  # fmt: skip

    records = pl.DataFrame(
        [
            record(0, "LOPEZ", "DIAZ", "ROSA"),
            record(1, "DIAZ", "LOPEZ", "ROSA"),  # swapped surnames
            record(2, "LOPES", None, "ROSA"),  # surname typo, no second surname: same name
            record(3, "DIAS", "LOPEX", "ROSALBA"),  # both surnames and the name mistyped: lost
            record(4, "RUIZ", "CANO", "ELSA"),  # a stranger born the same day
            record(5, "RUIZ", "CANO", "ELSA", curp="RUCE310709MOCZNL01"),
            record(6, "PEREZ", "MORA", "ANA", curp="RUCE310709MOCZNL02"),  # whole name mistyped
        ],
        schema=match.RECORD_SCHEMA,
    )
    frame = match.prepare(records)
    pairs = match.candidate_pairs(frame, frame["i"])
    found = {tuple(sorted(p)) for p in pairs.iter_rows()}
    assert found == {(0, 1), (0, 2), (1, 2), (4, 5), (5, 6)}
    everyone_that_day = match.candidate_pairs(frame, frame["i"], match.model_blocks)
    assert everyone_that_day.height == 7 * 6 // 2


def test_a_rare_name_is_stronger_evidence_than_a_common_one_given_enough_records() -> None:
    def person(n: int, first: str, second: str, given: str) -> dict[str, object]:
        return {"id": n, "persona_id": None, "curp": None, "curp_valida": False,
                "primer_ap_norm": first, "segundo_ap_norm": second, "nombre_norm": given,
                "fecha_nacimiento": BORN, "sexo": "M", "edo_nac": "OC", "cve_mun": None,
                "cve_loc": None}  # fmt: skip

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


def test_a_registry_whose_labelled_pairs_all_match_falls_back_to_the_default_model() -> None:
    """One CURP listed many times gives matching pairs only: u cannot be counted, and a prior of
    1 made ``padron resolve`` divide by zero."""
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
            }
            for n in range(40)  # 780 matching pairs, more than MIN_LABELLED_MATCHES
        ],
        schema=match.RECORD_SCHEMA,
    )
    assert match.estimate_model(match.prepare(records)) is match.DEFAULT_MODEL
