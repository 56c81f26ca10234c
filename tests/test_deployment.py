"""The deployment files keep data and rules: ``docker compose config`` accepts the compose
file, photos live on a named volume, and the image holds every package and the rules."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from typing import Any

import pytest
import yaml

from api.settings import REPO_ROOT

DOCKER = REPO_ROOT / "docker"
PHOTOS = "/home/padron/state/fotos"


def compose() -> list[str]:
    """The compose client: Docker's plugin, or Debian's docker-compose (scripts/bootstrap)."""
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    if legacy := shutil.which("docker-compose"):
        return [legacy]
    pytest.fail("Falta docker compose: scripts/bootstrap instala el paquete docker-compose.")


def resolved() -> dict[str, Any]:
    env = {**os.environ, "PADRON_DB_PASSWORD": "prueba"}
    result = subprocess.run(
        [*compose(), "-f", str(DOCKER / "compose.yaml"), "config"],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = yaml.safe_load(result.stdout)
    return document


def test_compose_config_is_valid_and_photos_live_on_a_named_volume() -> None:
    document = resolved()
    mounts = []
    for volume in document["services"]["api"]["volumes"]:
        if isinstance(volume, str):  # docker-compose 1.x prints the short syntax
            source, target, *_ = volume.split(":")
            mounts.append((source, target))
        else:
            mounts.append((volume.get("source"), volume["target"]))
    assert ("fotos", PHOTOS) in mounts
    assert "fotos" in document["volumes"] and "pgdata" in document["volumes"]
    assert "PADRON_TRUSTED_PROXIES" in document["services"]["api"]["environment"]


def test_compose_refuses_to_start_without_a_database_password() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PADRON_DB_PASSWORD"}
    result = subprocess.run(
        [*compose(), "-f", str(DOCKER / "compose.yaml"), "config"],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert result.returncode != 0 and "PADRON_DB_PASSWORD" in result.stderr


def test_the_image_holds_every_package_and_the_rules() -> None:
    dockerfile = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    with (REPO_ROOT / "pyproject.toml").open("rb") as handle:
        packages = tomllib.load(handle)["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    copied = {line.split()[1] for line in dockerfile.splitlines() if line.startswith("COPY ")}
    assert set(packages) <= copied, set(packages) - copied
    assert "reglas" in copied and "PADRON_REGLAS_DIR=/app/reglas" in dockerfile
    assert f'VOLUME ["{PHOTOS}"]' in dockerfile
