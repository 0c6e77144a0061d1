"""The static site: reports, national overview, scan, methodology, data dictionary and downloads.

Layout of the folder written by `openpeel publish --year YEAR --out DIR`:

    DIR/index.html                 home: the years built, methodology, data dictionary
    DIR/methodology.html           docs/methodology.md rendered
    DIR/data-dictionary.html       warehouse tables, indicators and the downloads' columns
    DIR/forces/FORCE.html          one force across every PEEL year openpeel knows
    DIR/YEAR/index.html            national overview (grades of all forces, by force and by region)
    DIR/YEAR/scan.html             national scan (significant and material differences)
    DIR/YEAR/downloads.html        the year's downloads
    DIR/YEAR/downloads/*.csv|*.parquet
    DIR/YEAR/FORCE.html|.md|.txt   the force's report (and .pdf with --pdf)
    DIR/YEAR/FORCE.vN.html|.md|.txt  each published version of it (see publish/publication.py)

Every page is self-contained (inline CSS and SVG, relative links, no external requests), so the
folder works from disk or any static host. It is built beside DIR and swapped into its place in
one step only when complete, so a killed publish leaves the old site or the new one whole
(publish/site_folder.py).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import duckdb
from markdown_it import MarkdownIt
from markupsafe import Markup

from openpeel.assessment.judgements import Judgement
from openpeel.assessment.progress import Progress as WorkProgress
from openpeel.evidence import EvidenceFile
from openpeel.evidence.followed import follow_findings, next_cycle
from openpeel.forces import EW_ID, Force, get_force, territorial_forces
from openpeel.framework import Framework, available_years, load_framework
from openpeel.indicators.catalogue import catalogue
from openpeel.indicators.scan import TRIAGE_LIMIT, ScanRow, triage
from openpeel.publish.cycle import Cycle
from openpeel.publish.cycle_coverage import STATUS_LABELS, coverage_text, cycle_coverage_view
from openpeel.publish.document import shown_grades
from openpeel.publish.export import DOWNLOADS, Download, downloads_dictionary_markdown, export_year
from openpeel.publish.force_cycles import KIND_WORDS, force_cycles
from openpeel.publish.home import home_cycles, home_cycles_html
from openpeel.publish.inspectorate_overview import build_published_overview
from openpeel.publish.model import Chart, Report
from openpeel.publish.overview import NOT_GRADED, NOT_PUBLISHED, build_overview
from openpeel.publish.publication import Versioning
from openpeel.publish.render import EXTENSIONS, Format, environment, render
from openpeel.publish.site_folder import MARKER, new_staging, site_lock, swap_in
from openpeel.publish.tile_map import band_map

Progress = Callable[[str, int, int], None]
REPO_DOCS = Path(__file__).resolve().parents[3] / "docs"


def _no_progress(_step: str, _done: int, _total: int) -> None:
    return None


@dataclass
class SiteResult:
    out_dir: Path
    years: list[int]
    pages: list[Path] = field(default_factory=list)
    downloads: list[Path] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def site_nav(depth: int, year: int | None) -> list[tuple[str, str]]:
    up = "../" * depth
    items = [(f"{up}index.html", "Home")]
    if year is not None:
        items += [
            (f"{up}{year}/index.html", f"Overview {year}"),
            (f"{up}{year}/scan.html", "Scan"),
            (f"{up}{year}/downloads.html", "Downloads"),
        ]
    items += [(f"{up}methodology.html", "Methodology"), (f"{up}data-dictionary.html", "Data dictionary")]
    return items


def _page(template: str, **context: object) -> str:
    return environment("html").get_template(template).render(**context)


def markdown_html(text: str, *, shift: int = 0) -> Markup:
    """Markdown to HTML with raw HTML disabled (so text in the docs cannot inject markup)."""
    if shift:
        text = "\n".join(("#" * shift + line) if line.startswith("#") else line for line in text.split("\n"))
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    return Markup(md.render(text))


def methodology_markdown() -> str:
    packaged = resources.files("openpeel.publish").joinpath("docs", "methodology.md")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    repo = REPO_DOCS / "methodology.md"
    if repo.exists():
        return repo.read_text(encoding="utf-8")
    return "# Methodology\n\nThe methodology document was not found in this installation.\n"


def _followed(cycles: Sequence[Cycle], force: Force) -> list[dict[str, str]]:
    """The force's areas for improvement and causes of concern with what followed each, from the
    evidence the cycles may show (on public surfaces only what stands behind published
    judgements, in the next cycle as in this one)."""
    evidence = {c.year: c.evidence[force.force_id] for c in cycles if force.force_id in c.evidence}
    return [
        {
            "cycle": f.cycle,
            "question": f.question_text,
            "kind": f.kind_label,
            "text": " ".join(f.finding.text.split()),
            "followed": f.describe(),
        }
        for f in follow_findings(force.force_id, evidence)
    ]


def _force_years(cycles: Sequence[Cycle], built: set[int], force: Force) -> dict[str, object]:
    """One force's grades and indicator cells for every PEEL cycle given."""
    titles = {ind.id: ind.title for ind in catalogue().indicators}
    year_rows = []
    for cycle in cycles:
        fw = cycle.framework
        evidence = cycle.evidence.get(force.force_id)
        stored = cycle.judgements.get(force.force_id, {}) if evidence is not None else {}
        shown_by_question = shown_grades(fw, cycle.proposals(force.force_id), stored)
        progress = cycle.progress_for(force.force_id)
        # A question with findings loaded but no published judgement is "not yet published", not "not graded".
        waiting = {q for q, n in progress.findings.items() if n and progress.states.get(q) != "published"}
        grades = [
            (
                q.text,
                fw.grade(g.grade_id).label
                if (g := shown_by_question.get(q.id)) and g.grade_id
                else NOT_PUBLISHED
                if q.id in waiting
                else NOT_GRADED,
            )
            for q in fw.pillars[0].questions
            if q.graded
        ]
        year_rows.append(
            {
                "title": fw.title,
                "grades": grades,
                "report_href": f"../{fw.year}/{force.force_id}.html" if fw.year in built else None,
                "stage": progress.stage_sentence(force.name, fw.title)
                if progress.stage == "unpublished"
                else None,
            }
        )
    cells: dict[str, list[str]] = {}
    for ind_id in titles:
        row = []
        for cycle in cycles:
            v = cycle.force_values(force.force_id).get(ind_id)
            if v is None:
                row.append("–")
                continue
            shown = f"{v.value:+.1f}%" if v.indicator.kind == "change" else f"{v.value:.1f}"
            ew = (
                (f"{v.ew_value:+.1f}%" if v.indicator.kind == "change" else f"{v.ew_value:.1f}")
                if v.ew_value is not None
                else "–"
            )
            band = f"; {v.band}" if v.band else ""
            row.append(f"{shown} (England and Wales {ew}{band}; period ending {v.period_end.isoformat()})")
        cells[ind_id] = row
    return {
        "across": force_cycles(force.force_id, [c.year for c in cycles]),
        "kind_words": KIND_WORDS,
        "years": year_rows,
        "followed": _followed(cycles, force),
        "indicators": [(titles[i], cells[i]) for i in titles if any(c != "–" for c in cells[i])],
    }


def overview_page(cycle: Cycle) -> str:
    """DIR/YEAR/index.html: the national overview of a year."""
    ov = build_overview(cycle.framework, cycle.reports(), cycle.scan)
    pub = build_published_overview(cycle.framework)
    nav = site_nav(1, cycle.year)
    coverage = cycle_coverage_view(cycle.year)
    return _page(
        "overview.html.j2",
        ov=ov,
        pub=pub,
        coverage=coverage,
        coverage_map=coverage.map(),
        coverage_words={r.force_id: coverage_text(cycle.framework, r) for r in coverage.forces},
        status_labels=STATUS_LABELS,
        nav=nav,
        any_graded=any(r.has_evidence for r in ov.rows),
        band_map=_headline_band_map(cycle),
    )


def _headline_band_map(cycle: Cycle) -> Chart | None:
    """The first graded question's first primary indicator, mapped by its band: the year's
    headline figure (recorded crime over one year in 2014) for every force at a glance."""
    question = next((q for q in cycle.framework.questions() if q.graded and q.primary_indicators), None)
    if question is None:
        return None
    wanted = question.primary_indicators[0]
    values = [v for v in cycle.values if v.indicator.id == wanted and v.area_id != EW_ID]
    return band_map(values, cycle.framework.title) if values else None


def scan_page(built_names: dict[str, str], framework: Framework, scan: list[ScanRow]) -> str:
    """DIR/YEAR/scan.html: the national scan of a year."""
    top = triage(scan)
    forces = [
        (
            fid,
            built_names.get(fid, fid),
            [r for r in top if r.force_id == fid],
            [r for r in scan if r.force_id == fid],
        )
        for fid in dict.fromkeys(r.force_id for r in scan)
    ]
    return _page(
        "scan.html.j2",
        framework=framework,
        rows=scan,
        forces=forces,
        limit=TRIAGE_LIMIT,
        nav=site_nav(1, framework.year),
    )


def downloads_page(framework: Framework, counts: list[tuple[Download, int]]) -> str:
    """DIR/YEAR/downloads.html: the year's downloads and their row counts."""
    return _page("downloads.html.j2", framework=framework, files=counts, nav=site_nav(1, framework.year))


def download_counts(folder: Path) -> list[tuple[Download, int]]:
    """Each download in `folder` and its rows; a publication made before a table existed lacks it."""
    counts = []
    for d in DOWNLOADS:
        csv = folder / f"{d.name}.csv"
        if csv.exists():
            counts.append((d, max(0, len(csv.read_text(encoding="utf-8").splitlines()) - 1)))
    return counts


def force_years_page(cycles: Sequence[Cycle], built: set[int], latest_year: int, force_id: str) -> str:
    """DIR/forces/FORCE.html: one force across every PEEL cycle in `cycles`."""
    force = get_force(force_id)
    return _page(
        "force_years.html.j2", force=force, nav=site_nav(1, latest_year), **_force_years(cycles, built, force)
    )


def index_page(frameworks: Sequence[Framework]) -> str:
    """DIR/index.html: the latest cycle with published grades and its coverage, every cycle with
    its own coverage and links to the cycles built (`frameworks`), methodology and data dictionary."""
    home = home_cycles()
    latest_html, cycles_html = home_cycles_html(home, {fw.year for fw in frameworks}, "")
    return _page(
        "index.html.j2",
        nav=site_nav(0, frameworks[-1].year),
        latest_html=latest_html,
        cycles_html=cycles_html,
        latest=home.latest,
        latest_rows=home.force_rows(),
        status_labels=STATUS_LABELS,
    )


def methodology_page(latest_year: int) -> str:
    body = markdown_html(methodology_markdown())
    return _page("page.html.j2", title="Methodology", body=body, nav=site_nav(0, latest_year))


def dictionary_page(latest_year: int) -> str:
    from openpeel.publish.dictionary import data_dictionary_markdown

    body = (
        markdown_html(data_dictionary_markdown())
        + Markup('<section id="downloads">')
        + markdown_html(downloads_dictionary_markdown(), shift=1)
        + Markup("</section>")
    )
    return _page("page.html.j2", title="Data dictionary", body=body, nav=site_nav(0, latest_year))


def publish_site(
    con: duckdb.DuckDBPyConnection,
    years: Sequence[int],
    out_dir: Path,
    evidence_for: Callable[[int], dict[str, EvidenceFile]],
    *,
    formats: Iterable[Format] = ("html", "md", "text"),
    pdf: bool = False,
    progress: Progress = _no_progress,
    judgements_for: Callable[[int], Mapping[str, dict[str, Judgement]]] = lambda _year: {},
    progress_for: Callable[[int], Mapping[str, WorkProgress] | None] = lambda _year: None,
    versioning: Versioning | None = None,
    on_complete: Callable[[Path], None] | None = None,
) -> SiteResult:
    """Write the static site for `years` into `out_dir` (replacing an earlier openpeel site there).

    `progress_for` says how far each force with findings has got where the evidence given is only
    what may be shown (assessment/progress.py). With `versioning`, each report is its published
    version (see publish/publication.py);
    `on_complete` sees the finished folder before it is moved into place, and can still stop that.
    The site is built beside `out_dir` and swapped in whole (publish/site_folder.py).
    """
    years = sorted(set(years))
    for y in years:
        load_framework(y)  # fails early, with the file named, on an unknown year
    fmts = list(dict.fromkeys(["html", *formats]))
    with site_lock(out_dir):
        staging = new_staging(out_dir)
        try:
            # Every cycle's inputs once: the force-across-years pages show all of them.
            cycles = {
                y: Cycle(con, y, evidence_for(y), judgements_for(y), progress_for(y))
                for y in available_years()
            }
            result = _build(cycles, years, staging, fmts, pdf, progress, versioning)
            if on_complete is not None:
                on_complete(staging)
            swap_in(staging, out_dir)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    result.out_dir = out_dir
    result.pages = [out_dir / p.relative_to(staging) for p in result.pages]
    result.pdfs = [out_dir / p.relative_to(staging) for p in result.pdfs]
    result.downloads = [out_dir / p.relative_to(staging) for p in result.downloads]
    return result


def _build(
    cycles: Mapping[int, Cycle],
    years: list[int],
    staging: Path,
    fmts: list[Format],
    pdf: bool,
    progress: Progress,
    versioning: Versioning | None,
) -> SiteResult:
    """Every page, download and PDF of the site, written into `staging`."""
    result = SiteResult(staging, list(years))
    (staging / MARKER).write_text("written by openpeel publish\n", encoding="utf-8")
    pages: list[Path] = []
    frameworks = []
    for year in years:
        started = time.perf_counter()
        cycle = cycles[year]
        ydir = staging / str(year)
        ydir.mkdir()
        frameworks.append(cycle.framework)
        nav = site_nav(1, year)
        reports = cycle.reports()
        for i, report in enumerate(reports):
            progress(f"reports {year}", i, len(reports))
            if versioning is None:
                texts = {f: render(report, f, nav=nav if f == "html" else ()) for f in fmts}
            else:
                texts = versioning.texts(report, cycle.judgements.get(report.force_id, {}), fmts, nav)
                for name, text in versioning.earlier_files(report.force_id, year, fmts).items():
                    (ydir / name).write_text(text, encoding="utf-8")
                    pages.append(ydir / name)
            for fmt, text in texts.items():
                path = ydir / f"{report.force_id}.{EXTENSIONS[fmt]}"
                path.write_text(text, encoding="utf-8")
                pages.append(path)
        progress(f"reports {year}", len(reports), len(reports))
        (ydir / "index.html").write_text(overview_page(cycle), encoding="utf-8")
        result.timings[f"reports and overview {year} (s)"] = time.perf_counter() - started
        names = {r.force_id: r.force_name for r in reports}
        (ydir / "scan.html").write_text(scan_page(names, cycle.framework, cycle.scan), encoding="utf-8")
        following = next_cycle(year)
        later = cycles.get(following.to_year) if following is not None else None
        downloads = export_year(cycle, ydir / "downloads", following=later.evidence if later else {})
        result.downloads += downloads
        (ydir / "downloads.html").write_text(
            downloads_page(cycle.framework, download_counts(ydir / "downloads")), encoding="utf-8"
        )
        pages += [ydir / "index.html", ydir / "scan.html", ydir / "downloads.html"]
        if pdf:
            _print_pdfs(cycle, reports, ydir, versioning, progress, result)

    fdir = staging / "forces"
    fdir.mkdir()
    ordered = [cycles[y] for y in sorted(cycles)]
    for force in territorial_forces():
        path = fdir / f"{force.force_id}.html"
        path.write_text(force_years_page(ordered, set(years), years[-1], force.force_id), encoding="utf-8")
        pages.append(path)
    (staging / "index.html").write_text(index_page(frameworks), encoding="utf-8")
    (staging / "methodology.html").write_text(methodology_page(years[-1]), encoding="utf-8")
    (staging / "data-dictionary.html").write_text(dictionary_page(years[-1]), encoding="utf-8")
    pages += [staging / "index.html", staging / "methodology.html", staging / "data-dictionary.html"]
    result.pages = pages
    return result


def _print_pdfs(
    cycle: Cycle,
    reports: Sequence[Report],
    ydir: Path,
    versioning: Versioning | None,
    progress: Progress,
    result: SiteResult,
) -> None:
    from openpeel.publish.pdf import pdf_printer

    started = time.perf_counter()
    year = cycle.year
    with pdf_printer() as printer:
        for i, report in enumerate(reports):
            progress(f"PDF {year}", i, len(reports))
            out = ydir / f"{report.force_id}.pdf"
            frozen = versioning is not None and versioning.is_versioned(report.force_id, year)
            # A published version is printed as it was published, not re-rendered.
            html = (
                (ydir / f"{report.force_id}.html").read_text(encoding="utf-8")
                if frozen
                else render(report, "html", print_mode=True)
            )
            printer.print(html, out)
            result.pdfs.append(out)
    progress(f"PDF {year}", len(reports), len(reports))
    result.timings[f"PDF {year} (s)"] = time.perf_counter() - started
