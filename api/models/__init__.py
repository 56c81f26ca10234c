"""The HTTP contract: request and response models of every JSON route, one module per router.

These models are published in the OpenAPI document, so their class docstrings and field
descriptions are in Spanish (pydantic turns them into the schema's descriptions). Every model
forbids fields it does not declare: a field the library adds without adding it here fails the
response validation (and the tests) instead of silently disappearing from the answer.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """Base of the API models: no field may be left undeclared."""

    model_config = ConfigDict(extra="forbid")
