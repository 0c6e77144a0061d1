"""Row checks for each file kind, written once as SQL and used by both ingest paths.

A check is (field, condition that holds for a good row, reason for a bad one). The fast path
keeps rows where every condition holds; the row-by-row path names the first failing check. Both
see the same typed columns, so they agree on which rows are good. Conditions may use the per-file
values `f_force_id`, `f_month_text`, `f_month` and `f_labels` (the names the file's force is
published under).
"""

from __future__ import annotations

from dataclasses import dataclass

from openpeel.core.sql import quote_ident, sql_in, sql_list, sql_str
from openpeel.forces import all_areas
from openpeel.ingest.police_uk.code_lists import crime_types, outcome_categories, stop_search_outcomes
from openpeel.ingest.police_uk.layout import FileKind
from openpeel.ingest.police_uk.schema import COLUMNS

# Anonymised points fall on land in the UK (BTP reports Scotland; PSNI Northern Ireland).
LONGITUDE_RANGE = (-8.75, 1.9)
LATITUDE_RANGE = (49.8, 60.95)
LSOA_PATTERN = "[EW]0[0-9]{7}"
CRIME_ID_LENGTH = 64
NOT_LOWER_HEX = "[^0-9a-f]"
STOP_SEARCH_TYPES = ("Person search", "Vehicle search", "Person and Vehicle search")
GENDERS = ("Male", "Female", "Other")
AGE_RANGES = ("under 10", "10-17", "18-24", "25-34", "over 34")
OFFICER_ETHNICITIES = ("White", "Black", "Asian", "Mixed", "Other")


@dataclass(frozen=True)
class Check:
    field: str
    condition: str
    reason: str


def force_labels(force_id: str) -> list[str]:
    """Every name a force's files may carry in `Reported by` / `Falls within`."""
    for area in all_areas():
        if area.force_id == force_id:
            names = {area.name, *area.aliases}
            names |= {n.replace(" and ", " & ") for n in names} | {n.replace(" & ", " and ") for n in names}
            return sorted(names)
    raise KeyError(force_id)


def _all_labels() -> str:
    labels = sorted({label for area in all_areas() for label in force_labels(area.force_id)})
    return sql_list(labels)


def _q(header: str) -> str:
    return quote_ident(header)


def _shown(header: str) -> str:
    """SQL text showing a value in a reason: quoted, or 'empty'."""
    return f"coalesce('''' || {_q(header)}::VARCHAR || '''', 'empty')"


def _member(header: str, values: tuple[str, ...], what: str, where: str, *, required: bool) -> Check:
    col = _q(header)
    cond = f"{col} IN {sql_in(values)}"
    if not required:
        cond = f"{col} IS NULL OR {cond}"
    return Check(header, cond, f"'unknown {what} ' || {_shown(header)} || ' ({where})'")


def _month_and_force() -> list[Check]:
    return [
        Check(
            "Month",
            '"Month" = f_month_text',
            "'Month ' || " + _shown("Month") + " || ' is not the month of the file, ' || f_month_text",
        ),
        Check(
            "Reported by",
            'list_contains(f_labels, "Reported by")',
            "'Reported by ' || "
            + _shown("Reported by")
            + " || ' is not the force of the file, ' || f_force_id",
        ),
        Check(
            "Falls within",
            f'"Falls within" IS NULL OR "Falls within" = "Reported by" OR list_contains({_all_labels()}, "Falls within")',
            "'Falls within ' || " + _shown("Falls within") + " || ' is not a known force'",
        ),
    ]


def _coordinates() -> list[Check]:
    lon, lat = LONGITUDE_RANGE, LATITUDE_RANGE
    return [
        Check(
            "Longitude",
            '("Longitude" IS NULL) = ("Latitude" IS NULL)',
            "'Longitude and Latitude must be both given or both empty'",
        ),
        Check(
            "Longitude",
            f'"Longitude" IS NULL OR "Longitude" BETWEEN {lon[0]} AND {lon[1]}',
            f"'Longitude ' || \"Longitude\" || ' is outside the UK ({lon[0]} to {lon[1]})'",
        ),
        Check(
            "Latitude",
            f'"Latitude" IS NULL OR "Latitude" BETWEEN {lat[0]} AND {lat[1]}',
            f"'Latitude ' || \"Latitude\" || ' is outside the UK ({lat[0]} to {lat[1]})'",
        ),
    ]


def _lsoa() -> Check:
    return Check(
        "LSOA code",
        f'"LSOA code" IS NULL OR regexp_full_match("LSOA code", \'{LSOA_PATTERN}\')',
        "'LSOA code ' || " + _shown("LSOA code") + " || ' is not an E01/W01 code of 9 characters'",
    )


def _crime_id(*, required: bool) -> Check:
    # Length, then a search for any other character: a third cheaper per row than one anchored
    # pattern, and the check runs on every one of millions of rows.
    cond = f'(strlen("Crime ID") = {CRIME_ID_LENGTH} AND NOT regexp_matches("Crime ID", \'{NOT_LOWER_HEX}\'))'
    if not required:
        cond = f'"Crime ID" IS NULL OR {cond}'
    return Check(
        "Crime ID", cond, "'Crime ID ' || " + _shown("Crime ID") + " || ' is not 64 lower-case hex digits'"
    )


def checks(kind: FileKind) -> list[Check]:
    """The checks of one file kind, in the order a failing row reports them."""
    outcomes = tuple(c.published_name for c in outcome_categories())
    if kind is FileKind.STREET:
        return [
            *_month_and_force(),
            _crime_id(required=False),
            *_coordinates(),
            _lsoa(),
            _member(
                "Crime type",
                tuple(c.published_name for c in crime_types()),
                "crime type",
                "add it to code_lists/crime_types.csv if data.police.uk now publishes it",
                required=True,
            ),
            _member(
                "Last outcome category",
                outcomes,
                "outcome category",
                "add it to code_lists/outcome_categories.csv if data.police.uk now publishes it",
                required=False,
            ),
        ]
    if kind is FileKind.OUTCOMES:
        return [
            *_month_and_force(),
            _crime_id(required=True),
            *_coordinates(),
            _lsoa(),
            _member(
                "Outcome type",
                outcomes,
                "outcome type",
                "add it to code_lists/outcome_categories.csv if data.police.uk now publishes it",
                required=True,
            ),
        ]
    return [
        _member(
            "Type",
            STOP_SEARCH_TYPES,
            "search type",
            "expected one of the three published types",
            required=True,
        ),
        Check(
            "Date",
            "\"Date\" IS NOT NULL AND date_trunc('month', timezone('Europe/London', \"Date\"))::DATE = f_month",
            "'Date ' || " + _shown("Date") + " || ' is not in the month of the file, ' || f_month_text"
            " || ' (UK local time)'",
        ),
        *_coordinates(),
        _member("Gender", GENDERS, "gender", "expected Male, Female or Other", required=False),
        _member("Age range", AGE_RANGES, "age range", "expected one of the published ranges", required=False),
        _member(
            "Officer-defined ethnicity",
            OFFICER_ETHNICITIES,
            "officer-defined ethnicity",
            "published list",
            required=False,
        ),
        _member(
            "Outcome",
            tuple(c.published_name for c in stop_search_outcomes()),
            "stop and search outcome",
            "add it to code_lists/stop_search_outcomes.csv if data.police.uk now publishes it",
            required=False,
        ),
    ]


def parse_checks(kind: FileKind) -> list[Check]:
    """Checks the row-by-row path needs for typed columns (the fast path's reader enforces these)."""
    out = []
    for col in COLUMNS[kind]:
        if col.read_type == "VARCHAR":
            continue
        text = quote_ident(col.header + "__text")
        out.append(
            Check(
                col.header,
                f"{text} IS NULL OR {_q(col.header)} IS NOT NULL",
                f"{sql_str(col.header + ' ')} || '''' || {text} || ''' is not a valid {col.read_type.lower()}'",
            )
        )
    return out


def all_valid(kind: FileKind) -> str:
    """One SQL condition true exactly for rows that pass every check, for a WHERE clause.

    No check is wrapped in coalesce(..., false): a WHERE keeps a row only when the whole
    conjunction is true, and one NULL check makes it NULL or false, never true, so the row goes
    the same way, for less work per row."""
    return " AND ".join(f"({c.condition})" for c in checks(kind))


def first_failure(kind: FileKind) -> tuple[str, str]:
    """SQL (field, reason) of the first failing check; both NULL for a good row."""
    ordered = parse_checks(kind) + checks(kind)
    field = "CASE " + " ".join(
        f"WHEN NOT coalesce(({c.condition}), false) THEN {sql_str(c.field)}" for c in ordered
    )
    reason = "CASE " + " ".join(
        f"WHEN NOT coalesce(({c.condition}), false) THEN ({c.reason})" for c in ordered
    )
    return field + " END", reason + " END"
