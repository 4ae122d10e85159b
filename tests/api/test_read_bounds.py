"""Every numeric and time parameter of the read API is bounded: a value out of range is a 400 that
names the parameter and never echoes the value, on SQLite and PostgreSQL, never a 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from read_api_helpers import Keys, TestClient, bearer

from tracehound.api.read import MAX_OFFSET, create_read_app
from tracehound.store import open_store

NUMERIC_PARAMS = [
    ("/v1/endpoints", "limit"),
    ("/v1/endpoints", "offset"),
    ("/v1/endpoints", "min_risk"),
    ("/v1/findings", "limit"),
    ("/v1/findings", "offset"),
    ("/v1/findings", "since"),
    ("/v1/findings", "until"),
]

OUT_OF_RANGE = [
    "9223372036854775808",  # 2**63: one past SQLite's and PostgreSQL's bigint (was a 500)
    "18446744073709551616",
    "9" * 400,
    "-1",
    "-9223372036854775809",
    "-99999999999",
    "1e400",
    "nan",
    "inf",
    "-inf",
    "abcdefgh<script>",
    "0x10",
    "12abc34",
]


@pytest.mark.parametrize(("route", "param"), NUMERIC_PARAMS)
@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_out_of_range_numbers_are_400_without_the_value(
    read_client: TestClient, keys: Keys, route: str, param: str, value: str
) -> None:
    r = read_client.get(route, params={param: value}, headers=bearer(keys.read_a))
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["error"] == "bad_request"
    assert body["reason"].startswith(f"{param}: ")
    assert value not in body["reason"]


@pytest.mark.parametrize(
    ("route", "param", "value"),
    [
        ("/v1/endpoints", "offset", str(MAX_OFFSET)),
        ("/v1/findings", "offset", str(MAX_OFFSET)),
        ("/v1/endpoints", "limit", "1000"),
        ("/v1/endpoints", "min_risk", "100"),
        ("/v1/findings", "since", "0"),
        ("/v1/findings", "until", "253402300799"),
        ("/v1/findings", "since", "9999-12-31T23:59:59Z"),
        ("/v1/findings", "until", "2026-11-25T10:00:00+02:00"),
    ],
)
def test_the_bounds_themselves_are_accepted(
    read_client: TestClient, keys: Keys, route: str, param: str, value: str
) -> None:
    r = read_client.get(route, params={param: value}, headers=bearer(keys.read_a))
    assert r.status_code == 200, r.text
    assert r.json()["items"] == []


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "1969-12-31T23:59:59Z", "10000-01-01", "2026-13-01"])
@pytest.mark.parametrize("param", ["since", "until"])
def test_times_outside_1970_to_9999_are_400(read_client: TestClient, keys: Keys, param: str, value: str) -> None:
    r = read_client.get("/v1/findings", params={param: value}, headers=bearer(keys.read_a))
    assert r.status_code == 400
    assert r.json()["reason"].startswith(f"{param}: ") and value not in r.json()["reason"]


@pytest.fixture(scope="module")
def sqlite_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    """One SQLite-backed client for every hypothesis example (function fixtures are not reset per example)."""
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('bounds') / 'api.db'}")
    store.create_tenant("acme")
    key = store.create_key("acme", "read")[1]
    with TestClient(create_read_app(store)) as client:
        yield client, key
    store.close()


@settings(max_examples=300, deadline=None)
@given(
    case=st.sampled_from(NUMERIC_PARAMS),
    value=st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.text(max_size=40),
    ),
)
def test_any_value_of_any_numeric_parameter_is_answered_never_500(
    sqlite_client: tuple[TestClient, str], case: tuple[str, str], value: str
) -> None:
    client, key = sqlite_client
    route, param = case
    r = client.get(route, params={param: value}, headers=bearer(key))
    assert r.status_code in (200, 400), r.text
    if r.status_code == 400:
        reason = r.json()["reason"]
        assert r.json()["error"] == "bad_request"
        assert reason.startswith(f"{param}: ") or ("\x00" in value and "NUL" in reason)


@pytest.mark.parametrize(
    "url",
    [
        "/v1/endpoints?service=%00",
        "/v1/endpoints?method=GE%00T",
        "/v1/endpoints?sensitive=%00",
        "/v1/findings?type=%00",
        "/v1/findings?service=a%00b",
        "/v1/endpoints/%00",
        "/v1/findings/ab%00",
        "/v1/services/%00/openapi.json",
    ],
)
def test_a_nul_character_in_any_parameter_is_400(read_client: TestClient, keys: Keys, url: str) -> None:
    # PostgreSQL refuses NUL in text: it was a 503 "store cannot be reached", an outage that was none.
    r = read_client.get(url, headers=bearer(keys.read_a))
    assert r.status_code == 400
    assert r.json() == {"error": "bad_request", "reason": "parameters must not contain NUL characters"}


@pytest.mark.parametrize(
    "url",
    [
        "/v1/endpoints/%ff%fe",
        "/v1/services/%ff/openapi.json",
        "/v1/endpoints?service=%ff%fe",
        "/v1/endpoints?service=" + "a" * 60_000,
        "/v1/findings?since=2026-01-01T00:00:00%2B99:00",
        "/v1/findings?offset=1&offset=99999999999999999999",
    ],
)
def test_odd_strings_are_answered_not_failed(read_client: TestClient, keys: Keys, url: str) -> None:
    assert read_client.get(url, headers=bearer(keys.read_a)).status_code in (200, 400, 404)
