from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers._helpers import engine, types_of
from tracehound.classifiers.base import Classifier, FieldKey
from tracehound.classifiers.engine import CustomType, SensitiveDataEngine, load_custom_types
from tracehound.classifiers.registry import classifiers
from tracehound.errors import ConfigError
from tracehound.model.redaction import tags_for_tenant, use_installation_key
from tracehound.model.vocab import SensitiveType


def test_registry_finds_one_classifier_per_family() -> None:
    assert set(classifiers()) == {
        "contact",
        "credentials",
        "government_id",
        "identity",
        "network",
        "payment",
        "tokens",
    }


def test_every_vocabulary_type_has_a_classifier() -> None:
    covered = {t for cls in classifiers().values() for t in cls.types}
    assert covered == set(SensitiveType)


def test_registered_classifiers_declare_only_their_own_types() -> None:
    for cls in classifiers().values():
        clf = cls()
        emitted = {p.type for p in clf.patterns()} | {r.type for r in clf.key_rules()}
        assert emitted <= set(cls.types), cls.__name__


def test_present_counts_each_value_where_a_hit_is_possible() -> None:
    """What a location's share of hits is counted against: every non-empty value (booleans and
    numbers too, one per array item), but not protocol headers, which are never classified."""
    present: list[str] = []
    fields = [
        ("response.body.items[].email", "a@example.com"),
        ("response.body.items[].email", "not an email"),
        ("response.body.items[].email", ""),
        ("response.body.items[].email", None),
        ("response.body.active", True),
        ("response.body.total", 12.5),
        ("request.header.accept", "application/json"),
        ("request.header.authorization", "Bearer abcdefghijklmnop1234"),
    ]
    hits = engine().classify(fields, present)
    assert present == [
        "response.body.items[].email",
        "response.body.items[].email",
        "response.body.active",
        "response.body.total",
        "request.header.authorization",
    ]
    assert {(h.location, str(h.type)) for h in hits} >= {("response.body.items[].email", "email")}
    assert engine().classify(fields) == hits  # counting changes nothing else


def test_hits_carry_masked_values_never_the_value() -> None:
    hits = engine().classify([("response.body.card", "4111111111111111"), ("response.body.email", "jo@example.com")])
    assert [(str(h.type), h.masked) for h in hits] == [
        ("credit_card", "4111********1111"),
        ("email", "j***@example.com"),
    ]
    assert all(0.0 < h.confidence <= 1.0 for h in hits)


@pytest.mark.parametrize(
    ("location", "value"),
    [
        ("response.body.id", "3f2a1b4c-1234-4abc-8def-0123456789ab"),
        ("response.body.sha", "d41d8cd98f00b204e9800998ecf8427e"),
        ("response.body.sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("response.body.created", 1767600000),
        ("response.body.created", "1767600000"),
        ("response.body.created_ms", "1767600000123"),
        ("response.body.amount", 1234.56),
        ("response.body.amount", "99999.99"),
        ("response.body.order_id", "100045678912"),
        ("response.body.created_at", "2025-12-24"),
        ("response.body.updated_at", "2026-01-05T09:00:00Z"),
        ("response.body.active", True),
        ("response.body.note", None),
        ("response.body.status", "active"),
        ("request.path.#1", "42"),
    ],
)
def test_hard_negatives_produce_no_hits(location: str, value: object) -> None:
    assert types_of(location, value) == set()


@pytest.mark.parametrize(
    ("hits", "seen", "conf", "expected"),
    [
        (95, 100, 95 * 0.93, True),  # an email field
        (1, 100, 0.8, False),  # one Luhn-valid id in a hundred
        (8, 100, 8 * 0.8, False),
        (1, 1, 0.9, True),  # a single sample that matched
        (60, 100, 60 * 0.4, False),  # frequent but weak evidence
        (0, 10, 0.0, False),
        (5, 0, 4.0, False),
    ],
)
def test_is_reported_combines_share_and_confidence(hits: int, seen: int, conf: float, expected: bool) -> None:
    assert engine().is_reported(SensitiveType.CREDIT_CARD, hits, seen, conf) is expected


def test_one_value_repeated_among_others_is_not_a_field_of_that_type() -> None:
    """A spec example IBAN in 3 samples of 10 is a constant; three different IBANs are a field."""
    assert not engine().is_reported(SensitiveType.IBAN, 3, 10, 3.0, distinct=1)
    assert engine().is_reported(SensitiveType.IBAN, 3, 10, 3.0, distinct=2)
    # One user's own email in every sample is still an email field.
    assert engine().is_reported(SensitiveType.EMAIL, 10, 10, 9.5, distinct=1)


def test_secrets_need_a_smaller_share_than_shapes() -> None:
    assert engine().is_reported(SensitiveType.AWS_ACCESS_KEY, 2, 10, 1.9)
    assert not engine().is_reported(SensitiveType.PHONE_NUMBER, 2, 10, 1.9)


# ---------------------------------------------------------------- custom types


def test_custom_pattern_type_is_classified() -> None:
    custom = load_custom_types([{"name": "employee_id", "pattern": r"^EMP-\d{6}$", "confidence": 0.9}])
    eng = SensitiveDataEngine(custom)
    hits = eng.classify([("response.body.owner", "EMP-123456"), ("response.body.x", "EMP-12")])
    assert [(str(h.type), h.location) for h in hits] == [("employee_id", "response.body.owner")]
    assert hits[0].masked.startswith("<employee_id:")


def test_custom_key_hint_type_with_validator() -> None:
    custom = load_custom_types([{"name": "loyalty_card", "key_hints": ["loyalty_number"], "validator": "luhn"}])
    eng = SensitiveDataEngine(custom)
    assert {str(h.type) for h in eng.classify([("request.body.loyaltyNumber", "79927398713")])} == {"loyalty_card"}
    assert eng.classify([("request.body.loyaltyNumber", "79927398710")]) == []


def test_custom_type_named_like_a_builtin_uses_the_builtin_type() -> None:
    eng = SensitiveDataEngine(load_custom_types([{"name": "api_key", "pattern": r"\bacme_[a-z0-9]{12}\b"}]))
    hits = eng.classify([("response.body.note", "acme_abcdef123456")])
    assert [h.type for h in hits] == [SensitiveType.API_KEY]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([{"name": "x", "pattern": "a", "colour": "red"}], "colour"),
        ([{"pattern": "a"}], "name"),
        ([{"name": "x"}], "pattern, key_hints"),
        ([{"name": "x", "pattern": "(unclosed"}], "pattern is not valid re2 syntax: missing \\)"),
        ([{"name": "x", "pattern": " "}], "pattern is empty"),
        ([{"name": "x", "pattern": "a", "validator": "nope"}], "unknown validator"),
        ([{"name": "x", "pattern": "a", "confidence": 1.5}], "confidence"),
        ([{"name": "bad name", "pattern": "a"}], "name"),
        ([{"name": "x", "pattern": "a"}, {"name": "x", "pattern": "b"}], "duplicate"),
        ([{"name": "x", "key_hints": "ssn"}], "key_hints"),
    ],
)
def test_bad_custom_types_are_config_errors_naming_the_problem(raw: list[dict[str, object]], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        load_custom_types(raw)
    assert "custom_types[" in str(info.value)


# ---------------------------------------------------------------- contract: hostile input

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=300),
    st.text(alphabet="0123456789-. ()+x@eyJ_", max_size=40),
    st.binary(max_size=50).map(lambda b: b.decode("latin-1")),
)
_locations = st.sampled_from(
    [
        "request.header.authorization",
        "request.cookie.sid",
        "request.query.api_key",
        "request.body.password",
        "request.body.card_number",
        "response.body.items[].phone",
        "response.body.user.dob",
        "response.body.address.zip",
        "response.body.ssn",
        "response.body.passport",
        "response.body.ip",
        "request.path.#0",
        "weird",
        "",
        "request.body..[].",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_locations, _scalars), max_size=20))
def test_engine_never_raises_on_hostile_fields(fields: list[tuple[str, object]]) -> None:
    eng = engine()
    for hit in eng.classify(fields):
        assert 0.0 < hit.confidence <= 1.0
    assert not eng.errors


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["header", "cookie", "query", "body", "path", "other"]))
def test_every_registered_verifier_tolerates_any_string(value: str, scope: str) -> None:
    key = FieldKey(f"request.{scope}.x", "request", scope, "x", "")
    for cls in classifiers().values():
        clf: Classifier = cls()
        for p in clf.patterns():
            assert 0.0 <= p.verify(value, key) <= 1.0
        for r in clf.key_rules():
            assert 0.0 <= r.verify(value, key) <= 1.0


def test_huge_values_are_bounded_and_do_not_raise() -> None:
    huge = "4111 1111 1111 1111 " * 200_000 + "a@b.co"
    hits = engine().classify([("request.body", huge), ("request.body.password", "x" * 5_000_000)])
    assert all(len(h.masked) < 100 for h in hits)


def test_custom_type_struct_forbids_unknown_fields() -> None:
    assert CustomType(name="x", pattern="a").key_hints == []


def test_masked_forms_follow_the_tenant_tag_key() -> None:
    # One engine serves every tenant in a worker: a cached verdict must not carry another
    # tenant's tag.
    use_installation_key(b"k" * 32)
    engine = SensitiveDataEngine()
    field = [("request.body.password", "s3cr3t-Passw0rd-shared")]
    with tags_for_tenant("acme"):
        (acme,) = engine.classify(field)
    with tags_for_tenant("globex"):
        (globex,) = engine.classify(field)
    with tags_for_tenant("acme"):
        (again,) = engine.classify(field)
    assert acme.masked != globex.masked
    assert again.masked == acme.masked
