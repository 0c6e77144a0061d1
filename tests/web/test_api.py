from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient


def assert_error_shape(body: dict[str, object], status: int) -> None:
    assert set(body) == {"error"}
    error = body["error"]
    assert isinstance(error, dict)
    assert set(error) == {"status", "code", "message", "details"}
    assert error["status"] == status and isinstance(error["message"], str) and error["message"]


def test_forces_pagination_and_edges(client: TestClient) -> None:
    first = client.get("/api/v1/forces", params={"limit": 10, "offset": 0}).json()
    assert first["meta"]["total"] == 48 and len(first["data"]) == 10
    assert first["meta"]["next"].endswith("offset=10&limit=10")
    last = client.get("/api/v1/forces", params={"limit": 10, "offset": 40}).json()
    assert len(last["data"]) == 8 and last["meta"]["next"] is None
    beyond = client.get("/api/v1/forces", params={"limit": 10, "offset": 100}).json()
    assert beyond["data"] == [] and beyond["meta"]["total"] == 48
    territorial = client.get("/api/v1/forces", params={"kind": "territorial"}).json()
    assert territorial["meta"]["total"] == 43


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 100000}, {"offset": -1}, {"limit": "ten"}, {"format": "xml"}],
)
def test_bad_parameters_get_422_in_the_shared_shape(client: TestClient, params: dict[str, object]) -> None:
    response = client.get("/api/v1/forces", params=params)
    assert response.status_code == 422
    assert_error_shape(response.json(), 422)


def test_unknown_force_is_404_with_suggestion(client: TestClient) -> None:
    response = client.get("/api/v1/forces/northamptonshre")
    assert response.status_code == 404
    body = response.json()
    assert_error_shape(body, 404)
    assert body["error"]["details"][0]["suggestions"][0] == "northamptonshire"
    response = client.get("/api/v1/indicators", params={"force": "kentt"})
    assert response.status_code == 404 and "kent" in response.json()["error"]["details"][0]["suggestions"]


def test_unknown_route_and_year_use_the_shape(client: TestClient) -> None:
    for path in ("/api/v1/nothing-here", "/api/v1/frameworks/1999"):
        response = client.get(path)
        assert response.status_code == 404
        assert_error_shape(response.json(), 404)
    bad_date = client.get("/api/v1/indicators", params={"period_end": "June 2014"})
    assert bad_date.status_code == 422
    assert_error_shape(bad_date.json(), 422)


def test_indicators_filter_by_force_and_year(client: TestClient) -> None:
    body = client.get("/api/v1/indicators", params={"force": "Northamptonshire Police", "year": 2014}).json()
    ids = {row["indicator_id"] for row in body["data"]}
    assert {"recorded_crime_change_1y_pct", "recorded_crime_change_4y_pct", "asb_rate"} <= ids
    one_year = next(r for r in body["data"] if r["indicator_id"] == "recorded_crime_change_1y_pct")
    assert one_year["period_end"] == "2014-06-30" and one_year["numerator"] == 41521
    by_indicator = client.get(
        "/api/v1/indicators", params={"indicator": "asb_rate", "period_end": "2014-03-31", "limit": 1000}
    ).json()
    assert (
        by_indicator["meta"]["total"] == 44
    )  # 43 forces and England and Wales (BTP has no resident population)


def test_csv_alternative(client: TestClient) -> None:
    response = client.get("/api/v1/indicators", params={"force": "kent", "year": 2014, "format": "csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) >= 5 and all(r["area_id"] == "kent" for r in rows)


def test_etag_and_cache_headers(client: TestClient) -> None:
    response = client.get("/api/v1/frameworks/2014")
    etag = response.headers["etag"]
    assert response.headers["cache-control"].startswith("public")
    again = client.get("/api/v1/frameworks/2014", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


def test_frameworks_catalogue_and_scan(client: TestClient) -> None:
    years = [r["year"] for r in client.get("/api/v1/frameworks").json()["data"]]
    assert 2014 in years and 2015 in years
    fw = client.get("/api/v1/frameworks/2014").json()["data"]
    assert len(fw["pillars"][0]["questions"]) == 6
    catalogue = client.get("/api/v1/catalogue").json()["data"]
    assert all("sql" not in row for row in catalogue)
    scan = client.get("/api/v1/scan", params={"year": 2014}).json()
    assert scan["meta"]["total"] > 0 and all(
        r["direction"] in ("worse", "better", "unclear") for r in scan["data"]
    )


def test_openapi_document(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/v1/indicators" in spec["paths"] and "/api/v1/forces/{force}" in spec["paths"]


def test_published_grades_filter_page_and_name_their_sources(client: TestClient) -> None:
    from openpeel.framework.published_grades import published_grades

    everything = client.get("/api/v1/published-grades", params={"limit": 1000}).json()
    assert everything["meta"]["total"] == len(published_grades()) > 700
    assert all(r["source_url"].startswith("http") for r in everything["data"])
    kent = client.get("/api/v1/published-grades", params={"force": "Kent", "year": "2018/19"}).json()
    # Kent's three pillar grades, and the question grades its effectiveness page states.
    assert kent["meta"]["total"] == len(published_grades(2018, "kent"))
    assert sum(1 for r in kent["data"] if r["pillar_id"]) == 3
    assert {r["pillar_id"] or r["question_id"]: r["grade"] for r in kent["data"]} == {
        r.target: r.grade for r in published_grades(2018, "kent")
    }
    assert {r["cycle"] for r in kent["data"]} == {"PEEL 2018/19"}
    northants = client.get(
        "/api/v1/published-grades", params={"force": "northamptonshire", "year": 2014}
    ).json()["data"]
    by_question = {r["question_id"]: r["grade_label"] for r in northants if r["question_id"]}
    assert by_question == {
        "reducing-crime": "Good",
        "investigating-offending": "Requires improvement",
        "tackling-asb": "Good",
    }
    first = client.get("/api/v1/published-grades", params={"year": "2014", "limit": 10}).json()
    second = client.get("/api/v1/published-grades", params={"year": "2014", "limit": 10, "offset": 10}).json()
    assert len(first["data"]) == len(second["data"]) == 10 and first["data"] != second["data"]
    assert first["meta"]["next"].endswith("offset=10&limit=10")
    as_csv = client.get(
        "/api/v1/published-grades", params={"year": "2023-25", "format": "csv", "limit": 1000}
    )
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(rows) == len(published_grades(2023)) and rows[0]["year"] == "2023"


def test_published_grades_unknown_cycle_is_404_listing_the_cycles(client: TestClient) -> None:
    response = client.get("/api/v1/published-grades", params={"year": "2019/20"})
    assert response.status_code == 404
    assert_error_shape(response.json(), 404)
    assert "2018/19" in response.json()["error"]["details"][0]["suggestions"]


@pytest.mark.slow
def test_recording_grades_and_progress_tell_the_facts_apart(client: TestClient) -> None:
    """Issue 24: the inspectorate's crime-recording judgements as data, and where each force's
    assessment stands (findings loaded but nothing published is not "no findings")."""
    rows = client.get("/api/v1/recording-grades", params={"force": "devon-and-cornwall"}).json()["data"]
    cdi = next(r for r in rows if r["inspection"] == "crime-data-integrity-2016")
    assert (cdi["grade"], cdi["unrecorded_pct"], cdi["found"]) == ("inadequate", 18.48, "under-recording")
    assert cdi["source_url"].startswith("https://")
    progress = client.get("/api/v1/progress", params={"year": 2014}).json()
    assert progress["meta"]["total"] == 43
    by_force = {r["force_id"]: r for r in progress["data"]}
    northants = by_force["northamptonshire"]
    assert northants["stage"] == "unpublished" and northants["has_findings"] and northants["findings"] > 0
    assert not northants["has_published_judgement"] and "confirm" in northants["next_step"]
    from openpeel.assessment.prepare import load_evidence

    free = next(f for f in sorted(by_force) if f not in load_evidence(2014))  # no 2014 file shipped
    assert by_force[free]["stage"] == "no-findings" and by_force[free]["next_step"] is None
    scan = client.get("/api/v1/scan", params={"year": 2014, "limit": 1000}).json()["data"]
    kent = next(
        r for r in scan if r["force_id"] == "kent" and r["indicator_id"] == "recorded_crime_change_1y_pct"
    )
    assert kent["direction"] == "unclear" and kent["recording"]["judgements"]
