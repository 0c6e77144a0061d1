"""Forces of England and Wales, British Transport Police and the non-force areas of the sources.

The data lives in forces.csv beside this module. Sources:
- data.police.uk force ids and labels: https://data.police.uk/api/forces (also
  ../shared/data/police-uk-forces/forces.csv);
- ONS police force area codes, names and regions: ONS mid-year population by PFA
  (population_data.csv) and police recorded crime by PFA (rec-crime-pfa.csv).
"""

from __future__ import annotations

import csv
import difflib
import re
from functools import lru_cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict

from openpeel.core.errors import UnknownNameError

EW_ID = "england-and-wales"
"""The area id of England and Wales as a whole, beside the forces' ids in every table."""

AreaKind = Literal["territorial", "special", "outside_scope", "national_fraud"]


class Force(BaseModel):
    """One area of the registry. Only `kind == "territorial"` areas make up England and Wales."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    force_id: str
    name: str
    ons_code: str | None
    ons_name: str
    region: str | None
    country: str
    kind: AreaKind
    aliases: tuple[str, ...]

    @property
    def is_territorial(self) -> bool:
        return self.kind == "territorial"

    @property
    def short_name(self) -> str:
        """The name the reports use in running text ("Northamptonshire")."""
        return self.ons_name if self.kind == "territorial" else self.name


def normalise_name(name: str) -> str:
    """Fold the spellings sources use for one area onto one key.

    Footnote digits fused to names ("City of London10"), '&' for 'and', hyphens, case and
    punctuation all vary between publications.
    """
    text = name.strip().lower().replace("&", " and ")
    text = re.sub(r"\d+$", "", text)
    text = re.sub(r"[^a-z]+", " ", text)
    return " ".join(text.split())


@lru_cache(maxsize=1)
def all_areas() -> tuple[Force, ...]:
    text = resources.files("openpeel.forces").joinpath("forces.csv").read_text(encoding="utf-8")
    areas = []
    for row in csv.DictReader(text.splitlines()):
        areas.append(
            Force(
                force_id=row["force_id"],
                name=row["name"],
                ons_code=row["ons_code"] or None,
                ons_name=row["ons_name"],
                region=row["region"] or None,
                country=row["country"],
                kind=row["kind"],
                aliases=tuple(a for a in row["aliases"].split("|") if a),
            )
        )
    return tuple(areas)


def territorial_forces() -> tuple[Force, ...]:
    """The 43 territorial forces of England and Wales, in force id order."""
    return tuple(f for f in all_areas() if f.is_territorial)


@lru_cache(maxsize=1)
def _index() -> dict[str, Force]:
    index: dict[str, Force] = {}
    for area in all_areas():
        keys = [area.force_id, area.name, area.ons_name, *area.aliases]
        if area.ons_code:
            keys.append(area.ons_code)
        for key in keys:
            norm = normalise_name(key) if not re.fullmatch(r"[EWK]\d{8}", key) else key
            existing = index.get(norm)
            if existing is not None and existing.force_id != area.force_id:
                raise ValueError(
                    f"forces.csv: name {key!r} is used by {existing.force_id} and {area.force_id}"
                )
            index[norm] = area
    return index


# Words people add to a force's name that name no force: "Northants Police", "Kent Constabulary".
_ORGANISATION_WORDS = re.compile(r"\s+(police service|police force|police|constabulary|force)$")


def _suggestions(key: str) -> list[str]:
    """Up to three force ids for an unknown name: those whose id, name or alias starts with it
    ("met" -> metropolitan), then the closest spellings."""
    by_key: dict[str, str] = {}
    for area in all_areas():
        for candidate in (area.force_id, area.ons_name, area.name, *area.aliases):
            by_key.setdefault(normalise_name(candidate), area.force_id)
    starts = [v for k, v in by_key.items() if len(key) >= 2 and any(w.startswith(key) for w in k.split())]
    close_keys = difflib.get_close_matches(key, list(by_key), n=6, cutoff=0.6)
    return list(dict.fromkeys([*starts, *(by_key[k] for k in close_keys)]))[:3]


def lookup(name: str) -> Force:
    """Find an area by id, official name, ONS code or name, or any alias the sources use.

    A trailing "Police" or "Constabulary" that the registry does not spell is dropped, so
    "Northants Police" finds what "northants" finds."""
    key = name.strip()
    if not re.fullmatch(r"[EWK]\d{8}", key):
        key = normalise_name(key)
    found = _index().get(key)
    if found is None:
        found = _index().get(_ORGANISATION_WORDS.sub("", key))
    if found is not None:
        return found
    raise UnknownNameError("force", name, _suggestions(normalise_name(name)))


def get_force(force_id: str) -> Force:
    """Exact lookup by data.police.uk id; anything else goes through `lookup`."""
    for area in all_areas():
        if area.force_id == force_id:
            return area
    return lookup(force_id)
