"""Catalogue of the INEGI and CONAPO products a state needs, read from ``catalog.toml``.

The catalogue is data, not code, so a moved URL or a newly published checksum is a one-line
change that reviewers can compare with the publisher's page.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal
from urllib.parse import urlsplit

from geo.kernel.errors import InvalidParameter

STATE_KEYS = tuple(f"{n:02d}" for n in range(1, 33))
"""INEGI state keys ``'01'``…``'32'``."""


@dataclass(frozen=True)
class State:
    """A state with the name spelling the publishers use in file names."""

    cve_ent: str
    nombre: str
    slug: str


@dataclass(frozen=True)
class Product:
    """One downloadable product: where it lives, who publishes it and how to credit it."""

    key: str
    publisher: str
    name: str
    license: str
    license_url: str
    attribution: str
    scope: Literal["estatal", "nacional"]
    extract: bool
    urls: tuple[str, ...]
    seen_in: tuple[str, ...]
    contents: str = ""
    manual: bool = False
    sha256: Mapping[str, str] = field(default_factory=dict)
    """Pinned SHA-256 by file name; a file without one is trusted on first download."""

    def urls_for(self, state: State) -> tuple[str, ...]:
        """The URL templates filled in for ``state``, in the order they are tried."""
        return tuple(u.format(cve_ent=state.cve_ent, slug=state.slug) for u in self.urls)

    def file_name(self, state: State) -> str:
        """Name of the downloaded file: the last path segment of the first URL."""
        return Path(urlsplit(self.urls_for(state)[0]).path).name


@dataclass(frozen=True)
class Catalog:
    """Products by key and the 32 states by key."""

    products: Mapping[str, Product]
    states: Mapping[str, State]

    def product(self, key: str) -> Product:
        """The product ``key``, or an error that lists the known keys."""
        try:
            return self.products[key]
        except KeyError:
            raise InvalidParameter(
                f"Producto desconocido {key!r}; productos disponibles: {', '.join(self.products)}."
            ) from None

    def state(self, cve_ent: str | int) -> State:
        """The state for a key given as ``'20'``, ``'7'`` or ``7``."""
        return self.states[normalize_cve_ent(cve_ent)]


def normalize_cve_ent(value: str | int) -> str:
    """Return the two-digit state key, accepting ``1``…``32`` and unpadded strings.

    Spreadsheets and command lines drop the leading zero, so ``7`` and ``'7'`` mean ``'07'``.
    """
    text = str(value).strip()
    key = text.zfill(2) if text.isdigit() else text
    if key not in STATE_KEYS:
        raise InvalidParameter(
            f"Clave de entidad inválida {value!r}: debe ser una de {', '.join(STATE_KEYS)} "
            "(también se aceptan los números 1 a 32)."
        )
    return key


def load_catalog(path: Path | None = None) -> Catalog:
    """Read the catalogue; by default the ``catalog.toml`` shipped next to this module."""
    if path is None:
        raw = resources.files("boundaries").joinpath("catalog.toml").read_text(encoding="utf-8")
        source = "boundaries/catalog.toml"
    else:
        raw = path.read_text(encoding="utf-8")
        source = str(path)
    try:
        data = tomllib.loads(raw)
        states = {
            key: State(cve_ent=key, nombre=str(v["nombre"]), slug=str(v["slug"]))
            for key, v in data["states"].items()
        }
        products = {key: _product(key, v) for key, v in data["products"].items()}
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise InvalidParameter(f"Catálogo {source} mal formado: {exc!r}.") from exc
    missing = sorted(set(STATE_KEYS) - set(states))
    if missing:
        raise InvalidParameter(f"Catálogo {source}: faltan las entidades {', '.join(missing)}.")
    return Catalog(products=MappingProxyType(products), states=MappingProxyType(states))


def _product(key: str, raw: dict[str, Any]) -> Product:
    scope = raw["scope"]
    if scope not in ("estatal", "nacional"):
        raise ValueError(f"{key}: scope debe ser 'estatal' o 'nacional', no {scope!r}")
    urls = tuple(str(u) for u in raw["urls"])
    if not urls:
        raise ValueError(f"{key}: falta al menos una URL")
    return Product(
        key=key,
        publisher=str(raw["publisher"]),
        name=str(raw["name"]),
        license=str(raw["license"]),
        license_url=str(raw["license_url"]),
        attribution=str(raw["attribution"]),
        scope=scope,
        extract=bool(raw["extract"]),
        urls=urls,
        seen_in=tuple(str(s) for s in raw.get("seen_in", ())),
        contents=str(raw.get("contents", "")),
        manual=bool(raw.get("manual", False)),
        sha256=MappingProxyType({str(k): str(v).lower() for k, v in raw.get("sha256", {}).items()}),
    )
