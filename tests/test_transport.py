"""Transports (issue 10): the framework's test client and its own server answer as in-process
WSGI does, except where a difference is documented; nothing is left running after a run."""

from __future__ import annotations

import importlib.util
import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from adapters import base
from adapters.flask import FlaskAdapter
from adapters.reference import ReferenceAdapter
from conformance import transport
from conformance.harness import AdapterContext
from conformance.model import AppModel, Request, rule
from conformance.reloader import check_reload, group_alive

HAS_FLASK = importlib.util.find_spec("flask") is not None
HAS_FALCON = importlib.util.find_spec("falcon") is not None
HAS_PYRAMID = importlib.util.find_spec("pyramid") is not None
SITE = AppModel.of(rule("/hello/<name>", "hello"))
# Cases that run quickly and cover routing, the request line, debug pages and PEP 3333 (the
# generated ones are left to the real runs).
CASES = ["conformance/cases/test_route.py", "conformance/cases/test_server.py",
         "conformance/cases/test_debug.py", "conformance/cases/test_wsgi.py"]
SELECT = [str(Path(ROOT) / c) for c in CASES] + ["-k", "not SERVER_006 and not generated"]
# Differences from the in-process run that are documented (README, "Transports").
NOT_OVER_THE_WIRE = {f"WSGI-00{i}": "not-applicable" for i in range(1, 7)}
DOCUMENTED = {
    ("reference", "client"): NOT_OVER_THE_WIRE,
    ("reference", "server"): NOT_OVER_THE_WIRE,
    # Flask's test client: PROPAGATE_EXCEPTIONS in debug mode (no debug page), and Werkzeug's
    # EnvironBuilder reads //evil.example/hello/x as host evil.example, path /hello/x.
    ("flask", "client"): {**NOT_OVER_THE_WIRE, "DEBUG-001": "fail", "DEBUG-002": "fail",
                          "SERVER-003": "fail"},
    ("flask", "server"): NOT_OVER_THE_WIRE,
    ("falcon", "client"): NOT_OVER_THE_WIRE,
    ("falcon", "server"): NOT_OVER_THE_WIRE,
    ("pyramid", "client"): NOT_OVER_THE_WIRE,
    # Pyramid lets a view's exception leave the app (in-process: DEBUG-003 fails); wsgiref's
    # server, as PEP 3333 allows, answers it with a 500.
    ("pyramid", "server"): {**NOT_OVER_THE_WIRE, "DEBUG-003": "pass"},
}


def wire_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate()
            if t.name.startswith("wsgi-conformance-") and t.name != "wsgi-conformance-call"]


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


# --- the HTTP side, byte-exact ----------------------------------------------------------------
def test_request_line_carries_the_target_as_written():
    sent = transport.request_bytes(Request("//a/b%2Fc/é", query="x=%2F"))
    assert sent.startswith("GET //a/b%2Fc/é?x=%2F HTTP/1.1\r\n".encode("utf-8"))


def test_bytes_past_content_length_stay_visible():
    raw = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhello"
    obs = transport.parse_response(Request("/"), raw)
    assert (obs.status, obs.header("Content-Length"), obs.body) == (200, "2", b"hello")


def test_body_shorter_than_content_length_is_kept():
    obs = transport.parse_response(Request("/"), b"HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nabc")
    assert obs.body == b"abc"


def test_a_body_after_head_is_seen():
    raw = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
    assert transport.parse_response(Request("/", "HEAD"), raw).body == b"hello"
    clean = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
    assert transport.parse_response(Request("/", "HEAD"), clean).body == b""


def test_garbage_is_no_valid_response_not_a_crash():
    obs = transport.parse_response(Request("/"), b"\x00\x01 nonsense")
    assert obs.status is None and "no valid HTTP response" in obs.error


# --- choosing a transport ---------------------------------------------------------------------
class NoHooks(base.Adapter):
    name = "nohooks"


def test_unknown_transport_lists_the_known_ones():
    with pytest.raises(base.TransportUnsupported, match="wsgi, client, server"):
        transport.make("carrier-pigeon", NoHooks(), None)


def test_adapter_without_a_hook_says_which_and_what_it_supports():
    with pytest.raises(base.TransportUnsupported) as info:
        transport.make("server", NoHooks(), None)
    assert "Adapter.serve" in str(info.value) and "supports: wsgi" in str(info.value)


def test_plugin_turns_an_unsupported_transport_into_a_usage_error(pytester):
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "--adapter=tests.test_transport:NoHooks",
                                          "--conformance-transport=client")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "has no Adapter.client_request hook" in "\n".join(result.errlines)


# --- servers: reused per app, stopped on eviction and at the end -------------------------------
def test_one_server_per_app_reused_and_stopped():
    ctx = AdapterContext(ReferenceAdapter(), timeout=5.0, transport="server")
    app = ctx.app(SITE)
    first = ctx.transport.observe(app, Request("/hello/%C3%A9"))
    second = ctx.transport.observe(app, Request("/hello/x"))
    assert first.status == second.status == 200 and first.args == {"name": ["str", "'é'"]}
    (server,) = ctx.transport.servers.values()
    assert wire_threads()
    ctx.close()
    assert not server.alive and refused(server.port) and not wire_threads()


def test_evicted_app_stops_its_server():
    ctx = AdapterContext(ReferenceAdapter(), timeout=5.0, transport="server")
    ctx.APP_CACHE = 1
    first = ctx.app(SITE)
    ctx.transport.observe(first, Request("/hello/x"))
    (server,) = ctx.transport.servers.values()
    ctx.transport.observe(ctx.app(AppModel.of(rule("/other", "other"))), Request("/other"))
    assert not server.alive and refused(server.port) and len(ctx.transport.servers) == 1
    ctx.close()
    assert not wire_threads()


def test_a_server_that_does_not_start_is_an_observation_not_a_crash():
    class Broken(ReferenceAdapter):
        def serve(self, app, host):
            raise OSError("no socket for you")

    ctx = AdapterContext(Broken(), timeout=5.0, transport="server")
    obs = ctx.transport.observe(ctx.app(SITE), Request("/hello/x"))
    assert obs.status is None and "did not start: OSError: no socket for you" in obs.error
    ctx.close()


# --- same cases, same outcomes --------------------------------------------------------------------
def _outcomes(run_suite, adapter: str, transport_name: str) -> dict[str, str]:
    run = run_suite(f"--adapter={adapter}", f"--conformance-transport={transport_name}", *SELECT,
                    subprocess=True)
    outcomes = run.outcomes(adapter)
    assert outcomes, run.result.stdout.str()[-2000:]
    assert run.adapter(adapter)["transport"] == transport_name
    return outcomes


@pytest.mark.parametrize("adapter", [
    "reference", pytest.param("flask", marks=pytest.mark.skipif(not HAS_FLASK, reason="no flask")),
    pytest.param("falcon", marks=pytest.mark.skipif(not HAS_FALCON, reason="no falcon")),
    pytest.param("pyramid", marks=pytest.mark.skipif(not HAS_PYRAMID, reason="no pyramid"))])
def test_client_and_server_agree_with_wsgi_except_documented(run_suite, adapter):
    wsgi = _outcomes(run_suite, adapter, "wsgi")
    assert "SERVER-001" in wsgi and "ROUTE-001" in wsgi
    for name in ("client", "server"):
        other = _outcomes(run_suite, adapter, name)
        differences = {k: other.get(k) for k in set(wsgi) | set(other) if wsgi.get(k) != other.get(k)}
        assert differences == DOCUMENTED[(adapter, name)], name


def test_no_server_thread_is_left_after_a_server_run(run_suite):
    run = run_suite("--adapter=reference", "--conformance-transport=server",
                    str(Path(ROOT) / "conformance/cases/test_route.py"))
    assert run.outcomes("reference")["ROUTE-001"] == "pass"
    assert not wire_threads()


# --- the reloader (SERVER-006) ---------------------------------------------------------------------
@pytest.mark.parametrize("adapter", [
    ReferenceAdapter,
    pytest.param(FlaskAdapter, marks=pytest.mark.skipif(not HAS_FLASK, reason="no flask"))])
def test_debug_server_reloads_the_edited_module(tmp_path, adapter):
    result = check_reload(adapter(), tmp_path)
    assert result.reloaded, result.detail
    assert result.seconds is not None and result.seconds < 15


class NoReload(ReferenceAdapter):
    """Serves the module with wsgiref and no reloader: the check must see the old answer."""

    def reloader_source(self, body: str, port: int) -> str:
        return ("from wsgiref.simple_server import make_server\n\n"
                f"def app(environ, start_response):\n    start_response('200 OK', [])\n"
                f"    return [{body!r}.encode()]\n\n"
                f"make_server('127.0.0.1', {port}, app).serve_forever()\n")


def test_reload_check_fails_without_a_reloader_and_kills_the_server(tmp_path, monkeypatch):
    pids = []
    import subprocess

    real = subprocess.Popen

    def spy(*args, **kwargs):
        process = real(*args, **kwargs)
        pids.append(process.pid)
        return process

    monkeypatch.setattr(subprocess, "Popen", spy)
    result = check_reload(NoReload(), tmp_path, timeout=2.0)
    assert not result.reloaded and "still answered: 200 OK 'before" in result.detail
    assert pids and not group_alive(pids[0])


# --- reproductions follow the transport ------------------------------------------------------------
ADAPTERS = {"reference": "", "flask": "flask", "bottle": "bottle", "werkzeug": "werkzeug",
            "django": "django", "falcon": "falcon", "pyramid": "pyramid"}
# A target only the test client misreads (Flask's and Django's take evil.example for a host), one
# only the server misreads (Werkzeug's dev server decodes raw UTF-8 twice).
CLIENT_TARGET, SERVER_TARGET = "//evil.example/hello/x", "/hello/é"


def run_reproduction(code: str, tmp_path: Path, raw: bool = False) -> Any:
    """The reproduction as a user runs it: saved to a file, ``python FILE`` from the project
    root (loopback only, bounded); what it printed (``raw``: as bytes)."""
    import subprocess
    import sys

    path = tmp_path / "reproduction.py"
    path.write_text(code, encoding="utf-8")
    out = subprocess.run([sys.executable, str(path)], capture_output=True, timeout=60, cwd=ROOT,
                         env={**__import__("os").environ, "PYTHONPATH": ROOT})
    assert out.returncode == 0, out.stderr.decode(errors="replace")[-2000:]
    return out.stdout if raw else out.stdout.decode("utf-8")


def installed(name: str) -> bool:
    return not ADAPTERS[name] or importlib.util.find_spec(ADAPTERS[name]) is not None


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.skipif(not installed(n), reason=f"no {n}")) for n in ADAPTERS])
def test_client_reproduction_makes_the_call_the_client_transport_made(name, tmp_path):
    from conformance import registry

    ctx = AdapterContext(registry.load(name), timeout=10.0, transport="client")
    request = Request(CLIENT_TARGET)
    obs = ctx.transport.observe(ctx.app(SITE), request)
    code = ctx.transport.reproduction(SITE, request)
    assert "as --conformance-transport=client sent it" in code
    printed = run_reproduction(code, tmp_path)
    assert printed.startswith(f"{obs.status_line} ") or \
        printed.startswith(f"{obs.status} {obs.status_line[4:]} "), printed  # Django: code, reason
    assert repr(obs.body[:500]) in printed, (obs.body, printed)


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.skipif(not installed(n), reason=f"no {n}")) for n in ADAPTERS])
def test_server_reproduction_sends_the_bytes_the_server_transport_sent(name, tmp_path):
    from conformance import registry

    ctx = AdapterContext(registry.load(name), timeout=10.0, transport="server")
    request = Request(SERVER_TARGET)
    try:
        obs = ctx.transport.observe(ctx.app(SITE), request)
    finally:
        ctx.close()
    code = ctx.transport.reproduction(SITE, request)
    assert repr(transport.request_bytes(request)) in code and "127.0.0.1" in code
    answer = transport.parse_response(request, run_reproduction(code, tmp_path, raw=True))
    assert (answer.status, answer.body) == (obs.status, obs.body)
    if name in ("flask", "werkzeug"):  # Werkzeug's server decodes raw UTF-8 twice (SERVER-004)
        assert answer.args == {"name": ["str", "'Ã©'"]}
    else:
        assert answer.args == {"name": ["str", "'é'"]}


def _failure(run, adapter: str, req_id: str) -> dict:
    (failure,) = run.adapter(adapter)["requirements"][req_id]["failures"]
    return failure


def test_a_client_failure_carries_a_reproduction_that_shows_it(run_suite, tmp_path):
    """Flask's SERVER-003 (its test client reads //evil.example/hello/x as /hello/x) is seen over
    ``client`` only: the WebTest reproduction would answer 404, the test-client one shows it."""
    if not HAS_FLASK:
        pytest.skip("no flask")
    run = run_suite("--adapter=flask", "--conformance-transport=client",
                    str(Path(ROOT) / "conformance/cases/test_server.py"), "-k", "SERVER_003",
                    subprocess=True)
    failure = _failure(run, "flask", "SERVER-003")
    assert failure["actual"].startswith("200 OK hello(name=str 'x')")
    code = failure["reproduction"]
    assert "app.test_client().open('//evil.example/hello/x', method='GET')" in code
    assert "webtest" not in code
    printed = run_reproduction(code, tmp_path)
    from conformance.handlers import echo

    assert printed.startswith("200 OK ") and repr(echo("hello", name="x").encode()) in printed
    # what a failure showed before: the in-process WebTest request, which does not reproduce it
    in_process = FlaskAdapter().reproduction(
        AppModel.of(rule("/hello/<name>", "hello"), rule("/hello/<name>/<rest>", "hello_rest")),
        Request(CLIENT_TARGET))
    assert run_reproduction(in_process, tmp_path).startswith("404 NOT FOUND")


def test_a_server_failure_carries_a_reproduction_that_shows_it(run_suite, tmp_path):
    """A mutant whose Content-Length counts characters (SERVER-005) over ``server``: the
    reproduction serves the app on wsgiref and sends the suite's bytes; the answer it prints
    declares 5 bytes and carries 9, as the failure says."""
    run = run_suite("--adapter=adapters.reference.mutants:content_length_counts_characters",
                    "--conformance-transport=server",
                    str(Path(ROOT) / "conformance/cases/test_server.py"), "-k", "SERVER_005")
    failure = _failure(run, "mutant-content_length_counts_characters", "SERVER-005")
    assert (failure["request"], failure["expected"]) == ("GET /text", "5 body bytes (Content-Length: 5)")
    code = failure["reproduction"]
    assert "make_server('127.0.0.1', 0, app)" in code
    assert repr(transport.request_bytes(Request("/text"))) in code
    answer = transport.parse_response(Request("/text"), run_reproduction(code, tmp_path, raw=True))
    assert answer.header("Content-Length") == "5" and answer.body == "été ☃".encode()
    assert failure["actual"] == f"{len(answer.body)} body bytes: {answer.body[:60]!r}"


def test_wsgi_reproduction_is_unchanged(run_suite):
    """Over ``wsgi`` a failure still shows the app and the in-process WebTest request."""
    run = run_suite("--adapter=adapters.reference.mutants:content_length_counts_characters",
                    str(Path(ROOT) / "conformance/cases/test_server.py"), "-k", "SERVER_005")
    failure = _failure(run, "mutant-content_length_counts_characters", "SERVER-005")
    from conformance.cases.test_server import BATTERY_MODEL
    from adapters.reference import mutants

    adapter = mutants.load_mutant("content_length_counts_characters")()
    assert failure["reproduction"] == adapter.reproduction(BATTERY_MODEL, Request("/text"))
    assert failure["reproduction"].endswith(
        "from webtest import TestApp\n"
        "response = TestApp(app).request('/text', method='GET', headers={}, expect_errors=True)\n"
        "print(response.status, response.headers, response.body[:500])\n")


def test_an_adapter_without_a_source_hook_says_its_reproduction_may_not_show_it():
    class NoSource(ReferenceAdapter):
        def client_request_source(self, model, request):
            return None

        def serve_source(self, model):
            raise RuntimeError("broken hook")

    for name, why in (("client", "no Adapter.client_request_source"),
                      ("server", "its source hook raised RuntimeError: broken hook")):
        code = transport.make(name, NoSource(), 5.0).reproduction(SITE, Request("/hello/x"))
        assert f"writes no {name!r} reproduction ({why})" in code
        assert "from webtest import TestApp" in code
