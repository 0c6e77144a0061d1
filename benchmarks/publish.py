"""Publishing benchmark: all 43 force reports plus the national overview to HTML, and PDF per report.

    python -m benchmarks.publish [--year 2014] [--repeat 5] [--pdf-reports 5] [--out FILE.md]

The warehouse (bundled official statistics, all indicators) is loaded first and not timed.
- HTML: `build_year_reports` (the warehouse read in a few queries for all forces) + render of 43
  reports + overview page. Target: under 5 s. Baseline in the same run: the one-force-at-a-time
  path (`build_report` per force, each reading its own indicators and chart data), as a caller
  without the site builder would do it.
- PDF: one headless Chromium (started once, its start-up reported separately) prints N reports.
  Target: under 2 s per report.
Best and median of --repeat runs are printed; the ratio compares medians.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HTML_TARGET_S = 5.0
PDF_TARGET_S = 2.0


def _timed(fn: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def _machine() -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True, check=False).stdout.rstrip()
    return [
        f"- CPU: {cpu}; `nproc` = {os.cpu_count()}",
        f"- Python {platform.python_version()} on {platform.platform()}",
        "- `free -h`:",
        "",
        "```",
        mem,
        "```",
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.publish", description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2014)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pdf-reports", type=int, default=5, help="How many reports to print (0: skip PDF).")
    parser.add_argument("--out", type=Path, help="Also write the figures as Markdown to this file.")
    args = parser.parse_args(argv)

    from openpeel.assessment.prepare import load_evidence
    from openpeel.forces import territorial_forces
    from openpeel.indicators.compute import compute_indicators
    from openpeel.indicators.scan import national_scan
    from openpeel.ingest.official_statistics import load_official_statistics
    from openpeel.publish import build_report, render
    from openpeel.publish.cycle import Cycle
    from openpeel.publish.overview import build_overview
    from openpeel.publish.render import environment
    from openpeel.warehouse import connect

    con = connect(":memory:")
    load_official_statistics(con, None)
    compute_indicators(con)
    evidence = load_evidence(args.year)
    forces = list(territorial_forces())
    overview_template = environment("html").get_template("overview.html.j2")

    def site_path() -> None:
        cycle = Cycle(con, args.year, evidence)
        reports = cycle.reports()
        pages = [render(r, "html") for r in reports]
        ov = build_overview(cycle.framework, reports, cycle.scan)
        pages.append(overview_template.render(ov=ov, nav=[], any_graded=True))
        assert len(pages) == 44

    def one_at_a_time() -> None:
        reports = [build_report(con, f.force_id, args.year, evidence.get(f.force_id)) for f in forces]
        pages = [render(r, "html") for r in reports]
        from openpeel.framework import load_framework

        fw = load_framework(args.year)
        ov = build_overview(fw, reports, national_scan(con, fw))
        pages.append(overview_template.render(ov=ov, nav=[], any_graded=True))
        assert len(pages) == 44

    site_path()  # warm template compilation and caches for both paths
    fast = _timed(site_path, args.repeat)
    slow = _timed(one_at_a_time, args.repeat)
    lines = [
        f"43 force reports + national overview to HTML, PEEL {args.year} ({args.repeat} runs each):",
        f"  openpeel (site builder)     best {min(fast):.3f} s   median {statistics.median(fast):.3f} s",
        f"  baseline (one force a time) best {min(slow):.3f} s   median {statistics.median(slow):.3f} s",
        f"  ratio baseline/openpeel     {statistics.median(slow) / statistics.median(fast):.2f}x",
        f"  target < {HTML_TARGET_S:.0f} s: {'met' if statistics.median(fast) < HTML_TARGET_S else 'NOT met'}",
    ]
    if args.pdf_reports:
        from openpeel.publish.pdf import pdf_printer

        chosen = sorted(
            Cycle(con, args.year, evidence).reports(), key=lambda r: r.force_id != "northamptonshire"
        )[: args.pdf_reports]
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            with pdf_printer() as printer:
                started = time.perf_counter() - start
                per: list[float] = []
                for report in chosen:
                    t0 = time.perf_counter()
                    printer.print(
                        render(report, "html", print_mode=True), Path(tmp) / f"{report.force_id}.pdf"
                    )
                    per.append(time.perf_counter() - t0)
        lines += [
            f"PDF, {len(per)} reports with one headless Chromium:",
            f"  browser start-up            {started:.3f} s (once)",
            f"  per report                  mean {statistics.mean(per):.3f} s   max {max(per):.3f} s",
            f"  per report incl. start-up   {(started + sum(per)) / len(per):.3f} s",
            f"  target < {PDF_TARGET_S:.0f} s per report: {'met' if max(per) < PDF_TARGET_S else 'NOT met'}",
        ]
    output = "\n".join(lines)
    print(output)
    if args.out:
        command = "python -m benchmarks.publish " + " ".join(sys.argv[1:])
        text = "\n".join(
            [
                "# Performance: publishing",
                "",
                "Generated by `benchmarks/publish.py` (see its docstring for what is timed).",
                "",
                "## Machine",
                "",
                *_machine(),
                "",
                "## Command",
                "",
                "```sh",
                command.strip(),
                "```",
                "",
                "## Output",
                "",
                "```",
                output,
                "```",
                "",
            ]
        )
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
