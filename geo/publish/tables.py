"""The publication's tables: exact figures with their suppression in ``analisis`` (staff), and
the ``publico`` views of them that public routes read (suppressed values are NULL).

Created by ``migrations/versions/0013_publico.py``; written by
:func:`geo.publish.publication.publish`.
"""

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
)

staff = MetaData(schema="analisis")
public = MetaData(schema="publico")


def _cifra(metadata: MetaData) -> Table:
    return Table(
        "cifra",
        metadata,
        Column("periodo", Text, primary_key=True),
        Column("programa", Text, primary_key=True),
        Column("nivel", Text, primary_key=True),
        Column("clave", Text, primary_key=True),
        Column("personas", Integer),
        Column("importe", Numeric(16, 2)),
        Column("grupo", Text),
        Column("poblacion", Float),
        Column("cobertura", Float),
        Column("suprimida", Boolean, nullable=False),
    )


def _indicador(metadata: MetaData) -> Table:
    return Table(
        "indicador",
        metadata,
        Column("periodo", Text, primary_key=True),
        Column("programa", Text, primary_key=True),
        Column("indicador", Text, primary_key=True),
        Column("valor", Numeric(18, 2)),
        Column("suprimida", Boolean, nullable=False),
    )


def _bandera(metadata: MetaData) -> Table:
    return Table(
        "bandera",
        metadata,
        Column("cvegeo_mun", String(5), primary_key=True),
        Column("bandera", Text, primary_key=True),
        Column("registros", Integer),
        Column("suprimida", Boolean, nullable=False),
    )


cifra = _cifra(staff)
"""Per period × program (a key, ``*`` all, ``2+`` two or more, ``A|B`` both) × level × area:
persons, amount paid, the population measured against and the ratio, exact; ``suprimida`` says
what the publication hides. A municipality's persons placed without a locality are the
``localidad`` row keyed by the municipality's 5-digit CVEGEO; a locality without persons in the
period has no row (its figures are 0)."""
indicador = _indicador(staff)
"""Statewide indicators per period (``*``: all periods, where published) and program (``*``:
all): rule violations, repeated listings and their amount, untrusted places, records held for
review. Exact, with ``suprimida``."""
bandera = _bandera(staff)
"""Records with each quality flag per municipality, exact, with ``suprimida``."""
publicacion = Table(
    "publicacion",
    staff,
    Column("id", Boolean, primary_key=True),
    Column("k", Integer, nullable=False),
    Column("huella", Text, nullable=False),
    Column("publicado_en", DateTime(timezone=True), nullable=False),
)
"""The one row saying with which ``k``, from what state (``huella``) and when it was built."""

cifra_publica = _cifra(public)
indicador_publico = _indicador(public)
bandera_publica = _bandera(public)
"""The ``publico`` views: the same rows, with every suppressed value NULL."""
