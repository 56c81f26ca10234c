"""Settings of the service and the CLI, read from environment variables (and ``.env``)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from geo.access.users import LoginPolicy
    from geo.ingest.reader import ReadLimits

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
        default=5,
        ge=2,
        description="Published counts below this many persons are suppressed (applied when the "
        "publication is rebuilt, after each coverage refresh).",
    )
    public_requests_per_minute: int = Field(
        default=120, ge=1, description="Per-client rate limit on public endpoints."
    )
    public_tiles_per_minute: int = Field(
        default=3000, ge=1, description="Per-client rate limit on map tiles."
    )
    db_pool_size: int = Field(
        default=10,
        ge=1,
        description="Database connections each server process opens at start and keeps; a "
        "request waits for a free one rather than opening another.",
    )
    db_pool_timeout: float = Field(
        default=10, gt=0, description="Seconds a request waits for a free connection (then 503)."
    )
    tile_pool_size: int = Field(
        default=4,
        ge=1,
        description="Database connections each server process keeps for map tiles and field "
        "checks, besides PADRON_DB_POOL_SIZE; a request waits for a free one rather than "
        "opening another.",
    )
    tile_cache_mb: float = Field(
        default=64, ge=0, description="Memory per process for hot low-zoom tiles (0: no cache)."
    )
    tile_cache_max_zoom: int = Field(
        default=10, ge=0, le=22, description="Deepest zoom whose tiles are kept in that cache."
    )
    tile_version_seconds: float = Field(
        default=1,
        ge=0,
        description="How long a process reuses the data version before reading it again: a "
        "load or refresh reaches tile URLs and ETags within this time.",
    )
    max_photo_mb: float = Field(default=5, gt=0, description="Largest dwelling photo accepted.")
    max_photo_pixels: int = Field(
        default=40_000_000, ge=1, description="Largest photo in pixels (decompression bombs)."
    )
    max_line_kb: int = Field(
        default=1024, ge=1, description="Longest line of an uploaded CSV roster, in KiB."
    )
    max_fields: int = Field(default=1000, ge=1, description="Most columns of a roster's header.")
    max_xlsx_mb: int = Field(
        default=512, ge=1, description="Most MB an XLSX roster may expand to (as its zip declares)."
    )
    max_xlsx_ratio: float = Field(
        default=100, gt=1, description="Largest compression ratio of any part of an XLSX roster."
    )
    max_xlsx_rows: int = Field(default=1_048_576, ge=1, description="Most rows of an XLSX sheet.")
    trusted_proxies: str = Field(
        default="",
        description="Addresses (or networks) of the reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed, comma-separated; empty (default): none, the client is "
        "the connecting address. Behind a proxy set it, or every client shares its rate limit.",
    )
    login_failures_per_user: int = Field(
        default=5, ge=1, description="Failed logins per user name in the window before lockout."
    )
    login_failures_per_address: int = Field(
        default=20, ge=1, description="Failed logins per client address in the window."
    )
    login_window_minutes: int = Field(
        default=15, ge=1, description="The window of failed logins counted for lockout."
    )
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
    def read_limits(self) -> ReadLimits:
        """The limits a roster file is checked against before it is read."""
        from geo.ingest.reader import ReadLimits  # polars and pyarrow: not for every command

        return ReadLimits(
            max_line_bytes=self.max_line_kb * 1024,
            max_fields=self.max_fields,
            max_xlsx_bytes=self.max_xlsx_mb * 2**20,
            max_xlsx_ratio=self.max_xlsx_ratio,
            max_xlsx_rows=self.max_xlsx_rows,
        )

    @property
    def login_policy(self) -> LoginPolicy:
        """How many failed logins lock a user name or an address out, and for how long."""
        from geo.access.users import LoginPolicy

        return LoginPolicy(
            self.login_failures_per_user,
            self.login_failures_per_address,
            timedelta(minutes=self.login_window_minutes),
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
