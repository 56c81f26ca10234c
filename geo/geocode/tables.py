"""The geocoding step's table: where each record is (``padron.ubicacion``)."""

from geoalchemy2 import Geometry
from sqlalchemy import BigInteger, Column, Float, String, Table, Text
from sqlalchemy.dialects.postgresql import ARRAY

from geo.ingest.tables import metadata

ubicacion = Table(
    "ubicacion",
    metadata,
    Column("registro_id", BigInteger, primary_key=True),
    Column("carga_id", BigInteger, nullable=False),
    Column("cvegeo_mun", String(5)),
    Column("cvegeo_loc", String(9)),
    Column("precision", Text, nullable=False),
    Column("confianza", Float, nullable=False),
    Column("banderas", ARRAY(Text), nullable=False),
    Column("geom", Geometry("POINT", 4326, spatial_index=False)),
)
"""Where each record is: final point, ``precision`` (see ``geo.geocode.PRECISIONS``), keys,
confidence and ``coord_*``/place flags. The raw values stay in ``registro``. Without a foreign
key to ``carga``, like ``asignacion``: its check ran per row, 12 % of geocoding's time (migration
0017); only ``geo.geocode`` writes here, and forgets a withdrawn batch's rows. Every statement
that writes here logs the records it touched in ``analisis.cambio`` for the coverage refresh
(one trigger per statement: ``migrations/versions/0019_cuenta_por_persona.py``)."""
