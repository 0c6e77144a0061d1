"""Moving staged partition files into the lake: whole new folders in one rename, nothing else carried."""

from __future__ import annotations

from pathlib import Path

from openpeel.warehouse.lake import PART, LakeCommit


def _stage(stage: Path, root: Path, parts: list[str]) -> LakeCommit:
    commit = LakeCommit(root, staging=[stage])
    for rel in parts:
        src = stage / "0" / rel / PART
        src.parent.mkdir(parents=True, exist_ok=True)
        src.write_text(f"new {rel}")
        commit.moves.append((src, root / rel / PART))
    return commit


def _files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_new_kind_moves_whole_and_lands_file_for_file(tmp_path: Path) -> None:
    root = tmp_path / "lake"
    parts = [f"kind=street/month=2014-0{m}/force={f}" for m in (1, 2) for f in ("kent", "essex")]
    commit = _stage(tmp_path / "lake" / ".staging-1", root, parts)
    commit.apply()
    commit.discard()
    assert _files(root) == {f"{p}/{PART}": f"new {p}" for p in parts}


def test_into_an_existing_month_only_the_staged_files_change(tmp_path: Path) -> None:
    root = tmp_path / "lake"
    for rel in ("kind=street/month=2014-01/force=kent", "kind=street/month=2014-01/force=surrey"):
        (root / rel).mkdir(parents=True)
        (root / rel / PART).write_text(f"old {rel}")
    commit = _stage(
        root / ".staging-1",
        root,
        ["kind=street/month=2014-01/force=kent", "kind=street/month=2014-01/force=essex"],
    )
    commit.apply()
    commit.discard()
    month = "kind=street/month=2014-01"
    assert _files(root) == {
        f"{month}/force=essex/{PART}": f"new {month}/force=essex",
        f"{month}/force=kent/{PART}": f"new {month}/force=kent",
        f"{month}/force=surrey/{PART}": f"old {month}/force=surrey",
    }


def test_a_stray_file_in_staging_is_never_carried_into_the_lake(tmp_path: Path) -> None:
    root = tmp_path / "lake"
    parts = ["kind=street/month=2014-01/force=kent", "kind=street/month=2014-01/force=essex"]
    stage = root / ".staging-1"
    commit = _stage(stage, root, parts)
    (stage / "0" / parts[0] / "part_1.parquet").write_text("a split DuckDB left behind")
    commit.apply()
    commit.discard()
    assert _files(root) == {f"{p}/{PART}": f"new {p}" for p in parts}


def test_a_recovery_moves_what_a_killed_writer_had_not(tmp_path: Path) -> None:
    root = tmp_path / "lake"
    parts = [f"kind=street/month=2014-0{m}/force=kent" for m in (1, 2)]
    commit = _stage(root / ".staging-1", root, parts)
    first_src, first_dst = commit.moves[0]
    first_dst.parent.mkdir(parents=True)
    first_src.rename(first_dst)  # moved before the kill
    commit.apply()
    commit.discard()
    assert _files(root) == {f"{p}/{PART}": f"new {p}" for p in parts}
