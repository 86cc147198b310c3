"""A zoo of hostile WSGI apps and adapters, for tests/test_robustness.py.

Each hostile app breaks one thing. Where it can, it wraps the reference framework's app for the
model and breaks only that one behaviour (so the requirement that breaks is the only one that
should fail); otherwise it answers every request the same way, whatever the model. Each app is
also exposed as a tiny ``Adapter`` subclass so that the suite can be run on it:
``pytest --adapter=tests.hostile:SleepForever --conformance-timeout=0.5 -k TUT_001``.
"""

from __future__ import annotations

import itertools
import time
from typing import Any, Callable, ClassVar

from adapters import base
from adapters.base import Adapter
from adapters.reference import ReferenceAdapter
from conformance.model import AppModel

TEXT = [("Content-Type", "text/plain; charset=utf-8")]
CHUNK = b"x" * 65536
STUBBORN_FOR = 3.0  # seconds the stubborn app ignores being interrupted, then gives up
BLOCKED_FOR = 5.0  # seconds the app blocked in C code sleeps (uninterruptible)


# --- apps that answer every request the same way ----------------------------------------------
def returns_str(environ, start_response):
    start_response("200 OK", TEXT)
    return "HELLO"


def returns_bytes(environ, start_response):
    start_response("200 OK", TEXT)
    return b"HELLO"


def returns_none(environ, start_response):
    start_response("200 OK", TEXT)
    return None


def returns_int(environ, start_response):
    start_response("200 OK", TEXT)
    return 5


def writes_str(environ, start_response):
    write = start_response("200 OK", TEXT)
    write("HELLO")
    return []


def body_before_start_response(environ, start_response):
    yield b"HELLO"
    start_response("200 OK", TEXT)


def enormous_body(environ, start_response):
    """Valid WSGI, just a body far bigger than what the driver reads (MAX_BODY)."""
    body = b"x" * (8 << 20)
    start_response("200 OK", TEXT + [("Content-Length", str(len(body)))])
    return [body]


def writes_enormous_body(environ, start_response):
    """64 MiB through the write() callable, 64 KiB at a time."""
    write = start_response("200 OK", TEXT)
    for _ in range(1024):
        write(CHUNK)
    return []


def endless_empty_items(environ, start_response):
    start_response("200 OK", TEXT)
    return itertools.repeat(b"")


def sleep_forever(environ, start_response):
    while True:  # short sleeps: the injected exception arrives between two of them
        time.sleep(0.01)


def busy_loop(environ, start_response):
    n = 0
    while True:
        n += 1


def endless_body(environ, start_response):
    start_response("200 OK", TEXT)

    def body():
        while True:
            time.sleep(0.01)
            if False:  # a generator that never yields anything
                yield b""

    return body()


def stubborn(environ, start_response):
    """Swallows the interrupt (``except BaseException``) for STUBBORN_FOR seconds."""
    end = time.monotonic() + STUBBORN_FOR
    while time.monotonic() < end:
        try:
            time.sleep(0.01)
        except BaseException:
            pass
    start_response("200 OK", TEXT)
    return [b"too late"]


def blocked_in_c(environ, start_response):
    """One long sleep in C: cannot be interrupted before it returns, only abandoned."""
    time.sleep(BLOCKED_FOR)
    start_response("200 OK", TEXT)
    return [b"too late"]


# --- wrappers: the reference app with one behaviour broken ------------------------------------
def no_start_response(app):
    def wrapped(environ, start_response):
        return app(environ, lambda status, headers, exc_info=None: (lambda data: None))
    return wrapped


def start_response_twice(app):
    def wrapped(environ, start_response):
        start_response("500 Internal Server Error", TEXT)
        return app(environ, start_response)
    return wrapped


def yields_str(app):
    def wrapped(environ, start_response):
        return [item.decode("utf-8") for item in app(environ, start_response)]
    return wrapped


class _Body:
    """An iterable of the app's body items with a ``close()`` that misbehaves."""

    def __init__(self, items, close: Callable[[], None]):
        self.items, self._close = list(items), close

    def __iter__(self):
        return iter(self.items)

    def close(self):
        self._close()


def raises_in_body(app):
    def wrapped(environ, start_response):
        def body():
            yield from app(environ, start_response)
            raise RuntimeError("database went away mid-body")
        return body()
    return wrapped


def raises_in_close(app):
    def wrapped(environ, start_response):
        def close():
            raise RuntimeError("close() failed")
        return _Body(app(environ, start_response), close)
    return wrapped


def hangs_in_close(app):
    def wrapped(environ, start_response):
        def close():
            while True:
                time.sleep(0.01)
        return _Body(app(environ, start_response), close)
    return wrapped


def _edit_start_response(app, edit):
    def wrapped(environ, start_response):
        def sr(status, headers, exc_info=None):
            status, headers = edit(status, list(headers))
            return start_response(status, headers) if exc_info is None else \
                start_response(status, headers, exc_info)
        return app(environ, sr)
    return wrapped


def malformed_status(app):
    return _edit_start_response(app, lambda s, h: (s.replace(" ", "", 1), h))  # "200OK"


def malformed_header(app):
    return _edit_start_response(app, lambda s, h: (s, h + [("X-Note", "a\r\nSet-Cookie: x=1")]))


def hop_by_hop_header(app):
    return _edit_start_response(app, lambda s, h: (s, h + [("Connection", "close")]))


def infinite_body(app):
    """The real body, then 64 KiB chunks forever (the Content-Length stays the real one)."""
    def wrapped(environ, start_response):
        return itertools.chain(app(environ, start_response), itertools.repeat(CHUNK))
    return wrapped


def lazy_start_response(app):
    """Legal: a generator that calls start_response only when the server starts iterating."""
    def wrapped(environ, start_response):
        def body():
            result = app(environ, start_response)
            try:
                yield from result
            finally:
                getattr(result, "close", lambda: None)()
        return body()
    return wrapped


# --- adapters -------------------------------------------------------------------------------------
class Hostile(Adapter):
    """An adapter whose app is ``wsgi`` whatever the model."""

    framework = "hostile"
    wsgi: ClassVar[Callable[..., Any]]

    def source(self, model: AppModel) -> str:
        return f"from tests.hostile import {self.wsgi.__name__} as app\n"


class Wrapped(ReferenceAdapter):
    """The reference framework's app for the model, passed through ``wrap``."""

    framework = "hostile (reference)"
    wrap: ClassVar[Callable[[Any], Any]]

    def source(self, model: AppModel) -> str:
        name = self.wrap.__name__
        return super().source(model) + f"\n\nfrom tests.hostile import {name}\n\napp = {name}(app)\n"


def _hostile(name: str, app: Callable[..., Any]) -> type[Hostile]:
    return type(app.__name__.title().replace("_", ""), (Hostile,),
                {"name": name, "wsgi": staticmethod(app), "__module__": __name__})


def _wrapped(name: str, wrap: Callable[[Any], Any]) -> type[Wrapped]:
    return type(wrap.__name__.title().replace("_", ""), (Wrapped,),
                {"name": name, "wrap": staticmethod(wrap), "__module__": __name__})


# WSGI-breaking apps
NoStartResponse = _wrapped("no-start-response", no_start_response)
StartResponseTwice = _wrapped("start-response-twice", start_response_twice)
ReturnsStr = _hostile("returns-str", returns_str)
ReturnsBytes = _hostile("returns-bytes", returns_bytes)
ReturnsNone = _hostile("returns-none", returns_none)
ReturnsInt = _hostile("returns-int", returns_int)
YieldsStr = _wrapped("yields-str", yields_str)
WritesStr = _hostile("writes-str", writes_str)
BodyBeforeStartResponse = _hostile("body-before-start-response", body_before_start_response)
RaisesInBody = _wrapped("raises-in-body", raises_in_body)
RaisesInClose = _wrapped("raises-in-close", raises_in_close)
MalformedStatus = _wrapped("malformed-status", malformed_status)
MalformedHeader = _wrapped("malformed-header", malformed_header)
HopByHopHeader = _wrapped("hop-by-hop-header", hop_by_hop_header)
# bodies too big to read
EnormousBody = _hostile("enormous-body", enormous_body)
InfiniteBody = _wrapped("infinite-body", infinite_body)
EndlessEmptyItems = _hostile("endless-empty-items", endless_empty_items)
WritesEnormousBody = _hostile("writes-enormous-body", writes_enormous_body)
# apps that never answer
SleepForever = _hostile("sleep-forever", sleep_forever)
BusyLoop = _hostile("busy-loop", busy_loop)
EndlessBody = _hostile("endless-body", endless_body)
HangsInClose = _wrapped("hangs-in-close", hangs_in_close)
Stubborn = _hostile("stubborn", stubborn)
BlockedInC = _hostile("blocked-in-c", blocked_in_c)
# legal, must not be flagged
LazyStartResponse = _wrapped("lazy-start-response", lazy_start_response)


# --- adapter faults -----------------------------------------------------------------------------
class MakeAppFails(Adapter):
    """The framework is imported lazily in make_app, and that import fails."""

    name = "make-app-fails"
    framework = "Vanished"

    def make_app(self, model: AppModel):
        import wsgi_conformance_vanished_framework  # noqa: F401  (not installed, ever)

        raise AssertionError("unreachable")


class DeclaresUuidButFails(ReferenceAdapter):
    """Declares the ``uuid`` converter, then cannot build an app that uses it."""

    name = "declares-uuid-but-fails"
    framework = "liar"
    capabilities = frozenset({base.CONVERTER_UUID})

    def make_app(self, model: AppModel):
        if "uuid" in model.converters:
            raise LookupError("the framework has no converter named 'uuid'")
        return super().make_app(model)


class DeclaresUrlBuildingButCannot(ReferenceAdapter):
    """Declares ``url-building`` and does not implement ``build_url``."""

    name = "declares-url-building-but-cannot"
    framework = "liar"
    capabilities = frozenset({base.URL_BUILDING})
    build_url = Adapter.build_url
