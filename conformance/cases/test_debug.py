"""DEBUG: the debug page tells the developer everything; the production page tells nobody anything."""

import html
from html.parser import HTMLParser

import pytest

from conformance.harness import requirement
from conformance.model import AppModel, Handler, Request, rule
from conformance.verdict import Check, Expectation

CANARY_TAG = "canary-7f3a"
MESSAGES = [f"<{CANARY_TAG} onclick='x'>alert</{CANARY_TAG}> & \"quoted\" -->", "plain canary 7f3a9c",
            "été — ünïcödé ☃"]


class _Tags(HTMLParser):
    """The start tags a browser-like parse of the page finds (comments and escapes respected)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.add(tag)


def injected(body: bytes) -> bool:
    parser = _Tags()
    parser.feed(body.decode("utf-8", "replace"))
    return CANARY_TAG in parser.tags


def boom(message: str, debug: bool) -> AppModel:
    return AppModel.of(
        rule("/boom", "boom", function="explode_view",
             handler=Handler("raise", exc_type="CanaryError", message=message)),
        rule("/ok", "ok"),
        debug=debug,
    )


def page_text(body: bytes) -> str:
    return html.unescape(body.decode("utf-8", "replace"))


@requirement("DEBUG-001")
@pytest.mark.parametrize("message", MESSAGES)
def test_DEBUG_001_debug_page_names_the_exception(conformance, message):
    model = boom(message, debug=True)
    obs = conformance.observe(model, Request("/boom"))
    body = obs.body.decode("utf-8", "replace")
    problems = []
    if obs.status != 500:
        problems.append(f"status {obs.status_line}")
    if "CanaryError" not in body:
        problems.append("exception type CanaryError not shown")
    if message not in page_text(obs.body):
        problems.append("message not shown")
    if injected(obs.body):
        problems.append(f"message shown unescaped: <{CANARY_TAG}> is a live tag in the page")
    conformance.conclude(model, Request("/boom"), [
        Check("DEBUG-001", not problems, "500 page with CanaryError and the escaped message",
              "; ".join(problems) or obs.summary())], obs)


@requirement("DEBUG-002")
def test_DEBUG_002_debug_page_names_the_view(conformance):
    model = boom("plain canary 7f3a9c", debug=True)
    obs = conformance.observe(model, Request("/boom"))
    conformance.conclude(model, Request("/boom"), [
        Check("DEBUG-002", obs.status == 500 and b"explode_view" in obs.body,
              "500 page naming explode_view", obs.summary())], obs)


@requirement("DEBUG-003")
@pytest.mark.parametrize("message", MESSAGES)
def test_DEBUG_003_production_500_leaks_nothing(conformance, message):
    model = boom(message, debug=False)
    obs = conformance.observe(model, Request("/boom"))
    text = page_text(obs.body)
    leaks = [what for what, needle in [("the message", message), ("the exception type", "CanaryError"),
                                       ("a traceback", "Traceback"), ("the source line", "raise CanaryError"),
                                       ("the view's name", "explode_view")]
             if needle in text or needle in obs.body.decode("utf-8", "replace")]
    conformance.conclude(model, Request("/boom"), [
        Check("DEBUG-003", obs.status == 500 and not leaks, "500 without internals",
              f"{obs.status_line}; leaks {', '.join(leaks)}" if leaks else obs.summary())], obs)


@requirement("DEBUG-004")
@pytest.mark.parametrize("request_", [Request("/nowhere"), Request("/ok", "DELETE")], ids=["404", "405"])
def test_DEBUG_004_error_pages_carry_no_traceback(conformance, request_):
    model = boom("plain canary 7f3a9c", debug=False)
    obs = conformance.observe(model, request_)
    text = page_text(obs.body)
    leaks = [n for n in ("Traceback", 'File "', "explode_view") if n in text]
    conformance.conclude(model, request_, [
        Check("DEBUG-004", obs.status in (404, 405) and not leaks, "a plain 404/405 page",
              f"{obs.status_line}; contains {leaks}" if leaks else obs.summary())], obs)
