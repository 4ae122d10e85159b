"""Accuracy on the shared corpora, as the issues define it: a regression here fails CI.

These read ``../shared`` (data and scorers); without it they skip with the reason.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracehound.cli.main import cli
from tracehound.model.vocab import SensitiveType

ROOT = Path(__file__).resolve().parents[2]
SHARED = next((p / "shared" for p in ROOT.parents if (p / "shared" / "tools").is_dir()), ROOT.parent / "shared")
"""``../shared`` of the checkout (a git worktree sits one level deeper)."""
CRS = SHARED / "data" / "crs-v3.3.4.har.gz"
CSIC = SHARED / "data" / "csic-normal-train.har.gz"

pytestmark = pytest.mark.corpus


def _need(*paths: Path) -> None:
    for path in paths:
        if not path.exists():
            pytest.skip(f"corpus not present at {path}")


def _score(labels: Path, detections: Path, out: Path) -> dict[str, object]:
    subprocess.run(
        [
            sys.executable,
            str(SHARED / "tools" / "score_detections.py"),
            "--labels",
            str(labels),
            "--detections",
            str(detections),
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    result: dict[str, object] = json.loads(out.read_text())
    return result


def test_crs_typed_recall_is_at_least_95_percent_per_family(tmp_path: Path) -> None:
    _need(CRS, SHARED / "tools" / "score_detections.py")
    result = CliRunner().invoke(
        cli, ["analyze", str(CRS), "--db", str(tmp_path / "t.db"), "--detections", str(tmp_path / "d.jsonl"), "-q"]
    )
    assert result.exit_code == 0, result.output
    scored = _score(SHARED / "data" / "crs-v3.3.4.labels.jsonl", tmp_path / "d.jsonl", tmp_path / "s.json")
    families = scored["families"]
    assert isinstance(families, dict)
    checked = {
        name: fam["recall_typed"] for name, fam in families.items() if fam["scored"] and fam["recall_typed"] is not None
    }
    assert {"sqli", "xss", "command_injection", "path_traversal"} <= set(checked)
    low = {name: recall for name, recall in checked.items() if recall < 0.95}
    assert not low, f"typed recall below 95%: {low}"


def test_csic_benign_traffic_raises_at_most_half_a_percent(tmp_path: Path) -> None:
    _need(CSIC, SHARED / "tools" / "score_detections.py")
    result = CliRunner().invoke(
        cli, ["analyze", str(CSIC), "--db", str(tmp_path / "t.db"), "--detections", str(tmp_path / "d.jsonl"), "-q"]
    )
    assert result.exit_code == 0, result.output
    scored = _score(SHARED / "data" / "csic-normal-train.labels.jsonl", tmp_path / "d.jsonl", tmp_path / "s.json")
    binary = scored["binary"]
    assert isinstance(binary, dict)
    assert binary["normal"] == 36_000
    assert binary["fpr"] <= 0.005


def test_discovery_and_sensitive_data_on_the_dev_specs(tmp_path: Path) -> None:
    """Endpoint F1 and parameter types on traffic generated from the 40 dev specs (issue 2: ≥ 0.95),
    and the sensitive-data bars of issue 3 (micro-F1 ≥ 0.95, precision ≥ 0.90 per reported type).

    The discovery floor here is 0.96, a little under the measured 0.973 (README; 0.971 on the
    seed-11 generation), so that a new release of Faker, which shapes the generated values, does
    not fail CI by itself; a real regression does.
    """
    _need(SHARED / "data" / "specs-dev.txt", SHARED / "tools" / "gen_traffic.py", SHARED / "tools" / "score.py")
    gen = tmp_path / "gen"
    subprocess.run(
        [
            sys.executable,
            str(SHARED / "tools" / "gen_traffic.py"),
            "--many",
            str(SHARED / "data" / "specs-dev.txt"),
            "--outdir",
            str(gen),
            "--seed",
            "7",
        ],
        check=True,
        capture_output=True,
    )
    services: list[object] = []
    for har in sorted(gen.glob("*.har")):
        out = tmp_path / f"{har.stem}.json"
        result = CliRunner().invoke(
            cli, ["analyze", str(har), "--db", str(tmp_path / f"{har.stem}.db"), "--json", str(out), "-q"]
        )
        assert result.exit_code == 0, result.output
        services += json.loads(out.read_text())["services"]
    report = tmp_path / "all.json"
    report.write_text(json.dumps({"version": 1, "services": services, "findings": []}))
    scores = {}
    for task in ("discovery", "pii"):
        out = tmp_path / f"{task}.json"
        scorer = [sys.executable, str(SHARED / "tools" / "score.py"), task]
        subprocess.run(
            [*scorer, "--truth", str(gen), "--report", str(report), "--out", str(out)],
            check=True,
            capture_output=True,
        )
        scores[task] = json.loads(out.read_text())
    score = scores["discovery"]
    assert score["truth_files"] == 40
    assert score["micro"]["f1"] >= 0.96
    assert score["param_type_accuracy"] >= 0.95
    pii = scores["pii"]
    assert pii["micro"]["f1"] >= 0.95
    reported = {typ: s for typ, s in pii["per_type"].items() if s["tp"] + s["fp"] > 0}
    assert {"email", "person_name", "api_key"} <= set(reported)
    low = {typ: s["precision"] for typ, s in reported.items() if s["precision"] < 0.90}
    assert not low, f"per-type precision under 0.90: {low}"


# Field names as real APIs spell them (camelCase, snake_case, upper case, prefixed, nested),
# covering every sensitive type of REPORT_FORMAT.md; bearer_token comes from the security scheme.
VARIED_NAMES = [
    "customerEmail", "billing_phone_number", "contactFirstName", "owner_last_name", "homeZipCode",
    "user_ip_address", "adminPassword", "stripeApiKey", "holderDateOfBirth", "primaryCardNumber",
    "workEmailAddress", "shippingPostalCode", "recipientFullName", "emergencyPhone", "Email", "FirstName",
    "LastName", "ZIP", "SSN", "IBAN", "DOB", "Passport_No", "access_token", "refresh_token", "id_token",
    "AWSAccessKeyId", "private_key_pem", "client_secret", "mobile_number", "street_address",
    "address_line_1", "birth_date", "credit_card_number", "social_security_number", "remote_ip", "new_password",
]  # fmt: skip
ALL_TYPES = {t.value for t in SensitiveType}


def _varied_spec() -> dict[str, object]:
    """Accounts whose nested ``profile`` holds the names, next to ids, amounts and item lists,
    served one by one, in pages (``data[]``) and updated with PUT; some names as query parameters."""
    paths: dict[str, object] = {}
    schemas: dict[str, object] = {}
    account_id = [{"name": "accountId", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}]
    for g in range(0, len(VARIED_NAMES), 9):
        group = VARIED_NAMES[g : g + 9]
        ref = {"$ref": f"#/components/schemas/Account{g}"}
        schemas[f"Account{g}"] = {
            "type": "object",
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "amount": {"type": "number"},
                "reference": {"type": "string"},
                "profile": {"type": "object", "properties": {n: {"type": "string"} for n in group}},
                "items": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}}}},
            },
        }
        one = {"200": {"description": "ok", "content": {"application/json": {"schema": ref}}}}
        page = {"type": "object", "properties": {"data": {"type": "array", "items": ref}, "next": {"type": "string"}}}
        paths[f"/v2/accounts{g}/{{accountId}}"] = {
            "get": {"parameters": account_id, "responses": one},
            "put": {
                "parameters": account_id,
                "requestBody": {"content": {"application/json": {"schema": ref}}},
                "responses": {"204": {"description": "updated"}},
            },
        }
        paths[f"/v2/accounts{g}"] = {
            "get": {
                "parameters": [{"name": n, "in": "query", "schema": {"type": "string"}} for n in group[:4]],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": page}}}},
            }
        }
    return {
        "openapi": "3.0.0",
        "info": {"title": "varied sensitive fields", "version": "1"},
        "servers": [{"url": "https://accounts.example.org"}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {"b": {"type": "http", "scheme": "bearer"}}},
        "security": [{"b": []}],
    }


@pytest.mark.parametrize("seed", [3, 11])
def test_every_sensitive_type_is_found_under_names_as_apis_spell_them(tmp_path: Path, seed: int) -> None:
    """The dev specs hold only 11 of the 17 types; held-out specs may hold the rest (cards, SSNs,
    IBANs, passports, AWS keys, PEM keys). Generated the same way, each must be found."""
    _need(SHARED / "tools" / "gen_traffic.py", SHARED / "tools" / "score.py")
    spec, har, truth = tmp_path / "spec.json", tmp_path / "t.har", tmp_path / "t.truth.json"
    spec.write_text(json.dumps(_varied_spec()))
    tool = [sys.executable, str(SHARED / "tools" / "gen_traffic.py"), str(spec)]
    args = ["--har", str(har), "--truth", str(truth), "--transactions", "2500", "--seed", str(seed)]
    subprocess.run([*tool, *args], check=True, capture_output=True)
    report = tmp_path / "report.json"
    result = CliRunner().invoke(cli, ["analyze", str(har), "--db", str(tmp_path / "t.db"), "--json", str(report), "-q"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "pii.json"
    scorer = [sys.executable, str(SHARED / "tools" / "score.py"), "pii", "--truth", str(truth)]
    subprocess.run([*scorer, "--report", str(report), "--out", str(out)], check=True, capture_output=True)
    pii = json.loads(out.read_text())
    per_type = pii["per_type"]
    assert set(per_type) == ALL_TYPES
    assert pii["micro"]["f1"] >= 0.95
    weak = {typ: s["f1"] for typ, s in per_type.items() if s["f1"] < 0.8}
    assert not weak, f"per-type F1 under 0.8: {weak}"


# Specs of specs-more whose benign traffic raised request-attack detections before issue 10's
# context rules (URLs in URL fields, integer ids, enum values "or"/"and", {{placeholders}},
# passwords, Basic credentials, base64 headers, .NET dates, range filters): 740 of 15,800
# transactions (4.7%) at seed 7; none after. The floor is issue 10's goal, 0.1%.
FP_GUARD_SPECS = [
    "1password.local/connect.json", "ably.net/control.json", "apache.org/airflow.json",
    "apicurio.local/registry.json", "appwrite.io/server.json", "bigredcloud.com.json", "clickmeter.com.json",
    "edrv.io.json", "getpostman.com.json", "id4i.de.json", "ideal-postcodes.co.uk.json", "theracingapi.com.json",
    "xero.com/xero-payroll-au.json",
]  # fmt: skip


def test_benign_traffic_of_modern_api_specs_raises_at_most_a_tenth_of_a_percent(tmp_path: Path) -> None:
    _need(SHARED / "data" / "specs-more", SHARED / "tools" / "gen_traffic.py")
    from tracehound.detectors.engine import registered_detectors

    signature_types = {cls.type.value for cls in registered_detectors().values()}
    listing = tmp_path / "specs.txt"
    listing.write_text("\n".join(FP_GUARD_SPECS) + "\n")
    gen = tmp_path / "gen"
    tool = [sys.executable, str(SHARED / "tools" / "gen_traffic.py"), "--many", str(listing)]
    args = ["--spec-root", str(SHARED / "data" / "specs-more"), "--outdir", str(gen), "--seed", "7"]
    subprocess.run([*tool, *args], check=True, capture_output=True)
    hars = sorted(gen.glob("*.har"))
    assert len(hars) == len(FP_GUARD_SPECS)
    total = sum(len(json.loads(h.read_text())["log"]["entries"]) for h in hars)
    out = tmp_path / "d.jsonl"
    result = CliRunner().invoke(
        cli, ["analyze", *map(str, hars), "--db", str(tmp_path / "t.db"), "--detections", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    flagged = [
        line
        for line in map(json.loads, out.read_text().splitlines())
        if any(d["type"] in signature_types for d in line["detections"])
    ]
    assert total > 10_000
    assert len(flagged) / total <= 0.001, f"{len(flagged)} of {total} benign transactions flagged"


@pytest.mark.parametrize(
    ("corpus", "micro_typed_floor"),
    # Measured after issue 10's context rules: gotestwaf 86.1% (fitted), wafbypass 86.1% (reported).
    [("gotestwaf", 0.855), ("wafbypass", 0.855)],
)
def test_waf_payload_sets_keep_recall_and_benign_texts_stay_quiet(
    tmp_path: Path, corpus: str, micro_typed_floor: float
) -> None:
    har, labels = SHARED / "data" / f"{corpus}.har.gz", SHARED / "data" / f"{corpus}.labels.jsonl"
    _need(har, labels, SHARED / "tools" / "score_detections.py")
    result = CliRunner().invoke(
        cli, ["analyze", str(har), "--db", str(tmp_path / "t.db"), "--detections", str(tmp_path / "d.jsonl"), "-q"]
    )
    assert result.exit_code == 0, result.output
    scored = _score(labels, tmp_path / "d.jsonl", tmp_path / "s.json")
    binary, totals = scored["binary"], scored["family_totals"]
    assert isinstance(binary, dict) and isinstance(totals, dict)
    assert binary["fpr"] <= 0.01, f"benign texts flagged: {binary}"
    assert totals["micro_recall_typed"] >= micro_typed_floor
