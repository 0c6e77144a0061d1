"""Plain-text tables for commands' output where Rich's markup and wrapping would get in the way
(reference-data listings meant to be read, diffed or pasted whole)."""

from __future__ import annotations

from collections.abc import Sequence


def text_table_lines(header: Sequence[str], body: Sequence[Sequence[str]]) -> list[str]:
    """The header, a rule under it and each row, columns left-aligned two spaces apart,
    trailing blanks stripped."""
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in [header, *body]
    ]
    return [lines[0], "  ".join("-" * w for w in widths), *lines[1:]]
