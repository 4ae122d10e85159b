"""The terminal summary: per service, a Rich table of endpoints, then sensitive data and findings.

Every cell, title and line that carries traffic-derived text (hosts, paths, methods, auth
schemes, locations, rejection reasons) is a ``Text`` built by ``tracehound._plain.plain``: Rich
never parses it as markup, and control characters are printed as escapes (see ``_plain``).
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tracehound._plain import plain, visible

_SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}
MAX_ROWS = 60


def render_summary(report: dict[str, Any], console: Console) -> None:
    s = report["summary"]
    run = report.get("run", {})
    console.print(
        f"[bold]Tracehound[/bold]: {s['transactions']} transactions ({run.get('transactions', 0)} this run, "
        f"{s['rejected']} rejected), {s['services']} services, {s['endpoints']} endpoints, {s['findings']} findings"
    )
    for service in report["services"]:
        table = Table(title=plain(service["name"]), title_justify="left", expand=False)
        for col, justify in (
            ("method", "left"),
            ("path", "left"),
            ("count", "right"),
            ("2xx/4xx/5xx", "right"),
            ("p95 ms", "right"),
            ("auth", "left"),
            ("sensitive", "left"),
            ("risk", "right"),
        ):
            table.add_column(col, justify=justify)  # type: ignore[arg-type]
        endpoints = sorted(service["endpoints"], key=lambda e: (-e["risk"]["score"], e["path"]))
        for ep in endpoints[:MAX_ROWS]:
            st = ep["status"]
            klass = [sum(n for code, n in st.items() if code.startswith(d)) for d in "245"]
            lat = ep["latency_ms"]["p95"] if ep["latency_ms"] else None
            # Credentials in the Authorization header are the auth column's business.
            sens = sorted({x["type"] for x in ep["sensitive"] if x["location"] != "request.header.authorization"})
            path = plain(ep["path"])
            if ep["origin"] != "observed":
                path.append(f" ({visible(ep['origin'])})", style="dim")
            table.add_row(
                plain(ep["method"]),
                path,
                str(ep["count"]),
                "/".join(map(str, klass)),
                "-" if lat is None else f"{lat:.1f}",
                plain(",".join(a.split(":")[0] for a in ep["auth"]) or "-"),
                plain(", ".join(sens) or "-"),
                str(ep["risk"]["score"]),
            )
        if len(endpoints) > MAX_ROWS:
            table.caption = f"{len(endpoints) - MAX_ROWS} more endpoints in the JSON/HTML report"
        if endpoints:
            console.print(table)
        _assets_line(service, console)
    findings = report["findings"]
    if findings:
        table = Table(title="Findings", title_justify="left")
        for col in ("severity", "type", "owasp", "endpoint", "location", "count"):
            table.add_column(col, overflow="fold")
        for f in findings[:MAX_ROWS]:
            table.add_row(
                plain(f["severity"], _SEVERITY_STYLE.get(f["severity"], "")),
                plain(f["type"]),
                plain(f["owasp"] or "-"),
                plain(f"{f['method']} {f['service']}{f['path']}"),
                plain(f["location"]),
                str(f["count"]),
            )
        if len(findings) > MAX_ROWS:
            table.caption = f"{len(findings) - MAX_ROWS} more findings in the JSON/HTML report"
        console.print(table)
    if run.get("rejected"):
        console.print(Text.assemble((f"{run['rejected']} entries rejected", "yellow"), "; first reasons:"))
        for r in run.get("rejections", [])[:5]:
            console.print(plain(f"  {r['source']} entry {r['index']}: {r['reason']}"))


def _assets_line(service: dict[str, Any], console: Console) -> None:
    """Assets and pages left out of the endpoint table (``--include-assets`` lists them)."""
    assets = service.get("assets") or []
    if not assets or any(ep.get("kind", "api") != "api" for ep in service["endpoints"]):
        return
    counts = ", ".join(f"{a['count']} {a['family']}" for a in assets)
    line = plain(f"{service['name']}: assets and pages not listed ({counts} requests); --include-assets lists them")
    line.stylize("dim")
    console.print(line)
