"""One PEEL cycle's inputs, read once and handed to every renderer.

A report, the national overview, the scan, the downloads and the force-across-years pages of a
cycle all draw on the same things: the framework, every force's indicator values, the chart data,
the evidence and judgements a surface may show, and the rubric's proposals. `Cycle` reads each
once, when first asked, and keeps it: the rubric runs once per force and cycle, a force's report
is built once, and a command or a web request that needs one force reads only that force's part.
The web app keeps one `Cycle` per cycle and data version (see openpeel.web.site_pages).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import duckdb

from openpeel.assessment import Proposal, propose_grades
from openpeel.assessment.judgements import Judgement
from openpeel.assessment.progress import NONE, Progress, progress_of
from openpeel.evidence import EvidenceFile
from openpeel.forces import EW_ID, Force, territorial_forces
from openpeel.framework import Framework, load_framework
from openpeel.indicators.data_age import DataAge, data_age
from openpeel.indicators.query import IndicatorValue, source_files, values_for_year
from openpeel.indicators.scan import ScanRow, national_scan
from openpeel.publish.chart_data import YearChartData, load_chart_data
from openpeel.publish.document import build_report
from openpeel.publish.model import Report
from openpeel.publish.recent_data import report_chart_data, report_framework

T = TypeVar("T")


_WAREHOUSE_PARTS = (
    "values",
    "values_by_area",
    "chart_data",
    "sources",
    "scan",
    "age",
    "report_values_by_area",
    "report_chart_data",
)


class Cycle:
    """A cycle as one surface shows it: `evidence` and `judgements` are what that surface may show
    (everything stored, for `build`; only what is published, for public pages).

    `progress` says how far each force's assessment has got where the surface shows less than is
    stored (a public one: assessment/progress.py); without it, it is read from `evidence` and
    `judgements` themselves.

    A Cycle reads the warehouse through `con` alone, under its own lock, so the web app can share
    one between request threads when `con` is a cursor of its own."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        year: int,
        evidence: Mapping[str, EvidenceFile] | None = None,
        judgements: Mapping[str, dict[str, Judgement]] | None = None,
        progress: Mapping[str, Progress] | None = None,
    ) -> None:
        self.con = con
        self.framework: Framework = load_framework(year)
        self.year = self.framework.year
        self.evidence = dict(evidence or {})
        self.judgements = dict(judgements or {})
        self._progress = dict(progress) if progress is not None else None
        self._lock = threading.RLock()
        self._parts: dict[str, Any] = {}
        self._base: Cycle | None = None
        self._proposals: dict[str, dict[str, Proposal]] = {}
        self._reports: dict[str, Report] = {}

    def with_public(
        self,
        evidence: Mapping[str, EvidenceFile],
        judgements: Mapping[str, dict[str, Judgement]],
        progress: Mapping[str, Progress] | None = None,
    ) -> Cycle:
        """The same cycle and warehouse snapshot with other evidence and judgements: what it has
        read from the warehouse is shared, proposals and reports are not."""
        other = Cycle(self.con, self.year, evidence, judgements, progress)
        other._lock = self._lock  # one connection, one lock
        other._base = self
        return other

    def _part(self, name: str, load: Callable[[], T]) -> T:
        with self._lock:
            if name not in self._parts:
                if self._base is not None and name in _WAREHOUSE_PARTS:
                    self._parts[name] = self._base._part(name, load)
                else:
                    self._parts[name] = load()
            found: T = self._parts[name]
            return found

    @property
    def values(self) -> list[IndicatorValue]:
        """Every area's indicator values for the cycle's data periods."""
        return self._part("values", lambda: values_for_year(self.con, self.framework))

    @property
    def values_by_area(self) -> dict[str, dict[str, IndicatorValue]]:
        def by_area() -> dict[str, dict[str, IndicatorValue]]:
            out: dict[str, dict[str, IndicatorValue]] = {}
            for value in self.values:
                out.setdefault(value.area_id, {})[value.indicator.id] = value
            return out

        return self._part("values_by_area", by_area)

    @property
    def chart_data(self) -> YearChartData:
        return self._part("chart_data", lambda: load_chart_data(self.con, self.framework))

    @property
    def sources(self) -> dict[str, dict[str, object]]:
        """The source files behind the figures (for each report's appendix)."""
        return self._part("sources", lambda: source_files(self.con))

    @property
    def scan(self) -> list[ScanRow]:
        return self._part("scan", lambda: national_scan(self.con, self.framework))

    def force_values(self, force_id: str) -> dict[str, IndicatorValue]:
        return self.values_by_area.get(force_id, {})

    @property
    def has_report_form(self) -> bool:
        """The cycle's reports follow its published report form (PEEL 2021/22 on: publish/recent.py)."""
        return self.framework.report is not None

    @property
    def age(self) -> DataAge:
        """How far the cycle's figures in the warehouse precede the cycle."""
        return self._part("age", lambda: data_age(self.con, self.framework))

    @property
    def report_values_by_area(self) -> dict[str, dict[str, IndicatorValue]]:
        """The figures the cycle's reports show, by area: the cycle's own periods for the pillar
        reports; for a cycle with a report form, the latest periods held on or before them, none
        past the framework's data_age_limit (publish/recent_data.py)."""
        if not self.has_report_form:
            return self.values_by_area

        def by_area() -> dict[str, dict[str, IndicatorValue]]:
            shown = report_framework(self.framework, self.age)
            out: dict[str, dict[str, IndicatorValue]] = {}
            for value in values_for_year(self.con, shown) if shown is not None else []:
                out.setdefault(value.area_id, {})[value.indicator.id] = value
            return out

        return self._part("report_values_by_area", by_area)

    @property
    def report_chart_data(self) -> YearChartData:
        if not self.has_report_form:
            return self.chart_data
        return self._part("report_chart_data", lambda: report_chart_data(self.con, self.framework, self.age))

    def report_values(self, force_id: str) -> dict[str, IndicatorValue]:
        return self.report_values_by_area.get(force_id, {})

    def progress_for(self, force_id: str) -> Progress:
        """How far the force's assessment has got: findings loaded, judgements' states."""
        if self._progress is not None:
            return self._progress.get(force_id, NONE)
        return progress_of(self.evidence.get(force_id), self.judgements.get(force_id))

    def proposals(self, force_id: str) -> dict[str, Proposal]:
        """The rubric's proposals for one force: computed once per force and cycle."""
        with self._lock:
            found = self._proposals.get(force_id)
            if found is None:
                # A report in the cycle's own form covers every pillar's areas.
                found = propose_grades(
                    self.framework,
                    self.evidence.get(force_id),
                    self.report_values(force_id),
                    pillars=None if self.has_report_form else ("effectiveness",),
                )
                self._proposals[force_id] = found
            return found

    def report(self, force_id: str) -> Report:
        """One force's report, built once."""
        with self._lock:
            found = self._reports.get(force_id)
            if found is None:
                found = build_report(
                    self.con,
                    force_id,
                    self.year,
                    self.evidence.get(force_id),
                    chart_data=self.report_chart_data,
                    values=self.report_values(force_id),
                    stored=self.judgements.get(force_id, {}),
                    proposals=self.proposals(force_id),
                    sources=self.sources,
                    progress=self.progress_for(force_id),
                    ew_values=self.report_values(EW_ID),
                    age=self.age if self.has_report_form else None,
                )
                self._reports[force_id] = found
            return found

    def reports(self, forces: Sequence[Force] | None = None) -> list[Report]:
        """The reports of `forces` (default: the 43 territorial forces), in that order."""
        return [self.report(force.force_id) for force in (forces or territorial_forces())]
