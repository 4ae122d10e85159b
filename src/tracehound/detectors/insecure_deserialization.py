"""Insecure deserialization: serialized objects handed to a server that may rebuild them.

A client has no business sending a Java, pickle, PHP-object, .NET BinaryFormatter or YAML
object-tag payload: the server that deserializes it runs whatever gadget chain the object
names, so the family is ``critical`` like ``command_injection`` (code execution on the server).
A PHP object is ``high``: it needs a class with a useful magic method in the application.

Each format is recognised by its fixed header, not by keywords: Java's stream magic
(``\\xac\\xed\\x00\\x05``, ``aced0005`` in hex, ``rO0AB`` in base64), pickle's protocol opcode
(``\\x80\\x04\\x95`` is ``gASV`` in base64) or a protocol-0 ``GLOBAL`` of a dangerous module
(``cos\\nsystem``), the BinaryFormatter header (``AAEAAAD/////``), a PHP object whose declared
class-name length is the name's length (``O:8:"Example":``; arrays ``a:2:{...}`` and strings
``s:5:"..."`` are what benign PHP cookies hold and fire nothing), and YAML tags that construct
language objects (``!!python/object/apply:``, ``!ruby/object:``). A ViewState is serialized by
design, so only one that decodes to a known gadget type (``ObjectDataProvider``,
``TypeConfuseDelegate``...) counts: that is a forged, MAC-less ViewState.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence

from tracehound.detectors._roles import field_name
from tracehound.detectors.base import ALL_PARTS, PARAMS, Part, RequestDetector, Signature
from tracehound.model import DetectionType, Severity

_PICKLE_MODULES = (
    r"(?:os|posix|nt|subprocess|__builtin__|builtins|commands|pty|socket|platform|importlib|runpy|sys|shutil|"
    r"webbrowser|code|timeit|pickle|marshal|ctypes)"
)

_DOTNET_GADGETS = re.compile(
    rb"ObjectDataProvider|TypeConfuseDelegate|ComparisonComparer|TextFormattingRunProperties|"
    rb"ActivitySurrogateSelector|WindowsIdentity|ClaimsIdentity|ClaimsPrincipal|PSObject|RolePrincipal|"
    rb"SessionSecurityToken|AxHost\+State|DataSet|ObjectStateFormatter|System\.Diagnostics\.Process|"
    rb"AssemblyInstaller|XamlReader|ResourceDictionary"
)
"""Type names of the ysoserial.net gadget chains, as they appear inside a decoded ViewState."""

_PHP_OBJECT = re.compile(r'(?i)\b[oc]:\+?(\d{1,4}):"([A-Za-z_\\\x80-\xff][\w\\\x80-\xff]*)":\+?\d+:\{')
_MAX_VIEWSTATE = 256 * 1024


class InsecureDeserializationDetector(RequestDetector):
    type = DetectionType.INSECURE_DESERIALIZATION
    severity = Severity.CRITICAL

    def signatures(self) -> Sequence[Signature]:
        return (
            # --- Java: the stream magic, raw, in hex and in base64.
            Signature("java_base64", r"(?:^|[^A-Za-z0-9+/])rO0AB[A-Za-z0-9+/_-]{4}", case_sensitive=True),
            Signature("java_hex", r"(?:^|[^0-9a-f])aced0005[0-9a-f]{4}"),
            Signature("java_raw", r"\xac\xed\x00\x05", case_sensitive=True),
            # --- Python pickle: the protocol 2-5 header in base64, or a GLOBAL of a dangerous module.
            Signature(
                "pickle_base64",
                r"(?:^|[^A-Za-z0-9+/])(?:(?:gASV|gAWV|gAJj|gAJ9|gAJd|gANj|gAN9|gANd|gANY|gASL)[A-Za-z0-9+/_-]{8}|KG[Rl]wMAp)",
                case_sensitive=True,
            ),
            Signature(
                "pickle_global",
                rf"(?:^|[\n(.\x00-\x1f\x80-\x9f])c{_PICKLE_MODULES}(?:\n|\\n)[a-z_]\w*(?:\n|\\n)",
                case_sensitive=True,
            ),
            Signature(
                "pickle_reduce_call",
                rf"\x{{8c}}.{_PICKLE_MODULES}\x{{94}}\x{{8c}}.[a-z_]\w*\x{{94}}\x{{93}}",
                case_sensitive=True,
            ),
            # --- PHP: an object (arrays and strings are benign session data).
            Signature(
                "php_object",
                r'\b[oc]:\+?\d{1,4}:"[A-Za-z_\\\x80-\xff][\w\\\x80-\xff]*":\+?\d+:\{',
                severity=Severity.HIGH,
            ),
            # --- .NET: BinaryFormatter header, ViewState with a gadget, Json.NET $type gadgets.
            Signature("dotnet_binaryformatter", r"AAEAAAD/////", case_sensitive=True),
            Signature("dotnet_viewstate", r"^/wE[yP][A-Za-z0-9+/]{16}", parts=PARAMS, case_sensitive=True),
            Signature(
                "dotnet_type_gadget",
                r"[\"']\$type[\"']\s*:\s*[\"'][^\"']*(?:ObjectDataProvider|WindowsIdentity|TextFormattingRunProperties|"
                r"ActivitySurrogateSelector|AssemblyInstaller|XamlReader|System\.Diagnostics\.Process|"
                r"System\.Windows\.Data|ExpandedWrapper)",
            ),
            # --- YAML tags that construct language objects.
            Signature(
                "yaml_object_tag",
                r"!!python/(?:object(?:/(?:apply|new))?|name|module)\s*:|"
                r"!!(?:javax\.script\.ScriptEngineManager|java\.net\.URLClassLoader|com\.sun\.rowset\.JdbcRowSetImpl|"
                r"org\.springframework\.|java\.lang\.ProcessBuilder)|"
                r"!ruby/(?:object|hash|struct|marshal|class|module)\s*:",
                parts=ALL_PARTS - {Part.KEY},
            ),
        )

    def confirm(self, signature: Signature, matched: str, text: str, location: str) -> bool:
        if signature.name == "php_object":
            # PHP reads exactly the declared number of bytes as the class name: a length that
            # does not match is not a serialized object (and would not unserialize).
            return any(int(m.group(1)) == len(m.group(2).encode("utf-8")) for m in _PHP_OBJECT.finditer(text))
        if signature.name == "dotnet_viewstate":
            return field_name(location).lstrip("_") == "viewstate" and _viewstate_gadget(text)
        return True


def _viewstate_gadget(text: str) -> bool:
    """Whether a ``/wE...`` ViewState decodes to an object graph naming a known gadget type."""
    token = re.match(r"[A-Za-z0-9+/=]+", text[:_MAX_VIEWSTATE])
    if token is None:
        return False
    raw = token.group().rstrip("=")
    raw = raw[: len(raw) - len(raw) % 4] if len(raw) % 4 == 1 else raw
    try:
        data = base64.b64decode(raw + "=" * (-len(raw) % 4))
    except (binascii.Error, ValueError):
        return False
    return _DOTNET_GADGETS.search(data) is not None
