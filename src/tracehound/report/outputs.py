"""Writes the report files a run asked for: JSON, OpenAPI per service, SARIF, HTML."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import msgspec

from tracehound.analyzer.inventory import Inventory
from tracehound.report.html_report import render_html
from tracehound.report.openapi import openapi_document
from tracehound.report.sarif import render_sarif

_ENCODER = msgspec.json.Encoder()
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def to_json(doc: Any) -> bytes:
    return msgspec.json.format(_ENCODER.encode(doc), indent=2) + b"\n"


def write_bytes(target: str | Path, data: bytes) -> None:
    if str(target) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def service_file_name(service: str) -> str:
    return _SAFE_NAME.sub("_", service) or "service"


def write_openapi(directory: Path, inventory: Inventory) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for service, endpoints in inventory.services.items():
        path = directory / f"{service_file_name(service)}.json"
        write_bytes(path, to_json(openapi_document(service, endpoints)))
        written.append(path)
    return written


def write_reports(
    report: dict[str, Any],
    inventory: Inventory,
    json_out: str | None,
    openapi_dir: Path | None,
    sarif_out: str | None,
    html_out: str | None,
) -> None:
    if json_out:
        write_bytes(json_out, to_json(report))
    if openapi_dir is not None:
        write_openapi(openapi_dir, inventory)
    if sarif_out:
        write_bytes(sarif_out, to_json(render_sarif(report)))
    if html_out:
        write_bytes(html_out, render_html(report).encode("utf-8"))
