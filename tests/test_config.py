"""Settings: one typed tree; unknown keys are errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracehound.config import load_settings
from tracehound.errors import ConfigError


def test_defaults_without_a_file() -> None:
    settings = load_settings(None, environ={})
    assert settings.tenant == "default"
    assert settings.limits.max_body_bytes == 1024 * 1024


def test_file_values_are_read(tmp_path: Path) -> None:
    cfg = tmp_path / "th.yaml"
    cfg.write_text(
        "templates:\n  pin: ['/files/{path}']\n  keep_literal: ['/users/me']\ndetection:\n  sensitivity: 3\n"
    )
    settings = load_settings(cfg, environ={})
    assert settings.templates.pin == ["/files/{path}"]
    assert settings.detection.sensitivity == 3


def test_unknown_key_is_an_error_naming_it(tmp_path: Path) -> None:
    cfg = tmp_path / "th.yaml"
    cfg.write_text("templates:\n  pinned: ['/x']\n")
    with pytest.raises(ConfigError, match="pinned"):
        load_settings(cfg, environ={})


def test_wrong_type_is_an_error(tmp_path: Path) -> None:
    cfg = tmp_path / "th.yaml"
    cfg.write_text("detection:\n  sensitivity: high\n")
    with pytest.raises(ConfigError, match="sensitivity"):
        load_settings(cfg, environ={})


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    cfg = tmp_path / "th.yaml"
    cfg.write_text("detection:\n  sensitivity: 2\n")
    settings = load_settings(cfg, environ={"TRACEHOUND_DETECTION__SENSITIVITY": "4", "TRACEHOUND_TENANT": "acme"})
    assert settings.detection.sensitivity == 4
    assert settings.tenant == "acme"


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    cfg = tmp_path / "th.yaml"
    cfg.write_text("tenant: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(ConfigError):
        load_settings(cfg, environ={})


def test_disabled_detectors_are_switched_off_and_unknown_ids_rejected(tmp_path: Path) -> None:
    from tracehound.pipeline.stages import build_signatures

    cfg = tmp_path / "th.yaml"
    cfg.write_text("detection:\n  disabled: [sqli, bola]\n")
    engine = build_signatures(load_settings(cfg, environ={}))
    assert "sqli" not in engine.detector_ids and "xss" in engine.detector_ids
    cfg.write_text("detection:\n  disabled: [sqlinjection]\n")
    with pytest.raises(ConfigError, match="sqlinjection"):
        build_signatures(load_settings(cfg, environ={}))
    cfg.write_text("detection:\n  sensitivity: 9\n")
    with pytest.raises(ConfigError, match="sensitivity"):
        build_signatures(load_settings(cfg, environ={}))


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_a_deeply_nested_file_is_a_config_error_naming_it(tmp_path: Path, depth: int) -> None:
    cfg = tmp_path / "th.yaml"
    cfg.write_text("limits: " + "[" * depth + "]" * depth + "\n")
    with pytest.raises(ConfigError, match=r"th\.yaml: config file refused: nested deeper than 128 levels"):
        load_settings(cfg, environ={})


def test_a_deeply_nested_environment_value_is_a_config_error_naming_it() -> None:
    environ = {"TRACEHOUND_TENANT": "[" * 50_000 + "]" * 50_000}
    with pytest.raises(ConfigError, match="TRACEHOUND_TENANT: not valid YAML: nested deeper than"):
        load_settings(None, environ=environ)


def test_a_deep_tree_made_of_environment_names_is_a_config_error() -> None:
    environ = {"TRACEHOUND_" + "__".join(["limits"] * 2000): "1"}
    with pytest.raises(ConfigError, match="settings refused: nested deeper than"):
        load_settings(None, environ=environ)
