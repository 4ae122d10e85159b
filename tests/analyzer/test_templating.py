"""Whole-picture templating: which sibling words are values of one parameter, and why."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracehound.analyzer._naming import parameter_name, singular
from tracehound.analyzer.templating import Observed, infer_templates
from tracehound.pipeline.segments import provisional_segments
from tracehound.profiles.endpoint import EndpointProfile
from tracehound.profiles.schema import SchemaNode

_ORIGINAL: dict[int, str] = {}


def _observed(method: str, path: str, *bodies: Any, count: int = 1) -> Observed:
    profile = EndpointProfile(count=count)
    if bodies:
        node = SchemaNode()
        for body in bodies:
            node.observe(body)
        profile.responses["200"] = node
    segs = provisional_segments(tuple(s for s in path.split("/") if s))
    obs = Observed(method, segs, profile)
    _ORIGINAL[id(obs)] = path
    return obs


def _paths(observed: list[Observed]) -> dict[str, str]:
    result = infer_templates(observed)
    return {_ORIGINAL[id(o)]: result[(o.method, o.segments)].path for o in observed}


USER = {"login": "x", "followers": 3, "bio": "y"}

HANDLES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan"]


def test_templates_numeric_ids_named_after_parent() -> None:
    paths = _paths([_observed("GET", f"/users/{n}", USER) for n in (1001, 1002, 2001)])
    assert set(paths.values()) == {"/users/{userId}"}


def test_many_alike_words_are_one_parameter() -> None:
    paths = _paths([_observed("GET", f"/users/{h}", USER) for h in HANDLES])
    assert set(paths.values()) == {"/users/{userId}"}


def test_literal_with_own_behaviour_stays_beside_parameter() -> None:
    observed = [_observed("GET", f"/users/{h}", USER) for h in HANDLES]
    observed.append(_observed("GET", "/users/me", {"email_verified": True, "plan": "pro", "quota": 1}))
    paths = _paths(observed)
    assert paths["/users/me"] == "/users/me"
    assert paths["/users/alice"] == "/users/{userId}"


def test_collections_with_their_own_fields_stay_literal() -> None:
    names = ["blobs", "items", "keys", "locations", "rules", "spots", "users", "events", "tags"]
    observed = []
    for i, name in enumerate(names):
        item = {f"{name}_field_{j}": j for j in range(4)} | {"id": i}
        observed.append(_observed("GET", f"/api/{name}", {"results": [item], "count": 1}))
        observed.append(_observed("GET", f"/api/{name}/{1000 + i}", item))
    paths = _paths(observed)
    assert paths["/api/blobs"] == "/api/blobs"
    assert paths["/api/items/1001"] == "/api/items/{itemId}"


def test_few_slugs_that_behave_alike_are_one_parameter() -> None:
    slugs = ["agent-court-hope", "day-own-discover", "old-dream-hand"]
    paths = _paths([_observed("GET", f"/subjects/{s}", {"name": "n", "books": 2}) for s in slugs])
    assert set(paths.values()) == {"/subjects/{subjectId}"}


def test_few_plain_words_that_behave_alike_stay_literal() -> None:
    words = ["daily", "weekly", "monthly"]
    paths = _paths([_observed("GET", f"/stats/{w}", {"total": 1, "mean": 2}) for w in words])
    assert paths["/stats/daily"] == "/stats/daily"


def test_value_recurring_under_many_parents_is_a_parameter() -> None:
    observed = [
        _observed("GET", f"/{collection}/acme-corp-east", {collection: 1})
        for collection in ("resources", "roles", "secrets", "policies")
    ]
    observed += [_observed("GET", f"/{collection}", {"n": 1}) for collection in ("resources", "roles")]
    paths = _paths(observed)
    assert paths["/roles/acme-corp-east"] == "/roles/{roleId}"
    assert paths["/roles"] == "/roles"


def test_data_keyed_objects_do_not_split_values() -> None:
    observed = []
    for i, h in enumerate(HANDLES):
        bodies = [{"rates": {f"k{i}_{j}_{n}": 1.0 for n in range(5)}, "base": "x"} for j in range(4)]
        observed.append(_observed("GET", f"/accounts/{h}", *bodies, count=4))
    paths = _paths(observed)
    assert set(paths.values()) == {"/accounts/{accountId}"}


def test_versions_stay_literal() -> None:
    observed = [_observed("GET", f"/v1/users/{n}", USER) for n in (1001, 1002)]
    observed.append(_observed("GET", "/2/tweets", {"data": []}))
    paths = _paths(observed)
    assert paths["/v1/users/1001"] == "/v1/users/{userId}"
    assert paths["/2/tweets"] == "/2/tweets"


def test_decisions_name_rule_and_counts_without_values() -> None:
    emails = [f"user{i}@example.com" for i in range(3)]
    observed = [_observed("GET", f"/users/{e}", USER) for e in emails]
    observed += [_observed("GET", f"/teams/{h}", USER) for h in HANDLES]
    result = infer_templates(observed)
    email_template = result[("GET", ("users", "{email}"))]
    assert email_template.path == "/users/{email}"
    decision = email_template.decisions[1]
    assert decision.rule == "value type"
    team_decision = result[("GET", ("teams", "alice"))].decisions[1]
    assert team_decision.rule == "sibling cardinality"
    for template in result.values():
        for d in template.decisions:
            assert "@" not in d.evidence
            assert not any(h in d.evidence for h in HANDLES)


@pytest.mark.parametrize(
    ("parent", "kind", "name"),
    [
        ("users", "int", "userId"),
        ("categories", "str", "categoryId"),
        ("boxes", "int", "boxId"),
        (None, "int", "id"),
        ("{int}", "uuid", "id"),
        ("users", "email", "email"),
        ("sales", "date", "date"),
    ],
)
def test_parameter_names_follow_parent(parent: str | None, kind: str, name: str) -> None:
    assert parameter_name(parent, kind) == name


def test_singular_of_common_plurals() -> None:
    assert [singular(w) for w in ("users", "categories", "addresses", "status")] == [
        "user",
        "category",
        "address",
        "status",
    ]


SLUGS = ["floor-past-land", "out-those-even", "necessary-full", "ask-mention-line", "song-third-with"]
OPERATION = {"name": "n", "done": True, "metadata": {}}


def test_custom_methods_keep_their_verb_after_the_parameter() -> None:
    observed = [_observed("GET", f"/v3/{s}", OPERATION) for s in SLUGS]
    observed += [_observed("POST", f"/v3/{s}:cancel") for s in SLUGS[:3]]
    observed += [_observed("POST", f"/v3/{s}:wait", OPERATION) for s in SLUGS[2:]]
    observed += [_observed("POST", f"/v3/{n}:detectLanguage", {"languages": []}) for n in (1001, 1002, 1004)]
    result = infer_templates(observed)
    paths = {_ORIGINAL[id(o)]: result[(o.method, o.segments)] for o in observed}
    assert paths["/v3/out-those-even:cancel"].path == "/v3/{id}:cancel"
    assert paths["/v3/song-third-with:wait"].path == "/v3/{id}:wait"
    assert paths["/v3/1002:detectLanguage"].path == "/v3/{id}:detectLanguage"
    assert paths["/v3/floor-past-land"].path == "/v3/{id}"
    # Typed by the values each endpoint received, not by everything at the position.
    assert paths["/v3/1002:detectLanguage"].kinds == (None, "int")
    assert paths["/v3/floor-past-land:cancel"].kinds == (None, "str")
    decision = paths["/v3/floor-past-land:cancel"].decisions[1]
    assert decision.segment == "{id}:cancel"
    assert "custom method" in decision.evidence
    assert not any(s in decision.evidence for s in SLUGS)


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        # A namespace, not a verb: no other value shares ``:alice``.
        (["/acl/user:alice", "/acl/group:admins"], {"/acl/user:alice", "/acl/group:admins"}),
        # Collection-level custom methods stay literal.
        (["/v1/images:annotate", "/v1/files:annotate"], {"/v1/images:annotate", "/v1/files:annotate"}),
    ],
)
def test_literal_colon_segments_stay_literal(paths: list[str], expected: set[str]) -> None:
    assert set(_paths([_observed("POST", p, {"ok": True}) for p in paths]).values()) == expected


def _corpus() -> list[Observed]:
    observed = [_observed("GET", f"/users/{h}", USER) for h in HANDLES]
    observed.append(_observed("GET", "/users/me", {"email_verified": True, "plan": "p", "quota": 1}))
    observed += [_observed("GET", f"/users/{h}/repos", {"repos": []}) for h in HANDLES[:4]]
    observed += [_observed("DELETE", f"/orders/{n}") for n in (1001, 1002, 1003)]
    observed += [_observed("GET", f"/subjects/{s}", {"n": 1}) for s in ("a-b-c", "d-e-f", "g-h-i")]
    observed.append(_observed("GET", "/v1/health", {"ok": True}))
    observed += [_observed("POST", f"/v3/{n}:translate", {"text": "t"}) for n in (1001, 1002)]
    observed += [_observed("POST", f"/v3/{s}:cancel") for s in ("a-b-c", "d-e-f")]
    return observed


@settings(max_examples=40, deadline=None)
@given(st.permutations(range(len(_corpus()))))
def test_templating_is_independent_of_input_order(order: list[int]) -> None:
    corpus = _corpus()
    expected = {k: v.path for k, v in infer_templates(corpus).items()}
    shuffled = [corpus[i] for i in order]
    assert {k: v.path for k, v in infer_templates(shuffled).items()} == expected


def test_templating_is_deterministic() -> None:
    first = infer_templates(_corpus())
    second = infer_templates(_corpus())
    assert first == second


def test_custom_method_templates_report_path_parameters_and_valid_openapi() -> None:
    from openapi_spec_validator import validate

    from tracehound.analyzer.inventory import build_inventory
    from tracehound.report.json_report import parameters
    from tracehound.report.openapi import openapi_document
    from tracehound.store.base import EndpointKey

    endpoints = {
        EndpointKey("t.example", o.method, "/" + "/".join(o.segments)): o.profile
        for o in [_observed("POST", f"/v3/{n}:detectLanguage", {"languages": []}) for n in (1001, 1002)]
        + [_observed("POST", f"/v3/{s}:cancel", OPERATION) for s in SLUGS[:3]]
    }
    inventory = build_inventory(endpoints, {})
    detect = inventory.find("POST", "/v3/1003:detectLanguage")
    assert detect is not None and detect.path == "/v3/{id}:detectLanguage"
    assert inventory.find("POST", "/v3/1003:wait") is None
    assert detect.rename_location("request.path.#1") == "request.path.id"
    assert [(p["name"], p["in"], p["type"]) for p in parameters(detect)] == [("id", "path", "integer")]
    validate(openapi_document("t.example", inventory.services["t.example"]))


def test_format_suffix_after_an_id_stays_literal() -> None:
    observed = [_observed("GET", f"/media/{n}.json", USER) for n in (29306, 76262, 802933)]
    observed += [_observed("GET", f"/media/{n}.xml", USER) for n in (29306, 76262)]
    observed.append(_observed("GET", "/media/mostPopular.json", {"results": [], "total": 1, "page": 2}))
    result = infer_templates(observed)
    paths = {_ORIGINAL[id(o)]: result[(o.method, o.segments)] for o in observed}
    assert paths["/media/76262.json"].path == "/media/{mediaId}.json"
    assert paths["/media/76262.xml"].path == "/media/{mediaId}.xml"
    assert paths["/media/mostPopular.json"].path == "/media/mostPopular.json"
    assert paths["/media/76262.json"].decisions[1].evidence.endswith("followed by a format suffix")


COLLECTIONS = ["devices", "groups", "services", "actions", "history", "monitors", "alerts", "jobs", "sites"]


def test_collections_with_their_own_request_mix_stay_literal() -> None:
    # Same envelope, no fields of their own: only how requests spread below each tells them apart.
    observed = []
    for i, name in enumerate(COLLECTIONS):
        listed, read, written = (60, 2, 0) if i % 3 == 0 else (3, 50, 0) if i % 3 == 1 else (2, 0, 40)
        if listed:
            observed.append(_observed("GET", f"/api/{name}", {"items": [], "total": 0}, count=listed))
        for n in range(2):
            if read:
                observed.append(_observed("GET", f"/api/{name}/{1000 + n}", count=read // 2))
            if written:
                observed.append(_observed("POST", f"/api/{name}/{1000 + n}/run", count=written // 2))
    paths = _paths(observed)
    assert paths["/api/devices"] == "/api/devices"
    assert paths["/api/groups/1001"] == "/api/groups/{groupId}"
    assert paths["/api/services/1000/run"] == "/api/services/{serviceId}/run"


def test_busy_values_of_one_parameter_share_their_request_mix() -> None:
    observed = []
    for i, h in enumerate(HANDLES):
        scale = 1 + i % 3
        observed.append(_observed("GET", f"/users/{h}", USER, count=20 * scale))
        observed.append(_observed("GET", f"/users/{h}/repos", {"repos": []}, count=10 * scale))
    assert set(_paths(observed).values()) == {"/users/{userId}", "/users/{userId}/repos"}


def test_sparse_values_do_not_gather_busy_collections() -> None:
    slugs = [f"{a}-{b}" for a in ("dark", "cold", "warm", "late") for b in ("show", "fly", "game")]
    observed = [_observed("PATCH", f"/{s}/{1000 + i}/{2000 + i}") for i, s in enumerate(slugs)]
    observed += [_observed("GET", f"/{s}/{1000 + i}/{2000 + i}/status") for i, s in enumerate(slugs[:6])]
    observed.append(_observed("POST", "/secrets/1001/2001/3001", count=200))
    observed.append(_observed("GET", "/secrets/1001/2001/3001", count=3))
    observed.append(_observed("GET", "/roles/1001/2001/3001", count=60))
    observed.append(_observed("DELETE", "/roles/1001/2001/3001", count=5))
    paths = _paths(observed)
    assert paths["/secrets/1001/2001/3001"] == "/secrets/{secretId}/{id}/{id2}"
    assert paths["/roles/1001/2001/3001"] == "/roles/{roleId}/{id}/{id2}"
    assert paths["/dark-show/1000/2000"] == "/{id}/{id2}/{id3}"


def test_random_id_with_few_signs_recurring_under_many_parents_is_a_parameter() -> None:
    # One random id seldom shows every sign of randomness; following many parents makes up for
    # it. A compound name reused under as many parents keeps its place.
    observed = []
    for collection in ("spots", "rules", "lists", "zones"):
        observed.append(_observed("PUT", f"/{collection}/fuzomeiLaP", {collection: 1}))
        observed.append(_observed("GET", f"/{collection}/NetWorth", {"total": 1, "series": []}))
        observed.append(_observed("GET", f"/{collection}", {"n": 1}))
    paths = _paths(observed)
    assert paths["/rules/fuzomeiLaP"] == "/rules/{ruleId}"
    assert paths["/rules/NetWorth"] == "/rules/NetWorth"
    assert paths["/rules"] == "/rules"


def test_random_id_with_few_signs_behaving_as_typed_ids_is_one_of_them() -> None:
    observed = [
        _observed("GET", f"/logs/{token}/items", {"items": [], "next": 1}) for token in ("BQWRTMayX4", "5kQz9wPLx2")
    ]
    observed.append(_observed("GET", "/logs/fuzomeiLaP/items", {"items": [], "next": 1}))
    observed.append(_observed("GET", "/logs/NetWorth/items", {"items": [], "next": 1}))
    paths = _paths(observed)
    assert paths["/logs/fuzomeiLaP/items"] == paths["/logs/BQWRTMayX4/items"] == "/logs/{logId}/items"
    assert paths["/logs/NetWorth/items"] == "/logs/NetWorth/items"


def test_word_recurring_beside_a_recurring_value_is_another_value() -> None:
    observed = []
    for collection in ("resources", "roles", "secrets", "policies"):
        for account in ("acme", "acme-corp-east"):
            observed.append(_observed("GET", f"/{collection}/{account}/{1000 + len(account)}", {collection: 1}))
        observed.append(_observed("GET", f"/{collection}", {"n": 1}))
    paths = _paths(observed)
    assert paths["/roles/acme/1004"] == "/roles/{roleId}/{id}"
    assert paths["/roles/acme-corp-east/1014"] == "/roles/{roleId}/{id}"
    assert paths["/roles"] == "/roles"


def test_collections_beside_a_recurring_value_stay_literal() -> None:
    observed = []
    for user in HANDLES:
        for collection in ("feeds", "groups", "tokens"):
            observed.append(_observed("GET", f"/users/{user}/{collection}", {"items": [], collection: 1}))
            observed.append(_observed("DELETE", f"/users/{user}/{collection}/{4000 + len(user)}"))
        observed.append(_observed("GET", f"/users/{user}/cut-item-push/aZ81kQ/acl", {"acl": []}))
    paths = _paths(observed)
    assert paths["/users/alice/feeds"] == "/users/{userId}/feeds"
    assert paths["/users/bob/tokens/4003"] == "/users/{userId}/tokens/{tokenId}"


def test_sparse_values_reaching_different_endpoints_below_are_one_parameter() -> None:
    # Each value is seen on one of three deep endpoints with fields of their own: the endpoints
    # are compared endpoint by endpoint, not as one abstract continuation.
    below = {
        "features/links/percentiles": {"percentiles": [{"avg": 1, "max": 2}], "domain": "d"},
        "features/top/domains": {"results": [{"domain": "d", "follow": 1}], "page": 1, "count": 2},
        "features/rank/lost": {"lost": 3, "ratio": 0.1, "total": 4},
    }
    words = [f"{a}-{b}" for a in ("dark", "cold", "warm", "late", "calm", "loud") for b in ("show", "fly", "game")]
    observed = []
    for i, word in enumerate(words):
        path, body = list(below.items())[i % 3]
        observed.append(_observed("GET", f"/analyses/{word}/{path}", body))
    paths = _paths(observed)
    assert paths["/analyses/dark-show/features/links/percentiles"] == "/analyses/{analyseId}/features/links/percentiles"
    assert paths["/analyses/late-fly/features/top/domains"] == "/analyses/{analyseId}/features/top/domains"


def test_alike_words_half_shaped_like_values_are_one_parameter() -> None:
    names = ["ahead-as-box", "bill-room-quickly", "radio-focus-floor", "determine-little", "identify-rate"]
    observed = [_observed("GET", f"/jobs/{1000 + i}/artifacts/{n}") for i, n in enumerate(names)]
    paths = _paths(observed)
    assert set(paths.values()) == {"/jobs/{jobId}/artifacts/{artifactId}"}


def test_value_after_a_names_dot_is_a_format_parameter() -> None:
    from openapi_spec_validator import validate

    from tracehound.analyzer.inventory import build_inventory
    from tracehound.report.json_report import parameters
    from tracehound.report.openapi import openapi_document
    from tracehound.store.base import EndpointKey

    observed = [_observed("GET", f"/tags/{n}/related.{f}", USER) for n in (29306, 76262) for f in (1000, 1002)]
    observed += [_observed("GET", f"/tags/{n}/media.{f}", USER) for n in (29306, 76262) for f in (1000, 1002)]
    observed += [_observed("GET", f"/tags/tagTypes.{f}", USER) for f in (1000, 1041)]
    result = infer_templates(observed)
    paths = {_ORIGINAL[id(o)]: result[(o.method, o.segments)] for o in observed}
    assert paths["/tags/29306/related.1002"].path == "/tags/{tagId}/related.{format}"
    assert paths["/tags/76262/media.1000"].path == "/tags/{tagId}/media.{format}"
    assert paths["/tags/tagTypes.1041"].path == "/tags/tagTypes.{format}"
    decision = paths["/tags/tagTypes.1041"].decisions[1]
    assert decision.rule == "extension" and "1041" not in decision.evidence

    endpoints = {EndpointKey("t.example", o.method, "/" + "/".join(o.segments)): o.profile for o in observed}
    inventory = build_inventory(endpoints, {})
    related = inventory.find("GET", "/tags/1/related.1003")
    assert related is not None and related.path == "/tags/{tagId}/related.{format}"
    assert [(p["name"], p["type"]) for p in parameters(related)] == [("tagId", "integer"), ("format", "integer")]
    validate(openapi_document("t.example", inventory.services["t.example"]))


@pytest.mark.parametrize("parent", ["v2", "api-v2", "big-design-much", "2x", "flooded-edit2.jpg", "alice42"])
def test_parameters_are_never_named_after_a_value_or_a_version(parent: str) -> None:
    assert parameter_name(parent, "int") == "id"


@pytest.mark.parametrize(("parent", "name"), [("users", "userId"), ("payment-methods", "paymentMethodId")])
def test_parameters_are_named_after_their_collection(parent: str, name: str) -> None:
    assert parameter_name(parent, "int") == name


def test_a_lone_date_with_endpoints_below_is_a_version() -> None:
    observed = [_observed("GET", f"/2020-08-01/{c}/{1000 + n}", USER) for c in ("users", "orders") for n in range(3)]
    observed.append(_observed("GET", "/2020-08-01/status", {"ok": True}))
    paths = _paths(observed)
    assert paths["/2020-08-01/users/1000"] == "/2020-08-01/users/{userId}"
    assert paths["/2020-08-01/status"] == "/2020-08-01/status"


def test_several_dates_are_a_date_parameter() -> None:
    observed = [_observed("GET", f"/reports/2024-01-{d:02d}", {"total": 1}) for d in (3, 9, 17)]
    result = infer_templates(observed)
    (template,) = {t.path for t in result.values()}
    assert template == "/reports/{date}"
    assert {t.kinds for t in result.values()} == {(None, "date")}


def test_a_lone_date_as_the_last_segment_is_a_value() -> None:
    paths = _paths([_observed("GET", "/schedule/2024-01-05", {"slots": []})])
    assert paths["/schedule/2024-01-05"] == "/schedule/{date}"


def test_a_version_is_not_gathered_with_alike_siblings() -> None:
    # Every word here answers alike (one envelope), the version too: it stays literal.
    names = ["v1", "alpha-beta-gamma", "delta-echo-fox", "golf-hotel-india", "juliet-kilo-lima"]
    paths = _paths([_observed("GET", f"/api/{n}", {"data": [], "total": 1}) for n in names])
    assert paths["/api/v1"] == "/api/v1"
    assert paths["/api/delta-echo-fox"] == "/api/{apiId}"


def test_plain_words_each_taking_one_request_are_values() -> None:
    # A new word for every request, the same answer each time: values, not collections.
    words = ["evidence-large", "left-century", "science-science", "weight-trip", "oscar"]
    paths = _paths([_observed("GET", f"/session/create/{w}", {"session": "s", "expires": 1}) for w in words])
    assert set(paths.values()) == {"/session/create/{createId}"}


def test_values_after_a_names_dot_are_one_format_parameter() -> None:
    pairs = ((1001, "json"), (1002, "xml"))
    observed = [_observed("GET", f"/media/{n}/related.{ext}", {"items": []}) for n, ext in pairs]
    observed.append(_observed("GET", "/languages.json", {"items": []}))
    paths = _paths(observed)
    assert paths["/media/1001/related.json"] == "/media/{mediaId}/related.{format}"
    assert paths["/languages.json"] == "/languages.json"


def test_file_names_are_not_gathered_into_a_parameter() -> None:
    names = ["content", "embed.json", "preview.jpg", "thumbnail.jpg", "meta.json", "share-button.html", "logo.png"]
    names += ["syndicate.json", "player.html"]
    observed = [_observed("GET", f"/media/{1000 + i}/{n}", {"data": "x"}) for i, n in enumerate(names)]
    paths = _paths(observed)
    assert paths["/media/1001/embed.json"] == "/media/{mediaId}/embed.json"
    assert paths["/media/1005/share-button.html"] == "/media/{mediaId}/share-button.html"


def test_values_shaped_as_values_followed_by_ids_are_a_chain_of_parameters() -> None:
    # ``/invocations/{service}/{version}``: ids after a slug are the next parameter, not a
    # collection's items.
    slugs = ["able-action-only", "degree-after-amount", "else-answer-herself", "piece-enjoy-window"]
    observed = [_observed("GET", f"/invocations/{s}/{1000 + i}", {"count": 1}) for i, s in enumerate(slugs)]
    assert set(_paths(observed).values()) == {"/invocations/{invocationId}/{id}"}


def test_leaf_words_each_taking_many_requests_are_endpoints() -> None:
    # Slug-named actions POSTed with many different bodies: each is an endpoint of its own.
    actions = ["message-credit-cost", "message-length-within", "number-of-messages", "full-message-check"]
    observed = []
    for a in actions:
        profile_obs = _observed("POST", f"/analyse/{a}", {"result": 1})
        for n in range(6):
            profile_obs.profile.add_request(hash((a, n)) & ((1 << 62) - 1))
        observed.append(profile_obs)
    paths = _paths(observed)
    assert paths["/analyse/full-message-check"] == "/analyse/full-message-check"


def test_a_mixed_case_word_behaving_as_the_ids_beside_it_is_one() -> None:
    observed = [_observed("GET", f"/users/{n}/tweets", {"data": [], "meta": 1}) for n in (123456, 234567, 345678)]
    observed.append(_observed("GET", "/users/0gxhIosophyi/tweets", {"data": [], "meta": 1}))
    observed.append(_observed("GET", "/users/me", {"plan": "pro", "quota": 1, "email_verified": True}))
    paths = _paths(observed)
    assert paths["/users/0gxhIosophyi/tweets"] == "/users/{userId}/tweets"
    assert paths["/users/me"] == "/users/me"


def test_two_slugs_that_behave_alike_are_one_parameter() -> None:
    slugs = ["from-order-open", "month-age-job-sign"]
    observed = [_observed("GET", f"/regions/{s}/cities", {"data": [], "total": 1}) for s in slugs]
    observed += [_observed("GET", "/regions", {"items": []})]
    assert _paths(observed)["/regions/from-order-open/cities"] == "/regions/{regionId}/cities"


def test_two_plain_words_that_behave_alike_stay_literal() -> None:
    paths = _paths([_observed("GET", f"/stats/{w}", {"total": 1, "mean": 2}) for w in ("daily", "weekly")])
    assert paths["/stats/daily"] == "/stats/daily"
