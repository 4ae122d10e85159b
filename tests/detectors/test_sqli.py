from __future__ import annotations

import pytest

ATTACKS = [
    "1' OR '1'='1",
    "-1 UNION ALL SELECT NULL,NULL--",
    "1/**/UnIoN/**/SeLeCt/**/password/**/FROM/**/users",
    "%27%20or%201%3D1--",
    "%2527%2520or%25201%253D1--",
    "1;DROP TABLE users",
    "1 AND SLEEP(5)",
    "'; WAITFOR DELAY '0:0:5'--",
    "admin'--",
    "1 and 1=(select count(*) from information_schema.tables)",
    "&#39; or 1=1 --",
]
BENIGN = [
    "O'Brien",
    "select the best option",
    "Rock and roll",
    "price $10",
    "/docs/a/b",
    "john.doe@example.com",
    "It's a nice day, isn't it?",
    "order by date please",
]


@pytest.mark.parametrize("value", ATTACKS)
def test_detects_sqli(scan, value):
    assert "sqli" in scan(value)


@pytest.mark.parametrize("value", BENIGN)
def test_ignores_benign_look_alikes(scan, value):
    assert "sqli" not in scan(value)


# Keywords are SQL only in an injection structure; prose and enum values are not.
SQL_PROSE = [
    ("or", "request.body.status"),
    ("and", "request.body.apnsCertificate"),
    ("and ", "request.query.x"),
    ("tSOeEyL7oR", "request.path.#1"),
    ("union was a great select", "request.query.x"),
    ("D'or 1st parfume", "request.query.x"),
    ("exec noun", "request.query.q"),
    ("exec noun", "request.body.message"),
    ("/Date(322560000000+0000)/", "request.body.EndDate"),
    ("/Date(1592000000000+0530)/", "request.query.since"),
    ('{"$ref": "#/components/schemas/Pet"}', "request.body.schema"),
    ("+pi(4CDD^sd*QeFy", "request.body.password"),
    ("status eq 'active' and age gt 5", "request.query.filter"),
]
SQL_STRUCTURES = [
    ("1' or 1=1--", "request.body.message"),
    ("x' OR 1 -- ", "request.query.q"),
    ("admin'#", "request.body.password"),
    ("1 union select password from users", "request.body.comment"),
    ("1; drop table users", "request.body.note"),
    ("x_R AND ", "request.query.x"),
    ("1' or", "request.query.x"),
    ("execute php", "request.query.x"),
    ("year(1)=1 and date(now())", "request.query.x"),
    ("'or 1=1", "request.query.x"),
]


@pytest.mark.parametrize(("value", "location"), SQL_PROSE)
def test_prose_and_enums_are_not_sql(scan, value, location):
    assert "sqli" not in scan(value, location)


@pytest.mark.parametrize(("value", "location"), SQL_STRUCTURES)
def test_injection_structures_still_fire_in_every_field(scan, value, location):
    assert "sqli" in scan(value, location)


# JSON in a cookie or parameter is punctuation by grammar; SQL fields carry SQL by design; code
# and GraphQL fields are free-form. Injections inside such values still fire.
STRUCTURED_BENIGN = [
    ('{"a":"b","c":"d","e":"f","g":1}', "request.cookie.CookieConsent"),
    ('[{"id":1,"q":2},{"id":3,"q":4}]', "request.query.state"),
    ("SELECT id, name FROM users WHERE id = 1", "request.body.sql"),
    ("query { user(id: 1) { name email } }", "request.body.query"),
    ('console.log("hello"); return 1;', "request.body.script"),
]
STRUCTURED_ATTACKS = [
    ('{"q":"\'))) or (((1=1)--;#"}', "request.cookie.CookieConsent"),
    ('{"id":"1%27))/**/or/**/((%27a%27=%27a"}', "request.query.state"),
    ("1' union select password from users--", "request.body.query"),
]


@pytest.mark.parametrize(("value", "location"), STRUCTURED_BENIGN)
def test_json_sql_and_code_fields_are_not_injections(scan, value, location):
    assert "sqli" not in scan(value, location)


@pytest.mark.parametrize(("value", "location"), STRUCTURED_ATTACKS)
def test_injections_inside_structured_values_still_fire(scan, value, location):
    assert "sqli" in scan(value, location)


@pytest.mark.parametrize(
    ("value", "location"),
    [
        ("pan:************4562", "request.query.account_uri"),
        ("************9012", "request.cookie.last4"),
        ('"102"', "request.query.id"),
        ('"1461797806427-7-115540266", "00142875-a39d"', "request.query.values"),
    ],
)
def test_masks_and_json_encoded_literals_are_not_sql(scan, value, location):
    assert "sqli" not in scan(value, location)


@pytest.mark.parametrize(
    ("value", "location"),
    [("@@@@@@@@@@@@@", "request.cookie.c"), ("(((((())))))", "request.query.v"), ("'1", "request.query.v")],
)
def test_punctuation_runs_and_open_quotes_still_fire(scan, value, location):
    assert "sqli" in scan(value, location)
