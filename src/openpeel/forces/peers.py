"""Peer groups of forces, as data.

Two kinds of grouping, stored the same way (ref_peer_groups: for each force, its peers):
- the shipped regional groups (peer_groups.csv beside this module): every force is compared with
  the other forces of its ONS region; the Welsh forces form one group;
- an imported "most similar groups" file (the inspectorate's and Home Office's grouping of forces
  with similar demography and crime), one row per force and peer:

      force,peer
      Northamptonshire,Bedfordshire
      Northamptonshire,Cambridgeshire

  Names go through the forces registry (ids, official or ONS names, aliases). A force may not be
  its own peer; every force in the file needs at least one peer.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb

from openpeel.core.errors import InputError, UnknownNameError
from openpeel.forces.registry import lookup, territorial_forces
from openpeel.warehouse import transaction
from openpeel.warehouse.bulk import insert_rows

REGION_SET = "region"
MOST_SIMILAR_SET = "most-similar"
_COLUMNS = ["peer_set", "force_id", "peer_id", "group_name", "source"]


@dataclass(frozen=True)
class PeerPair:
    peer_set: str
    force_id: str
    peer_id: str
    group_name: str
    source: str


def _data_lines(text: str) -> list[tuple[int, str]]:
    return [(n, line) for n, line in enumerate(text.splitlines(), start=1) if not line.startswith("#")]


def regional_groups() -> dict[str, tuple[str, ...]]:
    """Group name -> member force ids, from the shipped peer_groups.csv."""
    text = resources.files("openpeel.forces").joinpath("peer_groups.csv").read_text(encoding="utf-8")
    groups: dict[str, list[str]] = defaultdict(list)
    lines = _data_lines(text)
    for row in csv.DictReader(line for _, line in lines):
        groups[row["group_name"]].append(row["force_id"])
    return {name: tuple(members) for name, members in groups.items()}


def regional_pairs() -> list[PeerPair]:
    pairs: list[PeerPair] = []
    for name, members in regional_groups().items():
        for force_id in members:
            pairs.extend(
                PeerPair(REGION_SET, force_id, peer, name, "openpeel/forces/peer_groups.csv")
                for peer in members
                if peer != force_id
            )
    return pairs


def parse_most_similar(path: Path, *, peer_set: str = MOST_SIMILAR_SET) -> list[PeerPair]:
    """Read a most-similar-groups CSV (columns force, peer); errors name the file, line and field."""
    if not path.exists():
        raise InputError("file not found", path=path)
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    missing = {"force", "peer"} - set(reader.fieldnames or [])
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(sorted(missing))}",
            path=path,
            line=1,
            hint="the header must be: force,peer",
        )
    pairs: dict[tuple[str, str], PeerPair] = {}
    for row in reader:
        line = reader.line_num
        ids = []
        for field in ("force", "peer"):
            name = (row.get(field) or "").strip()
            if not name:
                raise InputError("empty", path=path, line=line, field=field)
            try:
                force = lookup(name)
            except UnknownNameError as exc:
                raise InputError(str(exc), path=path, line=line, field=field) from None
            if not force.is_territorial:
                raise InputError(
                    f"{force.name} is not one of the 43 territorial forces", path=path, line=line, field=field
                )
            ids.append(force.force_id)
        force_id, peer_id = ids
        if force_id == peer_id:
            raise InputError("a force cannot be its own peer", path=path, line=line, field="peer")
        group = f"most similar to {lookup(force_id).short_name}"
        pairs[(force_id, peer_id)] = PeerPair(peer_set, force_id, peer_id, group, f"{path.name} line {line}")
    if not pairs:
        raise InputError("no rows", path=path, hint="one row per force and peer: force,peer")
    return list(pairs.values())


def ensure_regional_groups(con: duckdb.DuckDBPyConnection) -> None:
    """Store the shipped regional groups unless the warehouse already holds them."""
    row = con.execute("SELECT count(*) FROM ref_peer_groups WHERE peer_set = ?", [REGION_SET]).fetchone()
    if row and row[0]:
        return
    store_pairs(con, REGION_SET, regional_pairs())


def store_pairs(con: duckdb.DuckDBPyConnection, peer_set: str, pairs: list[PeerPair]) -> int:
    """Replace one peer set (all-or-nothing)."""
    with transaction(con):
        con.execute("DELETE FROM ref_peer_groups WHERE peer_set = ?", [peer_set])
        return insert_rows(
            con,
            "ref_peer_groups",
            _COLUMNS,
            [(p.peer_set, p.force_id, p.peer_id, p.group_name, p.source) for p in pairs],
        )


def import_most_similar(
    con: duckdb.DuckDBPyConnection, path: Path, *, peer_set: str = MOST_SIMILAR_SET
) -> int:
    """Import a most-similar-groups file as peer set `peer_set`; returns the pairs stored."""
    if peer_set == REGION_SET:
        raise InputError(f"the peer set name {REGION_SET!r} is reserved for the shipped regional groups")
    return store_pairs(con, peer_set, parse_most_similar(path, peer_set=peer_set))


def peers_of(con: duckdb.DuckDBPyConnection, force_id: str, peer_set: str = REGION_SET) -> tuple[str, ...]:
    rows = con.execute(
        "SELECT peer_id FROM ref_peer_groups WHERE peer_set = ? AND force_id = ? ORDER BY peer_id",
        [peer_set, force_id],
    ).fetchall()
    return tuple(str(r[0]) for r in rows)


def peer_sets(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        str(r[0]) for r in con.execute("SELECT DISTINCT peer_set FROM ref_peer_groups ORDER BY 1").fetchall()
    ]


def check_regional_groups() -> None:
    """Every territorial force is in exactly one regional group (a test calls this)."""
    seen: dict[str, str] = {}
    for name, members in regional_groups().items():
        for force_id in members:
            if force_id in seen:
                raise ValueError(f"{force_id} is in groups {seen[force_id]!r} and {name!r}")
            seen[force_id] = name
    expected = {f.force_id for f in territorial_forces()}
    if set(seen) != expected:
        raise ValueError(
            f"regional groups miss {sorted(expected - set(seen))}, extra {sorted(set(seen) - expected)}"
        )
