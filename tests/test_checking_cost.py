"""What issue 9's cheaper checking must not change: the shortcuts (per-model predictor, header-check
memo, echo prefilter, lazy texts) give the answers the plain computation gives."""

from __future__ import annotations

import pytest

from adapters.reference.mutants import load_mutant
from conformance import oracle
from conformance.driver import call
from conformance.handlers import echo, parse_echo
from conformance.model import AppModel, Request, rule
from conformance.results import RequirementResult
from conformance.verdict import Check, Outcome, RequirementNotMet, compare, worst


def _app(headers: list) -> object:
    def app(environ, start_response):
        start_response("200 OK", headers)
        return [b"hi"]
    return app


def test_a_memoised_header_check_still_reports_every_time():
    bad = [("Content-Type", "text/plain; charset=utf-8"), ("Connection", "close"), ("X-A", "é€")]
    first, second = (call(_app(list(bad)), Request("/")) for _ in range(2))
    assert [v.requirement for v in first.violations] == ["WSGI-002", "WSGI-002"]
    assert first.violations == second.violations


def test_a_str_subclass_header_is_checked_on_its_own_not_from_the_memo():
    class Sneaky(str):
        pass

    good = call(_app([("X-Ok", "1")]), Request("/"))
    sneaky = call(_app([(Sneaky("X-Ok"), Sneaky("1\r\nX-Injected: 1"))]), Request("/"))
    assert not good.violations
    assert any("line break" in v.detail for v in sneaky.violations)


def test_the_predictor_is_per_model_object_and_answers_as_a_fresh_one():
    a = AppModel.of(rule("/blog/<int:x>", "post"), rule("/about/", "about"))
    b = AppModel.of(rule("/blog/<int:x>", "post"), rule("/about/", "about"))
    assert a == b and a is not b
    assert oracle.predictor(a) is oracle.predictor(a) and oracle.predictor(a) is not oracle.predictor(b)
    for path in ("/blog/3", "/blog/x", "/about", "/about/", "/nothing", "/BLOG/3", "//"):
        request = Request(path)
        fresh = oracle.Predictor(a)(request)
        assert oracle.predict(a, request) == fresh == oracle.predict(b, request)
        assert tuple(oracle.predict(a, request).blame) == tuple(fresh.blame)


def test_echo_prefilter_only_skips_bodies_that_cannot_be_echoes():
    assert parse_echo(echo("ep", x=1).encode()) == {"wsgi-conformance-echo": 1, "endpoint": "ep",
                                                    "args": {"x": ["int", "1"]}}
    assert parse_echo(b"<h1>Not Found</h1>") is None
    assert parse_echo(b'{"wsgi-conformance-echo": 2}') is None


def test_a_failing_checks_texts_are_rendered_when_read():
    model = AppModel.of(rule("/a", "a"))
    expectation = oracle.predict(model, Request("/a"))
    obs = call(_app([("Content-Type", "text/plain; charset=utf-8")]), Request("/a"))
    check = compare(expectation, obs)[-1]
    assert not check.ok and check.outcome is Outcome.FAIL
    assert check.expected == expectation.describe() == "200 a()"
    assert check.actual == obs.summary() == "200 OK 'hi'"


def test_a_lazy_observation_is_rendered_only_while_there_is_room():
    result = RequirementResult("ROUTE-008")
    rendered = []

    def answer(i: int):
        return lambda: rendered.append(i) or f"answer {i // 2}"

    for i in range(20):
        result.add(Outcome.INFORMATIONAL, "case", observation=answer(i))
    assert result.observations == [f"answer {i}" for i in range(5)]  # distinct, capped
    assert rendered == list(range(9)) and result.counts[Outcome.INFORMATIONAL] == 20
    assert Check("ROUTE-008", True, "x", "y").outcome is Outcome.INFORMATIONAL


# --- check_all's shortcuts judge as compare + conclude do ----------------------------------------
def _judged_one_by_one(harness, model, requests) -> None:
    """The plain way: each request observed, compared and concluded on its own."""
    for request in requests:
        try:
            if request.method == "HEAD":
                harness.check_head(model, request.path)
            else:
                harness.check(model, request, oracle.predict(model, request))
        except RequirementNotMet:
            pass


def _results(adapter, work, judge) -> tuple[dict, Outcome]:
    from conformance.harness import AdapterContext, Harness

    context = AdapterContext(adapter, timeout=10.0)
    harness = Harness(context, "case")
    for model, requests in work:
        judge(harness, model, requests)
    return context.result.to_json()["requirements"], worst(harness.outcomes)


@pytest.mark.parametrize("adapter_name", ["reference", "head_not_automatic", "no_trailing_slash_redirect",
                                          "allow_header_missing", "not_allowed_is_404", "head_returns_body",
                                          "case_insensitive", "charset_missing", "int_passes_str"])
def test_check_all_records_what_judging_each_request_records(adapter_name):
    """Passing checks are counted without Check objects (issue 9): the results must be the same
    as compare + conclude give request by request, for a correct framework and broken ones."""
    from conformance import bench
    from conformance.registry import load

    adapter = load(adapter_name) if adapter_name == "reference" else load_mutant(adapter_name)()
    work = [(model, requests + [Request(r.path, "HEAD") for r in requests if r.method == "GET"])
            for model, requests in bench.workload(adapter.capabilities, 25)]
    fast = _results(adapter, work, lambda h, m, r: h.check_all(m, r, keep_going=True))
    plain = _results(adapter, work, _judged_one_by_one)
    assert fast == plain
    assert sum(r["counts"].get("pass", 0) for r in fast[0].values()) > 100
    if adapter_name != "reference":  # the broken ones: failures recorded alike, with evidence
        assert any(r["outcome"] in ("fail", "non-strict") and r["failures"] for r in fast[0].values())


def test_frozen_maker_makes_what_the_dataclass_makes():
    from conformance.driver import Observation
    from conformance.frozen import maker
    from conformance.verdict import Expectation

    make = maker(Expectation)
    assert make("ROUTE-001", frozenset({200}), endpoint="e", args={}) == \
        Expectation("ROUTE-001", frozenset({200}), endpoint="e", args={})
    assert make("ROUTE-008", None).allow_requirement == "METH-003"  # defaults filled in
    with pytest.raises(TypeError):
        make(status=None)  # no requirement: the TypeError Expectation() raises
    with pytest.raises(TypeError):
        make("ROUTE-001", None, colour="red")
    observation = maker(Observation)(Request("/"), 200, "200 OK", (), b"")
    assert observation == Observation(Request("/"), 200, "200 OK", (), b"")
    with pytest.raises(TypeError):
        maker(RequirementResult)  # a default_factory: not for maker


# --- the driver's one-pass check of a plain response judges as the general checks do -----------
def _responses():
    """Apps answering with plain and not-so-plain responses (what the one-pass check takes and
    what it must hand over to the general checks)."""
    class Sub(str):
        pass

    def app(status, headers, body, exc_info=None, write=None):
        def wsgi(environ, start_response):
            writer = start_response(status, headers, exc_info) if exc_info else start_response(status, headers)
            if write is not None:
                writer(write)
            return body
        return wsgi

    ok = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "2")]
    yield app("200 OK", ok, [b"hi"])
    yield app("200 OK", ok, [b"h", b"i"])
    yield app("200 OK", ok, [b"hi!"])  # Content-Length says 2
    yield app("200 OK", [("Content-Length", "x")], [b"hi"])
    yield app("200 OK", [("Content-Type", "text/html")], [b"<p>"])  # no charset
    yield app("200 OK", [("Content-Type", "text/html")], [])  # no body: no charset needed
    yield app("200", ok, [b"hi"])  # no reason phrase
    yield app("200 OK\r\n", ok, [b"hi"])
    yield app("404 Not Found", [("Connection", "close"), ("X-A", "é€")], [b""])
    yield app("200 OK", [("X-A", "1\r\nX-B: 2")], [b"hi"])
    yield app("200 OK", [["Content-Type", "text/plain"]], [b"hi"])  # a list, not a tuple
    yield app("200 OK", (("Content-Type", "text/plain"),), [b"hi"])  # a tuple of headers
    yield app("200 OK", [(Sub("X-Ok"), Sub("1"))], [b"hi"])
    yield app(Sub("200 OK"), ok, [b"hi"])
    yield app("200 OK", ok, [bytearray(b"hi")])
    yield app("200 OK", ok, [b"h", "i"])
    yield app("200 OK", ok, [b"hi"], exc_info=(ValueError, ValueError("x"), None))
    yield app("200 OK", ok, [b""], write=b"hi")
    yield app("200 OK", [("Content-Length", "2"), ("Content-Length", "3")], [b"hi"])
    yield app("200 OK", [("content-type", "TEXT/PLAIN"), ("Content-Type", "text/plain; charset=utf-8")], [b"x"])


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_the_one_pass_check_of_a_plain_response_judges_as_the_general_checks(method):
    from conformance.driver import _Capture, _observe, _observe_any, environ_for

    for app in _responses():
        request = Request("/a", method)
        captured = _Capture(app, environ_for(request))
        captured.run()
        fast, general = _observe(request, captured, captured.environ), \
            _observe_any(request, captured, captured.environ)
        assert fast == general, (captured.calls, captured.items)
