"""The operations endpoints answer without authentication, so they say what is down, never why; every
served app contains unexpected exceptions, and uvicorn logs through the structured handler."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from servers import free_ports
from tracehound.bus.jetstream import _ConnectionEvents
from tracehound.cluster import logging as structured
from tracehound.cluster.http import ops_app, parse_listen, start_http
from tracehound.cluster.metrics import Metrics
from tracehound.errors import ConfigError

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


SECRET_DETAIL = "store postgresql://127.0.0.1:5432/th?user=u&password=***: connection refused"


async def test_readyz_names_the_dependency_and_logs_the_reason(caplog: pytest.LogCaptureFixture) -> None:
    async def ready() -> dict[str, str]:
        return {"store": SECRET_DETAIL}

    transport = httpx.ASGITransport(app=ops_app(Metrics(), ready, "t"))
    with caplog.at_level(logging.WARNING):
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            r = await client.get("/readyz")
    assert r.status_code == 503
    assert r.json() == {"status": "unavailable", "problems": {"store": "unavailable"}}
    assert "connection refused" in caplog.text  # operators still learn why, from the log


async def test_bus_connection_logs_never_carry_credentials(caplog: pytest.LogCaptureFixture) -> None:
    events = _ConnectionEvents(["nats://alice:s3cretPW@n1:4222", "nats://s3cretTOKEN@n2:4222"])
    with caplog.at_level(logging.INFO):
        await events.on_error(ConnectionRefusedError("refused"))
        await events.on_disconnected()
        await events.on_reconnected()
    assert "n1:4222" in caplog.text and "n2:4222" in caplog.text
    assert "s3cret" not in caplog.text


CANARY = "CANARYq7Wsecret"


def _raising_app() -> FastAPI:
    async def ready() -> dict[str, str]:
        return {}

    app = ops_app(Metrics(), ready, "t")

    @app.get("/boom/{item}")
    async def boom(item: str) -> None:
        raise ValueError(f"cannot handle {item} {CANARY}")

    @app.get("/half")
    async def half() -> StreamingResponse:
        async def body() -> AsyncIterator[bytes]:
            yield b"partial"
            raise RuntimeError(CANARY)

        return StreamingResponse(body())

    return app


async def test_an_unexpected_exception_is_a_plain_500_and_one_event_without_its_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    transport = httpx.ASGITransport(app=_raising_app())
    with caplog.at_level(logging.INFO, logger="tracehound"):
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            r = await client.get(f"/boom/{CANARY}?token={CANARY}")
    assert r.status_code == 500
    assert r.json()["error"] == "internal" and CANARY not in r.text
    errors = [rec for rec in caplog.records if rec.getMessage() == "http.unhandled_error"]
    assert len(errors) == 1
    fields = errors[0].tracehound_fields  # type: ignore[attr-defined]
    assert fields["exception"] == "builtins.ValueError" and fields["route"] == "/boom/{item}"
    assert "test_http.py" in fields["at"] and "boom" in fields["at"]
    assert CANARY not in caplog.text


@pytest.fixture
def restored_logging() -> Iterator[None]:
    names = ["", *structured.UVICORN_LOGGERS]
    saved = {
        n: (logging.getLogger(n).handlers[:], logging.getLogger(n).propagate, logging.getLogger(n).level) for n in names
    }
    yield
    for n, (handlers, propagate, level) in saved.items():
        logger = logging.getLogger(n)
        logger.handlers[:] = handlers
        logger.propagate = propagate
        logger.setLevel(level)


async def test_served_apps_log_uvicorn_and_app_errors_as_json_events(
    capsys: pytest.CaptureFixture[str], restored_logging: None
) -> None:
    structured.configure("info", "json")
    port = free_ports(1)[0]
    server, task = await start_http(_raising_app(), f"127.0.0.1:{port}")
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            r = await client.get(f"/boom/x?token={CANARY}")
            assert r.status_code == 500 and r.json()["error"] == "internal"
            assert "server" not in r.headers
            with pytest.raises(httpx.RemoteProtocolError):  # cut, not silently complete: the body is partial
                await client.get("/half")
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"NOT HTTP " + CANARY.encode() + b"\r\n\r\n")
        await writer.drain()
        assert (await reader.read(1024)).startswith(b"HTTP/1.1 400")
        writer.close()
    finally:
        server.should_exit = True
        await task
    every = [json.loads(line) for line in capsys.readouterr().err.splitlines()]  # every line is one JSON event
    events = [e for e in every if not e["logger"].startswith("httpx")]  # the test's client logs its URLs
    lines = [json.dumps(e) for e in events]
    errors = [e for e in events if e["event"] == "http.unhandled_error"]
    assert [(e["route"], e["response_started"]) for e in errors] == [("/boom/{item}", False), ("/half", True)]
    assert {"event": "http.server", "message": "Invalid HTTP request received."}.items() <= next(
        e for e in events if e.get("message") == "Invalid HTTP request received."
    ).items()
    assert CANARY not in "\n".join(lines) and "Traceback" not in "\n".join(lines)


def test_uvicorn_records_become_events_without_query_or_traceback() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(structured.TextFormatter())
    handler.addFilter(structured._UvicornRecords())
    access = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "h11_impl.py",
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("203.0.113.9:5000", "GET", f"/v1/stats?key={CANARY}", "1.1", 200),
        None,
    )
    try:
        raise KeyError(CANARY)
    except KeyError as exc:
        failure = logging.LogRecord(
            "uvicorn.error",
            logging.ERROR,
            "h11_impl.py",
            2,
            "Exception in ASGI application\n",
            (),
            (type(exc), exc, exc.__traceback__),
        )
    handler.handle(access)
    handler.handle(failure)
    out = stream.getvalue().splitlines()
    assert out[0].endswith("INFO http.access method=GET path=/v1/stats status=200 client=203.0.113.9:5000")
    assert ' ERROR http.server message="Exception in ASGI application" exception=builtins.KeyError at=' in out[1]
    assert CANARY not in stream.getvalue() and "Traceback" not in stream.getvalue()


@pytest.mark.parametrize("listen", ["h:99999", "h:\u00b2", "h:" + "9" * 5000, "h:-1", ":8080", "h8080"])
def test_listen_addresses_with_a_bad_port_are_config_errors(listen: str) -> None:
    with pytest.raises(ConfigError, match="HOST:PORT"):
        parse_listen(listen)
