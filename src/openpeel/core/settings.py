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
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
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
    lake: Path | None = Field(
        default=None,
        description="Folder of the Parquet lake of data.police.uk records (default: lake in home, or "
        "NAME-lake beside the warehouse when db is set)",
    )
    data: Path | None = Field(
        default=None, description="Folder of the original files (default: the bundled aggregate table)"
    )
    host: str = Field(default="127.0.0.1", description="Address to listen on")
    port: int = Field(default=8000, ge=0, le=65535, description="Port to listen on (0: any free port)")
    secret_key: str = Field(
        default=DEV_SECRET,
        min_length=16,
        description="Secret that signs the sign-in form's security token (an HMAC); not the audit key",
    )
    audit_key: str | None = Field(
        default=None,
        min_length=16,
        description="Secret the audit trail's hash chain is keyed with (HMAC-SHA256); kept outside the "
        "database. Default for an SQLite store: a random key in a file named for the store under "
        "$XDG_CONFIG_HOME/openpeel/audit-keys (else ~/.config/openpeel/audit-keys)",
    )
    audit_head_log: Path | None = Field(
        default=None,
        description="Append-only log of the audit chain's head, written at every publication and "
        "`openpeel audit head` (default: audit-heads.log in home)",
    )
    access_log: bool = Field(default=True, description="`openpeel serve`: one line per request on stderr")
    session_hours: float = Field(default=8.0, gt=0, description="How long a sign-in lasts")
    cookie_secure: bool = Field(default=False, description="Send the session cookie over HTTPS only")
    login_attempts: int = Field(
        default=5,
        ge=1,
        description="Failed sign-ins for one account from one address before each further try waits",
    )
    login_window_seconds: int = Field(
        default=300, ge=1, description="Failures are forgotten after this long without another"
    )
    login_backoff_max_seconds: int = Field(
        default=900, ge=1, description="Longest wait between tries (the wait doubles with each failure)"
    )
    base_url: str | None = Field(
        default=None,
        description="Public address of the app (e.g. https://peel.example.org), used for every absolute "
        "link; default http://HOST:PORT",
    )
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Host names requests may be addressed to (a leading '.' allows subdomains, '*' any); "
        "default: the base URL's host and the loopback names",
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Addresses or networks (CIDR) of reverse proxies whose X-Forwarded-For is believed",
    )

    @field_validator("allowed_hosts", "trusted_proxies", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        """OPENPEEL_ALLOWED_HOSTS=a.example,b.example as well as a TOML list."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"trusted_proxies: {entry!r} is not an IP address or network") from None
        return value

    @field_validator("base_url")
    @classmethod
    def _absolute(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError(f"base_url {value!r} must be http(s)://HOST[:PORT][/PATH]")
        return value.rstrip("/")

    @property
    def public_base_url(self) -> str:
        """Where absolute links point: base_url, else this server's own address."""
        if self.base_url:
            return self.base_url
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def hosts_allowed(self) -> list[str]:
        """Host header values accepted (lower case, no port)."""
        if self.allowed_hosts:
            names = [h.lower() for h in self.allowed_hosts]
        else:
            # Loopback names are harmless to accept: links never come from the Host header. Starlette's
            # TestClient calls itself "testserver".
            names = ["localhost", "127.0.0.1", "::1", "testserver", self.host.lower()]
        own = urlsplit(self.public_base_url).hostname
        return sorted({*names, *([own.lower()] if own else [])})

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

    def lake_path(self) -> Path:
        """Where ingest writes record-level Parquet: each warehouse has its own lake, since a lake's
        partitions are replaced whenever the warehouse that owns it ingests."""
        if self.lake is not None:
            return self.lake
        if self.db is not None:
            from openpeel.core.locations import lake_beside

            return lake_beside(self.db)
        return self.home / "lake"

    def store_url(self) -> str:
        return self.store or f"sqlite:///{self.home / 'workspace.sqlite'}"

    def check_safe(self) -> None:
        """Refuse the development secret, or no public address, anywhere but loopback."""
        if is_loopback(self.host):
            return
        if self.secret_key == DEV_SECRET:
            raise OpenpeelError(
                f"refusing to listen on {self.host} with the development secret: set OPENPEEL_SECRET_KEY "
                "(or secret_key in the OPENPEEL_CONFIG file) to a long random value"
            )
        if self.base_url is None:
            raise OpenpeelError(
                f"refusing to listen on {self.host} without a public address: set OPENPEEL_BASE_URL "
                "(or base_url in the OPENPEEL_CONFIG file), e.g. https://peel.example.org; absolute "
                "links and the allowed Host names come from it"
            )


def is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
