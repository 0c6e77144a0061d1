"""Indicators: declared once in catalogue.yaml, computed in SQL, compared with England and Wales."""

from openpeel.indicators.catalogue import Indicator, catalogue, get_indicator

__all__ = ["Indicator", "catalogue", "get_indicator"]
