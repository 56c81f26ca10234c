"""Field check of one point: where it falls, what is near, and whether it fits a declared place.

Uses the same rules and tolerances as batch geocoding (``geo/geocode/sql/geocode.sql``) so a
field worker sees the verdict the registry would give.
"""

from __future__ import annotations

import math
import re
from typing import Any

from sqlalchemy import Connection

from geo.geocode.locate import RURAL_RADIUS_M, URBAN_MARGIN_M
from geo.kernel.db import query
from geo.kernel.errors import InvalidParameter

_KEY = re.compile(r"^\d{5}(\d{4})?$")


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
    where = (
        conn.execute(
            query("geo.geocode", "point_place.sql"), {"lon": lon, "lat": lat, "n": nearest}
        )
        .mappings()
        .one()
    )
    if abs(lon) > 180 or abs(lat) > 90:
        flags.append("coord_fuera_de_rango")
        if abs(lat) <= 180 and abs(lon) <= 90 and where["invertida"]:
            flags.append("coord_invertida_probable")
        return result
    if where["cvegeo"] is None:
        flags.append("coord_fuera_de_oaxaca")
        if where["con_signo"]:
            flags.append("coord_signo_probable")
        elif where["invertida"]:
            flags.append("coord_invertida_probable")
    else:
        result["municipio"] = {"cvegeo": where["cvegeo"], "nombre": where["nom_mun"]}
    if where["poligono"]:
        result["localidad_poligono"] = where["poligono"]
    result["cercanas"] = where["cercanas"]
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
        row = conn.execute(query("geo.geocode", "declared_locality.sql"), params).mappings().first()
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
    row = conn.execute(query("geo.geocode", "declared_municipality.sql"), params).mappings().first()
    if row is None:
        raise InvalidParameter(f"No existe el municipio {cvegeo}.")
    if not row["coincide"]:
        flags.append("coord_fuera_de_municipio")
    return {"cvegeo": row["cvegeo"], "nombre": row["nom_mun"], "coincide": bool(row["coincide"])}
