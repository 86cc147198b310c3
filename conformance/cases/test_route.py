"""ROUTE: static routing, 404, dispatch, precedence."""

import pytest

from conformance.handlers import typed
from conformance.harness import requirement
from conformance.model import AppModel, Request, rule
from conformance.verdict import Expectation, found, not_found

SITE = AppModel.of(rule("/", "index"), rule("/hello", "hello"), rule("/hello/world", "world"),
                   rule("/about", "about"))


@requirement("ROUTE-001")
@pytest.mark.parametrize("path, endpoint", [("/hello", "hello"), ("/hello/world", "world")])
def test_ROUTE_001_static_rule_answers_its_path(conformance, path, endpoint):
    conformance.check(SITE, Request(path), found("ROUTE-001", endpoint))


@requirement("ROUTE-002")
@pytest.mark.parametrize("path", ["/nowhere", "/hello/there", "/hellos", "/hell", "/about/us/x"])
def test_ROUTE_002_unmatched_path_is_not_found(conformance, path):
    conformance.check(SITE, Request(path), not_found("ROUTE-002"))


@requirement("ROUTE-003")
def test_ROUTE_003_each_rule_reaches_its_own_view(conformance):
    for path, endpoint in [("/", "index"), ("/hello", "hello"), ("/hello/world", "world"),
                           ("/about", "about")]:
        conformance.check(SITE, Request(path), found("ROUTE-003", endpoint))


@requirement("ROUTE-004")
def test_ROUTE_004_root_rule_answers_root(conformance):
    conformance.check(SITE, Request("/"), found("ROUTE-004", "index"))


@requirement("ROUTE-005")
@pytest.mark.parametrize("path", ["/Hello", "/HELLO", "/hello/World"])
def test_ROUTE_005_static_parts_are_case_sensitive(conformance, path):
    conformance.check(SITE, Request(path), not_found("ROUTE-005"))


@requirement("ROUTE-006")
@pytest.mark.parametrize("static_first", [False, True], ids=["variable-first", "static-first"])
def test_ROUTE_006_static_beats_variable(conformance, static_first):
    rules = [rule("/user/<name>", "user"), rule("/user/me", "me")]
    model = AppModel.of(*(reversed(rules) if static_first else rules))
    conformance.check(model, Request("/user/me"), found("ROUTE-006", "me"))
    conformance.check(model, Request("/user/you"), found("ROUTE-006", "user", {"name": typed("you")}))


@requirement("ROUTE-007")
def test_ROUTE_007_query_string_takes_no_part(conformance):
    conformance.check(SITE, Request("/hello", query="x=1&y=%2F"), found("ROUTE-007", "hello"))
    conformance.check(SITE, Request("/nowhere", query="path=/hello"), not_found("ROUTE-007"))


@requirement("ROUTE-008")
def test_ROUTE_008_repeated_slashes(conformance):
    model = AppModel.of(rule("/a/b", "ab"))
    conformance.check(model, Request("/a//b"), Expectation("ROUTE-008", None))


@requirement("ROUTE-009")
@pytest.mark.parametrize("typed_first", [False, True], ids=["default-first", "typed-first"])
def test_ROUTE_009_typed_converter_beats_default(conformance, typed_first):
    rules = [rule("/x/<name>", "by_name"), rule("/x/<int:id>", "by_id")]
    model = AppModel.of(*(reversed(rules) if typed_first else rules))
    conformance.check(model, Request("/x/5"), found("ROUTE-009", "by_id", {"id": typed(5)}))


@requirement("ROUTE-010")
def test_ROUTE_010_equally_specific_rules(conformance):
    model = AppModel.of(rule("/x/<path:p>", "by_path"), rule("/x/<name>", "by_name"))
    conformance.check(model, Request("/x/a"), Expectation("ROUTE-010", None))
