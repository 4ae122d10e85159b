"""Per-segment value typing: ids of every kind become placeholders, words stay literal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracehound.pipeline.segments import (
    is_plain_date,
    parameter_of,
    provisional_segments,
    segment_kind,
    segment_matches,
    split_custom_method,
    split_key,
    template_key,
    value_form,
)


@pytest.mark.parametrize(
    ("segment", "kind"),
    [
        ("1234", "int"),
        ("98765432101", "int"),
        ("550e8400-e29b-41d4-a716-446655440000", "uuid"),
        ("550e8400e29b41d4a716446655440000", "uuid"),
        ("5f2b8c9e1a3d4f6b7c8d9e0f", "hex"),
        ("2024-01-05T10:00:00Z", "date"),
        ("20240105", "date"),
        ("alice@example.com", "email"),
        ("tj4wXgfWrW", "token"),
        ("NvVxgbgvD6kqYoZz", "token"),
        ("aZ3kQ9xP0wLm", "token"),
        ("nQVUEWOwxE", "token"),
    ],
)
def test_types_id_values(segment: str, kind: str) -> None:
    assert segment_kind(segment) == kind


def test_plain_dates_are_left_to_the_analyzer() -> None:
    # ``/2020-08-01/...`` is an API version as often as a value: siblings decide, not the shape.
    assert segment_kind("2020-08-01") is None
    assert is_plain_date("2020-08-01")
    assert not is_plain_date("2020-13-01")


@pytest.mark.parametrize(
    "segment",
    ["4111 1111 1111 1111", "DE89 3704 0044 0532 0130 00", "+12025550147", "+1-202-555-0147", "203.0.113.9"],
)
def test_sensitive_values_in_the_path_are_parameters_not_names(segment: str) -> None:
    """Cards, IBANs, phones and addresses that no id shape matches still never become an
    endpoint's literal name, which every output would print in full."""
    assert segment_kind(segment) == "str"


@pytest.mark.parametrize(
    "segment",
    [
        "users",
        "me",
        "search",
        "v1",
        "v2.1",
        "1.0",
        "12",
        "oauth2",
        "sha256",
        "base64",
        "addToGroup",
        "getUserById",
        "XMLHttpRequest",
        "removeContact",
        "ListObjectsV2",
        "top_domains",
        "out-of-stock",
        "currently-playing",
        "HTMLElement",
        "AAAARecord",
        "getIPAddress",
    ],
)
def test_keeps_words_and_versions_literal(segment: str) -> None:
    assert segment_kind(segment) is None


@pytest.mark.parametrize(
    ("segment", "form"),
    [
        ("agent-court-hope", "slug"),
        ("austin13", "handle"),
        ("'access'", "text"),
        ("new york", "text"),
        ("users", None),
        ("top-tracks", None),
        ("addToGroup", None),
        ("ListObjectsV2", None),
        ("XMLHttpRequest", None),
        ("HTMLElement", None),
        ("{id}", None),
        ("tags.{format}", None),
    ],
)
def test_value_form_is_weak_evidence_of_values(segment: str, form: str | None) -> None:
    assert value_form(segment) == form


@pytest.mark.parametrize(
    ("segment", "form"),
    [
        ("pavoquiTeR", "token"),  # two signs, one a part no word has (a capital alone at the end)
        ("NetWorth", None),  # two signs, both over the whole string: a compound name
        ("TopHits", None),
        ("addToGroup", None),
    ],
)
def test_recurring_words_need_fewer_signs_of_randomness(segment: str, form: str | None) -> None:
    assert value_form(segment) is None
    assert value_form(segment, corroborated=True) == form


def test_provisional_segments_replace_ids_by_kind() -> None:
    segs = ("users", "1234", "orders", "550e8400-e29b-41d4-a716-446655440000", "me")
    assert provisional_segments(segs) == ("users", "{int}", "orders", "{uuid}", "me")


@given(st.lists(st.text(min_size=1), max_size=6))
def test_template_key_round_trips(segments: list[str]) -> None:
    segs = tuple(s for s in segments if s)
    assert split_key(template_key(segs)) == segs


@given(st.text())
def test_typing_never_raises(segment: str) -> None:
    segment_kind(segment)
    value_form(segment)


@pytest.mark.parametrize(
    ("segment", "parts"),
    [
        ("1000:detectLanguage", ("1000", "detectLanguage")),
        ("floor-past-land:cancel", ("floor-past-land", "cancel")),
        ("{int}:batchGet", ("{int}", "batchGet")),
        ("projects/p1/locations/l1:translateText", ("projects/p1/locations/l1", "translateText")),
        ("users", None),
        (":cancel", None),
        ("urn:isbn:1234", None),
        ("12:30", None),
        ("fe80::abcd", None),
        ("Category:Physics", None),
    ],
)
def test_splits_custom_methods(segment: str, parts: tuple[str, str] | None) -> None:
    assert split_custom_method(segment) == parts


@pytest.mark.parametrize(
    ("segments", "provisional"),
    [
        (("v3", "1000:detectLanguage"), ("v3", "{int}:detectLanguage")),
        (("v3", "projects/p1/locations/l1:translateText"), ("v3", "{str}:translateText")),
        (("v3", "floor-past-land:cancel"), ("v3", "floor-past-land:cancel")),
        (("images:annotate",), ("images:annotate",)),
        (("projects", "group/project"), ("projects", "{str}")),
        (("media", "29306.json"), ("media", "{int}.json")),
        (("media", "5f2b8c9e1a3d4f6b7c8d9e0f.xml"), ("media", "{hex}.xml")),
        (("media", "tags.json"), ("media", "tags.json")),
        (("files", "photo.png"), ("files", "photo.png")),
        (("tags", "tagTypes.1000"), ("tags", "tagTypes.{int}")),
        (("campaigns", "1234", "syndicate.5f2b8c9e1a3d4f6b7c8d9e0f"), ("campaigns", "{int}", "syndicate.{hex}")),
        (("tags", "4135.1000"), ("tags", "{int}")),
        (("python", "3.11"), ("python", "3.11")),
        (("docs", "report.pdf"), ("docs", "report.pdf")),
        (("api", "v1.2"), ("api", "v1.2")),
    ],
)
def test_types_value_part_of_custom_methods_and_encoded_slashes(
    segments: tuple[str, ...], provisional: tuple[str, ...]
) -> None:
    assert provisional_segments(segments) == provisional


@pytest.mark.parametrize(
    ("segment", "name"),
    [
        ("{userId}", "userId"),
        ("{name}:cancel", "name"),
        ("{mediaId}.json", "mediaId"),
        ("tags.{format}", "format"),
        ("users", None),
        ("images:annotate", None),
        ("tags.json", None),
    ],
)
def test_parameter_of_template_segments(segment: str, name: str | None) -> None:
    assert parameter_of(segment) == name


@pytest.mark.parametrize(
    ("template_seg", "seg", "matches"),
    [
        ("{name}:cancel", "p1:cancel", True),
        ("{name}:cancel", "{int}:cancel", True),
        ("{name}:cancel", "p1:wait", False),
        ("{name}:cancel", "p1", False),
        ("{name}", "p1:cancel", True),
        ("tags.{format}", "tags.1000", True),
        ("tags.{format}", "tags.{int}", True),
        ("tags.{format}", "media.1000", False),
        ("users", "users", True),
        ("users", "orders", False),
    ],
)
def test_segment_matches_templates_with_custom_methods(template_seg: str, seg: str, matches: bool) -> None:
    assert segment_matches(template_seg, seg) is matches


@pytest.mark.parametrize(
    ("segment", "provisional"),
    [
        ("app;jsessionid=JSESSCANARY0123456789ABCDEFGH", "app"),
        ("login;password=hunter2planted&3", "login"),
        ("cars;color=red;year=2020", "cars"),
        ("42;v=1", "42"),
        ("12345;v=1", "{int}"),
        (";jsessionid=JSESSCANARY0123456789", "{str}"),
    ],
)
def test_matrix_parameters_are_not_part_of_the_template(segment: str, provisional: str) -> None:
    assert provisional_segments(("v1", segment)) == ("v1", provisional)


def test_a_hex_run_of_32_is_a_hash_even_without_digits() -> None:
    assert segment_kind("abcdefabcdefabcdefabcdefabcdefabcdef") == "hex"
    assert segment_kind("deadbeefcafe") is None  # shorter: could be a word
