"""CLI commands for the evidence store: `openpeel evidence import | export | list`, registered on the
main Typer app by openpeel.cli.

Every command is a thin layer over openpeel.evidence.store; every write says who (--by) and, where
the rules require it, why (--reason). Recording the rubric's draft judgements after an import is
the assessment stage's work: openpeel.cli hands it in as `after_import`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from openpeel.core.cli_support import (
    ByOption,
    DbOption,
    JsonOption,
    ReasonOption,
    err,
    friendly_errors,
    locations,
    out,
)
from openpeel.core.errors import InputError
from openpeel.core.user_input import read_user_file
from openpeel.framework.cli_options import OptionalYearOption, YearOption

if TYPE_CHECKING:
    from openpeel.evidence.models import EvidenceFile
    from openpeel.store import Store

AfterImport = Callable[[list[tuple[str, int]], str, Path | None], int]
"""(the forces and years an import changed, who, the --db option) -> draft judgements recorded"""


def _store() -> Store:
    from openpeel.store import open_store

    return open_store(locations())


def register(app: typer.Typer, *, after_import: AfterImport | None = None) -> None:
    """Add the `evidence` group to `app`; `after_import` records draft judgements (--propose)."""
    evidence_app = typer.Typer(
        help="The evidence store: import and export inspections and findings (YAML or CSV).",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    app.add_typer(evidence_app, name="evidence")
    _import_command(evidence_app, after_import)
    _export_commands(evidence_app)
    _blind_command(evidence_app)
    _draft_command(evidence_app)
    _findings_command(app)


def _import_command(evidence_app: typer.Typer, after_import: AfterImport | None) -> None:
    @evidence_app.command("import")
    @friendly_errors
    def evidence_import(
        paths: Annotated[
            list[Path],
            typer.Argument(help="Evidence YAML files, or folders of inspections.csv and findings.csv."),
        ],
        by: ByOption,
        reason: ReasonOption = None,
        propose: Annotated[
            bool,
            typer.Option("--propose/--no-propose", help="Record the rubric's proposals as draft judgements."),
        ] = True,
        db: DbOption = None,
    ) -> None:
        """Import evidence: the store then holds exactly what the files say (each change audited)."""
        from openpeel.evidence.store import import_paths

        store = _store()
        with store.write() as ws:
            results = import_paths(ws, paths, by=by, reason=reason)
        for result in results:
            err.print(result.summary(), markup=False, highlight=False)
        if propose and after_import is not None:
            recorded = after_import([(r.force_id, r.year) for r in results], by, db)
            err.print(f"draft judgements: {recorded} change(s) recorded")


def _export_commands(evidence_app: typer.Typer) -> None:
    @evidence_app.command("export")
    @friendly_errors
    def evidence_export(
        out_dir: Annotated[Path, typer.Option("--out", help="Folder to write to.")],
        force: Annotated[str | None, typer.Argument(help="Only this force (default: all).")] = None,
        year: OptionalYearOption = None,
        fmt: Annotated[
            str, typer.Option("--format", "-f", help="yaml (one file per force and year) or csv.")
        ] = "yaml",
    ) -> None:
        """Export stored evidence as YAML evidence files or as inspections.csv and findings.csv."""
        from openpeel.evidence.store import export_evidence

        with _store().read() as ws:
            written = export_evidence(ws, out_dir, force_id=force, year=year, fmt=fmt)
        for path in written:
            err.print(f"wrote {path}", markup=False, highlight=False)

    @evidence_app.command("list")
    @friendly_errors
    def evidence_list(
        year: OptionalYearOption = None,
    ) -> None:
        """Forces and years with stored evidence, and how many inspections and findings each has."""
        from openpeel.evidence.store import evidence_counts

        with _store().read() as ws:
            rows = evidence_counts(ws, year)
        table = Table("force", "year", "inspections", "findings")
        for row in rows:
            table.add_row(*(str(v) for v in row))
        out.print(table)


def _blind_command(evidence_app: typer.Typer) -> None:
    @evidence_app.command("blind")
    @friendly_errors
    def evidence_blind(
        sources: Annotated[
            list[Path], typer.Argument(help="Text files of inspection pages, or folders of them (*.txt).")
        ],
        out_dir: Annotated[
            Path | None,
            typer.Option(
                "--out", help="Folder for the blinded copies (same names); default: print to stdout."
            ),
        ] = None,
        quiet: Annotated[
            bool, typer.Option("--quiet", "-q", help="Do not list the removed sentences.")
        ] = False,
    ) -> None:
        """The blind protocol's first step: remove every sentence that states or paraphrases a grade,
        and print what was removed and why (docs/methodology.md, "The blind protocol")."""
        from openpeel.evidence.blind import blind_text

        files = [f for s in sources for f in (sorted(s.rglob("*.txt")) if s.is_dir() else [s])]
        if not files:
            raise InputError("no text files given", hint="give .txt files or folders holding them")
        total_removed = total_kept = 0
        for path in files:
            blinded = blind_text(read_user_file(path, what="page text"), where=str(path))
            total_removed += len(blinded.removed)
            total_kept += blinded.kept
            if not quiet:
                for r in blinded.removed:
                    err.print(
                        f"{path}:{r.line}: removed ({r.rule}): {r.sentence}", markup=False, highlight=False
                    )
            if out_dir is None:
                sys.stdout.write(blinded.text)
                continue
            root = next((s for s in sources if s.is_dir() and path.is_relative_to(s)), path.parent)
            target = out_dir / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(blinded.text, encoding="utf-8")
        err.print(
            f"{len(files)} file(s): {total_removed} sentence(s) removed, {total_kept} kept "
            f"(protocol {blinded.protocol})",
            markup=False,
            highlight=False,
        )


def _draft_command(evidence_app: typer.Typer) -> None:
    @evidence_app.command("draft")
    @friendly_errors
    def evidence_draft(
        source: Annotated[
            Path, typer.Argument(help="Text of one inspection report or page (e.g. PAGE.txt).")
        ],
        force: Annotated[str, typer.Option("--force", help="The force the report is about (id or name).")],
        year: YearOption,
        out_file: Annotated[
            Path | None, typer.Option("--out", help="Write the draft YAML here (default: stdout).")
        ] = None,
        compare: Annotated[
            Path | None,
            typer.Option(
                "--compare",
                help="A hand-written evidence file of the same report: print how far the drafts agree with it.",
            ),
        ] = None,
    ) -> None:
        """Draft findings for a person to review: blind the text first (the blind filter's rules),
        then propose one finding per sentence, its kind from cue phrases, its question from the
        heading above it or from topic words, its topics by keyword (rules in
        evidence/protocol/draft-rules.yaml). Every draft text must be rewritten before use."""
        from collections import Counter

        from openpeel.evidence.draft import UNASSIGNED, draft_findings
        from openpeel.evidence.draft_agreement import agreement
        from openpeel.evidence.loader import load_evidence_file
        from openpeel.evidence.models import EvidenceFile

        draft = draft_findings(
            read_user_file(source, what="report text"), force=force, year=year, source_name=source.name
        )
        text = draft.yaml()
        if out_file is None:
            sys.stdout.write(text)
        else:
            out_file.write_text(text, encoding="utf-8")
            err.print(f"wrote {out_file}", markup=False, highlight=False)
        kinds = Counter(f.kind for f in draft.findings)
        unassigned = sum(f.question == UNASSIGNED for f in draft.findings)
        err.print(
            f"{len(draft.blinded.removed)} sentence(s) removed by the blind filter "
            f"(protocol {draft.blinded.protocol}); {len(draft.findings)} draft finding(s): "
            + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
            + f"; {unassigned} without a question",
            markup=False,
            highlight=False,
        )
        if compare is not None:
            hand = load_evidence_file(compare)
            # Checked as a model only: the draft may leave questions unassigned for a person.
            drafted = EvidenceFile.model_validate(draft.evidence_data())
            err.print(agreement(hand, drafted).table(), markup=False, highlight=False, end="")


def _force_evidence(force_id: str, extra: list[Path]) -> dict[int, EvidenceFile]:
    """One force's evidence by cycle: the shipped files and `extra` (which win) when files are
    given, else the workspace store, else (an empty store) the shipped files."""
    from openpeel.evidence.loader import bundled_evidence_files, load_evidence_file
    from openpeel.evidence.store import stored_evidence, stored_force_years
    from openpeel.forces import lookup

    def from_files(paths: list[Path]) -> dict[int, EvidenceFile]:
        found = {}
        for path in paths:
            evidence = load_evidence_file(path)
            if lookup(evidence.force).force_id == force_id:
                found[evidence.year] = evidence
        return found

    if extra:
        return from_files([*bundled_evidence_files(), *extra])
    with _store().read() as ws:
        years = [y for f, y in stored_force_years(ws) if f == force_id]
        stored = {y: ev for y in years if (ev := stored_evidence(ws, force_id, y)) is not None}
    if stored:
        return stored
    err.print("the workspace store holds no evidence: showing the evidence files shipped with openpeel")
    return from_files(bundled_evidence_files())


def _findings_command(app: typer.Typer) -> None:
    @app.command("findings")
    @friendly_errors
    def findings(
        force: Annotated[str, typer.Option("--force", help="The force (id or name, e.g. kent).")],
        as_json: JsonOption = False,
        evidence: Annotated[
            list[Path] | None,
            typer.Option(
                "--evidence", help="Read these evidence files (and the shipped ones), not the store."
            ),
        ] = None,
    ) -> None:
        """A force's areas for improvement and causes of concern, cycle by cycle, and whether a
        comparable finding recurs in the next cycle (same or comparable question through the
        crosswalk, and a shared topic; docs/methodology.md, "Findings across cycles")."""
        import json

        from openpeel.evidence.followed import follow_findings
        from openpeel.forces import lookup

        area = lookup(force)
        followed = follow_findings(area.force_id, _force_evidence(area.force_id, evidence or []))
        if as_json:
            print(json.dumps([f.as_json() for f in followed], indent=2))
            return
        if not followed:
            sys.stdout.write(f"{area.name}: no area for improvement or cause of concern in the evidence\n")
            return
        lines = [f"{area.name}: areas for improvement and causes of concern, and what followed"]
        cycle = None
        for f in followed:
            if f.cycle != cycle:
                cycle = f.cycle
                lines += ["", cycle]
            lines.append(
                f"- {f.finding.question}, {f.kind_label} ({f.finding.id}): {' '.join(f.finding.text.split())}"
            )
            lines.append(f"  next cycle: {f.describe()}")
        sys.stdout.write("\n".join(lines) + "\n")
