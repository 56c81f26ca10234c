"""Municipality → district and region table for Oaxaca (see ``docs/data-sources.md``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.kernel.errors import DataCheckFailed


def read_regions(path: Path) -> pd.DataFrame:
    """Read ``CVEGEO, DISTRITO, REGION`` into ``cvegeo, distrito, region``."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = {"CVEGEO", "DISTRITO", "REGION"} - set(frame.columns)
    if missing:
        raise DataCheckFailed(f"{path.name}: faltan columnas {sorted(missing)}.")
    frame = frame.rename(columns={"CVEGEO": "cvegeo", "DISTRITO": "distrito", "REGION": "region"})
    frame["cvegeo"] = frame["cvegeo"].str.zfill(5)
    return frame[["cvegeo", "distrito", "region"]]
