"""File inclusion: PHP and other stream wrappers, and remote script URLs handed to a parameter.

Local wrappers (``php://filter``, ``expect://``, ``data:...;base64,``, ``phar://``) are findings on
their own. A remote URL is only suspicious in particular shapes at level 1 (an IP literal host,
a trailing ``?`` that cuts the server's own suffix, a script extension). APIs pass URLs around
all the time (``callbackUrl``, ``href``, ``image``, ``redirect_uri``), so a plain absolute URL is
judged by the field it is in (``_roles``): in a field whose name says it holds a URL it is normal,
in any other parameter (``x``, ``id``) or in an include-style one (``file``, ``page``,
``template``, ``mosConfig_absolute_path``) it is a level-2 signal, CRS 931130's "off-domain
reference" read with the field's role. That signal is reported at low severity: short names
carry public URLs too (an analytics beacon's ``dl=https://www.expressen.se/``), and nothing in
the value says the server will include it; every shape above stays high.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tracehound.detectors._roles import expects_url, includes_files
from tracehound.detectors.base import PARAMS, Part, RequestDetector, Signature
from tracehound.model import DetectionType, Severity

_REMOTE = r"(?:https?|ftps?|file|smb|webdav|ftp)"


_DATA_FILE = re.compile(
    r"(?i)^\s*\w+://[^?#\s]+\.(?:png|jpe?g|gif|webp|svg|ico|bmp|tiff?|mp[34]|m4[av]|mov|webm|avi|mkv|wav|ogg|flac|"
    r"vtt|srt|pdf|docx?|xlsx?|pptx?|csv|tsv|json|xml|zip|gz|tar|7z|woff2?|ttf|otf|css|epub)(?:[?#][^\s]*)?\s*$"
)
"""A URL to a media or data file (an icon, a caption track, a PDF): what an upload-from-URL ``file``
field or an ``icons.32`` map holds, not code to include. Script extensions stay ``remote_script``."""


class FileInclusionDetector(RequestDetector):
    type = DetectionType.FILE_INCLUSION
    severity = Severity.HIGH

    def signatures(self) -> Sequence[Signature]:
        return (
            Signature(
                "php_wrapper",
                r"\b(?:php|phar|zip|expect|glob|zlib|compress\.zlib|compress\.bzip2|ogg|rar|ssh2(?:\.\w+)?)://",
            ),
            Signature(
                "data_uri",
                r"\bdata\s*:\s*/{0,2}\s*(?:[\w.+-]+/[\w.+-]+)?\s*(?:;\s*[\w-]+(?:=[\w-]+)?)*\s*[;,]\s*(?:base64\s*,|<\?|[\w+/=]{8})",
                parts=PARAMS,
            ),
            Signature("file_url", r"\bfile\s*:\s*/{2,}"),
            Signature("ip_url", rf"^\s*{_REMOTE}\s*:\s*/+\s*\d{{1,3}}(?:\.\d{{1,3}}){{3}}\b", parts=PARAMS),
            Signature("url_trailing_question", rf"^\s*{_REMOTE}\b.*\?+\s*$", parts=PARAMS),
            Signature(
                "remote_script",
                rf"{_REMOTE}://[^\s?#]+\.(?:php\d?|phtml|txt|asp|aspx|jsp|pl|cgi|sh|py|rb|inc|gif\?|jpg\?|png\?)(?:$|\?|\s|%00|\x00)",
                parts=PARAMS,
            ),
            Signature(
                "remote_include_param", r"^\s*(?:https?|ftps?)://[^\s]*(?:\?|&)(?:cmd|exec|command|c|x)=", parts=PARAMS
            ),
            Signature("include_param_url", rf"^\s*{_REMOTE}://[^\s]", parts=PARAMS - {Part.PATH, Part.KEY}),
            Signature(
                "url_in_param",
                rf"^\s*{_REMOTE}://[^\s]",
                level=2,
                parts=PARAMS - {Part.PATH},
                severity=Severity.LOW,
            ),
            Signature("unc_path", r"^\\\\\\\\[\w.-]+\\\\[\w$.-]+", level=2, parts=PARAMS),
        )

    def confirm(self, signature: Signature, matched: str, text: str, location: str) -> bool:
        if signature.name == "include_param_url":
            return includes_files(location) and _DATA_FILE.search(text) is None
        if signature.name == "url_in_param":
            return not expects_url(location) and _DATA_FILE.search(text) is None
        return True
