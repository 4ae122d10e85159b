"""Writes the report files a run asked for: JSON, OpenAPI per service, SARIF, HTML, detections.

Every output goes to a path a user named, often as root in CI, into directories other users may
write to. So the writer never trusts what is at the path:

- ``-`` is standard output.
- A regular file, or nothing, is replaced atomically: the data goes to a temporary file created
  with ``O_CREAT | O_EXCL | O_NOFOLLOW`` under a random name in the same directory, is fsynced,
  and is renamed over the target. A reader sees the old file or the new one, never half of one,
  and a failed run leaves the old file in place. A planted symlink at a predictable temporary name
  cannot redirect the write.
- A character device (``/dev/null``, ``/dev/stdout``) or a FIFO is written in place: renaming over
  it would replace the device node with a regular file.
- A symbolic link is refused unless ``follow_symlinks`` (``--follow-symlinks``) is given; then the
  file it points to is treated as above. Directories, sockets and block devices are refused.

Violations raise `OutputError` with the path, so the CLI prints one line and exits 2.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

import msgspec

from tracehound.analyzer.inventory import Inventory
from tracehound.errors import OutputError
from tracehound.report.html_report import render_html
from tracehound.report.openapi import openapi_document
from tracehound.report.sarif import render_sarif

STDOUT = "-"
"""The target name meaning standard output, for every file output."""

_ENCODER = msgspec.json.Encoder()
_UNSAFE_BYTE = re.compile(rb"[^A-Za-z0-9._-]")
_MAX_NAME_BYTES = 255
"""The longest file name (one path component) common file systems accept, in bytes."""
_OPENAPI_SUFFIX = ".json"
_FOLLOW_HINT = "give --follow-symlinks to write to the file it points to"


def to_json(doc: Any) -> bytes:
    return msgspec.json.format(_ENCODER.encode(doc), indent=2) + b"\n"


@dataclass(frozen=True)
class _Plan:
    how: Literal["stdout", "atomic", "direct"]
    path: Path
    mode: int | None = None
    """Permission bits of the regular file being replaced, kept on its replacement."""


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "a special file"


def _plan(target: str | Path, follow_symlinks: bool) -> _Plan:
    if str(target) == STDOUT:
        return _Plan("stdout", Path(STDOUT))
    path = Path(target)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return _Plan("atomic", path)
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written: {exc.strerror}") from None
    if stat.S_ISLNK(st.st_mode):
        if not follow_symlinks:
            raise OutputError(f"{path}: is a symbolic link; refusing to write through it ({_FOLLOW_HINT})")
        path = Path(os.path.realpath(path))
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return _Plan("atomic", path)
        except OSError as exc:
            raise OutputError(f"{target}: cannot be written: {exc.strerror}") from None
        if stat.S_ISLNK(st.st_mode):
            raise OutputError(f"{target}: is a loop of symbolic links")
    if stat.S_ISREG(st.st_mode):
        return _Plan("atomic", path, stat.S_IMODE(st.st_mode) & 0o777)
    if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
        return _Plan("direct", path)
    raise OutputError(
        f"{path}: is {_kind(st.st_mode)}; give a file name, a character device, a FIFO or '-' for standard output"
    )


def check_target(target: str | Path, follow_symlinks: bool = False) -> None:
    """Raise `OutputError` now if `open_output` would refuse ``target``, before any work is done."""
    _plan(target, follow_symlinks)


@contextlib.contextmanager
def open_output(target: str | Path, follow_symlinks: bool = False) -> Iterator[BinaryIO]:
    """A binary stream for ``target``; what was written is in place once the block exits normally.

    If the block raises, a regular-file target keeps its previous content.
    """
    plan = _plan(target, follow_symlinks)
    if plan.how == "stdout":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
    elif plan.how == "direct":
        with _open_direct(plan.path) as stream:
            yield stream
    else:
        with _open_atomic(plan.path, plan.mode) as stream:
            yield stream


@contextlib.contextmanager
def _open_direct(path: Path) -> Iterator[BinaryIO]:
    # No O_CREAT (a device or FIFO exists) and no O_TRUNC (meaningless for them, harmful if the
    # path was swapped for a regular file since it was checked); O_NOFOLLOW so a symlink swapped in
    # meanwhile is refused by the kernel.
    flags = os.O_WRONLY | os.O_NOFOLLOW | os.O_NOCTTY | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise OutputError(f"{path}: cannot be opened for writing: {exc.strerror}") from None
    mode = os.fstat(fd).st_mode
    if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
        os.close(fd)
        raise OutputError(f"{path}: changed while it was being opened; not written")
    with os.fdopen(fd, "wb") as stream:
        yield stream


def _create_temporary(directory: Path, mode: int | None) -> tuple[int, Path]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for _ in range(100):
        tmp = directory / f".tracehound-{secrets.token_hex(8)}.tmp"
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        if mode is not None:
            os.fchmod(fd, mode)
        return fd, tmp
    raise FileExistsError(f"no free temporary name in {directory}")


@contextlib.contextmanager
def _open_atomic(path: Path, mode: int | None) -> Iterator[BinaryIO]:
    directory = path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = _create_temporary(directory, mode)
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        # Something may have been put at the target while we wrote: never rename over it unless
        # it is still a regular file (a rename replaces a symlink itself, not what it points to).
        with contextlib.suppress(FileNotFoundError):
            st = os.lstat(path)
            if not stat.S_ISREG(st.st_mode):
                raise OutputError(f"{path}: became {_kind(st.st_mode)} while being written; not replaced")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def write_bytes(target: str | Path, data: bytes, follow_symlinks: bool = False) -> None:
    """Write ``data`` to ``target`` (``-``, a file, a device or a FIFO) as `open_output` does."""
    try:
        with open_output(target, follow_symlinks) as stream:
            stream.write(data)
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(f"{target}: cannot be written: {exc.strerror or exc}") from None


def service_file_name(service: str) -> str:
    """The OpenAPI file name of ``service``: one path component, distinct for distinct services.

    Every byte of the UTF-8 name outside ``[A-Za-z0-9._-]`` is percent-encoded (``%`` itself
    included), and so is a leading ``.``, so ``api.example.com:8443`` gives
    ``api.example.com%3A8443.json``, and ``.`` and ``..`` give ``%2E.json`` and ``%2E..json``: the
    mapping is reversible, hence collision-free, and never names a hidden file or a path outside the
    directory. A name too long for a file system keeps a readable prefix and ends in ``~`` and a
    hash of the whole name (``~`` is always encoded otherwise, so this cannot collide either).
    """
    if not service:
        raise OutputError("a service has an empty name; it cannot be given an OpenAPI file name")
    raw = service.encode("utf-8", "surrogatepass")
    encoded = _UNSAFE_BYTE.sub(lambda m: b"%%%02X" % m.group()[0], raw).decode("ascii")
    if encoded.startswith("."):
        encoded = "%2E" + encoded[1:]
    room = _MAX_NAME_BYTES - len(_OPENAPI_SUFFIX)
    if len(encoded) > room:
        digest = hashlib.sha256(raw).hexdigest()[:32]
        prefix = encoded[: room - len(digest) - 1]
        # Do not cut an escape in half: the prefix stays decodable.
        cut = prefix.rfind("%", len(prefix) - 2)
        if cut >= 0:
            prefix = prefix[:cut]
        encoded = f"{prefix}~{digest}"
    return encoded + _OPENAPI_SUFFIX


def check_directory(directory: Path, follow_symlinks: bool = False) -> None:
    """Raise `OutputError` if ``directory`` cannot take the OpenAPI documents (see `write_openapi`)."""
    if str(directory) == STDOUT:
        raise OutputError("--openapi takes a directory (one document per service); '-' is not supported")
    try:
        st = os.lstat(directory)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(f"{directory}: cannot be used: {exc.strerror}") from None
    if stat.S_ISLNK(st.st_mode):
        if not follow_symlinks:
            raise OutputError(f"{directory}: is a symbolic link; refusing to write through it ({_FOLLOW_HINT})")
        try:
            st = os.stat(directory)
        except OSError as exc:
            raise OutputError(f"{directory}: is a symbolic link that cannot be followed: {exc.strerror}") from None
    if not stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{directory}: is not a directory; --openapi takes a directory")


def write_openapi(directory: Path, inventory: Inventory, follow_symlinks: bool = False) -> list[Path]:
    """One OpenAPI document per service, ``DIR/<service_file_name(service)>``, each written safely."""
    check_directory(directory, follow_symlinks)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{directory}: cannot be created: {exc.strerror}") from None
    check_directory(directory, follow_symlinks)
    written = []
    for service, endpoints in inventory.services.items():
        path = directory / service_file_name(service)
        write_bytes(path, to_json(openapi_document(service, endpoints)), follow_symlinks)
        written.append(path)
    return written


def check_outputs(files: Iterable[str | None], openapi_dir: Path | None = None, follow_symlinks: bool = False) -> None:
    """Refuse, before a run starts, outputs it could not write: symlinks, directories, two stdouts."""
    named = [f for f in files if f]
    if named.count(STDOUT) > 1:
        raise OutputError("only one output can go to standard output ('-')")
    for target in named:
        check_target(target, follow_symlinks)
    if openapi_dir is not None:
        check_directory(openapi_dir, follow_symlinks)


def write_reports(
    report: dict[str, Any],
    inventory: Inventory,
    json_out: str | None,
    openapi_dir: Path | None,
    sarif_out: str | None,
    html_out: str | None,
    follow_symlinks: bool = False,
) -> None:
    if json_out:
        write_bytes(json_out, to_json(report), follow_symlinks)
    if openapi_dir is not None:
        write_openapi(openapi_dir, inventory, follow_symlinks)
    if sarif_out:
        write_bytes(sarif_out, to_json(render_sarif(report)), follow_symlinks)
    if html_out:
        write_bytes(html_out, render_html(report).encode("utf-8"), follow_symlinks)
