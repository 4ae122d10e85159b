"""Server-side template injection: expressions and gadgets of Jinja2, Twig, Freemarker, Velocity,
ERB, Thymeleaf/Spring EL, Smarty, Handlebars and others.

Arithmetic probes (``{{7*7}}``, ``${7*7}``, ``<%= 7*7 %>``, ``#{7*7}``) and known gadget chains
are level 1. Any other ``{{...}}`` or ``${...}`` expression is level 3, and only when it is an
expression: a placeholder holding one plain name (``{{password}}``, ``{{$randomInt}}``,
``${HOME}``, ``{{email-suffix}}``) is what mail templates, Postman collections and i18n strings
send every day; operators, calls, filters and attribute access are what a probe sends.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tracehound.detectors.base import PARAMS, Part, RequestDetector, Signature
from tracehound.model import DetectionType, Severity

_ARITH = r"\s*[\d\"']+\s*[*+\-/%]\s*[\d\"']+\s*"


class SstiDetector(RequestDetector):
    type = DetectionType.SSTI
    severity = Severity.HIGH

    def signatures(self) -> Sequence[Signature]:
        return (
            Signature(
                "arith_probe",
                rf"\{{\{{{_ARITH}\}}\}}|\$\{{{_ARITH}\}}|#\{{{_ARITH}\}}|\*\{{{_ARITH}\}}|<%={_ARITH}%>|\{{{_ARITH}\}}|\{{\{{={_ARITH}\}}\}}|\[\[{_ARITH}\]\]|@\({_ARITH}\)|\$\{{\{{{_ARITH}\}}\}}",
            ),
            Signature(
                "python_gadget",
                r"\{\{.{0,200}?(?:__class__|__mro__|__subclasses__|__globals__|__builtins__|__import__|__init__|__base__|__getitem__|\|\s*attr\s*\(|lipsum|cycler|joiner|namespace|config\.items|request\.application|url_for|get_flashed_messages|self\._templatereference|self\._module)",
            ),
            Signature(
                "jinja_block",
                r"\{%\s*(?:import|include|set|for|if|macro|raw|print|extends|block|with|debug|call|filter)\b[^%]{0,200}%\}",
            ),
            Signature(
                "twig_gadget",
                r"_self\s*\.\s*env|registerundefinedfiltercallback|getfilter\s*\(|\|\s*(?:filter|map|reduce|sort)\s*\(\s*['\"](?:system|exec|passthru|shell_exec)|\{\{[^}]*\|\s*e\s*\(\s*['\"]",
            ),
            Signature(
                "freemarker_gadget",
                r"<#(?:assign|list|if|include|import|macro|function|setting)\b|freemarker\.template\.utility\.(?:execute|objectconstructor|jythonruntime)|\?new\s*\(\s*\)|\?api\b|\$\{\s*\w+\s*\?\s*(?:new|api|eval|interpret)\b",
            ),
            Signature(
                "velocity_gadget",
                r"#set\s*\(\s*\$\w+\s*=|\$class\s*\.\s*(?:inspect|type)|#foreach\s*\(|\$\{?\w+\.getclass\s*\(\s*\)",
            ),
            Signature(
                "el_gadget",
                r"[$#*@]\{[^}]{0,200}?(?:\bt\s*\(\s*java\.|getclass\s*\(|forname\s*\(|getruntime|\.exec\s*\(|new\s+java\.|@java\.|beanfactory|classloader|#request|#response|#session|#application)",
            ),
            Signature("thymeleaf_preprocess", r"__\s*[$*#@]\{[^}]*\}\s*__"),
            Signature(
                "erb_tag",
                r"<%=?\s*(?:system|exec|eval|`|file\.|io\.|dir\.|process|require|%x|\w+\.(?:send|read|open))|<%=[^%]{0,120}%>",
            ),
            Signature(
                "smarty_tag",
                r"\{(?:php|/php|literal|fetch\s|include\s+file=|system\s*\(|exec\s*\(|math\s+equation=|self::|\$smarty\.)",
            ),
            Signature(
                "handlebars_gadget",
                r"\{\{#with\s+[\"']?\w*[\"']?\s+as\s*\||\{\{#(?:each|with|lookup)\b[^}]*(?:constructor|__proto__|this\.push|sub\.apply)",
            ),
            Signature(
                "template_probe_word",
                r"\{\{\s*(?:config|self|request|settings|g|session|range|dict|lipsum|cycler)\s*(?:\}\}|\.|\|)",
                level=2,
                parts=PARAMS | {Part.RAW_BODY},
            ),
            Signature(
                "expression",
                r"\{\{[^}]{1,200}\}\}|\$\{[^}]{1,200}\}|#\{[^}]{1,200}\}|<%[^%]{1,200}%>",
                level=3,
                parts=PARAMS,
            ),
        )

    def confirm(self, signature: Signature, matched: str, text: str, location: str) -> bool:
        if signature.name == "expression":
            inner = (m.group(1) or m.group(2) or "" for m in _EXPRESSIONS.finditer(text))
            return any(_PLACEHOLDER.fullmatch(expr) is None for expr in inner)
        return True


_EXPRESSIONS = re.compile(r"\{\{([^}]{1,200})\}\}|(?:[$#]\{|<%)([^}%]{1,200})(?:\}|%>)")
_PLACEHOLDER = re.compile(r"\s*[$@#]?[\w-]+\s*")
