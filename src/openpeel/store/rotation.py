"""`openpeel audit rotate-key`: the chain continues under a new audit key.

A rotation is itself an audit event, signed with the new key. It records the old key's id, the
new key's id, how many events came before it and a SHA-256 digest of all of them (their content
and hashes), and, when the old key is held, a proof signed with the old key that its holder handed
the chain on. From then on events are signed with the new key; `verify_chain` checks the events
before with the old key where it is still held (kept as a retired key file), and otherwise through
the digest, which anyone can recompute and only the new key's holder could have signed. The head
log records the rotation.

Rotating after the key was lost (`lost_key`) cannot prove the events before were untouched while
it was gone: it pins them as they stand, and verify says so for as long as the chain exists.

For a key file, the new key is written beside the current one first (`NAME.next.key`), the event
committed, and the files then swapped (the old one kept as `NAME.retired-ID.key`): a rotation cut
short between the commit and the swap is finished the next time the key is looked for.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from openpeel.core.errors import OpenpeelError
from openpeel.store.audit import (
    KEY_ENTITY,
    WORKSPACE_SCOPE,
    ChainHead,
    append_event,
    chain_digest,
    events,
    last_event,
    require_actor,
    rotation_proof,
    verify_chain,
)
from openpeel.store.engine import Store, after_commit
from openpeel.store.head_log import append_head
from openpeel.store.keys import (
    NEW_KEY_VARIABLE,
    AuditKeys,
    key_id,
    move_into_place,
    new_key,
    read_key_file,
    retired_file,
    staged_file,
    write_key_file,
)


@dataclass(frozen=True)
class Rotation:
    event_id: int
    old_key_id: str | None
    new_key_id: str
    prior_events: int
    key_file: str | None
    """where the new key now is (None: configured; the caller must set it)"""


def _new_key(keys: AuditKeys) -> bytes:
    """The key to rotate to: generated into a staged file beside the key file, or (a configured
    key) read from OPENPEEL_NEW_AUDIT_KEY, since openpeel cannot change a configuration."""
    if keys.file is None or keys.configured is not None:
        value = os.environ.get(NEW_KEY_VARIABLE, "").strip()
        if len(value) < 16:
            raise OpenpeelError(
                "this store's audit key is configured (OPENPEEL_AUDIT_KEY or audit_key): put the new key, "
                f"a long random value, in {NEW_KEY_VARIABLE} for the rotation, then set OPENPEEL_AUDIT_KEY "
                "to it everywhere this store is written"
            )
        return value.encode()
    staged = staged_file(keys.file)
    with contextlib.suppress(FileNotFoundError):
        staged.unlink()  # left by a rotation whose event never committed
    write_key_file(staged, new_key(), about=keys.store)
    return read_key_file(staged)


def _swap(keys: AuditKeys, staged: Path | None, old: bytes | None, committed: list[bool]) -> None:
    committed.append(True)
    if staged is not None and keys.file is not None:
        move_into_place(staged, keys.file, retired_file(keys.file, key_id(old)) if old else None)
    keys.forget()


def _check_old(old: bytes | None, *, lost_key: bool) -> None:
    if old is None and not lost_key:
        raise OpenpeelError(
            "this command has no audit key to hand the chain on from: restore it (see `openpeel audit "
            "verify`), or, if it is lost for good, rotate with --lost-key"
        )
    if old is not None and lost_key:
        raise OpenpeelError(f"the audit key (id {key_id(old)}) is here: rotate without --lost-key")


def rotate_key(store: Store, *, by: str, reason: str | None, lost_key: bool = False) -> Rotation:
    """Continue the chain under a new key (see the module's docstring)."""
    actor = require_actor(by)
    why = (reason or "").strip()
    if not why:
        raise OpenpeelError("say why the key is rotated (--reason)")
    keys = store.keys
    staged = staged_file(keys.file) if keys.file is not None and keys.configured is None else None
    committed: list[bool] = []
    try:
        # The new key file is written inside the write transaction: no other writer can look
        # for the key (and find a half-made rotation) until the event has committed.
        with store.write() as conn:
            keys.settle(conn)
            old = keys.current()
            _check_old(old, lost_key=lost_key)
            new = _new_key(keys)
            if old is not None and key_id(new) == key_id(old):
                raise OpenpeelError("the new audit key is the same as the current one")
            if old is not None:
                check = verify_chain(conn, old)
                if not check.is_intact:
                    raise OpenpeelError(
                        f"the audit chain does not verify (event {check.first_bad_event}: {check.problem}): "
                        "rotating now would hand on a damaged chain; see `openpeel audit verify`"
                    )
            count, digest = chain_digest(conn)
            _, prev_hash = last_event(conn)
            new_id = key_id(new)
            event = append_event(
                conn,
                new,
                actor=actor,
                action="rotate-key",
                entity=KEY_ENTITY,
                scope=(WORKSPACE_SCOPE, 0),
                entity_id=new_id,
                before={"key_id": key_id(old) if old else None},
                after={
                    "key_id": new_id,
                    "old_key_id": key_id(old) if old else None,
                    "old_key": "held" if old else "lost",
                    "prior_events": count,
                    "prior_digest": digest,
                    "old_key_proof": rotation_proof(old, new_id, prev_hash) if old else None,
                },
                reason=why,
            )
            # First thing after the commit, before the head log is written (which may fail).
            after_commit(conn, lambda: _swap(keys, staged, old, committed))
            append_head(conn, ChainHead.of(event), "key rotation", key=new)
    except BaseException:
        if staged is not None and not committed:
            with contextlib.suppress(FileNotFoundError):
                staged.unlink()
        raise
    return Rotation(
        event.event_id, key_id(old) if old else None, new_id, count, str(keys.file) if staged else None
    )


def last_rotation(store: Store) -> str | None:
    """The key id the chain's last rotation handed on to (None: never rotated)."""
    with store.read() as conn:
        found = events(conn, entities=[KEY_ENTITY])
    return str((found[-1].after or {}).get("key_id")) if found else None
