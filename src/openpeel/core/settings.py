"""openpeel's settings in one typed class, for the CLI and the web app alike: command-line
options override environment variables (OPENPEEL_*), which override the TOML file named by
OPENPEEL_CONFIG, which overrides the defaults.

Where data lives: the home folder (`home`, default ./openpeel-data) holds the embedded default:
the warehouse file and the SQLite workspace store. `db` and `store` point elsewhere.

The web app refuses to start on a non-loopback host with the development secret, so a
deployment can't accidentally run with a secret that is published in this repository.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from openpeel.core.errors import OpenpeelError

DEV_SECRET = "openpeel-development-secret-do-not-use-in-production"


class Settings(BaseSettings):
    """Each field can be set as OPENPEEL_<NAME> or in the TOML file named by OPENPEEL_CONFIG
    (keys as below)."""

    model_config = SettingsConfigDict(env_prefix="OPENPEEL_", extra="forbid")

    home: Path = Field(
        default=Path("openpeel-data"), description="Folder of the embedded default: warehouse and store"
    )
    db: Path | None = Field(default=None, description="Warehouse file (default: warehouse.duckdb in home)")
    store: str | None = Field(
        default=None,
        description="Workspace store URL, e.g. postgresql://user@host:5432/openpeel (default: SQLite in home)",
    )
    data: Path | None = Field(
        default=None, description="Folder of the original files (default: the bundled aggregate table)"
    )
    host: str = Field(default="127.0.0.1", description="Address to listen on")
    port: int = Field(default=8000, ge=1, le=65535, description="Port to listen on")
    secret_key: str = Field(default=DEV_SECRET, min_length=16, description="Secret for session tokens")
    session_hours: float = Field(default=8.0, gt=0, description="How long a sign-in lasts")
    cookie_secure: bool = Field(default=False, description="Send the session cookie over HTTPS only")
    login_attempts: int = Field(
        default=5, ge=1, description="Failed sign-ins allowed per window before refusing"
    )
    login_window_seconds: int = Field(default=300, ge=1, description="Window for counting failed sign-ins")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        import os

        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config = os.environ.get("OPENPEEL_CONFIG")
        if config:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config)))
        return tuple(sources)

    def warehouse_path(self) -> Path:
        return self.db if self.db is not None else self.home / "warehouse.duckdb"

    def store_url(self) -> str:
        return self.store or f"sqlite:///{self.home / 'workspace.sqlite'}"

    def check_safe(self) -> None:
        """Refuse the development secret anywhere but loopback."""
        if self.secret_key == DEV_SECRET and not is_loopback(self.host):
            raise OpenpeelError(
                f"refusing to listen on {self.host} with the development secret: set OPENPEEL_SECRET_KEY "
                "(or secret_key in the OPENPEEL_CONFIG file) to a long random value"
            )


def is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
