"""SQL injection: tautologies, UNION queries, stacked statements, time delays, SQL functions.

Level 1 holds structures that do not occur in ordinary input (``' or 1=1``, ``union select``,
``sleep(``, ``information_schema``); level 2 adds SQL functions called with a parenthesis and
boolean comparisons without a quote; levels 3-4 add bare operators and runs of SQL punctuation,
which CRS keeps at its higher paranoia levels for the same reason: prose and IDs produce them too.
Patterns run on decoded views where ``/**/`` comments are already spaces.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tracehound.detectors._roles import holds_sql
from tracehound.detectors.base import PARAMS, Part, RequestDetector, Signature
from tracehound.model import DetectionType, Severity

_Q = r"[\"'`´’‘]"
_OPS = r"(?:=|<=>|<>|!=|<=?|>=?|\blike\b|\brlike\b|\bregexp\b|\bis\b|\bin\b|\bbetween\b|\bsounds\s+like\b)"
_BOOL = r"(?:\bor\b|\band\b|\bxor\b|\bnot\b|\|\||&&|\bdiv\b)"

# Functions whose names are not English words: a call is SQL.
_FUNCS_STRONG = (
    "ascii|bin|benchmark|bit_length|cast|ceil|ceiling|char_length|character_length|char|chr|coalesce|compress|"
    "concat|concat_ws|connection_id|conv|convert|current_user|current_database|curdate|curtime|database|db_name|"
    "dbms_\\w+|decode|elt|encode|export_set|extractvalue|field|find_in_set|floor|from_base64|geometrycollection|"
    "get_lock|group_concat|gtid_subset|hex|ifnull|inet_aton|instr|isnull|json_extract|json_keys|last_insert_id|lcase|"
    "load_file|locate|lpad|ltrim|make_set|md5|mid|multipoint|name_const|nullif|nvl|oct|octet_length|ord|"
    "pg_sleep|polygon|position|quote|rand|randomblob|release_lock|repeat|replace|reverse|rpad|rtrim|schema|sha1|sha2|"
    "sleep|soundex|space|sqlite_version|strcmp|substr|substring|substring_index|sys_context|system_user|session_user|"
    "to_base64|trim|ucase|uncompress|unhex|updatexml|user|utl_\\w+|uuid|version|xmltype|exp|abs|cos|sin|tan|pi|pow|"
    "power|sqrt|ln|log|log2|log10|now|sysdate|utc_date|greatest|least|isnull|unicode|nchar|stuff|datalength|"
    "cot|radians|degrees|atan|atan2|asin|acos|crc32|sign|truncate|round|avg|count|sum|max|min|std|stddev|variance"
)
# Functions that are also words; only a call with SQL-looking arguments is trusted at level 2.
_FUNCS_WORDS = (
    "date|day|default|format|if|in|insert|left|right|length|local|lower|upper|minute|month|year|hour|second|"
    "password|time|week|values|case|exists|mod|any|all|some|not|iif|choose|cdate"
)


class SqliDetector(RequestDetector):
    type = DetectionType.SQLI
    severity = Severity.HIGH

    def signatures(self) -> Sequence[Signature]:
        return (
            # --- level 1: unmistakable SQL structures
            Signature("union_select", r"\bunion\b[\s(/*!]*(?:all|distinct)?[\s(/*!]*\(?\s*select\b"),
            Signature(
                "quote_tautology",
                rf"{_Q}\s*\)*\s*{_BOOL}\s*\(?\s*{_Q}?[\w.@]*{_Q}?\s*{_OPS}",
            ),
            # A number after the boolean, then no letter: "D'or 1st" is prose, "' or 1=1" is not.
            Signature("quote_bool_number", rf"{_Q}\s*\)*\s*{_BOOL}\s+\d+(?:[^\w]|$)"),
            Signature("number_tautology", rf"\b\d+\s*\)*\s+{_BOOL}\s+{_Q}?\d+{_Q}?\s*{_OPS}\s*{_Q}?\d"),
            # "#/" after a quote is a JSON pointer ("$ref": "#/components/..."), not a MySQL comment.
            Signature("quote_comment", rf"{_Q}\s*\)*\s*;?\s*(?:--|#(?:[^/]|$)|/\*|;\s*%00)"),
            Signature(
                "stacked",
                r";\s*(?:drop|insert|update|delete|select|create|alter|truncate|exec|execute|declare|shutdown|grant|revoke|rename|replace|merge|call|set\s+@)\b",
            ),
            Signature(
                "time_delay",
                r"\b(?:sleep|benchmark|pg_sleep|randomblob|dbms_lock\.sleep|dbms_pipe\.receive_message)\s*\(",
            ),
            Signature("waitfor", r"\bwaitfor\b\s*(?:delay|time)\b"),
            Signature(
                "schema_tables",
                r"\b(?:information_schema|pg_catalog|pg_shadow|pg_user|sysobjects|syscolumns|sysdatabases|msysaccessobjects|mysql\.user|sqlite_master|all_tables|user_tables|dba_users|sys\.objects)\b",
            ),
            Signature(
                "mssql_procs",
                r"\b(?:xp_cmdshell|xp_dirtree|xp_regread|xp_\w+|sp_password|sp_executesql|sp_oacreate|sp_makewebtask|sp_addsrvrolemember|openrowset|opendatasource|msdasql|sqloledb)\b",
            ),
            Signature("exec_proc", r"\bexec(?:ute)?\b[\s(]+(?:master\b|xp_|sp_|immediate\b|@)"),
            Signature(
                "into_file", r"\binto\s+(?:out|dump)file\b|\bload_file\s*\(|\bload\s+data\s+(?:local\s+)?infile\b"
            ),
            Signature("mysql_comment", r"/\*!\d*\s*\w"),
            Signature(
                "system_vars",
                r"@@(?:version|datadir|hostname|basedir|servername|identity|spid|language|global|session)\b",
            ),
            Signature(
                "error_based",
                r"\b(?:extractvalue|updatexml|xmltype|name_const|exp\s*\(\s*~|polygon|multipoint|geometrycollection|gtid_subset|json_keys)\s*\(\s*[\w(@'\"~]",
            ),
            Signature("char_concat", r"\b(?:char|chr|nchar)\s*\(\s*\d+\s*\)\s*(?:\|\||\+|,|\bchar\b|\bchr\b)"),
            Signature(
                "select_from",
                r"\bselect\b[\s(]*(?:\*|\w+\s*\(|null\b|\d+\s*,|@@|0x[0-9a-f]+|distinct\b|top\s+\d|[\w`\"\[\].]+(?:\s*,\s*[\w`\"\[\].]+)+\s+from\b)",
            ),
            Signature(
                "select_from_table",
                r"\bselect\b\s+[\w`\"\[\].*,\s]{1,80}?\s+from\s+[\w`\"\[\].]+\s+(?:where|limit|order|group|union)\b",
            ),
            Signature("insert_into", r"\binsert\s+into\s+[\w`\"\[\].]+\s*(?:\(|values\b|select\b)"),
            Signature("delete_from", r"\bdelete\s+from\s+[\w`\"\[\].]+\s+where\b"),
            Signature("update_set", r"\bupdate\s+[\w`\"\[\].]+\s+set\s+[\w`\"\[\].]+\s*="),
            Signature(
                "drop_table",
                r"\b(?:drop|truncate|alter|create)\s+(?:table|database|schema|user|procedure|function|view|index|trigger)\b",
            ),
            Signature("case_when", r"\bcase\b\s*\(?\s*when\b.{0,80}?\bthen\b|\)\s*when\s+\d+\s+then\b"),
            Signature(
                "order_by_number",
                r"\b(?:order|group)\s+by\s+(?:\d+|[\w`\"]+\s*(?:--|#|asc\b|desc\b|,|\)|limit\b|procedure\b|having\b))",
            ),
            Signature(
                "procedure_analyse",
                r"\bprocedure\s+analyse\b|\bdeclare\s+@|\bdeclare\s+\w+\s+(?:varchar|nvarchar|int|cursor)\b",
            ),
            Signature(
                "hex_concat",
                r"\b(?:concat|concat_ws|group_concat)\s*\(\s*(?:0x[0-9a-f]+|char\s*\(|chr\s*\(|@@|\(?\s*select\b)",
            ),
            Signature(
                "quote_or_quote",
                rf"{_Q}\s*(?:\|\||\bor\b|\band\b|\+|&&)\s*\(?\s*(?:select|sleep|benchmark|if|case|char|chr|concat|ascii|substr|substring|extractvalue|updatexml)\b",
            ),
            Signature("if_sleep", r"\bif\s*\(.{0,60}?(?:sleep|benchmark|pg_sleep)\s*\("),
            Signature("like_quote", rf"{_Q}\s*\)*\s*(?:like|rlike|regexp|sounds\s+like)\s+{_Q}"),
            Signature("having", r"\bhaving\b\s+\d+\s*[=<>]|\bhaving\s+\w+\s*\("),
            Signature("execute_immediate", r"\bexecute\s+immediate\b|\bexec\s*\(\s*@"),
            Signature("subquery_assign", r"[=(]\s*\(\s*select\b|\bset\s+@@?\w+|@\w*\s*\.?=\s*\(\s*select\b"),
            Signature(
                "utl_packages",
                r"\butl_(?:http|inaddr|smtp|file|tcp|encode)\b|\bdbms_(?:pipe|lock|xmlgen|java|scheduler)\b",
            ),
            Signature(
                "statement_comment",
                r"\b(?:drop|select|insert|delete|update|union|exec|alter|truncate)\b[^;\n]{0,60};\s*(?:--|#)",
            ),
            # --- level 2: functions and comparisons, where a word could be mistaken for SQL
            Signature("sql_function", rf"\b(?:{_FUNCS_STRONG})\s*\(", level=2, parts=PARAMS),
            Signature(
                "sql_function_word",
                rf"\b(?:{_FUNCS_WORDS})\b\s*\(\s*(?:[\d'\"`@(]|select\b|null\b|\w+\s*[,=(])",
                level=2,
                parts=PARAMS,
            ),
            Signature(
                "bool_compare",
                rf"(?:^|[\s()'\"`=/]){_BOOL}\s*\(?\s*[\w'\"`.@]+\s*(?:=|!=|<>|<=?|>=?|==)",
                level=2,
                parts=PARAMS,
            ),
            Signature(
                "js_bool_compare",
                r"(?:\|\||&&)\s*\(?\s*!*\w*\s*(?:!==?|===?|=\s*!|\(|=\s*['\"(])",
                level=2,
                parts=PARAMS,
            ),
            Signature(
                "quote_compare",
                rf"{_Q}\s*(?:=|!=|<>|<|>)\s*{_Q}?\s*\d|{_Q}\s*\d+\s*{_Q}\s*=\s*{_Q}",
                level=2,
                parts=PARAMS,
            ),
            Signature(
                "as_from",
                r"(?:\)|`|'|\"|\b\d+|!)\s*as\b\s*[\w`'\"\[\]]*\s+from\b|\bas\b\s+\S+\s+from\s+\w+\s*(?:where|limit|order|group)\b",
                level=2,
                parts=PARAMS,
            ),
            Signature(
                "from_limit",
                r"\bfrom\b\s*[\w`\"\[\].]+\s+(?:where\b.*|order\s+by\b.*|group\s+by\b.*)?\blimit\b",
                level=2,
                parts=PARAMS,
            ),
            Signature(
                "from_subquery",
                r"\bfrom\s*\(\s*select\b|\bfrom\s+[\w`\"\[\].]+\s+where\s+[\w`\"\[\].]+\s*(?:=|like|in|is)\b",
                level=2,
                parts=PARAMS,
            ),
            Signature("in_list", r"\bin\s*\(\s*(?:select\b|[\d'\"]+\s*[,)])", level=2, parts=PARAMS),
            Signature("is_null", r"\bis\s+(?:not\s+)?null\b|\blike\s+null\b", level=2, parts=PARAMS),
            Signature("order_by", r"\b(?:order|group)\s+by\b", level=4, parts=PARAMS),
            Signature(
                "quote_alter",
                rf"{_Q}\s*(?:alter|union|select|insert|update|delete|drop|create|exec|shutdown)\b",
                level=2,
                parts=PARAMS,
            ),
            Signature("select_word", r"[;'\"`(]\s*select\s+[\w*(@'\"`]", level=2, parts=PARAMS),
            Signature(
                "hex_literal",
                r"\b(?:select|concat|char|unhex|where|and|or|=)\s*\(?\s*0x[0-9a-f]{4,}|\\0x[0-9a-f]+",
                level=2,
                parts=PARAMS,
            ),
            Signature("like_quote_open", rf"\blike\s+{_Q}|\)\s*like\s*\(", level=2, parts=PARAMS),
            Signature(
                "backtick_ident",
                r"`\s*[*+\-/]\s*\d|`[\w.]+`\s*(?:\.|as\b|from\b|where\b|limit\b|=)|^`\w+`$",
                level=2,
                parts=PARAMS,
            ),
            Signature(
                "quote_list",
                rf"^{_Q}\s*{_Q}?\s*,\s*(?:{_Q}\s*{_Q}\s*,\s*)*\d+\s*$|{_Q}\s*\d+\s*[*]\s*\d+|{_Q}\s*`\s*[*]",
                level=2,
                parts=PARAMS,
            ),
            Signature("bare_quotes", r"^\s*(?:''|\"'|'\"|\"\"|'\s*'\s*\d|\"\s*!\s*\"?|'\s*!`)", level=2, parts=PARAMS),
            Signature(
                "db_names",
                r"\b(?:mysql|mssql|oracle|postgres|sqlite|msdb|tempdb|master|northwind)\.\.?\w+|\bdbo\.",
                level=2,
                parts=PARAMS,
            ),
            Signature(
                "quote_breakout_shell", r"[\"'`]\s*[|;]\s*[a-z/%]|^\s*`[^`]+`\s*$|`[^`]{1,40}``", level=2, parts=PARAMS
            ),
            Signature("bool_quoted_number", rf"\b(?:and|or)\s+{_Q}\d+{_Q}", level=2, parts=PARAMS),
            Signature("number_equals", r"(?:^|[\s,'\"(])\d+\s*!?=\s*\d+\s*$", level=2, parts=PARAMS),
            Signature(
                "system_databases",
                r"\b(?:tempdb|msdb|northwind|schema_name|table_name|column_name|sysusers|syslogins)\b",
                level=2,
                parts=PARAMS,
            ),
            Signature("execute_word", r"\bexec(?:ute)?\s*(?:\(|\s+\w)", level=2, parts=PARAMS),
            # --- level 3: bare operators and keywords, noisy in prose
            Signature(
                "bare_operator",
                r"^\s*(?:<=>|!=|<>|>=|<=|>>|<<|\|\||&&|\bxor\b|\brlike\b|\bregexp\b|\bnot\s+between\b)\s*$",
                level=3,
                parts=PARAMS,
            ),
            Signature("sql_operator", r"(?:<=>|\bxor\b|\brlike\b|\bregexp\b|\bsounds\s+like\b)", level=3, parts=PARAMS),
            # A dangling boolean after a value ("1' or", "x_R AND "), not the enum value "or"; the
            # sentence "rock and" is in a free-text field, where level-3 signatures do not apply.
            Signature(
                "trailing_bool",
                rf"(?:{_Q}|\))\s*(?:or|and|xor)\s*\(?\s*$|\S\s+(?:or|and|xor)\s*\(?\s*$|^\s*--\s*\w",
                level=3,
                parts=PARAMS,
            ),
            Signature(
                "function_open",
                rf"\b(?:{_FUNCS_WORDS}|quarter|time|user|version|values|ln)\W{{0,5}}\(\s*$",
                level=3,
                parts=PARAMS,
            ),
            Signature(
                "cookie_punct_run",
                r"(?:[~!@#$%^&*()\-+={}\[\]|:;\"'`<>][^~!@#$%^&*()\-+={}\[\]|:;\"'`<>]{0,3}){8}",
                level=3,
                parts=frozenset({Part.COOKIE}),
            ),
            Signature("quote_then_digits", r"^\s*[\"'`][\s\]\[:,\";}]*\d", level=3, parts=PARAMS),
            Signature("sql_types", r"\b(?:n?varchar|nchar|varbinary|tinyint|bigint|sysname)\b", level=3, parts=PARAMS),
            Signature("quoted_ident", r"^\s*['`\"][\w-]+['`\"]\s*$", level=3, parts=frozenset({Part.KEY, Part.COOKIE})),
            Signature("semicolon_words", r";\s*;|^\s*;\s*\w+\s+\w+", level=3, parts=PARAMS),
            Signature(
                "sql_keyword_pair",
                r"\b(?:from|where|union|select|insert|delete|drop|exec)\b.{0,40}?\b(?:from|where|limit|into|table|values|select)\b",
                level=4,
                parts=PARAMS,
            ),
            Signature(
                "sql_punct_run",
                r"(?:[~!@#$%^&*()\-+={}\[\]|:;\"'`<>][^~!@#$%^&*()\-+={}\[\]|:;\"'`<>]{0,3}){12}",
                level=3,
                parts=frozenset({Part.QUERY, Part.COOKIE, Part.BODY, Part.PATH}),
            ),
            Signature(
                "sql_punct_short",
                r"(?:[~!@#$%^&*()\-+={}\[\]|:;\"'`<>][^~!@#$%^&*()\-+={}\[\]|:;\"'`<>]{0,3}){6}",
                level=4,
                parts=frozenset({Part.QUERY, Part.COOKIE, Part.BODY}),
            ),
            Signature(
                "sql_words",
                r"\b(?:select|union|insert|delete|drop|exec|execute|alter|create|shutdown|waitfor|declare)\b",
                level=4,
                parts=PARAMS,
            ),
            Signature("sql_single_quote", r"['`]", level=4, parts=frozenset({Part.QUERY, Part.COOKIE})),
        )

    def confirm(self, signature: Signature, matched: str, text: str, location: str) -> bool:
        if holds_sql(location):
            return False
        if signature.name in _PHP_GRAMMAR_SIGNATURES and _PHP_SERIALIZED.fullmatch(text):
            # PHP session data (``a:2:{i:0;s:5:"apple";...}``) is punctuation by its grammar;
            # a quote inside one of its strings still counts (the string class excludes quotes).
            return False
        if signature.name in _PUNCT_RUNS:
            # A JSON or JS object literal in a cookie or parameter is punctuation by its grammar:
            # count the run without the braces, brackets, colons, commas and double quotes. A
            # mask (``************4562``) is one asterisk repeated, not a run of SQL punctuation.
            if text.lstrip()[:1] in "{[":
                text = _JSON_GRAMMAR.sub(" ", text)
            return _PUNCT_RUNS[signature.name].search(_REPEATED.sub(r"\1", text)) is not None
        if signature.name == "quote_then_digits" and _QUOTED_LITERALS.fullmatch(text):
            # '"102"' or '"a", "b"': a value sent JSON-encoded, every quote closed.
            return False
        if signature.name == "sql_function_word":
            # A value that is one call of a word function on a number and nothing else, such as
            # the .NET JSON date ``/Date(1592000000000+0530)/``, has no SQL around it.
            return _LONE_CALL.fullmatch(text) is None
        return True


_PUNCT = r"[~!@#$%^&*()\-+={}\[\]|:;\"'`<>]"
_PUNCT_RUNS = {
    name: re.compile(rf"(?:{_PUNCT}[^~!@#$%^&*()\-+={{}}\[\]|:;\"'`<>]{{0,3}}){{{n}}}")
    for name, n in (("cookie_punct_run", 8), ("sql_punct_run", 12), ("sql_punct_short", 6))
}
_PHP_SERIALIZED = re.compile(r"\s*(?:a:\d+:\{|\}|[ib]:-?\d+;|d:-?[\d.eE+-]+;|N;|s:\d+:\"[^\"'`]*\";)+\s*")
"""PHP ``serialize`` output made of arrays and scalars only (objects are ``insecure_deserialization``)."""
_PHP_GRAMMAR_SIGNATURES = frozenset({"cookie_punct_run", "sql_punct_run", "sql_punct_short", "quote_breakout_shell"})
_JSON_GRAMMAR = re.compile(r"[{}\[\]:,\"]")
_REPEATED = re.compile(r"(\*)\*{2,}")
_QUOTED_LITERALS = re.compile(r"\s*\"[^\"'`]*\"\s*(?:,\s*\"[^\"'`]*\"\s*)*")
_LONE_CALL = re.compile(r"\W{0,2}\w+\s*\(\s*[\d+\-]+\s*\)\W{0,2}")
