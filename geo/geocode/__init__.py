"""Geocoding: each record placed in an INEGI municipality, locality and point, with precision."""

from geo.geocode.locate import PRECISIONS, GeocodeReport, geocode

__all__ = ["PRECISIONS", "GeocodeReport", "geocode"]
