"""The read API: report-shaped answers, filters, sorting, pages, per-tenant scoping and operations."""

from __future__ import annotations

from read_api_helpers import Keys, TestClient, bearer, openapi, report

from tracehound.report.findings import finding_id
from tracehound.store.base import Store


def publish(store: Store) -> None:
    store.replace_inventory("acme", report("api.acme.test", 5), {"api.acme.test": openapi("api.acme.test")})
    store.replace_inventory("globex", report("api.globex.test", 3), {"api.globex.test": openapi("api.globex.test")})


def test_endpoints_have_the_report_shape_with_an_id(read_client: TestClient, api_store: Store, keys: Keys) -> None:
    publish(api_store)
    r = read_client.get("/v1/endpoints", headers=bearer(keys.read_a))
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 5 and body["next_offset"] is None
    first = body["items"][0]
    expected = report("api.acme.test", 5)["services"][0]["endpoints"][4]
    assert {k: v for k, v in first.items() if k not in ("id", "service")} == expected
    assert first["service"] == "api.acme.test"
    one = read_client.get(f"/v1/endpoints/{first['id']}", headers=bearer(keys.read_a))
    assert one.status_code == 200 and one.json() == first


def test_endpoint_filters_sorting_and_pages(read_client: TestClient, api_store: Store, keys: Keys) -> None:
    publish(api_store)
    h = bearer(keys.read_a)

    def paths(query: str) -> list[str]:
        r = read_client.get(f"/v1/endpoints?{query}", headers=h)
        assert r.status_code == 200, r.text
        return [e["path"] for e in r.json()["items"]]

    assert paths("sort=risk") == [f"/items{i}/{{id}}" for i in (4, 3, 2, 1, 0)]
    assert paths("sort=risk&order=asc")[0] == "/items0/{id}"
    assert paths("sort=count") == [f"/items{i}/{{id}}" for i in (0, 1, 2, 3, 4)]
    assert paths("sort=path") == sorted(paths("sort=risk"))
    assert paths("method=POST") == ["/items3/{id}", "/items1/{id}"]
    assert paths("sensitive=email") == ["/items3/{id}", "/items1/{id}"]
    assert paths("min_risk=30") == ["/items4/{id}", "/items3/{id}"]
    assert paths("service=api.globex.test") == []
    page = read_client.get("/v1/endpoints?limit=2&offset=2", headers=h).json()
    assert (page["total"], page["limit"], page["offset"], page["next_offset"]) == (5, 2, 2, 4)
    assert [e["path"] for e in page["items"]] == ["/items2/{id}", "/items1/{id}"]
    assert read_client.get("/v1/endpoints?limit=0", headers=h).status_code == 400
    assert read_client.get("/v1/endpoints?sort=evil", headers=h).status_code == 400
    assert read_client.get("/v1/endpoints?limit=5000", headers=h).status_code == 400


def test_findings_filters(read_client: TestClient, api_store: Store, keys: Keys) -> None:
    publish(api_store)
    h = bearer(keys.read_a)

    def types(query: str) -> list[str]:
        r = read_client.get(f"/v1/findings?{query}", headers=h)
        assert r.status_code == 200, r.text
        return [f["type"] for f in r.json()["items"]]

    assert types("") == ["sqli", "xss"]
    assert types("severity=high") == ["sqli"]
    assert types("type=xss") == ["xss"]
    assert types("service=api.acme.test&order=asc") == ["xss", "sqli"]
    assert types("since=2026-11-26T00:00:00Z") == ["sqli"]
    assert types("until=2026-11-24T00:00:00Z") == []
    assert types("since=1795651200") == ["sqli"]
    assert read_client.get("/v1/findings?since=yesterday", headers=h).status_code == 400
    assert read_client.get("/v1/findings?severity=urgent", headers=h).status_code == 400
    item = read_client.get("/v1/findings", headers=h).json()["items"][0]
    assert set(item) >= {"id", "type", "severity", "owasp", "service", "method", "path", "location", "count"}
    assert read_client.get(f"/v1/findings/{item['id']}", headers=h).json() == item


def test_services_openapi_and_stats(read_client: TestClient, api_store: Store, keys: Keys) -> None:
    publish(api_store)
    api_store.apply_delta("acme", {}, {}, {}, "traffic", [1], 42, 2)
    h = bearer(keys.read_a)
    services = read_client.get("/v1/services", headers=h).json()["services"]
    assert services == [{"name": "api.acme.test", "endpoints": 5, "findings": 2, "max_risk": 40}]
    doc = read_client.get("/v1/services/api.acme.test/openapi.json", headers=h)
    assert doc.status_code == 200 and doc.json()["openapi"] == "3.1.0"
    assert read_client.get("/v1/services/nope/openapi.json", headers=h).status_code == 404
    stats = read_client.get("/v1/stats", headers=h).json()
    assert {k: stats[k] for k in ("transactions", "rejected", "endpoints", "findings", "services")} == {
        "transactions": 42,
        "rejected": 2,
        "endpoints": 5,
        "findings": 2,
        "services": 1,
    }
    assert stats["updated"].endswith("Z")


def test_tenants_see_only_their_own_data(read_client: TestClient, api_store: Store, keys: Keys) -> None:
    publish(api_store)
    a, b = bearer(keys.read_a), bearer(keys.read_b)
    a_ids = [e["id"] for e in read_client.get("/v1/endpoints", headers=a).json()["items"]]
    b_ids = [e["id"] for e in read_client.get("/v1/endpoints", headers=b).json()["items"]]
    assert len(a_ids) == 5 and len(b_ids) == 3 and not set(a_ids) & set(b_ids)
    for own, other_ids in ((a, b_ids), (b, a_ids)):
        for eid in other_ids:
            r = read_client.get(f"/v1/endpoints/{eid}", headers=own)
            assert r.status_code == 404
    a_finding = read_client.get("/v1/findings", headers=a).json()["items"][0]["id"]
    assert read_client.get(f"/v1/findings/{a_finding}", headers=b).status_code == 404
    assert read_client.get("/v1/services/api.acme.test/openapi.json", headers=b).status_code == 404
    assert read_client.get("/v1/services/api.globex.test/openapi.json", headers=a).status_code == 404
    assert read_client.get("/v1/endpoints?service=api.globex.test", headers=a).json()["total"] == 0
    assert [s["name"] for s in read_client.get("/v1/services", headers=b).json()["services"]] == ["api.globex.test"]
    assert read_client.get("/v1/stats", headers=b).json()["endpoints"] == 3


def test_an_empty_tenant_answers_empty_pages(read_client: TestClient, keys: Keys) -> None:
    h = bearer(keys.read_a)
    assert read_client.get("/v1/endpoints", headers=h).json() == {
        "items": [],
        "total": 0,
        "limit": 50,
        "offset": 0,
        "next_offset": None,
    }
    assert read_client.get("/v1/stats", headers=h).json()["transactions"] == 0


def test_docs_and_openapi_are_served(read_client: TestClient) -> None:
    assert read_client.get("/docs").status_code == 200
    schema = read_client.get("/openapi.json").json()
    assert {"/v1/endpoints", "/v1/findings", "/v1/stats", "/v1/services/{name}/openapi.json"} <= set(schema["paths"])


def test_health_readiness_and_metrics_are_open_and_carry_no_payload(
    read_client: TestClient, api_store: Store, keys: Keys
) -> None:
    publish(api_store)
    assert read_client.get("/healthz").json() == {"status": "ok"}
    assert read_client.get("/readyz").status_code == 200
    read_client.get("/v1/endpoints", headers=bearer(keys.read_a))
    metrics = read_client.get("/metrics")
    assert metrics.status_code == 200
    assert 'tracehound_api_requests_total{route="/v1/endpoints",status="200"} 1.0' in metrics.text
    assert "/items" not in metrics.text and "api.acme.test" not in metrics.text


def test_readyz_is_503_when_the_store_is_gone(api_store: Store) -> None:
    from tracehound.api.read import create_read_app

    api_store.create_tenant("acme")
    _, key = api_store.create_key("acme", "read")
    with TestClient(create_read_app(api_store)) as c:
        api_store.close()
        r = c.get("/readyz")
        assert r.status_code == 503
        # Unauthenticated: which dependency, never why (the error would name hosts and paths).
        assert "sqlite" not in r.text and "postgresql" not in r.text and ".db" not in r.text
        keyed = c.get("/v1/endpoints", headers=bearer(key))
        assert keyed.status_code == 503
        assert "sqlite" not in keyed.text and "postgresql" not in keyed.text and ".db" not in keyed.text


def test_findings_keep_the_report_id_in_every_tenant_and_republish(
    read_client: TestClient, api_store: Store, keys: Keys
) -> None:
    """The read API's finding id is the JSON report's (and SARIF's), not a per-snapshot or per-tenant one."""
    published = report("api.shared.test", 3)
    for f in published["findings"]:
        f["id"] = finding_id(f["type"], f["service"], f["method"], f["path"], f["location"])
    expected = sorted(f["id"] for f in published["findings"])
    for _ in range(2):  # republishing keeps the ids
        api_store.replace_inventory("acme", published, {})
        api_store.replace_inventory("globex", published, {})
        for key in (keys.read_a, keys.read_b):
            items = read_client.get("/v1/findings", headers=bearer(key)).json()["items"]
            assert sorted(i["id"] for i in items) == expected
            one = read_client.get(f"/v1/findings/{expected[0]}", headers=bearer(key))
            assert one.status_code == 200 and one.json()["id"] == expected[0]
