"""A file's CSV records as bytes, for the row-by-row path: each with its lines and original bytes.

The row-by-row path exists to say what is wrong with a row, so it works on the bytes as published:
- a record is one line, or several when a quoted field holds a line break (valid CSV): it is
  accepted, and its lines are all accounted for;
- a quote that is never closed (within MAX_RECORD_LINES) is reported on the line it opens, and
  reading goes on from the next line, so one stray quote does not swallow the rest of the file;
- bytes that are not UTF-8 are kept as they are, so the quarantine holds the evidence (a decoded
  string would only hold U+FFFD where the bytes were).

The file is read as a stream, a line at a time, with at most one record's lines held: a line longer
than bounds.MAX_LINE_BYTES is a bad record of its own (its first bytes kept as evidence, the rest
skipped unread), and a record may not pass bounds.MAX_RECORD_BYTES. A file of any size costs the
same memory.
"""

from __future__ import annotations

import csv
import io
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from openpeel.ingest.police_uk import bounds

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


@dataclass(frozen=True)
class _Line:
    data: bytes
    """The line without its LF (a CR before it stays); only the first bytes of an overlong one."""
    overlong: bool = False


def _lines(stream: BinaryIO) -> Iterator[_Line]:
    """The stream's lines, split at LF, as the line count sees them; an overlong one is read past."""
    limit = bounds.MAX_LINE_BYTES
    while line := stream.readline(limit + 1):
        if line.endswith(b"\n"):
            yield _Line(line[:-1])
        elif len(line) <= limit:
            yield _Line(line)  # the last line, without a line ending
        else:
            while (rest := stream.readline(limit)) and not rest.endswith(b"\n"):
                pass
            yield _Line(line[: bounds.EVIDENCE_BYTES], overlong=True)


def records_from(stream: BinaryIO, *, skip_header: bool = True) -> Iterator[Record]:
    """Every record of a CSV stream, in order, accounting for every line exactly once."""
    lines = _lines(stream)
    window: deque[_Line] = deque()
    number = 1  # the line number of window[0]
    if skip_header and next(lines, None) is not None:
        number = 2

    def have(n: int) -> bool:
        while len(window) < n:
            line = next(lines, None)
            if line is None:
                return False
            window.append(line)
        return True

    while have(1):
        first = window[0]
        if first.overlong:
            problem = f"the line is longer than {bounds.MAX_LINE_BYTES:,} bytes (its first bytes are kept)"
            yield Record(number, number, first.data, None, problem)
            window.popleft()
            number += 1
            continue
        end = _end_of_record(window, have)
        if end is None:
            problem = (
                f"a quoted field opened on line {number} is not closed "
                f"(by the end of the file, or within {MAX_RECORD_LINES} lines)"
            )
            yield Record(number, number, first.data.removesuffix(b"\r"), None, problem)
            window.popleft()
            number += 1
            continue
        raw = b"\n".join(window[i].data for i in range(end + 1)).removesuffix(b"\r")
        yield _parse(number, number + end, raw)
        for _ in range(end + 1):
            window.popleft()
        number += end + 1


def _end_of_record(window: deque[_Line], have: Callable[[int], bool]) -> int | None:
    """Index in `window` of the record's last line, or None if its quoted field is not closed in
    time (within MAX_RECORD_LINES lines and bounds.MAX_RECORD_BYTES bytes, no overlong line)."""
    end = 0
    size = len(window[0].data)
    quoted = _ends_quoted(window[0].data, False)
    while quoted:
        end += 1
        if end >= MAX_RECORD_LINES or not have(end + 1) or window[end].overlong:
            return None
        size += len(window[end].data)
        if size > bounds.MAX_RECORD_BYTES:
            return None
        quoted = _ends_quoted(window[end].data, True)
    return end


def records(data: bytes, *, skip_header: bool = True) -> Iterator[Record]:
    """Every record of a CSV file's bytes (see records_from)."""
    return records_from(io.BytesIO(data), skip_header=skip_header)
