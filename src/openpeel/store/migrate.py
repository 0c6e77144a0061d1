"""Running the workspace store's Alembic migrations from code (no alembic.ini needed).

The migration scripts live in `migrations/versions/`, one per schema change; each spells out its
DDL and never changes once shipped. Work on the data that a new revision calls for, and that needs
today's code (signing audit events with the key), is done here, after the scripts, in the same
transaction.
"""

from __future__ import annotations

import contextlib
from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from openpeel.core.errors import OpenpeelError
from openpeel.store.engine import Store
from openpeel.store.user_audit import adopt_users

# From this revision on, users are audited: the users already there are recorded as they stand.
USERS_AUDITED = "0005"


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


def _revisions_up_to(store: Store, revision: str | None) -> set[str]:
    if revision is None:
        return set()
    script = ScriptDirectory.from_config(alembic_config(store))
    return {r.revision for r in script.walk_revisions(base="base", head=revision)}


def upgrade(store: Store, revision: str = "head") -> None:
    """Apply migrations up to `revision`, in one write transaction (writers take turns)."""
    config = alembic_config(store)
    before = _revisions_up_to(store, current_revision(store))
    with store.write() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
        after = _revisions_up_to(store, MigrationContext.configure(conn).get_current_revision())
        if USERS_AUDITED in after - before:
            # No key to sign with (a PostgreSQL store without one, or a lost key): verify will
            # name the users no event records, and `openpeel users adopt` records them later.
            with contextlib.suppress(OpenpeelError):
                adopt_users(conn)


def upgrade_to_head(store: Store) -> None:
    if current_revision(store) != head_revision(store):
        upgrade(store)
