"""The HTTP contract itself: what the OpenAPI document declares, and that the check which every
API test runs through :class:`ContractClient` refuses answers the document does not allow."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api import routers
from api.app import create_app
from api.settings import Settings
from tests.api.contract import CheckedApp, Contract, ContractClient, ContractViolation

DOCUMENT = create_app(Settings()).openapi()
OPERATIONS = [
    (path, method, operation)
    for path, methods in DOCUMENT["paths"].items()
    for method, operation in methods.items()
]
IDS = [f"{method.upper()} {path}" for path, method, _ in OPERATIONS]
TAGS = {tag["name"] for tag in DOCUMENT["tags"]}
MUNICIPIO = {
    "cvegeo": "20067",
    "nom_mun": "Oaxaca de Juárez",
    "distrito": "Centro",
    "region": "Valles Centrales",
    "pob_2020": 270955,
    "anio_marginacion": 2020,
    "gm": "Muy bajo",
    "im": 58.5,
}
PAGE = {"total": 1, "limite": 1, "desplazamiento": 0, "siguiente": None, "elementos": [MUNICIPIO]}
DOCSTRINGS = {
    inspect.getdoc(function)
    for module in pkgutil.iter_modules(routers.__path__)
    for _, function in inspect.getmembers(
        importlib.import_module(f"{routers.__name__}.{module.name}"), inspect.isfunction
    )
}
"""The (English) docstrings of the routers, which FastAPI would publish without a description."""


@pytest.mark.parametrize(("path", "method", "operation"), OPERATIONS, ids=IDS)
def test_every_route_is_described_in_spanish(
    path: str, method: str, operation: dict[str, Any]
) -> None:
    assert operation["summary"] and operation["description"]
    assert operation["tags"] and set(operation["tags"]) <= TAGS  # each described, in Spanish
    assert operation["description"] not in DOCSTRINGS
    for response in operation["responses"].values():  # FastAPI's English defaults, replaced
        assert response["description"] not in ("Successful Response", "Validation Error")


@pytest.mark.parametrize(("path", "method", "operation"), OPERATIONS, ids=IDS)
def test_every_json_answer_declares_a_schema_and_errors_share_one(
    path: str, method: str, operation: dict[str, Any]
) -> None:
    for status, response in operation["responses"].items():
        for media, content in response.get("content", {}).items():
            if "json" not in media:
                continue
            schema = content.get("schema", {})
            assert schema, (status, media)
            if status.startswith(("4", "5")) and path != "/salud":
                assert schema == {"$ref": "#/components/schemas/Error"}, (status, media)
    assert "400" in operation["responses"]  # control characters are refused on every route


def _refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("$ref"), str):
            yield value["$ref"].rsplit("/", 1)[-1]
        for item in value.values():
            yield from _refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)


def test_every_answer_forbids_undeclared_fields() -> None:
    """A field the library adds must fail loudly, not vanish from the answer: every object
    reachable from a response is closed (GeoJSON geometries, the library's, aside)."""
    schemas = DOCUMENT["components"]["schemas"]
    pending = [ref for _, _, operation in OPERATIONS for ref in _refs(operation["responses"])]
    reached: set[str] = set()
    while pending:
        name = pending.pop()
        if name not in reached:
            reached.add(name)
            pending.extend(_refs(schemas[name]))
    open_objects = sorted(
        name
        for name in reached - {"Point", "Polygon", "MultiPolygon"}
        if schemas[name].get("type") == "object"
        and schemas[name].get("additionalProperties") is not False
    )
    assert len(reached) > 50 and open_objects == []


def test_the_error_model_is_what_the_handlers_answer(client: ContractClient) -> None:
    """Library errors, HTTP errors, validation errors and unknown paths: one body."""
    assert client.get("/cargas/1").json() == {
        "detalle": "Se requiere un token de acceso válido y vigente."
    }
    invalid = client.get("/municipios", params={"limite": 0}).json()
    assert invalid["detalle"] == "Parámetros no válidos."
    assert invalid["errores"][0]["campo"] == "limite"
    assert set(client.get("/no/existe").json()) == {"detalle"}


def body(value: Any) -> bytes:
    return json.dumps(value).encode()


def test_a_conforming_body_passes() -> None:
    Contract(DOCUMENT).check("GET", "/municipios", 200, "application/json", body(PAGE))


@pytest.mark.parametrize(
    ("path", "status", "media", "value", "problem"),
    [
        ("/municipios", 200, "application/json", PAGE | {"total": "uno"}, "en total"),
        ("/municipios", 200, "application/json", {k: v for k, v in PAGE.items() if k != "total"}, "\\(raíz\\): 'total' is a required"),
        ("/municipios", 200, "application/json", PAGE | {"elementos": [MUNICIPIO | {"curp": "X"}]}, "en elementos/0"),
        ("/municipios", 200, "application/geo+json", {"type": "FeatureCollection", "numberMatched": 1,
            "numberReturned": 1, "links": [], "features": [{"type": "Feature", "id": "20067",
            "geometry": {"type": "Point", "coordinates": [-96.7, 17.1]}, "properties": MUNICIPIO}]},
            "en features/0/geometry"),
        # the last position of a valid MultiPolygon is one number: refused inside anyOf branches
        ("/municipios", 200, "application/geo+json", {"type": "FeatureCollection", "numberMatched": 1,
            "numberReturned": 1, "links": [], "features": [{"type": "Feature", "id": "20067",
            "geometry": {"type": "MultiPolygon", "coordinates": [[[[-96.7, 17.1], [-96.6, 17.1],
            [-96.6, 17.2], [-96.7]]]]}, "properties": MUNICIPIO}]},
            "en features/0/geometry"),
        ("/municipios", 200, "text/csv", "cvegeo\n20067\n", "tipo de medio no declarado"),
        ("/municipios", 418, "application/json", {"detalle": "tetera"}, "estado no declarado"),
        ("/municipios", 422, "application/json", {"detail": [{"msg": "x"}]}, "no cumple el esquema"),
        ("/salud", 503, "application/json", {"detalle": "caída"}, "no cumple el esquema"),
        ("/no/existe", 404, "application/json", {"detail": "Not Found"}, "no cumple el esquema"),
        ("/no/existe", 200, "application/json", {"detalle": "hola"}, "ruta no publicada"),
    ],
)  # fmt: skip
def test_a_body_the_document_does_not_allow_is_refused(
    path: str, status: int, media: str, value: Any, problem: str
) -> None:
    content = value.encode() if isinstance(value, str) else body(value)
    with pytest.raises(ContractViolation, match=problem):
        Contract(DOCUMENT).check("GET", path, status, media, content)


class Conteo(BaseModel):
    total: int


def _app_with_a_broken_contract() -> FastAPI:
    app = FastAPI()

    @app.get("/sin-modelo")
    def sin_modelo():  # type: ignore[no-untyped-def]  # no annotation: no schema at all
        return {"total": 1}

    @app.get("/modelo-equivocado", response_model=Conteo)
    def modelo_equivocado() -> JSONResponse:  # the answer bypasses its declared model
        return JSONResponse({"total": "uno"})

    @app.get("/modelo-correcto", response_model=Conteo)
    def modelo_correcto() -> Conteo:
        return Conteo(total=1)

    return app


def test_the_client_refuses_a_route_without_schema_or_with_a_wrong_model() -> None:
    with ContractClient(_app_with_a_broken_contract()) as client:
        assert client.get("/modelo-correcto").json() == {"total": 1}
        with pytest.raises(ContractViolation, match="respuesta JSON sin esquema declarado"):
            client.get("/sin-modelo")
        with pytest.raises(ContractViolation, match="no cumple el esquema en total"):
            client.get("/modelo-equivocado")


def test_a_live_server_collects_the_answers_that_break_the_contract() -> None:
    """What the browser tests' pages fetch goes through :class:`CheckedApp`."""
    checked = CheckedApp(_app_with_a_broken_contract())

    async def visit() -> None:
        transport = httpx.ASGITransport(app=checked)
        async with httpx.AsyncClient(transport=transport, base_url="http://prueba") as client:
            for path in ("/modelo-correcto", "/sin-modelo", "/modelo-equivocado"):
                assert (await client.get(path)).status_code == 200

    asyncio.run(visit())
    assert [v.split(":")[0] for v in checked.violations] == [
        "GET /sin-modelo → 200 application/json",
        "GET /modelo-equivocado → 200 application/json",
    ]


CONSTRUCTOR = re.compile(r"\bTestClient\(")


def test_every_client_of_the_api_tests_checks_the_contract() -> None:
    here = Path(__file__).parent
    plain = [
        f"{path.relative_to(here)}:{number}"
        for path in sorted(here.rglob("*.py"))
        if path.name != "contract.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if CONSTRUCTOR.search(line)
    ]
    assert plain == []
