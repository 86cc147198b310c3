"""METH: method dispatch, 405 with Allow, automatic HEAD and OPTIONS."""

import pytest

from conformance.harness import requirement
from conformance.model import AppModel, Request, rule
from conformance.verdict import Expectation, found, method_not_allowed

MODEL = AppModel.of(rule("/read", "read"), rule("/write", "write", methods=["POST"]),
                    rule("/both", "both", methods=["GET", "POST"]),
                    rule("/item", "get_item"), rule("/item", "post_item", methods=["POST"]),
                    rule("/blog/<int:postID>", "blog"))
SUCCESS = frozenset(range(200, 300))


@requirement("METH-001")
@pytest.mark.parametrize("method, path, endpoint", [
    ("GET", "/read", "read"), ("POST", "/write", "write"), ("GET", "/both", "both"),
    ("POST", "/both", "both"),
])
def test_METH_001_declared_methods_answer(conformance, method, path, endpoint):
    conformance.check(MODEL, Request(path, method), found("METH-001", endpoint))


@requirement("METH-002", "METH-003")
@pytest.mark.parametrize("method, path, allow", [
    ("POST", "/read", {"GET"}), ("GET", "/write", {"POST"}), ("DELETE", "/both", {"GET", "POST"}),
    ("PUT", "/item", {"GET", "POST"}), ("POST", "/blog/5", {"GET"}),
])
def test_METH_002_disallowed_method_is_405(conformance, method, path, allow):
    conformance.check(MODEL, Request(path, method), method_not_allowed("METH-002", allow))


@requirement("METH-003")
def test_METH_003_405_carries_allow(conformance):
    exp = Expectation("METH-003", frozenset({405}), allow=frozenset({"GET", "POST"}))
    conformance.check(MODEL, Request("/both", "PATCH"), exp)


@requirement("METH-004")
@pytest.mark.parametrize("path", ["/read", "/both", "/blog/7"])
def test_METH_004_head_is_get_without_body(conformance, path):
    conformance.check_head(MODEL, path)


@requirement("METH-005")
@pytest.mark.parametrize("path, allow", [("/read", {"GET"}), ("/item", {"GET", "POST"}),
                                         ("/write", {"POST"})])
def test_METH_005_automatic_options(conformance, path, allow):
    exp = Expectation("METH-005", SUCCESS, allow=frozenset(allow), allow_requirement="METH-005")
    conformance.check(MODEL, Request(path, "OPTIONS"), exp)


@requirement("METH-006")
def test_METH_006_dispatch_by_method(conformance):
    conformance.check(MODEL, Request("/item", "GET"), found("METH-006", "get_item"))
    conformance.check(MODEL, Request("/item", "POST"), found("METH-006", "post_item"))
