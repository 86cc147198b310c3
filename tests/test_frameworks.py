"""The suite run on real Flask and Bottle: the findings are asserted exactly.

These are the frameworks' real behaviours as the suite records them. A change here means either the
suite or the framework changed: both deserve a look before the expectation is edited.
"""

import pytest

from conformance import spec

IMPL = {k: "informational" for k, r in spec.requirements().items() if r.level == "IMPL"}

# What the fixed cases find (deterministic). The generated cases are asserted separately below.
FLASK_FINDINGS = {
    **IMPL,
    "BUILD-001": "fail",  # url_for(revNo=1e-05) writes '/rev/1e-05', which its own float rejects
    "CANON-007": "fail",  # /<int(max=9):n>/ : GET /12 redirects to /12/, which is then a 404
    "CONV-FLOAT-006": "non-strict",  # Werkzeug's \\d matches Unicode digits ('٣.5' -> 3.5)
    "CONV-INT-005": "non-strict",  # ... and for int ('٣' -> 3)
    "UNI-004": "non-strict",  # invalid UTF-8 replaced with U+FFFD and served
}

BOTTLE_FINDINGS = {
    **IMPL,
    "BUILD-001": "fail",  # get_url(revNo=1e-05) writes '/rev/1e-05', which its float filter rejects
    "BUILD-002": "fail",  # get_url leaves '?' and '#' unquoted
    "CANON-001": "non-strict",  # no trailing-slash redirect
    "CANON-003": "non-strict",
    "CONV-FLOAT-002": "fail",  # '1.2.3' and '.' answered 400, not 404
    "CONV-FLOAT-003": "non-strict",  # '42' accepted as 42.0
    "CONV-FLOAT-004": "non-strict",  # negatives accepted
    "CONV-FLOAT-006": "non-strict",
    "CONV-INT-003": "fail",  # negatives accepted
    "CONV-INT-005": "non-strict",
    "METH-005": "non-strict",  # no automatic OPTIONS
    "ROUTE-009": "non-strict",  # registration order wins over converter type
    "UNI-004": "non-strict",
}


@pytest.mark.parametrize("name, findings", [("flask", FLASK_FINDINGS), ("bottle", BOTTLE_FINDINGS)])
def test_framework_findings(run_suite, name, findings):
    pytest.importorskip(name)
    run_suite(f"--adapter={name}", "-k", "not test_properties").assert_findings(name, findings)


def test_generated_cases_find_bottles_precedence_bug_minimal(run_suite):
    """Bottle matches dynamic routes in registration order: the properties find it and shrink it."""
    pytest.importorskip("bottle")
    run = run_suite("--adapter=bottle", "-k", "test_ROUTE_precedence", subprocess=True)
    assert run.outcomes("bottle")["ROUTE-006"] == "fail"
    evidence = run.adapter("bottle")["requirements"]["ROUTE-006"]["failures"][-1]
    assert len(evidence["rules"].splitlines()) == 2  # two rules ...
    assert evidence["request"].count(" ") == 1  # ... and one request, e.g. "GET /0/0"


def test_every_requirement_is_checked_on_reference(run_suite):
    run = run_suite("--adapter=reference")
    outcomes = run.outcomes("reference")
    assert set(outcomes) == set(spec.requirements())
    assert run.result.ret == 0
    bad = {k: v for k, v in outcomes.items() if v not in ("pass", "informational")}
    assert bad == {}
    # IMPL requirements are exactly the informational ones
    assert {k for k, v in outcomes.items() if v == "informational"} == {
        k for k, r in spec.requirements().items() if r.level == "IMPL"}


def test_several_adapters_parametrise_one_run(run_suite):
    pytest.importorskip("flask")
    run = run_suite("--adapter=reference", "--adapter=flask", "-k", "TUT_00")
    run.result.assert_outcomes(passed=14)
    assert [a["adapter"] for a in run.data["adapters"]] == ["reference", "flask"]


def test_failure_names_requirement_request_and_reproduction(run_suite):
    pytest.importorskip("bottle")
    run = run_suite("--adapter=bottle", "-k", "CONV_INT_003")
    out = run.result.stdout.str()
    for line in [
        "CONV-INT-003 (MUST) not met: `int` does not match negative numbers by default",
        "SPEC.md#CONV-INT-003",
        "request:  GET /blog/-1",
        "expected: 404",
        "actual:   200 OK blog(postID=int -1)",
        "reproduction:",
        "@app.route('/blog/<postID:int>', method=['GET'], name='blog')",
        "TestApp(app).request('/blog/-1'",
    ]:
        assert line in out, line
    evidence = run.adapter("bottle")["requirements"]["CONV-INT-003"]["failures"][0]
    assert evidence["request"] in ("GET /blog/-1", "GET /blog/-555")
    assert "import bottle" in evidence["reproduction"]


def test_reproduction_runs_and_shows_the_divergence():
    """The reproduction in a failure is a program that really shows the failure."""
    pytest.importorskip("bottle")
    import contextlib
    import io

    from adapters.bottle import BottleAdapter
    from conformance.model import AppModel, Request, rule

    code = BottleAdapter().reproduction(AppModel.of(rule("/blog/<int:postID>", "blog")), Request("/blog/-1"))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<reproduction>", "exec"), {})
    assert out.getvalue().startswith("200 OK")
    assert '"int", "-1"' in out.getvalue()
