"""TUT: the tutorial's own programs, with the tutorial's outputs."""

import pytest

from conformance.harness import requirement
from conformance.model import AppModel, Handler, Request, rule
from conformance.verdict import Expectation

OK = frozenset({200})


def text(req: str, body: str) -> Expectation:
    return Expectation(req, OK, body=body.encode("utf-8"))


@requirement("TUT-001", "ROUTE-004")
def test_TUT_001_root_returns_HELLO(conformance):
    model = AppModel.of(rule("/", "hello", handler=Handler("text", "HELLO")))
    conformance.check(model, Request("/"), text("TUT-001", "HELLO"))


@requirement("TUT-002", "ROUTE-001")
def test_TUT_002_hello_returns_hello_world(conformance):
    model = AppModel.of(rule("/hello", "hello", handler=Handler("text", "hello world")))
    conformance.check(model, Request("/hello"), text("TUT-002", "hello world"))


@requirement("TUT-003", "REG-001")
def test_TUT_003_add_url_rule_hello_world(conformance):
    model = AppModel.of(rule("/", "hello", function="hello_world", registration="imperative",
                             handler=Handler("text", "hello world")))
    conformance.check(model, Request("/"), text("TUT-003", "hello world"))


@requirement("TUT-004", "VAR-001")
def test_TUT_004_hello_name(conformance):
    model = AppModel.of(rule("/hello/<name>", "hello_name", handler=Handler("format", "Hello %s!")))
    conformance.check(model, Request("/hello/kitsonlinetrainings"),
                      text("TUT-004", "Hello kitsonlinetrainings!"))


@requirement("TUT-005", "CONV-INT-001")
def test_TUT_005_blog_number(conformance):
    model = AppModel.of(rule("/blog/<int:postID>", "show_blog", handler=Handler("format", "Blog Number %d")))
    conformance.check(model, Request("/blog/555"), text("TUT-005", "Blog Number 555"))


@requirement("TUT-006", "CONV-FLOAT-001")
@pytest.mark.parametrize("value, shown", [("1.1", "1.100000"), ("12.25", "12.250000")])
def test_TUT_006_revision_number(conformance, value, shown):
    model = AppModel.of(rule("/rev/<float:revNo>", "revision", handler=Handler("format", "Revision Number %f")))
    conformance.check(model, Request(f"/rev/{value}"), text("TUT-006", f"Revision Number {shown}"))
