"""The geocoding step's table: where each record is (``padron.ubicacion``)."""

from geoalchemy2 import Geometry
from sqlalchemy import BigInteger, Column, Float, ForeignKey, String, Table, Text
from sqlalchemy.dialects.postgresql import ARRAY

from geo.ingest.tables import metadata

ubicacion = Table(
    "ubicacion",
    metadata,
    Column("registro_id", BigInteger, primary_key=True),
    Column("carga_id", BigInteger, ForeignKey("padron.carga.id"), nullable=False),
    Column("cvegeo_mun", String(5)),
    Column("cvegeo_loc", String(9)),
    Column("precision", Text, nullable=False),
    Column("confianza", Float, nullable=False),
    Column("banderas", ARRAY(Text), nullable=False),
    Column("geom", Geometry("POINT", 4326, spatial_index=False)),
)
"""Where each record is: final point, ``precision`` (see ``geo.geocode.PRECISIONS``), keys,
confidence and ``coord_*``/place flags. The raw values stay in ``registro``."""
