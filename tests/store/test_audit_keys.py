"""The audit key: made once, outside the database's folder, for a store never keyed before; a
key file from before moved with a note; a missing key an error at the first write, never a new
key made on the quiet; `openpeel audit rotate-key` continuing the chain under a new key."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.assessment.test_audit import ILLUSTRATIVE_2015, NORTHANTS_2014, tamper
from tests.conftest import TEST_AUDIT_KEY
from typer.testing import CliRunner

from openpeel.cli import app
from openpeel.core.errors import OpenpeelError
from openpeel.core.locations import HEAD_LOG
from openpeel.evidence.store import import_paths
from openpeel.store import Store, open_store
from openpeel.store.audit import events
from openpeel.store.keys import key_file_for, key_id, retired_file
from openpeel.store.rotation import rotate_key
from openpeel.store.verify import verify_store

NEW_KEY = "the-rotated-key-not-a-secret-0123456789"


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output + result.stderr


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The embedded default with no key configured: the key is the store's key file."""
    monkeypatch.delenv("OPENPEEL_AUDIT_KEY")
    home = tmp_path / "home"
    monkeypatch.setenv("OPENPEEL_HOME", str(home))
    yield home


def url(home: Path) -> str:
    return f"sqlite:///{home / 'workspace.sqlite'}"


def import_file(path: Path = NORTHANTS_2014) -> tuple[int, str]:
    return cli("evidence", "import", str(path), "--by", "alice", "--no-propose")


def event_count(home: Path) -> int:
    with open_store(url(home), audit_key=TEST_AUDIT_KEY, upgrade=False).read() as ws:
        return len(events(ws))


def test_sqlite_makes_its_key_once_outside_the_data_folder(home: Path) -> None:
    code, output = import_file()
    assert code == 0, output
    key_file = key_file_for(url(home))
    assert (
        key_file is not None
        and key_file.parent == Path(os.environ["XDG_CONFIG_HOME"]) / "openpeel" / "audit-keys"
    )
    assert key_file.name.startswith("workspace-") and key_file.suffix == ".key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert not list(home.glob("*.key")), "no key beside the database"
    key = key_file.read_text()
    assert cli("audit", "verify")[0] == 0
    assert key_file.read_text() == key
    # Another key (someone who regenerated the file to re-sign a rewritten log) does not verify.
    key_file.write_text("f" * 64)
    code, output = cli("audit", "verify")
    assert code == 1 and "event 1: its content does not match its hash" in output


def _old_installation(home: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store whose key an earlier openpeel generated beside it, as `audit.key`."""
    old_key = "0123456789abcdef" * 4
    monkeypatch.setenv("OPENPEEL_AUDIT_KEY", old_key)
    assert import_file()[0] == 0
    monkeypatch.delenv("OPENPEEL_AUDIT_KEY")
    (home / "audit.key").write_text(old_key + "\n")
    return old_key


def test_a_key_file_in_the_old_place_is_moved_with_a_note(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_key = _old_installation(home, monkeypatch)
    code, output = cli("audit", "verify")
    assert code == 0, output
    assert f"moved the audit key from {home / 'audit.key'}" in output
    assert not (home / "audit.key").exists()
    moved = key_file_for(url(home))
    assert moved is not None and old_key in moved.read_text()
    assert stat.S_IMODE(os.stat(moved).st_mode) == 0o600
    code, output = import_file(ILLUSTRATIVE_2015)
    assert code == 0 and "moved" not in output
    assert cli("audit", "verify")[0] == 0


def test_a_key_file_in_the_old_place_is_still_read_when_it_cannot_move(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _old_installation(home, monkeypatch)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocked))
    code, output = cli("audit", "verify")
    assert code == 0, output
    assert f"the audit key is still read from {home / 'audit.key'}" in output
    assert (home / "audit.key").exists()


def test_a_missing_key_is_an_error_at_the_first_write_never_a_new_key(home: Path) -> None:
    assert import_file()[0] == 0
    key_file = key_file_for(url(home))
    assert key_file is not None
    saved = key_file.read_text()
    key_file.unlink()
    before = event_count(home)
    code, output = import_file(ILLUSTRATIVE_2015)
    assert code == 2
    assert "the audit key of" in output and "is missing" in output and "Nothing was written" in output
    assert f"copy the key file back to {key_file}" in output
    assert "openpeel audit rotate-key --lost-key" in output
    assert not key_file.exists(), "no key was made on the quiet"
    assert event_count(home) == before
    code, output = cli("audit", "verify")
    assert code == 1 and f"no audit key (no key file at {key_file})" in output
    # Restored from a backup, everything carries on.
    key_file.write_text(saved)
    assert import_file(ILLUSTRATIVE_2015)[0] == 0
    assert cli("audit", "verify")[0] == 0


def test_a_moved_store_names_the_key_file_that_signs_it(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert import_file()[0] == 0
    old = key_file_for(url(home))
    moved = tmp_path / "moved"
    home.rename(moved)
    monkeypatch.setenv("OPENPEEL_HOME", str(moved))
    code, output = import_file(ILLUSTRATIVE_2015)
    assert code == 2 and f"{old} signs this chain: was the store moved?" in output


def test_a_lost_key_is_rotated_and_the_chain_continues(home: Path) -> None:
    assert import_file()[0] == 0
    key_file = key_file_for(url(home))
    assert key_file is not None
    key_file.unlink()
    before = event_count(home)
    code, output = cli("audit", "rotate-key", "--by", "ada", "--reason", "laptop lost")
    assert code == 2 and "rotate with --lost-key" in output
    code, output = cli("audit", "rotate-key", "--lost-key", "--by", "ada", "--reason", "laptop lost")
    assert code == 0, output
    assert f"audit key rotated at event {before + 1}: {before} earlier event(s) pinned" in output
    assert key_file.exists()
    assert import_file(ILLUSTRATIVE_2015)[0] == 0
    code, output = cli("audit", "verify")
    assert code == 0, output
    assert "rotated by ada" in output and "laptop lost) from a lost key to key" in output
    assert f"events 1-{before} were signed with a key that was lost before that rotation" in output
    assert f"events 1-{before} were signed with a key this command does not hold" in output
    # An event from before the rotation rewritten later: the rotation's digest gives it away.
    with open_store(url(home)).write() as ws:
        tamper(ws, "UPDATE as_audit_events SET reason = 'nothing to see' WHERE event_id = 3")
    code, output = cli("audit", "verify")
    assert code == 1 and "the events before this key rotation differ from the ones it recorded" in output


def test_rotating_the_key_file_keeps_the_old_one_as_retired(home: Path) -> None:
    assert import_file()[0] == 0
    assert cli("audit", "head")[0] == 0
    key_file = key_file_for(url(home))
    assert key_file is not None
    old_id = key_id(key_file.read_text().splitlines()[-1].encode())
    code, output = cli("audit", "rotate-key", "--by", "ada", "--reason", "yearly rotation")
    assert code == 0, output
    new_id = key_id(key_file.read_text().splitlines()[-1].encode())
    assert new_id != old_id and retired_file(key_file, old_id).exists()
    lines = [json.loads(line) for line in (home / HEAD_LOG).read_text().splitlines()]
    assert [(line["what"], line["key_id"]) for line in lines] == [
        ("audit head", old_id),
        ("key rotation", new_id),
    ]
    assert import_file(ILLUSTRATIVE_2015)[0] == 0
    code, output = cli("audit", "verify")
    assert code == 0, output
    assert f"from key {old_id} to key {new_id}" in output and "does not hold" not in output
    # Without the retired key, the events before the rotation are still pinned by its digest.
    retired_file(key_file, old_id).unlink()
    code, output = cli("audit", "verify")
    assert code == 0, output
    assert "checked through key rotation event" in output
    assert f"lines signed with key {old_id}, which is not held here" in output


def test_rotating_a_configured_key(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    with store.write() as ws:
        import_paths(ws, [NORTHANTS_2014], by="alice")
    with pytest.raises(OpenpeelError, match="OPENPEEL_NEW_AUDIT_KEY"):
        rotate_key(store, by="ada", reason="yearly rotation")
    monkeypatch.setenv("OPENPEEL_NEW_AUDIT_KEY", NEW_KEY)
    done = rotate_key(store, by="ada", reason="yearly rotation")
    assert done.key_file is None and done.new_key_id == key_id(NEW_KEY.encode())
    rotated = open_store(store.url, audit_key=NEW_KEY)
    try:
        with rotated.write() as ws:
            import_paths(ws, [ILLUSTRATIVE_2015], by="alice")
        with rotated.read() as ws:
            result = verify_store(ws)
        assert result.ok, result.problems
        assert any("checked through key rotation event" in n for n in result.notes)
    finally:
        rotated.dispose()
    # A command still holding the old key is told to move to the new one.
    with store.read() as ws:
        result = verify_store(ws)
    assert not result.ok
    assert f"but this command holds key {key_id(TEST_AUDIT_KEY.encode())}" in result.problems[0]


def test_a_rotation_that_fails_leaves_no_new_key(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert import_file()[0] == 0
    key_file = key_file_for(url(home))
    assert key_file is not None
    saved = key_file.read_text()
    with open_store(url(home)).write() as ws:
        tamper(ws, "UPDATE as_audit_events SET reason = 'nothing to see' WHERE event_id = 2")
    code, output = cli("audit", "rotate-key", "--by", "ada", "--reason", "yearly rotation")
    assert code == 2 and "rotating now would hand on a damaged chain" in output
    assert key_file.read_text() == saved
    assert sorted(p.name for p in key_file.parent.iterdir()) == [key_file.name]


def test_no_key_is_made_for_a_store_never_written(home: Path) -> None:
    # Opening, reading and verifying a store that was never written makes no key.
    assert cli("audit", "verify")[0] == 0
    key_file = key_file_for(url(home))
    assert key_file is not None and not key_file.exists()
    with open_store(url(home)).read() as ws:
        assert ws.execute(sa.text("SELECT count(*) FROM as_audit_events")).scalar() == 0
