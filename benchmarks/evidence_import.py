"""Evidence import benchmark: 10,000 invented findings into a fresh SQLite store.

    python -m benchmarks.evidence_import [--findings 10000] [--baseline 1000] [--postgres URL]

The findings are INVENTED (generated text for Kent, PEEL 2014, marked "invented for the
benchmark"): only their number and shape matter. Timed, each on a fresh store:
- bulk: `import_paths` on a YAML file (reading, validation, one audit event per finding) with
  the bulk write path (`openpeel.store.audit_bulk`). Target: 10,000 in under 5 s.
- baseline, same run: the one-change-at-a-time path (`apply_change` per finding) on --baseline
  findings, and its time per finding scaled to --findings.
- the command: `openpeel evidence import FILE --no-propose` in a new process, start-up included.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

TARGET_S = 5.0


def invented_evidence(n: int) -> dict[str, object]:
    """An evidence file of `n` invented findings (never real inspection findings)."""
    from openpeel.framework import load_framework

    questions = [q.id for q in load_framework(2014).questions() if q.graded]
    kinds = ("strength", "area-for-improvement", "cause-of-concern", "observation")
    return {
        "force": "kent",
        "year": 2014,
        "inspections": [
            {
                "id": "invented-2014",
                "kind": "crime-inspection",
                "title": "Invented inspection for the import benchmark",
                "source": "invented for the benchmark: not an inspection of Kent",
            }
        ],
        "findings": [
            {
                "id": f"invented-{i}",
                "inspection": "invented-2014",
                "question": questions[i % len(questions)],
                "kind": kinds[i % len(kinds)],
                "text": f"Invented finding number {i} for the import benchmark; not about Kent.",
            }
            for i in range(n)
        ],
    }


def _write(folder: Path, n: int) -> Path:
    path = folder / f"invented-{n}.yaml"
    path.write_text(yaml.safe_dump(invented_evidence(n), sort_keys=False), encoding="utf-8")
    return path


def _timed_import(path: Path, url: str, *, bulk: bool) -> tuple[float, int]:
    from openpeel.evidence.store import import_evidence, read_evidence
    from openpeel.store import open_store

    store = open_store(url)
    try:
        start = time.perf_counter()
        with store.write() as ws:
            results = import_evidence(ws, read_evidence(path), by="benchmark", source=path.name, bulk=bulk)
        elapsed = time.perf_counter() - start
    finally:
        store.dispose()
    return elapsed, sum(len(r.events) for r in results)


def _command(path: Path, home: Path) -> float:
    env = {**os.environ, "OPENPEEL_HOME": str(home)}
    env.pop("OPENPEEL_STORE", None)
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "openpeel.cli",
            "evidence",
            "import",
            str(path),
            "--by",
            "benchmark",
            "--no-propose",
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--findings", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=1_000)
    args = parser.parse_args(argv)
    os.environ.setdefault("OPENPEEL_AUDIT_KEY", "benchmark-audit-key-not-a-secret")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        big, small = _write(folder, args.findings), _write(folder, args.baseline)
        bulk_s, bulk_events = _timed_import(big, f"sqlite:///{folder / 'bulk.sqlite'}", bulk=True)
        row_s, row_events = _timed_import(small, f"sqlite:///{folder / 'rows.sqlite'}", bulk=False)
        command_s = _command(big, folder / "home")
    per_row = row_s / args.baseline
    print(f"evidence import, INVENTED findings, SQLite, Python {sys.version.split()[0]}")
    print(f"bulk path:     {args.findings:>6,} findings, {bulk_events:,} events in {bulk_s:6.2f} s "
          f"({1000 * bulk_s / args.findings:.2f} ms each; target under {TARGET_S:.0f} s)")  # fmt: skip
    print(f"per-row path:  {args.baseline:>6,} findings, {row_events:,} events in {row_s:6.2f} s "
          f"({1000 * per_row:.2f} ms each; {per_row * args.findings:.1f} s for {args.findings:,})")  # fmt: skip
    print(
        f"command:       openpeel evidence import --no-propose, {args.findings:,} findings: {command_s:.2f} s"
    )
    print(f"speed-up per finding: {per_row / (bulk_s / args.findings):.1f}x")


if __name__ == "__main__":
    main()
