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
