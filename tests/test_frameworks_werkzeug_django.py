"""The suite run on raw Werkzeug and on Django: the findings are asserted exactly.

Like ``tests/test_frameworks.py``: these are the frameworks' real behaviours as the suite records
them, one comment per finding saying what the framework does. A change here means the suite or the
framework changed; both deserve a look before an expectation is edited.
"""

import importlib.metadata

import pytest

from conformance import spec

IMPL = {k: "informational" for k, r in spec.requirements().items() if r.level == "IMPL"}

# Raw Werkzeug, written as its tutorial writes an app (no handler for other exceptions): an
# unhandled exception leaves the app and the server answers it, so with debug off there is no
# 500 page of the app's own (DEBUG-003). PEP 3333 allows that; the WSGI-* requirements judge only
# the responses the app gives.
_NO_500 = {"DEBUG-003": "fail"}
WERKZEUG_3_FINDINGS = {
    **IMPL,
    **_NO_500,
    "BUILD-001": "fail",  # build(revNo=1e-05) writes '/rev/1e-05', which its own float rejects
    "CANON-007": "fail",  # /<int(max=9):n>/ : GET /12 redirects to /12/, which is then a 404
    "CONV-FLOAT-006": "non-strict",  # float's \\d matches Unicode digits ('٣.5' -> 3.5)
    "CONV-INT-005": "non-strict",  # ... and int's ('٣' -> 3)
    "METH-005": "non-strict",  # Map has no automatic OPTIONS (Flask adds it): 405
    "UNI-004": "non-strict",  # invalid UTF-8 replaced with U+FFFD and served
}
# Werkzeug 2.1 (before the 2.2 state-machine matcher): CANON-007 passes (the redirect is only
# offered when the slashed URL matches), and its debugger writes the exception message unescaped
# into the page's <title> (a message with '</title><script>' runs in the browser).
WERKZEUG_2_1_FINDINGS = {
    **{k: v for k, v in WERKZEUG_3_FINDINGS.items() if k != "CANON-007"},
    "DEBUG-001": "fail",
}


def werkzeug_findings() -> dict[str, str]:
    major, minor = (int(p) for p in importlib.metadata.version("werkzeug").split(".")[:2])
    if (major, minor) == (2, 1):
        return WERKZEUG_2_1_FINDINGS
    if major == 3:
        return WERKZEUG_3_FINDINGS
    pytest.skip(f"no recorded findings for Werkzeug {major}.{minor}")


def test_werkzeug_findings(run_suite):
    pytest.importorskip("werkzeug")
    findings = werkzeug_findings()
    run = run_suite("--adapter=werkzeug", "-k", "not test_properties")
    assert "fail" in findings.values()  # the run exits 1
    run.assert_findings("werkzeug", findings, header="*wsgi-conformance: werkzeug (Werkzeug *")


def test_werkzeug_3_validation_error_does_not_fall_through(run_suite):
    """Werkzeug >= 2.2: a converter that rejects a value in ``to_python`` (``int(min=1)`` given
    '0') ends matching with a 404 instead of trying the next rule: the properties find it."""
    if not importlib.metadata.version("werkzeug").startswith("3."):
        pytest.skip("Werkzeug 2.1's matcher tries the next rule")
    run = run_suite("--adapter=werkzeug", "-k", "test_routing_agrees_with_oracle and static",
                    subprocess=True)
    assert run.outcomes("werkzeug")["CONV-INT-006"] == "fail"
    evidence = run.adapter("werkzeug")["requirements"]["CONV-INT-006"]["failures"][-1]
    assert evidence["actual"].startswith("404")
    assert "int(min=" in evidence["rules"]


def test_werkzeug_reproduction_is_the_tutorials_app():
    """The source a failure shows is plain Werkzeug: Map/Rule, match(), HTTPException as response."""
    pytest.importorskip("werkzeug")
    from adapters.werkzeug import WerkzeugAdapter
    from conformance.driver import call
    from conformance.model import AppModel, Request, rule

    adapter = WerkzeugAdapter()
    model = AppModel.of(rule("/blog/<int:postID>", "blog"),
                        rule("/about/", "about", registration="imperative", function="show"))
    code = adapter.source(model)
    assert "flask" not in code.lower()
    assert "@expose('/blog/<int:postID>', methods=['GET'])" in code
    assert "url_map.add(Rule('/about/', endpoint='about', methods=['GET']))" in code
    app = adapter.make_app(model)
    assert call(app, Request("/blog/-1")).status == 404
    assert call(app, Request("/about")).status == 308  # RequestRedirect returned as a response
    assert adapter.build_url(app, "blog", {"postID": 3}) == "/blog/3"


# Django 5.2, written as a single-file project (path(), require_http_methods, reverse, CommonMiddleware).
DJANGO_FINDINGS = {
    **IMPL,
    # No float converter: every case whose app needs one records CONV-FLOAT-001/-002 and its own id.
    "CONV-FLOAT-001": "fail", "CONV-FLOAT-002": "fail", "TUT-006": "fail",
    "BUILD-001": "fail",  # ... including building a float URL (the other builds round-trip)
    "CONV-FLOAT-003": "non-strict", "CONV-FLOAT-004": "non-strict", "CONV-FLOAT-006": "non-strict",
    "BUILD-003": "non-strict",  # reverse() raises NoReverseMatch for a value the route does not name
    "METH-004": "fail",  # require_http_methods(['GET']) answers HEAD 405: no automatic HEAD
    "METH-005": "non-strict",  # ... nor OPTIONS
    "ROUTE-006": "fail",  # urlpatterns are tried in order: /<name> listed first wins over /me
    "ROUTE-009": "non-strict",  # ... and over <int:...>
    "UNI-004": "non-strict",  # invalid UTF-8 is re-percent-encoded ('%C3(') and served
}


def test_django_findings(run_suite):
    pytest.importorskip("django")
    run = run_suite("--adapter=django", "-k", "not test_properties", subprocess=True)
    assert "fail" in DJANGO_FINDINGS.values()  # the run exits 1
    run.assert_findings("django", DJANGO_FINDINGS, header="*wsgi-conformance: django (Django 5.2*")


def test_django_reports_the_missing_float_converter_as_not_met(run_suite):
    """Not an adapter error: the requirement is named, with what Django lacks."""
    pytest.importorskip("django")
    run = run_suite("--adapter=django", "-k", "CONV_FLOAT_001", subprocess=True)
    data = run.adapter("django")["requirements"]["CONV-FLOAT-001"]
    assert data["outcome"] == "fail" and "error" not in data["counts"]
    assert data["failures"][0]["actual"] == "the framework has no converter float"
    run.result.stdout.fnmatch_lines(["*CONV-FLOAT-001 (MUST) not met*"])


def test_django_debug_setting_reaches_djangos_error_handling():
    """Two apps in one process, debug on and off: Django's technical 500 page only for the first."""
    pytest.importorskip("django")
    from adapters.django import DjangoAdapter
    from conformance.driver import call
    from conformance.model import AppModel, Handler, Request, rule

    def boom(debug: bool) -> AppModel:
        return AppModel.of(rule("/boom", "boom", handler=Handler("raise", exc_type="CanaryError",
                                                                 message="canary 7f3a")), debug=debug)

    adapter = DjangoAdapter()
    on, off = adapter.make_app(boom(True)), adapter.make_app(boom(False))
    for _ in range(2):  # alternating: each call sees its own app's setting
        debug_page, production = call(on, Request("/boom")), call(off, Request("/boom"))
        assert debug_page.status == 500 and b"canary 7f3a" in debug_page.body
        assert b"Django Version" in debug_page.body  # django.views.debug.technical_500_response
        assert production.status == 500 and b"canary" not in production.body


def test_django_source_is_djangos_own_syntax():
    pytest.importorskip("django")
    from adapters.django import DjangoAdapter
    from conformance.driver import call
    from conformance.model import AppModel, Request, rule

    adapter = DjangoAdapter()
    model = AppModel.of(rule("/item", "get_item"), rule("/item", "post_item", methods=["POST"]),
                        rule("/projects/", "projects"))
    code = adapter.source(model)
    assert "path('item', get_item_by_method, name='get_item')" in code
    assert "@require_http_methods(['GET', 'POST'])" in code
    assert "path('projects/', projects, name='projects')" in code
    app = adapter.make_app(model)
    assert call(app, Request("/item", "POST")).endpoint == "post_item"  # one view, by method
    assert call(app, Request("/projects")).status == 301  # CommonMiddleware's APPEND_SLASH
    assert adapter.build_url(app, "projects", {}) == "/projects/"


def test_django_resolves_the_path_before_the_method(run_suite):
    """The first pattern that matches the path takes the request, and its view answers 405 even
    when a later pattern's view takes the method: the properties find it and shrink it (METH-006)."""
    pytest.importorskip("django")
    run = run_suite("--adapter=django", "-k", "test_routing_agrees_with_oracle and path",
                    subprocess=True)
    assert run.outcomes("django")["METH-006"] == "fail"
    evidence = run.adapter("django")["requirements"]["METH-006"]["failures"][-1]
    assert len(evidence["rules"].splitlines()) == 2
    assert evidence["request"].startswith("POST ") and evidence["actual"].startswith("405")
