"""The API fuzzed from its own OpenAPI schema (schemathesis): no answer is ever a 5xx, and every
answer is one the schema declares (status, media type and body, by the contract of
``tests/api/contract.py``).

Each operation gets a bounded number of generated requests (``MAX_EXAMPLES``), once without
credentials and once as an admin, so the fuzz reaches past the token check and stays fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from sqlalchemy import Engine

from api.app import create_app
from api.settings import Settings
from tests.api.acceso.conftest import AccessData, bearer
from tests.api.contract import ContractClient

MAX_EXAMPLES = 8


@pytest.fixture(scope="module")
def fuzz_state(
    engine: Engine, settings: Settings, access_data: AccessData,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, Any]]:  # fmt: skip
    app = create_app(settings.model_copy(update={"home": tmp_path_factory.mktemp("fuzz")}))
    with ContractClient(app) as client:  # runs the lifespan: the engine lives on app.state
        yield {
            "schema": schemathesis.openapi.from_asgi("/openapi.json", app),
            "contract": client.contract,
            "admin": bearer(access_data, "jefa"),
        }


OPERATIONS = [
    (method.upper(), path)
    for path, methods in create_app(Settings()).openapi()["paths"].items()
    for method in methods
]


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_operation_answers_a_server_error(
    fuzz_state: dict[str, Any], method: str, path: str
) -> None:
    operation = fuzz_state["schema"][path][method]

    # The pytest plugin of schemathesis does not collect under this pytest; Hypothesis is
    # driven directly instead, with the same strategies and the same check.
    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,
    )
    def fuzz(case: Any) -> None:
        for headers in (None, fuzz_state["admin"]):
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])
            fuzz_state["contract"].check(
                method,
                urlsplit(response.request.url).path,
                response.status_code,
                response.headers.get("content-type", [None])[0],
                response.content,
            )

    fuzz()
