"""What ``tracehound analyze`` reads: directories of traffic files, and empty inputs of either format."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracehound.cli.main import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def har_doc(*paths: str, bad: bool = False) -> str:
    entries: list[object] = [
        {
            "startedDateTime": "2026-11-25T10:00:00.000Z",
            "time": 10,
            "request": {"method": "GET", "url": f"https://api.example.com{p}", "headers": []},
            "response": {"status": 200, "headers": [], "content": {"mimeType": "application/json", "text": "{}"}},
        }
        for p in paths
    ]
    entries += [{"request": {"method": 5}}] if bad else []
    return json.dumps({"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": entries}})


def ndjson_doc(*paths: str, bad: bool = False) -> str:
    return ("not json\n" if bad else "") + "".join(
        json.dumps(
            {
                "v": 1,
                "time": "2026-11-25T10:00:00Z",
                "request": {"method": "GET", "url": f"https://api.example.com{p}", "headers": {}},
                "response": {"status": 200, "headers": {}},
            }
        )
        + "\n"
        for p in paths
    )


def analyze(tmp_path: Path, *inputs: Path | str) -> tuple[int, str, dict[str, object] | None]:
    out = tmp_path / "r.json"
    out.unlink(missing_ok=True)
    code, _, err = run("analyze", *map(str, inputs), "--db", str(tmp_path / "t.db"), "--fresh", "--json", str(out))
    return code, err, json.loads(out.read_text()) if out.exists() else None


def paths_of(report: dict[str, object]) -> set[str]:
    services = report["services"]
    assert isinstance(services, list)
    return {e["path"] for s in services for e in s["endpoints"]}


# -- directories --------------------------------------------------------------------------------


def test_a_directory_reads_the_traffic_files_directly_inside_it_in_name_order(tmp_path: Path) -> None:
    d = tmp_path / "traffic"
    (d / "sub").mkdir(parents=True)
    (d / "b.ndjson").write_text(ndjson_doc("/b1", "/b2", bad=True))
    (d / "a.har").write_text(har_doc("/a1", bad=True))
    (d / "c.JSONL").write_text(ndjson_doc("/c1", bad=True))
    (d / "d.har.gz").write_bytes(gzip.compress(har_doc("/d1", bad=True).encode()))
    (d / "notes.txt").write_text("not traffic")
    (d / "sub" / "deeper.har").write_text(har_doc("/deeper"))
    code, err, report = analyze(tmp_path, d)
    assert code == 0, err
    assert report is not None and paths_of(report) == {"/a1", "/b1", "/b2", "/c1", "/d1"}
    summary = report["summary"]
    assert isinstance(summary, dict) and summary["transactions"] == 5 and summary["rejected"] == 4
    assert err.count("\n") == 1 and "skipped 2 other entries" in err and "read 4 traffic file(s)" in err
    # Files are read in name order: one rejection from each, in that order.
    run_info = report["run"]
    assert isinstance(run_info, dict)
    sources = [Path(r["source"]).name for r in run_info["rejections"]]
    assert sources == ["a.har", "b.ndjson", "c.JSONL", "d.har.gz"]


def test_a_directory_given_as_input_is_not_a_missing_file(tmp_path: Path) -> None:
    d = tmp_path / "logs"
    d.mkdir()
    (d / "x.ndjson").write_text(ndjson_doc("/x"))
    code, err, report = analyze(tmp_path, d)
    assert code == 0 and "no such file" not in err and err == ""
    assert report is not None and paths_of(report) == {"/x"}


def test_a_directory_without_traffic_files_is_a_one_line_error(tmp_path: Path) -> None:
    d = tmp_path / "empty-dir"
    (d / "sub").mkdir(parents=True)
    (d / "sub" / "deeper.har").write_text(har_doc("/deeper"))
    (d / "readme.md").write_text("x")
    code, err, report = analyze(tmp_path, d)
    assert code == 2 and report is None
    assert len(err.strip().splitlines()) == 1 and "empty-dir: a directory with no .har" in err
    assert "subdirectories are not read" in err


def test_a_path_that_does_not_exist_or_is_not_a_file_says_which(tmp_path: Path) -> None:
    code, _, err = run("analyze", str(tmp_path / "nope"), "--db", str(tmp_path / "t.db"))
    assert code == 2 and "nope: no such file or directory" in err
    fifo = tmp_path / "pipe.har"
    os.mkfifo(fifo)
    code, _, err = run("analyze", str(fifo), "--db", str(tmp_path / "t.db"))
    assert code == 2 and "pipe.har: not a regular file or a directory" in err


# -- empty inputs -------------------------------------------------------------------------------

EMPTY = [
    pytest.param("empty.ndjson", b"", id="ndjson"),
    pytest.param("empty.jsonl", b"\n \n\t\r\n", id="jsonl-only-whitespace"),
    pytest.param("empty.har", b"", id="har"),
    pytest.param("empty.har", b"\xef\xbb\xbf  \n", id="har-bom-and-whitespace"),
    pytest.param("empty.ndjson.gz", gzip.compress(b""), id="ndjson-gz"),
    pytest.param("empty.har.gz", gzip.compress(b"\n"), id="har-gz"),
    pytest.param("empty.log", b"", id="sniffed"),
]


@pytest.mark.parametrize(("name", "content"), EMPTY)
def test_an_empty_input_alone_is_a_one_line_error_in_every_format(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    code, err, report = analyze(tmp_path, path)
    assert code == 2 and report is None
    assert err.strip().splitlines() == [f"error: {path}: empty file, no traffic to analyze"]


@pytest.mark.parametrize(("name", "content"), EMPTY)
def test_an_empty_input_beside_others_is_skipped_with_a_warning(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    good = tmp_path / "good.ndjson"
    good.write_text(ndjson_doc("/ok"))
    code, err, report = analyze(tmp_path, path, good)
    assert code == 0, err
    assert err.strip().splitlines() == [f"warning: {path}: empty file, skipped"]
    assert report is not None and paths_of(report) == {"/ok"}


def test_every_input_empty_is_one_error(tmp_path: Path) -> None:
    (tmp_path / "a.har").write_bytes(b"")
    (tmp_path / "b.ndjson").write_bytes(b"")
    code, err, _ = analyze(tmp_path, tmp_path / "a.har", tmp_path / "b.ndjson")
    assert code == 2 and err.strip().splitlines() == ["error: no traffic to analyze: all 2 input files are empty"]


def test_a_har_with_no_entries_says_there_was_nothing_to_analyze(tmp_path: Path) -> None:
    path = tmp_path / "none.har"
    path.write_text(har_doc())
    code, err, report = analyze(tmp_path, path)
    assert code == 2 and report is None
    assert err.strip().splitlines() == [f"error: {path}: no traffic entries, nothing to analyze"]


def test_a_run_whose_entries_are_all_rejected_completes_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "bad.ndjson"
    path.write_text("not json\n{}\n")
    code, err, report = analyze(tmp_path, path)
    assert code == 0, err
    assert report is not None and report["summary"]["rejected"] == 2  # type: ignore[index]
    assert err.strip().splitlines() == ["warning: no transactions: all 2 entries were rejected (see run.rejections)"]
