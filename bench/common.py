"""Shared pieces of the benchmarks: a throwaway database, machine facts, result files."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, text

from api.settings import REPO_ROOT, Settings
from devtools.cluster import LocalCluster
from geo.kernel.db import make_engine, upgrade

OUT = REPO_ROOT / "bench" / "out"


def machine() -> dict[str, object]:
    """What the numbers were measured on."""
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")))  # fmt: skip
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True, check=False).stdout
    return {
        "fecha": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": cpu,
        "nucleos": os.cpu_count(),
        "memoria_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "postgresql": pg.strip(),
    }


@contextmanager
def throwaway_database() -> Iterator[str]:
    """A fresh, migrated database on DATABASE_URL's server or the project's bench cluster."""
    settings = Settings()
    if settings.database_url:
        yield settings.database_url
        return
    cluster = LocalCluster(REPO_ROOT / ".padron" / "bench-db")
    cluster.start()
    name = f"bench_{uuid.uuid4().hex[:8]}"
    url = cluster.create_database(name)
    try:
        upgrade(make_engine(url))
        yield url
    finally:
        cluster.drop_database(name)


def peak_rss_mb() -> float:
    """This process's peak resident memory.

    ``VmHWM`` rather than ``getrusage``: on Linux ``ru_maxrss`` survives fork and exec, so a child
    would report its parent's peak.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmHWM not found in /proc/self/status")


def postmaster(engine: Engine) -> int | None:
    """The server process of ``engine``'s database when it runs on this machine (the parent of
    this connection's backend), else None: its CPU and memory are then not measured."""
    with engine.connect() as conn:
        backend = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    try:
        fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1])


def children(pid: int) -> list[int]:
    """The live child processes of ``pid`` (a server's backends and workers)."""
    try:
        listing = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:  # a kernel without CONFIG_PROC_CHILDREN: look at every process
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(stat.parent.name))
            except (OSError, IndexError):
                continue
        return found
    return [int(child) for child in listing.split()]


def cpu_seconds(root: int | None) -> float:
    """CPU seconds of process ``root`` and its children, live and reaped."""
    if root is None:
        return 0.0
    total = 0
    for pid in [root, *children(root)]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # a backend that has just ended: the root has reaped its time
        # utime, stime, and for the root cutime, cstime: what its ended children used
        total += sum(int(v) for v in fields[11 : 15 if pid == root else 13])
    return total / os.sysconf("SC_CLK_TCK")


def save(name: str, result: dict[str, object]) -> Path:
    """Write ``bench/out/<name>.json`` and return its path."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    return path


DOCS = REPO_ROOT / "docs" / "benchmarks.md"
"""Where the benchmarks write their results, each between markers of its own."""


def write_docs(
    markers: tuple[str, str], section: str, *, keep_earlier: bool, docs: Path = DOCS
) -> None:
    """Write ``section`` between ``markers`` in ``docs``: above what is there with
    ``keep_earlier`` (a record of runs, newest first, with notes written beside them), else in
    its place (a table of the latest run only)."""
    document = docs.read_text(encoding="utf-8")
    start, end = markers
    found = re.search(re.escape(start) + "\n?(.*?)" + re.escape(end), document, re.S)
    if found is None:
        raise SystemExit(f"{docs}: no {start} ... {end} markers")
    kept = found.group(1) if keep_earlier else ""
    joined = f"{section.rstrip()}\n\n{kept}" if kept else section
    written = f"{document[: found.start()]}{start}\n{joined}{end}{document[found.end() :]}"
    docs.write_text(written, encoding="utf-8")
