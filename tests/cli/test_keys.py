"""``tracehound tenants`` and ``tracehound keys``: keys printed once, stored hashed, revocable."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from servers import PostgresServer
from tracehound.cli.main import cli
from tracehound.store import open_store


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cli.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(f"cli_{int(time.time() * 1e6) % 10**10}")


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_tenants_create_and_list(store_url: str) -> None:
    assert run("tenants", "create", "acme", "--store", store_url)[0] == 0
    assert run("tenants", "create", "globex", "--store", store_url)[0] == 0
    code, _, err = run("tenants", "create", "acme", "--store", store_url)
    assert code == 2 and "already exists" in err
    code, out, _ = run("tenants", "list", "--store", store_url)
    assert code == 0 and [line.split("\t")[0] for line in out.splitlines()] == ["acme", "globex"]


def test_keys_create_prints_the_key_alone_on_the_last_line_once(store_url: str) -> None:
    run("tenants", "create", "acme", "--store", store_url)
    code, out, err = run("keys", "create", "--tenant", "acme", "--role", "read", "--store", store_url)
    assert code == 0
    key = out.splitlines()[-1]
    assert out == key + "\n", "stdout carries the key and nothing else"
    assert key.startswith("th_") and "cannot be shown again" in err
    store = open_store(store_url)
    try:
        info = store.authenticate(key)
        assert info is not None and (info.tenant, info.role) == ("acme", "read")
    finally:
        store.close()
    code, listed, _ = run("keys", "list", "--store", store_url)
    assert code == 0 and info.key_id in listed and key.split("_", 2)[2] not in listed
    assert listed.splitlines()[1].split("\t")[:3] == [info.key_id, "acme", "read"]


def test_keys_revoke_stops_the_key(store_url: str) -> None:
    run("tenants", "create", "acme", "--store", store_url)
    key = run("keys", "create", "--tenant", "acme", "--role", "ingest", "--store", store_url)[1].strip()
    key_id = key.split("_")[1]
    code, out, _ = run("keys", "revoke", key_id, "--store", store_url)
    assert code == 0 and "revoked" in out
    code, _, err = run("keys", "revoke", key_id, "--store", store_url)
    assert code == 2 and "no live key" in err
    store = open_store(store_url)
    try:
        assert store.authenticate(key) is None
    finally:
        store.close()
    listed = run("keys", "list", "--tenant", "acme", "--store", store_url)[1]
    assert listed.splitlines()[1].split("\t")[4] != "-"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["keys", "create", "--tenant", "nobody", "--role", "read"], "unknown tenant"),
        (["tenants", "create", "bad name"], "invalid tenant name"),
    ],
)
def test_errors_name_the_problem(tmp_path: Path, args: list[str], message: str) -> None:
    code, out, err = run(*args, "--store", f"sqlite:///{tmp_path / 'x.db'}")
    assert code == 2 and message in err and out == ""


def test_an_unknown_role_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("keys", "create", "--tenant", "a", "--role", "root", "--store", f"sqlite:///{tmp_path / 'x.db'}")
    assert code == 2 and "root" in err


def test_the_store_comes_from_the_environment(tmp_path: Path) -> None:
    env = {"TRACEHOUND_SERVER__STORE": f"sqlite:///{tmp_path / 'env.db'}"}
    assert run("tenants", "create", "acme", env=env)[0] == 0
    assert run("tenants", "list", env=env)[1].startswith("acme\t")
    assert (tmp_path / "env.db").is_file()


def test_a_bad_store_url_is_a_clear_error() -> None:
    code, _, err = run("tenants", "list", "--store", "mysql://nope")
    assert code == 2 and "unsupported store URL" in err


def test_api_rejects_a_bad_listen_address(tmp_path: Path) -> None:
    code, _, err = run("api", "--store", f"sqlite:///{tmp_path / 'x.db'}", "--listen", "nowhere")
    assert code == 2 and "HOST:PORT" in err


def test_keys_create_explains_first_and_names_the_key_it_means(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'k.db'}"
    run("tenants", "create", "acme", "--store", store)
    result = CliRunner().invoke(cli, ["keys", "create", "--tenant", "acme", "--role", "read", "--store", store])
    assert result.exit_code == 0
    key, note = result.stdout.strip(), result.stderr.strip()
    key_id = key.split("_")[1]
    # Written first (result.output interleaves both streams in write order)...
    assert result.output.index(note) < result.output.index(key)
    # ...and readable when a log or a tool shows standard error after standard output: the note
    # names the key by its visible prefix rather than ending in a colon that points at the next line.
    assert f"th_{key_id}_" in note and not note.endswith(":")
    assert "cannot be shown again" in note and len(note.splitlines()) == 1
