"""Rejection reasons that quote the input without leaking it.

A reason reaches the console, the reports and the store: text from the input that it quotes
(URLs, header values, fields) is redacted first and cut after, so nothing sensitive in it shows,
not even cut in two. Used by every source.
"""

from __future__ import annotations

import re

from tracehound.model.redaction import mask_digit_runs, redact_text

MAX_REASON_TEXT = 200
"""Characters of input text a rejection reason quotes, at most (after redaction)."""
_REASON_INPUT = 4096
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
_USERINFO = re.compile(r"(//)[^/@]*@")
_PORT_REASON = re.compile(r"invalid port '([0-9]+)'")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text_for_reason(text: str, limit: int = MAX_REASON_TEXT) -> str:
    """``text`` from the input as a rejection reason may quote it: redacted, any run of 12 or
    more digits masked (a number redaction does not recognise, digits glued to others), then
    cut to ``limit`` characters."""
    text = redact_text(text[:_REASON_INPUT])
    return _cut(mask_digit_runs(text), limit)


def url_for_reason(url: str) -> str:
    """``url`` quoted for a rejection reason: at most ``'scheme://host[:port]/path'``, the host
    and path redacted, then what was left out (credentials, query, fragment). The userinfo,
    query and fragment are never shown, nor a port that is not a number."""
    hidden: list[str] = []
    fragment = url.find("#")
    if fragment >= 0:
        url = url[:fragment]
    query = url.find("?")
    if query >= 0:
        size = len(url[query + 1 :].encode("utf-8", "surrogatepass"))
        hidden.append(f"{size}-byte query" if size else "query")
        url = url[:query]
    if fragment >= 0:
        hidden.append("fragment")
    rest = url.lstrip()
    lead = url[: len(url) - len(rest)]
    m = _SCHEME.match(rest)
    scheme = m.group() if m is not None else "//" if rest.startswith("//") else ""
    rest = rest[len(scheme) :]
    slash = rest.find("/")
    authority, path = (rest, "") if slash < 0 else (rest[:slash], rest[slash:])
    if not scheme and "@" not in authority:
        authority, path = "", rest  # a relative reference: all path
    credentials = "@" in authority
    authority = authority.rpartition("@")[2]
    path, found = _USERINFO.subn(r"\1", path)  # "//user:password@" further on, if any
    if credentials or found:
        hidden.insert(0, "credentials")
    if authority.startswith("[") and "]" in authority:
        end = authority.index("]") + 1
        host, port = authority[:end], authority[end:].removeprefix(":")
    else:
        host, _, port = authority.partition(":")
    if port and not (port.isascii() and port.isdigit() and len(port) <= 10):
        port = "***"
        hidden.append("port")
    shown = text_for_reason(lead + scheme + host, 100) + (f":{port}" if port else "")
    shown += text_for_reason(path, max(20, MAX_REASON_TEXT - len(shown)))
    note = f" ({_and(hidden)} not shown)" if hidden else ""
    return f"{shown!r}{note}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def url_error_for_reason(e: Exception) -> str:
    """Why a URL was refused, without the text of the URL: a port is quoted only when it is a
    number, and any other quoted text is redacted."""
    reason = str(e)
    if reason.startswith("invalid port"):
        m = _PORT_REASON.fullmatch(reason)
        if m is None:
            return "invalid port (not a number)"
        return reason if len(m.group(1)) <= 10 else "invalid port (too long)"
    return text_for_reason(reason)
