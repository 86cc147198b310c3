"""VAR: variable parts with the default converter."""

import pytest

from conformance.handlers import typed
from conformance.harness import requirement
from conformance.model import AppModel, Request, rule
from conformance.verdict import Expectation, found, not_found

HELLO = AppModel.of(rule("/hello/<name>", "hello"))


@requirement("VAR-001")
@pytest.mark.parametrize("value", ["kitsonlinetrainings", "a", "42", "1.5", "x-y_z.~"])
def test_VAR_001_default_converter_passes_str(conformance, value):
    conformance.check(HELLO, Request(f"/hello/{value}"), found("VAR-001", "hello", {"name": typed(value)}))


@requirement("VAR-002")
@pytest.mark.parametrize("path", ["/hello/a/b", "/hello/a/"])
def test_VAR_002_default_converter_does_not_match_slash(conformance, path):
    conformance.check(HELLO, Request(path), not_found("VAR-002"))


@requirement("VAR-003")
def test_VAR_003_default_converter_does_not_match_empty(conformance):
    conformance.check(HELLO, Request("/hello/"), not_found("VAR-003"))


@requirement("VAR-004")
def test_VAR_004_several_variables(conformance):
    model = AppModel.of(rule("/post/<year>/<slug>", "post"), rule("/<a>/<b>/<c>", "abc"))
    conformance.check(model, Request("/post/2024/hello-world"),
                      found("VAR-004", "post", {"year": typed("2024"), "slug": typed("hello-world")}))
    conformance.check(model, Request("/x/y/z"),
                      found("VAR-004", "abc", {"a": typed("x"), "b": typed("y"), "c": typed("z")}))


@requirement("VAR-005")
@pytest.mark.parametrize("raw, value", [("a%20b", "a b"), ("100%25", "100%"), ("%2525", "%25"),
                                        ("a%3Fb", "a?b"), ("a%23b", "a#b"), ("%7Euser", "~user")])
def test_VAR_005_percent_decoded_once(conformance, raw, value):
    conformance.check(HELLO, Request(f"/hello/{raw}"), found("VAR-005", "hello", {"name": typed(value)}))


@requirement("VAR-006")
def test_VAR_006_encoded_slash(conformance):
    conformance.check(HELLO, Request("/hello/a%2Fb"), Expectation("VAR-006", None))
