"""What a request field is for, judged from its name: the context a signature hit is weighed in.

A value means different things in different fields. A password or a free-text message may hold
any character (``$``, ``;``, ``'``, ``{{``), so only high-confidence attack structures count
there; a field named ``callbackUrl`` or ``image`` is expected to hold an absolute URL, so a public
URL in it is normal, while the same URL in ``x`` or in an include-style parameter (``file``,
``page``, ``template``) is how remote file inclusion arrives. The name is the last key of the
location (``request.body.items[].imageUrl`` -> ``imageurl``), which is what API schemas name.

Everything here is a pure function of the location string, memoized: the engine asks once per
distinct location.
"""

from __future__ import annotations

import re
from enum import Enum
from functools import lru_cache

__all__ = ["Role", "address_data", "expects_url", "field_name", "holds_sql", "includes_files", "navigates", "role_of"]


class Role(Enum):
    """How freely a field's value may be formed."""

    PLAIN = "plain"
    """Identifiers, enums, numbers, names: every signature applies."""
    FREE = "free"
    """Passwords, secrets and prose: only high-confidence structures apply."""


_SPLIT = re.compile(r"[.\[\]]+")
_SECRET = re.compile(r"passw|passwd|pwd|secret|passphrase|pass$|^pin$|credential|private_?key|signature")
_FREE_TEXT = re.compile(
    r"^(?:message|msg|comment|comments|description|desc|note|notes|body|text|bio|biography|about|title|"
    r"subject|summary|content|caption|reason|instructions|details|remarks|feedback|review|story|"
    r"headline|excerpt|abstract|quote|reply|answer|question|memo|status_?text|display_?name|"
    r"q|query|search|search_?term|term|keywords?|filter|"
    r"script|code|snippet|source_?code|expression|expr|formula|markdown|html|css|graphql|"
    r"(?:\w*_)?(?:message|comment|description|note|notes|text|bio|title|subject|summary|reason|"
    r"instructions|content|caption))$|(?:message|comment|description|notes?|text|bio|title|subject|summary|"
    r"reason|instructions|caption|remarks|feedback)$"
)
_URL_WORDS = re.compile(
    r"ur[il]s?$|url|uri|href|link|callback|hook|redirect|image|img|photo|picture|logo|icon|avatar|thumb|"
    r"media|video|audio|poster|banner|cover|favicon|website|webpage|homepage|site|web$|endpoint|domain|"
    r"host|server|return|feed|target|destination|routing|proxy|location|bookmark|issuer|audience|origin|"
    r"referr?er|resource|download|attachment|playlist|stream|schema|whitelist|allowlist|allowed|\$id|\$ref|namespace|^ns$|jwks|openid|"
    r"avatar|repo|source|src|^(?:next|prev|previous|first|last|self|related|canonical|alternate)$"
)
_INCLUDE_WORDS = re.compile(
    r"^(?:file|filename|files|page|pg|include|inc|require|template|tpl|tmpl|path|dir|folder|doc|document|"
    r"root|module|mod|load|conf|config|cfg|layout|view|show|cat|lang|language|style|skin|theme|class|"
    r"plugin|lib|library|action|content_?path|base_?path|abs_?path|absolute_?path|\w*_path|\w*path|"
    r"\w*_dir|\w*_root|\w*_file|\w*_include|\w*_conf)$"
)


@lru_cache(maxsize=16384)
def field_name(location: str) -> str:
    """The last key of a location, lower-cased (``request.body.a[].imageUrl`` -> ``imageurl``),
    numeric keys skipped (``icons.32`` -> ``icons``); empty for path segments and whole bodies,
    whose names the client does not choose."""
    if location.startswith("request.path.") or location == "request.body":
        return ""
    for prefix in ("request.query.", "request.cookie.", "request.header.", "request.body."):
        if location.startswith(prefix):
            location = location[len(prefix) :]
            break
    parts = [p for p in _SPLIT.split(location) if p and not p.isdigit()]
    return parts[-1].lower() if parts else ""


@lru_cache(maxsize=16384)
def role_of(location: str) -> Role:
    """``FREE`` for password, secret and free-text fields, else ``PLAIN``."""
    if location.startswith("request.header."):
        return Role.FREE if location[15:] in ("authorization", "proxy-authorization") else Role.PLAIN
    name = field_name(location).replace("-", "_")
    if name and (_SECRET.search(name) or _FREE_TEXT.search(name)):
        return Role.FREE
    return Role.PLAIN


@lru_cache(maxsize=16384)
def includes_files(location: str) -> bool:
    """An include-style parameter (``file``, ``page``, ``template``, ``mosConfig_absolute_path``):
    one a server may hand to ``include``/``require``/``open``, where a remote URL is inclusion."""
    name = field_name(location).replace("-", "_")
    return bool(name) and not re.search(r"url|uri|href|link", name) and bool(_INCLUDE_WORDS.match(name))


@lru_cache(maxsize=16384)
def expects_url(location: str) -> bool:
    """A field whose name says it holds a URL (``callbackUrl``, ``href``, ``image``, ``redirect_uri``)."""
    name = field_name(location).replace("-", "_")
    return bool(name) and bool(_URL_WORDS.search(name)) and not includes_files(location)


_SQL_FIELD = re.compile(r"^(?:sql|sql_?query|sql_?text|sql_?statement|statement|raw_?sql)$")
_NAVIGATION = re.compile(
    r"redirect|return|^next$|^continue$|success|cancel|failure|^back|goto|^dest(?:ination)?$|logout|post_?login"
)


@lru_cache(maxsize=16384)
def holds_sql(location: str) -> bool:
    """A field whose name says it carries SQL on purpose (``sql``, ``statement``): a query API
    executes it by design, so SQL in it is the payload, not an injection."""
    return bool(_SQL_FIELD.match(field_name(location).replace("-", "_")))


@lru_cache(maxsize=16384)
def navigates(location: str) -> bool:
    """A browser-navigation parameter (``redirect_uri``, ``return_to``, ``next``, ``cancel_url``):
    the server sends the browser there instead of fetching it, so a ``localhost`` target is a
    developer's OAuth client, not a request forgery (an off-site one is an open redirect)."""
    return bool(_NAVIGATION.search(field_name(location).replace("-", "_")))


_ADDRESS_DATA = re.compile(
    r"(?:^|_)(?:ips?|ipv[46]|ip_?address(?:es)?|cidrs?|subnets?|gateway|netmask|mask|dns|nameservers?|network|"
    r"prefix|(?:private|public|local|remote|client|source|creator|peer|nat|psu|user|device|customer|end_?user)_?ip"
    r"(?:_?address)?|bind_?address|listen_?address)$"
)


@lru_cache(maxsize=16384)
def address_data(location: str) -> bool:
    """A field that records an address as data (``client_ip``, ``subnet``, ``PSU-IP-Address``):
    a private address there describes a network, the server does not connect to it."""
    return bool(_ADDRESS_DATA.search(field_name(location).replace("-", "_")))
