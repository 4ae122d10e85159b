"""Deployment files checked as far as this machine allows (no docker or helm): YAML, structure, references."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tracehound.cli.main import cli

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
CHART = DEPLOY / "helm" / "tracehound"
COMMANDS = set(cli.commands)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    doc = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    assert isinstance(doc, dict)
    return doc


def test_compose_runs_the_whole_cluster(compose: dict[str, Any]) -> None:
    services = compose["services"]
    nats = [name for name, s in services.items() if str(s.get("image", "")).startswith("nats:")]
    assert len(nats) == 3
    assert str(services["postgres"]["image"]).startswith("postgres:")
    assert services["analyzer"]["deploy"]["replicas"] == 2
    assert services["worker"]["deploy"]["replicas"] >= 2
    assert services["collector"]["deploy"]["replicas"] >= 2
    for role in ("collector", "worker", "analyzer", "api"):
        command = services[role]["command"]
        assert command[0] == role and command[0] in COMMANDS
        assert "--listen" in command


def test_compose_nats_nodes_route_to_each_other_with_jetstream(compose: dict[str, Any]) -> None:
    services = compose["services"]
    names = [n for n in services if n.startswith("nats")]
    for name in names:
        command = services[name]["command"]
        assert "-js" in command
        routes = command[command.index("--routes") + 1]
        assert {f"nats://{other}:6222" for other in names if other != name} == set(routes.split(","))


def test_compose_services_share_the_replicated_bus_and_the_store(compose: dict[str, Any]) -> None:
    env = compose["services"]["worker"]["environment"]
    assert "replicas=3" in env["TRACEHOUND_SERVER__BUS"]
    assert all(f"nats{i}:4222" in env["TRACEHOUND_SERVER__BUS"] for i in (1, 2, 3))
    assert env["TRACEHOUND_SERVER__STORE"].startswith("postgresql://")
    for dep in compose["services"]["worker"]["depends_on"]:
        assert dep in compose["services"]


def test_dockerfile_runs_tracehound_unprivileged() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["tracehound"]' in text
    assert re.search(r"^USER \d+", text, re.M)
    assert "/healthz" in text


def test_dockerfile_installs_the_versions_ci_tested() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^COPY [^\n]*constraints\.txt", text, re.M)
    assert re.search(
        r"pip install [^\n]*--prefix=/install -c constraints\.txt --build-constraint constraints\.txt \.$", text, re.M
    )


def test_chart_metadata() -> None:
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert chart["apiVersion"] == "v2"
    assert chart["name"] == "tracehound"
    assert re.fullmatch(r"\d+\.\d+\.\d+", chart["version"])


def _values_paths(node: Any, prefix: str = "") -> set[str]:
    out = {prefix} if prefix else set()
    if isinstance(node, dict):
        for key, value in node.items():
            out |= _values_paths(value, f"{prefix}.{key}" if prefix else key)
    return out


def test_every_value_a_template_uses_is_defined() -> None:
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    defined = _values_paths(values)
    used: set[str] = set()
    for template in (CHART / "templates").iterdir():
        used |= set(re.findall(r"\.Values\.([A-Za-z0-9_.]+)", template.read_text()))
    assert used, "templates use values"
    assert sorted(used - defined) == []


@pytest.mark.parametrize("name", ["collector", "worker", "analyzer", "api"])
def test_each_role_has_a_deployment_with_probes_on_its_port(name: str) -> None:
    text = (CHART / "templates" / f"{name}.yaml").read_text()
    assert "kind: Deployment" in text
    assert f'args: ["{name}", "--listen"' in text and name in COMMANDS
    assert "path: /healthz" in text and "path: /readyz" in text
    assert "TRACEHOUND_SERVER__STORE" in (CHART / "templates" / "_helpers.tpl").read_text()


def test_templates_have_balanced_actions_and_parse_once_actions_are_removed() -> None:
    for template in (CHART / "templates").glob("*.yaml"):
        text = template.read_text()
        assert text.count("{{") == text.count("}}"), template.name
        # Render-free check: with every action replaced by a scalar, each document is YAML.
        plain = re.sub(r"^\s*\{\{-?.*?-?\}\}\s*$", "", text, flags=re.M)
        plain = re.sub(r"\{\{-?.*?-?\}\}", "x", plain)
        for doc in yaml.safe_load_all(plain):
            if doc is not None:
                assert {"apiVersion", "kind", "metadata"} <= set(doc), template.name
