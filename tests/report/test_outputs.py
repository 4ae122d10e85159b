"""The output writer: atomic replace of regular files only, devices and FIFOs written in place,
symlinks refused, and OpenAPI file names that cannot collide or escape their directory."""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote_to_bytes

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fifos import FifoReader
from tracehound.analyzer.inventory import Inventory, build_inventory
from tracehound.errors import OutputError
from tracehound.profiles.endpoint import EndpointProfile
from tracehound.report.outputs import (
    check_outputs,
    check_target,
    open_output,
    service_file_name,
    write_bytes,
    write_openapi,
)
from tracehound.store.base import EndpointKey


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    yield path


def leftovers(directory: Path, *keep: str) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name not in keep)


def test_regular_file_is_replaced_atomically_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_bytes(b"old")
    target.chmod(0o640)
    before = os.stat(target).st_ino
    write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert os.stat(target).st_ino != before, "replaced by rename, not rewritten in place"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert leftovers(tmp_path, "report.json") == []


def test_a_failed_write_keeps_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "d.jsonl"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), open_output(target) as stream:
        stream.write(b"half")
        raise RuntimeError("the run failed")
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path, "d.jsonl") == []


def test_nonexistent_target_and_parents_are_created(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "report.json"
    write_bytes(target, b"x")
    assert target.read_bytes() == b"x"
    assert leftovers(target.parent, "report.json") == []


def test_fifo_is_written_in_place(fifo: Path) -> None:
    reader = FifoReader(fifo)
    data = b"y" * (1 << 20)  # more than a pipe holds: the writer must stream to a live reader
    write_bytes(fifo, data)
    assert reader.finish() == data
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO must not be replaced by a regular file"
    assert leftovers(fifo.parent, "pipe", "pipe.handle") == []


def test_dev_null_is_planned_as_a_device_without_writing_to_it() -> None:
    # Only a check: the real /dev/null is never written by the tests.
    check_target("/dev/null")


@pytest.mark.skipif(os.geteuid() != 0, reason="creating a character device node needs root")
def test_character_device_is_written_in_place_not_renamed_over(tmp_path: Path) -> None:
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a private /dev/null
    write_bytes(device, b"discarded")
    st = os.lstat(device)
    assert stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, 3)
    assert leftovers(tmp_path, "null") == []


def test_symlink_at_the_target_is_refused(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    link = tmp_path / "report.json"
    link.symlink_to(victim)
    with pytest.raises(OutputError, match=r"symbolic link.*--follow-symlinks"):
        write_bytes(link, b"evil")
    with pytest.raises(OutputError, match="symbolic link"):
        check_outputs([str(link)])
    assert victim.read_bytes() == b"precious"
    assert link.is_symlink()


def test_symlink_at_the_old_fixed_temporary_name_is_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    (tmp_path / "report.json.tmp").symlink_to(victim)
    write_bytes(tmp_path / "report.json", b"report")
    assert victim.read_bytes() == b"precious"
    assert (tmp_path / "report.json").read_bytes() == b"report"
    assert not (tmp_path / "report.json").is_symlink()


def test_follow_symlinks_replaces_the_file_the_link_points_to(tmp_path: Path) -> None:
    real = tmp_path / "out" / "real.json"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "report.json"
    link.symlink_to(real)
    write_bytes(link, b"new", follow_symlinks=True)
    assert real.read_bytes() == b"new"
    assert link.is_symlink() and link.resolve() == real.resolve()


def test_follow_symlinks_to_a_fifo_writes_into_it(tmp_path: Path, fifo: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(fifo)
    reader = FifoReader(fifo)
    write_bytes(link, b"through", follow_symlinks=True)
    assert reader.finish() == b"through"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_dash_is_standard_output(
    capfdbinary: pytest.CaptureFixture[bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_bytes("-", b"to stdout\n")
    with open_output("-") as stream:
        stream.write(b"streamed\n")
    assert capfdbinary.readouterr().out == b"to stdout\nstreamed\n"
    assert list(tmp_path.iterdir()) == []


def test_only_one_output_may_be_standard_output() -> None:
    with pytest.raises(OutputError, match="only one output"):
        check_outputs(["-", None, "-"])


def test_directory_given_as_a_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a directory"):
        write_bytes(tmp_path, b"x")


def test_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        with pytest.raises(OutputError, match="is a socket"):
            write_bytes(path, b"x")
        assert stat.S_ISSOCK(os.lstat(path).st_mode)


def inventory_of(*services: str) -> Inventory:
    return build_inventory({EndpointKey(s, "GET", "/ping"): EndpointProfile(count=1) for s in services}, {})


def test_openapi_names_of_port_and_underscore_do_not_collide(tmp_path: Path) -> None:
    written = write_openapi(tmp_path, inventory_of("api.example.com:8443", "api.example.com_8443"))
    assert sorted(p.name for p in written) == ["api.example.com%3A8443.json", "api.example.com_8443.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)


@pytest.mark.parametrize(("service", "name"), [(".", "%2E.json"), ("..", "%2E..json"), ("a\x00b", "a%00b.json")])
def test_dot_dotdot_and_nul_services_stay_inside_the_directory(tmp_path: Path, service: str, name: str) -> None:
    (tmp_path / "oa").mkdir()
    written = write_openapi(tmp_path / "oa", inventory_of(service))
    assert [p.name for p in written] == [name]
    assert list((tmp_path / "oa").iterdir()) == written


def test_empty_service_name_is_refused() -> None:
    with pytest.raises(OutputError, match="empty name"):
        service_file_name("")


def test_openapi_into_a_symlinked_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "oa").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OutputError, match="symbolic link"):
        write_openapi(tmp_path / "oa", inventory_of("a.example"))
    assert list((tmp_path / "elsewhere").iterdir()) == []
    assert write_openapi(tmp_path / "oa", inventory_of("a.example"), follow_symlinks=True)
    assert [p.name for p in (tmp_path / "elsewhere").iterdir()] == ["a.example.json"]


def test_openapi_refuses_a_symlink_planted_inside_the_directory(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    (tmp_path / "oa").mkdir()
    (tmp_path / "oa" / "a.example.json").symlink_to(victim)
    with pytest.raises(OutputError, match="symbolic link"):
        write_openapi(tmp_path / "oa", inventory_of("a.example"))
    assert victim.read_bytes() == b"precious"


def decode(file_name: str) -> str:
    stem = file_name.removesuffix(".json")
    return unquote_to_bytes(stem).decode("utf-8", "surrogatepass")


SERVICE_NAMES = st.text(st.characters(codec=None, exclude_categories=()), min_size=1, max_size=300)


@given(SERVICE_NAMES, SERVICE_NAMES)
def test_distinct_services_get_distinct_single_component_file_names(a: str, b: str) -> None:
    for service in (a, b):
        name = service_file_name(service)
        assert name not in ("", ".", "..") and not name.startswith(".")
        assert "/" not in name and "\x00" not in name and os.sep not in name
        assert len(name.encode()) <= 255
        assert Path(name).name == name
        if "~" not in name:
            assert decode(name) == service
    if a != b:
        assert service_file_name(a) != service_file_name(b)


@given(st.text(st.characters(codec="utf-8"), min_size=1, max_size=20))  # 20 x 4 bytes x 3 < 250
def test_short_names_are_percent_encoding_and_reversible(service: str) -> None:
    assert decode(service_file_name(service)) == service


@given(st.text(min_size=250, max_size=400), st.text(max_size=20), st.text(max_size=20))
def test_long_names_sharing_a_prefix_stay_distinct(prefix: str, a: str, b: str) -> None:
    first, second = service_file_name(prefix + a), service_file_name(prefix + b)
    assert len(first.encode()) <= 255 and len(second.encode()) <= 255
    assert (first == second) == (a == b)
