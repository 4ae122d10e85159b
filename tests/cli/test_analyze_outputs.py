"""``tracehound analyze`` output targets: FIFOs and devices in place, symlinks refused before the run,
``--follow-symlinks``, and ``-`` as standard output for every file output."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from fifos import FifoReader
from tracehound.cli.main import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def traffic(tmp_path: Path) -> Path:
    def entry(url: str) -> dict[str, object]:
        return {
            "startedDateTime": "2026-11-25T10:00:00.000Z",
            "time": 10,
            "request": {"method": "GET", "url": url, "headers": [], "queryString": [], "cookies": []},
            "response": {"status": 200, "headers": [], "content": {"mimeType": "application/json", "text": "{}"}},
        }

    entries = [
        entry("https://api.example.com/items"),
        entry("https://api.example.com/search?q=1%27%20OR%20%271%27%3D%271"),
    ]
    path = tmp_path / "t.har"
    path.write_text(
        json.dumps({"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": entries}})
    )
    return path


def test_json_to_a_fifo_streams_into_it(tmp_path: Path) -> None:
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    reader = FifoReader(fifo)
    code, _, err = run("analyze", str(traffic(tmp_path)), "--db", str(tmp_path / "t.db"), "--json", str(fifo), "-q")
    assert code == 0, err
    assert json.loads(reader.finish())["summary"]["transactions"] == 2
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.skipif(os.geteuid() != 0, reason="creating a character device node needs root")
def test_json_to_a_character_device_keeps_the_device(tmp_path: Path) -> None:
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    code, _, err = run("analyze", str(traffic(tmp_path)), "--db", str(tmp_path / "t.db"), "--json", str(device), "-q")
    assert code == 0, err
    assert stat.S_ISCHR(os.lstat(device).st_mode)


@pytest.mark.parametrize("option", ["--json", "--detections", "--sarif", "--html"])
def test_a_symlinked_output_is_refused_before_the_run(tmp_path: Path, option: str) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    link = tmp_path / "out"
    link.symlink_to(victim)
    code, _, err = run("analyze", str(traffic(tmp_path)), "--db", str(tmp_path / "t.db"), option, str(link), "-q")
    assert code == 2
    assert err.count("\n") == 1 and "symbolic link" in err and "--follow-symlinks" in err
    assert victim.read_bytes() == b"precious"
    assert not (tmp_path / "t.db").exists(), "refused before any analysis work"


def test_follow_symlinks_writes_the_files_pointed_to(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    for name in ("r.json", "d.jsonl"):
        (tmp_path / name).symlink_to(tmp_path / "real" / name)
    code, _, err = run(
        "analyze",
        str(traffic(tmp_path)),
        "--db",
        str(tmp_path / "t.db"),
        "--json",
        str(tmp_path / "r.json"),
        "--detections",
        str(tmp_path / "d.jsonl"),
        "--follow-symlinks",
        "-q",
    )
    assert code == 0, err
    assert json.loads((tmp_path / "real" / "r.json").read_text())["summary"]["transactions"] == 2
    assert [json.loads(x)["seq"] for x in (tmp_path / "real" / "d.jsonl").read_text().splitlines()] == [1]
    assert (tmp_path / "r.json").is_symlink() and (tmp_path / "d.jsonl").is_symlink()


@pytest.mark.parametrize("option", ["--sarif", "--detections", "--html", "--json"])
def test_dash_is_standard_output_for_every_file_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("analyze", str(traffic(tmp_path)), "--db", "t.db", option, "-")
    assert code == 0, err
    assert not (tmp_path / "-").exists()
    if option == "--html":
        assert out.startswith("<!doctype html>")
    elif option == "--detections":
        assert [json.loads(x)["seq"] for x in out.splitlines()] == [1]
    else:
        json.loads(out)  # the whole of stdout is the document: no summary mixed in


def test_two_outputs_to_standard_output_are_refused(tmp_path: Path) -> None:
    code, _, err = run("analyze", str(traffic(tmp_path)), "--db", str(tmp_path / "t.db"), "--json", "-", "--sarif", "-")
    assert code == 2 and "only one output" in err


def test_a_directory_given_as_a_file_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "r.json").mkdir()
    code, _, err = run(
        "analyze", str(traffic(tmp_path)), "--db", str(tmp_path / "t.db"), "--json", str(tmp_path / "r.json")
    )
    assert code == 2 and "is a directory" in err and err.count("\n") == 1


def test_openapi_into_a_symlinked_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "oa").symlink_to(tmp_path / "elsewhere")
    args = ["analyze", str(traffic(tmp_path)), "--db", str(tmp_path / "t.db"), "--openapi", str(tmp_path / "oa"), "-q"]
    code, _, err = run(*args)
    assert code == 2 and "symbolic link" in err
    assert list((tmp_path / "elsewhere").iterdir()) == []
    code, _, err = run(*args, "--follow-symlinks")
    assert code == 0, err
    assert [p.name for p in (tmp_path / "elsewhere").iterdir()] == ["api.example.com.json"]
