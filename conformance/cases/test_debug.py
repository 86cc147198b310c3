"""DEBUG: the debug page tells the developer everything; the production page tells nobody anything."""

import builtins
import html
import keyword
from html.parser import HTMLParser

import pytest
from hypothesis import strategies as st

from conformance.harness import requirement
from conformance.model import AppModel, Handler, Request, rule
from conformance.properties import prove
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


def boom(message: str, debug: bool, exc_type: str = "CanaryError") -> AppModel:
    return AppModel.of(
        rule("/boom", "boom", function="explode_view",
             handler=Handler("raise", exc_type=exc_type, message=message)),
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


# --- generated exception types and messages ---------------------------------------------------------
# Class names: identifiers ending in "Error", with at least one character before it (so never the
# "Error" of "Internal Server Error"), and never a builtin or a keyword.
EXCEPTION_NAMES = st.from_regex(r"[A-Z][A-Za-z0-9_]{0,10}Error", fullmatch=True).filter(
    lambda n: not hasattr(builtins, n) and not keyword.iskeyword(n))
# Messages: markup, entities, quotes and non-ASCII, mixed with generated text (no control
# characters or line separators: a message is one line of text). At least one piece is markup or
# non-ASCII, so a message is never a plain word that an error page could contain anyway.
_MARKUP = st.sampled_from([f"<{CANARY_TAG}>", f"</{CANARY_TAG}>", f"<{CANARY_TAG} onclick='x'>",
                           "<", ">", "&", "&amp;", "&lt;", '"', "'", "-->", "é", "☃", "—", "ü", "日本"])
_TEXT = st.text(st.characters(codec="utf-8", categories=("L", "M", "N", "P", "S", "Zs")), max_size=6)
MESSAGES_GEN = st.tuples(st.lists(st.one_of(_MARKUP, _TEXT), max_size=4), _MARKUP,
                         st.lists(st.one_of(_TEXT, _MARKUP), max_size=3)).map(
    lambda t: "".join(t[0]) + t[1] + "".join(t[2]))


@requirement("DEBUG-001")
def test_DEBUG_001_generated_exceptions_are_named_and_escaped(conformance):
    """Generated exception types and messages: the debug page names the type, shows the message
    HTML-escaped, and no markup from the message becomes a tag."""

    def body(example):
        exc_type, message = example
        model = boom(message, debug=True, exc_type=exc_type)
        obs = conformance.observe(model, Request("/boom"))
        problems = []
        if obs.status != 500:
            problems.append(f"status {obs.status_line}")
        if exc_type not in obs.body.decode("utf-8", "replace"):
            problems.append(f"exception type {exc_type} not shown")
        if message not in page_text(obs.body):
            problems.append("message not shown")
        if injected(obs.body):
            problems.append(f"message shown unescaped: <{CANARY_TAG}> is a live tag in the page")
        conformance.conclude(model, Request("/boom"), [
            Check("DEBUG-001", not problems, f"500 page with {exc_type} and the escaped message",
                  "; ".join(problems) or obs.summary())], obs)

    prove(conformance, st.tuples(EXCEPTION_NAMES, MESSAGES_GEN), body)


@requirement("DEBUG-003")
def test_DEBUG_003_generated_exceptions_leak_nothing(conformance):
    """Generated exception types and messages: with debug off, the 500 page shows neither."""

    def body(example):
        exc_type, message = example
        model = boom(message, debug=False, exc_type=exc_type)
        obs = conformance.observe(model, Request("/boom"))
        raw, text = obs.body.decode("utf-8", "replace"), page_text(obs.body)
        needles = [("the exception type", exc_type), ("a traceback", "Traceback")]
        if len(message) >= 4:  # shorter ones can be a page's own text by chance
            needles.append(("the message", message))
        leaks = [what for what, needle in needles if needle in text or needle in raw]
        conformance.conclude(model, Request("/boom"), [
            Check("DEBUG-003", obs.status == 500 and not leaks, "500 without internals",
                  f"{obs.status_line}; leaks {', '.join(leaks)}" if leaks else obs.summary())], obs)

    prove(conformance, st.tuples(EXCEPTION_NAMES, MESSAGES_GEN), body)


DEBUGGER_RESOURCES = ("style.css", "debugger.js")


@requirement("DEBUG-005")
@pytest.mark.parametrize("path", ["/anything", "/ok"])
@pytest.mark.parametrize("resource", DEBUGGER_RESOURCES)
def test_DEBUG_005_debugger_resources_not_served_without_debug(conformance, path, resource):
    """With debug off, a debugger resource request is an ordinary request for its path: the same
    answer as without the query (404 for an unknown path), never the debugger's CSS or JS.
    An error page may quote the request URL, so only a success must have the very same body."""
    model = boom("plain canary 7f3a9c", debug=False)
    request = Request(path, query=f"__debugger__=yes&cmd=resource&f={resource}")
    normal = conformance.observe(model, Request(path))
    obs = conformance.observe(model, request)
    same = (obs.status, obs.header("Content-Type")) == (normal.status, normal.header("Content-Type")) \
        and (obs.body == normal.body or (obs.status or 0) >= 400)
    expected_status = 404 if path == "/anything" else normal.status
    conformance.conclude(model, request, [
        Check("DEBUG-005", same and obs.status == expected_status,
              f"the answer to GET {path} without the query ({normal.status_line}), not {resource}",
              f"{obs.summary()} (Content-Type {obs.header('Content-Type')})")], obs)
