"""Moving staged month files into the lake: each file replaced whole, parts a month no longer has
removed, nothing else carried, and a recovery finishing what a killed writer began."""

from __future__ import annotations

from pathlib import Path

from openpeel.warehouse.lake import LakeCommit, part_name


def _stage(stage: Path, root: Path, parts: dict[str, int]) -> LakeCommit:
    """A commit writing `parts[month]` files into each month folder `month`."""
    commit = LakeCommit(root, staging=[stage])
    for month, count in parts.items():
        for i in range(count):
            src = stage / month / part_name(i)
            src.parent.mkdir(parents=True, exist_ok=True)
            src.write_text(f"new {month} {i}")
            commit.moves.append((src, root / month / part_name(i)))
        commit.months.append((root / month, count))
    return commit


def _files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): p.read_text()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.relative_to(root).parts[0].startswith(".")
    }


def test_new_months_land_file_for_file(tmp_path: Path) -> None:
    root = tmp_path / "lake"
    months = {"kind=street/month=2014-01": 1, "kind=street/month=2014-02": 2}
    commit = _stage(root / ".staging-1", root, months)
    commit.apply()
    commit.discard()
    assert _files(root) == {
        "kind=street/month=2014-01/part-0.parquet": "new kind=street/month=2014-01 0",
        "kind=street/month=2014-02/part-0.parquet": "new kind=street/month=2014-02 0",
        "kind=street/month=2014-02/part-1.parquet": "new kind=street/month=2014-02 1",
    }
    assert not (root / ".staging-1").exists()


def test_a_rewritten_month_replaces_its_files_and_loses_the_parts_it_no_longer_has(tmp_path: Path) -> None:
    root = tmp_path / "lake"
    for month in ("kind=street/month=2014-01", "kind=street/month=2014-02"):
        (root / month).mkdir(parents=True)
        for i in range(2):
            (root / month / part_name(i)).write_text(f"old {month} {i}")
    commit = _stage(root / ".staging-1", root, {"kind=street/month=2014-01": 1})
    commit.apply()
    commit.discard()
    assert _files(root) == {
        "kind=street/month=2014-01/part-0.parquet": "new kind=street/month=2014-01 0",
        "kind=street/month=2014-02/part-0.parquet": "old kind=street/month=2014-02 0",
        "kind=street/month=2014-02/part-1.parquet": "old kind=street/month=2014-02 1",
    }


def test_a_stray_file_in_staging_is_never_carried_into_the_lake(tmp_path: Path) -> None:
    root = tmp_path / "lake"
    stage = root / ".staging-1"
    commit = _stage(stage, root, {"kind=street/month=2014-01": 1})
    (stage / "kind=street/month=2014-01" / "part_1.parquet").write_text("a split DuckDB left behind")
    commit.apply()
    commit.discard()
    assert _files(root) == {"kind=street/month=2014-01/part-0.parquet": "new kind=street/month=2014-01 0"}


def test_a_recovery_moves_what_a_killed_writer_had_not(tmp_path: Path) -> None:
    root = tmp_path / "lake"
    (root / "kind=street/month=2014-02").mkdir(parents=True)
    for i in range(3):
        (root / "kind=street/month=2014-02" / part_name(i)).write_text(f"old {i}")
    months = {"kind=street/month=2014-01": 1, "kind=street/month=2014-02": 1}
    commit = _stage(root / ".staging-1", root, months)
    first_src, first_dst = commit.moves[0]
    first_dst.parent.mkdir(parents=True)
    first_src.rename(first_dst)  # moved before the kill
    commit.apply()
    commit.apply()  # a second recovery finds it all done
    commit.discard()
    assert _files(root) == {
        "kind=street/month=2014-01/part-0.parquet": "new kind=street/month=2014-01 0",
        "kind=street/month=2014-02/part-0.parquet": "new kind=street/month=2014-02 0",
    }


def test_files_of_the_earlier_layout_go_with_their_folders(tmp_path: Path) -> None:
    root = tmp_path / "lake"
    old = [root / "kind=street/month=2014-01" / f"force={f}" / "part.parquet" for f in ("kent", "essex")]
    for path in old:
        path.parent.mkdir(parents=True)
        path.write_text("force-month")
    (root / "kind=street/month=2014-01" / part_name(0)).write_text("month")
    LakeCommit(root, removed=old).apply()
    assert _files(root) == {"kind=street/month=2014-01/part-0.parquet": "month"}
    assert sorted(p.name for p in (root / "kind=street/month=2014-01").iterdir()) == [part_name(0)]
