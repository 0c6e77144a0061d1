"""How soon `openpeel serve` answers after it starts, on the embedded default.

    python -m benchmarks.serve_start [--repeat 5]

A home folder is built first (`openpeel build --year 2014`, not timed). Then `openpeel serve
--port 0` is started again and again, and the time from the process start to its address line, its
ready line and its first answered request is measured. Baseline in the same run: a bare uvicorn
app answering the same way (the floor any Python web server pays to start). Target (issue 22):
first answer within 2 s.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import IO

TARGET_S = 2.0
BARE_APP = """
import socket, sys, uvicorn
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})
sock = socket.socket(); sock.bind(("127.0.0.1", 0)); sock.listen(64)
sys.stderr.write(f"listening on http://127.0.0.1:{sock.getsockname()[1]}\\nready\\n"); sys.stderr.flush()
uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
"""


def _wait_for(stream: IO[str], pattern: str) -> re.Match[str]:
    while True:
        line = stream.readline()
        if not line:
            raise RuntimeError(f"the server ended before printing {pattern!r}")
        found = re.search(pattern, line)
        if found:
            return found


def _start(command: list[str], env: dict[str, str], path: str) -> tuple[float, float, float]:
    """(address, ready, first answer) in seconds from the process start."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
    try:
        assert proc.stderr is not None
        address = _wait_for(proc.stderr, r"listening on (\S+)").group(1)
        listening = time.perf_counter() - started
        _wait_for(proc.stderr, r"ready")
        ready = time.perf_counter() - started
        with urllib.request.urlopen(address + path, timeout=60) as answer:
            answer.read()
        return listening, ready, time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.serve_start", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="openpeel-serve-") as tmp:
        home = Path(tmp) / "home"
        env = {**os.environ, "OPENPEEL_HOME": str(home)}
        subprocess.run(
            [sys.executable, "-m", "openpeel", "build", "--year", "2014", "--out", str(Path(tmp) / "out")],
            env=env,
            check=True,
            capture_output=True,
        )
        serve = [sys.executable, "-m", "openpeel", "serve", "--port", "0", "--quiet"]
        bare = [sys.executable, "-c", BARE_APP]
        ours, floor = [], []
        for _ in range(args.repeat):  # taking turns
            ours.append(_start(serve, env, "/api/v1/forces?limit=1"))
            floor.append(_start(bare, env, "/"))
    med = [statistics.median(t[i] for t in ours) for i in range(3)]
    base = statistics.median(t[2] for t in floor)
    print(
        f"openpeel serve on the embedded default, median of {args.repeat} (taking turns with the baseline):"
    )
    print(f"  address printed   {med[0]:.2f} s")
    print(f"  ready             {med[1]:.2f} s")
    print(
        f"  first answer      {med[2]:.2f} s   (target < {TARGET_S:.0f} s: {'met' if med[2] < TARGET_S else 'NOT met'})"
    )
    print(
        f"  baseline: a bare uvicorn app's first answer {base:.2f} s; openpeel / baseline {med[2] / base:.1f} x"
    )


if __name__ == "__main__":
    main()
