"""Where openpeel's data lives, worked out once at the edges and handed down.

The command line (`openpeel --home DIR --store URL ... --db PATH`) and the web app's settings are
the only places that read `Settings`; each makes one `Locations` and passes it to everything
below. Nothing below the edges guesses a path: a warehouse is opened with the lake it owns, a
store with its URL and audit key. So `--home /x` reaches every file openpeel touches, the lake of
a private warehouse copy included.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpeel.core.settings import Settings

TMP_FOLDER = "tmp"
HEAD_LOG = "audit-heads.log"


def lake_beside(warehouse: Path) -> Path:
    """The lake of a warehouse file named on its own (`--db PATH`): `PATH-lake` beside it. Each
    warehouse has its own lake, since a lake's files are replaced whenever its warehouse ingests."""
    return warehouse.with_name(f"{warehouse.stem}-lake")


@dataclass(frozen=True)
class Locations:
    """Every place a command reads or writes."""

    home: Path
    """the embedded default's folder (warehouse, store, lake, temporary files, the audit head log)"""
    warehouse: Path
    """the DuckDB file"""
    lake: Path
    """the Parquet lake of data.police.uk records that the warehouse's views read"""
    store_url: str
    """the workspace store (SQLite file or PostgreSQL)"""
    audit_key: str | None = None
    """the audit chain's key where configured; else the key file (see openpeel.store.keys)"""
    data: Path | None = None
    """the original ONS and Home Office files, where given; else the bundled table"""
    head_log_file: Path | None = None
    """the audit head log where configured; else `head_log` in the home folder"""

    @classmethod
    def from_settings(cls, settings: Settings) -> Locations:
        return cls(
            home=settings.home,
            warehouse=settings.warehouse_path(),
            lake=settings.lake_path(),
            store_url=settings.store_url(),
            audit_key=settings.audit_key,
            data=settings.data,
            head_log_file=settings.audit_head_log,
        )

    @classmethod
    def in_folder(cls, home: Path, *, store_url: str | None = None, data: Path | None = None) -> Locations:
        """The embedded default in `home` (tests, scripts, benchmarks)."""
        return cls(
            home=home,
            warehouse=home / "warehouse.duckdb",
            lake=home / "lake",
            store_url=store_url or f"sqlite:///{home / 'workspace.sqlite'}",
            data=data,
        )

    def with_warehouse(self, path: Path) -> Locations:
        """Another warehouse file with its own lake beside it (`NAME-lake`), as `--db` gives."""
        return replace(self, warehouse=path, lake=lake_beside(path))

    @property
    def head_log(self) -> Path:
        """The audit chain's append-only head log (openpeel.store.head_log): outside the
        database, written at every publication, `openpeel audit head` and key rotation."""
        return self.head_log_file if self.head_log_file is not None else self.home / HEAD_LOG

    @property
    def tmp(self) -> Path:
        """Temporary files of running commands: inside the home folder, so they count against the
        same disk as the data and are found and removed after a crash."""
        return self.home / TMP_FOLDER
