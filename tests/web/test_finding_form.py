"""Attack (issue 21, 9): re-saving an unchanged finding in the web form used to drop its
`source_ref` and `indicators`, and an old form posted with its `version` field removed overwrote a
newer change (303). Now the form carries every field, re-saving it unchanged changes nothing (no
new version, no audit event), and a form without its version is refused with 409."""

from __future__ import annotations

from html import unescape
from html.parser import HTMLParser

import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.web.conftest import sign_in

from openpeel.evidence.models import EvidenceFile, Finding, Inspection
from openpeel.evidence.store import import_evidence
from openpeel.store import Store
from openpeel.store.audit import read_row

FORCE, YEAR, FINDING = "surrey", 2014, "invented-every-field"
PAGE = f"/workspace/{YEAR}/{FORCE}"
# INVENTED for this test: not a finding of the inspectorate. Every field set, topics and
# indicators in an order other than the page's, a line break in the text.
EVIDENCE = EvidenceFile(
    force=FORCE,
    year=YEAR,
    inspections=(
        Inspection(id="invented-2014", kind="crime-inspection", title="Invented", source="invented"),
    ),
    findings=(
        Finding(
            id=FINDING,
            inspection="invented-2014",
            question="investigating-offending",
            kind="strength",
            text="Invented for a test (zq-3310).\nA second line.",
            topics=("investigation quality", "leadership"),
            indicators=("recorded_crime_change_4y_pct", "recorded_crime_change_1y_pct"),
            explains=("asb_rate",),
            source_ref='page 12, "Investigating offending", paragraph 3',
            is_exceptional=True,
            in_overview=True,
        ),
    ),
)


class Form(HTMLParser):
    """The fields of the page's first form after `action`, posted as a browser posts them."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.fields: list[tuple[str, str]] = []
        self._in = False
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._in = a.get("action") == self.action
        if not self._in:
            return
        if tag == "input" and "name" in a:
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value") or "on"))
            else:
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select is not None and "selected" in a:
            self.fields.append((self._select, a["value"]))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser sends a textarea's line breaks as CRLF.
            self.fields.append((self._textarea, unescape("".join(self._text)).replace("\n", "\r\n")))
            self._textarea = None


def form_of(html: str, action: str) -> list[tuple[str, str]]:
    parser = Form(action)
    parser.feed(html)
    return parser.fields


def as_data(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data


def invented(store: Store) -> None:
    with store.write() as ws:
        import_evidence(ws, EVIDENCE, by="alice")


def stored(store: Store) -> tuple[object, int]:
    with store.read() as ws:
        row = read_row(ws, "finding", (FORCE, YEAR, FINDING))
        events = ws.execute(
            sa.text("SELECT count(*) FROM as_audit_events WHERE entity IN ('finding', 'inspection')")
        ).scalar_one()
    return row, int(events)


def test_resaving_an_unchanged_finding_changes_nothing(client: TestClient, web_store: Store) -> None:
    invented(web_store)
    before = stored(web_store)
    csrf = sign_in(client, "ivy")
    action = f"{PAGE}/findings/{FINDING}"
    fields = form_of(client.get(action).text, action)
    names = {n for n, _v in fields}
    assert {"source_ref", "indicators", "explains", "topics", "text", "version"} <= names
    saved = client.post(action, data=as_data([(n, v if n != "csrf_token" else csrf) for n, v in fields]))
    assert saved.status_code == 200 and "Finding saved" in saved.text, saved.text
    assert stored(web_store) == before  # same row, same version, no audit event

    # A change to the text alone keeps every other field.
    edited = [
        (n, "Rewritten (zq-3311)." if n == "text" else csrf if n == "csrf_token" else v) for n, v in fields
    ]
    assert client.post(action, data=as_data(edited)).status_code == 200
    row, _events = stored(web_store)
    assert isinstance(row, dict) and row["text"] == "Rewritten (zq-3311)."
    was = before[0]
    assert isinstance(was, dict)
    for name in ("source_ref", "indicators", "explains", "topics", "is_exceptional", "in_overview"):
        assert row[name] == was[name], name


def test_a_finding_form_without_its_version_is_refused_with_409(client: TestClient, web_store: Store) -> None:
    invented(web_store)
    csrf = sign_in(client, "ivy")
    action = f"{PAGE}/findings/{FINDING}"
    fields = form_of(client.get(action).text, action)
    before = stored(web_store)
    unversioned = [
        (n, "Overwrites unseen (zq-3312)." if n == "text" else v if n != "csrf_token" else csrf)
        for n, v in fields
        if n != "version"
    ]
    refused = client.post(action, data=as_data(unversioned))
    assert refused.status_code == 409
    assert "carries no version" in refused.text and "nothing was saved" in refused.text
    assert stored(web_store) == before
