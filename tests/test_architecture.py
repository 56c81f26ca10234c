"""The layers of ``docs/architecture.md``, read from the imports themselves (import-linter).

The contracts live in ``pyproject.toml`` (``[tool.importlinter]``): each layer imports only from
the layers below it, the domain library imports no HTTP, terminal, settings or development
tooling, and no package has an import cycle at any depth.
"""

from __future__ import annotations

import pytest
from importlinter.cli import EXIT_STATUS_SUCCESS, lint_imports

from api.settings import REPO_ROOT


def test_every_import_contract_is_kept(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO_ROOT)
    status = lint_imports(str(REPO_ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert status == EXIT_STATUS_SUCCESS, capsys.readouterr().out
