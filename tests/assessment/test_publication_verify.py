"""`openpeel audit verify` checks publications too: an attacker with write access to the database
(but not the audit key) who rewrites a publication, the chain head it recorded, a stored report
or cuts the log back past a head is caught and named; an untouched store verifies."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from tests.assessment.test_audit_verify import _verify

from openpeel.store import Store
from openpeel.store.audit import chain_head
from openpeel.store.publications import NewVersion, publications, record_publication

REPORT = b"<p>Northamptonshire, version 1</p>"


def _open_tables(ws: sa.Connection) -> None:
    """Switch off the append-only rule, as someone with direct database access could."""
    for table in ("pb_publications", "pb_report_versions", "pb_blobs", "as_audit_events"):
        if ws.dialect.name == "sqlite":
            for kind in ("update", "delete"):
                ws.execute(sa.text(f"DROP TRIGGER IF EXISTS {table}_no_{kind}"))
        else:
            ws.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))


@pytest.fixture
def published(busy_store: Store) -> Store:
    """A store holding busy_history (a copy of one recorded once per session) and a publication."""
    store = busy_store
    with store.write() as ws:
        record_publication(
            ws,
            by="pat",
            years=[2014],
            note=None,
            head=chain_head(ws),
            files={"2014/northamptonshire.html": REPORT, "2014/downloads/judgements.csv": b"a,b\n"},
            versions=[NewVersion("northamptonshire", 2014, 1, None, {"reducing-crime": 3}, {"html": REPORT})],
            kept=["2014/downloads/"],
        )
    return store


def test_a_store_with_a_publication_verifies(published: Store) -> None:
    code, output = _verify(published)
    assert code == 0, output
    assert "1 publication(s)" in output


@pytest.mark.parametrize(
    ("sql", "named"),
    [
        ("UPDATE pb_publications SET published_by = 'mallory'", "publication 1: the row differs"),
        (
            "UPDATE pb_publications SET head_hash = substr(head_hash, 2) || 'x'",
            "differs from the head it recorded",
        ),
        ("UPDATE pb_report_versions SET change_note = 'forged'", "version 1: the row differs"),
        ("UPDATE pb_blobs SET content = '<p>forged</p>'", "no longer match their SHA-256"),
        ("DELETE FROM pb_blobs", "content is missing"),
        ("DELETE FROM pb_publications", "missing from pb_publications"),
    ],
)
def test_tampering_with_a_publication_is_caught(published: Store, sql: str, named: str) -> None:
    with published.write() as ws:
        _open_tables(ws)
        if sql.startswith("DELETE FROM pb_publications"):
            ws.execute(sa.text("DELETE FROM pb_report_versions"))
        ws.execute(sa.text(sql))
    code, output = _verify(published)
    assert code == 1 and named in output, output


def test_cutting_the_log_back_past_a_publication_head_is_caught(published: Store) -> None:
    with published.write() as ws:
        head = publications(ws)[0].head_event_id
        _open_tables(ws)
        ws.execute(sa.text(f"DELETE FROM as_audit_events WHERE event_id >= {head - 2}"))
    code, output = _verify(published)
    assert code == 1 and f"the audit chain has no event {head}" in output, output


def test_the_database_refuses_to_change_publications(published: Store) -> None:
    for sql in (
        "UPDATE pb_publications SET published_by = 'mallory'",
        "DELETE FROM pb_publications",
        "UPDATE pb_report_versions SET change_note = 'forged'",
        "DELETE FROM pb_report_versions",
        "UPDATE pb_blobs SET content = 'forged'",
        "DELETE FROM pb_blobs",
    ):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), published.write() as ws:
            ws.execute(sa.text(sql))
    code, output = _verify(published)
    assert code == 0, output
