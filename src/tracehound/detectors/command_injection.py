"""Command and code injection: Unix and Windows shell, PHP, Java, Node.js, Perl and Ruby payloads.

One family in the report (``command_injection``), several dialects here, mirroring CRS groups
932 (shell), 933 (PHP), 934 (Node/Perl/Ruby) and 944 (Java): a shell command chained after a
separator, a PHP superglobal or dangerous function call, a serialized object, a Java gadget class
or its base64 encoding. Shell patterns also run on a view with quotes, backslashes, carets and
``$@`` removed, which undoes ``c'a't``, ``w\\ho\\am\\i`` and ``who^ami``.

A shell hit needs a command structure: a separator followed by a known command and an argument
that looks like one (a flag, a path, a variable, a number, or nothing), or a substitution.
"; copy should reach us" is a sentence, "; cat /etc/passwd" a command. Structures that one
character of a password can form (``$*``, ``$G(``) do not count in password and free-text fields
(``_roles``).
"""

from __future__ import annotations

from collections.abc import Sequence

from tracehound.detectors._base64 import alternation
from tracehound.detectors.base import PARAMS, Part, RequestDetector, Signature
from tracehound.model import DetectionType, Severity

_SEP = r"(?:[;|&`\n\r]|\$\(|\|\||&&|\bthen\b|\bdo\b)\s*"
_SEP_STRICT = r"(?:[;|`\n\r]|\$\(|\|\||&&)\s*"
_UNIX_STRONG = (
    r"(?:/(?:usr/)?(?:s?bin)/\w+|wget|curl|nc|ncat|netcat|socat|telnet|bash|zsh|ksh|csh|tcsh|dash|sh|"
    r"python[23]?|perl|ruby|php|lua|node|nmap|whoami|uname|ifconfig|ipconfig|netstat|nslookup|"
    r"chmod|chown|chgrp|passwd|useradd|crontab|ping|base64|xxd|hexdump|gawk|xargs|sudo|systemctl|"
    r"nohup|lwp-download|lwp-request|powershell|cmd|tasklist|taskkill|systeminfo|certutil|bitsadmin|"
    r"wmic|mshta|rundll32|regsvr32|cscript|wscript|msiexec)"
)
_UNIX_WORDS = (
    r"(?:cat|tac|nl|ls|id|pwd|rm|cp|mv|mkdir|touch|sleep|echo|printf|env|set|export|kill|killall|pkill|ps|"
    r"top|uptime|tftp|ftp|scp|ssh|od|awk|sed|grep|egrep|find|tar|gzip|gunzip|unzip|eval|exec|su|service|"
    r"head|tail|more|less|sort|uniq|wc|dd|timeout|time|fetch|get|net|reg|dir|type|copy|del|ver|dig|whoami)"
)
_PHP_FUNCS = (
    r"(?:eval|assert|system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|pcntl_fork|create_function|"
    r"call_user_func(?:_array)?|array_map|array_filter|array_walk|array_diff\w*|usort|uasort|preg_replace|"
    r"base64_decode|gzinflate|gzuncompress|gzdecode|bzdecompress|str_rot13|convert_uu\w*|hex2bin|"
    r"file_get_contents|file_put_contents|fopen|fwrite|fputs|fread|file|readfile|include|include_once|"
    r"require|require_once|highlight_file|show_source|phpinfo|posix_\w+|fsockopen|pfsockopen|stream_socket_client|"
    r"curl_init|curl_exec|get_defined_functions|get_defined_vars|ini_set|ini_get_all|putenv|getenv|"
    r"move_uploaded_file|unlink|chmod|chown|mkdir|rmdir|symlink|copy|rename|tempnam|tmpfile|opendir|scandir|"
    r"glob|dl|mail|header|extract|parse_str|unserialize|serialize|var_dump|print_r|var_export|debug_zval_dump|"
    r"chr|ord|strrev|str_replace|substr|gethostbyname|checkdate|chroot|date_add|escapeshellcmd|escapeshellarg|"
    r"error_log|fputcsv|apache_setenv|apache_\w+|ob_start|register_shutdown_function|register_tick_function|"
    r"set_error_handler|set_exception_handler|spl_autoload_register|func_get_args|iterator_apply|"
    r"array_reduce|array_udiff|mb_ereg_replace|ereg_replace|eregi_replace|proc_nice|proc_terminate|"
    r"socket_create|socket_connect|stream_get_contents|filter_var|is_callable|function_exists|"
    r"method_exists|class_exists|get_class_methods|reflectionfunction|session_start|setcookie|exit|die)"
)
_PHP_ALONE = (
    r"(?:base64_decode|bzdecompress|call_user_func(?:_array)?|gzinflate|gzuncompress|gzdecode|shell_exec|"
    r"proc_open|pcntl_exec|popen|passthru|fsockopen|pfsockopen|get_defined_functions|get_defined_vars|"
    r"create_function|str_rot13|convert_uudecode|phpinfo|posix_getpwuid|posix_setuid|posix_\w+|curl_init|"
    r"file_put_contents|move_uploaded_file|stream_socket_client|assert_options|ini_set|escapeshellcmd|"
    r"proc_nice|socket_create|apache_setenv|php_uname|disk_free_space)"
)
_JAVA_CLASSES = (
    r"(?:java\.lang\.(?:runtime|process\w*|reflect|class\w*|system|thread|object|string\w*|integer|number|"
    r"invoke|module|securitymanager)|java\.io\.\w+|java\.net\.(?:url\w*|socket\w*|inet\w*)|java\.nio\.\w+|"
    r"java\.util\.(?:scanner|zip|jar)|java\.beans\.\w+|java\.rmi\.\w+|javax\.script\.\w+|javax\.naming\.\w+|"
    r"javax\.management\.\w+|javax\.xml\.\w+|com\.opensymphony\.xwork2|com\.sun\.(?:org\.apache|rowset|jndi|"
    r"corba|management)|org\.apache\.(?:commons|xalan|struts2?|tomcat|catalina|naming|log4j|velocity|xbean|"
    r"bcel|ibatis)|org\.springframework\.\w+|org\.codehaus\.groovy|org\.omg\.corba|org\.hibernate\.\w+|"
    r"sun\.misc\.\w+|sun\.reflect\.\w+|jdk\.(?:internal|nashorn)|bsh\.interpreter|clojure\.\w+|"
    r"groovy\.lang|ognl\.\w+|@ognl|freemarker\.template)"
)
_GADGETS = (
    b"runtime",
    b"processbuilder",
    b"clonetransformer",
    b"forclosure",
    b"instantiatefactory",
    b"instantiatetransformer",
    b"invokertransformer",
    b"prototypeclonefactory",
    b"prototypeserializationfactory",
    b"whileclosure",
    b"getruntime",
    b"java.lang",
    b"ProcessBuilder",
    b"Runtime",
    b"getRuntime",
    b"InvokerTransformer",
)
_GADGET_WORDS = (
    r"(?:clonetransformer|forclosure|instantiatefactory|instantiatetransformer|invokertransformer|"
    r"prototypeclonefactory|prototypeserializationfactory|whileclosure|chainedtransformer|"
    r"constanttransformer|lazymap|transformedmap|templatesimpl|annotationinvocationhandler|"
    r"badattributevalueexpexception|priorityqueue|xalan\.xsltc)"
)


class CommandInjectionDetector(RequestDetector):
    type = DetectionType.COMMAND_INJECTION
    severity = Severity.CRITICAL

    def signatures(self) -> Sequence[Signature]:
        return (
            # --- shell
            Signature(
                "chained_command",
                rf"{_SEP}{_UNIX_STRONG}(?:\s+[-/\w.$*?~'\"]|\s*$|\s*[;|&`>)<])",
                parts=PARAMS | {Part.HEADER},
            ),
            Signature(
                "chained_word",
                rf"{_SEP_STRICT}{_UNIX_WORDS}(?:\s+(?:[-/.$*?~'\"\\%\d]|\w+(?:[/.*?:\\]|\s*(?:$|[;|&`>)<])))|\s*$|\s*[;|&`>)<])",
                parts=PARAMS | {Part.HEADER},
            ),
            Signature(
                "leading_command", rf"^\s*(?:{_UNIX_STRONG}|{_UNIX_WORDS})\s+(?:-{{1,2}}\w|/\S|\$|~)", parts=PARAMS
            ),
            # Backticks hold a known command or a path; `limit` in a Markdown sentence is code style.
            Signature(
                "command_substitution",
                rf"\$\(\s*[a-z/][\w/.-]*(?:\s[^)]*)?\)|`\s*(?:{_UNIX_STRONG}|{_UNIX_WORDS}|/[\w/.-]+)(?:\s[^`]*)?`",
            ),
            Signature(
                "shell_path",
                r"/(?:usr/(?:local/)?)?s?bin/(?:\w|\?|\*)+|/et[c?*]/(?:\S*p[a?*]s[s?*]w[d?*]|\S*shadow)|/e\?c/|/e\*/",
            ),
            Signature("glob_evasion", r"/[\w?*]*[?*][\w?*]*/[\w?*]*[?*]"),
            Signature("ifs", r"\$\{?ifs\}?"),
            Signature("shell_special_var", r"\$\{[a-z]?\}|\$\{#\w*\}|\$[*@]", free_text=False),
            Signature("redirect_dev", r"[<>]\s*&?\s*/dev/(?:tcp|udp|null|shm)|>\s*/tmp/|\b\d?>&\d|\|\s*(?:ba)?sh\b"),
            Signature(
                "reverse_shell",
                r"\b(?:nc|ncat|netcat)\b[^\n]{0,40}\s-[elnvc]+\b|\bbash\s+-[ic]\b|\bsh\s+-c\b|\bmkfifo\b|\bxterm\s+-display\b",
            ),
            Signature(
                "download_exec",
                r"\b(?:wget|curl|lwp-download|lwp-request|fetch|tftp)\b\s+(?:-\w+\s+)*(?:https?|ftp)://",
            ),
            Signature(
                "windows_for",
                r"\bfor\b\s+(?:/[a-z]\s+)*(?:(?:\"[^\"]*\"|'[^']*')\s+)?(?:[a-z]:\S*\s+)?%%?\S+\s+in\s*\(",
            ),
            Signature(
                "windows_if",
                r"(?:^|[&|;(]|\bdo\b|\belse\b)\s*if\s*(?:/i\s*)?(?:not\s+)?(?:exist\b|defined\b|errorlevel\b|cmdextversion\b|[^\s=]+\s*(?:==|\b(?:equ|neq|lss|leq|gtr|geq)\b)\s*\S+\s+\S)",
            ),
            Signature(
                "windows_shell",
                r"\bcmd(?:\.exe)?\s*/[ckqr]\b|\bpowershell(?:\.exe)?\b[\s\S]{0,40}(?:-(?:enc|e|c|command|nop|w|exec|ep)\b|iex\b|invoke-)|%comspec%|\bnet\s+(?:user|localgroup|share|use)\b|\bcertutil\b.{0,20}-urlcache|\b(?:mshta|rundll32|regsvr32|bitsadmin)\b",
            ),
            Signature("shell_var_concat", r"\$\{\w+(?::[\d-]+)*\}|\$'\\\\x"),
            Signature("ping_flood", r"\bping\s+-[nc]\s+\d+", level=2),
            Signature("chained_any", r"(?:[;|`\n]|\|\||&&|\$\()\s*[a-z]{2,12}\s+[-/]", level=2, parts=PARAMS),
            Signature(
                "command_after_value",
                rf"^\s*[\w.-]+\s*(?:;|\||&&)\s*(?:{_UNIX_STRONG}|{_UNIX_WORDS})\b",
                level=3,
                parts=PARAMS,
            ),
            # --- PHP
            Signature("php_open_tag", r"<\?(?:php\b|=|\s)"),
            Signature(
                "php_superglobal",
                r"\$_\s*(?:server|get|post|cookie|request|files|env|session)\b|\$globals\b|\$http_\w+_vars\b|\$_\s*s\s*e\s*r\s*v\s*e\s*r",
            ),
            Signature("php_call", rf"\b{_PHP_FUNCS}(?:\s|/\*.*?\*/)*\(", parts=PARAMS | {Part.HEADER, Part.RAW_BODY}),
            Signature("php_dangerous_name", rf"{_PHP_ALONE}"),
            Signature(
                "php_variable_call",
                r"@?\$+\s*(?:\{[^}]{0,40}\}|[a-z_][\w]*)(?:\s|/\*.*?\*/|#[^\n]*\n|//[^\n]*\n|\[[^\]]{0,40}\]+|\{[^}]{0,40}\})*\(",
                free_text=False,
            ),
            Signature(
                "php_config",
                r"\b(?:allow_url_(?:fopen|include)|auto_(?:pre|ap)pend_file|disable_functions|open_basedir|safe_mode|register_globals|session\.[a-z_0-9]+|magic_quotes_gpc|suhosin\.\w+|display_errors|error_reporting)\s*=",
            ),
            Signature("php_stream", r"\bphp://(?:stdin|stdout|stderr|input|output|filter|memory|temp|fd)"),
            Signature(
                "php_upload_name",
                r"\.(?:php\d*|phtml|phar|pht|phps|inc)\d*\.*\s*$",
                parts=frozenset({Part.HEADER, Part.KEY, Part.BODY, Part.QUERY}),
            ),
            Signature(
                "php_string_call",
                r"[(\[]{1,3}\s*(?:\(\s*string\s*\)\s*)?[\"']?(?:system|exec|shell_exec|passthru|popen|proc_open|eval|assert|phpinfo|sy\.?)[\"']?\s*[)\]]\s*(?:\[\s*\d+\s*\]\s*)*[({]|\)\s*[{(]\s*(?:/\*.*?\*/\s*)?['\"]?(?:uname|ls|id|whoami|dir|cat)\b|\(\s*string\s*\)\s*[\"'{\[]|\bdefine\s*\(\s*['\"]\w+['\"]\s*,",
            ),
            Signature(
                "php_string_concat_call",
                r"['\"][a-z_]{1,12}['\"]\s*\.\s*['\"][a-z_]{1,12}['\"](?:\s*\.\s*['\"][a-z_]*['\"])*\s*\)?\s*[;(]",
            ),
            Signature(
                "php_function_name_path",
                rf"\b{_PHP_FUNCS}\b\s*(?:\(|%28)",
                level=2,
                parts=frozenset({Part.PATH, Part.KEY}),
            ),
            # --- Node.js, Perl, Ruby
            Signature(
                "node_rce",
                r"_\$\$nd_func\$\$_|__js_function|\bchild_process\b|\brequire\s*\(\s*['\"`](?:child_process|fs|net|vm|os)['\"`]|\bprocess\s*\.\s*(?:mainmodule|binding|dlopen|kill|exit)\b|this\s*\.\s*constructor\s*\.\s*constructor|\bnew\s+function\s*\(|\bfunction\s*\(\s*\)\s*\{|\bmodule\s*\.\s*exports\s*=|\beval\s*\(\s*(?:string\s*\.\s*fromcharcode|atob|buffer)|\bstring\s*\.\s*fromcharcode\s*\(|\bglobal\s*\.\s*process\b|\bdeno\s*\.\s*run\b",
            ),
            Signature(
                "perl_rce",
                r"@\{\s*\[\s*(?:system|exec|qx|`|open|eval)|\b(?:qx|qw)\s*[(\[{/|]|\bopen\s*\(\s*\w+\s*,\s*['\"][|<>]|\bexec\s*\{|\bsystem\s*\(\s*['\"]|\$\{\s*\\\\\s*",
            ),
            Signature(
                "ruby_rce",
                r"\b(?:kernel|io|process|open3|pty|object|file|dir)\s*(?:\.|::)\s*(?:exec|system|spawn|popen\w*|capture\w*|fork|open|eval|instance_eval|class_eval|send|public_send|readlines|read|write|delete)\b|%x\s*[({\[<|]|\b(?:instance|class|module)_eval\b|\.send\s*\(\s*:(?:system|exec|eval)|\berb\.new\b|\byaml\.load\b",
            ),
            # --- Java
            Signature(
                "java_runtime",
                r"\b(?:java\b[^\n]{0,60}\b(?:runtime|processbuilder)|(?:runtime|processbuilder)\b[^\n]{0,60}\b"
                + _GADGET_WORDS
                + r"|getruntime\s*\(\s*\)\s*\.\s*exec|new\s+processbuilder)\b",
            ),
            Signature("java_class", rf"\b{_JAVA_CLASSES}"),
            Signature("java_gadget", rf"\b{_GADGET_WORDS}\b"),
            Signature(
                "java_serialized",
                r"(?:\xac\xed|\x{fffd}{1,2})\x00\x05|\baced0005|(?:^|[^A-Za-z0-9+/])[A-Za-z0-9+/]{0,2}(?:rO0AB|ztAA|s7QAF)",
                case_sensitive=True,
            ),
            Signature("java_gadget_base64", alternation(_GADGETS), case_sensitive=True),
            Signature(
                "java_expression",
                r"\$\{[^}]{0,80}(?:getruntime|getclass\s*\(|forname\s*\(|processbuilder|\.exec\s*\()|%\{[^}]{0,80}(?:#_memberaccess|#context|@java|getruntime|ognl)|#_memberaccess|\bt\s*\(\s*java\.lang",
            ),
            Signature("java_keyword", r"\bprocessbuilder\b", level=3, parts=PARAMS),
        )
