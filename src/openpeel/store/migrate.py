"""Running the workspace store's Alembic migrations from code (no alembic.ini needed).

The migration scripts live in `migrations/versions/`, one per schema change; each spells out its
DDL and never changes once shipped.
"""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from openpeel.store.engine import Store


def alembic_config(store: Store) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("openpeel.store").joinpath("migrations")))
    config.set_main_option("sqlalchemy.url", store.url)
    return config


def head_revision(store: Store) -> str:
    head = ScriptDirectory.from_config(alembic_config(store)).get_current_head()
    assert head is not None
    return head


def current_revision(store: Store) -> str | None:
    with store.read() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(store: Store, revision: str = "head") -> None:
    """Apply migrations up to `revision`, in one write transaction (writers take turns)."""
    config = alembic_config(store)
    with store.write() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def upgrade_to_head(store: Store) -> None:
    if current_revision(store) != head_revision(store):
        upgrade(store)
