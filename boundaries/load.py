"""Load a state's reference products into the ``boundaries`` schema, all or nothing.

Every product is read and parsed before the database is touched; then one transaction replaces
the state's rows, flags spatial disagreements, derives the best marginality per locality and runs
the checks. A failed check raises :class:`DataCheckFailed` and rolls everything back, so the
previous data stay intact. Loading files whose checksums were already loaded is a no-op.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import Connection, Engine, text

from boundaries import conapo, inegi, regions
from geo.errors import DataCheckFailed, InvalidParameter

SCHEMA = "boundaries"


@dataclass(frozen=True)
class Expected:
    """Published totals of a state's products, checked after loading."""

    municipios: int
    localidades: int
    poblacion: int


EXPECTED: dict[str, Expected] = {"20": Expected(municipios=570, localidades=10_723, poblacion=4_132_148)}
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
    checksums = {name: _sha256(path) for name, path in sources.paths().items()}
    with engine.connect() as conn:
        if _already_loaded(conn, cve_ent, checksums):
            return _report(conn, cve_ent, changed=False)

    data = _read_all(sources, cve_ent)
    with engine.begin() as conn:
        _replace_state(conn, cve_ent, data)
        _run_sql(conn, "flag_spatial.sql", cve_ent=cve_ent)
        _run_sql(conn, "marginacion_mejor.sql", cve_ent=cve_ent)
        _check(conn, cve_ent, data)
        _record(conn, cve_ent, checksums, data)
        return _report(conn, cve_ent, changed=True)


def refresh_marginality(conn: Connection, cve_ent: str) -> None:
    """Recompute the best marginality per locality (after loading IML, for instance)."""
    _run_sql(conn, "marginacion_mejor.sql", cve_ent=cve_ent)


def copy_rows(conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY rows into ``boundaries.<table>``; dicts become JSON, geometries EWKB. Returns the count."""
    raw = conn.connection.driver_connection
    columns_sql = ", ".join(columns)
    count = 0
    with raw.cursor() as cursor, cursor.copy(f"COPY {SCHEMA}.{table} ({columns_sql}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(v) if isinstance(v, dict) else v for v in row])
            count += 1
    return count


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

_STATE_TABLES = {
    "estado": "cve_ent",
    "municipio": "cve_ent",
    "localidad": "cve_ent",
    "localidad_poligono": "cve_ent",
    "poblacion_edad": "left(cvegeo, 2)",
    "marginacion_municipal": "left(cvegeo, 2)",
    "marginacion_ageb": "left(cve_ageb, 2)",
}


def _replace_state(conn: Connection, cve_ent: str, data: _Data) -> None:
    for table, key in _STATE_TABLES.items():
        conn.execute(text(f"DELETE FROM {SCHEMA}.{table} WHERE {key} = :e"), {"e": cve_ent})

    if data.estado is not None:
        estado = data.estado
        copy_rows(
            conn,
            "estado",
            ["cve_ent", "nom_ent", "pob_2020", "viv_2020", "geom"],
            zip(estado.cve_ent, estado.nom_ent, estado.pob_2020, estado.viv_2020, _ewkb(estado), strict=True),
        )

    mun = data.municipios
    if data.regiones is not None:
        mun = mun.merge(data.regiones, on="cvegeo", how="left")
    else:
        mun = mun.assign(distrito=None, region=None)
    copy_rows(
        conn,
        "municipio",
        ["cvegeo", "cve_ent", "cve_mun", "nom_mun", "pob_2020", "viv_2020", "distrito", "region", "geom"],
        zip(
            mun.cvegeo, mun.cve_ent, mun.cve_mun, mun.nom_mun, mun.pob_2020, mun.viv_2020,
            _none(mun.distrito), _none(mun.region), _ewkb(mun), strict=True,
        ),
    )  # fmt: skip

    loc = data.localidades
    points = shapely.points(loc.lon.to_numpy(float), loc.lat.to_numpy(float))
    columns = ["cvegeo", "cve_ent", "cve_mun", "cve_loc", "nom_loc", "altitud", "pobtot", "pobfem",
               "pobmas", "pob0_14", "pob15_64", "pob65_mas", "indicadores"]  # fmt: skip
    copy_rows(
        conn,
        "localidad",
        [*columns, "cvegeo_mun", "fuera_de_municipio", "geom"],
        (
            (*row, row[1] + row[2], False, geom)
            for row, geom in zip(
                loc[columns].astype(object).itertuples(index=False, name=None),
                shapely.to_wkb(shapely.set_srid(points, 4326), hex=True, include_srid=True),
                strict=True,
            )
        ),
    )
    copy_rows(
        conn,
        "poblacion_edad",
        ["cvegeo", "edad_min", "edad_max", "sexo", "poblacion"],
        data.edades.astype(object).where(data.edades.notna(), None).itertuples(index=False, name=None),
    )

    if data.poligonos is not None:
        pol = data.poligonos
        copy_rows(
            conn,
            "localidad_poligono",
            ["cvegeo", "cve_ent", "cve_mun", "cve_loc", "nom_loc", "ambito", "pob_2020", "viv_2020",
             "fuera_de_municipio", "geom"],  # fmt: skip
            zip(
                pol.cvegeo, pol.cve_ent, pol.cve_mun, pol.cve_loc, _none(pol.nom_loc),
                _none(pol.ambito), pol.pob_2020, pol.viv_2020, [False] * len(pol), _ewkb(pol),
                strict=True,
            ),
        )  # fmt: skip

    for imm in data.imm:
        conn.execute(
            text(f"DELETE FROM {SCHEMA}.marginacion_municipal WHERE anio = :a AND left(cvegeo, 2) = :e"),
            {"a": int(imm.anio.iloc[0]), "e": cve_ent},
        )
        copy_rows(
            conn,
            "marginacion_municipal",
            ["cvegeo", "anio", "pob_tot", "im", "gm", "imn", "indicadores"],
            imm.itertuples(index=False, name=None),
        )
    for imu in data.imu:
        copy_rows(
            conn,
            "marginacion_ageb",
            ["cve_ageb", "cvegeo_loc", "anio", "pob_total", "im", "gm", "imn", "indicadores"],
            imu.itertuples(index=False, name=None),
        )


def _ewkb(frame: gpd.GeoDataFrame) -> list[str]:
    return list(shapely.to_wkb(shapely.set_srid(frame.geometry.values, 4326), hex=True, include_srid=True))


def _none(series: pd.Series) -> list[Any]:
    return [None if pd.isna(v) or v == "" else v for v in series]


# -- checking ----------------------------------------------------------------------------------


def _check(conn: Connection, cve_ent: str, data: _Data) -> None:
    """Run every check and raise one error listing all failures."""
    problems: list[str] = []

    def scalar(sql: str) -> int:
        return int(conn.execute(text(sql), {"e": cve_ent}).scalar_one() or 0)

    n_mun = scalar(f"SELECT count(*) FROM {SCHEMA}.municipio WHERE cve_ent = :e")
    n_loc = scalar(f"SELECT count(*) FROM {SCHEMA}.localidad WHERE cve_ent = :e")
    pob = scalar(f"SELECT sum(pobtot) FROM {SCHEMA}.localidad WHERE cve_ent = :e")
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
        problems.append(f"la suma de localidades ({pob:,}) difiere del total estatal del ITER "
                        f"({data.totales_iter['estado']:,})")  # fmt: skip
    for imm in data.imm:
        if len(imm) != n_mun:
            problems.append(f"IMM {imm.anio.iloc[0]}: {len(imm)} municipios, polígonos {n_mun}")

    for table in ("estado", "municipio", "localidad", "localidad_poligono"):
        key = "cve_ent" if table == "estado" else "cvegeo"
        foreign = scalar(f"SELECT count(*) FROM {SCHEMA}.{table} WHERE left({key}, 2) <> cve_ent")
        if foreign:
            problems.append(f"{table}: {foreign} claves no pertenecen a su entidad")
    foreign_rows = sum(
        (frame[key].str[:2] != cve_ent).sum()
        for frame, key in ((data.municipios, "cvegeo"), (data.localidades, "cvegeo"))
    )
    if foreign_rows:
        problems.append(f"{foreign_rows} filas de otra entidad en los archivos (se esperaba {cve_ent})")
    bad_keys = scalar(f"SELECT count(*) FROM {SCHEMA}.localidad WHERE cvegeo !~ '^[0-9]{{9}}$' AND cve_ent = :e")
    if bad_keys:
        problems.append(f"{bad_keys} claves de localidad no tienen 9 dígitos")
    orphans = scalar(
        f"SELECT count(*) FROM {SCHEMA}.localidad l WHERE l.cve_ent = :e AND NOT EXISTS "
        f"(SELECT 1 FROM {SCHEMA}.municipio m WHERE m.cvegeo = l.cvegeo_mun)"
    )
    if orphans:
        problems.append(f"{orphans} localidades con municipio inexistente")
    for table in ("estado", "municipio", "localidad_poligono"):
        key = "cve_ent" if table == "estado" else "cvegeo"
        invalid = scalar(
            f"SELECT count(*) FROM {SCHEMA}.{table} WHERE left({key}, 2) = :e "
            "AND (NOT ST_IsValid(geom) OR ST_IsEmpty(geom))"
        )
        if invalid:
            problems.append(f"{table}: {invalid} geometrías no válidas")
    outside = scalar(
        f"SELECT count(*) FROM {SCHEMA}.localidad WHERE cve_ent = :e AND mun_espacial IS NULL"
    )
    if outside > n_loc * 0.01:
        problems.append(f"{outside} localidades caen fuera de todos los municipios del estado")

    if problems:
        raise DataCheckFailed(
            "La carga no pasó las verificaciones y no se aplicó (los datos anteriores siguen "
            "intactos): " + "; ".join(problems) + "."
        )


# -- bookkeeping -------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _already_loaded(conn: Connection, cve_ent: str, checksums: dict[str, str]) -> bool:
    rows = conn.execute(
        text(f"SELECT producto, sha256 FROM {SCHEMA}.carga_referencia WHERE producto LIKE :p"),
        {"p": f"{cve_ent}/%"},
    ).all()
    loaded = {producto.split("/", 1)[1]: sha for producto, sha in rows}
    return loaded == checksums


def _record(conn: Connection, cve_ent: str, checksums: dict[str, str], data: _Data) -> None:
    conn.execute(
        text(f"DELETE FROM {SCHEMA}.carga_referencia WHERE producto LIKE :p"), {"p": f"{cve_ent}/%"}
    )
    now = datetime.now(UTC)
    rows = {"municipios": len(data.municipios), "iter": len(data.localidades)}
    for name, sha in checksums.items():
        conn.execute(
            text(f"INSERT INTO {SCHEMA}.carga_referencia VALUES (:p, :s, :n, :t)"),
            {"p": f"{cve_ent}/{name}", "s": sha, "n": rows.get(name, 0), "t": now},
        )


def _report(conn: Connection, cve_ent: str, changed: bool) -> LoadReport:
    counts = {
        table: int(
            conn.execute(
                text(f"SELECT count(*) FROM {SCHEMA}.{table} WHERE {key} = :e"), {"e": cve_ent}
            ).scalar_one()
        )
        for table, key in _STATE_TABLES.items()
    }
    sources = dict(
        conn.execute(
            text(
                f"SELECT fuente, count(*) FROM {SCHEMA}.marginacion_mejor "
                "WHERE left(cvegeo, 2) = :e GROUP BY fuente"
            ),
            {"e": cve_ent},
        ).all()
    )
    flagged = conn.execute(
        text(
            f"SELECT (SELECT count(*) FROM {SCHEMA}.localidad WHERE cve_ent = :e AND fuera_de_municipio),"
            f" (SELECT count(*) FROM {SCHEMA}.localidad_poligono WHERE cve_ent = :e AND fuera_de_municipio)"
        ),
        {"e": cve_ent},
    ).one()
    return LoadReport(
        cve_ent=cve_ent,
        changed=changed,
        counts=counts,
        localidades_fuera_de_municipio=int(flagged[0]),
        poligonos_fuera_de_municipio=int(flagged[1]),
        fuentes_marginacion={str(k): int(v) for k, v in sources.items()},
    )


def _run_sql(conn: Connection, name: str, **params: Any) -> None:
    script = resources.files("boundaries").joinpath("sql", name).read_text()
    for statement in (s.strip() for s in script.split(";")):
        body = "\n".join(line for line in statement.splitlines() if not line.lstrip().startswith("--"))
        if body.strip():
            conn.execute(text(body), params)
