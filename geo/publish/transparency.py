"""Public transparency: persons by program and period per municipality and locality, with
k-anonymity suppression that cannot be undone from the published totals.

Counting. Each person (resolved ``persona_id``, else the record itself) counts once per
program and period, in one place: the locality (else only the municipality) of their latest
record. So every published table is additive: a municipality is the sum of its localities plus
its "sin localidad" cell, the state the sum of its municipalities. Records whose municipality is
unknown are left out of every table.

Suppression. A cell with 1..k-1 persons is suppressed (primary). Then, in every
parent = sum(children) equation, the number of unknown cells must be 0 or at least 2; where it
is 1, the smallest published sibling is suppressed too (or the parent when there is no
sibling), until nothing changes (complementary suppression). Coverage of a suppressed cell is
suppressed with it, since population is public. Bounds from non-negativity are not considered.

No personal data is read into the results: only keys, names of places and counts.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from geo.resolve.report import DuplicatedSupport

STATE = "estado"
MUNICIPALITY = "municipio"
LOCALITY = "localidad"
LEVELS = (STATE, MUNICIPALITY, LOCALITY)
NO_LOCALITY = "sin localidad"

_COUNTS = text(
    """
    WITH asignada AS (
        SELECT DISTINCT ON (coalesce('p' || a.persona_id, 'r' || r.id), r.programa,
                            coalesce(r.periodo, ''))
               r.programa, coalesce(r.periodo, '') AS periodo,
               coalesce(u.cvegeo_mun, r.cve_ent || r.cve_mun) AS cvegeo_mun,
               u.cvegeo_loc
        FROM padron.registro r
        LEFT JOIN padron.asignacion a ON a.registro_id = r.id
        LEFT JOIN padron.ubicacion u ON u.registro_id = r.id
        ORDER BY coalesce('p' || a.persona_id, 'r' || r.id), r.programa,
                 coalesce(r.periodo, ''), r.fecha_alta DESC NULLS LAST, r.id DESC
    )
    SELECT a.programa, a.periodo, a.cvegeo_mun,
           CASE WHEN left(a.cvegeo_loc, 5) = a.cvegeo_mun THEN a.cvegeo_loc END AS cvegeo_loc,
           count(*)::int AS personas
    FROM asignada a
    JOIN boundaries.municipio m ON m.cvegeo = a.cvegeo_mun
    GROUP BY 1, 2, 3, 4
    """
)
_PLACES = text(
    """
    SELECT m.cvegeo, m.nom_mun AS nombre, m.pob_2020 AS poblacion, m.region, NULL AS cvegeo_mun,
           mm.gm AS grado_marginacion
    FROM boundaries.municipio m
    LEFT JOIN LATERAL (SELECT gm FROM boundaries.marginacion_municipal x
                       WHERE x.cvegeo = m.cvegeo ORDER BY anio DESC LIMIT 1) mm ON true
    UNION ALL
    SELECT l.cvegeo, l.nom_loc, l.pobtot, NULL, l.cvegeo_mun, mj.gm
    FROM boundaries.localidad l
    LEFT JOIN boundaries.marginacion_mejor mj ON mj.cvegeo = l.cvegeo
    """
)
_FLAGS = text(
    """
    SELECT coalesce(u.cvegeo_mun, r.cve_ent || r.cve_mun) AS cvegeo_mun, f.bandera,
           count(*)::int AS registros
    FROM padron.registro r
    LEFT JOIN padron.ubicacion u ON u.registro_id = r.id
    CROSS JOIN LATERAL unnest(r.banderas || coalesce(u.banderas, '{}')) AS f(bandera)
    JOIN boundaries.municipio m ON m.cvegeo = coalesce(u.cvegeo_mun, r.cve_ent || r.cve_mun)
    GROUP BY 1, 2
    """
)


@dataclass
class Cell:
    """One published count: a place (or a municipality's "sin localidad") in a program/period."""

    nivel: str
    clave: str
    programa: str
    periodo: str
    personas: int
    padre: str | None
    suprimida: bool = False
    hijos: list[str] = field(default_factory=list)


def suppress(cells: dict[str, Cell], k: int) -> None:
    """Primary then complementary suppression over one program/period tree (in place)."""
    for cell in cells.values():
        if 0 < cell.personas < k:
            cell.suprimida = True
    groups = [c for c in cells.values() if c.hijos]
    changed = True
    while changed:
        changed = False
        for parent in groups:
            children = [cells[h] for h in parent.hijos]
            unknown = [c for c in (parent, *children) if c.suprimida]
            if len(unknown) != 1:
                continue
            candidates = sorted(
                (c for c in children if not c.suprimida and c.personas > 0),
                key=lambda c: (c.personas, c.clave),
            )
            if candidates:
                candidates[0].suprimida = True
            elif not parent.suprimida:
                parent.suprimida = True
            else:
                continue
            changed = True


def _trees(rows: Iterable[Any]) -> dict[tuple[str, str], dict[str, Cell]]:
    """Per (program, period): state, municipality and locality cells linked parent → children."""
    trees: dict[tuple[str, str], dict[str, Cell]] = defaultdict(dict)
    for row in rows:
        tree = trees[(row.programa, row.periodo)]
        state = tree.setdefault(
            STATE, Cell(STATE, row.cvegeo_mun[:2], row.programa, row.periodo, 0, None)
        )
        mun_key = f"m{row.cvegeo_mun}"
        mun = tree.get(mun_key)
        if mun is None:
            mun = tree[mun_key] = Cell(
                MUNICIPALITY, row.cvegeo_mun, row.programa, row.periodo, 0, STATE
            )
            state.hijos.append(mun_key)
        loc_key = f"l{row.cvegeo_loc or row.cvegeo_mun + '-'}"
        loc = tree.get(loc_key)
        if loc is None:
            loc = tree[loc_key] = Cell(
                LOCALITY, row.cvegeo_loc or row.cvegeo_mun, row.programa, row.periodo, 0, mun_key
            )
            mun.hijos.append(loc_key)
        loc.personas += row.personas
        mun.personas += row.personas
        state.personas += row.personas
    return trees


@dataclass(frozen=True)
class PublicTable:
    """Every published cell, suppressed already, with the reference data of its place."""

    rows: list[dict[str, Any]]
    anomalias: list[dict[str, Any]]
    k: int


def build(conn: Connection, k: int) -> PublicTable:
    """Compute and suppress the whole publication (suppression needs the whole tree)."""
    places = {row.cvegeo: row for row in conn.execute(_PLACES)}
    rows: list[dict[str, Any]] = []
    for (programa, periodo), tree in sorted(_trees(conn.execute(_COUNTS)).items()):
        suppress(tree, k)
        for cell in tree.values():
            rows.append(_published(cell, places, programa, periodo))
    rows.sort(key=lambda r: (r["programa"], r["periodo"], LEVELS.index(r["nivel"]), r["clave"],
                             r["cvegeo_mun"] or ""))  # fmt: skip
    anomalias = [
        {
            "cvegeo_mun": row.cvegeo_mun,
            "municipio": places[row.cvegeo_mun].nombre,
            "bandera": row.bandera,
            "registros": row.registros if row.registros >= k else None,
            "suprimida": row.registros < k,
        }
        for row in conn.execute(_FLAGS)
    ]
    anomalias.sort(key=lambda r: (r["cvegeo_mun"], r["bandera"]))
    return PublicTable(rows, anomalias, k)


def _published(cell: Cell, places: dict[str, Any], programa: str, periodo: str) -> dict[str, Any]:
    place = places.get(cell.clave)
    no_locality = cell.nivel == LOCALITY and len(cell.clave) == 5
    poblacion = None if cell.nivel == STATE or no_locality or place is None else place.poblacion
    cobertura = (
        round(100 * cell.personas / poblacion, 2) if poblacion and not cell.suprimida else None
    )
    if cell.nivel == STATE:
        nombre = "Oaxaca" if cell.clave == "20" else cell.clave
    elif no_locality:
        nombre = NO_LOCALITY
    else:
        nombre = place.nombre if place is not None else cell.clave
    return {
        "nivel": cell.nivel,
        "clave": None if no_locality else cell.clave,
        "cvegeo_mun": cell.clave[:5] if cell.nivel == LOCALITY else None,
        "nombre": nombre,
        "programa": programa,
        "periodo": periodo,
        "personas": None if cell.suprimida else cell.personas,
        "suprimida": cell.suprimida,
        "poblacion": poblacion,
        "cobertura_pct": cobertura,
        "grado_marginacion": None if no_locality or place is None else place.grado_marginacion,
    }


def select_rows(
    table: PublicTable,
    nivel: str | None = None,
    programa: str | None = None,
    periodo: str | None = None,
    cvegeo_mun: str | None = None,
) -> list[dict[str, Any]]:
    """Filter published rows (filters act after suppression, so they cannot weaken it)."""
    return [
        row
        for row in table.rows
        if (nivel is None or row["nivel"] == nivel)
        and (programa is None or row["programa"] == programa)
        and (periodo is None or row["periodo"] == periodo)
        and (
            cvegeo_mun is None
            or row["cvegeo_mun"] == cvegeo_mun
            or (row["nivel"] == MUNICIPALITY and row["clave"] == cvegeo_mun)
        )
    ]


CSV_COLUMNS = ("nivel", "clave", "cvegeo_mun", "nombre", "programa", "periodo", "personas",
               "suprimida", "poblacion", "cobertura_pct", "grado_marginacion")  # fmt: skip


def to_csv(rows: list[dict[str, Any]]) -> str:
    """Published rows as CSV (suppressed counts empty, ``suprimida`` true)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


_GEOMETRIES = text(
    """
    SELECT cvegeo, ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, 0.002), 5) AS geojson
    FROM boundaries.municipio WHERE cvegeo = ANY(:claves)
    UNION ALL
    SELECT cvegeo, ST_AsGeoJSON(geom, 6) FROM boundaries.localidad WHERE cvegeo = ANY(:claves)
    """
)


def geometries(conn: Connection, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Published geometry per place key: INEGI's locality point or a simplified municipality."""
    keys = sorted({row["clave"] for row in rows if row["clave"] and row["nivel"] != STATE})
    return {r.cvegeo: json.loads(r.geojson) for r in conn.execute(_GEOMETRIES, {"claves": keys})}


def to_geojson(rows: list[dict[str, Any]], shapes: dict[str, Any]) -> dict[str, Any]:
    """A FeatureCollection; rows without a place of their own ("sin localidad") have no geometry."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": shapes.get(row["clave"]) if row["clave"] else None,
                "properties": row,
            }
            for row in rows
        ],
    }


def to_geopackage(rows: list[dict[str, Any]], shapes: dict[str, Any]) -> bytes:
    """A GeoPackage (EPSG:4326) written with geopandas/pyogrio to a temporary file."""
    import geopandas as gpd
    from shapely.geometry import shape

    frame = gpd.GeoDataFrame(
        [{column: row[column] for column in CSV_COLUMNS} for row in rows],
        geometry=[shape(shapes[row["clave"]]) if row["clave"] in shapes else None for row in rows],
        crs="EPSG:4326",
    )
    with tempfile.TemporaryDirectory(prefix="padron-gpkg-") as folder:
        path = Path(folder) / "transparencia.gpkg"
        frame.to_file(path, layer="transparencia", driver="GPKG", engine="pyogrio")
        return path.read_bytes()


def published_duplicated_support(report: DuplicatedSupport, k: int) -> dict[str, object]:
    """The report as the public sees it: municipal counts under ``k`` persons are suppressed
    (``None``), with complementary suppression so that none can be recovered from the others
    and their total."""
    counts = report.varios_programas_por_municipio
    cells = {m: Cell("municipio", m, "", "", n, "estado") for m, n in counts.items()}
    cells["estado"] = Cell("estado", "estado", "", "", sum(counts.values()), None, hijos=[*counts])
    suppress(cells, k)
    published = report.as_dict()
    published["varios_programas_por_municipio"] = {
        m: None if cells[m].suprimida else n for m, n in counts.items()
    }
    return published
