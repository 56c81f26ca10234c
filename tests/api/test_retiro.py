"""A batch that cannot hurt: unusable rows and implausible periods refused, the public default
period chosen by placed records, and any batch withdrawn with every count back where it was."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from api.app import create_app
from api.settings import Settings
from cli.app import app as cli
from geo.access import beneficiary
from geo.access.users import User, create_user, issue_token_by_name
from geo.coverage.queries import default_period
from geo.ingest import ingest_file
from geo.ingest.archive import write_original
from geo.kernel.errors import InvalidParameter, NotFound
from geo.pipeline import RosterFile, process_pending, process_rosters, withdraw_batch
from tests.api.conftest import COVERAGE_PERIOD, L1, L2, coverage_row
from tests.api.contract import ContractClient
from tests.conftest import DATA_DIR
from tests.ingest.builders import RosterWriter

TABLES = (
    "padron.registro", "padron.rechazo", "padron.ubicacion", "padron.asignacion",
    "padron.persona", "padron.revision", "acceso.foto", "acceso.punto_verificado",
    "analisis.cobertura", "analisis.combinacion", "analisis.refresco", "analisis.refresco_carga",
)  # fmt: skip
"""Every table a batch's records reach (``carga`` and ``carga_archivo`` keep the batch)."""

CONTENT = {
    "analisis.cobertura": "SELECT md5(string_agg(c::text, '|' ORDER BY programa, periodo, nivel,"
    " clave)) FROM analisis.cobertura c",
    "analisis.combinacion": "SELECT md5(string_agg(c::text, '|' ORDER BY periodo, nivel, clave,"
    " programas)) FROM analisis.combinacion c",
    "analisis.refresco": "SELECT md5(string_agg(concat_ws(',', programa, periodo, cargas, grupo,"
    " registros, registros_total), '|' ORDER BY programa, periodo)) FROM analisis.refresco",
    "padron.asignacion": "SELECT md5(string_agg(a::text, '|' ORDER BY registro_id))"
    " FROM padron.asignacion a",
}


def snapshot(engine: Engine) -> dict[str, object]:
    with engine.connect() as conn:
        counts: dict[str, object] = {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES
        }
        counts |= {
            f"{t} (contenido)": conn.execute(text(q)).scalar_one() for t, q in CONTENT.items()
        }
    return counts


def test_a_row_with_every_field_invalid_is_rejected(
    engine: Engine, write_roster: RosterWriter
) -> None:
    garbage = dict.fromkeys(("NB_CURP", "FH_NACIMIENTO", "CD_SEXO", "CVE_MUN", "CP"), "###")
    rows = [
        {
            "ID_REGISTRO": "Z1",
            "NB_PRIMER_AP": "123",
            "NB_SEGUNDO_AP": "-",
            "NB_NOMBRE": "0",
            **garbage,
        },
        {"ID_REGISTRO": "Z2", "NB_PRIMER_AP": "López"},
    ]
    result = ingest_file(engine, write_roster(rows), "BASURA", periodo="2024")
    assert (result.filas_cargadas, result.rechazos) == (1, {"sin_nombre": 1})


def test_an_implausible_period_is_refused_unless_allowed(
    engine: Engine, write_roster: RosterWriter
) -> None:
    path = write_roster([{"ID_REGISTRO": "P1"}], name="futuro.csv")
    for periodo in ("2099", "1901", "sin año"):
        with pytest.raises(InvalidParameter, match="Periodo no admitido"):
            ingest_file(engine, path, "FUTURO", periodo=periodo)
    rows = [{"ID_REGISTRO": "P1", "PERIODO": "2099"}, {"ID_REGISTRO": "P2", "PERIODO": "2024-T1"}]
    by_row = ingest_file(engine, write_roster(rows, name="filas.csv"), "FUTURO")
    assert (by_row.filas_cargadas, by_row.rechazos) == (1, {"periodo_atipico": 1})
    allowed = ingest_file(engine, path, "FUTURO", periodo="2099", periodo_atipico=True)
    assert allowed.filas_cargadas == 1
    with engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM padron.carga WHERE programa = 'FUTURO'")
            ).scalar_one()
            == 2
        )
    withdraw_batch(engine, allowed.carga_id, "pruebas", "periodo de prueba")


def test_one_unplaceable_batch_does_not_become_the_default_period(
    engine: Engine, cobertura: dict[str, object], write_roster: RosterWriter
) -> None:
    """The issue's careless upload: one row, nothing placeable, period 2099 (allowed)."""
    process_pending(engine)
    before = default_period(engine.connect())
    row = {"ID_REGISTRO": "Q1", "CVE_ENT": "", "CVE_MUN": "", "CVE_LOC": "", "NOM_MUN": "",
           "NOM_LOC": "", "CP": "", "LONGITUD": "", "LATITUD": ""}  # fmt: skip
    roster = RosterFile(write_roster([row]), "LEJANO", "2099", periodo_atipico=True)
    report = process_rosters(engine, [roster])
    with engine.connect() as conn:
        newest = conn.execute(text("SELECT max(periodo) FROM analisis.refresco")).scalar_one()
        assert newest == "2099"
        assert default_period(conn) == before != "2099"
    withdraw_batch(engine, report.ingests[0].carga_id, "pruebas")
    with engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM analisis.refresco WHERE periodo = '2099'")
            ).scalar_one()
            == 0
        )


@pytest.fixture(scope="module")
def admin(
    engine: Engine, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, dict[str, str], Settings]]:
    with engine.begin() as conn:
        create_user(conn, "retiro_admin", "admin", "secreto-de-prueba")
        create_user(conn, "retiro_planea", "planeacion", "secreto-de-prueba")
        tokens = {n: issue_token_by_name(conn, n, timedelta(hours=1)).access_token
                  for n in ("retiro_admin", "retiro_planea")}  # fmt: skip
    configured = settings.model_copy(update={"home": tmp_path_factory.mktemp("retiro")})
    with ContractClient(create_app(configured)) as client:
        yield client, tokens, configured


def test_a_withdrawn_batch_leaves_every_count_as_before(
    engine: Engine,
    cobertura: dict[str, object],
    admin: tuple[TestClient, dict[str, str], Settings],
    write_roster: RosterWriter,
) -> None:
    client, tokens, configured = admin
    process_pending(engine)  # whatever other tests left pending is settled first
    before = snapshot(engine)
    ana = {"NB_PRIMER_AP": "Bautista", "NB_SEGUNDO_AP": "Ortiz", "NB_NOMBRE": "Ana", "CD_SEXO": "M",
           "FH_NACIMIENTO": "1950-03-02"}  # fmt: skip
    with engine.connect() as conn:
        ana_curp = conn.execute(
            text("SELECT curp FROM padron.registro WHERE programa = 'COBA' AND folio = 'A1'")
        ).scalar_one()
    rows = [
        coverage_row("R1", L1, ana_curp, **ana),  # a person already in COBA and COBB
        coverage_row("R2", L2, NB_NOMBRE="Eufrosina", NB_PRIMER_AP="Quetzal"),  # a new person
        coverage_row("R3", L2, NB_NOMBRE="Eufrosina", NB_PRIMER_AP="Quetzal", ID_REGISTRO="R2"),
        coverage_row("", L2),  # rejected: no folio
    ]
    path = write_roster(rows, name="retirable.csv")
    report = process_rosters(
        engine, [RosterFile(path, "RETIRA", COVERAGE_PERIOD, periodo_atipico=True)]
    )
    carga = report.ingests[0].carga_id
    assert (report.ingests[0].filas_cargadas, report.ingests[0].filas_rechazadas) == (2, 2)
    with engine.begin() as conn:  # a field photo and a verified point on its records
        record = conn.execute(
            text("SELECT id FROM padron.registro WHERE carga_id = :c AND folio = 'R2'"),
            {"c": carga},
        ).scalar_one()
        staff = User(0, "retiro_admin", "admin", None)
        picture = io.BytesIO()
        Image.new("RGB", (8, 8), "red").save(picture, "PNG")
        photo = beneficiary.add_photo(
            conn, staff, record, picture.getvalue(), configured.photo_dir, 1 << 20
        )
        beneficiary.record_verified_point(
            conn, staff, record, beneficiary.FieldFix(-96.3, 16.9, 5.0, None), 30.0
        )
    during = snapshot(engine)
    assert all(
        during[t] != before[t]
        for t in ("padron.registro", "padron.persona", "analisis.combinacion (contenido)")
    )

    refused = client.post(
        f"/cargas/{carga}/retiro", headers={"Authorization": f"Bearer {tokens['retiro_planea']}"}
    )
    assert refused.status_code == 403
    answer = client.post(f"/cargas/{carga}/retiro", json={"motivo": "archivo equivocado"},
                         headers={"Authorization": f"Bearer {tokens['retiro_admin']}"})  # fmt: skip
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (
        body["registros"],
        body["rechazos"],
        body["personas"],
        body["fotos"],
        body["puntos_verificados"],
    ) == (2, 2, 1, 1, 1)
    # The period is the unit of refresh: its other programs are recomputed with it.
    assert body["cobertura_recalculada"] == [
        f"{programa} {COVERAGE_PERIOD}" for programa in ("COBA", "COBB", "RETIRA")
    ]
    assert snapshot(engine) == before
    assert not photo.path.exists()

    with engine.connect() as conn:
        batch = conn.execute(
            text("SELECT retirada_por, motivo_retiro, sha256 FROM padron.carga WHERE id = :c"),
            {"c": carga},
        ).one()
        assert batch[:2] == ("retiro_admin", "archivo equivocado")
        out = io.BytesIO()
        write_original(conn, carga, out)  # the file as received is still there
        assert (
            hashlib.sha256(out.getvalue()).hexdigest()
            == batch.sha256
            == hashlib.sha256(path.read_bytes()).hexdigest()
        )
        audit = conn.execute(
            text(
                "SELECT usuario, detalle FROM acceso.auditoria WHERE accion = 'retirar_carga' AND carga_id = :c"
            ),
            {"c": carga},
        ).one()
        assert audit.usuario == "retiro_admin" and "archivo equivocado" in audit.detalle
    again = client.post(
        f"/cargas/{carga}/retiro", headers={"Authorization": f"Bearer {tokens['retiro_admin']}"}
    )
    assert again.status_code == 400 and "ya fue retirada" in again.json()["detalle"]
    assert (
        client.post(
            "/cargas/999999999/retiro",
            headers={"Authorization": f"Bearer {tokens['retiro_admin']}"},
        ).status_code
        == 404
    )
    # The same file may be sent again once its batch is withdrawn.
    resent = ingest_file(engine, path, "RETIRA", periodo=COVERAGE_PERIOD, periodo_atipico=True)
    assert not resent.ya_cargado and resent.carga_id != carga
    withdraw_batch(engine, resent.carga_id, "pruebas")


def test_padron_cargas_retirar(
    engine: Engine, database_url: str, write_roster: RosterWriter, tmp_path: Path
) -> None:
    result = ingest_file(engine, write_roster([{"ID_REGISTRO": "C1"}]), "RETIRACLI", periodo="2024")
    env = {
        "DATABASE_URL": database_url,
        "PADRON_DATA_DIR": str(DATA_DIR),
        "PADRON_HOME": str(tmp_path),
    }
    runner = CliRunner()
    done = runner.invoke(
        cli,
        ["cargas", "retirar", str(result.carga_id), "--motivo", "prueba", "--usuario", "ana"],
        env=env,
    )
    assert done.exit_code == 0, done.output
    assert f"Carga {result.carga_id} (RETIRACLI) retirada: 1 registros" in done.output
    twice = runner.invoke(cli, ["cargas", "retirar", str(result.carga_id)], env=env)
    assert twice.exit_code == 1 and "ya fue retirada" in twice.output
    with pytest.raises(NotFound):
        withdraw_batch(engine, 10**12, "pruebas")
