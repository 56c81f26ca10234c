"""Roster layouts: which column of a file holds each field of the federal PUB "Persona" record.

Internally every roster is read into the PUB field names (``ID_REGISTRO``, ``NB_CURP``...). The
built-in ``pub`` layout expects those names as headers; any other roster is described by a YAML
mapping (see ``docs/layouts/ejemplo.yaml``). Headers are matched without regard to case, accents,
surrounding spaces or the separators `` _-.``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from geo.kernel.errors import InvalidParameter

PUB_FIELDS: tuple[str, ...] = (
    "ID_REGISTRO", "CD_PROGRAMA", "PERIODO", "FH_ALTA", "NB_PRIMER_AP", "NB_SEGUNDO_AP",
    "NB_NOMBRE", "FH_NACIMIENTO", "CD_SEXO", "CD_EDO_NAC", "NB_CURP", "NU_IMP_MONETARIO",
    "TIPOVIAL", "NOMVIAL", "NUMEXTNUM1", "NUMEXTALF1", "NUMINTNUM", "NUMINTALF", "TIPOASEN",
    "NOMASEN", "CP", "CVE_ENT", "NOM_ENT", "CVE_MUN", "NOM_MUN", "CVE_LOC", "NOM_LOC",
    "DESCRUBIC", "LONGITUD", "LATITUD",
)  # fmt: skip
"""PUB "Persona" fields the registry reads; others in a file are kept in the raw values only."""

NAME_FIELDS = ("NB_PRIMER_AP", "NB_SEGUNDO_AP", "NB_NOMBRE")


def header_key(text: str) -> str:
    """Comparable form of a header: upper case, no accents, no spaces or ``_-.``."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lstrip("\ufeff"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in plain.upper() if c.isalnum())


@dataclass(frozen=True)
class Layout:
    """Where each PUB field is in a roster: source header per field, and constant values."""

    name: str
    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)

    def resolve(self, header: list[str]) -> dict[str, int]:
        """PUB field → position in ``header``; raise listing what is missing or ambiguous."""
        positions: dict[str, list[int]] = {}
        for index, name in enumerate(header):
            positions.setdefault(header_key(name), []).append(index)
        resolved: dict[str, int] = {}
        for pub_field in PUB_FIELDS:
            source = self.columns.get(pub_field, pub_field if self.name == "pub" else None)
            if source is None:
                continue
            found = positions.get(header_key(source), [])
            if len(found) > 1:
                raise InvalidParameter(
                    f"La columna {source!r} aparece {len(found)} veces en el encabezado."
                )
            if found:
                resolved[pub_field] = found[0]
        missing = [f for f in ("ID_REGISTRO",) if f not in resolved and f not in self.constants]
        if not any(f in resolved for f in NAME_FIELDS):
            missing.append("alguna de " + ", ".join(NAME_FIELDS))
        if missing:
            raise InvalidParameter(
                f"El archivo no tiene las columnas obligatorias del formato {self.name!r}: "
                f"{'; '.join(missing)}. Encabezado recibido: {', '.join(header[:40])}."
            )
        return resolved


PUB = Layout(name="pub")


def load_layout(spec: str) -> Layout:
    """``pub`` or the path of a YAML mapping with ``columnas`` (PUB field → header)."""
    if spec.lower() == "pub":
        return PUB
    path = Path(spec)
    if not path.is_file():
        raise InvalidParameter(f"No existe el archivo de formato {spec!r} (use 'pub' o un YAML).")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise InvalidParameter(f"{path.name}: YAML no válido ({error}).") from None
    if not isinstance(document, dict) or not isinstance(document.get("columnas"), dict):
        raise InvalidParameter(f"{path.name}: falta la sección 'columnas' (campo PUB: encabezado).")
    columns = {str(k).upper(): str(v) for k, v in document["columnas"].items()}
    constants = {str(k).upper(): str(v) for k, v in (document.get("constantes") or {}).items()}
    unknown = sorted((set(columns) | set(constants)) - set(PUB_FIELDS))
    if unknown:
        raise InvalidParameter(
            f"{path.name}: campos desconocidos {unknown}. "
            f"Campos PUB válidos: {', '.join(PUB_FIELDS)}."
        )
    return Layout(
        name=str(document.get("nombre") or path.stem), columns=columns, constants=constants
    )
