"""Where a force's assessment stands, as a public page may say it (assessment/progress.py)."""

from __future__ import annotations

from openpeel.assessment.progress import NONE, Progress


def test_the_three_stages_and_the_next_step() -> None:
    assert NONE.stage == "no-findings" and not NONE.has_findings
    assert NONE.stage_sentence("Kent Police", "PEEL 2014") == (
        "No inspection findings are loaded for Kent Police for PEEL 2014, so openpeel gives no grades."
    )
    drafts = Progress(
        {"reducing-crime": 4, "tackling-asb": 2}, {"reducing-crime": "draft", "tackling-asb": "draft"}
    )
    assert drafts.stage == "unpublished" and drafts.finding_count == 6
    sentence = drafts.stage_sentence("Kent Police", "PEEL 2014")
    assert sentence.startswith(
        "6 inspection findings are loaded for Kent Police for PEEL 2014, but no judgement"
    )
    assert (
        "Next: an inspector confirms or overrides" in sentence
        and "moderates" in sentence
        and "published" in sentence
    )
    confirmed = Progress(drafts.findings, drafts.states, frozenset({"reducing-crime", "tackling-asb"}))
    assert confirmed.next_step().startswith("Next: a moderator moderates them")
    moderated = Progress(drafts.findings, {"reducing-crime": "moderated", "tackling-asb": "moderated"})
    assert moderated.next_step().startswith("Next: they are published")
    published = Progress(drafts.findings, {"reducing-crime": "published", "tackling-asb": "draft"})
    assert published.stage == "published" and published.published == ["reducing-crime"]
    assert published.question_note("tackling-asb").startswith(
        "Inspection findings are loaded for this question"
    )
    assert (
        published.question_note("investigating-offending")
        == "No inspection findings are loaded for this question."
    )
