"""Public transparency: k-suppression that cannot be undone from totals, and downloads."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from typing import Any

import numpy as np
import pyogrio
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from geo.publish.transparency import LOCALITY, MUNICIPALITY, STATE, Cell, build, suppress
from tests.api.acceso.conftest import AccessData


def recoverable(rows: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    """Suppressed cells whose value follows from the published ones through the additive
    equations (state = sum of municipalities, municipality = sum of its localities)."""
    found: list[tuple[str, ...]] = []
    trees: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        trees[(row["programa"], row["periodo"])].append(row)
    for tree in trees.values():
        key = {id(r): (r["nivel"], r["clave"] or f"{r['cvegeo_mun']}-") for r in tree}
        unknown = [key[id(r)] for r in tree if r["suprimida"]]
        if not unknown:
            continue
        index = {u: i for i, u in enumerate(unknown)}
        groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        parents = {}
        for r in tree:
            if r["nivel"] == STATE:
                parents[(STATE, "")] = r
            elif r["nivel"] == MUNICIPALITY:
                parents[(MUNICIPALITY, r["clave"])] = r
                groups[(STATE, "")].append(r)
            else:
                groups[(MUNICIPALITY, r["cvegeo_mun"])].append(r)
        equations = []
        for parent_key, children in groups.items():
            coefficients = np.zeros(len(unknown))
            for member, sign in ((parents[parent_key], -1.0), *((c, 1.0) for c in children)):
                if member["suprimida"]:
                    coefficients[index[key[id(member)]]] += sign
            if coefficients.any():
                equations.append(coefficients)
        matrix = np.array(equations) if equations else np.zeros((0, len(unknown)))
        rank = np.linalg.matrix_rank(matrix) if len(matrix) else 0
        for cell, i in index.items():
            probe = np.vstack([matrix, np.eye(len(unknown))[i]])
            if np.linalg.matrix_rank(probe) == rank:
                found.append((tree[0]["programa"], *cell))
    return found


def _tree(counts: dict[str, dict[str, int]]) -> dict[str, Cell]:
    cells = {"estado": Cell(STATE, "20", "P", "1", 0, None)}
    for mun, localities in counts.items():
        cells[f"m{mun}"] = Cell(MUNICIPALITY, mun, "P", "1", sum(localities.values()), "estado")
        cells["estado"].hijos.append(f"m{mun}")
        cells["estado"].personas += sum(localities.values())
        for loc, n in localities.items():
            cells[f"l{loc}"] = Cell(LOCALITY, loc, "P", "1", n, f"m{mun}")
            cells[f"m{mun}"].hijos.append(f"l{loc}")
    return cells


def _rows(cells: dict[str, Cell]) -> list[dict[str, Any]]:
    return [
        {"nivel": c.nivel, "clave": c.clave if c.nivel != STATE else "20",
         "cvegeo_mun": c.clave[:5] if c.nivel == LOCALITY else None, "programa": "P",
         "periodo": "1", "suprimida": c.suprimida}
        for c in cells.values()
    ]  # fmt: skip


HAND_MADE = {
    "20001": {"200010001": 3, "200010002": 9, "200010003": 7},
    "20002": {"200020001": 40},
    "20003": {"200030001": 12, "200030002": 20},
}


def test_primary_suppression_alone_is_recoverable() -> None:
    cells = _tree(HAND_MADE)
    cells["l200010001"].suprimida = True
    assert recoverable(_rows(cells)) == [("P", LOCALITY, "200010001")]


def test_complementary_suppression_on_a_hand_made_tree() -> None:
    cells = _tree(HAND_MADE)
    suppress(cells, 5)
    assert {c.clave for c in cells.values() if c.suprimida} == {"200010001", "200010003"}
    assert recoverable(_rows(cells)) == []


def test_a_lonely_suppressed_child_takes_its_parent_and_a_cousin() -> None:
    cells = _tree({"20001": {"200010001": 4}, "20002": {"200020001": 30},
                   "20003": {"200030001": 8}})  # fmt: skip
    suppress(cells, 5)
    assert {c.clave for c in cells.values() if c.suprimida} == {
        "200010001", "20001", "20003", "200030001"
    }  # fmt: skip
    assert recoverable(_rows(cells)) == []


def test_published_counts_with_suppression(client: TestClient, access_data: AccessData) -> None:
    response = client.get("/transparencia/conteos", params={"programa": "ACCT"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["k"] == 5
    rows = {(r["nivel"], r["clave"]): r for r in body["filas"]}
    published = {key: r["personas"] for key, r in rows.items()}
    assert published == {
        (STATE, "20"): 21,
        (MUNICIPALITY, "20067"): 12, (LOCALITY, "200670001"): 12,
        (MUNICIPALITY, "20043"): None, (LOCALITY, "200430001"): None,
        (MUNICIPALITY, "20390"): None, (LOCALITY, "203900001"): None,
    }  # fmt: skip
    oaxaca = rows[(MUNICIPALITY, "20067")]
    assert oaxaca["cobertura_pct"] == round(100 * 12 / oaxaca["poblacion"], 2)
    assert rows[(MUNICIPALITY, "20043")]["cobertura_pct"] is None
    assert rows[(LOCALITY, "200670001")]["grado_marginacion"] is not None


def test_no_suppressed_cell_of_the_whole_publication_can_be_recovered(engine: Engine,
                                                                      access_data: AccessData) -> None:  # fmt: skip
    with engine.connect() as conn:
        table = build(conn, 5)
    assert any(r["suprimida"] for r in table.rows)
    assert recoverable(table.rows) == []
    assert all(r["registros"] is None for r in table.anomalias if r["suprimida"])


def test_downloads_csv_geojson_geopackage(client: TestClient, access_data: AccessData) -> None:
    params = {"programa": "ACCT", "nivel": "localidad"}
    as_csv = client.get("/transparencia/descarga.csv", params=params)
    assert as_csv.status_code == 200 and "attachment" in as_csv.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert {(r["clave"], r["personas"], r["suprimida"]) for r in rows} == {
        ("200670001", "12", "False"), ("200430001", "", "True"), ("203900001", "", "True")
    }  # fmt: skip
    as_geojson = client.get("/transparencia/descarga.geojson", params=params)
    features = json.loads(as_geojson.text)["features"]
    assert {f["geometry"]["type"] for f in features} == {"Point"}
    as_gpkg = client.get("/transparencia/descarga.gpkg", params=params)
    assert as_gpkg.status_code == 200 and as_gpkg.content[:16] == b"SQLite format 3\x00"
    frame = pyogrio.read_dataframe(io.BytesIO(as_gpkg.content))
    assert sorted(frame["clave"]) == ["200430001", "200670001", "203900001"]
    assert frame.loc[frame["clave"] == "200430001", "personas"].isna().all()
    assert client.get("/transparencia/descarga.xlsx").status_code == 422


def test_transparency_page_is_public_and_spanish(client: TestClient) -> None:
    page = client.get("/transparencia")
    assert page.status_code == 200 and "se suprimen" in page.text and "5" in page.text


@pytest.mark.parametrize(
    "params",
    [
        {"programa": "' OR 1=1 --"},
        {"periodo": "2024'; DROP TABLE padron.registro; --"},
        {"cvegeo_mun": "20067' OR '1'='1"},
        {"nivel": "persona"},
    ],
)
def test_injection_in_filters_is_harmless(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/transparencia/conteos", params=params)
    assert response.status_code in (200, 422)
    if response.status_code == 200:
        assert response.json()["filas"] == []
