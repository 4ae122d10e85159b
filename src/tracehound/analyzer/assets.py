"""API endpoints versus static assets and HTML pages.

Browser HARs are mostly not API traffic: scripts, styles, images, fonts, media and source maps
made up 328 of 739 reported endpoints over 36 public HARs, and their file names became odd
parameters. Every endpoint is classified here as ``api``, ``asset`` or ``page`` so that the
report, OpenAPI and the read API describe the APIs, and count the rest per service. Only the
inventory is filtered: sensitive-data and attack detection still see every transaction.

Each request is judged on its own (`request_kind`) and counted in its profile; an endpoint is
the kind most of its requests were, so a few HTML error pages do not make an API a page. For a
request, the response content type decides; the path extension decides when the content type
is missing or generic (a ``304`` has no body, CDNs serve ``application/octet-stream``). A source
map is served as JSON, so ``.map`` wins over the content type. A request with a body is an API
call, whatever it answers.
"""

from __future__ import annotations

from collections.abc import Iterable

from tracehound.model import BodyKind, Exchange
from tracehound.profiles.endpoint import EndpointProfile

API = "api"
ASSET = "asset"
PAGE = "page"

SCRIPT, STYLE, IMAGE, FONT, MEDIA, SOURCE_MAP, HTML = "script", "style", "image", "font", "media", "source_map", "html"
_GENERIC = "generic"
_FAMILY_KIND = {SCRIPT: ASSET, STYLE: ASSET, IMAGE: ASSET, FONT: ASSET, MEDIA: ASSET, SOURCE_MAP: ASSET, HTML: PAGE}

EXTENSIONS: dict[str, str] = {
    **dict.fromkeys(("js", "mjs", "cjs", "jsx", "wasm"), SCRIPT),
    **dict.fromkeys(("css", "less", "scss"), STYLE),
    **dict.fromkeys(("png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "ico", "bmp", "tif", "tiff", "apng"), IMAGE),
    **dict.fromkeys(("woff", "woff2", "ttf", "otf", "eot"), FONT),
    **dict.fromkeys(("mp4", "webm", "mp3", "ogg", "oga", "ogv", "wav", "m4a", "m4v", "mov", "flac", "aac"), MEDIA),
    **dict.fromkeys(("ts", "m3u8", "mpd", "vtt"), MEDIA),
    "map": SOURCE_MAP,
    **dict.fromkeys(("html", "htm", "xhtml"), HTML),
}
"""Path extensions that name an asset or page family; only these are counted in profiles."""

_SCRIPT_TYPES = frozenset(
    {
        "application/javascript",
        "application/x-javascript",
        "application/ecmascript",
        "text/javascript",
        "text/ecmascript",
        "text/jsx",
        "application/wasm",
    }
)
_FONT_TYPES = frozenset(
    {
        "application/font-woff",
        "application/font-woff2",
        "application/x-font-woff",
        "application/x-font-ttf",
        "application/x-font-otf",
        "application/font-sfnt",
        "application/vnd.ms-fontobject",
    }
)
_MEDIA_TYPES = frozenset({"application/vnd.apple.mpegurl", "application/x-mpegurl", "application/dash+xml"})
_GENERIC_TYPES = frozenset(
    {"", "text", "binary", "text/plain", "application/octet-stream", "binary/octet-stream", "application/unknown"}
)
"""Media types that say nothing (``text`` and ``binary`` are what a body without a content type is counted as)."""


def extension_of(segment: str) -> str | None:
    """The lower-case extension of a path's last segment when it names an asset or page family."""
    dot = segment.rfind(".")
    if dot < 0 or len(segment) - dot > 7:
        return None
    ext = segment[dot + 1 :].lower()
    return ext if ext in EXTENSIONS else None


def media_family(media: str) -> str:
    """``script``, ``style``, ``image``, ``font``, ``media``, ``html``, ``api`` or ``generic``."""
    if media in _SCRIPT_TYPES:
        return SCRIPT
    if media == "text/css":
        return STYLE
    if media in ("text/html", "application/xhtml+xml"):
        return HTML
    if media.startswith("image/"):
        return IMAGE
    if media.startswith("font/") or media in _FONT_TYPES:
        return FONT
    if media.startswith(("audio/", "video/")) or media in _MEDIA_TYPES:
        return MEDIA
    if media in _GENERIC_TYPES:
        return _GENERIC
    return API


def request_kind(ex: Exchange) -> str:
    """One request's kind: ``api``, ``asset/<family>`` or ``page/html`` (what a profile counts)."""
    if ex.request_body.kind is not BodyKind.EMPTY:
        return API
    last = ex.segments[-1] if ex.segments else ""
    ext = extension_of(last) if "." in last else None
    ext_family = EXTENSIONS[ext] if ext is not None else None
    if ext_family == SOURCE_MAP:
        return _KEYS[SOURCE_MAP]
    body = ex.response_body
    family = media_family(body.media_type) if body.kind is not BodyKind.EMPTY else _GENERIC
    if family == API:
        return API
    if family == _GENERIC:
        family = ext_family or API
    return _KEYS.get(family, API)


_KEYS = {family: f"{kind}/{family}" for family, kind in _FAMILY_KIND.items()}


def classify(profile: EndpointProfile) -> tuple[str, str | None]:
    """``(kind, family)`` of an endpoint: the kind most of its requests had.

    ``("api", None)``, ``("asset", "script")``, ``("page", "html")``... A tie goes to ``api``
    (listed rather than hidden), and so does a profile stored before kinds were counted.
    """
    kinds = profile.kinds
    if not kinds:
        return API, None
    best = min(kinds, key=lambda k: (-kinds[k], k != API, k))
    if best == API:
        return API, None
    kind, _, family = best.partition("/")
    return kind, family


def asset_summary(profiles: Iterable[EndpointProfile]) -> list[dict[str, object]]:
    """Per asset or page family: endpoints, requests (``count``) and decoded response ``bytes``.

    Counted by request over the given (asset and page) endpoints: a script endpoint that also
    served its source maps counts both families.
    """
    totals: dict[str, list[int]] = {}
    for profile in profiles:
        for key, n in profile.kinds.items():
            if key == API:
                continue
            row = totals.setdefault(key, [0, 0, 0])
            row[0] += 1
            row[1] += n
            row[2] += profile.kind_bytes.get(key, 0)
    out: list[dict[str, object]] = []
    for key, (endpoints, count, size) in sorted(totals.items()):
        kind, _, family = key.partition("/")
        out.append({"kind": kind, "family": family, "endpoints": endpoints, "count": count, "bytes": size})
    return out
