"""PEEL frameworks as data: pillars, questions, grade scales and data periods, one file per year.

The names below load on first use: building the framework's Pydantic models costs a tenth of a
second, which commands that never read a framework (`openpeel ingest`) should not pay for merely
because `openpeel.framework.cli_options` lives in this package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpeel.framework.loader import available_years, load_framework, parse_year
    from openpeel.framework.mapping import (
        QuestionMapping,
        comparable_with_previous,
        mapping_into,
        pillar_comparable_with_previous,
    )
    from openpeel.framework.models import Framework, GradeLevel, Pillar, Question

_HOMES = {
    "available_years": "loader",
    "load_framework": "loader",
    "parse_year": "loader",
    "QuestionMapping": "mapping",
    "comparable_with_previous": "mapping",
    "mapping_into": "mapping",
    "pillar_comparable_with_previous": "mapping",
    "Framework": "models",
    "GradeLevel": "models",
    "Pillar": "models",
    "Question": "models",
}

__all__ = [
    "Framework",
    "GradeLevel",
    "Pillar",
    "Question",
    "QuestionMapping",
    "available_years",
    "comparable_with_previous",
    "load_framework",
    "mapping_into",
    "parse_year",
    "pillar_comparable_with_previous",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
