"""PEEL frameworks as data: pillars, questions, grade scales and data periods, one file per year."""

from openpeel.framework.loader import available_years, load_framework, parse_year
from openpeel.framework.mapping import (
    QuestionMapping,
    comparable_with_previous,
    mapping_into,
    pillar_comparable_with_previous,
)
from openpeel.framework.models import Framework, GradeLevel, Pillar, Question

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
