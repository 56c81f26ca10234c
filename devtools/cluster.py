"""An embedded PostgreSQL + PostGIS cluster in a project directory, for development and tests.

Used when no ``DATABASE_URL`` is given. ``initdb`` refuses to run as root, so when the current
user is root the server runs as an unprivileged system user (``postgres`` if the distribution
created it, else ``padron``, created on demand). The cluster listens on 127.0.0.1 only, on a free
port chosen at creation and remembered in the data directory, with trust authentication for the
loopback interface: it is a local development server, not a deployment (see ``docker/``).
"""

from __future__ import annotations

import os
import pwd
import re
import resource
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from geo.kernel.errors import ClusterError

SUPERUSER = "padron"
DATABASE = "padron"
_FALLBACK_SYSTEM_USER = "padron"
_DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@dataclass(frozen=True)
class ClusterStatus:
    """What ``padron db status`` reports."""

    data_dir: Path
    initialised: bool
    running: bool
    port: int | None
    url: str | None


def find_bin_dir() -> Path:
    """Return the newest PostgreSQL ``bin`` directory whose server has PostGIS installed."""
    candidates: list[tuple[int, Path]] = []
    for bin_dir in Path("/usr/lib/postgresql").glob("*/bin"):
        version = bin_dir.parent.name
        if not version.isdigit() or not (bin_dir / "initdb").exists():
            continue
        if Path(f"/usr/share/postgresql/{version}/extension/postgis.control").exists():
            candidates.append((int(version), bin_dir))
    if not candidates:
        raise ClusterError(
            "No se encontró PostgreSQL con PostGIS (se buscó /usr/lib/postgresql/*/bin y "
            "postgis.control). Instale el paquete postgresql-15-postgis-3 (scripts/bootstrap) o "
            "defina DATABASE_URL."
        )
    return max(candidates)[1]


class LocalCluster:
    """A PostgreSQL cluster living in ``data_dir``; idempotent ``start``/``stop``."""

    def __init__(self, data_dir: Path, max_file_bytes: int | None = None) -> None:
        """``max_file_bytes`` caps each file the server writes (RLIMIT_FSIZE): past it a write
        fails as on a full disk. For fault tests; PostgreSQL ignores SIGXFSZ for this use."""
        self.data_dir = data_dir.resolve()
        self.max_file_bytes = max_file_bytes
        self.pgdata = self.data_dir / "pgdata"
        self.socket_dir = self.data_dir / "run"
        self.log_file = self.data_dir / "postgres.log"
        self._port_file = self.data_dir / "port"

    # -- public -------------------------------------------------------------------------------

    @property
    def port(self) -> int | None:
        """The port the cluster was created with, or None before ``init``."""
        if not self._port_file.exists():
            return None
        return int(self._port_file.read_text().strip())

    def url(self, database: str = DATABASE) -> str:
        """SQLAlchemy URL (psycopg 3 driver) of a database in this cluster."""
        if self.port is None:
            raise ClusterError(f"El clúster en {self.data_dir} no está inicializado.")
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def status(self) -> ClusterStatus:
        """Report whether the cluster exists and runs, without changing anything."""
        initialised = (self.pgdata / "PG_VERSION").exists()
        running = initialised and self._is_running()
        return ClusterStatus(
            data_dir=self.data_dir,
            initialised=initialised,
            running=running,
            port=self.port,
            url=self.url() if initialised and self.port else None,
        )

    def start(self) -> str:
        """Create the cluster if needed, start it, ensure the database exists; return its URL.

        The wait is long because a server that was killed replays its WAL before it accepts
        connections, which took over a minute on a loaded two-core machine."""
        if not (self.pgdata / "PG_VERSION").exists():
            self._init()
        if not self._is_running():
            self._run(
                [
                    str(find_bin_dir() / "pg_ctl"),
                    "start",
                    "--wait",
                    "--timeout=600",
                    "-D",
                    str(self.pgdata),
                    "-l",
                    str(self.log_file),
                    "-o",
                    f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1",
                ],
                what="iniciar PostgreSQL",
                max_file_bytes=self.max_file_bytes,
            )
        self._wait_for_connections()
        self._ensure_database(DATABASE)
        return self.url()

    def stop(self) -> None:
        """Stop the server if it runs (fast shutdown: open transactions are rolled back)."""
        if self._is_running():
            self._run(
                [
                    str(find_bin_dir() / "pg_ctl"),
                    "stop",
                    "--wait",
                    "-m",
                    "fast",
                    "-D",
                    str(self.pgdata),
                ],
                what="detener PostgreSQL",
            )

    def create_database(self, name: str) -> str:
        """Create an empty database (used by tests for throwaway databases); return its URL."""
        self._ensure_database(name)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting its sessions first."""
        if not _DATABASE_NAME.fullmatch(name):
            raise ClusterError(f"Nombre de base de datos no válido: {name!r} (use [a-z0-9_]).")
        self._psql('DROP DATABASE IF EXISTS :"db" WITH (FORCE)', db=name)

    # -- private ------------------------------------------------------------------------------

    def _init(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        self._port_file.write_text(str(_free_port()))
        self._chown_for_server(self.data_dir)
        self._run(
            [
                str(find_bin_dir() / "initdb"),
                "-D",
                str(self.pgdata),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ],
            what="crear el clúster (initdb)",
        )
        # Tuned for a 2-core, 24 GB machine doing bulk loads; durability matters less than speed
        # for a development cluster, so synchronous_commit is off (a crash loses the last
        # transactions, never corrupts).
        with (self.pgdata / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# padron: local development settings\n"
                "shared_buffers = '1GB'\nwork_mem = '64MB'\nmaintenance_work_mem = '512MB'\n"
                "max_wal_size = '4GB'\nsynchronous_commit = off\nmax_connections = 100\n"
            )

    def _is_running(self) -> bool:
        if not (self.pgdata / "PG_VERSION").exists():
            return False
        status = _as_server_user([str(find_bin_dir() / "pg_ctl"), "status", "-D", str(self.pgdata)])
        return status.returncode == 0

    def _wait_for_connections(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port or 0)) == 0:
                    return
            time.sleep(0.2)
        raise ClusterError(f"PostgreSQL no acepta conexiones; vea {self.log_file}")

    def _ensure_database(self, name: str) -> None:
        if not _DATABASE_NAME.fullmatch(name):
            raise ClusterError(f"Nombre de base de datos no válido: {name!r} (use [a-z0-9_]).")
        # psql variables quote the name (:'v' as a literal, :"v" as an identifier).
        exists = self._psql("SELECT 1 FROM pg_database WHERE datname = :'db'", db=name)
        if exists.strip() != "1":
            self._psql('CREATE DATABASE :"db"', db=name)

    def _psql(self, sql: str, **variables: str) -> str:
        """Run one administrative statement in the ``postgres`` database with psql variables."""
        psql = shutil.which("psql") or str(find_bin_dir() / "psql")
        command = [psql, "-XAtq", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER]
        command += ["-d", "postgres", *(f"--set={k}={v}" for k, v in variables.items())]
        return self._run(command, what="ejecutar SQL de administración", input_text=sql)

    def _run(
        self,
        command: list[str],
        what: str,
        input_text: str | None = None,
        max_file_bytes: int | None = None,
    ) -> str:
        result = _as_server_user(command, input_text, max_file_bytes)
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
            raise ClusterError(f"No se pudo {what}: {' '.join(detail)} (registro: {self.log_file})")
        return result.stdout

    def _chown_for_server(self, path: Path) -> None:
        if os.geteuid() != 0:
            return
        user = _server_user()
        for item in [path, *path.rglob("*")]:
            os.chown(item, user.pw_uid, user.pw_gid)
        # The server user must be able to reach the directory through its parents.
        for parent in path.parents:
            mode = parent.stat().st_mode
            if not mode & 0o001:
                raise ClusterError(
                    f"El usuario {user.pw_name} no puede atravesar {parent}; use PADRON_HOME en "
                    "un directorio accesible."
                )


def _as_server_user(
    command: list[str], input_text: str | None = None, max_file_bytes: int | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL program, dropping root privileges to the server's system user (and
    capping the size of the files it and its children write, if asked)."""

    def limit() -> None:
        if max_file_bytes is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_bytes, max_file_bytes))

    if os.geteuid() != 0:
        return subprocess.run(
            command, capture_output=True, text=True, input=input_text, check=False,
            preexec_fn=limit,
        )  # fmt: skip
    user = _server_user()
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        input=input_text,
        check=False,
        user=user.pw_uid,
        group=user.pw_gid,
        extra_groups=[],
        cwd="/",
        preexec_fn=limit,
    )


def _server_user() -> pwd.struct_passwd:
    for name in ("postgres", _FALLBACK_SYSTEM_USER):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    subprocess.run(
        [
            "useradd",
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            _FALLBACK_SYSTEM_USER,
        ],
        check=True,
    )
    return pwd.getpwnam(_FALLBACK_SYSTEM_USER)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
