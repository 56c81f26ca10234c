"""The planners' notebook runs end to end against the demo database (aggregated data only)."""

from __future__ import annotations

import pytest

from api.settings import REPO_ROOT

NOTEBOOK = REPO_ROOT / "notebooks" / "cobertura_oaxaca.ipynb"


def test_coverage_notebook_executes(
    demo_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("DATABASE_URL", demo_database_url)
    monkeypatch.delenv("PADRON_PERIODO", raising=False)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(REPO_ROOT)}},
    ).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "570 municipios y 15 localidades prioritarias (EPSG:4326)" in text  # read_postgis
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "BIENESTAR" in html and "SEDESOL" in html  # the region × program table
    assert "motivo" in html  # the priorities, explained
    assert "leaflet" in html.lower() and "cobertura_pct" in html  # explore()'s folium map
    personal = ("curp", "nombre_norm", "fecha_nacimiento", "folio")
    assert not any(word in html.lower() for word in personal)
