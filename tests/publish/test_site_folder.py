"""Swapping a new site in for the old one: one step, leftovers cleaned, one publish at a time."""

from __future__ import annotations

from pathlib import Path

import pytest

from openpeel.core.errors import OpenpeelError
from openpeel.publish import site_folder
from openpeel.publish.site_folder import MARKER, leftovers, new_staging, site_lock, swap_in


def a_site(folder: Path, text: str, files: int = 3) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("written by openpeel publish\n", encoding="utf-8")
    for n in range(files):
        (folder / f"page-{n}.html").write_text(f"{text} {n}", encoding="utf-8")


def test_the_new_site_takes_the_old_ones_place_and_the_old_one_is_gone(tmp_path: Path) -> None:
    out = tmp_path / "site"
    a_site(out, "old", files=5)
    staging = new_staging(out)
    a_site(staging, "new", files=2)
    swap_in(staging, out)
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "page-0.html", "page-1.html"]
    assert (out / "page-0.html").read_text(encoding="utf-8") == "new 0"
    assert leftovers(out) == []


def test_without_an_exchange_the_swap_is_two_renames_and_still_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(site_folder, "_exchange", lambda _a, _b: False)
    out = tmp_path / "site"
    a_site(out, "old")
    staging = new_staging(out)
    a_site(staging, "new")
    swap_in(staging, out)
    assert (out / "page-2.html").read_text(encoding="utf-8") == "new 2"
    assert leftovers(out) == []


def test_leftovers_of_a_killed_publish_are_removed_and_never_make_the_folder_refused(tmp_path: Path) -> None:
    out = tmp_path / "site"
    a_site(out, "current")
    half_new = tmp_path / ".site.openpeel-new-abc123"
    a_site(half_new, "half written")
    half_old = tmp_path / ".site.openpeel-new-def456"  # an old site swapped out, half deleted
    (half_old / "2014").mkdir(parents=True)
    (half_old / "2014" / "kent.html").write_text("x", encoding="utf-8")
    other = tmp_path / ".other.openpeel-new-zzz"  # another site's: not ours to remove
    other.mkdir()
    staging = new_staging(out)
    assert leftovers(out) == [staging]
    assert other.exists() and (out / "page-0.html").exists()


def test_a_folder_openpeel_did_not_write_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "precious.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(OpenpeelError, match="not an openpeel site"):
        new_staging(out)
    assert (out / "precious.txt").read_text(encoding="utf-8") == "keep me"


def test_two_publishes_to_one_folder_cannot_overlap(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with site_lock(out), pytest.raises(OpenpeelError, match="another openpeel publish"), site_lock(out):
        pass
    with site_lock(out):  # released when the first ends (or its process dies)
        pass
