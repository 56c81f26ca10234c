"""Screenshots compared with stored baselines (``tests/api/capturas``), with a tolerance.

A pixel differs when one of its channels moves by more than ``THRESHOLD`` (anti-aliasing and
WebGL rasterisation move a few levels); a screenshot fails when more than ``tolerance`` of its
pixels differ, or when its size changed. On failure the actual picture, the baseline and a diff
(differing pixels in red over a faded baseline) are written to ``DIFF_DIR`` and named in the
message, with the box that holds them. ``PADRON_ACTUALIZAR_CAPTURAS=1`` writes the baselines
instead (review them before committing).

A page with a map is captured with ``settled``: a WebGL canvas may still be redrawing (a capture
taller than the screen resizes the page for an instant, and MapLibre redraws), so, like
Playwright's own ``toHaveScreenshot``, captures are taken until two in a row are the same.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from api.settings import REPO_ROOT

BASELINES = Path(__file__).parent / "capturas"
DIFF_DIR = Path(os.environ.get("PADRON_CAPTURAS_DIFERENCIAS", REPO_ROOT / ".padron" / "capturas"))
THRESHOLD = 48


def assert_matches_baseline(png: bytes, name: str, tolerance: float = 0.01) -> None:
    """Compare ``png`` with ``capturas/<name>.png`` (see the module's docstring)."""
    actual = Image.open(io.BytesIO(png)).convert("RGB")
    baseline = BASELINES / f"{name}.png"
    if os.environ.get("PADRON_ACTUALIZAR_CAPTURAS"):
        BASELINES.mkdir(exist_ok=True)
        actual.save(baseline, optimize=True)
        return
    DIFF_DIR.mkdir(parents=True, exist_ok=True)
    actual.save(DIFF_DIR / f"{name}.actual.png")
    assert baseline.exists(), (
        f"Sin captura de referencia {baseline}; la actual está en {DIFF_DIR / name}.actual.png "
        "(PADRON_ACTUALIZAR_CAPTURAS=1 la guarda como referencia)."
    )
    expected = Image.open(baseline).convert("RGB")
    assert actual.size == expected.size, (
        f"{name}: tamaño {actual.size} en lugar de {expected.size}; "
        f"la actual está en {DIFF_DIR / name}.actual.png"
    )
    a = np.asarray(actual, dtype=np.int16)
    e = np.asarray(expected, dtype=np.int16)
    differs = np.abs(a - e).max(axis=2) > THRESHOLD
    share = float(differs.mean())
    box = ""
    if share > tolerance:
        rows, columns = np.nonzero(differs)
        box = f" en x {columns.min()}-{columns.max()}, y {rows.min()}-{rows.max()}"
        faded = (e * 0.3 + 178).astype(np.uint8)
        faded[differs] = (220, 0, 0)
        Image.fromarray(faded).save(DIFF_DIR / f"{name}.diff.png")
        expected.save(DIFF_DIR / f"{name}.esperada.png")
    assert share <= tolerance, (
        f"{name}: {share:.2%} de los píxeles difieren{box} (tolerancia {tolerance:.2%}); "
        f"ver {DIFF_DIR / name}.diff.png"
    )


def settled(capture: Callable[[], bytes], attempts: int = 6) -> bytes:
    """The first capture equal to the one before it (see the module's docstring)."""
    previous = capture()
    for _ in range(attempts - 1):
        current = capture()
        if current == previous:
            return current
        previous = current
    raise AssertionError(f"La captura no se estabilizó en {attempts} intentos.")
