"""Traffic-derived text reaches the terminal as plain text: no markup, no links, no raw control characters.

Each case runs the real ``tracehound analyze`` (and ``explain``) on a HAR written by the test, with
colour forced (``FORCE_COLOR``), so Rich would emit SGR styles and OSC 8 links if it read traffic
text as markup. The output may then hold Rich's own SGR sequences (``ESC [ ... m``) and nothing
else that starts with ESC; the hostile text must be visible, with control characters as escapes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracehound._plain import plain, visible
from tracehound.cli.main import cli

FORCED = {"FORCE_COLOR": "1", "TERM": "xterm-256color", "COLUMNS": "250", "NO_COLOR": ""}
SGR = re.compile(r"\x1b\[[0-9;]*m")
"""The only escape sequences Rich writes for a summary: colours and bold."""
BIDI = "\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def entry(
    url: str,
    method: str = "GET",
    headers: list[dict[str, str]] | None = None,
    body: object = None,
) -> dict[str, object]:
    request: dict[str, object] = {
        "method": method,
        "url": url,
        "headers": headers or [],
        "queryString": [],
        "cookies": [],
    }
    if body is not None:
        request["postData"] = {"mimeType": "application/json", "text": json.dumps(body)}
    return {
        "startedDateTime": "2026-11-25T10:00:00.000Z",
        "time": 10,
        "request": request,
        "response": {"status": 200, "headers": [], "content": {"mimeType": "application/json", "text": "{}"}},
    }


def write_har(path: Path, entries: list[dict[str, object]]) -> Path:
    doc = {"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": entries}}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    # catch_exceptions=False: a MarkupError fails the test with its own traceback.
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


def assert_plain(output: str, *literals: str) -> None:
    """Only Rich's SGR styles start with ESC; no OSC (links), no C1, no bidi; ``literals`` are visible."""
    assert "\x1b]" not in output, "an OSC sequence (OSC 8 is a hyperlink) reached the terminal"
    rest = SGR.sub("", output)
    assert "\x1b" not in rest, f"a raw escape sequence reached the terminal: {rest[rest.index(chr(27)) - 20 :][:60]!r}"
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", rest), "a raw control character reached the terminal"
    assert not any(c in rest for c in BIDI), "a bidi control reached the terminal"
    for literal in literals:
        assert literal in rest, f"{literal!r} is not shown"


HOSTILE = [
    pytest.param([entry("https://api.example.com/g/[/oops]")], ["/g/[/oops]"], id="markup-closing-tag-in-path"),
    pytest.param(
        [entry("https://api.example.com/l/[link=https://evil.example/]x[/link]")],
        ["[link=https:", "]x[/link]"],
        id="markup-link-in-path",
    ),
    pytest.param(
        [entry("https://api.example.com/l/[bold red]x[/bold red]/:smile:")],
        ["[bold red]x[/bold red]", ":smile:"],
        id="markup-style-and-emoji-in-path",
    ),
    pytest.param(
        [entry("https://a\x1bc\x1b[8mb.example/x")],
        ["a\\x1bc\\x1b[8mb.example"],
        id="escapes-in-host",
    ),
    pytest.param(
        [entry("https://api.example.com/c1/\x9b2J/\u202egnp.exe")],
        ["/c1/\\x9b2J/\\u202egnp.exe"],
        id="c1-and-bidi-override-in-path",
    ),
    pytest.param(
        [entry("https://api.example.com/m", method="G[/x]\x1b[2JT")],
        ["G[/X]\\x1b[2JT"],
        id="escapes-and-markup-in-method",
    ),
    pytest.param(
        [entry("https://api.example.com/h", headers=[{"name": "X-[/h]\x1b[2J", "value": "' OR '1'='1' --"}])],
        ["request.header.x-[/h]\\x1b[2j"],
        id="header-name-in-a-finding",
    ),
    pytest.param(
        [entry("https://api.example.com/b", "POST", body={"[/k]\x1b]8;;https://evil.example/\x07": "' OR 1=1 --"})],
        ["request.body.[/k]\\x1b]8;;https://evil.example/\\x07"],
        id="json-key-in-a-finding",
    ),
    pytest.param(
        [entry("https://api.example.com/q?[/q]\x1b[2J=<script>alert(1)</script>")],
        ["request.query.[/q]\\x1b[2J"],
        id="query-key-in-a-finding",
    ),
    pytest.param(
        [entry("ht\x1b[2Jtp://[/oops]\x1b]8;;x"), entry("https://api.example.com/ok")],
        ["entries rejected", "entry 0:"],
        id="url-in-a-rejection-reason",
    ),
]


@pytest.mark.parametrize(("entries", "shown"), HOSTILE)
def test_analyze_prints_hostile_traffic_as_plain_text(
    tmp_path: Path, entries: list[dict[str, object]], shown: list[str]
) -> None:
    har = write_har(tmp_path / "hostile.har", entries)
    code, output = invoke("analyze", str(har), "--db", str(tmp_path / "t.db"), env=FORCED)
    assert code == 0, output
    assert "\x1b[" in output, "colour is forced, so Rich styles appear (else this test proves nothing)"
    assert_plain(output, *shown)
    # Without colour there is no escape sequence at all.
    code, output = invoke("analyze", str(har), "--db", str(tmp_path / "t2.db"))
    assert code == 0 and "\x1b" not in output, output
    assert all(s in output for s in shown)


def test_the_command_in_a_process_prints_hostile_traffic_plainly(tmp_path: Path) -> None:
    entries = [e for case in HOSTILE for e in case.values[0]]  # type: ignore[attr-defined]
    har = write_har(tmp_path / "all.har", entries)
    proc = subprocess.run(
        [sys.executable, "-m", "tracehound.cli.main", "analyze", str(har), "--db", str(tmp_path / "t.db")],
        capture_output=True,
        env={**os.environ, **FORCED},
        timeout=120,
        check=False,
    )
    output = proc.stdout.decode() + proc.stderr.decode()
    assert proc.returncode == 0, output
    assert "\x1b[" in output
    assert_plain(output, "/g/[/oops]", "a\\x1bc\\x1b[8mb.example", "request.body.[/k]\\x1b]8;;")


def test_a_hostile_file_name_in_rejection_and_error_lines_is_escaped(tmp_path: Path) -> None:
    name = "x\x1b[2J[bold]\u202e.har"
    har = write_har(tmp_path / name, [{"request": {"method": 5}}, entry("https://api.example.com/ok")])
    code, output = invoke("analyze", str(har), "--db", str(tmp_path / "t.db"), env=FORCED)
    assert code == 0, output
    assert_plain(output, "x\\x1b[2J[bold]\\u202e.har entry 0:")
    bad = tmp_path / "y\x1b[2J\x9b.har"
    bad.write_bytes(b"not json")
    code, output = invoke("analyze", str(bad), "--db", str(tmp_path / "t.db"), "-q", env=FORCED)
    assert code == 2
    assert_plain(output, "error: ", "y\\x1b[2J\\x9b.har")
    code, output = invoke("analyze", str(tmp_path / "z\x1b[2J.har"), "--db", str(tmp_path / "t.db"), env=FORCED)
    assert code == 2
    assert_plain(output, "z\\x1b[2J.har")


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("hostile")
    entries = [case.values[0] for case in HOSTILE]
    har = write_har(tmp / "all.har", [e for case in entries for e in case])  # type: ignore[attr-defined]
    code, output = invoke("analyze", str(har), "--db", str(tmp / "t.db"), "-q")
    assert code == 0, output
    return tmp / "t.db"


@pytest.mark.parametrize(
    ("method", "path", "shown"),
    [
        ("GET", "/g/[/oops]", ["/g/[/oops]", "oops]"]),
        ("GET", "/l/[link=https:/evil.example/]x[/link]", ["[link=https:", "x[/link]"]),
        ("GET", "/c1/\x9b2J/\u202egnp.exe", ["\\x9b2J", "\\u202egnp.exe"]),
        ("G[/x]\x1b[2JT", "/m", ["G[/X]\\x1b[2JT api.example.com/m"]),
        ("GET", "/x", ["a\\x1bc\\x1b[8mb.example/x"]),
    ],
)
def test_explain_prints_hostile_segments_as_plain_text(
    hostile_store: Path, method: str, path: str, shown: list[str]
) -> None:
    code, output = invoke("explain", method, path, "--db", str(hostile_store), env=FORCED)
    assert code == 0, output
    assert "\x1b[" in output
    assert_plain(output, *shown)


def test_explain_escapes_an_unmatched_hostile_argument(hostile_store: Path) -> None:
    code, output = invoke("explain", "GET", "/nope/\x1b[2J[/x]", "--db", str(hostile_store), env=FORCED)
    assert code == 1
    assert_plain(output, "no endpoint matches GET /nope/\\x1b[2J[/x]")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("a\x00b\tc\nd\re\x7f", "a\\x00b\\x09c\\x0ad\\x0de\\x7f"),
        ("\x9b31m\x9d8;;u\x9c", "\\x9b31m\\x9d8;;u\\x9c"),
        ("\u202egnp\u2066x\u2069\u200f\u2028", "\\u202egnp\\u2066x\\u2069\\u200f\\u2028"),
        ("[/oops] [link=x]é 日本 🙂 ..\\..\\", "[/oops] [link=x]é 日本 🙂 ..\\..\\"),
    ],
)
def test_visible_escapes_controls_and_keeps_printable_text(raw: str, shown: str) -> None:
    assert visible(raw) == shown
    text = plain(raw, "bold")
    assert text.plain == shown and text.spans == [] and str(text.style) == "bold"


def test_admin_commands_escape_arguments_in_their_errors(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'k.db'}"
    code, output = invoke("keys", "revoke", "k\x1b[2J\x9b[/x]", "--store", store, env=FORCED)
    assert code == 2
    assert_plain(output, "no live key k\\x1b[2J\\x9b[/x]")
    tenant = "t\x1b]8;;https://evil.example/\x07"
    code, output = invoke("keys", "create", "--tenant", tenant, "--role", "read", "--store", store)
    assert code == 2
    assert_plain(output, "t\\x1b]8;;https://evil.example/\\x07")
