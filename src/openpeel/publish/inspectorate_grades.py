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

    @property
    def date_text(self) -> str:
        if self.published is None:
            return "date not stated on the source page"
        return f"{self.published.day} {self.published.strftime('%B %Y')}"


def published_views(framework: Framework, force_id: str) -> dict[str, PublishedView]:
    """The force's published grades for the cycle, by pillar or question id."""
    return {
        r.target: PublishedView(
            r.target, r.grade, framework.grade(r.grade).label, r.published, r.source_url, r.note
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
    dates = {v.published for v in views}
    if len(dates) == 1 and None not in dates:
        return f", published {views[0].date_text}"
    return ""


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def published_summary(
    force: Force, framework: Framework, views: dict[str, PublishedView], openpeel: dict[str, str | None]
) -> list[Paragraph]:
    """A summary paragraph of the inspectorate's grades, and whether openpeel's agree.

    `openpeel` maps question ids to the grade openpeel shows (None where it gives none).
    """
    pillar = framework.pillars[0]
    graded = [q for q in pillar.questions if q.graded and q.id in views]
    overall = views.get(pillar.id)
    if not graded and overall is None:
        return []
    shown = [*([overall] if overall else []), *(views[q.id] for q in graded)]
    phrases = [f"{framework.grade(views[q.id].grade_id).summary_verb} {q.summary_phrase}" for q in graded]
    sentences = []
    lead = f"In its published grades for {force.name} ({framework.title}{_dates(shown)}), the inspectorate"
    if overall is not None:
        sentences.append(f"{lead} judged the force's {pillar.title.lower()} {overall.label.lower()} overall.")
        lead = "It found that the force"
    else:
        lead += " found that the force"
    if phrases:
        sentences.append(f"{lead} {_joined(phrases)}.")
    compared = [(q, agreement(openpeel.get(q.id), views[q.id])) for q in graded]
    compared = [(q, a) for q, a in compared if a is not None]
    if compared:
        differ = [q.summary_phrase or q.text for q, a in compared if a == DIFFERS]
        agreed = len(compared) - len(differ)
        if not differ:
            sentences.append(
                f"openpeel's grades agree with the published ones on all {len(compared)} compared."
                if len(compared) > 1
                else "openpeel's grade agrees with the published one."
            )
        else:
            sentences.append(
                f"openpeel's grades agree with the published ones on {agreed} of {len(compared)}; "
                f"they differ on {_joined(differ)}."
            )
    return [para(" ".join(sentences))]
