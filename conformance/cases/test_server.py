"""SERVER: the request line as a server receives it, and the bytes it answers with.

These cases run over every transport; ``--conformance-transport=server`` is where they matter
most: the target then reaches the framework's own development server byte for byte.
"""

import pytest

from conformance.handlers import typed
from conformance.harness import requirement
from conformance.model import AppModel, Handler, Request, rule
from conformance.verdict import Check, Expectation, found

HELLO = AppModel.of(rule("/hello/<name>", "hello"), rule("/hello/<name>/<rest>", "hello_rest"))


@requirement("SERVER-001")
@pytest.mark.parametrize("target, value", [("/hello/%2541", "%41"), ("/hello/%25", "%"),
                                           ("/hello/100%25%20sure", "100% sure")])
def test_SERVER_001_target_decoded_once(conformance, target, value):
    conformance.check(HELLO, Request(target), found("SERVER-001", "hello", {"name": typed(value)}))


@requirement("SERVER-002")
def test_SERVER_002_encoded_slash(conformance):
    conformance.check(HELLO, Request("/hello/a%2Fb"), Expectation("SERVER-002", None))


@requirement("SERVER-003")
def test_SERVER_003_double_slash_target_is_a_path(conformance):
    # Merging the slashes (ROUTE-008) gives /evil.example/hello/x, not found; only reading
    # "evil.example" as a host gives /hello/x.
    target = "//evil.example/hello/x"
    obs = conformance.observe(HELLO, Request(target))
    wrong = obs.status == 200 and obs.endpoint == "hello" and obs.args == {"name": typed("x")}
    conformance.conclude(HELLO, Request(target), [Check(
        "SERVER-003", not wrong and obs.status is not None,
        f"not the answer of /hello/x (the path is {target})",
        obs.summary() + (f": the first segment of {target} was taken as a host" if wrong else ""),
    )], obs)


@requirement("SERVER-004")
def test_SERVER_004_raw_utf8_target(conformance):
    conformance.check(HELLO, Request("/hello/é"), Expectation("SERVER-004", None))


BATTERY_MODEL = AppModel.of(rule("/", "index"), rule("/projects/", "projects"),
                            rule("/text", "text", handler=Handler("text", "été ☃")),
                            rule("/boom", "boom", handler=Handler("raise", message="x")))
BATTERY = [Request("/"), Request("/nowhere"), Request("/projects"), Request("/", "DELETE"),
           Request("/", "OPTIONS"), Request("/text"), Request("/boom")]


@requirement("SERVER-005")
@pytest.mark.parametrize("request_", BATTERY, ids=str)
def test_SERVER_005_content_length_matches_body(conformance, request_):
    obs = conformance.observe(BATTERY_MODEL, request_)
    declared = obs.header("Content-Length")
    if obs.status is None:  # nothing to measure (an error reaching a test client, a timeout)
        pytest.skip(f"not applicable: no answer to {request_} to measure: {obs.summary()}")
    if declared is None or obs.truncated:  # no length promised (chunked, close-delimited)
        pytest.skip(f"not applicable: {request_} answered without Content-Length (or past the "
                    "body limit)")
    ok = declared.strip().isdigit() and int(declared) == len(obs.body)
    conformance.conclude(BATTERY_MODEL, request_, [Check(
        "SERVER-005", ok, f"{declared} body bytes (Content-Length: {declared})",
        f"{len(obs.body)} body bytes: {obs.body[:60]!r}")], obs)


@requirement("SERVER-006")
def test_SERVER_006_debug_server_reloads_edited_module(conformance, tmp_path, request):
    from conformance.reloader import check_reload, started

    # Begun in the background when the run was collected (issue 9), else run here.
    result = started(request.config, conformance.adapter) or check_reload(conformance.adapter, tmp_path)
    conformance.conclude(AppModel.of(rule("/", "index")), Request("/"), [Check(
        "SERVER-006", result.reloaded, "the edited file's answer within 15 s", result.detail)], None)
