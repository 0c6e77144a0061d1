"""Sentences about indicators, worded by the comparison rule (openpeel.indicators.comparison).

The words are descriptive: "higher" or "a greater reduction" only where the band says the
difference is material, and never a direction contradicted ("in line with" only joins movements
the same way). "Significantly" belongs to the flags (flag_text), which need the
overdispersion-adjusted test. Every figure is a linked segment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from openpeel.indicators.catalogue import Indicator
from openpeel.indicators.query import IndicatorValue
from openpeel.indicators.wording import extreme_phrase
from openpeel.publish.model import Segment

SMALL_CHANGE_PCT = 5.0
UNCHANGED_PCT = 0.5


def anchor(value: IndicatorValue) -> str:
    return f"ind-{value.indicator.id}-{value.period_end.isoformat()}"


def fmt_value(value: float, unit: str) -> str:
    if unit == "%":
        return f"{abs(value):.1f}%"
    if unit.startswith("% "):
        return f"{value:.1f}%"
    return f"{value:.1f}"


def figure(value: IndicatorValue, *, ew: bool = False) -> Segment:
    number = value.ew_value if ew else value.value
    assert number is not None
    return Segment(fmt_value(number, value.indicator.unit), anchor(value))


def month_year(day: dt.date) -> str:
    return day.strftime("%B %Y")


def count_noun(ind: Indicator) -> str:
    """What a rate per 1,000 counts, in the plural: the catalogue's `count_noun`, else
    'X offences' (never 'sexual offences offences')."""
    if ind.count_noun:
        return ind.count_noun
    title = ind.short_title
    return title if title.endswith(("offences", "incidents", "crimes")) else f"{title} offences"


def is_plural(subject: str) -> bool:
    return subject.split(" in ")[0].endswith(("offences", "incidents", "crimes"))


def movement(change: float) -> str:
    """How the force's own count moved: recorded counts are a census, so this is plain fact."""
    if abs(change) < UNCHANGED_PCT:
        return "was broadly unchanged"
    direction = "fell" if change < 0 else "rose"
    return f"{direction} slightly" if abs(change) < SMALL_CHANGE_PCT else direction


def change_comparison(value: IndicatorValue) -> list[Segment]:
    """', a greater reduction than across England and Wales (16.3%)' and its kin, by band.

    The band is descriptive (a material difference, not a significance test). Directions are
    never blurred: when the force and England and Wales moved opposite ways the sentence says so,
    whatever the size of the gap.
    """
    if value.ew_value is None or value.band is None:
        return []
    f, e = value.value, value.ew_value
    ew = "England and Wales"
    movement_word = "a fall" if e < 0 else "a rise"
    if (f < 0) != (e < 0):
        prefix, suffix = f", while {ew} saw {movement_word} of ", ""
    elif value.band == "similar":
        prefix, suffix = f", in line with {ew} ({movement_word} of ", ")"
    elif f < 0:
        kind = "greater" if value.band == "lower" else "smaller"
        prefix, suffix = f", a {kind} reduction than across {ew} (", ")"
    else:
        kind = "greater" if value.band == "higher" else "smaller"
        prefix, suffix = f", a {kind} rise than across {ew} (", ")"
    return [Segment(prefix), figure(value, ew=True), *([Segment(suffix)] if suffix else [])]


def rate_comparison(value: IndicatorValue) -> list[Segment]:
    if value.ew_value is None or value.band is None:
        return []
    word = {"higher": "higher than", "lower": "lower than", "similar": "broadly in line with"}[value.band]
    segments = [Segment(f", {word} England and Wales ("), figure(value, ew=True), Segment(")")]
    # A superlative only where the pairwise comparisons behind the rank support it.
    phrase = extreme_phrase(value)
    if phrase:
        segments.append(Segment(f"; {phrase}"))
    return segments


def rate_sentence(value: IndicatorValue, place: str, period_label: str | None, what: str) -> list[Segment]:
    """'In the year ending March 2014 there were 48.0 anti-social behaviour incidents per 1,000 people in X, higher than ...'

    Without a period label (the paragraph has stated it) the sentence opens "There were"."""
    return [
        Segment(f"In the {period_label} there were " if period_label else "There were "),
        figure(value),
        Segment(f" {what} per 1,000 people in {place}"),
        *rate_comparison(value),
        Segment("."),
    ]


def measure_sentence(value: IndicatorValue, place: str, period_label: str | None) -> list[Segment]:
    """Any other rate or proportion, in its own unit: "In the year ending March 2014,
    Northamptonshire's arrest rate for domestic abuse related crimes was 38.4 arrests per 100
    domestic abuse crimes, lower than England and Wales (62.0): the lowest arrest rate for
    domestic abuse related crimes in the country." """
    ind = value.indicator
    unit = ind.unit[2:] if ind.unit.startswith("% ") else ind.unit
    segments = [
        Segment(
            f"In the {period_label}, {place}'s {ind.short_title} was "
            if period_label
            else f"{place}'s {ind.short_title} was "
        ),
        figure(value),
        Segment(f" {unit}"),
    ]
    if value.ew_value is not None and value.band is not None:
        word = {"higher": "higher than", "lower": "lower than", "similar": "broadly in line with"}[value.band]
        segments += [Segment(f", {word} England and Wales ("), figure(value, ew=True), Segment(")")]
    phrase = extreme_phrase(value, subject=True)
    if phrase:
        segments.append(Segment(f": {phrase}"))
    segments.append(Segment("."))
    return segments


def years_phrase(years: int) -> str:
    return "four years" if years == 4 else f"{years} years"


def change_span(value: IndicatorValue, period_label: str, *, fresh: bool = True) -> str:
    """The span a change covers, always named: 'Over the four years to June 2014', 'In the 12
    months to 30 June 2014, compared with a year earlier'; where the paragraph has just named the
    period, 'Over the same four years' or 'Over the same year', so a reader never has to guess
    which span a sentence that follows one about another period means."""
    years = value.indicator.years or 1
    if years > 1:
        if fresh:
            return f"Over the {years_phrase(years)} to {month_year(value.period_end)}"
        return f"Over the same {years_phrase(years)}"
    if fresh:
        return f"In the {period_label}, compared with a year earlier" if period_label else "Over one year"
    return "Over the same year"


def change_sentence(value: IndicatorValue, subject: str, span: str) -> list[Segment]:
    """'Over the four years to June 2014, recorded crime in X fell by 20.8%, a greater reduction than ...'

    `span` names the period the change covers (change_span); a change sentence always has one."""
    verb = movement(value.value)
    if is_plural(subject):
        verb = verb.replace("was broadly", "were broadly")
    if not span:
        raise ValueError(f"a change sentence names its span ({value.indicator.id})")
    opening = f"{span}, {subject} {verb}"
    segments = [Segment(opening)]
    if not verb.endswith("broadly unchanged"):
        segments += [Segment(", by " if verb.endswith("slightly") else " by "), figure(value)]
    else:
        segments += [Segment(" ("), Segment(f"{value.value:+.1f}%", anchor(value)), Segment(")")]
    segments += [*change_comparison(value), Segment(".")]
    return segments


def signed(value: float, unit: str) -> str:
    return f"{value:+.1f}%" if unit == "%" else f"{value:.1f}"


def flag_text(value: IndicatorValue, period_label: str = "", notes: RecordingNotes | None = None) -> str:
    """A data-led flag: the figure, its period, and how it stands out. Where the direction is
    ambiguous (recording drives the count) it says higher or lower, never better or worse, and
    gives the reason (the recording finding in full unless `notes` says it was said above)."""
    unit = value.indicator.unit
    if value.indicator.kind == "change" and period_label:
        span = change_span(value, period_label)
        period_label = span[:1].lower() + span[1:]
    period = f" ({period_label})" if period_label else ""
    if value.flag == "unclear":
        word = "higher" if value.band == "higher" else "lower"
        why = "recording and reporting drive this count, so neither is better or worse"
        if value.recording is not None:
            why = (notes or RecordingNotes()).reason(value)
        return (
            f"{value.indicator.title}{period}: {signed(value.value, unit)} against "
            f"{signed(value.ew_value or 0.0, unit)} for England and Wales, significantly (beyond the "
            f"ordinary spread between forces) and materially {word}; {why}"
        )
    better_worse = "better" if value.is_better else "worse"
    return (
        f"{value.indicator.title}{period}: {signed(value.value, unit)} against "
        f"{signed(value.ew_value or 0.0, unit)} for England and Wales, significantly (beyond the "
        f"ordinary spread between forces) and materially {better_worse}"
    )


def _joined(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


@dataclass
class RecordingNotes:
    """The recording context of a report's crime figures, said in full the first time and
    referred to after, so each paragraph of crime figures carries it without repeating it."""

    said: set[str] = field(default_factory=set)

    def reason(self, value: IndicatorValue) -> str:
        """The finding and what it means for one figure; referred to once said."""
        context = value.recording
        assert context is not None
        if context.finding_text in self.said:
            return f"the finding on recording above applies: {context.consequence}"
        self.said.add(context.finding_text)
        return context.text

    def sentence(self, values: Sequence[tuple[IndicatorValue, str]]) -> list[Segment]:
        """One sentence for the (value, subject) pairs of a paragraph whose figures have a
        recording context ([] where none has)."""
        with_context = [(v, s) for v, s in values if v.recording is not None]
        if not with_context:
            return []
        out: list[Segment] = []
        by_text: dict[str, list[tuple[IndicatorValue, str]]] = {}
        for value, subject in with_context:
            assert value.recording is not None
            by_text.setdefault(value.recording.finding_text, []).append((value, subject))
        for finding, group in by_text.items():
            subjects = _joined(list(dict.fromkeys(s.split(" in ")[0] for _, s in group)))
            consequences = list(dict.fromkeys(v.recording.consequence for v, _ in group if v.recording))
            then = "; ".join(consequences)
            if finding in self.said:
                text = f"For {subjects}, the finding on recording above applies: {then}."
            else:
                self.said.add(finding)
                text = f"For {subjects}, {finding}; {then}."
            out += [Segment(" "), Segment(text)]
        return out


def caveat_sentence(values: Sequence[tuple[IndicatorValue, str]]) -> list[Segment]:
    """For counts recording drives (sexual offences, violence): why neither direction is better."""
    subjects = list(
        dict.fromkeys(s.split(" in ")[0] for v, s in values if v.indicator.recording_caveat is not None)
    )
    if not subjects:
        return []
    return [
        Segment(" "),
        Segment(
            f"Recorded counts of {_joined(subjects).lower()} rise and fall with recording and with victims coming "
            "forward as well as with offending, so neither a higher nor a lower figure is better or worse."
        ),
    ]
