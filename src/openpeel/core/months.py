"""Calendar months as the sources count them: a month is its first day, written YYYY-MM.

Every stage counts in months (data.police.uk files, outcome lags, coverage), so the arithmetic
lives here, on the ground floor, rather than in the stage that first needed it.
"""

from __future__ import annotations

import datetime as dt

from openpeel.core.errors import InputError


def parse_month(text: str) -> dt.date:
    """'2014-06' -> 2014-06-01; anything else is an error that says the expected shape."""
    try:
        year, month = text.split("-")
        return dt.date(int(year), int(month), 1)
    except ValueError:
        raise InputError(f"month {text!r} is not YYYY-MM", hint="e.g. 2014-06") from None


def month_text(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every first-of-month from start's month to end's month, inclusive."""
    first = start.replace(day=1)
    out = []
    while first <= end:
        out.append(first)
        first = add_months(first, 1)
    return out
