"""Field check of one point: where it falls, what is near, and whether it fits a declared place.

Uses the same rules and tolerances as batch geocoding (``geo/sql/geocode.sql``) so a field
worker sees the verdict the registry would give.
"""

from __future__ import annotations

import math
import re
from typing import Any

from sqlalchemy import Connection, text

from geo.geocode.locate import RURAL_RADIUS_M, URBAN_MARGIN_M
from geo.kernel.errors import InvalidParameter

_KEY = re.compile(r"^\d{5}(\d{4})?$")

_WHERE = text(
    """
    SELECT m.cvegeo, m.nom_mun,
           (SELECT lp.cvegeo FROM boundaries.localidad_poligono lp
            WHERE ST_Covers(lp.geom, p.g) LIMIT 1) AS poligono
    FROM (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS g) p
    LEFT JOIN LATERAL (
        SELECT mu.cvegeo, mu.nom_mun FROM boundaries.municipio_subdividido s
        JOIN boundaries.municipio mu ON mu.cvegeo = s.clave
        WHERE ST_Covers(s.geom, p.g) LIMIT 1
    ) m ON true
    """
)
_NEAREST = text(
    """
    SELECT l.cvegeo, l.nom_loc, l.cvegeo_mun, l.pobtot,
           round(ST_Distance(l.geom::geography, p.g::geography))::int AS distancia_m
    FROM (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS g) p,
         LATERAL (SELECT * FROM boundaries.localidad ORDER BY geom <-> p.g LIMIT :n) l
    ORDER BY distancia_m
    """
)
_DECLARED = text(
    """
    SELECT l.cvegeo, l.nom_loc,
           round(ST_Distance(l.geom::geography, p.g::geography))::int AS distancia_m,
           ST_DWithin(l.geom::geography, p.g::geography, :radio)
             OR coalesce(ST_DWithin(lp.geom, p.g, :margen / 111320.0), false) AS coincide
    FROM (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS g) p
    JOIN boundaries.localidad l ON l.cvegeo = :cvegeo
    LEFT JOIN boundaries.localidad_poligono lp ON lp.cvegeo = l.cvegeo
    """
)
_IN_MUNICIPALITY = text(
    """
    SELECT mu.cvegeo, mu.nom_mun, EXISTS (
        SELECT 1 FROM boundaries.municipio_subdividido s
        WHERE s.clave = mu.cvegeo
          AND ST_DWithin(s.geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :margen / 111320.0)
    ) AS coincide
    FROM boundaries.municipio mu WHERE mu.cvegeo = :cvegeo
    """
)


def verify_point(
    conn: Connection, lon: float, lat: float, cvegeo: str | None = None, nearest: int = 5
) -> dict[str, Any]:
    """Municipality and locality polygon containing the point, the nearest localities, flags,
    and, with ``cvegeo`` (5 or 9 digits), whether the point agrees with that declared place."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise InvalidParameter("Las coordenadas deben ser números finitos.")
    if cvegeo is not None and not _KEY.match(cvegeo):
        raise InvalidParameter(
            f"Clave no válida: {cvegeo!r}; use 5 dígitos (municipio) o 9 (localidad)."
        )
    if not 1 <= nearest <= 20:
        raise InvalidParameter("El número de localidades cercanas debe estar entre 1 y 20.")
    flags: list[str] = []
    result: dict[str, Any] = {"lon": lon, "lat": lat, "municipio": None, "localidad_poligono": None,
                              "cercanas": [], "declarada": None, "banderas": flags}  # fmt: skip
    if lon == 0 and lat == 0:
        flags.append("coord_cero")
        return result
    if abs(lon) > 180 or abs(lat) > 90:
        flags.append("coord_fuera_de_rango")
        if abs(lat) <= 180 and abs(lon) <= 90 and _municipality(conn, lat, lon):
            flags.append("coord_invertida_probable")
        return result
    where = conn.execute(_WHERE, {"lon": lon, "lat": lat}).mappings().one()
    if where["cvegeo"] is None:
        flags.append("coord_fuera_de_oaxaca")
        if lon > 0 and _municipality(conn, -lon, lat):
            flags.append("coord_signo_probable")
        elif _municipality(conn, lat, lon):
            flags.append("coord_invertida_probable")
    else:
        result["municipio"] = {"cvegeo": where["cvegeo"], "nombre": where["nom_mun"]}
    if where["poligono"]:
        result["localidad_poligono"] = where["poligono"]
    rows = conn.execute(_NEAREST, {"lon": lon, "lat": lat, "n": nearest}).mappings().all()
    result["cercanas"] = [dict(r) for r in rows]
    if cvegeo:
        result["declarada"] = _declared(conn, lon, lat, cvegeo, flags)
    return result


def _declared(
    conn: Connection, lon: float, lat: float, cvegeo: str, flags: list[str]
) -> dict[str, Any]:
    params = {
        "lon": lon,
        "lat": lat,
        "cvegeo": cvegeo,
        "radio": RURAL_RADIUS_M,
        "margen": URBAN_MARGIN_M,
    }
    if len(cvegeo) == 9:
        row = conn.execute(_DECLARED, params).mappings().first()
        if row is None:
            raise InvalidParameter(f"No existe la localidad {cvegeo}.")
        if not row["coincide"]:
            flags.append("coord_lejos_de_localidad")
        return {
            "cvegeo": row["cvegeo"],
            "nombre": row["nom_loc"],
            "distancia_m": row["distancia_m"],
            "coincide": bool(row["coincide"]),
        }
    row = conn.execute(_IN_MUNICIPALITY, params).mappings().first()
    if row is None:
        raise InvalidParameter(f"No existe el municipio {cvegeo}.")
    if not row["coincide"]:
        flags.append("coord_fuera_de_municipio")
    return {"cvegeo": row["cvegeo"], "nombre": row["nom_mun"], "coincide": bool(row["coincide"])}


def _municipality(conn: Connection, lon: float, lat: float) -> str | None:
    row = conn.execute(_WHERE, {"lon": lon, "lat": lat}).first()
    return row[0] if row else None
