"""Issue 7: a hanging, crashing or WSGI-breaking framework never hangs or crashes the suite.

The zoo of hostile apps and adapters is in ``tests/hostile.py``. Each WSGI fault is checked
directly on ``driver.call`` (the right WSGI-* requirement, with the evidence), cross-checked with
the standard library (``wsgiref.validate`` behind ``wsgiref``'s own server handler objects to
every hostile app and to no valid one), and through the suite (``run_suite``): the case fails
under the right requirement, the run goes on, and a hanging app costs its timeout, no more.
"""

from __future__ import annotations

import gc
import io
import json
import re
import threading
import time
import warnings
from wsgiref.handlers import SimpleHandler
from wsgiref.validate import WSGIWarning, validator

import pytest

from adapters.reference import ReferenceAdapter
from conformance import driver
from conformance.driver import MAX_BODY, call
from conformance.harness import AdapterContext
from conformance.model import AppModel, Handler, Request, rule
from tests import hostile

MODEL = AppModel.of(rule("/", "hello", handler=Handler("text", "HELLO")))  # TUT-001's app
ROOT = Request("/")


def app_of(adapter: type) -> object:
    return adapter().make_app(MODEL)


def wsgiref_objection(app) -> str:
    """What the standard library says about ``app`` answering ``GET /``: '' when nothing.

    ``wsgiref.validate`` checks the app's side; ``wsgiref.handlers`` (a server) adds what
    validate leaves to it (start_response twice, hop-by-hop headers) and logs, to its stderr,
    whatever the app or the checks raised.
    """
    errors = io.StringIO()
    handler = SimpleHandler(io.BytesIO(), io.BytesIO(), errors, driver.environ_for(ROOT),
                            multithread=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", WSGIWarning)
        try:
            handler.run(validator(app))
        except Exception as exc:  # wsgiref's own error handling gave up (close() raising)
            errors.write(f"{type(exc).__name__}: {exc}")
    return errors.getvalue() + "".join(str(w.message) for w in caught)


# --- WSGI faults, one per hostile app: (adapter, requirement, evidence, what wsgiref says) ------
WSGI_ZOO = [
    (hostile.NoStartResponse, "WSGI-004", "start_response was never called",
     "start_response has not yet been called"),
    (hostile.StartResponseTwice, "WSGI-004", "start_response called 2 times without exc_info",
     "Headers already set!"),
    (hostile.BodyBeforeStartResponse, "WSGI-004", "first bytes came before start_response",
     "start_response has not yet been called"),
    (hostile.RaisesInClose, "WSGI-004", "close() raised RuntimeError: close() failed",
     "RuntimeError: close() failed"),
    (hostile.ReturnsStr, "WSGI-003", "the application returned str 'HELLO'",
     "You should not return a string as your application iterator"),
    (hostile.ReturnsBytes, "WSGI-003", "the application returned bytes b'HELLO'",
     "You should not return a string as your application iterator"),
    (hostile.ReturnsNone, "WSGI-003", "the application returned None",
     "The application must return an iterator"),
    (hostile.ReturnsInt, "WSGI-003", "the application returned int 5, which is not iterable",
     "TypeError: 'int' object is not iterable"),
    (hostile.YieldsStr, "WSGI-003", "body item is str, not bytes: 'HELLO'",
     "Iterator yielded non-bytestring ('HELLO')"),
    (hostile.WritesStr, "WSGI-003", "body item is str, not bytes: 'HELLO'",
     "assert_(type(s) is bytes)"),
    (hostile.RaisesInBody, "WSGI-003", "raised RuntimeError: database went away mid-body",
     "RuntimeError: database went away mid-body"),
    (hostile.MalformedStatus, "WSGI-001", "status '200OK' is not of the form 'NNN Reason'",
     "Status codes must be three characters: '200OK'"),
    (hostile.MalformedHeader, "WSGI-002", "header X-Note contains a line break",
     "Bad header value: 'a\\r\\nSet-Cookie: x=1'"),
    (hostile.HopByHopHeader, "WSGI-002", "hop-by-hop header 'Connection'",
     "Hop-by-hop header, 'Connection: close', not allowed"),
]
# Wrapping the reference app, these break nothing but the one behaviour: only it is reported.
ONLY_ONE_FAULT = {hostile.StartResponseTwice, hostile.RaisesInClose, hostile.RaisesInBody,
                  hostile.MalformedStatus, hostile.MalformedHeader, hostile.HopByHopHeader}
VALID = [hostile.LazyStartResponse, hostile.EnormousBody]
HANGING = [  # (adapter, where it hangs, whether the injected exception stops its thread)
    (hostile.SleepForever, "in the application call", True),
    (hostile.BusyLoop, "in the application call", True),
    (hostile.EndlessBody, "while reading the response body", True),
    (hostile.HangsInClose, "in the body iterable's close()", True),
    (hostile.Stubborn, "in the application call", False),
    (hostile.BlockedInC, "in the application call", False),
]


def _ids(params):
    return [p[0].name if isinstance(p, tuple) else p.name for p in params]


@pytest.mark.parametrize("adapter, req_id, evidence, stdlib", WSGI_ZOO, ids=_ids(WSGI_ZOO))
def test_driver_reports_the_fault_under_its_requirement(adapter, req_id, evidence, stdlib):
    obs = call(app_of(adapter), ROOT)
    found = [v.detail for v in obs.violations if v.requirement == req_id]
    assert any(evidence in d for d in found), obs.violations
    if adapter in ONLY_ONE_FAULT:
        assert {v.requirement for v in obs.violations} == {req_id}, obs.violations


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # validate's __del__
@pytest.mark.parametrize("adapter, req_id, evidence, stdlib", WSGI_ZOO, ids=_ids(WSGI_ZOO))
def test_wsgiref_objects_to_every_hostile_app(adapter, req_id, evidence, stdlib):
    """The same fault, in wsgiref's words: the checks agree with the standard library."""
    assert stdlib in wsgiref_objection(app_of(adapter))


@pytest.mark.parametrize("adapter", VALID, ids=_ids(VALID))
def test_valid_apps_are_not_flagged_and_wsgiref_agrees(adapter):
    obs = call(app_of(adapter), ROOT)
    assert obs.violations == () and obs.error is None
    assert wsgiref_objection(app_of(adapter)) == ""


def test_the_reference_app_is_valid_for_wsgiref_too():
    ref = ReferenceAdapter().make_app(MODEL)
    assert call(ref, ROOT).violations == () and wsgiref_objection(ref) == ""


def test_lazy_start_response_is_legal():
    obs = call(app_of(hostile.LazyStartResponse), ROOT)
    assert (obs.status, obs.body, obs.violations) == (200, b"HELLO", ())


def test_an_exception_out_of_the_app_call_is_no_response():
    def app(environ, start_response):
        start_response("200 OK", hostile.TEXT)
        raise KeyError("boom")

    obs = call(app, ROOT)
    assert obs.status is None and obs.violations == ()
    assert obs.summary() == "raised KeyError: 'boom'" and "in app" in obs.error


# --- bodies too big to read --------------------------------------------------------------------
@pytest.mark.parametrize("adapter", [hostile.EnormousBody, hostile.InfiniteBody,
                                     hostile.EndlessEmptyItems, hostile.WritesEnormousBody],
                         ids=["enormous", "infinite", "endless-empty-items", "writes-enormous"])
def test_body_reading_is_capped_without_a_timeout(adapter):
    start = time.perf_counter()
    obs = call(app_of(adapter), ROOT)
    assert time.perf_counter() - start < 2
    assert obs.truncated and len(obs.body) <= MAX_BODY + 1
    assert "reading stopped after" in obs.summary()


def test_an_infinite_body_breaks_a_declared_content_length():
    obs = call(app_of(hostile.InfiniteBody), ROOT)
    [violation] = obs.violations
    match = re.fullmatch(r"WSGI-005: Content-Length says 5, the body has at least (\d+) bytes",
                         str(violation))
    assert match and int(match[1]) > MAX_BODY


# --- time bound ----------------------------------------------------------------------------------
@pytest.mark.parametrize("adapter, where, stops", HANGING, ids=_ids(HANGING))
def test_a_hanging_call_times_out(adapter, where, stops):
    worker = driver._worker()
    start = time.perf_counter()
    obs = call(app_of(adapter), ROOT, timeout=0.2)
    elapsed = time.perf_counter() - start
    assert elapsed < 0.2 + driver.GRACE + 0.2
    assert obs.timed_out and obs.status is None and obs.violations == ()
    assert obs.summary() == f"timed out after 0.2 s {where}"
    assert worker.abandoned
    if stops:  # the injected exception ended the worker thread
        assert worker.stopped.wait(1.0)
    # The next call gets a fresh worker and is answered at once.
    ok = call(app_of(hostile.LazyStartResponse), ROOT, timeout=0.2)
    assert (ok.status, ok.body, ok.timed_out) == (200, b"HELLO", False)


def test_a_timeout_changes_nothing_for_a_prompt_app():
    for adapter in [entry[0] for entry in WSGI_ZOO] + VALID:
        app = app_of(adapter)
        assert call(app, ROOT, timeout=5) == call(app, ROOT), adapter.name


def test_one_worker_serves_every_call_of_a_thread():
    call(app_of(hostile.LazyStartResponse), ROOT, timeout=5)
    worker = driver._worker()
    for _ in range(50):
        call(app_of(hostile.LazyStartResponse), ROOT, timeout=5)
    assert driver._worker() is worker and worker.thread.is_alive()
    before = threading.active_count()
    call(app_of(hostile.LazyStartResponse), ROOT, timeout=5)
    assert threading.active_count() == before


def test_a_worker_ends_with_its_calling_thread():
    workers = []

    def caller():
        call(app_of(hostile.LazyStartResponse), ROOT, timeout=5)
        workers.append(driver._worker())

    thread = threading.Thread(target=caller)
    thread.start()
    thread.join()
    gc.collect()
    assert workers[0].stopped.wait(2) and not workers[0].abandoned


# --- through the suite ----------------------------------------------------------------------------
def _adapter_args(adapters) -> list[str]:
    return [f"--adapter=tests.hostile:{a.__name__}" for a in adapters]


def _evidence(run, name: str, req_id: str) -> str:
    return json.dumps(run.adapter(name)["requirements"][req_id]["failures"], ensure_ascii=False)


def test_suite_reports_each_wsgi_fault_and_goes_on(run_suite):
    adapters = [entry[0] for entry in WSGI_ZOO] + VALID + [hostile.InfiniteBody, hostile.EndlessEmptyItems]
    run = run_suite("--adapter=reference", *_adapter_args(adapters), "-k", "test_TUT_001")
    assert run.result.ret == pytest.ExitCode.TESTS_FAILED
    assert run.findings("reference") == {}
    for adapter, req_id, evidence, _ in WSGI_ZOO:
        findings = run.findings(adapter.name)
        assert findings.get(req_id) == "fail", (adapter.name, findings)
        assert evidence in _evidence(run, adapter.name, req_id)
        if adapter in ONLY_ONE_FAULT:
            assert findings == {req_id: "fail"}, (adapter.name, findings)
    assert run.findings("lazy-start-response") == {}
    # Valid WSGI, wrong answer: TUT-001 fails, showing the body; no WSGI requirement fails.
    assert run.findings("enormous-body") == {"TUT-001": "fail"}
    assert "200 OK body b'xxxxxxxx" in _evidence(run, "enormous-body", "TUT-001")
    assert run.findings("endless-empty-items") == {"TUT-001": "fail"}
    assert run.findings("infinite-body") == {"TUT-001": "fail", "WSGI-005": "fail"}


def test_lazy_start_response_passes_the_wsgi_battery(run_suite):
    run = run_suite(*_adapter_args([hostile.LazyStartResponse]), "-k",
                    "test_TUT_001 or test_WSGI_responses_are_valid")
    assert run.result.ret == pytest.ExitCode.OK, run.result.stdout.str()[-2000:]
    assert run.findings("lazy-start-response") == {}


def _run_hanging(run_suite, *timeout_args: str):
    adapters = [a for a, _, _ in HANGING]
    start = time.perf_counter()
    run = run_suite("--adapter=reference", *_adapter_args(adapters), *timeout_args,
                    "-k", "test_TUT_001")
    return run, time.perf_counter() - start


def _check_hanging(run, elapsed):
    assert elapsed < 10, elapsed
    assert run.result.ret == pytest.ExitCode.TESTS_FAILED
    assert run.findings("reference") == {}
    for adapter, where, _ in HANGING:
        assert run.findings(adapter.name) == {"TUT-001": "fail"}, adapter.name
        assert f"timed out after 0.5 s {where}" in _evidence(run, adapter.name, "TUT-001")
    run.result.stdout.fnmatch_lines(["*actual:   timed out after 0.5 s in the application call*"])


def test_hanging_apps_time_out_and_the_run_goes_on(run_suite):
    _check_hanging(*_run_hanging(run_suite, "--conformance-timeout=0.5"))


def test_adapter_faults_are_errors_and_other_adapters_still_run(run_suite):
    run = run_suite("--adapter=reference", *_adapter_args(
        [hostile.MakeAppFails, hostile.DeclaresUuidButFails, hostile.DeclaresUrlBuildingButCannot]),
        "-k", "test_TUT_001 or test_CONV_UUID_001 or test_BUILD_001_round_trip")
    assert run.result.ret == pytest.ExitCode.TESTS_FAILED
    assert run.findings("reference") == {}
    # An adapter that cannot build its app at all: an error naming it, the failure, the traceback.
    assert run.findings("make-app-fails") == {"TUT-001": "error"}
    detail = run.adapter("make-app-fails")["requirements"]["TUT-001"]["failures"][0]["detail"]
    first, *rest = detail.splitlines()
    assert first == ("conformance.harness.HarnessError: adapter 'make-app-fails': make_app raised "
                     "ModuleNotFoundError: No module named 'wsgi_conformance_vanished_framework'")
    assert any("hostile.py" in line and "make_app" in line for line in rest)
    # A declared capability the adapter does not honour: an error saying so; the rest still runs.
    assert run.findings("declares-uuid-but-fails") == {"CONV-UUID-001": "error"}
    assert "(the app needs converter:uuid, which the adapter declares)" in \
        _evidence(run, "declares-uuid-but-fails", "CONV-UUID-001")
    assert run.outcomes("declares-uuid-but-fails")["TUT-001"] == "pass"
    # Declaring url-building without build_url: today a BUILD-001 failure showing the exception.
    assert run.findings("declares-url-building-but-cannot").get("BUILD-001") in ("fail", "error")
    assert "NotImplementedError" in _evidence(run, "declares-url-building-but-cannot", "BUILD-001")


def test_adapter_module_that_fails_to_import_is_a_usage_error(pytester):
    pytester.makepyfile(vanishing_adapter="import wsgi_conformance_vanished_framework\n")
    pytester.syspathinsert()
    result = pytester.runpytest_inprocess("--adapter=reference", "--adapter=vanishing_adapter:Adapter")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*cannot load adapter 'vanishing_adapter:Adapter'*"
                                 "No module named 'wsgi_conformance_vanished_framework'*"])
