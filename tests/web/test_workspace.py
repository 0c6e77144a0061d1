from __future__ import annotations

import re

from fastapi.testclient import TestClient
from tests.conftest import record_publication_now
from tests.web.conftest import one, sign_in

from openpeel.store import Store
from openpeel.store.audit import events, replay, table_state

PAGE = "/workspace/2014/northamptonshire"


def proposed(html: str) -> list[str]:
    return re.findall(r'<td class="proposed">([^<]+)', html)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def add_concern(
    client: TestClient, csrf: str, text: str = "Calls about anti-social behaviour go unanswered."
) -> object:
    return client.post(
        f"{PAGE}/findings",
        data={
            "csrf_token": csrf,
            "question": "tackling-asb",
            "inspection": "crime-inspection-2014",
            "kind": "cause-of-concern",
            "topics": ["asb response"],
            "text": text,
        },
    )


def test_writes_without_sign_in_are_refused(client: TestClient) -> None:
    response = client.post(f"{PAGE}/findings", data={"question": "tackling-asb"})
    assert response.status_code == 401
    assert client.post(f"{PAGE}/publish", data={}).status_code == 401


def test_viewer_cannot_edit(client: TestClient) -> None:
    csrf = sign_in(client, "vic")
    assert client.get(PAGE).status_code == 200
    response = add_concern(client, csrf)
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert "Add a finding" not in client.get(PAGE).text


def test_post_without_csrf_is_refused(client: TestClient) -> None:
    sign_in(client, "ivy")
    response = client.post(
        f"{PAGE}/findings", data={"question": "tackling-asb", "kind": "strength", "text": "x"}
    )
    assert response.status_code == 403


def test_inspector_adds_a_finding_and_the_proposal_changes(client: TestClient, web_store: Store) -> None:
    csrf = sign_in(client, "ivy")
    before = client.get(PAGE).text
    assert proposed(before)[2] == "Good"
    evil = "<script>alert('x')</script> '; DROP TABLE ev_findings; --"
    response = add_concern(client, csrf, evil)
    assert response.status_code == 200  # type: ignore[attr-defined]
    page = response.text  # type: ignore[attr-defined]
    assert proposed(page)[2] == "Inadequate"
    assert "<script>alert" not in page and "&lt;script&gt;alert(" in page
    stored = one(web_store, "SELECT text FROM ev_findings WHERE text LIKE '%DROP TABLE%'")
    assert stored and stored[0] == evil

    with web_store.read() as ws:
        assert any(e.actor == "ivy" and e.entity == "finding" for e in events(ws))
        assert replay(ws) == table_state(ws)
    # A draft finding stays in the workspace: the public report shows it in no form at all.
    report = client.get("/reports/2014/northamptonshire").text
    assert "alert(" not in report and "DROP TABLE" not in report


def test_bad_form_input_is_shown_not_stored(client: TestClient, web_store: Store) -> None:
    csrf = sign_in(client, "ivy")
    count = one(web_store, "SELECT count(*) FROM ev_findings")
    response = client.post(
        f"{PAGE}/findings",
        data={
            "csrf_token": csrf,
            "question": "reducing-crme",
            "inspection": "crime-inspection-2014",
            "kind": "strength",
            "text": "x",
        },
    )
    assert response.status_code == 422 and "unknown question" in response.text
    assert one(web_store, "SELECT count(*) FROM ev_findings") == count


def test_lead_confirms_and_moderator_publishes(client: TestClient, web_store: Store) -> None:
    csrf = sign_in(client, "lee")
    refused = client.post(
        f"{PAGE}/judgements/investigating-offending/override", data={"csrf_token": csrf, "grade": "good"}
    )
    assert refused.status_code == 409 and "rationale" in refused.text
    for question in ("reducing-crime", "investigating-offending", "tackling-asb"):
        done = client.post(f"{PAGE}/judgements/{question}/confirm", data={"csrf_token": csrf})
        assert done.status_code == 200, done.text
    cannot = client.post(f"{PAGE}/moderate", data={"csrf_token": csrf})
    assert cannot.status_code == 403  # lead inspectors don't moderate
    client.post("/logout", data={"csrf_token": csrf})
    csrf = sign_in(client, "mo")
    assert client.post(f"{PAGE}/moderate", data={"csrf_token": csrf}).status_code == 200
    published = client.post(f"{PAGE}/publish", data={"csrf_token": csrf})
    assert published.status_code == 200 and "published" in published.text
    assert "once `openpeel publish` records a publication" in published.text
    # Marked published; the public sees it once a publication records it.
    before = client.get("/api/v1/judgements", params={"force": "northamptonshire", "year": 2014}).json()
    assert before["data"] == []
    record_publication_now(web_store, 2014)
    client.app.state.data_version.bump()  # the app sees another process's publication within a second
    api = client.get("/api/v1/judgements", params={"force": "northamptonshire", "year": 2014}).json()
    graded = {j["question_id"]: j for j in api["data"] if j["is_graded"]}
    assert graded["investigating-offending"]["current_grade"] == "requires-improvement"
    assert all(j["state"] == "published" for j in api["data"])
    findings = client.get("/api/v1/findings", params={"force": "northamptonshire", "year": 2014}).json()
    assert findings["meta"]["total"] >= 17
    csv_text = client.get("/api/v1/findings", params={"force": "northamptonshire", "format": "csv"}).text
    assert csv_text.startswith("force_id,year,finding_id")


def test_unpublished_judgements_stay_out_of_the_api(client: TestClient) -> None:
    body = client.get("/api/v1/judgements", params={"force": "kent"}).json()
    assert body["data"] == [] and body["meta"]["total"] == 0
    assert client.get("/api/v1/findings", params={"force": "kent"}).json()["meta"]["total"] == 0
    coverage = client.get("/api/v1/coverage").json()
    assert coverage["meta"]["total"] == 0


def test_an_unknown_file_kind_in_the_coverage_api_is_an_error_naming_the_kinds(client: TestClient) -> None:
    response = client.get("/api/v1/coverage", params={"kind": "streets"})
    assert response.status_code == 422
    assert "unknown file kind 'streets'" in response.text and "street" in response.text
    assert client.get("/api/v1/coverage", params={"kind": "street"}).status_code == 200


def test_the_set_grade_list_starts_on_choose_not_on_a_grade(client: TestClient) -> None:
    sign_in(client, "lee")
    page = client.get(PAGE)
    assert page.status_code == 200
    lists = re.findall(r'<select id="grade-[^"]+" name="grade" required>(.*?)</select>', page.text)
    assert lists
    for options in lists:
        first = re.findall(r"<option[^>]*>[^<]*</option>", options)[0]
        assert first == '<option value="" selected>Choose a grade</option>'
        assert options.count("selected") == 1


def test_a_set_grade_with_no_grade_chosen_is_refused(client: TestClient) -> None:
    csrf = sign_in(client, "lee")
    refused = client.post(
        f"{PAGE}/judgements/investigating-offending/override",
        data={"csrf_token": csrf, "grade": "", "reason": "the inspection notes say so"},
    )
    assert refused.status_code == 409 and "choose a grade to set: one of outstanding, good" in refused.text
