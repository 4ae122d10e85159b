"""Security misconfiguration: CORS, HSTS, banners, stack traces."""

from __future__ import annotations

import pytest
from behaviour_traffic import Traffic, observe

from tracehound.detectors.security_misconfiguration import _TRACE
from tracehound.pipeline.behaviour import BehaviourEngine


@pytest.mark.parametrize(
    "text",
    [
        "Traceback (most recent call last):",
        'File "/srv/app.py", line 3, in main',
        "\tat com.shop.OrderService.load(OrderService.java:42)",
        'Exception in thread "main" java.lang.NullPointerException',
        "<b>Warning</b>: mysql_fetch_array() in /var/www/html/item.php on line 12",
        "at Object.<anonymous> (/srv/app/index.js:10:5)",
        "goroutine 1 [running]:",
        "SQLSTATE[42000]: Syntax error",
        "ORA-00933: SQL command not properly ended",
        "You have an error in your SQL syntax; check the manual",
        "System.NullReferenceException: Object reference not set",
    ],
)
def test_traces_and_verbose_errors(text):
    assert _TRACE.search(text)


@pytest.mark.parametrize("text", ["Order not found", '{"error": "invalid id"}', "at home at 5 (today)", "Java rocks"])
def test_ordinary_errors_are_not_traces(text):
    assert not _TRACE.search(text)


def test_header_issues_are_logged_once_per_endpoint_per_run():
    engine = BehaviourEngine()
    t = Traffic()
    first = observe(engine, t.add("GET", "/api/x", scheme="https", response={}))
    second = observe(engine, t.add("GET", "/api/x", scheme="https", response={}))
    assert [d.location for d in first] == ["response.header.strict-transport-security"]
    assert second == []


def test_json_error_bodies_are_searched_only_on_errors():
    engine = BehaviourEngine()
    t = Traffic()
    body = {"error": "Traceback (most recent call last): boom"}
    assert observe(engine, t.add("GET", "/api/y", response=body, status=200)) == []
    assert [d.location for d in observe(engine, t.add("GET", "/api/y", response=body, status=500))] == ["response.body"]


def test_traces_inside_json_error_bodies():
    engine = BehaviourEngine()
    body = {"detail": 'File "/srv/app/views.py", line 42, in get', "trace": ['Exception in thread "main"']}
    tx = Traffic().add("GET", "/api/z", response=body, status=500)
    assert [d.location for d in observe(engine, tx)] == ["response.body"]
