"""CONAPO locality index (IML 2020) on hand-made files in the published layouts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from boundaries.iml import COLUMNS, read_iml
from geo.kernel.errors import DataCheckFailed

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PUBLISHED = FIXTURES / "iml_2020_muestra.csv"
SPREADSHEET = FIXTURES / "iml_2020_ceros_perdidos_latin1.csv"


def test_published_layout_for_one_state() -> None:
    frame = read_iml(PUBLISHED, "20")

    assert list(frame.columns) == COLUMNS
    assert list(frame["cvegeo"]) == [
        "200010001", "200430001", "200670001", "201840001", "204130001",
    ]  # fmt: skip
    oaxaca = frame.set_index("cvegeo").loc["200670001"]
    assert oaxaca["nom_loc"] == "Oaxaca de Juárez" and oaxaca["nom_mun"] == "Oaxaca de Juárez"
    assert (oaxaca["anio"], oaxaca["pob_tot"], oaxaca["gm"]) == (2020, 258913, "Muy bajo")
    assert oaxaca["im"] == pytest.approx(24.02) and oaxaca["imn"] == pytest.approx(0.917)
    assert oaxaca["indicadores"] == pytest.approx(
        {"ANALF": 2.95, "SBASC": 21.47, "OVSDE": 0.40, "OVSEE": 0.21, "OVSAE": 3.12,
         "OVPT": 1.26, "OVHAC": 17.03, "OVSREF": 8.91}
    )  # fmt: skip


def test_aggregate_rows_dropped_and_all_states_kept_without_filter() -> None:
    frame = read_iml(PUBLISHED)

    assert "010010001" in set(frame["cvegeo"])
    assert not frame["cvegeo"].str.endswith("9999").any()


def test_spreadsheet_export_with_lost_zeros_and_latin1() -> None:
    frame = read_iml(SPREADSHEET, 20)

    assert list(frame["cvegeo"]) == ["200010001", "200670001", "205150001"]
    assert list(frame["gm"]) == ["Alto", "Muy bajo", "Medio"]
    assert frame.loc[2, "nom_loc"] == "Santo Domingo Tehuantepec"
    assert frame.loc[1, "nom_mun"] == "Oaxaca de Juárez"
    assert read_iml(SPREADSHEET, "01")["cvegeo"].tolist() == ["010010001"]


def test_workbook_split_in_sheets(tmp_path: Path) -> None:
    rows = pd.read_csv(PUBLISHED, dtype=str, keep_default_na=False)
    book = tmp_path / "IML_2020.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"Nota": ["Fuente: CONAPO"]}).to_excel(writer, sheet_name="Notas", index=False)
        rows.iloc[:3].to_excel(writer, sheet_name="IML_2020_1", index=False)
        rows.iloc[3:].to_excel(writer, sheet_name="IML_2020_2", index=False)

    frame = read_iml(book, "20")

    assert frame["cvegeo"].tolist() == read_iml(PUBLISHED, "20")["cvegeo"].tolist()
    assert frame["pob_tot"].tolist() == [841, 88280, 258913, 103609, 10504]


def test_numeric_keys_from_a_workbook_are_repaired(tmp_path: Path) -> None:
    book = tmp_path / "iml.xlsx"
    pd.DataFrame(
        {"ENT": [20], "MUN": [67], "LOC": [1], "NOM_LOC": ["Oaxaca de Juárez"], "POB_TOT": [1],
         "ANALF": [3.5], "IM_2020": [24.0], "GM_2020": ["Muy bajo"], "IMN_2020": [0.9]}
    ).to_excel(book, index=False)  # fmt: skip

    assert read_iml(book)["cvegeo"].tolist() == ["200670001"]


def test_full_key_that_disagrees_with_parts_is_rejected(tmp_path: Path) -> None:
    text = PUBLISHED.read_text(encoding="utf-8").replace("200430001,20", "200430002,20")
    path = tmp_path / "iml.csv"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(DataCheckFailed, match="CVE_LOC no coincide"):
        read_iml(path)


def test_unknown_grade_and_missing_keys_are_reported(tmp_path: Path) -> None:
    bad_grade = tmp_path / "grado.csv"
    bad_grade.write_text(
        PUBLISHED.read_text(encoding="utf-8").replace(",Medio,", ",Mediano,"), encoding="utf-8"
    )
    with pytest.raises(DataCheckFailed, match="Mediano"):
        read_iml(bad_grade)

    no_keys = tmp_path / "sin_claves.csv"
    no_keys.write_text(
        "NOM_LOC,POB_TOT,IM_2020,GM_2020,IMN_2020\nX,1,2,Alto,0.5\n", encoding="utf-8"
    )
    with pytest.raises(DataCheckFailed, match="clave de localidad"):
        read_iml(no_keys)
