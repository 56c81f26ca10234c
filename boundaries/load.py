"""Load a state's reference products into the ``boundaries`` schema, all or nothing.

Every product is read and parsed before the database is touched; then one transaction replaces
the state's rows, flags spatial disagreements, derives the best marginality per locality and runs
the checks. A failed check raises :class:`DataCheckFailed` and rolls everything back, so the
previous data stay intact. Loading files whose checksums were already loaded is a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Table,
    delete,
    exists,
    func,
    insert,
    select,
)

from boundaries import conapo, inegi, regions
from boundaries import tables as t
from boundaries.generalise import generalise_municipalities
from geo.kernel.checksums import sha256_of
from geo.kernel.db import copy_rows, run_sql_file
from geo.kernel.errors import DataCheckFailed, InvalidParameter

SCHEMA = "boundaries"


@dataclass(frozen=True)
class Expected:
    """Published totals of a state's products, checked after loading."""

    municipios: int
    localidades: int
    poblacion: int


EXPECTED: dict[str, Expected] = {
    "20": Expected(municipios=570, localidades=10_723, poblacion=4_132_148)
}
"""Known totals per state (Censo 2020). Other states are checked for internal consistency only."""


@dataclass(frozen=True)
class SourceFiles:
    """Where each product of one state is on disk."""

    municipios: Path
    iter: Path
    estado: Path | None = None
    localidades_poligonos: Path | None = None
    imm: tuple[Path, ...] = ()
    imu: tuple[Path, ...] = ()
    regiones: Path | None = None

    @classmethod
    def discover(cls, directory: Path) -> SourceFiles:
        """Find the products in a directory: ``../shared/data`` names or the publishers' names."""
        if not directory.is_dir():
            raise InvalidParameter(f"No existe el directorio {directory}.")

        def first(*patterns: str) -> Path | None:
            for pattern in patterns:
                found = sorted(directory.rglob(pattern))
                if found:
                    return found[0]
            return None

        def every(*patterns: str) -> tuple[Path, ...]:
            return tuple(sorted({p for pattern in patterns for p in directory.rglob(pattern)}))

        municipios = first("*_municipios.gpkg", "[0-9][0-9]mun.shp")
        iter_csv = first("*iter2020_localidades.csv", "conjunto_de_datos_iter_*CSV20.csv")
        if municipios is None or iter_csv is None:
            raise InvalidParameter(
                f"{directory}: faltan productos obligatorios: polígonos municipales "
                "(*_municipios.gpkg o NNmun.shp) y el ITER 2020 (*iter2020_localidades.csv o "
                "conjunto_de_datos_iter_NNCSV20.csv)."
            )
        return cls(
            municipios=municipios,
            iter=iter_csv,
            estado=municipios if municipios.suffix == ".gpkg" else first("[0-9][0-9]ent.shp"),
            localidades_poligonos=first("*_localidades_poligonos.gpkg", "[0-9][0-9]l.shp"),
            imm=every("*imm_*_municipios.csv", "IMM_*.csv", "IMM_*.xlsx"),
            imu=every("*imu_*_ageb_urbana.csv", "IMU_*.csv", "IMU_*.xlsx"),
            regiones=first("*regiones_distritos.csv"),
        )

    def paths(self) -> dict[str, Path]:
        """Product name → file, for checksums and reports."""
        named: dict[str, Path | None] = {
            "municipios": self.municipios,
            "iter": self.iter,
            "estado": self.estado,
            "localidades_poligonos": self.localidades_poligonos,
            "regiones": self.regiones,
        }
        named.update({f"imm:{p.name}": p for p in self.imm})
        named.update({f"imu:{p.name}": p for p in self.imu})
        return {k: v for k, v in named.items() if v is not None}


@dataclass
class LoadReport:
    """What a load did, for the CLI and the logs."""

    cve_ent: str
    changed: bool
    counts: dict[str, int] = field(default_factory=dict)
    localidades_fuera_de_municipio: int = 0
    poligonos_fuera_de_municipio: int = 0
    fuentes_marginacion: dict[str, int] = field(default_factory=dict)


def load_state(engine: Engine, sources: SourceFiles, cve_ent: str = "20") -> LoadReport:
    """Replace the reference data of state ``cve_ent`` with ``sources``, checking it first."""
    if len(cve_ent) != 2 or not cve_ent.isdigit() or not 1 <= int(cve_ent) <= 32:
        raise InvalidParameter(f"Clave de entidad no válida: {cve_ent!r}; use '01' a '32'.")
    checksums = {name: sha256_of(path) for name, path in sources.paths().items()}
    with engine.begin() as conn:
        if _already_loaded(conn, cve_ent, checksums):
            # A database loaded before the generalised copies existed gets them now.
            generalised = (t.municipio_generalizado, t.agregado_generalizado)
            if not all(conn.execute(select(exists().select_from(g))).scalar() for g in generalised):
                generalise_municipalities(conn)
            return _report(conn, cve_ent, changed=False)

    data = _read_all(sources, cve_ent)
    with engine.begin() as conn:
        _replace_state(conn, cve_ent, data)
        run_sql_file(conn, "boundaries", "flag_spatial.sql", cve_ent=cve_ent)
        run_sql_file(conn, "boundaries", "marginacion_mejor.sql", cve_ent=cve_ent)
        generalise_municipalities(conn)
        _check(conn, cve_ent, data)
        _record(conn, cve_ent, checksums, data)
        return _report(conn, cve_ent, changed=True)


def load_iml(conn: Connection, path: Path, cve_ent: str = "20") -> int:
    """Load CONAPO's locality index (IML) for one state; it becomes the preferred marginality.

    Runs in the caller's transaction. Fails when fewer than 90 % of its localities exist in the
    loaded ITER (a file of another state or vintage). Returns the number of localities loaded.
    """
    from boundaries.iml import read_iml

    frame = read_iml(path, cve_ent)
    if frame.empty:
        raise DataCheckFailed(f"{path.name}: no hay localidades de la entidad {cve_ent}.")
    known = set(
        conn.execute(select(t.localidad.c.cvegeo).where(t.localidad.c.cve_ent == cve_ent)).scalars()
    )
    matched = frame["cvegeo"].isin(known).mean()
    if matched < 0.9:
        raise DataCheckFailed(
            f"{path.name}: solo {matched:.0%} de sus localidades existen en el ITER cargado "
            f"de la entidad {cve_ent}; ¿es el archivo correcto?"
        )
    table = t.marginacion_localidad
    conn.execute(
        delete(table).where(
            _state_key(table) == cve_ent, table.c.anio.in_(frame["anio"].unique().tolist())
        )
    )
    copy_frame(conn, "marginacion_localidad", frame)
    refresh_marginality(conn, cve_ent)
    _record_product(conn, f"{cve_ent}+iml", path, len(frame))
    return len(frame)


def load_sepomex(conn: Connection, path: Path, cve_ent: str = "20") -> int:
    """Load the SEPOMEX catalogue (downloaded by the operator) for one state.

    Runs in the caller's transaction; fails if the file names a municipality the loaded
    geography does not have. Returns the number of settlements loaded.
    """
    from boundaries.sepomex import read_sepomex

    frame = read_sepomex(path, cve_ent)
    if frame.empty:
        raise DataCheckFailed(f"{path.name}: no hay asentamientos de la entidad {cve_ent}.")
    known = set(
        conn.execute(select(t.municipio.c.cvegeo).where(t.municipio.c.cve_ent == cve_ent)).scalars()
    )
    unknown = sorted(set(frame["cvegeo_mun"]) - known)
    if unknown:
        raise DataCheckFailed(
            f"{path.name}: municipios que no existen en el Marco Geoestadístico cargado: "
            f"{', '.join(unknown[:10])}."
        )
    conn.execute(
        delete(t.codigo_postal).where(func.left(t.codigo_postal.c.cvegeo_mun, 2) == cve_ent)
    )
    copy_frame(conn, "codigo_postal", frame)
    _record_product(conn, f"{cve_ent}+sepomex", path, len(frame))
    return len(frame)


def refresh_marginality(conn: Connection, cve_ent: str) -> None:
    """Recompute the best marginality per locality (after loading IML, for instance)."""
    run_sql_file(conn, "boundaries", "marginacion_mejor.sql", cve_ent=cve_ent)


def _record_product(conn: Connection, product: str, path: Path, rows: int) -> None:
    ref = t.carga_referencia
    conn.execute(delete(ref).where(ref.c.producto == product))
    conn.execute(
        insert(ref).values(
            producto=product, sha256=sha256_of(path), filas=rows, cargado_en=datetime.now(UTC)
        )
    )


# -- reading -----------------------------------------------------------------------------------


@dataclass
class _Data:
    estado: gpd.GeoDataFrame | None
    municipios: gpd.GeoDataFrame
    localidades: pd.DataFrame
    edades: pd.DataFrame
    totales_iter: dict[str, int]
    poligonos: gpd.GeoDataFrame | None
    imm: list[pd.DataFrame]
    imu: list[pd.DataFrame]
    regiones: pd.DataFrame | None


def _read_all(sources: SourceFiles, cve_ent: str) -> _Data:
    localidades, edades, totales = inegi.read_iter(sources.iter)
    missing_xy = localidades["lon"].isna() | localidades["lat"].isna()
    if missing_xy.any():
        sample = ", ".join(localidades.loc[missing_xy, "cvegeo"].head(5))
        raise DataCheckFailed(
            f"{sources.iter.name}: {int(missing_xy.sum())} localidades sin coordenadas legibles "
            f"(p. ej. {sample})."
        )
    return _Data(
        estado=inegi.read_estado(sources.estado) if sources.estado else None,
        municipios=inegi.read_municipios(sources.municipios),
        localidades=localidades,
        edades=edades,
        totales_iter=totales,
        poligonos=(
            inegi.read_localidades_poligonos(sources.localidades_poligonos)
            if sources.localidades_poligonos
            else None
        ),
        imm=[conapo.read_imm(p, cve_ent) for p in sources.imm],
        imu=[conapo.read_imu(p, cve_ent) for p in sources.imu],
        regiones=regions.read_regions(sources.regiones) if sources.regiones else None,
    )


# -- writing -----------------------------------------------------------------------------------


def _state_key(table: Table) -> ColumnElement[Any]:
    """The expression giving a row's state key in each table of the schema."""
    if "cve_ent" in table.c:
        return table.c.cve_ent
    key = table.c.cve_ageb if "cve_ageb" in table.c else table.c.cvegeo
    return func.left(key, 2)


_STATE_TABLES: tuple[Table, ...] = (
    t.estado,
    t.municipio,
    t.localidad,
    t.localidad_poligono,
    t.poblacion_edad,
    t.marginacion_municipal,
    t.marginacion_ageb,
)


def _replace_state(conn: Connection, cve_ent: str, data: _Data) -> None:
    for table in _STATE_TABLES:
        conn.execute(delete(table).where(_state_key(table) == cve_ent))

    if data.estado is not None:
        copy_frame(conn, "estado", data.estado)
    municipios = data.municipios.merge(
        data.regiones if data.regiones is not None else pd.DataFrame(columns=["cvegeo"]),
        on="cvegeo",
        how="left",
    )
    copy_frame(conn, "municipio", municipios)

    loc = data.localidades
    points = gpd.GeoSeries.from_xy(loc.lon, loc.lat, crs=4326)
    copy_frame(
        conn,
        "localidad",
        gpd.GeoDataFrame(
            loc.drop(columns=["lon", "lat"]).assign(
                cvegeo_mun=loc.cve_ent + loc.cve_mun, fuera_de_municipio=False
            ),
            geometry=points,
        ),
    )
    copy_frame(conn, "poblacion_edad", data.edades)
    if data.poligonos is not None:
        copy_frame(conn, "localidad_poligono", data.poligonos.assign(fuera_de_municipio=False))
    for imm in data.imm:
        copy_frame(conn, "marginacion_municipal", imm)
    for imu in data.imu:
        copy_frame(conn, "marginacion_ageb", imu)


def copy_frame(conn: Connection, table: str, frame: pd.DataFrame) -> int:
    """COPY the columns of ``frame`` that ``boundaries.<table>`` has; geometry goes to ``geom``.

    Missing values (NaN, NA, "") become NULL; any other column of the table must be nullable.
    """
    columns = [c.name for c in t.metadata.tables[f"{SCHEMA}.{table}"].columns]
    present = [c for c in columns if c in frame.columns and c != "geom"]
    values = frame[present].astype(object)
    values = values.where(values.notna() & (values != ""), None)
    series = [values[c] for c in present]
    if isinstance(frame, gpd.GeoDataFrame) and "geom" in columns:
        present.append("geom")
        series.append(pd.Series(_ewkb(frame), index=frame.index))
    return copy_rows(conn, SCHEMA, table, present, zip(*series, strict=True))


def _ewkb(frame: gpd.GeoDataFrame) -> list[str]:
    geometries = shapely.set_srid(frame.geometry.values, 4326)
    return list(shapely.to_wkb(geometries, hex=True, include_srid=True))


def _count(conn: Connection, cve_ent: str, table: Table, *conditions: ColumnElement[bool]) -> int:
    """Rows of ``table`` in state ``cve_ent`` that meet ``conditions``."""
    query = select(func.count()).select_from(table).where(_state_key(table) == cve_ent, *conditions)
    return int(conn.execute(query).scalar_one())


# -- checking ----------------------------------------------------------------------------------


def _check(conn: Connection, cve_ent: str, data: _Data) -> None:
    """Run every check and raise one error listing all failures."""
    problems: list[str] = []

    def count(table: Table, *conditions: ColumnElement[bool]) -> int:
        return _count(conn, cve_ent, table, *conditions)

    n_mun = count(t.municipio)
    n_loc = count(t.localidad)
    pob = int(
        conn.execute(
            select(func.coalesce(func.sum(t.localidad.c.pobtot), 0)).where(
                t.localidad.c.cve_ent == cve_ent
            )
        ).scalar_one()
    )
    expected = EXPECTED.get(cve_ent)
    if expected:
        for what, got, want in (
            ("municipios", n_mun, expected.municipios),
            ("localidades", n_loc, expected.localidades),
            ("población", pob, expected.poblacion),
        ):
            if got != want:
                problems.append(f"{what}: se cargaron {got:,}, se esperaban {want:,}")

    iter_municipios = len([k for k in data.totales_iter if k != "estado"])
    if iter_municipios and iter_municipios != n_mun:
        problems.append(f"el ITER tiene {iter_municipios} municipios y los polígonos {n_mun}")
    if data.totales_iter.get("estado") and data.totales_iter["estado"] != pob:
        problems.append(
            f"la suma de localidades ({pob:,}) difiere del total estatal del ITER "
            f"({data.totales_iter['estado']:,})"
        )
    for imm in data.imm:
        if len(imm) != n_mun:
            problems.append(f"IMM {imm.anio.iloc[0]}: {len(imm)} municipios, polígonos {n_mun}")

    foreign_rows = sum(
        int((frame["cvegeo"].str[:2] != cve_ent).sum())
        for frame in (data.municipios, data.localidades, data.poligonos)
        if frame is not None
    )
    if foreign_rows:
        problems.append(
            f"{foreign_rows} filas de otra entidad en los archivos (se esperaba {cve_ent})"
        )
    for table in (t.municipio, t.localidad, t.localidad_poligono):
        if bad := count(table, func.left(table.c.cvegeo, 2) != table.c.cve_ent):
            problems.append(f"{table.name}: {bad} claves no pertenecen a su entidad")
    orphans = count(
        t.localidad,
        ~exists().where(t.municipio.c.cvegeo == t.localidad.c.cvegeo_mun),
    )
    if orphans:
        problems.append(f"{orphans} localidades con municipio inexistente")
    for table in (t.estado, t.municipio, t.localidad_poligono):
        invalid = count(table, ~func.ST_IsValid(table.c.geom) | func.ST_IsEmpty(table.c.geom))
        if invalid:
            problems.append(f"{table.name}: {invalid} geometrías no válidas")
    if (outside := count(t.localidad, t.localidad.c.mun_espacial.is_(None))) > n_loc * 0.01:
        problems.append(f"{outside} localidades caen fuera de todos los municipios del estado")

    if problems:
        raise DataCheckFailed(
            "La carga no pasó las verificaciones y no se aplicó (los datos anteriores siguen "
            "intactos): " + "; ".join(problems) + "."
        )


# -- bookkeeping -------------------------------------------------------------------------------


def _already_loaded(conn: Connection, cve_ent: str, checksums: dict[str, str]) -> bool:
    ref = t.carga_referencia
    rows = conn.execute(
        select(ref.c.producto, ref.c.sha256).where(ref.c.producto.startswith(f"{cve_ent}/"))
    ).all()
    loaded = {producto.split("/", 1)[1]: sha for producto, sha in rows}
    return loaded == checksums


def _record(conn: Connection, cve_ent: str, checksums: dict[str, str], data: _Data) -> None:
    ref = t.carga_referencia
    conn.execute(delete(ref).where(ref.c.producto.startswith(f"{cve_ent}/")))
    now = datetime.now(UTC)
    rows = {"municipios": len(data.municipios), "iter": len(data.localidades)}
    conn.execute(
        insert(ref),
        [
            {
                "producto": f"{cve_ent}/{name}",
                "sha256": sha,
                "filas": rows.get(name, 0),
                "cargado_en": now,
            }
            for name, sha in checksums.items()
        ],
    )


def _report(conn: Connection, cve_ent: str, changed: bool) -> LoadReport:
    def count(table: Table, *conditions: ColumnElement[bool]) -> int:
        return _count(conn, cve_ent, table, *conditions)

    best = t.marginacion_mejor
    sources = conn.execute(
        select(best.c.fuente, func.count())
        .where(_state_key(best) == cve_ent)
        .group_by(best.c.fuente)
    ).all()
    return LoadReport(
        cve_ent=cve_ent,
        changed=changed,
        counts={table.name: count(table) for table in (*_STATE_TABLES, t.municipio_generalizado)},
        localidades_fuera_de_municipio=count(t.localidad, t.localidad.c.fuera_de_municipio),
        poligonos_fuera_de_municipio=count(
            t.localidad_poligono, t.localidad_poligono.c.fuera_de_municipio
        ),
        fuentes_marginacion={str(k): int(v) for k, v in sources},
    )
