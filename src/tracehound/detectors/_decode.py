"""Normalization of attacker-controlled values into the views that signatures are matched on.

Attackers hide payloads behind encodings that the application will undo before the payload
reaches its sink: URL and double-URL encoding, ``%uXXXX``, HTML entities, ``\\u``/``\\x``
escapes, SQL comments between keywords, whitespace tricks, shell quoting (``c'a't``), base64, and
empty tags that a sanitizer strips (``o<x>nfocus=alert<x>(1)`` is ``onfocus=alert(1)`` after it).
Signatures are written against the decoded text; this module produces the few distinct *views* of
a value that are worth matching, so every family benefits from every decoder.

Every step is linear in the input and bounded in rounds, so a hostile value cannot make it loop.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from urllib.parse import unquote_to_bytes

MAX_VALUE = 256 * 1024
"""Values are cut to this many characters before decoding; payloads sit well inside it."""

MAX_ROUNDS = 4
"""Decoding rounds: enough for double and triple encodings, bounded against hostile nesting."""

MAX_B64_TOKENS = 8

_PCT_U = re.compile(r"%u([0-9a-fA-F]{4})")
_PCT = re.compile(r"%[0-9a-fA-F]{2}")
_ESC = re.compile(r"\\(?:u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2}))")
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]{1,31});?")
_LAX_ENTITY = re.compile(
    r"&(tab|newline|colon|lpar|rpar|sol|bsol|lt|gt|quot|apos|semi|excl|num|period|comma);", re.IGNORECASE
)
_LAX = {
    "tab": "",
    "newline": "",
    "colon": ":",
    "lpar": "(",
    "rpar": ")",
    "sol": "/",
    "bsol": "\\",
    "lt": "<",
    "gt": ">",
    "quot": '"',
    "apos": "'",
    "semi": ";",
    "excl": "!",
    "num": "#",
    "period": ".",
    "comma": ",",
}
_SQL_COMMENT = re.compile(r"/\*(?![!+])[^*]*\*+(?:[^/*][^*]*\*+)*/|/\*!?[0-9]*|\*/")
_WS = re.compile(r"[\s\x00\xa0]+")
_SHELL_NOISE = re.compile(r"[\\'\"^]|\$@|\$\{ifs\}|\$ifs\b", re.IGNORECASE)
_B64_TOKEN = re.compile(r"[A-Za-z0-9+/_-]{12,}={0,2}")
_NEEDS_DECODE = re.compile(r"[%&\\]")
_EMPTY_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]{0,9}\s*/?>")
_NEEDS_COMPACT = re.compile(r"/\*|\*/|\s\s|[\t\n\r\x0b\x0c\x00\xa0]")


def _bytes_to_text(raw: bytes) -> str:
    """UTF-8 when valid, else Latin-1, so no byte is lost (``%ac%ed`` stays visible)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _unescape_js(m: re.Match[str]) -> str:
    code = int(m.group(1) or m.group(2) or m.group(3), 16)
    return chr(code) if code < 0x110000 and not 0xD800 <= code <= 0xDFFF else ""


def _lax_entity(m: re.Match[str]) -> str:
    # Browsers accept named entities case-insensitively in practice; html.unescape does not.
    return _LAX[m.group(1).lower()]


def _safe_chr(m: re.Match[str]) -> str:
    code = int(m.group(1), 16)
    return "" if 0xD800 <= code <= 0xDFFF else chr(code)


def decode_once(text: str) -> str:
    """One round of every decoder whose trigger character is present."""
    if "%" in text:
        if "%u" in text or "%U" in text:
            text = _PCT_U.sub(_safe_chr, text)
        if _PCT.search(text):
            text = _bytes_to_text(unquote_to_bytes(text))
    if "\\" in text:
        text = _ESC.sub(_unescape_js, text)
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(_LAX_ENTITY.sub(_lax_entity, text))
    return _strip_surrogates(text)


def _strip_surrogates(text: str) -> str:
    # html.unescape and chr() can yield lone surrogates, which cannot be encoded for re2.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def fully_decoded(text: str) -> str:
    """Decode until a fixed point, at most ``MAX_ROUNDS`` times."""
    for _ in range(MAX_ROUNDS):
        if not _NEEDS_DECODE.search(text):
            break
        nxt = decode_once(text)
        if nxt == text:
            break
        text = nxt
    return text


def compact(text: str) -> str:
    """SQL comments become spaces, whitespace runs (and NULs) one space."""
    if "/*" in text or "*/" in text:
        text = _SQL_COMMENT.sub(" ", text)
    return _WS.sub(" ", text)


def shell_view(text: str) -> str:
    """Shell evasions undone: quotes, backslashes, carets, ``$@`` and ``$IFS`` removed or spaced."""
    return _WS.sub(" ", _SHELL_NOISE.sub(lambda m: " " if "i" in m.group().lower() else "", text))


def base64_texts(text: str) -> list[str]:
    """Printable texts hidden in base64 tokens of ``text`` (standard or URL-safe alphabet)."""
    out: list[str] = []
    for m in _B64_TOKEN.finditer(text):
        token = m.group().rstrip("=")
        token = token[: len(token) - len(token) % 4] if len(token) % 4 == 1 else token
        try:
            raw = base64.b64decode(
                token + "=" * (-len(token) % 4), altchars=b"-_" if "-" in token or "_" in token else None
            )
        except (binascii.Error, ValueError):
            continue
        if len(raw) < 6:
            continue
        printable = sum(1 for b in raw if 32 <= b < 127 or b in (9, 10, 13))
        if printable >= 0.9 * len(raw):
            out.append(raw.decode("latin-1"))
        if len(out) >= MAX_B64_TOKENS:
            break
    return out


def views(value: str) -> list[str]:
    """The distinct texts to match for one value: as sent, decoded, compacted, shell- and base64-decoded."""
    if len(value) > MAX_VALUE:
        value = value[:MAX_VALUE]
    out = [value]
    decoded = fully_decoded(value) if _NEEDS_DECODE.search(value) else value
    if decoded != value:
        out.append(decoded)
    if _NEEDS_COMPACT.search(decoded):
        packed = compact(decoded)
        if packed not in out:
            out.append(packed)
    if _SHELL_NOISE.search(decoded):
        sv = shell_view(decoded)
        if sv not in out:
            out.append(sv)
    if len(value) >= 12:
        for hidden in base64_texts(value):
            h = fully_decoded(hidden)
            if h not in out:
                out.append(h)
    for text in out[:]:
        if "<" in text and _EMPTY_TAG.search(text):
            bare = _EMPTY_TAG.sub("", text)
            if bare not in out:
                out.append(bare)
    return out
