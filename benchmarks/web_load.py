"""Load test of `openpeel serve` on loopback: readers of report pages while inspectors write.

    python -m benchmarks.web_load [--store sqlite|postgresql] [--postgres URL]
                                  [--readers 100] [--writers 10] [--seconds 60]

The server runs on a fresh home folder built by `openpeel build`, with invented evidence (marked
invented) for ten forces so each writer has judgements of its own to change. Readers ask for the
43 forces' report pages in turn over keep-alive connections; each writer, a signed-in lead
inspector, overrides a grade of its force every 0.2 s through the workspace form (each one an
audited write to the store). Printed: report-page latency p50/p95/p99/max and errors with the
writers running, beside a baseline from the same run (one reader, no writers), and the writes
done. Target: p99 under 100 ms and no errors, on SQLite and on PostgreSQL. Traffic goes to
127.0.0.1 only; every loop is bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

HOST = "127.0.0.1"
PASSWORD = "benchmark-password-1"
TARGET_P99_MS = 100.0
WRITE_EVERY_S = 0.2
# Forces given invented evidence, one writer each.
WRITER_FORCES = (
    "kent", "surrey", "essex", "norfolk", "suffolk", "dorset", "durham", "cumbria", "gwent", "lancashire",
)  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def invented_evidence(force: str) -> str:
    """An evidence file invented for this benchmark: one inspection, one finding per question."""
    findings = "\n".join(
        f"  - {{id: bench-{q}, inspection: bench-2014, question: {q}, kind: strength, "
        f'text: "Invented for the load benchmark.", topics: [{topic}]}}'
        for q, topic in (
            ("reducing-crime", "crime prevention"),
            ("investigating-offending", "investigation quality"),
            ("tackling-asb", "asb response"),
        )
    )
    return (
        "# INVENTED for benchmarks/web_load.py: not a finding of the inspectorate.\n"
        f"force: {force}\nyear: 2014\ninspections:\n"
        "  - {id: bench-2014, kind: crime-inspection, title: Invented inspection, "
        'source: "invented for the load benchmark"}\n'
        f"findings:\n{findings}\n"
    )


def openpeel(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "openpeel.cli", *args], env=env, input=stdin, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"openpeel {' '.join(args)} failed: {result.stderr}")


def prepare(home: Path, env: dict[str, str]) -> None:
    openpeel(env, "build", "--year", "2014", "--out", str(home / "out"), "--format", "html")
    files = []
    for force in WRITER_FORCES:
        path = home / f"invented-{force}-2014.yaml"
        path.write_text(invented_evidence(force), encoding="utf-8")
        files.append(str(path))
    openpeel(env, "evidence", "import", *files, "--by", "benchmark")
    for n in range(len(WRITER_FORCES)):
        openpeel(
            env, "users", "add", f"lead{n}", "--role", "lead-inspector", "--password-stdin", stdin=PASSWORD
        )


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "openpeel.cli",
            "serve",
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
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


def report_paths() -> list[str]:
    from openpeel.forces import territorial_forces

    return [f"/2014/{f.force_id}.html" for f in territorial_forces()]


async def readers(port: int, clients: int, seconds: float, paths: list[str]) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    stop_at = time.monotonic() + seconds

    async def reader_loop(n: int) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(HOST, port)
        i = n
        try:
            while time.monotonic() < stop_at:
                i += 1
                start = time.perf_counter()
                try:
                    ok = await asyncio.wait_for(_get(reader, writer, paths[i % len(paths)]), 10) == 200
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                    ok = False
                    writer.close()
                    reader, writer = await asyncio.open_connection(HOST, port)
                latencies.append((time.perf_counter() - start) * 1000)
                if not ok:
                    errors += 1
        finally:
            writer.close()

    await asyncio.gather(*(reader_loop(n) for n in range(clients)))
    return latencies, errors


async def sign_in(client: httpx.AsyncClient, username: str) -> str:
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "sign-in form has no token"
    signed = await client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1), "next": "/workspace"},
        follow_redirects=True,
    )
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', signed.text)
    assert signed.status_code == 200 and csrf, f"{username} could not sign in: {signed.status_code}"
    return csrf.group(1)


async def writer(port: int, n: int, seconds: float, counts: dict[str, int]) -> None:
    force = WRITER_FORCES[n]
    async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=30) as client:
        csrf = await sign_in(client, f"lead{n}")
        stop_at = time.monotonic() + seconds
        i = 0
        while time.monotonic() < stop_at:
            started = time.monotonic()
            grade = ("good", "requires-improvement")[i % 2]
            response = await client.post(
                f"/workspace/2014/{force}/judgements/reducing-crime/override",
                data={"csrf_token": csrf, "grade": grade, "reason": f"load benchmark write {i}"},
            )
            counts["ok" if response.status_code in (200, 303) else "failed"] += 1
            i += 1
            await asyncio.sleep(max(0.0, WRITE_EVERY_S - (time.monotonic() - started)))


async def loaded(
    port: int, args: argparse.Namespace, paths: list[str]
) -> tuple[list[float], int, dict[str, int]]:
    counts = {"ok": 0, "failed": 0}
    writers = [asyncio.create_task(writer(port, n, args.seconds, counts)) for n in range(args.writers)]
    latencies, errors = await readers(port, args.readers, args.seconds, paths)
    await asyncio.gather(*writers)
    return latencies, errors, counts


def describe(name: str, latencies: list[float], errors: int, elapsed: float) -> str:
    ordered = sorted(latencies)
    q = statistics.quantiles(ordered, n=100) if len(ordered) >= 2 else [ordered[0]] * 99
    return (
        f"{name:<44} {len(ordered):>6} req  {errors:>3} errors  p50 {q[49]:6.1f}  p95 {q[94]:6.1f}  "
        f"p99 {q[98]:6.1f}  max {ordered[-1]:6.1f} ms  {len(ordered) / elapsed:6.0f} req/s"
    )


def p99(latencies: list[float]) -> float:
    return statistics.quantiles(sorted(latencies), n=100)[98]


def postgres_database(admin_url: str) -> tuple[str, str]:
    import sqlalchemy as sa

    name = f"openpeel_bench_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(
        admin_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return name, sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(admin_url: str, name: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(
        admin_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres", default=os.environ.get("OPENPEEL_TEST_POSTGRES"), help="admin URL")
    parser.add_argument("--readers", type=int, default=100)
    parser.add_argument("--writers", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--server-workers", type=int, default=2, help="openpeel serve --workers")
    args = parser.parse_args(argv)
    if args.writers > len(WRITER_FORCES):
        raise SystemExit(f"at most {len(WRITER_FORCES)} writers")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENPEEL_")}
        env["OPENPEEL_HOME"] = str(home)
        database = None
        if args.store == "postgresql":
            if not args.postgres:
                raise SystemExit("--store postgresql needs --postgres URL (or OPENPEEL_TEST_POSTGRES)")
            database, env["OPENPEEL_STORE"] = postgres_database(args.postgres)
            # A team's store needs the shared audit key; one made up for this run.
            env["OPENPEEL_AUDIT_KEY"] = uuid.uuid4().hex + uuid.uuid4().hex
        try:
            run(home, env, args)
        finally:
            if database is not None:
                drop_postgres_database(args.postgres, database)


def run(home: Path, env: dict[str, str], args: argparse.Namespace) -> None:
    prepare(home, env)
    port = free_port()
    proc = start_server(env, port, args.server_workers)
    paths = report_paths()
    try:
        print(
            f"openpeel serve --workers {args.server_workers} on {HOST}:{port}, store {args.store}; "
            f"{os.cpu_count()} CPUs"
        )
        asyncio.run(readers(port, 10, 5, paths))  # warm-up: every page rendered once
        started = time.perf_counter()
        base, base_errors = asyncio.run(readers(port, 1, 10, paths))
        print(
            describe(
                "report pages, 1 reader, no writers (baseline)",
                base,
                base_errors,
                time.perf_counter() - started,
            )
        )
        started = time.perf_counter()
        latencies, errors, counts = asyncio.run(loaded(port, args, paths))
        elapsed = time.perf_counter() - started
        print(
            describe(
                f"report pages, {args.readers} readers, {args.writers} writers", latencies, errors, elapsed
            )
        )
        print(
            f"writes: {counts['ok']} done, {counts['failed']} failed "
            f"({counts['ok'] / elapsed:.1f}/s; asked {args.writers / WRITE_EVERY_S:.0f}/s)"
        )
        met = p99(latencies) < TARGET_P99_MS and errors == 0 and counts["failed"] == 0
        print(f"target p99 < {TARGET_P99_MS:.0f} ms with no errors: {'met' if met else 'NOT met'}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
