"""Publish: the force report as a document model, rendered to text, Markdown and HTML."""

from openpeel.publish.document import build_report
from openpeel.publish.model import Report
from openpeel.publish.render import FORMATS, render

__all__ = ["FORMATS", "Report", "build_report", "render"]
