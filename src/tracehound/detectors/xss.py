"""Cross-site scripting: script-bearing tags, event handlers, script URLs and DOM sinks.

Matched on HTML-entity and URL-decoded views, so ``&lt;script&gt;`` and ``%3Cscript`` read as the
browser would read them. Plain markup (``<b>``, ``<element attr="x">`` in an XML body) is not a
finding; markup that runs code is. A ``javascript:`` scheme counts when code follows it
(``javascript:alert(1)``, ``javascript://%0a...``), not in the sentence "JavaScript: Basics of
JavaScript".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tracehound.detectors._decode import fully_decoded
from tracehound.detectors.base import PARAMS, Part, RequestDetector, Signature
from tracehound.model import DetectionType, Severity

_EVENTS = (
    r"on(?:abort|activate|afterprint|animation\w*|auxclick|before\w+|begin|blur|bounce|canplay\w*|change|click|"
    r"close|contextmenu|copy|cuechange|cut|dblclick|drag\w*|drop|durationchange|end|ended|error|finish|focus\w*|"
    r"formdata|hashchange|input|invalid|key\w+|load\w*|message|mouse\w+|mousewheel|offline|online|page\w+|paste|"
    r"pause|play\w*|pointer\w+|popstate|progress|ratechange|readystatechange|repeat|reset|resize|scroll\w*|search|"
    r"seek\w*|select\w*|show|start|stalled|storage|submit|suspend|timeupdate|toggle|touch\w+|transition\w*|unload|"
    r"volumechange|waiting|wheel|\w+)"
)
_EVENTS_KNOWN = _EVENTS.replace(r"|\w+)", ")")
_SPACED_TAG = "|".join(
    r"\s*".join(tag)
    for tag in (
        "script",
        "form",
        "iframe",
        "svg",
        "object",
        "embed",
        "style",
        "base",
        "link",
        "meta",
        "img",
        "body",
        "frame",
        "applet",
        "math",
    )
)


class XssDetector(RequestDetector):
    type = DetectionType.XSS
    severity = Severity.MEDIUM

    def signatures(self) -> Sequence[Signature]:
        return (
            Signature("script_tag", r"<\s*/?\s*script\b"),
            Signature("event_handler_tag", rf"<[a-z][^>]*?[\s/\"'`]{_EVENTS}\s*="),
            Signature("script_url", r"(?:j\s*a\s*v\s*a|v\s*b|l\s*i\s*v\s*e)\s*s\s*c\s*r\s*i\s*p\s*t\s*:"),
            Signature(
                "active_tag",
                r"<\s*(?:iframe|frame|frameset|object|embed|applet|svg|math|base|link|meta|isindex|xss|vmlframe|import|xml|portal|bgsound|layer|ilayer)\b",
            ),
            Signature(
                "tag_with_src",
                r"<\s*(?:img|image|video|audio|source|input|body|style|table|td|div|a|form|button|details|marquee|select|textarea|keygen|object|embed|html|animate|set)\b[^>]*?\b(?:src|href|data|action|formaction|background|dynsrc|lowsrc|style|srcdoc|xlink:href|values|to|from)\s*=\s*[\"'`]?\s*(?:javascript|vbscript|data|&#|\\\\|/[^/])",
            ),
            Signature(
                "style_expression",
                r"expression\s*\(|-moz-binding\s*:|behavior\s*:\s*url|@import\b|url\s*\(\s*[\"']?\s*javascript",
            ),
            Signature(
                "dom_sink",
                r"\bdocument\s*\.\s*(?:cookie|domain|write\w*|location)|\bwindow\s*\.\s*(?:location|name|open)\b|\b(?:innerhtml|outerhtml)\s*=",
            ),
            Signature(
                "js_call",
                r"\b(?:alert|prompt|confirm|eval|settimeout|setinterval)\s*(?:\(|`)|\bstring\s*\.\s*fromcharcode\b|\batob\s*\(",
            ),
            Signature("data_html", r"data\s*:\s*(?:text/html|image/svg\+xml|application/x?html)"),
            Signature(
                "attribute_break",
                r"[\"'`]\s*(?:on[a-z]{3,}|formaction|srcdoc|xlink:href|background|dynsrc|lowsrc|fscommand|seeksegmenttime)\s*=",
            ),
            Signature(
                "namespace_attr", r"\b(?:xmlns(?::\w+)?|xlink:href|xsi:schemalocation|xhtml:\w+)\s*=", parts=PARAMS
            ),
            Signature("spaced_tag", rf"<[\s\w:$]*?(?:{_SPACED_TAG})\b"),
            Signature(
                "utf7_angle",
                r"\+ad[w4]-",
            ),
            Signature(
                "markup_tags",
                r"<\s*(?:noscript|template|noembed|plaintext|xmp|listing|style|\?import|\?xml-stylesheet)\b|\bimplementation\s*=",
            ),
            Signature("jsfuck", r"!\s*!?\s*\[\s*\]|\(\s*!\s*\[\s*\]", parts=PARAMS - {Part.KEY}),
            Signature(
                "bracket_sink",
                r"\b(?:window|self|top|parent|frames|globalthis|document|this)\s*\[\s*[\"'`]|\(\s*(?:document|window|self|top)\s*\)\s*\[|\[\s*[\"'`](?:alert|cookie|eval|constructor|prompt|confirm)[\"'`]\s*\]",
            ),
            Signature("markup_in_param", r"<\?xml\b|<!doctype\b|<!entity\b", level=2, parts=PARAMS),
            Signature(
                "ie_filter_evasion", r"[\"'`]\s*in\s*[\w.]+\s*=|[\"'`][^\"'`]{0,10}\bvalueof\s*=", level=2, parts=PARAMS
            ),
            Signature("event_attr", rf"(?:^|[\s\"'`;/]){_EVENTS_KNOWN}\s*=", level=2, parts=PARAMS),
            Signature(
                "html_tag",
                r"</?(?:a|abbr|b|i|u|s|p|div|span|img|table|tr|td|th|ul|ol|li|h[1-6]|font|center|br|hr|html|head|body|title|textarea|select|option|button|input|form|label|video|audio|source|picture|canvas|details|summary|dialog|marquee|blink|bgsound|iframe|code|pre|em|strong|small|big|sub|sup|var|kbd|q|blockquote|cite|dfn|del|ins|nav|header|footer|section|article|aside|main|figure|figcaption|mark|time|meter|progress|output|keygen|menu|menuitem|object|param|map|area|track|wbr|ruby|rt|rp|bdi|bdo|data|datalist|fieldset|legend|optgroup|frameset|noframes|isindex|layer|ilayer|basefont|nobr|spacer|multicol|tt|strike|acronym|address|caption|col|colgroup|dd|dl|dt|tbody|tfoot|thead|image)\b[^<>]*>",
                level=2,
                parts=PARAMS,
            ),
            Signature("event_handler", rf"[\s\"'`;/]{_EVENTS}\s*=\s*[\"'`]?\s*[\w$]+\s*[(.=`]", level=2, parts=PARAMS),
            Signature("tag_open", r"<\s*[a-z]+[^>]*\s(?:src|href|style|on\w+)\s*=", level=2, parts=PARAMS),
            Signature(
                "comment_break",
                r"-->\s*<|</\s*(?:title|textarea|style|noscript|template|noembed|iframe)\s*>",
                level=2,
                parts=PARAMS,
            ),
            # An unknown tag counts with an attribute; "<default>" or "<none>" alone is a placeholder.
            Signature("any_tag", r"</?[a-z][a-z0-9]*\s+[a-z-]+\s*=", level=3, parts=PARAMS),
            Signature("angle_paren", r"[<>\"'`]\s*\w+\s*\(", level=4, parts=PARAMS),
        )

    def confirm(self, signature: Signature, matched: str, text: str, location: str) -> bool:
        if signature.name == "script_url":
            at = text.find(matched)
            return at < 0 or _CODE_AFTER_SCHEME.match(fully_decoded(text[at + len(matched) :])) is not None
        return True


_CODE_AFTER_SCHEME = re.compile(r"\s*(?:$|[^\s\w]|[\w$.]+\s*(?:$|[^\s\w,]))")
"""After ``javascript:``: nothing, punctuation, or a name followed by punctuation (``alert(``,
``void(``, ``a=``, ``x.y``), not a word followed by another word."""
