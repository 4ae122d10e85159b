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
