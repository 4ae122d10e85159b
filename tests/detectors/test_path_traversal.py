from __future__ import annotations

import pytest

ATTACKS = [
    "../../../etc/passwd",
    "..%2f..%2f..%2fetc%2fpasswd",
    "%252e%252e%252fetc%252fpasswd",
    "..\\\\..\\\\windows\\\\win.ini",
    "....//....//etc/shadow",
    "/var/www/../../etc/passwd",
    "..%c0%af..%c0%afetc",
]
BENIGN = ["/docs/a/b", "report.v1.2.pdf", "Wait... what?", "images/logo.png", "1..10"]


@pytest.mark.parametrize("value", ATTACKS)
def test_detects_path_traversal(scan, value):
    assert "path_traversal" in scan(value)


@pytest.mark.parametrize("value", BENIGN)
def test_ignores_benign_look_alikes(scan, value):
    assert "path_traversal" not in scan(value)


def test_json_key_named_env_is_not_a_dotenv_file(scan):
    assert "path_traversal" not in scan("take", "request.body.serviceDescriptors[].env")


def test_dotenv_in_a_value_still_fires(scan):
    assert "path_traversal" in scan("../../.env", "request.body.file")


def test_ellipsis_placeholder_is_not_traversal(scan):
    assert "path_traversal" not in scan("https://...", "request.body.picture_url")


@pytest.mark.parametrize("value", ["/var/www/..", "....//....//etc/hosts", "a/../../b"])
def test_dot_segments_still_fire(scan, value):
    assert "path_traversal" in scan(value, "request.query.x")


def _target_types(raw_path: str) -> set[tuple[str, str]]:
    """Detections over a request target, segmented and decoded as ``pipeline.normalize`` does."""
    from urllib.parse import unquote

    import msgspec

    from conftest import exchange
    from tracehound.detectors.engine import SignatureEngine
    from tracehound.model.fields import request_fields

    segments = tuple(unquote(s, "utf-8", "replace") for s in raw_path.split("/") if s)
    ex = msgspec.structs.replace(exchange([]), raw_path=raw_path, segments=segments)
    return {(d.type.value, d.location) for d in SignatureEngine().inspect(ex, list(request_fields(ex)))}


RAW_TARGET_ATTACKS = [
    ("/static/../../../../windows.ini", "request.path.#1"),
    ("/static/..%2f..%2f..%2fwindows.ini", "request.path.#1"),
    ("/static/..%5c..%5cwindows.ini", "request.path.#1"),
    ("/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "request.path.#1"),
    ("/static/%252e%252e%252fwin.ini", "request.path.#1"),
    ("/static/%c0%ae%c0%ae/%c0%ae%c0%ae/secret.txt", "request.path.#1"),
    ("/img/..\\..\\windows\\win.ini", "request.path.#1"),
]
RAW_TARGET_BENIGN = [
    "/files/a..b.txt",
    "/api/v1/users/42",
    "/proxy/https://example.com/a/b",
    "/docs/v1.2..3/readme",
    "/search/caf%C3%A9",
    "/a/b%2Fc",
]


@pytest.mark.parametrize(("raw_path", "location"), RAW_TARGET_ATTACKS)
def test_traversal_in_the_raw_target_fires(raw_path, location):
    assert ("path_traversal", location) in _target_types(raw_path)


@pytest.mark.parametrize("raw_path", RAW_TARGET_BENIGN)
def test_benign_raw_targets_do_not_fire(raw_path):
    assert not {t for t, _ in _target_types(raw_path)} & {"path_traversal", "file_inclusion"}


@pytest.mark.parametrize(
    "value", ["\\\\::1\\c$\\users\\default\\ntuser.dat", "%5C%5C::1%5Cc$%5Cusers%5Cdefault%5Cntuser.dat"]
)
def test_windows_admin_share_and_profile_hive_fire(scan, value):
    # gotestwaf's UNC payloads: an IPv6 host, the c$ admin share, the NTUSER.DAT registry hive.
    assert "path_traversal" in scan(value, "request.body.comment")


@pytest.mark.parametrize("value", ["price: 5$ / users", "ntuser", "c$ users"])
def test_share_look_alikes_do_not_fire(scan, value):
    assert "path_traversal" not in scan(value, "request.body.comment")
