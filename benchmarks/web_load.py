"""Load test of `openpeel serve` on loopback: a force report page and /api/v1/indicators for one
force, at 100 concurrent clients. Bounded in requests and time; targets 127.0.0.1 only.

    python -m benchmarks.web_load [--clients 100] [--requests 6000] [--seconds 60]

Prints, per endpoint, requests, errors, p50/p95/p99/max latency in ms and requests/s; the
target is p99 under 50 ms with no errors. The baseline in the same run is a single client
(no concurrency), so the cost of concurrency is visible.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HOST = "127.0.0.1"
PATHS = {
    "report page": "/2014/northamptonshire.html",
    "api indicators": "/api/v1/indicators?force=northamptonshire&year=2014",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_server(db: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "OPENPEEL_DB": str(db)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "openpeel.cli", "serve", "--host", HOST, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://{HOST}:{port}/api/v1/frameworks", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
    proc.kill()
    raise SystemExit("server did not start within 120 s")


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> int:
    """One keep-alive HTTP/1.1 GET; returns the status. A bare client, so the load generator
    spends little of the machine's CPU that the server needs."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nAccept-Encoding: identity\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    if length:
        await reader.readexactly(length)
    return status


async def run(port: int, path: str, clients: int, total: int, seconds: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    issued = 0
    stop_at = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal issued, errors
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            while issued < total and time.monotonic() < stop_at:
                issued += 1
                start = time.perf_counter()
                try:
                    ok = await asyncio.wait_for(_get(reader, writer, path), 10) == 200
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                    ok = False
                    writer.close()
                    reader, writer = await asyncio.open_connection(HOST, port)
                latencies.append((time.perf_counter() - start) * 1000)
                if not ok:
                    errors += 1
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies, errors


def describe(name: str, latencies: list[float], errors: int, elapsed: float) -> str:
    ordered = sorted(latencies)
    q = statistics.quantiles(ordered, n=100) if len(ordered) >= 2 else [ordered[0]] * 99
    return (
        f"{name:<34} {len(ordered):>6} req  {errors:>3} errors  p50 {q[49]:6.1f}  p95 {q[94]:6.1f}  "
        f"p99 {q[98]:6.1f}  max {ordered[-1]:6.1f} ms  {len(ordered) / elapsed:7.0f} req/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--requests", type=int, default=6000, help="per endpoint, at most")
    parser.add_argument("--seconds", type=float, default=60, help="per endpoint, at most")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        proc = start_server(Path(tmp) / "load.duckdb", port)
        base = f"http://{HOST}:{port}"
        try:
            print(f"openpeel serve on {base}; {os.cpu_count()} CPUs; {args.clients} clients")
            for name, path in PATHS.items():
                asyncio.run(run(port, path, 10, 200, 10))  # warm-up
                started = time.perf_counter()
                base_lat, base_err = asyncio.run(run(port, path, 1, 300, 10))
                print(
                    describe(
                        f"{name}, 1 client (baseline)", base_lat, base_err, time.perf_counter() - started
                    )
                )
                started = time.perf_counter()
                lat, err = asyncio.run(run(port, path, args.clients, args.requests, args.seconds))
                print(describe(f"{name}, {args.clients} clients", lat, err, time.perf_counter() - started))
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
