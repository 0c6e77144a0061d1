"""A file's CSV records as bytes, for the row-by-row path: each with its lines and original bytes.

The row-by-row path exists to say what is wrong with a row, so it works on the bytes as published:
- a record is one line, or several when a quoted field holds a line break (valid CSV): it is
  accepted, and its lines are all accounted for;
- a quote that is never closed (within MAX_RECORD_LINES) is reported on the line it opens, and
  reading goes on from the next line, so one stray quote does not swallow the rest of the file;
- bytes that are not UTF-8 are kept as they are, so the quarantine holds the evidence (a decoded
  string would only hold U+FFFD where the bytes were).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

QUOTE = b'"'
MAX_RECORD_LINES = 100
"""A quoted field may span lines, but not more than this: a stray quote would otherwise make the
rest of the file one record (and each retry from the next line a scan to the end)."""


@dataclass(frozen=True)
class Record:
    line: int
    """Line the record starts on (the header is line 1)."""
    last_line: int
    raw: bytes
    """The record's bytes as in the file, without its final line ending."""
    fields: list[str] | None
    """The parsed fields; None when the record cannot be read (then `problem` says why)."""
    problem: str | None = None

    @property
    def lines(self) -> int:
        return self.last_line - self.line + 1

    @property
    def text(self) -> str:
        """The record as text, for people: undecodable bytes show as U+FFFD (raw keeps them)."""
        return self.raw.decode("utf-8", "replace")


def physical_lines(data: bytes) -> list[bytes]:
    """The file's lines, split at LF (a CR before it stays on the line), as the line count sees them."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def _parse(line: int, last_line: int, raw: bytes) -> Record:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start : exc.start + 1].hex()
        where = f"byte 0x{bad} at position {exc.start + 1} of the row"
        return Record(line, last_line, raw, None, f"not valid UTF-8 text ({where})")
    if not text:
        return Record(line, last_line, raw, [])
    if '"' not in text and "\r" not in text:
        return Record(line, last_line, raw, text.split(","))  # what csv.reader gives, twice as fast
    try:
        fields = next(csv.reader(io.StringIO(text, newline=""), strict=False), [])
    except csv.Error as exc:
        return Record(line, last_line, raw, None, f"unreadable CSV row: {exc}")
    return Record(line, last_line, raw, fields)


def _ends_quoted(line: bytes, quoted: bool) -> bool:
    """Whether a line ends inside a quoted field, given whether it starts inside one.

    The same reading as Python's csv module (not strict): a quote opens a quoted field only at
    the start of a field, `""` inside one is a quote, and anything else is literal.
    """
    if QUOTE not in line:
        return quoted
    i, n, field_start = 0, len(line), not quoted
    while i < n:
        if quoted:
            j = line.find(QUOTE, i)
            if j < 0:
                return True
            if line[j + 1 : j + 2] == QUOTE:
                i = j + 2
                continue
            quoted, field_start, i = False, False, j + 1
        elif field_start and line[i : i + 1] == QUOTE:
            quoted, i = True, i + 1
        else:
            j = line.find(b",", i)
            if j < 0:
                return False
            field_start, i = True, j + 1
    return quoted


def _end_of_record(lines: list[bytes], start: int) -> int | None:
    """Index of the record's last line, or None if its quoted field is not closed in time."""
    end = start
    quoted = _ends_quoted(lines[start], False)
    while quoted:
        end += 1
        if end == len(lines) or end - start >= MAX_RECORD_LINES:
            return None
        quoted = _ends_quoted(lines[end], True)
    return end


def records(data: bytes, *, skip_header: bool = True) -> Iterator[Record]:
    """Every record of a CSV file's bytes, in order, accounting for every line exactly once."""
    lines = physical_lines(data)
    pos = 1 if skip_header else 0
    while pos < len(lines):
        end = _end_of_record(lines, pos)
        if end is None:
            raw = lines[pos].removesuffix(b"\r")
            problem = (
                f"a quoted field opened on line {pos + 1} is not closed "
                f"(by the end of the file, or within {MAX_RECORD_LINES} lines)"
            )
            yield Record(pos + 1, pos + 1, raw, None, problem)
            pos += 1
            continue
        raw = b"\n".join(lines[pos : end + 1]).removesuffix(b"\r")
        yield _parse(pos + 1, end + 1, raw)
        pos = end + 1
