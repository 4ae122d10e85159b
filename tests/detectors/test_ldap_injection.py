from __future__ import annotations

import pytest

ATTACKS = ["*)(uid=*))(|(uid=*", "admin)(&)", "printer)(uid=*)", "x)(|(objectClass=*)", "*)!(sn=*"]
BENIGN = ["John (Jack) Smith", "(555) 123-4567", "a*b", "see (note)"]


@pytest.mark.parametrize("value", ATTACKS)
def test_detects_ldap_injection(scan, value):
    assert "ldap_injection" in scan(value)


@pytest.mark.parametrize("value", BENIGN)
def test_ignores_benign_look_alikes(scan, value):
    assert "ldap_injection" not in scan(value)
