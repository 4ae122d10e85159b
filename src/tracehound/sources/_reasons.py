"""Rejection reasons that quote the input without leaking it.

A reason reaches the console, the reports and the store: text from the input that it quotes
(URLs, header values, fields) is redacted first and cut after, so nothing sensitive in it shows,
not even cut in two. Used by every source.

A URL is quoted by its structure only: ``scheme://host[:port]/path``, never its userinfo, query
or fragment. Each path segment is masked by the rule templating uses (`pipeline.segments`): a
segment that reads as an id, a hash, a date, an email or an opaque token becomes its
placeholder (``/session/{token}``, ``/password-reset/{hex}``), matrix parameters keep their name
only (``;jsessionid=***``), and what is left is redacted, with any secret-looking run inside a
word (``creds_AKIA…``) masked by the same rule. Free text quoted from the input gets the last two.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from tracehound.model.redaction import mask_digit_runs, redact_text
from tracehound.pipeline.segments import placeholder, provisional_segment, segment_kind

MAX_REASON_TEXT = 200
"""Characters of input text a rejection reason quotes, at most (after redaction)."""
_REASON_INPUT = 4096
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
_USERINFO = re.compile(r"(//)[^/@]*@")
_PORT_REASON = re.compile(r"invalid port '([0-9]+)'")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# A tag that redaction wrote (its digest would read as a hex id), else a run of word characters
# that may be a token by itself, or inside it a run of letters and digits that may be one.
_RUN = re.compile(r"(<[a-z_]+:(?:[0-9a-f]{8}|short)>)|[A-Za-z0-9_~+-]{8,}")
_PIECE = re.compile(r"[A-Za-z0-9]{8,}")
_MATRIX_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]{0,31}")


def _piece(m: re.Match[str]) -> str:
    kind = segment_kind(m.group())
    return m.group() if kind is None else placeholder(kind)


def _run(m: re.Match[str]) -> str:
    if m.group(1) is not None:
        return m.group()
    kind = segment_kind(m.group())
    return placeholder(kind) if kind is not None else _PIECE.sub(_piece, m.group())


def mask_runs(text: str) -> str:
    """``text`` with every run that templating would read as an id or a token (a hex hash, a
    base64url token, digits glued to a word) replaced by its placeholder: ``creds_AKIA…`` becomes
    ``{token}``. Redaction's own tags are kept."""
    return _RUN.sub(_run, text)


def _shown(text: str) -> str:
    return mask_digit_runs(mask_runs(redact_text(text)))


def text_for_reason(text: str, limit: int = MAX_REASON_TEXT) -> str:
    """``text`` from the input as a rejection reason may quote it: redacted, any id- or
    token-like run masked (`mask_runs`), any run of 12 or more digits masked (a number
    redaction does not recognise, digits glued to others), then cut to ``limit`` characters."""
    return _cut(_shown(text[:_REASON_INPUT]), limit)


def _segment_for_reason(raw: str) -> str:
    """One path segment as a reason shows it: its templating placeholder when it is a value,
    matrix parameters (``;name=value``) with their values hidden, the rest redacted."""
    base, semi, params = raw.partition(";")
    value = unquote(base, errors="replace")
    # What templating keeps literal (a word, a ``:verb``, a ``.json``) is redacted all the same.
    shown = _shown(provisional_segment(value)) if value else ""
    if semi:
        for param in params.split(";"):
            name, eq, _ = param.partition("=")
            name = unquote(name, errors="replace")
            if not _MATRIX_NAME.fullmatch(name) or segment_kind(name) is not None or _shown(name) != name:
                name = "{str}" if name else ""
            shown += f";{name}" + ("=***" if eq else "")
    return shown


def path_for_reason(path: str) -> str:
    """A URL path as a reason may quote it: each segment masked (`_segment_for_reason`)."""
    return "/".join(_segment_for_reason(seg) for seg in path[:_REASON_INPUT].split("/"))


def url_for_reason(url: str) -> str:
    """``url`` quoted for a rejection reason: at most ``'scheme://host[:port]/path'``, the host
    redacted and the path masked segment by segment (`path_for_reason`), then what was left out
    (credentials, query, fragment). The userinfo, query and fragment are never shown, nor a port
    that is not a number."""
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
    shown += _cut(mask_digit_runs(path_for_reason(path)), max(20, MAX_REASON_TEXT - len(shown)))
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
