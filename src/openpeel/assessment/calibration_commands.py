"""CLI commands for the published record: `openpeel published-grades` (the inspectorate's grades,
reference data shipped with openpeel) and `openpeel calibrate` (the rubric set against them).
Registered on the main Typer app by openpeel.cli.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Annotated

import typer

from openpeel.core.cli_support import DbOption, JsonOption, friendly_errors, locations
from openpeel.framework.cli_options import OptionalYearOption, YearOption


def _recording(year: int | None, force_id: str | None, as_json: bool) -> None:
    """`published-grades --recording`: every judgement, or with a year those applying to its
    recorded-crime period (framework.recording_grades.recording_judgement_for)."""
    from openpeel.forces import territorial_forces
    from openpeel.framework import load_framework
    from openpeel.framework.recording_grades import (
        recording_grades,
        recording_json,
        recording_judgement_for,
        recording_table,
    )

    rows = recording_grades(force_id)
    if year is not None:
        period = load_framework(year).data_periods.get("recorded_crime")
        if period is None:
            rows = []
        else:
            end = period.period_end
            start = end.replace(year=end.year - 1) + dt.timedelta(days=1)
            forces = [force_id] if force_id else [f.force_id for f in territorial_forces()]
            found = (recording_judgement_for(f, start, end) for f in forces)
            rows = [r for r in found if r is not None]
    if as_json:
        print(json.dumps([recording_json(r) for r in rows], indent=2))
        return
    sys.stdout.write(recording_table(rows))


def register(app: typer.Typer) -> None:
    """Add this stage's commands to `app`."""

    @app.command("published-grades")
    @friendly_errors
    def published_grades_command(
        year: OptionalYearOption = None,
        force: Annotated[
            str | None, typer.Option("--force", help="Only this force (id or name, e.g. northamptonshire).")
        ] = None,
        coverage: Annotated[
            bool,
            typer.Option(
                "--coverage",
                help="Instead of grades: per cycle and force, complete, partial (which areas), counts only "
                "or not found, with the searches recorded for each gap.",
            ),
        ] = False,
        as_json: JsonOption = False,
        recording: Annotated[
            bool,
            typer.Option(
                "--recording",
                help="The inspectorate's crime-recording judgements instead (crime data integrity grades, "
                "shares of crimes unrecorded); with --year, those that apply to the cycle's recorded-crime period.",
            ),
        ] = False,
    ) -> None:
        """The grades the inspectorate published, per force, cycle and pillar or question, with sources.

        These are reference data shipped with openpeel (framework/published/), never rubric proposals.
        Each row says what kind of source it was read on: the inspectorate, a commissioner's office,
        the force or the press.
        """
        from openpeel.forces import lookup
        from openpeel.framework.published_grades import grades_table, published_grades

        force_id = lookup(force).force_id if force is not None else None
        if coverage:
            from openpeel.framework.published_coverage import coverage_report, coverage_table

            found = coverage_report(year, force_id)
            if as_json:
                print(json.dumps([r.as_json() for r in found], indent=2))
                return
            sys.stdout.write(coverage_table(found))
            return
        if recording:
            _recording(year, force_id, as_json)
            return
        rows = published_grades(year, force_id)
        if as_json:
            print(json.dumps([r.as_json() for r in rows], indent=2))
            return
        sys.stdout.write(grades_table(rows))

    @app.command()
    @friendly_errors
    def calibrate(year: YearOption = 2014, as_json: JsonOption = False, db: DbOption = None) -> None:
        """Set the rubric's proposals beside the inspectorate's published grades, for every force
        with shipped evidence, on the same rows as two baselines (the cycle's most common grade; the
        force's grade last cycle where the crosswalk says it compares): agreement and Cohen's kappa
        overall, held out and tuning, the confusion table, and each disagreement with its rules.
        Refuses to run if the rubric changed after calibration-YEAR.yaml froze it."""
        from openpeel.assessment.calibrate import calibrate as run_calibration
        from openpeel.assessment.calibrate import shipped_evidence
        from openpeel.assessment.calibration_report import format_calibration
        from openpeel.assessment.prepare import open_ready

        # Without evidence there is nothing to compare, and no warehouse to prepare.
        con = open_ready(locations(db=db))[0] if shipped_evidence(year) else None
        result = run_calibration(con, year)
        if as_json:
            print(json.dumps(result.as_json(), indent=2))
            return
        sys.stdout.write(format_calibration(result))
