"""`openpeel download` against a local HTTP server serving zips built from the real files."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from openpeel.core.errors import OpenpeelError
from openpeel.ingest.police_uk.download import archives_for, download


class _Handler(http.server.BaseHTTPRequestHandler):
    root: Path
    cut_after: int | None = None
    """When set, the next full response stops after this many bytes (a dropped connection)."""
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        path = self.root / self.path.rsplit("/", 1)[-1]
        type(self).requests.append(f"{self.path} {self.headers.get('Range', '')}")
        if not path.exists():
            self.send_error(404)
            return
        data = path.read_bytes()
        start = 0
        if rng := self.headers.get("Range"):
            start = int(rng.removeprefix("bytes=").split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        cut = type(self).cut_after
        if cut is not None and not start:
            type(self).cut_after = None
            self.wfile.write(body[:cut])
            self.wfile.flush()
            self.connection.shutdown(2)
            return
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, type[_Handler]]]:
    root = tmp_path_factory.mktemp("served")
    # Edition 2016-06 holds 36 months back: here the City of London files of 2016-01 .. 2016-06.
    with zipfile.ZipFile(root / "2016-06.zip", "w", zipfile.ZIP_DEFLATED) as z:
        for month_dir in sorted((shared_data / "police-uk").glob("2016-0[1-6]")):
            for f in sorted(month_dir.glob("*.csv")):
                z.write(f, f"{month_dir.name}/{f.name}")
    handler = type("Handler", (_Handler,), {"root": root, "requests": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/data/archive/", handler
    httpd.shutdown()


def test_archive_choice_covers_the_range_newest_first() -> None:
    assert archives_for(dt.date(2016, 1, 1), dt.date(2016, 6, 1)) == [dt.date(2016, 6, 1)]
    assert archives_for(dt.date(2010, 12, 1), dt.date(2016, 6, 1)) == [
        dt.date(2016, 6, 1),
        dt.date(2013, 6, 1),
    ]


def test_download_checks_and_never_refetches(server: tuple[str, type[_Handler]], tmp_path: Path) -> None:
    url, handler = server
    first = download("2016-01", "2016-06", dest=tmp_path, base_url=url, forces=["city-of-london", "kent"])
    assert [r.status for r in first] == ["downloaded"]
    assert zipfile.ZipFile(first[0].path).testzip() is None
    assert (tmp_path / "SHA256SUMS").read_text().startswith(first[0].sha256)
    assert any("kent: no street file" in n for n in first[0].notes)
    assert not any("city-of-london" in n for n in first[0].notes)
    n = len(handler.requests)
    again = download("2016-01", "2016-06", dest=tmp_path, base_url=url)
    assert [r.status for r in again] == ["already-present"] and len(handler.requests) == n


def test_interrupted_download_resumes_with_range(server: tuple[str, type[_Handler]], tmp_path: Path) -> None:
    url, handler = server
    handler.cut_after = 5000
    with pytest.raises(OpenpeelError, match="resume"):
        download("2016-01", "2016-06", dest=tmp_path, base_url=url)
    part = tmp_path / "2016-06.zip.part"
    assert part.exists() and 0 < part.stat().st_size < 10_000
    assert not (tmp_path / "2016-06.zip").exists()
    result = download("2016-01", "2016-06", dest=tmp_path, base_url=url)
    assert [r.status for r in result] == ["resumed"]
    assert handler.requests[-1].endswith("bytes=5000-")  # fetched only the rest
    assert zipfile.ZipFile(result[0].path).testzip() is None
    assert result[0].bytes == (handler.root / "2016-06.zip").stat().st_size


def test_missing_archive_is_a_clear_error(server: tuple[str, type[_Handler]], tmp_path: Path) -> None:
    url, _ = server
    with pytest.raises(OpenpeelError, match="HTTP 404"):
        download("2019-01", "2019-02", dest=tmp_path, base_url=url)
