"""PEEL frameworks as data: pillars, questions, grade scales and data periods, one file per year."""

from openpeel.framework.loader import available_years, load_framework
from openpeel.framework.models import Framework, GradeLevel, Pillar, Question

__all__ = ["Framework", "GradeLevel", "Pillar", "Question", "available_years", "load_framework"]
