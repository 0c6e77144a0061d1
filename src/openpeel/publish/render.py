"""Rendering a Report to plain text, Markdown or HTML with Jinja2 templates.

HTML is autoescaped; Markdown escapes its own syntax and angle brackets, so no text from an
evidence file can become markup in any format.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Literal

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from openpeel.publish.charts import svg as chart_svg
from openpeel.publish.model import Chart, Paragraph, Report, RuleLine

Format = Literal["text", "md", "html"]
FORMATS: tuple[Format, ...] = ("text", "md", "html")
EXTENSIONS = {"text": "txt", "md": "md", "html": "html"}
KIND_LABELS = {
    "strength": "Strength",
    "area-for-improvement": "Area for improvement",
    "cause-of-concern": "Cause of concern",
    "observation": "Observation",
    "innovative-practice": "Innovative practice",
    "promising-practice": "Promising practice",
    "data": "From the data",
    "note": "Note",
}

# Paragraph kinds printed with their label; findings read as prose, but a cause of concern, a
# note about the data and innovative or promising practice (boxed in the inspectorate's reports)
# are flagged.
TAGGED_KINDS = ("cause-of-concern", "note", "innovative-practice", "promising-practice")

_MD_INLINE = re.compile(r"([\\`*_\[\]|])")
_MD_BLOCK_START = re.compile(r"^(\s*)([#>+\-]|\d+[.)])(?=\s|$)")


def md_escape(text: str) -> str:
    """Escape Markdown's inline syntax and any raw HTML; block markers only where a line starts."""
    escaped = _MD_INLINE.sub(r"\\\1", text)
    escaped = escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "\n".join(_MD_BLOCK_START.sub(r"\1\\\2", line) for line in escaped.split("\n"))


def md_paragraph(p: Paragraph) -> str:
    out = []
    for seg in p.segments:
        text = md_escape(seg.text)
        out.append(f"[{text}](#{seg.ref})" if seg.ref else text)
    return "".join(out)


def html_paragraph(p: Paragraph) -> Markup:
    out = []
    for seg in p.segments:
        text = escape(seg.text)
        out.append(Markup('<a href="#{}">{}</a>').format(seg.ref, text) if seg.ref else text)
    return Markup("").join(out)


def agreement_text(agreement: str | None) -> str:
    """Whether openpeel's grade is the one the inspectorate published, in words."""
    if agreement is None:
        return "nothing to compare"
    return "agrees with the published grade" if agreement == "agrees" else "differs from the published grade"


def grade_state(note: str | None) -> str:
    """The state of openpeel's grade in a word or two ("draft", "proposal"): the body gives
    this, the appendix's judgements the whole note."""
    first = (note or "").split(";")[0].strip()
    return "proposal" if first.startswith("proposed by") else first


def fired_rules(report: Report) -> list[RuleLine]:
    """The rubric rules that settled or shaped a grade: the appendix lists these, not every rule tried."""
    return [r for r in report.rules if r.fired]


@cache
def environment(fmt: Format) -> Environment:
    env = Environment(
        loader=PackageLoader("openpeel.publish", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    env.filters["md_paragraph"] = md_paragraph
    env.filters["html_paragraph"] = html_paragraph
    env.filters["chart_svg"] = chart_svg
    env.globals["kind_labels"] = KIND_LABELS
    env.globals["agreement_text"] = agreement_text
    env.globals["fired_rules"] = fired_rules
    env.filters["grade_state"] = grade_state
    env.globals["tagged"] = TAGGED_KINDS
    return env


def render(
    report: Report, fmt: Format, *, nav: Sequence[tuple[str, str]] = (), print_mode: bool = False
) -> str:
    """The report in one format. `nav` adds site links (HTML); `print_mode` opens chart tables for PDF."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    # A cycle with a published report form (PEEL 2021/22 on) has templates of its own.
    stem = "report_areas" if report.shape == "graded-areas" else "report"
    template = environment(fmt).get_template(f"{stem}.{EXTENSIONS[fmt]}.j2")
    return template.render(report=report, nav=list(nav), print_mode=print_mode)


def figure_html(chart: Chart) -> Markup:
    """One chart as the reports draw it (SVG, text alternative, its table), for pages outside
    the publish templates (the web app's home page)."""
    template = environment("html").from_string('{% from "chart.html.j2" import figure %}{{ figure(chart) }}')
    return Markup(template.render(chart=chart))
