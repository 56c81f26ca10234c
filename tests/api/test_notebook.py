"""The planner's notebook runs end to end against the test database (aggregated data only)."""

from __future__ import annotations

import pytest

from api.settings import REPO_ROOT

NOTEBOOK = REPO_ROOT / "notebooks" / "cobertura_oaxaca.ipynb"


def test_coverage_notebook_executes(
    database_url: str, cobertura: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("PADRON_PERIODO", "2031")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(REPO_ROOT)}},
    ).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "COBA" in html and "COBB" in html  # the region × program table
    assert "motivo" in html and "leaflet" in html.lower()  # priorities and the folium map
    personal = ("curp", "nombre_norm", "fecha_nacimiento", "folio")
    assert not any(word in html.lower() for word in personal)
