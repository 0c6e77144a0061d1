"""The reference registry of police forces and the non-force areas the sources report."""

from openpeel.forces.registry import (
    EW_ID,
    Force,
    all_areas,
    get_force,
    lookup,
    territorial_forces,
)

__all__ = ["EW_ID", "Force", "all_areas", "get_force", "lookup", "territorial_forces"]
