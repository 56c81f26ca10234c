"""The layers and the SQL rule of ``docs/architecture.md``, read from the code itself.

The layer contracts live in ``pyproject.toml`` (``[tool.importlinter]``): each layer imports only
from the layers below it, the domain library imports no HTTP, terminal, settings or development
tooling, and no package has an import cycle at any depth. "Where SQL lives" is checked on the
syntax tree of every library module: no statement is written in a Python string.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from importlinter.cli import EXIT_STATUS_SUCCESS, lint_imports

from api.settings import REPO_ROOT


def test_every_import_contract_is_kept(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO_ROOT)
    status = lint_imports(str(REPO_ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert status == EXIT_STATUS_SUCCESS, capsys.readouterr().out


# -- where SQL lives -------------------------------------------------------------------------

LIBRARY = ("geo", "boundaries", "api", "cli", "devtools")

NOT_YET = {
    "devtools/cluster.py": "psql administration statements of the development cluster",
}
"""Modules that still hold SQL in Python strings, and why. Remove an entry when its module
follows the rule; :func:`test_every_exception_is_still_needed` fails on a stale one."""

COMPOSER = "geo/kernel/db.py"
"""The one module that composes statements with ``psycopg.sql`` (run-time identifiers)."""

_STATEMENT = re.compile(
    r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|ALTER|DROP|COPY|ANALYZE|VACUUM|TRUNCATE"
    r"|FROM|WHERE|JOIN|LEFT JOIN|ORDER BY|GROUP BY)\s"
)
_RUNNERS = {"text", "exec_driver_sql", "execute", "executemany", "SQL"}


def inline_sql(source: str, *, composer: bool = False) -> list[str]:
    """Where ``source`` writes SQL in Python: a string that starts like a statement or a clause,
    or a runner (``text``, ``execute``, ``exec_driver_sql``, ``psycopg.sql.SQL``) given a string
    built in Python. In the ``composer`` module, ``psycopg.sql.SQL`` templates are allowed."""
    tree = ast.parse(source)
    allowed: set[int] = set()
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            allowed.add(id(node.value))  # docstrings
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name not in _RUNNERS:
            continue
        if composer and name == "SQL":
            allowed.update(id(n) for n in ast.walk(node.args[0]))
        elif _built_in_python(node.args[0]):
            found.append(f"{node.lineno}: {name}() of a string written in Python")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in allowed
            and _STATEMENT.match(node.value)
        ):
            found.append(f"{node.lineno}: SQL in a string: {node.value.strip()[:40]!r}")
    return found


def _built_in_python(node: ast.expr) -> bool:
    """A string literal, an f-string, a concatenation, ``%`` or ``.format``/``.join`` of one."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr | ast.BinOp):
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("format", "join")
        and isinstance(node.func.value, ast.Constant | ast.JoinedStr)
    )


def _modules() -> Iterator[tuple[str, Path]]:
    for package in LIBRARY:
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            yield path.relative_to(REPO_ROOT).as_posix(), path


def _excepted(name: str) -> bool:
    return any(name == entry or name.startswith(entry + "/") for entry in NOT_YET)


def test_no_sql_is_written_in_python() -> None:
    found = [
        f"{name}:{where}"
        for name, path in _modules()
        if not _excepted(name)
        for where in inline_sql(path.read_text(encoding="utf-8"), composer=name == COMPOSER)
    ]
    assert not found, (
        "SQL written in Python (docs/architecture.md, «Where SQL lives»): a fixed statement "
        "goes to the step's sql/ folder, one shaped by arguments to SQLAlchemy Core.\n"
        + "\n".join(found)
    )


def test_every_exception_is_still_needed() -> None:
    stale = [
        entry
        for entry in NOT_YET
        if not any(
            inline_sql(path.read_text(encoding="utf-8"))
            for name, path in _modules()
            if name == entry or name.startswith(entry + "/")
        )
    ]
    assert not stale, f"These modules follow the rule now; remove them from NOT_YET: {stale}"


@pytest.mark.parametrize(
    "source",
    [
        'conn.execute(text("SELECT 1"))',
        'conn.execute(text(f"SELECT {columns} FROM t"))',
        'cursor.execute("INSERT INTO t VALUES (%s)", (1,))',
        'conn.exec_driver_sql("ANALYZE " + table)',
        'statement = sql.SQL("CREATE TABLE {} ()").format(name)',
        'conn.execute(text("ANALYZE {}".format(table)))',
        '_QUERY = """\n    WITH x AS (SELECT 1) SELECT * FROM x\n"""',
        '_FRAGMENT = """\n    FROM padron.registro r WHERE r.id = :id\n"""',
        'sql = "SELECT a " f"{_FRAGMENT} ORDER BY a"',
    ],
)
def test_inline_sql_is_recognised(source: str) -> None:
    assert inline_sql(source)


@pytest.mark.parametrize(
    "source",
    [
        'conn.execute(query("geo.coverage", "batch_fingerprints.sql"), {"k": 1})',
        'run_sql_file(conn, "geo.coverage", "analyze_coverage.sql")',
        "conn.execute(select(t.c.id).where(t.c.id == 1))",
        '"""SELECT in a docstring is prose."""',
        'reason = "Seleccione un archivo"',
        'flags = {"SET", "DELETE"}',
    ],
)
def test_code_that_follows_the_rule_passes(source: str) -> None:
    assert not inline_sql(source)


def test_composer_may_template_identifiers() -> None:
    source = 'sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(schema, table))'
    assert inline_sql(source)
    assert not inline_sql(source, composer=True)


_FILE_RUNNERS = {"query": 0, "sql_text": 0, "run_sql_file": 1, "execute_composed": 1}
"""Helpers that load ``<package>/sql/<name>``, and the position of ``package`` among their
arguments."""


def test_every_sql_file_named_in_the_code_is_packaged() -> None:
    missing = []
    for name, path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            at = _FILE_RUNNERS.get(node.func.id)
            args = node.args[at : at + 2] if at is not None else []
            if len(args) == 2 and all(isinstance(a, ast.Constant) for a in args):
                package, file = (a.value for a in args if isinstance(a, ast.Constant))
                if not resources.files(package).joinpath("sql", file).is_file():
                    missing.append(f"{name}:{node.lineno}: {package}/sql/{file}")
    assert not missing, missing
