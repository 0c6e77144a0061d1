"""The inspectorate's published grades beside openpeel's: what a report, the overview and the
force-across-years page say about them.

Published grades are facts with sources (framework/published/), openpeel's grades are proposals
or judgements with a state. Every surface keeps the two apart: a published grade is always named
as the inspectorate's, with its date where the page states one and its source page, and set beside
openpeel's grade only to say whether the two agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from openpeel.forces import Force
from openpeel.framework import Framework
from openpeel.framework.published_grades import load_published_grades
from openpeel.publish.model import Paragraph, para

AGREES = "agrees"
DIFFERS = "differs"


@dataclass(frozen=True)
class PublishedView:
    """One grade the inspectorate published, as a report shows it."""

    target: str
    """the pillar or question id"""
    grade_id: str
    label: str
    published: dt.date | None
    source_url: str
    note: str | None
    source_kind: str = "inspectorate"
    """who published the page the grade was read on (framework/published_grades.SOURCE_KINDS)"""

    @property
    def date_text(self) -> str:
        if self.published is None:
            return "date not stated on the source page"
        return f"{self.published.day} {self.published.strftime('%B %Y')}"


def published_views(framework: Framework, force_id: str) -> dict[str, PublishedView]:
    """The force's published grades for the cycle, by pillar or question id."""
    return {
        r.target: PublishedView(
            r.target,
            r.grade,
            framework.grade(r.grade).label,
            r.published,
            r.source_url,
            r.note,
            r.source_kind,
        )
        for r in load_published_grades(framework.year)
        if r.force_id == force_id
    }


def agreement(openpeel_grade: str | None, published: PublishedView | None) -> str | None:
    """'agrees' or 'differs' where both grades exist, else None (nothing to compare)."""
    if openpeel_grade is None or published is None:
        return None
    return AGREES if openpeel_grade == published.grade_id else DIFFERS


def _dates(views: list[PublishedView]) -> str:
    """', published on 12 November 2014' where every grade shown has that date, else a note."""
    dates = {v.published for v in views}
    if len(dates) == 1 and None not in dates:
        return f", published on {views[0].date_text}"
    if dates == {None}:
        return ", whose page states no date"
    return ", published on different dates (each question below gives its own)"


def joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _verb(framework: Framework, grade_id: str) -> str:
    """'is good', 'requires improvement': a grade as a predicate without its object."""
    return framework.grade(grade_id).summary_verb.removesuffix(" at")


def published_summary(force: Force, framework: Framework, views: dict[str, PublishedView]) -> list[Paragraph]:
    """The summary's first paragraph: the inspectorate's published grades, stated as its facts
    with their date and source page ([] where the table holds none for the force and cycle)."""
    pillar = framework.pillars[0]
    graded = [q for q in pillar.questions if q.graded and q.id in views]
    overall = views.get(pillar.id)
    if not graded and overall is None:
        return []
    shown = [*([overall] if overall else []), *(views[q.id] for q in graded)]
    sources = list(dict.fromkeys(v.source_url for v in shown))
    lead = f"In its {framework.title} grades{_dates(shown)} (source: {'; '.join(sources)}), the inspectorate"
    sentences = []
    if overall is not None:
        sentences.append(
            f"{lead} judged that {force.name}'s {pillar.title.lower()} overall {_verb(framework, overall.grade_id)}."
        )
        lead, subject = "The inspectorate also found that", "the force"
    else:
        lead, subject = f"{lead} found that", force.name
    phrases = [f"{framework.grade(views[q.id].grade_id).summary_verb} {q.summary_phrase}" for q in graded]
    if phrases:
        sentences.append(f"{lead} {subject} {joined(phrases)}.")
    return [para(" ".join(sentences))]


def agreement_clause(
    openpeel: dict[str, str | None], views: dict[str, PublishedView], framework: Framework
) -> str:
    """': the same as the inspectorate's published grades on all 3' and its kin, for the sentence
    stating openpeel's grades ('' where there is nothing to compare)."""
    compared = [(q, agreement(g, views.get(q))) for q, g in openpeel.items()]
    compared = [(q, a) for q, a in compared if a is not None]
    if not compared:
        return ""
    differ = [
        framework.question(q).summary_phrase or framework.question(q).text
        for q, a in compared
        if a == DIFFERS
    ]
    if not differ:
        if len(compared) == 1:
            return ": the same as the inspectorate's published grade"
        return f": the same as the inspectorate's published grades on all {len(compared)}"
    return (
        f": the same as the inspectorate's published grades on {len(compared) - len(differ)} of "
        f"{len(compared)}, different on {joined(differ)}"
    )
