"""Nothing personal in the server's log (issue #16, point 5): ``padron serve`` is started as an
administrator would, field searches are made against it, and its log is read back."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import Engine

from tests.api.acceso.conftest import MARIA, AccessData, bearer
from tests.conftest import DATA_DIR


def test_field_searches_leave_no_personal_data_in_the_server_log(
    engine: Engine, database_url: str, access_data: AccessData, tmp_path: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "servidor.log"
    env = {**os.environ, "DATABASE_URL": database_url, "PADRON_DATA_DIR": str(DATA_DIR),
           "PADRON_HOME": str(tmp_path)}  # fmt: skip
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-c", "from cli.app import main; main()", "serve", "--puerto", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{base}/salud", timeout=2).status_code < 500:
                        break
                except httpx.TransportError:
                    time.sleep(0.3)
            oax = bearer(access_data, "campo_oax")
            searches = [{"curp": MARIA}, {"folio": "F1"}, {"nombre": "Zenaida Xicoténcatl"}]
            for body in searches:
                assert httpx.post(f"{base}/campo/buscar", json=body, headers=oax).status_code == 200
            # A client that still puts them in the URL gets 405, and the log keeps no query.
            assert httpx.get(f"{base}/campo/buscar", params={"curp": MARIA},
                             headers=oax).status_code == 405  # fmt: skip
            assert httpx.get(f"{base}/auditoria", params={"usuario": "Zenaida F1"},
                             headers=bearer(access_data, "jefa")).status_code == 200  # fmt: skip
            # Tiles answered leave no line (dozens per map view); a refused one does.
            assert httpx.get(f"{base}/teselas/municipios/14/3789/7403.pbf").status_code < 400
            assert httpx.get(f"{base}/teselas/nada/1/0/0.pbf").status_code == 400
        finally:
            server.terminate()
            server.wait(timeout=20)
    written = log.read_text(encoding="utf-8")
    assert '"POST /campo/buscar HTTP/1.1" 200' in written  # the access log is there
    assert '"GET /auditoria HTTP/1.1" 200' in written
    assert "/teselas/municipios" not in written
    assert '"GET /teselas/nada/1/0/0.pbf HTTP/1.1" 400' in written
    for secret in (MARIA, "F1", "Zenaida", "ZENAIDA", "Xicot", "curp=", "usuario="):
        assert secret not in written, secret
