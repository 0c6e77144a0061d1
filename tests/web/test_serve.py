"""`openpeel serve` says what it does: its address, when it is ready, one line per request."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import IO

import pytest
from tests.web.conftest import make_home

# Whole commands or national runs, seconds each: left to the full run (`make test-fast` skips them).
pytestmark = pytest.mark.slow


def _line(stream: IO[str], pattern: str, timeout: float = 60.0) -> re.Match[str]:
    """The first line of `stream` matching `pattern` (the lines before it are skipped)."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        seen.append(line)
        found = re.search(pattern, line)
        if found:
            return found
    raise AssertionError(f"no line matching {pattern!r} in: {''.join(seen)}")


@pytest.fixture
def served_home(statistics_db: Path, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    make_home(home, statistics_db).dispose()
    return home


def _serve(home: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "OPENPEEL_HOME": str(home)}
    return subprocess.Popen(
        [sys.executable, "-m", "openpeel", "serve", "--port", "0", *extra],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )


def test_serve_prints_its_address_a_ready_line_and_one_access_line_per_request(served_home: Path) -> None:
    proc = _serve(served_home)
    try:
        assert proc.stderr is not None
        address = _line(proc.stderr, r"listening on (http://127\.0\.0\.1:(\d+))").group(1)
        _line(proc.stderr, r"ready")
        with urllib.request.urlopen(f"{address}/api/v1/forces?q=secret-term", timeout=30) as answer:
            assert answer.status == 200
        access = _line(proc.stderr, r"127\.0\.0\.1 GET (\S+) (\d{3}) [\d.]+ ms")
        assert access.group(1) == "/api/v1/forces"  # the query string is not logged
        assert access.group(2) == "200"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_serve_quiet_logs_no_requests(served_home: Path) -> None:
    proc = _serve(served_home, "--quiet")
    try:
        assert proc.stderr is not None
        address = _line(proc.stderr, r"listening on (http://127\.0\.0\.1:\d+)").group(1)
        _line(proc.stderr, r"ready")
        with urllib.request.urlopen(f"{address}/api/v1/forces", timeout=30) as answer:
            assert answer.status == 200
    finally:
        proc.terminate()
        _, rest = proc.communicate(timeout=30)
    assert " GET /api/v1/forces " not in rest


def test_a_port_in_use_is_one_clear_line(served_home: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "openpeel", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            env={**os.environ, "OPENPEEL_HOME": str(served_home)},
            timeout=60,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
