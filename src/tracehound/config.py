"""One typed settings tree, from a YAML file, ``TRACEHOUND_*`` environment variables and flags.

Unknown keys are an error naming the key, so a misspelt setting never silently does nothing.
Environment variables name a path with double underscores: ``TRACEHOUND_DETECTION__SENSITIVITY=3``.
The file and the variables' values are YAML read within the bounds of ``tracehound._documents``
(nesting, alias expansion), so a hostile file is a ``ConfigError`` naming it, never a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec
import yaml

from tracehound._documents import DocumentError, check_tree, load_yaml
from tracehound.errors import ConfigError

ENV_PREFIX = "TRACEHOUND_"
MAX_CONFIG_BYTES = 1024 * 1024


class TemplateSettings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pin: list[str] = msgspec.field(default_factory=list)
    """Templates that win over inference, e.g. ``/files/{path}``."""
    keep_literal: list[str] = msgspec.field(default_factory=list)
    """Concrete paths that stay endpoints of their own (split), e.g. ``/users/me``."""


class LimitSettings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    max_body_bytes: int = 1024 * 1024
    max_decompressed_bytes: int = 8 * 1024 * 1024
    max_json_depth: int = 64


class SensitiveSettings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    custom_types: list[dict[str, Any]] = msgspec.field(default_factory=list)
    """Each: ``name``, ``pattern``, ``key_hints``, ``validator``, ``confidence``."""


class DetectionSettings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    sensitivity: int | None = None
    """1 (fewest false positives) to 4 (most recall); None picks the measured default."""
    disabled: list[str] = msgspec.field(default_factory=list)
    """Detector ids to switch off."""


DEFAULT_LISTEN = "127.0.0.1:8080"
DEFAULT_STORE_URL = "sqlite:///tracehound.db"
"""What ``serve`` and the ``keys``/``tenants`` commands use when no ``--store`` is given: the same
file, so that ``tracehound serve`` and ``tracehound keys create`` meet on a fresh machine."""


class WebhookSettings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    url: str
    format: str = "json"
    """``json`` (a generic JSON document per finding) or ``slack`` (``{"text": ...}``)."""
    min_severity: str | None = None
    """Overrides ``alerts.min_severity`` for this webhook."""


class AlertSettings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    min_severity: str = "high"
    """New findings at or above this severity are sent (info, low, medium, high, critical)."""
    webhooks: list[WebhookSettings] = msgspec.field(default_factory=list)
    queue_size: int = 1000
    """Alerts waiting for delivery; beyond it new alerts are dropped and counted, never blocking."""
    max_attempts: int = 5
    backoff_s: float = 0.5
    """First retry delay; doubled on each attempt."""
    timeout_s: float = 5.0


class WorkerSettings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    durable: str = "workers"
    """The durable consumer every worker shares (a work-queue stream allows one)."""
    fetch_batch: int = 32
    """Bus messages (collector batches) folded and flushed together."""
    fetch_timeout_s: float = 1.0
    max_backoff_s: float = 5.0
    """Longest wait between store retries while the store is unreachable."""


class AnalyzerSettings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    interval_s: float = 2.0
    lease_ttl_s: float = 5.0
    """A standby takes over at most this long (plus one interval) after the active one dies."""


class ServerSettings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Settings of the services (``serve``, ``collector``, ``worker``, ``analyzer``)."""

    listen: str = DEFAULT_LISTEN
    """HOST:PORT of the HTTP service (for workers and analyzers: health and metrics; empty for none)."""
    bus: str = "memory://"
    store: str = DEFAULT_STORE_URL
    max_batch_bytes: int = 16 * 1024 * 1024
    """Largest request body accepted by ``POST /v1/traffic`` (413 above), as sent."""
    max_decompressed_bytes: int = 32 * 1024 * 1024
    """Decoded-bytes budget of one gzip batch (413 above), decoded in steps, never held past it."""
    max_concurrent_decompressions: int = 2
    """Batches decoding more than 256 KiB of gzip at once; one more gets 503 with Retry-After."""
    max_message_bytes: int = 768 * 1024
    """Batches are split into bus messages of at most this size (NATS' default limit is 1 MiB)."""
    auth_cache_s: float = 5.0
    """How long an accepted key is trusted without asking the store (a revocation takes this long)."""
    log_level: str = "info"
    log_format: str = "text"
    """``text`` (event key=value) or ``json``."""
    worker: WorkerSettings = msgspec.field(default_factory=WorkerSettings)
    analyzer: AnalyzerSettings = msgspec.field(default_factory=AnalyzerSettings)
    alerts: AlertSettings = msgspec.field(default_factory=AlertSettings)


class Settings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    tenant: str = "default"
    templates: TemplateSettings = msgspec.field(default_factory=TemplateSettings)
    limits: LimitSettings = msgspec.field(default_factory=LimitSettings)
    sensitive: SensitiveSettings = msgspec.field(default_factory=SensitiveSettings)
    detection: DetectionSettings = msgspec.field(default_factory=DetectionSettings)
    server: ServerSettings = msgspec.field(default_factory=ServerSettings)
    """Settings of the services (``serve``, ``collector``, ``worker``, ``analyzer``)."""


def _env_tree(environ: Mapping[str, str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX) or key in ("TRACEHOUND_CONFIG",):
            continue
        path = key[len(ENV_PREFIX) :].lower().split("__")
        node = tree
        for part in path[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"environment variable {key} conflicts with another TRACEHOUND_ variable")
        try:
            node[path[-1]] = load_yaml(value) if value else value
        # ValueError covers DocumentError (too deep, alias bomb) and PyYAML's constructors (5,000
        # digits); OverflowError is its chr() of "\U99999999"
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            raise ConfigError(f"environment variable {key}: not valid YAML: {str(exc).splitlines()[0]}") from None
    return tree


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from ``path`` (or ``$TRACEHOUND_CONFIG``), overridden by the environment."""
    environ = os.environ if environ is None else environ
    if path is None and environ.get("TRACEHOUND_CONFIG"):
        path = Path(environ["TRACEHOUND_CONFIG"])
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            text = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the config file: {exc.strerror}") from exc
        if len(text) > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: config file larger than {MAX_CONFIG_BYTES} bytes")
        try:
            loaded = load_yaml(text) or {}
        except DocumentError as exc:  # before ValueError, which it is
            raise ConfigError(f"{path}: config file refused: {exc}") from None
        except (yaml.YAMLError, ValueError, OverflowError) as exc:  # `!!int 0xzz`, 5,000 digits, "\U99999999"
            raise ConfigError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from exc
        if not isinstance(loaded, dict):
            raise ConfigError(f"{path}: the config file must be a mapping of settings")
        raw = loaded
    raw = _deep_merge(raw, _env_tree(environ))
    where = f"{path}: " if path else ""
    try:
        check_tree(raw, MAX_CONFIG_BYTES)  # the file and the environment together
        return msgspec.convert(raw, Settings)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"{where}invalid setting: {exc}") from exc
    except (DocumentError, RecursionError) as exc:
        reason = exc if isinstance(exc, DocumentError) else "nested too deeply"
        raise ConfigError(f"{where}settings refused: {reason}") from None
    except UnicodeEncodeError:
        # PyYAML reads a JSON escape pair (`"\ud83d\ude00"`, as json.dumps writes an emoji) as two
        # lone surrogates, which no setting name can match.
        raise ConfigError(f"{where}a setting name is not valid Unicode (a lone surrogate escape)") from None
