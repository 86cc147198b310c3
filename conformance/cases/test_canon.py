"""CANON: unique URLs and the trailing-slash redirect."""

from conformance.harness import requirement
from conformance.model import AppModel, Request, rule
from conformance.verdict import Expectation, found, not_found, redirect

MODEL = AppModel.of(rule("/projects/", "projects"), rule("/about", "about"),
                    rule("/docs/<name>/", "doc"))


@requirement("CANON-001")
def test_CANON_001_redirects_to_trailing_slash(conformance):
    conformance.check(MODEL, Request("/projects"), redirect("CANON-001", "/projects/"))
    conformance.check(MODEL, Request("/docs/intro"), redirect("CANON-001", "/docs/intro/"))
    conformance.check(MODEL, Request("/projects/"), found("CANON-001", "projects"))


@requirement("CANON-002")
def test_CANON_002_redirect_status_code(conformance):
    conformance.check(MODEL, Request("/projects"), Expectation("CANON-002", None))


@requirement("CANON-003")
def test_CANON_003_redirect_keeps_query(conformance):
    conformance.check(MODEL, Request("/projects", query="page=2&q=a%20b"),
                      redirect("CANON-003", "/projects/?page=2&q=a%20b"))


@requirement("CANON-004")
def test_CANON_004_no_slash_rule_with_slash_is_not_found(conformance):
    conformance.check(MODEL, Request("/about/"), not_found("CANON-004"))


@requirement("CANON-005")
def test_CANON_005_redirect_for_a_disallowed_method(conformance):
    conformance.check(MODEL, Request("/projects", "DELETE"), Expectation("CANON-005", None))


@requirement("CANON-006")
def test_CANON_006_redirect_versus_direct_match(conformance):
    model = AppModel.of(rule("/0/", "zero"), rule("/<a>", "any_a"))
    conformance.check(model, Request("/0"), Expectation("CANON-006", None))


@requirement("CANON-007")
def test_CANON_007_no_redirect_to_a_dead_url(conformance):
    conformance.require("converter:int-args")
    model = AppModel.of(rule("/<int(max=9):n>/", "small"))
    conformance.check(model, Request("/12"), not_found("CANON-007"))
    conformance.check(model, Request("/7"), redirect("CANON-001", "/7/"))
