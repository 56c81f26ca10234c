"""Settings of the service and the CLI, read from environment variables (and ``.env``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Everything configurable; each field is ``PADRON_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(
        env_prefix="PADRON_", env_file=".env", extra="ignore", populate_by_name=True
    )

    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "PADRON_DATABASE_URL"),
        description="PostGIS server to use; without it the project runs its own local cluster.",
    )
    home: Path = Field(
        default=REPO_ROOT / ".padron",
        description="Project state: the local cluster, download cache, uploads, photos.",
    )
    data_dir: Path = Field(
        default=REPO_ROOT.parent / "shared" / "data",
        description="Directory with the INEGI/CONAPO products for Oaxaca.",
    )
    reglas_dir: Path = Field(
        default=REPO_ROOT / "reglas",
        description="Directory with the rules of operation, one YAML file per program.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    max_page_size: int = 1000
    max_upload_mb: int = Field(default=1024, description="Largest roster accepted by POST /cargas.")
    token_minutes: int = Field(
        default=480, ge=1, description="Lifetime of an API token (a working day by default)."
    )
    k_anonimato: int = Field(
        default=5, ge=2, description="Published counts below this many persons are suppressed."
    )
    transparency_cache_seconds: float = Field(
        default=300, ge=0, description="How long published counts are reused before recounting."
    )
    public_requests_per_minute: int = Field(
        default=120, ge=1, description="Per-client rate limit on public endpoints."
    )
    public_tiles_per_minute: int = Field(
        default=3000, ge=1, description="Per-client rate limit on map tiles."
    )
    max_photo_mb: float = Field(default=5, gt=0, description="Largest dwelling photo accepted.")
    campo_precision_max_m: float = Field(
        default=30,
        gt=0,
        description="Accuracy radius (metres) up to which a phone fix is a verified point; a "
        "poorer fix is kept as campo_impreciso.",
    )
    foto_lado_px: int = Field(
        default=1600, ge=320, le=8000, description="Longest side a phone resizes photos to."
    )
    foto_max_kb: int = Field(
        default=1000, ge=50, description="Size a phone compresses photos under before upload."
    )
    plan_horas: float = Field(
        default=12, gt=0, le=72, description="How long a phone keeps a downloaded visit plan."
    )
    plan_max_registros: int = Field(
        default=3000, ge=1, description="Most records one visit plan may hold."
    )
    basemap_url: str | None = Field(
        default=None,
        description="Optional raster tile URL template for the map background (none: offline map).",
    )

    @property
    def photo_dir(self) -> Path:
        """Dwelling photos: outside every served directory, read only through the API."""
        return self.home / "fotos"

    @property
    def cluster_dir(self) -> Path:
        """Where the embedded PostgreSQL cluster lives."""
        return self.home / "db"


def resolve_database_url(settings: Settings) -> str:
    """``DATABASE_URL`` if given, otherwise start (or reuse) the project's own cluster."""
    if settings.database_url:
        return settings.database_url
    from devtools.cluster import LocalCluster

    return LocalCluster(settings.cluster_dir).start()
