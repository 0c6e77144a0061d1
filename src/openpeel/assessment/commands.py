"""CLI commands for judgements, moderation and history, registered on the main Typer app by openpeel.cli
(the evidence commands are openpeel.evidence.commands).

Every command is a thin layer over openpeel.assessment.*; every write says who (--by) and, where the
rules require it, why (--reason).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.table import Table

from openpeel.core.cli_support import (
    ByOption,
    DbOption,
    ForceArg,
    JsonOption,
    ReasonOption,
    err,
    friendly_errors,
    locations,
    out,
)
from openpeel.core.errors import OpenpeelError
from openpeel.framework.cli_options import YearOption

if TYPE_CHECKING:
    import duckdb

    from openpeel.store import Store


def _store() -> Store:
    from openpeel.store import open_store

    return open_store(locations())


def _warehouse(db: Path | None, store: Store) -> duckdb.DuckDBPyConnection:
    """The warehouse with indicators, read-only (statistics loaded first if missing)."""
    from openpeel.assessment.prepare import ready_warehouse
    from openpeel.core.cli_support import waiting_message

    return ready_warehouse(locations(db=db), store, on_wait=waiting_message)


def _short(value: object, limit: int = 48) -> str:
    text = "none" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _change_text(event: Any) -> str:
    if event.before is None:
        return "created"
    if event.after is None:
        return "removed"
    parts = []
    for name in event.changed_fields():
        if name in ("updated_by", "updated_at", "proposal_json"):
            continue
        parts.append(f"{name}: {_short(event.before.get(name), 24)} → {_short(event.after.get(name), 24)}")
    return "; ".join(parts) or "rule details updated"


def _judgement_table(ws: Any, force_id: str, year: int) -> Table:
    from openpeel.assessment.comparability import comparisons
    from openpeel.assessment.judgements import current_judgements
    from openpeel.framework import load_framework

    framework = load_framework(year)
    found = current_judgements(ws, force_id, year)
    if not found:
        raise OpenpeelError(
            f"no judgements for {force_id}, PEEL {year}: import evidence (openpeel evidence import FILE --by NAME)"
        )
    compared = comparisons(ws, force_id, year)
    table = Table(
        "question",
        "state",
        "proposed",
        "current",
        "note",
        "vs previous year",
        title=f"{force_id}, PEEL {year}",
    )
    table.columns[0].no_wrap = True

    def label(grade: str | None) -> str:
        return framework.grade(grade).label if grade else "-"

    pillar = None
    for j in found.values():
        if j.pillar_id != pillar:
            if pillar is not None:
                table.add_section()
            table.add_row(f"[bold]{framework.pillar(j.pillar_id).title}[/]")
            pillar = j.pillar_id
        table.add_row(
            "  " + j.question_id,
            j.state,
            label(j.proposed_grade),
            label(j.current_grade),
            _short(j.status_note, 60),
            compared[j.question_id].describe() if j.question_id in compared else "-",
        )
    return table


def register(app: typer.Typer) -> None:
    """Add this stage's commands to `app`."""
    judgement_app = typer.Typer(
        help="Judgements: propose, confirm, override, moderate, publish and reopen; show the current state.",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    app.add_typer(judgement_app, name="judgement")
    _judgement_commands(judgement_app)
    _state_commands(judgement_app)
    _history_command(app)
    _moderate_command(app)


def _judgement_commands(judgement_app: typer.Typer) -> None:
    @judgement_app.command("show")
    @friendly_errors
    def judgement_show(force: ForceArg, year: YearOption = 2014, as_json: JsonOption = False) -> None:
        """A force's judgements for a year: state, proposed and current grade, and comparability with the year before."""
        from openpeel.assessment.comparability import comparisons
        from openpeel.assessment.judgements import current_judgements
        from openpeel.forces import lookup

        force_id = lookup(force).force_id
        with _store().read() as ws:
            if not as_json:
                out.print(_judgement_table(ws, force_id, year))
                return
            found = current_judgements(ws, force_id, year)
            compared = comparisons(ws, force_id, year)
            print(
                json.dumps(
                    [
                        {
                            **j.as_json(),
                            "rules": (j.proposal or {}).get("rules", []),
                            "comparison": compared[q].as_json(),
                        }
                        for q, j in found.items()
                    ],
                    indent=2,
                )
            )

    @judgement_app.command("propose")
    @friendly_errors
    def judgement_propose(
        by: ByOption,
        force: Annotated[
            str | None, typer.Argument(help="Only this force (default: all with evidence).")
        ] = None,
        year: YearOption = 2014,
        db: DbOption = None,
    ) -> None:
        """Run the rubric on stored evidence and record drafts (moderated and published judgements are kept)."""
        from openpeel.assessment.judgements import record_all
        from openpeel.evidence.store import stored_force_years
        from openpeel.forces import lookup

        store = _store()
        con = _warehouse(db, store)
        with store.write() as ws:
            chosen = stored_force_years(ws, year)
            if force is not None:
                force_id = lookup(force).force_id
                chosen = [fy for fy in chosen if fy[0] == force_id]
                if not chosen:
                    raise OpenpeelError(f"no stored evidence for {force_id}, PEEL {year}")
            events = record_all(con, ws, chosen, by=by)
        err.print(f"{len(chosen)} force(s); {len(events)} judgement change(s) recorded")

    @judgement_app.command("confirm")
    @friendly_errors
    def judgement_confirm(
        force: ForceArg,
        question: Annotated[str, typer.Argument(help="Question id, e.g. reducing-crime.")],
        by: ByOption,
        year: YearOption = 2014,
        reason: ReasonOption = None,
    ) -> None:
        """Accept the rubric's proposed grade as the current grade."""
        from openpeel.assessment.judgements import confirm

        with _store().write() as ws:
            event = confirm(ws, force, year, question, by=by, reason=reason)
        err.print(
            f"event {event.event_id}: {question} confirmed as {event.after and event.after['current_grade']}"
        )

    @judgement_app.command("override")
    @friendly_errors
    def judgement_override(
        force: ForceArg,
        question: Annotated[str, typer.Argument(help="Question id, e.g. investigating-offending.")],
        grade: Annotated[str, typer.Argument(help="outstanding, good, requires-improvement or inadequate.")],
        by: ByOption,
        reason: ReasonOption = None,
        year: YearOption = 2014,
    ) -> None:
        """Set the grade against the proposal; the rationale (--reason) is required and kept."""
        from openpeel.assessment.judgements import override

        with _store().write() as ws:
            event = override(ws, force, year, question, grade, by=by, reason=reason)
        err.print(f"event {event.event_id}: {question} set to {grade}")


def _state_commands(judgement_app: typer.Typer) -> None:
    def _state_command(name: str, action: Callable[..., list[Any]], doc: str) -> None:
        @judgement_app.command(name, help=doc)
        @friendly_errors
        def command(
            force: ForceArg,
            by: ByOption,
            question: Annotated[
                str | None,
                typer.Argument(help="Question id (default: every question of the force and year)."),
            ] = None,
            year: YearOption = 2014,
            reason: ReasonOption = None,
        ) -> None:
            with _store().write() as ws:
                events = action(ws, force, year, question, by=by, reason=reason)
            for event in events:
                err.print(f"event {event.event_id}: {event.entity_id} {event.after['state']}")
            if name == "publish":
                err.print(
                    "marked published: no public surface shows it until `openpeel publish` records a "
                    "publication (docs/moderation.md, 'Published is one act')"
                )

    from openpeel.assessment import judgements as j

    _state_command(
        "moderate",
        j.moderate,
        "Mark draft judgements moderated (proposed grades must be confirmed or overridden first).",
    )
    _state_command(
        "publish",
        j.publish,
        "Mark moderated judgements published; `openpeel publish` then records them and every public surface shows them at once.",
    )
    _state_command(
        "reopen", j.reopen, "Return moderated or published judgements to draft (--reason required)."
    )


def _history_command(app: typer.Typer) -> None:
    @app.command()
    @friendly_errors
    def history(
        force: ForceArg,
        year: YearOption = 2014,
        as_json: JsonOption = False,
    ) -> None:
        """The audit trail of a force and year: every change to its findings and judgements (who, when, what, why)."""
        from openpeel.forces import lookup
        from openpeel.store.audit import events, verify_chain

        force_id = lookup(force).force_id
        with _store().read() as ws:
            found = events(ws, force_id=force_id, year=year)
            check = verify_chain(ws)
        if as_json:
            print(
                json.dumps(
                    {
                        "force": force_id,
                        "year": year,
                        "events": [e.as_json() for e in found],
                        "chain": {
                            "events": check.events,
                            "intact": check.is_intact,
                            "problem": check.problem,
                        },
                    },
                    indent=2,
                )
            )
        else:
            table = Table(
                "#",
                "when (UTC)",
                "who",
                "action",
                "what",
                "change",
                "why",
                title=f"History of {force_id}, PEEL {year}",
            )
            table.columns[1].no_wrap = True
            for e in found:
                table.add_row(
                    str(e.event_id),
                    e.recorded_at.strftime("%Y-%m-%d %H:%M"),
                    e.actor,
                    e.action,
                    f"{e.entity} {e.entity_id}",
                    _change_text(e),
                    e.reason or "",
                )
            out.print(table)
            if check.is_intact:
                err.print(f"audit chain intact: {check.events} events")
            if check.is_intact and not check.is_pinned:
                err.print(
                    f"events 1-{check.plain} have plain SHA-256 hashes that no keyed event pins yet: "
                    "check them with openpeel audit verify --head FILE",
                    soft_wrap=True,
                )
        if not check.is_intact:
            raise OpenpeelError(f"audit chain broken at event {check.first_bad_event}: {check.problem}")


def _moderate_command(app: typer.Typer) -> None:
    @app.command()
    @friendly_errors
    def moderate(year: YearOption = 2014, as_json: JsonOption = False, db: DbOption = None) -> None:
        """The moderation view of a year: grades per question nationally, overrides, and grades out of line with the data."""
        from openpeel.assessment.moderation import moderation_view
        from openpeel.framework import load_framework

        store = _store()
        con = _warehouse(db, store)
        with store.read() as ws:
            view = moderation_view(con, ws, year)
        if as_json:
            print(json.dumps(view.as_json(), indent=2))
            return
        framework = load_framework(year)
        labels = {g.id: g.label for g in framework.grade_scale}
        states = ", ".join(f"{n} {s}" for s, n in view.states.items())
        out.print(
            f"PEEL {year} moderation: {len(view.forces)} force(s) with judgements "
            f"({', '.join(view.forces) or 'none'}); judgements: {states}"
        )
        spread = Table(
            "question",
            *(label.replace(" ", "\n") for label in labels.values()),
            "no\ngrade",
            "not\ninspected",
            title="Grades per question (the current grade where set, else the rubric's proposal)",
            box=box.SIMPLE_HEAD,
        )
        spread.columns[0].no_wrap = True
        for col in spread.columns[1:]:
            col.min_width = max(len(word) for word in str(col.header).split())
            col.justify = "right"
        for s in view.spread:
            spread.add_row(
                s.question_id,
                *(str(s.counts[g]) for g in labels),
                str(s.no_grade),
                str(s.not_inspected),
            )
        out.print(spread)
        differ = Table(
            "force",
            "question",
            "proposed",
            "current",
            "state",
            "rationale",
            title="Proposed and current grade differ",
        )
        for jd in view.differences:
            differ.add_row(
                jd.force_id,
                jd.question_id,
                labels.get(jd.proposed_grade or "", "-"),
                labels.get(jd.current_grade or "", "-"),
                jd.state,
                jd.rationale or "",
            )
        out.print(differ if view.differences else "Proposed and current grade differ: none")
        lines = Table(
            "force", "question", "grade", "indicator", "why", title="Out of line with the data-led flags"
        )
        for o in view.out_of_line:
            lines.add_row(o.force_id, o.question_id, labels[o.grade], o.indicator_id, o.why)
        out.print(lines if view.out_of_line else "Out of line with the data-led flags: none")
        if view.unconfirmed:
            waiting = ", ".join(f"{jd.force_id}/{jd.question_id}" for jd in view.unconfirmed)
            out.print(f"Proposed, awaiting an inspector's confirmation or override: {waiting}")


def record_drafts(pairs: list[tuple[str, int]], by: str, db: Path | None) -> int:
    """After `openpeel evidence import`: record the rubric's proposals for the forces and years it
    changed as draft judgements; the number of changes recorded. Handed to the evidence stage's
    commands by openpeel.cli, since the evidence stage cannot import this one."""
    from openpeel.assessment.judgements import record_all

    store = _store()
    con = _warehouse(db, store)
    with store.write() as ws:
        return len(record_all(con, ws, pairs, by=by))
