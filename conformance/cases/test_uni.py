"""UNI: Unicode in URLs (PEP 3333's latin-1 PATH_INFO decoded as UTF-8)."""

import pytest

from conformance.handlers import typed
from conformance.harness import requirement
from conformance.model import AppModel, Request, rule
from conformance.verdict import CLIENT_ERRORS, Expectation, found

MODEL = AppModel.of(rule("/hello/<name>", "hello"), rule("/café", "cafe"),
                    rule("/日本/<path:rest>", "japan"))
NOT_5XX = frozenset(range(200, 500))


@requirement("UNI-001")
@pytest.mark.parametrize("raw, value", [("%C3%A9t%C3%A9", "été"), ("%E6%97%A5%E6%9C%AC", "日本"),
                                        ("%F0%9F%98%80", "😀"), ("Stra%C3%9Fe", "Straße")])
def test_UNI_001_utf8_variable_is_decoded(conformance, raw, value):
    conformance.check(MODEL, Request(f"/hello/{raw}"), found("UNI-001", "hello", {"name": typed(value)}))


@requirement("UNI-002")
def test_UNI_002_non_ascii_static_rule(conformance):
    conformance.check(MODEL, Request("/caf%C3%A9"), found("UNI-002", "cafe"))
    conformance.check(MODEL, Request("/%E6%97%A5%E6%9C%AC/a/b"),
                      found("UNI-002", "japan", {"rest": typed("a/b")}))


@requirement("UNI-003")
@pytest.mark.parametrize("raw", ["%FF", "%C3", "%C3%28", "caf%E9"])
def test_UNI_003_invalid_utf8_is_never_5xx(conformance, raw):
    conformance.check(MODEL, Request(f"/hello/{raw}"), Expectation("UNI-003", NOT_5XX))


@requirement("UNI-004")
@pytest.mark.parametrize("raw", ["%FF", "%C3%28"])
def test_UNI_004_invalid_utf8_is_4xx(conformance, raw):
    conformance.check(MODEL, Request(f"/hello/{raw}"), Expectation("UNI-004", CLIENT_ERRORS))
