"""Optimistic concurrency on every edit form: a form carries the version it was rendered from,
and a form made stale by someone else's change gets 409 with the newer version shown, never
silently overwriting it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import STORE_FIXTURE
from tests.web.conftest import make_home, one, sign_in

from openpeel.store import Store

PAGE = "/workspace/2014/northamptonshire"
FINDING = "rc-targets"  # a reducing-crime finding of the store fixture


@pytest.fixture(scope="module")
def web_home(statistics_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The web tests' home, with Northamptonshire 2014 from the store fixture (stable finding ids)
    rather than the shipped file."""
    home = tmp_path_factory.mktemp("web") / "home"
    make_home(home, statistics_db, evidence=[STORE_FIXTURE]).dispose()
    return home


def _form(html: str) -> dict[str, object]:
    """The hidden and filled fields of the finding edit form, as a browser would post them."""
    fields: dict[str, object] = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        fields[name] = value
    for name in ("question", "inspection", "kind"):
        chosen = re.search(rf'name="{name}".*?<option value="([^"]+)" selected', html, re.S)
        assert chosen, name
        fields[name] = chosen.group(1)
    text = re.search(r'<textarea[^>]*name="text"[^>]*>([^<]*)</textarea>', html)
    assert text
    fields["text"] = text.group(1)
    return fields


def _versions(html: str, question: str) -> str:
    found = re.search(rf'/judgements/{question}/confirm">.*?name="version" value="(\d+)"', html, re.S)
    assert found
    return found.group(1)


@pytest.mark.slow
def test_a_stale_finding_form_gets_409_and_the_first_edit_stays(client: TestClient, web_store: Store) -> None:
    csrf = sign_in(client, "ivy")
    first = _form(client.get(f"{PAGE}/findings/{FINDING}").text)
    second = _form(client.get(f"{PAGE}/findings/{FINDING}").text)
    assert first["version"] == second["version"] and first["version"]
    saved = client.post(
        f"{PAGE}/findings/{FINDING}", data={**first, "csrf_token": csrf, "text": "First edit."}
    )
    assert saved.status_code == 200, saved.text
    stale = client.post(
        f"{PAGE}/findings/{FINDING}", data={**second, "csrf_token": csrf, "text": "Second edit."}
    )
    assert stale.status_code == 409
    assert (
        f"finding {FINDING} was changed to version {int(str(first['version'])) + 1} by ivy at" in stale.text
    )
    assert "First edit." in stale.text  # the page shows the newer version
    stored = one(web_store, f"SELECT text FROM ev_findings WHERE finding_id = '{FINDING}'")
    assert stored == ("First edit.",)


@pytest.mark.slow
def test_stale_grade_and_moderation_forms_get_409(client: TestClient, web_store: Store) -> None:
    csrf = sign_in(client, "lee")
    page = client.get(PAGE).text
    version = _versions(page, "reducing-crime")
    done = client.post(
        f"{PAGE}/judgements/reducing-crime/confirm", data={"csrf_token": csrf, "version": version}
    )
    assert done.status_code == 200, done.text
    # The same (now stale) page's override form for the same question:
    stale = client.post(
        f"{PAGE}/judgements/reducing-crime/override",
        data={"csrf_token": csrf, "version": version, "grade": "inadequate", "reason": "stale"},
    )
    assert (
        stale.status_code == 409
        and "judgement reducing-crime was changed" in stale.text
        and "by lee" in stale.text
    )
    assert one(web_store, "SELECT current_grade FROM as_judgements WHERE force_id = 'northamptonshire' "
               "AND year = 2014 AND question_id = 'reducing-crime'") == ("good",)  # fmt: skip
    for question in ("investigating-offending", "tackling-asb"):
        fresh = _versions(client.get(PAGE).text, question)
        assert (
            client.post(
                f"{PAGE}/judgements/{question}/confirm", data={"csrf_token": csrf, "version": fresh}
            ).status_code
            == 200
        )
    client.post("/logout", data={"csrf_token": csrf})
    csrf = sign_in(client, "mo")
    rendered = re.search(r'name="versions" value="([^"]*)"', client.get(PAGE).text)
    assert rendered
    # Someone confirms again in between: the moderation form is stale.
    client.post("/logout", data={"csrf_token": csrf})
    lead = sign_in(client, "lee")
    fresh = _versions(client.get(PAGE).text, "tackling-asb")
    assert (
        client.post(
            f"{PAGE}/judgements/tackling-asb/override",
            data={"csrf_token": lead, "version": fresh, "grade": "good", "reason": "meanwhile"},
        ).status_code
        == 200
    )
    client.post("/logout", data={"csrf_token": lead})
    csrf = sign_in(client, "mo")
    stale = client.post(f"{PAGE}/moderate", data={"csrf_token": csrf, "versions": rendered.group(1)})
    assert stale.status_code == 409 and "judgement tackling-asb was changed" in stale.text
    states = one(web_store, "SELECT count(*) FROM as_judgements WHERE force_id = 'northamptonshire' "
                 "AND year = 2014 AND state = 'moderated'")  # fmt: skip
    assert states == (0,)


@pytest.mark.slow
def test_a_finding_behind_a_published_judgement_is_locked_until_it_is_reopened(
    client: TestClient, web_store: Store
) -> None:
    from openpeel.assessment.judgements import moderate, override, publish, reopen

    with web_store.write() as ws:
        # The module's store is shared: an override (always a change) starts from any state.
        override(ws, "northamptonshire", 2014, "reducing-crime", "good", by="lee", reason="locking test")
        moderate(ws, "northamptonshire", 2014, "reducing-crime", by="mo")
        publish(ws, "northamptonshire", 2014, "reducing-crime", by="pat")
    csrf = sign_in(client, "ivy")
    form = _form(client.get(f"{PAGE}/findings/{FINDING}").text)
    kind = one(web_store, f"SELECT kind FROM ev_findings WHERE finding_id = '{FINDING}'")
    refused = client.post(
        f"{PAGE}/findings/{FINDING}",
        data={**form, "csrf_token": csrf, "kind": "cause-of-concern", "text": "Now a concern."},
    )
    assert refused.status_code == 409
    assert "reducing-crime (northamptonshire 2014) is published" in refused.text and "reopen" in refused.text
    assert one(web_store, f"SELECT kind FROM ev_findings WHERE finding_id = '{FINDING}'") == kind
    with web_store.write() as ws:
        reopen(ws, "northamptonshire", 2014, "reducing-crime", by="pat", reason="new evidence")
    saved = client.post(
        f"{PAGE}/findings/{FINDING}",
        data={**form, "csrf_token": csrf, "kind": "cause-of-concern", "text": "Now a concern."},
    )
    assert saved.status_code == 200, saved.text
    assert one(web_store, f"SELECT kind FROM ev_findings WHERE finding_id = '{FINDING}'") == (
        "cause-of-concern",
    )
