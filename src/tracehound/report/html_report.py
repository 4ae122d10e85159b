"""A self-contained HTML report (inline CSS, no scripts, no external resources); every value escaped."""

from __future__ import annotations

from html import escape
from typing import Any

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#1f2328;background:#fff}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:.9rem}
th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}
code{font-family:ui-monospace,monospace;font-size:.85rem}
.sev-critical,.sev-high{color:#b00020;font-weight:600}.sev-medium{color:#9a6700}.sev-low{color:#0969da}
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #d0d7de;border-radius:6px;padding:.6rem 1rem}
.card b{display:block;font-size:1.4rem}.muted{color:#656d76}
td.ev{min-width:14rem;max-width:30rem;overflow-wrap:anywhere}td.ev code{white-space:pre-wrap}
"""


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def render_html(report: dict[str, Any]) -> str:
    s = report["summary"]
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        "<meta name=viewport content='width=device-width, initial-scale=1'>",
        "<title>Tracehound report</title><style>",
        _CSS,
        "</style></head><body><h1>Tracehound report</h1><div class=cards>",
    ]
    for label in ("transactions", "rejected", "services", "endpoints", "findings"):
        parts.append(f"<div class=card><b>{_e(s[label])}</b>{label}</div>")
    parts.append("</div>")
    for service in report["services"]:
        parts.append(f"<h2 id='svc-{_e(service['name'])}'>{_e(service['name'])}</h2>")
        parts.append(
            "<table><tr><th>method</th><th>path</th><th>count</th><th>status</th><th>p50/p95/p99 ms</th>"
            "<th>auth</th><th>parameters</th><th>origin</th><th>risk</th></tr>"
        )
        for ep in service["endpoints"]:
            lat = ep["latency_ms"]
            lat_s = "-" if not lat else f"{lat['p50']}/{lat['p95']}/{lat['p99']}"
            status = ", ".join(f"{k}: {v}" for k, v in ep["status"].items())
            params = ", ".join(f"{p['in']}.{p['name']}: {p['type']}" for p in ep["parameters"])
            parts.append(
                f"<tr><td>{_e(ep['method'])}</td><td><code>{_e(ep['path'])}</code></td>"
                f"<td class=num>{_e(ep['count'])}</td><td>{_e(status)}</td><td>{_e(lat_s)}</td>"
                f"<td>{_e(', '.join(ep['auth']))}</td><td>{_e(params)}</td><td>{_e(ep['origin'])}</td>"
                f"<td class=num>{_e(ep['risk']['score'])}</td></tr>"
            )
        parts.append("</table>")
        rows = [(ep, x) for ep in service["endpoints"] for x in ep["sensitive"]]
        if rows:
            parts.append(
                "<h3>Sensitive data</h3><table><tr><th>endpoint</th><th>location</th><th>type</th><th>count</th></tr>"
            )
            for ep, x in rows:
                parts.append(
                    f"<tr><td><code>{_e(ep['method'])} {_e(ep['path'])}</code></td><td><code>{_e(x['location'])}"
                    f"</code></td><td>{_e(x['type'])}</td><td class=num>{_e(x['count'])}</td></tr>"
                )
            parts.append("</table>")
        if service.get("assets"):
            parts.append(
                "<h3>Assets and pages</h3><table><tr><th>kind</th><th>family</th><th>endpoints</th>"
                "<th>requests</th><th>bytes</th></tr>"
            )
            for a in service["assets"]:
                parts.append(
                    f"<tr><td>{_e(a['kind'])}</td><td>{_e(a['family'])}</td><td class=num>{_e(a['endpoints'])}</td>"
                    f"<td class=num>{_e(a['count'])}</td><td class=num>{_e(a['bytes'])}</td></tr>"
                )
            parts.append("</table>")
    parts.append("<h2>Findings</h2>")
    if not report["findings"]:
        parts.append("<p class=muted>No findings.</p>")
    else:
        parts.append(
            "<table><tr><th>severity</th><th>type</th><th>OWASP</th><th>endpoint</th><th>location</th>"
            "<th>count</th><th>clients</th><th>evidence</th></tr>"
        )
        for f in report["findings"]:
            parts.append(
                f"<tr><td class='sev-{_e(f['severity'])}'>{_e(f['severity'])}</td><td>{_e(f['type'])}</td>"
                f"<td>{_e(f['owasp'] or '-')}</td><td><code>{_e(f['method'])} {_e(f['service'])}{_e(f['path'])}"
                f"</code></td><td><code>{_e(f['location'])}</code></td><td class=num>{_e(f['count'])}</td>"
                f"<td>{_e(', '.join(f['clients'][:5]))}</td><td class=ev><code>{_e(f['evidence'])}</code></td></tr>"
            )
        parts.append("</table>")
    run = report.get("run", {})
    if run.get("rejections"):
        parts.append("<h2>Rejected input</h2><table><tr><th>source</th><th>entry</th><th>reason</th></tr>")
        for r in run["rejections"]:
            parts.append(
                f"<tr><td>{_e(r['source'])}</td><td class=num>{_e(r['index'])}</td><td>{_e(r['reason'])}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>\n")
    return "".join(parts)
