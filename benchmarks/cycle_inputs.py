"""A cycle's inputs built once: `publish` beside `build`, and pages cold after a publication.

    python -m benchmarks.cycle_inputs [--year 2014] [--repeat 3] [--out FILE.md]

1. `openpeel publish --year Y` beside `openpeel build --year Y` (the baseline), each a whole
   process on the same prepared home folder, medians of --repeat runs, taking turns. Then each once
   more under cProfile, for the call counts of the functions that used to run again and again:
   the rubric (`propose_grades`), the public view of a cycle (`public_year`), stored evidence
   (`stored_evidence`) and a cycle's indicator values (`values_for_year`). Target: publish within
   2x of build.
2. The web app after a new publication: the force-across-years page, a report page, the national
   overview and an API route, each timed on its first request (cold: the publication made every
   page's version new) and then warm (median of 5). Target: cold within 3x warm plus 150 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PUBLISH_TARGET_RATIO = 2.0
COLD_FACTOR, COLD_ALLOWANCE_S = 3.0, 0.150
COUNTED = ("propose_grades", "public_year", "stored_evidence", "values_for_year", "build_report")
PAGES = (
    ("force page", "/forces/kent.html"),
    ("report page", "/{year}/kent.html"),
    ("overview", "/{year}/index.html"),
    ("API route", "/api/v1/judgements?year={year}&limit=100"),
)


def _openpeel(home: Path, *args: str) -> float:
    """One whole `openpeel` process; its wall time."""
    env = {**os.environ, "OPENPEEL_HOME": str(home)}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "openpeel", *args], env=env, check=True, capture_output=True, text=True
    )
    return time.perf_counter() - start


def _counts(home: Path, args: list[str]) -> dict[str, int]:
    """Calls of COUNTED functions in one in-process run of `openpeel ARGS` under cProfile."""
    code = (
        "import cProfile, json, sys\n"
        "from openpeel.cli import make_app\n"
        "app = make_app()\n"
        "profile = cProfile.Profile()\n"
        "profile.enable()\n"
        "try:\n"
        "    app(json.loads(sys.argv[2]), standalone_mode=False)\n"
        "finally:\n"
        "    profile.disable()\n"
        "    profile.dump_stats(sys.argv[1])\n"
    )
    with tempfile.NamedTemporaryFile(suffix=".prof") as prof:
        env = {**os.environ, "OPENPEEL_HOME": str(home)}
        subprocess.run(
            [sys.executable, "-c", code, prof.name, json.dumps(args)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        stats = pstats.Stats(prof.name)
    out = dict.fromkeys(COUNTED, 0)
    for (_file, _line, name), (_cc, calls, *_rest) in stats.stats.items():  # type: ignore[attr-defined]
        if name in out:
            out[name] += calls
    return out


def _prepare(home: Path, year: int) -> None:
    """A home as a team has it: built, every Kent and Essex judgement published, a site published."""
    _openpeel(home, "build", "--year", str(year), "--out", str(home / "out"))
    for force in ("kent", "essex"):
        for state in ("confirm", "moderate", "publish"):
            subprocess.run(
                [sys.executable, "-c", _ACT, force, str(year), state],
                env={**os.environ, "OPENPEEL_HOME": str(home)},
                check=True,
                capture_output=True,
                text=True,
            )
    _openpeel(home, "publish", "--year", str(year), "--out", str(home / "site"), "--by", "bench")


# Every graded question of FORCE in YEAR taken to STATE by the CLI (confirm / moderate / publish).
_ACT = """
import sys
from openpeel.cli import make_app
from openpeel.core.cli_support import locations
from openpeel.assessment.judgements import current_judgements
from openpeel.store import open_store
force, year, state = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open_store(locations()).read() as ws:
    questions = [q for q, j in current_judgements(ws, force, year).items() if j.proposed_grade]
app = make_app()
for q in questions:
    extra = ["--by", "bench"] + (["--reason", "benchmark"] if state != "confirm" else [])
    try:
        app(["judgement", state, force, q, "--year", str(year), *extra], standalone_mode=False)
    except SystemExit:
        pass
"""


def _pages(home: Path, year: int) -> list[tuple[str, float, float]]:
    """(page, cold seconds, warm median seconds) after a new publication."""
    from fastapi.testclient import TestClient

    from openpeel.core.settings import Settings
    from openpeel.web.app import create_app

    app = create_app(Settings(home=home, access_log=False))
    rows = []
    with TestClient(app) as client:
        for _name, path in PAGES:  # warm every page once, so the publication is what makes it cold
            client.get(path.format(year=year))
        _openpeel(home, "publish", "--year", str(year), "--out", str(home / "site"), "--by", "bench")
        time.sleep(1.1)  # the app re-reads the data version at most once a second
        for name, path in PAGES:
            url = path.format(year=year)
            start = time.perf_counter()
            answer = client.get(url)
            cold = time.perf_counter() - start
            assert answer.status_code == 200, (url, answer.status_code)
            warm = []
            for _ in range(5):
                start = time.perf_counter()
                client.get(url)
                warm.append(time.perf_counter() - start)
            rows.append((name, cold, statistics.median(warm)))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.cycle_inputs", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--year", type=int, default=2014)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, help="Also write the figures as Markdown to this file.")
    args = parser.parse_args(argv)
    year = str(args.year)
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="openpeel-bench-") as tmp:
        home = Path(tmp) / "home"
        _prepare(home, args.year)
        build_args = ["build", "--year", year, "--out", str(home / "out")]
        publish_args = ["publish", "--year", year, "--out", str(home / "site"), "--by", "bench"]
        builds, publishes = [], []
        for _ in range(args.repeat):  # taking turns, so a busy moment hits both
            builds.append(_openpeel(home, *build_args))
            publishes.append(_openpeel(home, *publish_args))
        build_s, publish_s = statistics.median(builds), statistics.median(publishes)
        ratio = publish_s / build_s
        lines += [
            f"PEEL {year}, whole processes on one prepared home folder, median of {args.repeat} (taking turns):",
            f"  openpeel build   (baseline)  {build_s:6.2f} s",
            f"  openpeel publish             {publish_s:6.2f} s   ratio {ratio:.2f}x "
            f"(target within {PUBLISH_TARGET_RATIO:.0f}x: {'met' if ratio <= PUBLISH_TARGET_RATIO else 'NOT met'})",
            "  calls in one run:             " + "  ".join(f"{name:>16}" for name in COUNTED),
        ]
        for label, cmd in (("build", build_args), ("publish", publish_args)):
            counts = _counts(home, cmd)
            lines.append(f"    {label:<27}" + "  ".join(f"{counts[n]:>16,}" for n in COUNTED))
        lines.append("Web pages after a new publication (cold: first request; warm: median of 5):")
        for name, cold, warm in _pages(home, args.year):
            limit = COLD_FACTOR * warm + COLD_ALLOWANCE_S
            lines.append(
                f"  {name:<12} cold {cold * 1000:8.1f} ms   warm {warm * 1000:7.1f} ms   "
                f"limit {limit * 1000:7.1f} ms: {'met' if cold <= limit else 'NOT met'}"
            )
    output = "\n".join(lines)
    print(output)
    if args.out:
        args.out.write_text("```\n" + output + "\n```\n", encoding="utf-8")


if __name__ == "__main__":
    main()
