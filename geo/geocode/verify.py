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
from geo.kernel.db import DriverQuery, driver_statement
from geo.kernel.errors import InvalidParameter

_KEY = re.compile(r"^\d{5}(\d{4})?$")


def verify_point(
    conn: Connection, lon: float, lat: float, cvegeo: str | None = None, nearest: int = 5
) -> dict[str, Any]:
    """Municipality and locality polygon containing the point, the nearest localities, flags,
    and, with ``cvegeo`` (5 or 9 digits), whether the point agrees with that declared place."""
    built = verification_query(lon, lat, cvegeo, nearest)
    found = conn.exec_driver_sql(built.statement, built.params).scalar_one() if built else None
    return verdict(lon, lat, cvegeo, found)


def verification_query(
    lon: float, lat: float, cvegeo: str | None, nearest: int
) -> DriverQuery | None:
    """The one statement that looks the point up (``verify_point.sql``), in the driver's own
    placeholders so that the API runs it on its asynchronous pool; None for (0, 0), which needs
    no lookup. Refuses parameters no lookup could answer."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise InvalidParameter("Las coordenadas deben ser números finitos.")
    if cvegeo is not None and not _KEY.match(cvegeo):
        raise InvalidParameter(
            f"Clave no válida: {cvegeo!r}; use 5 dígitos (municipio) o 9 (localidad)."
        )
    if not 1 <= nearest <= 20:
        raise InvalidParameter("El número de localidades cercanas debe estar entre 1 y 20.")
    if lon == 0 and lat == 0:
        return None
    params: dict[str, object] = {"lon": lon, "lat": lat, "cvegeo": cvegeo, "n": nearest}
    params |= {"radio": RURAL_RADIUS_M, "margen": URBAN_MARGIN_M}
    return DriverQuery(driver_statement("geo.geocode", "verify_point.sql"), params)


def verdict(
    lon: float, lat: float, cvegeo: str | None, found: dict[str, Any] | None
) -> dict[str, Any]:
    """The answer from what :func:`verification_query` found (None when it ran no lookup)."""
    flags: list[str] = []
    result: dict[str, Any] = {"lon": lon, "lat": lat, "municipio": None, "localidad_poligono": None,
                              "cercanas": [], "declarada": None, "banderas": flags}  # fmt: skip
    if found is None:
        flags.append("coord_cero")
        return result
    if abs(lon) > 180 or abs(lat) > 90:
        flags.append("coord_fuera_de_rango")
        if abs(lat) <= 180 and abs(lon) <= 90 and found["invertida"]:
            flags.append("coord_invertida_probable")
        return result
    if found["cvegeo"] is None:
        flags.append("coord_fuera_de_oaxaca")
        if found["con_signo"]:
            flags.append("coord_signo_probable")
        elif found["invertida"]:
            flags.append("coord_invertida_probable")
    else:
        result["municipio"] = {"cvegeo": found["cvegeo"], "nombre": found["nom_mun"]}
    if found["poligono"]:
        result["localidad_poligono"] = found["poligono"]
    result["cercanas"] = found["cercanas"]
    if cvegeo:
        result["declarada"] = _declared(cvegeo, found["declarada"], flags)
    return result


def _declared(cvegeo: str, place: dict[str, Any] | None, flags: list[str]) -> dict[str, Any]:
    locality = len(cvegeo) == 9
    if place is None:
        raise InvalidParameter(
            f"No existe {'la localidad' if locality else 'el municipio'} {cvegeo}."
        )
    place["coincide"] = bool(place["coincide"])
    if not place["coincide"]:
        flags.append("coord_lejos_de_localidad" if locality else "coord_fuera_de_municipio")
    return place
