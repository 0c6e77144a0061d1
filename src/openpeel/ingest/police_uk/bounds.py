"""How much of an input openpeel accepts, and when a file is too poor to replace what is stored.

An archive or a folder is data from the internet: these limits decide before the disk, the memory
or the stored months pay for a bad one. Each is a module constant, so a test (or a user with an
unusual archive, editing the source) can change it; docs/police-uk.md lists them.

Sizes of the published files, for scale: the largest monthly CSV in ../shared/data is 4.1 MB
(West Yorkshire, street, 2014-06); a national month of synthetic files is about 130 MB and a
national year 1.7 GB. The published CSVs compress between 4:1 and 31:1 (zlib at level 9; the
Metropolitan stop-and-search files are the most repetitive).
"""

from __future__ import annotations

MAX_MEMBER_BYTES = 256 << 20
"""An archive member larger than this, inflated, is refused: sixty times the largest file we have."""

MAX_ARCHIVE_BYTES = 32 << 30
"""All the data members of one archive together, inflated: a 36-month national archive at the
synthetic national year's size is about 5 GB."""

MAX_RATIO = 100
"""A member that inflates to more than this many times its compressed size is refused: three times
the most compressible published file. The attacks it stops inflate 240:1 (bad rows) and 1000:1
(zeros)."""

RATIO_FLOOR_BYTES = 8 << 20
"""Below this many inflated bytes the ratio is not checked: a small member can do no harm, and the
first megabytes of a stream can run ahead of its average."""

QUARANTINE_KEEP = 1000
"""Bad rows kept in meta_quarantine per file, the first by line; the rest are counted (in the
coverage's rows_quarantined), not kept. A file of millions of bad rows costs no more than this."""

MAX_BAD_SHARE = 0.5
"""A file with more than this share of its rows bad is refused whole, whether or not its month is
stored: it is not the published file, and its good rows would undercount the month."""

MIN_SHARE_OF_STORED = 0.5
"""A file whose good rows are fewer than this share of the rows stored for its force-month does not
replace them. Published editions of a month differ by a few rows, never by half."""

MAX_LINE_BYTES = 2 << 20
"""A line longer than this is quarantined unread (the quarantine keeps its first EVIDENCE_BYTES);
a published row is a few hundred bytes."""

MAX_RECORD_BYTES = 2 << 20
"""A quoted field spanning lines may make a record of several lines, up to this size in all."""

EVIDENCE_BYTES = 4096
"""How much of an overlong line the quarantine keeps."""
