"""Multi-user scenarios: normal users plus one abuser, through the real pipeline and store.

Each scenario asserts the finding (or per-transaction detection) names the abuser — its client
address or principal — and never a normal user.
"""

from __future__ import annotations

import random

from behaviour_traffic import T0, Traffic, jwt, open_store, run, user_token

from tracehound.model.redaction import digest
from tracehound.pipeline.auth import principal
from tracehound.pipeline.normalize import normalize

NORMAL = [f"10.0.0.{i}" for i in range(1, 9)]
ABUSER = "203.0.113.66"


def _principal_of(token: str) -> str:
    t = Traffic()
    ex = normalize(t.add("GET", "/", token=token))
    who = principal(ex)
    assert who is not None
    return who


def test_bola_flags_the_principal_reading_other_users_orders(tmp_path):
    t = Traffic()
    owned = {}
    for u, address in enumerate(NORMAL[:6]):
        token = user_token(f"user{u}")
        owned[u] = [f"{7000 + u * 37 + i * 3}" for i in range(8)]
        for _ in range(2):
            for order in owned[u]:
                t.add("GET", f"/api/orders/{order}", token=token, client=address, response={"id": order})
    thief = user_token("mallory")
    for u in range(6):
        t.add("GET", f"/api/orders/{owned[u][0]}", token=thief, client=ABUSER, response={"id": 1})
    out = run(t.items, open_store(tmp_path))
    flagged = out.flagged("bola")
    assert ABUSER in flagged
    assert _principal_of(thief) in flagged
    assert not flagged & set(NORMAL)
    assert all(loc == "request.path.#2" for loc, _, _ in out.findings("bola"))


def test_bola_shared_catalogue_is_not_flagged(tmp_path):
    t = Traffic()
    for u, address in enumerate(NORMAL):
        token = user_token(f"user{u}")
        for product in range(1000, 1012):
            t.add("GET", f"/api/products/{product}", token=token, client=address, response={"id": product})
    out = run(t.items, open_store(tmp_path))
    assert out.findings("bola") == []


def test_bola_flags_sequential_id_walking(tmp_path):
    t = Traffic()
    rng = random.Random(3)
    for u, address in enumerate(NORMAL):
        token = user_token(f"user{u}")
        for _ in range(6):
            t.add("GET", f"/api/invoices/{rng.randrange(5000, 9000)}", token=token, client=address)
    walker = user_token("walker")
    for invoice in range(5001, 5031):
        t.add("GET", f"/api/invoices/{invoice}", token=walker, client=ABUSER, status=404 if invoice % 3 else 200)
    out = run(t.items, open_store(tmp_path))
    walks = [f for f in out.findings("bola") if "walking" in f[2]]
    assert walks and all(clients == [ABUSER] for _, clients, _ in walks)


def test_broken_authentication_on_the_anonymous_2xx_request(tmp_path):
    t = Traffic()
    for i in range(40):
        u = i % len(NORMAL)
        t.add("GET", "/api/account", token=user_token(f"user{u}"), client=NORMAL[u], response={"plan": "pro"})
    anonymous = t.add("GET", "/api/account", client=ABUSER, response={"plan": "pro"})
    refused = t.add("GET", "/api/account", client=NORMAL[0], status=401)
    out = run(t.items, open_store(tmp_path))
    assert out.detected("broken_authentication") == {anonymous.seq}
    assert refused.seq not in out.lines
    assert out.flagged("broken_authentication") == {ABUSER}
    assert out.findings("broken_authentication")[0][0] == "request.header.authorization"


def test_credential_stuffing_from_one_client(tmp_path):
    t = Traffic()
    for i, address in enumerate(NORMAL):
        t.add("POST", "/api/login", body={"username": f"user{i}", "password": "wrong"}, status=401, client=address)
        t.add("POST", "/api/login", body={"username": f"user{i}", "password": "right"}, client=address)
    for i in range(40):
        t.add(
            "POST", "/api/login", body={"username": f"victim{i}", "password": "Summer2024"}, status=401, client=ABUSER
        )
    out = run(t.items, open_store(tmp_path))
    assert out.flagged("credential_stuffing") == {ABUSER}
    crossing = out.detected("credential_stuffing")
    assert crossing and all(t.items[seq].client == ABUSER for seq in crossing)
    assert "victim" not in out.findings("credential_stuffing")[0][2]


def test_credential_stuffing_distributed_over_many_clients(tmp_path):
    t = Traffic()
    for i, address in enumerate(NORMAL):
        t.add("POST", "/api/v1/signin", body={"email": f"u{i}@example.com", "password": "ok"}, client=address)
    for i in range(80):
        bot = f"198.51.100.{i}"
        t.add("POST", "/api/v1/signin", body={"email": f"v{i}@example.com", "password": "x"}, status=401, client=bot)
    out = run(t.items, open_store(tmp_path))
    found = out.findings("credential_stuffing")
    assert len(found) == 1 and "distributed" in found[0][2]
    assert not set(found[0][1]) & set(NORMAL)


def test_rate_abuse_names_the_client_far_above_the_baseline(tmp_path):
    t = Traffic()
    for i, address in enumerate(NORMAL):
        for j in range(12):
            t.add("GET", "/api/search", query=f"q=item{j}", client=address, at=T0 + i * 10 + j * 300)
    for j in range(400):
        t.add("GET", "/api/search", query=f"q=x{j}", client=ABUSER, at=T0 + 100 + j * 0.1)
    out = run(t.items, open_store(tmp_path))
    assert out.flagged("rate_abuse") == {ABUSER}


def test_enumeration_many_distinct_ids_from_one_client(tmp_path):
    t = Traffic()
    rng = random.Random(5)
    for address in NORMAL:
        for _ in range(8):
            t.add("GET", f"/api/users/{rng.randrange(100000, 999999)}", client=address)
    for user_id in rng.sample(range(100000, 999999), 150):
        t.add("GET", f"/api/users/{user_id}", client=ABUSER)
    out = run(t.items, open_store(tmp_path))
    assert out.flagged("enumeration") == {ABUSER}


def test_enumeration_mostly_404s_from_one_client(tmp_path):
    t = Traffic()
    rng = random.Random(6)
    for address in NORMAL:
        for _ in range(5):
            t.add("GET", f"/api/coupons/{rng.randrange(10**6, 10**7)}", client=address)
    for _ in range(30):
        t.add("GET", f"/api/coupons/{rng.randrange(10**6, 10**7)}", client=ABUSER, status=404)
    out = run(t.items, open_store(tmp_path))
    assert out.flagged("enumeration") == {ABUSER}


def _profile_learning(t: Traffic) -> None:
    for i in range(60):
        u = i % len(NORMAL)
        t.add(
            "PUT",
            "/api/profile",
            token=user_token(f"user{u}"),
            body={"name": f"name{i}", "bio": "hello there"},
            client=NORMAL[u],
        )


def test_mass_assignment_after_a_learning_run(tmp_path):
    store = open_store(tmp_path)
    learning = Traffic()
    _profile_learning(learning)
    run(learning.items, store)
    t = Traffic()
    normal = t.add("PUT", "/api/profile", token=user_token("user1"), body={"name": "n", "bio": "b"}, client=NORMAL[1])
    abuse = t.add(
        "PUT", "/api/profile", token=user_token("mallory"), body={"name": "m", "is_admin": True}, client=ABUSER
    )
    refused = t.add("PUT", "/api/profile", token=user_token("mallory"), body={"name": "m", "role": "admin"}, status=403)
    out = run(t.items, store, learn=False)
    assert out.detected("mass_assignment") == {abuse.seq}
    assert normal.seq not in out.lines and refused.seq not in out.detected("mass_assignment")
    assert out.findings("mass_assignment")[0][0] == "request.body.is_admin"


def test_schema_violation_and_unknown_parameter_after_a_learning_run(tmp_path):
    store = open_store(tmp_path)
    learning = Traffic()
    for i in range(80):
        learning.add("GET", "/api/items", query=f"id={100 + i}&sort={'asc' if i % 2 else 'desc'}", client=NORMAL[i % 8])
    run(learning.items, store)
    before = store.get_state("default", "behaviour")
    t = Traffic()
    normal = t.add("GET", "/api/items", query="id=150&sort=asc", client=NORMAL[0])
    quote = t.add("GET", "/api/items", query="id=1%27%20OR%20%271%27=%271&sort=asc", client=ABUSER)
    brackets = t.add("GET", "/api/items", query="id=5&sort=%3Cb%3E", client=ABUSER)
    unknown = t.add("GET", "/api/items", query="id=5&sort=asc&debug=1", client=ABUSER)
    out = run(t.items, store, learn=False)
    assert normal.seq not in out.lines
    assert "schema_violation" in out.types_at(quote.seq)
    assert "schema_violation" in out.types_at(brackets.seq)
    assert out.types_at(unknown.seq) == {"unknown_parameter"}
    assert out.flagged("schema_violation") == {ABUSER}
    # --no-learn: the baseline is untouched, the findings are kept.
    assert store.get_state("default", "behaviour") == before
    assert any(k.type == "schema_violation" for k in store.load_findings("default"))


def test_excessive_data_exposure_secrets_and_unbounded_collections(tmp_path):
    t = Traffic()
    lean = t.add("GET", "/api/users/123456", client=NORMAL[0], response={"id": 123456, "name": "x"})
    leaky = t.add(
        "GET",
        "/api/users/654321",
        client=NORMAL[1],
        response={"id": 654321, "ssn": "123-45-6789", "card_number": "4111111111111111"},
    )
    dump = t.add("GET", "/api/events", client=NORMAL[2], response=[{"n": i} for i in range(1500)])
    paged = t.add("GET", "/api/events", query="limit=2000", client=NORMAL[3], response=[{"n": i} for i in range(1500)])
    out = run(t.items, open_store(tmp_path))
    assert out.detected("excessive_data_exposure") == {leaky.seq, dump.seq}
    assert lean.seq not in out.lines and paged.seq not in out.lines
    evidence = " ".join(e for _, _, e in out.findings("excessive_data_exposure"))
    assert "4111111111111111" not in evidence and "123-45-6789" not in evidence


def test_jwt_weakness_flags_forgeable_and_eternal_tokens(tmp_path):
    t = Traffic()
    sound = t.add("GET", "/api/me", token=user_token("alice"), client=NORMAL[0])
    unsigned = t.add("GET", "/api/me", token=jwt({"sub": "bob", "exp": int(T0) + 60}, alg="none"), client=ABUSER)
    guessable = t.add("GET", "/api/me", token=jwt({"sub": "eve", "exp": int(T0) + 60}, secret="secret"), client=ABUSER)
    eternal = t.add("GET", "/api/me", token=jwt({"sub": "carol"}), client=NORMAL[1])
    long_lived = t.add(
        "GET", "/api/me", token=jwt({"sub": "dan", "iat": int(T0), "exp": int(T0) + 400 * 86400}), client=NORMAL[2]
    )
    out = run(t.items, open_store(tmp_path))
    assert out.detected("jwt_weakness") == {unsigned.seq, guessable.seq, eternal.seq, long_lived.seq}
    assert sound.seq not in out.lines
    severities = {d["severity"] for d in out.lines[guessable.seq]}
    assert severities == {"critical"}


def test_security_misconfiguration_posture(tmp_path):
    t = Traffic()
    https = {"scheme": "https"}
    hardened = [("strict-transport-security", "max-age=63072000"), ("server", "nginx")]
    clean = t.add("GET", "/api/ok", response={"ok": True}, response_headers=hardened, **https)
    cors = t.add(
        "GET",
        "/api/cors",
        response={"ok": True},
        response_headers=[
            *hardened,
            ("access-control-allow-origin", "*"),
            ("access-control-allow-credentials", "true"),
        ],
        **https,
    )
    no_hsts = t.add("GET", "/api/plain", response={"ok": True}, response_headers=[("server", "nginx")], **https)
    banner = t.add(
        "GET",
        "/api/banner",
        response={"ok": True},
        response_headers=[*hardened[:1], ("server", "Apache/2.4.41 (Ubuntu)"), ("x-powered-by", "PHP/7.4.3")],
        **https,
    )
    trace = t.add(
        "GET",
        "/api/crash",
        status=500,
        response='Traceback (most recent call last):\n  File "/srv/app/views.py", line 42, in get\nKeyError',
        response_headers=hardened,
        **https,
    )
    out = run(t.items, open_store(tmp_path))
    assert out.detected("security_misconfiguration") == {cors.seq, no_hsts.seq, banner.seq, trace.seq}
    assert clean.seq not in out.lines
    locations = {loc for loc, _, _ in out.findings("security_misconfiguration")}
    assert {"response.header.access-control-allow-origin", "response.body"} <= locations


def test_findings_are_not_reported_again_by_the_next_run(tmp_path):
    store = open_store(tmp_path)
    t = Traffic()
    for address in NORMAL:
        for i in range(5):
            t.add("GET", f"/api/users/{100000 + i * 7}", client=address)
    for user_id in range(200000, 200600, 3):
        t.add("GET", f"/api/users/{user_id}", client=ABUSER)
    first = run(t.items, store)
    assert first.flagged("enumeration") == {ABUSER}
    again = Traffic()
    again.add("GET", "/api/users/100000", client=NORMAL[0])
    second = run(again.items, store)
    assert second.findings("enumeration") == []
    assert digest(ABUSER) not in str(store.get_state("default", "behaviour"))


def test_detection_runs_remember_what_they_reported(tmp_path):
    # Learning run: normal traffic only. Two detection runs (--no-learn) over the same abuse:
    # the first raises the finding, the second does not raise it again, and nothing is learned.
    store = open_store(tmp_path)
    normal = Traffic()
    for address in NORMAL:
        for i in range(5):
            normal.add("GET", f"/api/users/{100000 + i * 7}", client=address)
    run(normal.items, store)
    abuse = Traffic()
    for user_id in range(200000, 200600, 3):
        abuse.add("GET", f"/api/users/{user_id}", client=ABUSER)
    assert run(abuse.items, store, learn=False).flagged("enumeration") == {ABUSER}
    assert run(abuse.items, store, learn=False).findings("enumeration") == []
    assert digest(ABUSER) not in str(store.get_state("default", "behaviour"))
