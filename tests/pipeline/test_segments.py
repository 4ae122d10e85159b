"""Per-segment value typing: ids of every kind become placeholders, words stay literal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracehound.pipeline.segments import (
    provisional_segments,
    segment_kind,
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
        ("2024-01-05", "date"),
        ("2024-01-05T10:00:00Z", "date"),
        ("20240105", "date"),
        ("alice@example.com", "email"),
        ("tj4wXgfWrW", "token"),
        ("NvVxgbgvD6kqYoZz", "token"),
        ("aZ3kQ9xP0wLm", "token"),
    ],
)
def test_types_id_values(segment: str, kind: str) -> None:
    assert segment_kind(segment) == kind


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
        ("{id}", None),
    ],
)
def test_value_form_is_weak_evidence_of_values(segment: str, form: str | None) -> None:
    assert value_form(segment) == form


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
