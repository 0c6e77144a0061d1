"""Files from users, read safely: YAML without aliases or anchors, a size limit, bounded nesting.

A 397-byte "billion laughs" file (anchors referring to anchors) expands into billions of nodes
when its data are walked, so PyYAML's SafeLoader alone does not make user YAML safe. Evidence
files never need aliases, so the loader refuses the first anchor or alias it meets, before any
node is built, with the line it is on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent

from openpeel.core.errors import InputError

MAX_USER_FILE_BYTES = 5 * 1024 * 1024
"""Largest user-supplied data file (evidence YAML or CSV) read. The shipped evidence files average
about 500 bytes per finding, so the limit allows some 10,000 findings in one file."""


class NoAliasSafeLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors (&name) and aliases (*name, including `<<: *name` merges)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event: Any = self.peek_event()  # type: ignore[no-untyped-call]
        mark: Any = getattr(event, "start_mark", None)
        if isinstance(event, AliasEvent):
            raise ComposerError(None, None, f"alias *{event.anchor} is not allowed in this file", mark)
        if isinstance(event, ScalarEvent | CollectionStartEvent) and event.anchor is not None:
            raise ComposerError(None, None, f"anchor &{event.anchor} is not allowed in this file", mark)
        return super().compose_node(parent, index)


def read_user_file(path: Path, *, limit: int = MAX_USER_FILE_BYTES, what: str = "file") -> str:
    """The text of a user-supplied file, refused above `limit` bytes before it is read."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{what} not found", path=path) from None
    if size > limit:
        raise InputError(
            f"{what} is {size:,} bytes, over the limit of {limit:,} bytes ({limit / 1024 / 1024:g} MB)",
            path=path,
            hint="split it into one file per force and year",
        )
    try:
        # Decoded as is: read_text() would turn a carriage return inside a CSV field into "\n".
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=path) from None


def load_user_yaml(text: str, path: Path | str, loader: type[NoAliasSafeLoader] = NoAliasSafeLoader) -> Any:
    """Parse user YAML with `loader` (a NoAliasSafeLoader); errors name the file and line."""
    try:
        return yaml.load(text, Loader=loader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            f"invalid YAML: {getattr(exc, 'problem', exc)}",
            path=path,
            line=mark.line + 1 if mark else None,
        ) from None
    except RecursionError:
        raise InputError("YAML nested too deeply to read", path=path) from None
