"""Drive a WSGI app with one request and record what it did, PEP 3333 violations included.

The environ is built as a real server builds it: the raw target is percent-decoded into PATH_INFO
and carried as latin-1 "bytes as str", the raw form kept in REQUEST_URI/RAW_URI. The response is
captured without trusting the app: a broken app gives an Observation with violations, never an
exception out of the driver.
"""

from __future__ import annotations

import ctypes
import io
import threading
import time
import traceback
import weakref
from dataclasses import dataclass, field
from typing import Any

from conformance.frozen import maker
from conformance.handlers import parse_echo
from conformance.model import Request
from conformance.wsgi import (Violation, check_charset, check_iterable, check_plain_response,
                              check_response, header_facts)

SERVER_NAME = "localhost"
MAX_BODY = 1 << 20  # bytes read from a response body before the rest is discarded
MAX_ITEMS = 1 << 16  # body items read before the rest is discarded (endless b"" items)


# What every request's environ holds alike: copied per request, then the request's own keys set
# (a dict copy costs a fraction of building the dict key by key; issue 9).
_ENVIRON_TEMPLATE: dict[str, Any] = {
    "SERVER_NAME": SERVER_NAME,
    "SERVER_PORT": "80",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "REMOTE_ADDR": "127.0.0.1",
    "HTTP_HOST": SERVER_NAME,
    "wsgi.version": (1, 0),
    "wsgi.url_scheme": "http",
    "wsgi.multithread": False,
    "wsgi.multiprocess": False,
    "wsgi.run_once": False,
}


def environ_for(request: Request, script_name: str = "") -> dict[str, Any]:
    path = request.path
    # Without a '%' there is nothing to decode: latin-1 "bytes as str" of the UTF-8 bytes.
    path_info = (path if path.isascii() else path.encode("utf-8").decode("latin-1")) \
        if "%" not in path else request.path_bytes.decode("latin-1")
    environ = _ENVIRON_TEMPLATE.copy()
    environ["REQUEST_METHOD"] = request.method
    environ["SCRIPT_NAME"] = script_name
    environ["PATH_INFO"] = path_info
    environ["QUERY_STRING"] = request.query
    environ["REQUEST_URI"] = environ["RAW_URI"] = request.target
    environ["wsgi.input"] = io.BytesIO(b"")
    environ["wsgi.errors"] = io.StringIO()
    for name, value in request.headers:
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[key] = value
        else:
            environ["HTTP_" + key] = value
    return environ


@dataclass(frozen=True)
class Observation:
    """What the framework did with one request: data, kept for reports even when a case passes."""

    request: Request
    status: int | None
    status_line: str | None
    headers: tuple[tuple[str, str], ...]
    body: bytes
    violations: tuple[Violation, ...] = ()
    error: str | None = None  # an exception that escaped the app: its traceback tail
    errors_stream: str = field(default="", repr=False)  # what the app wrote to wsgi.errors
    timed_out: bool = False  # no answer within the timeout: ``error`` says where it was
    truncated: bool = False  # the body went on past MAX_BODY bytes (or MAX_ITEMS items)

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None

    @property
    def echo(self) -> dict[str, Any] | None:
        """Parsed once: endpoint, args and summary all read it (a hot path of every check).
        Kept in ``__dict__`` by hand: before Python 3.12 ``functools.cached_property`` takes a lock
        on every first read, that is on every request."""
        cache = self.__dict__
        if "_echo" not in cache:
            cache["_echo"] = parse_echo(self.body)
        return cache["_echo"]

    @property
    def endpoint(self) -> str | None:
        data = self.echo
        return data["endpoint"] if data else None

    @property
    def args(self) -> dict[str, list[str]] | None:
        data = self.echo
        return data["args"] if data else None

    @property
    def location(self) -> str | None:
        """``Location`` reduced to path and query: absolute and relative forms compare equal."""
        value = self.header("Location")
        if value is None:
            return None
        for prefix in (f"http://{SERVER_NAME}:80", f"http://{SERVER_NAME}"):
            if value.startswith(prefix):
                return value[len(prefix):] or "/"
        return value

    @property
    def allow(self) -> frozenset[str] | None:
        value = self.header("Allow")
        if value is None:
            return None
        return frozenset(m.strip().upper() for m in value.split(",") if m.strip())

    def summary(self) -> str:
        """One line a report cell can show: what the framework answered."""
        if self.timed_out and self.error:
            return self.error.splitlines()[0]
        if self.error and self.status is None:
            return f"raised {self.error.strip().splitlines()[-1]}"
        if self.status is None:
            problem = self.violations[0].detail if self.violations else "no status"
            return f"no valid response: {problem}"
        parts = [str(self.status_line or self.status)]
        if self.endpoint is not None:
            args = ", ".join(f"{k}={t} {r}" for k, (t, r) in self.args.items())
            parts.append(f"{self.endpoint}({args})")
        elif self.location is not None:
            parts.append(f"Location: {self.location}")
        elif self.status == 405 or self.request.method == "OPTIONS":
            parts.append(f"Allow: {', '.join(sorted(self.allow or ())) or '(none)'}")
        elif self.body:
            text = self.body[:80].decode("utf-8", "replace")
            parts.append(repr(text) + ("…" if len(self.body) > 80 else ""))
        if self.truncated:
            parts.append(f"(the body went on: reading stopped after {len(self.body)} bytes)")
        return " ".join(parts)


_observation = maker(Observation)  # Observation(...) made the quick way: one per request (issue 9)


def call(app: Any, request: Request, timeout: float | None = None) -> Observation:
    """Call ``app`` once as a server would and capture status, headers, body and violations.

    Never raises for anything the app does. With ``timeout`` (seconds), the app call, the body
    iteration and ``close()`` together run under that bound in a worker thread (see ``_Worker``);
    past it the Observation has ``timed_out`` set and ``error`` saying "timed out after N s".
    """
    environ = environ_for(request)
    capture = _Capture(app, environ)
    if timeout is None:
        capture.run()
    elif not _worker().run(capture, timeout):
        return _timed_out(request, capture, timeout, environ)
    return _observe(request, capture, environ)


def call_many(app: Any, requests: list[Request], timeout: float | None = None,
              max_timeouts: int | None = None, timeouts: int = 0) -> list[Observation]:
    """``call`` for several requests to one app, in order, with one hand-off to the worker thread
    for the whole batch instead of one per request (the hand-off costs more than a fast
    framework's answer). Each request is still bounded by ``timeout`` on its own: the clock
    restarts per request; one that times out is reported as ``call`` reports it, and the rest
    of the batch goes on in a new worker. After ``max_timeouts`` timeouts in a row (counting
    ``timeouts`` carried over from earlier calls) the rest is not sent: the list is shorter."""
    if timeout is None:
        return [call(app, request) for request in requests]
    out: list[Observation] = []
    while len(out) < len(requests):
        todo = requests[len(out):]
        batch = _Batch([_Capture(app, environ_for(r)) for r in todo])
        finished = _worker().run(batch, timeout)
        done = len(todo) if finished else batch.stopped_index
        out += [_observe(r, c, c.environ) for r, c in zip(todo[:done], batch.captures[:done])]
        if not finished:
            cap = batch.captures[done]
            out.append(_timed_out(todo[done], cap, timeout, cap.environ))
            timeouts = timeouts + 1 if done == 0 else 1
            if max_timeouts is not None and timeouts >= max_timeouts:
                break
    return out


class _Batch:
    """Captures run one after another by one worker; ``started`` restarts the clock per request."""

    def __init__(self, captures: list[_Capture]):
        self.captures = captures
        self.index = 0
        self.started = time.monotonic()
        self.stopped_index = 0

    @property
    def phase(self) -> str:
        return self.captures[min(self.index, len(self.captures) - 1)].phase

    @property
    def stopped_at(self) -> str | None:
        return self.captures[self.stopped_index].stopped_at

    @stopped_at.setter
    def stopped_at(self, phase: str | None) -> None:  # set by _Worker.abandon: this one timed out
        self.stopped_index = min(self.index, len(self.captures) - 1)
        self.captures[self.stopped_index].stopped_at = phase

    def run(self) -> None:
        for i, capture in enumerate(self.captures):
            self.started = time.monotonic()  # first: a waiter that sees it move waits on
            self.index = i
            capture.run()


class _Capture:
    """One app call as a server makes it: what start_response, write() and the body gave.

    ``run`` catches every ``Exception`` the app raises (the app's fault: reported). A
    ``BaseException`` goes through, and with it the ``_Interrupt`` injected on timeout.
    """

    __slots__ = ("app", "environ", "calls", "written", "items", "size", "truncated",
                 "result_violations", "early_body", "error", "phase", "phase_error", "stopped_at")

    def __init__(self, app: Any, environ: dict[str, Any]):
        self.app = app
        self.environ = environ
        self.calls: list[tuple[Any, Any, Any]] = []
        self.written: list[Any] = []
        self.items: list[Any] = []  # body items kept (the last one cut at MAX_BODY)
        self.size = 0  # body bytes seen (write() and the iterable), including a cut item's rest
        self.truncated = False  # reading stopped at MAX_BODY bytes or MAX_ITEMS items
        self.result_violations: list[Violation] = []
        self.early_body = False  # a body byte came before start_response was called
        self.error: str | None = None
        self.phase = "call"  # where the app is: "call", "body", "close", "done"
        self.phase_error: str | None = None  # the phase that raised ``error`` first
        self.stopped_at: str | None = None  # the phase when time ran out

    def start_response(self, status: Any, headers: Any, exc_info: Any = None) -> Any:
        self.calls.append((status, headers, exc_info))
        return self.write

    def write(self, data: Any) -> None:
        if isinstance(data, (bytes, bytearray)):
            if data and not self.calls:
                self.early_body = True
            self.size += len(data)
            if self.size > MAX_BODY + 1 or len(self.written) >= MAX_ITEMS:
                self.truncated = True  # kept no further; an endless writer ends at the timeout
                return
        self.written.append(data)

    def run(self) -> None:
        try:
            result = self.app(self.environ, self.start_response)
        except Exception:  # the app's fault; reported, never raised
            self._fail()
            return
        self.phase = "body"
        self.result_violations = check_iterable(result)
        try:
            if not self.result_violations:
                self._read(result)
        except Exception:
            self._fail()
        finally:
            self.phase = "close"
            close = getattr(result, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:
                    self._fail()
            self.phase = "done"

    def _read(self, result: Any) -> None:
        items, calls = self.items, self.calls
        budget = MAX_BODY + 1  # bytes still kept: one more than MAX_BODY shows the cut
        for item in result:
            if isinstance(item, (bytes, bytearray)):
                n = len(item)
                if n and not calls:
                    self.early_body = True
                self.size += n
                if n > budget:
                    item = item[:budget]
                budget -= len(item)
            items.append(item)
            if budget <= 0 or len(items) >= MAX_ITEMS:
                self.truncated = True
                break

    def _fail(self) -> None:
        text = _tail(traceback.format_exc())
        if self.error is None:
            self.error, self.phase_error = text, self.phase
        else:  # close() raised after the body did: keep both
            self.error += "\n" + text


def _observe(request: Request, cap: _Capture, environ: dict[str, Any]) -> Observation:
    calls = cap.calls
    if len(calls) == 1 and cap.error is None and not cap.written and not cap.truncated \
            and not cap.early_body and not cap.result_violations:
        status_line, headers_raw, exc_info = calls[0]
        facts = header_facts(headers_raw) if exc_info is None and type(status_line) is str else None
        if facts is not None:
            items = cap.items
            if all(type(item) is bytes for item in items):
                # The common response, judged by the same checks in one pass (issue 9).
                body = items[0] if len(items) == 1 else b"".join(items)
                violations = check_plain_response(status_line, facts, body, request.method)
                return _observation(request, _status_code(status_line), status_line, facts.headers,
                                    body, tuple(violations), None, environ["wsgi.errors"].getvalue())
    return _observe_any(request, cap, environ)


def _observe_any(request: Request, cap: _Capture, environ: dict[str, Any]) -> Observation:
    """``_observe`` for any response, however broken."""
    calls = cap.calls
    status_raw, headers_raw = (calls[-1][0], calls[-1][1]) if calls else (None, None)
    violations = cap.result_violations + check_response(
        calls, cap.written, cap.items, headers_raw, cap.error, request.method,
        body_size=cap.size, truncated=cap.truncated, early_body=cap.early_body,
        phase_error=cap.phase_error)
    # An exception out of the app call itself leaves no response (a server answers 500 instead).
    status_line = status_raw if isinstance(status_raw, str) and cap.phase_error != "call" else None
    status = _status_code(status_line)
    headers = tuple(
        (str(h[0]), str(h[1])) for h in headers_raw if isinstance(h, tuple) and len(h) == 2
    ) if isinstance(headers_raw, list) else ()
    items = [*cap.written, *cap.items] if cap.written else cap.items
    body = b"".join(i for i in items if isinstance(i, (bytes, bytearray)))[: MAX_BODY + 1]
    violations += check_charset(status, headers, body)
    return _observation(request, status, status_line, headers, body, tuple(violations), cap.error,
                       environ["wsgi.errors"].getvalue(), truncated=cap.truncated)


def _timed_out(request: Request, cap: _Capture, timeout: float, environ: dict[str, Any]) -> Observation:
    """No response; what the app had done when time ran out is kept in ``error`` as evidence."""
    where = {"call": "in the application call", "body": "while reading the response body",
             "close": "in the body iterable's close()"}.get(cap.stopped_at or cap.phase, "")
    lines = [f"timed out after {timeout:g} s {where}".rstrip()]
    calls = list(cap.calls)  # the abandoned worker may still be appending: copy first
    if calls:
        lines.append(f"start_response({calls[-1][0]!r}, {calls[-1][1]!r:.200}) had been called")
    else:
        lines.append("start_response had not been called")
    if (cap.stopped_at or cap.phase) != "call":
        lines.append(f"{len(cap.items)} body item(s), {cap.size} byte(s) read")
    try:
        errors_stream = environ["wsgi.errors"].getvalue()
    except Exception:  # pragma: no cover - the abandoned worker replaced or closed it
        errors_stream = ""
    return Observation(request, None, None, (), b"", (), "\n".join(lines), errors_stream,
                       timed_out=True)


# --- the time bound ---------------------------------------------------------------------------
# Python cannot kill a thread. A call with a timeout runs in a worker thread; when time runs out
# the caller stops waiting, asks the worker to stop by raising ``_Interrupt`` in it
# (PyThreadState_SetAsyncExc, CPython) and abandons it: it is a daemon thread, and a new worker
# serves the next call. The exception is delivered when the worker next runs Python bytecode, so
# a loop of short sleeps or a busy Python loop stops at once; a call blocked inside C code (one
# long time.sleep, a lock or socket wait, a loop in a C extension) cannot be interrupted until it
# returns, and an app that catches BaseException can ignore the request. Such a worker keeps
# running in the background (sharing the app with later calls, and the GIL with the suite), but
# it never blocks the suite. One long-lived worker per calling thread serves every call, so a call
# with a timeout costs a hand-off between two threads, not a thread start.

class _Interrupt(BaseException):
    """Raised inside a worker whose call timed out (a BaseException, so that a framework's
    ``except Exception`` error handling does not swallow it)."""


GRACE = 0.05  # seconds a timed-out caller waits for the interrupted worker to wind down


def _inject(thread_id: int, exc: type[BaseException] | None) -> None:
    """Raise ``exc`` in thread ``thread_id`` at its next bytecode; ``None`` clears a pending one.

    Without CPython's C API (another implementation) the worker is only abandoned.
    """
    api = getattr(ctypes, "pythonapi", None)
    if api is not None:
        api.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                      ctypes.py_object(exc) if exc is not None else None)


class _Worker:
    """A daemon thread running the ``_Capture`` jobs of one calling thread, one at a time."""

    def __init__(self) -> None:
        self._go = threading.Lock()  # released by the caller: a job is ready
        self._go.acquire()
        self._done = threading.Lock()  # released by the worker: the job is finished
        self._done.acquire()
        self._guard = threading.Lock()  # orders "job finished" against "job abandoned"
        self._job: _Capture | _Batch | None = None
        self._finished = False
        self.abandoned = False
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="wsgi-conformance-call", daemon=True)
        self.thread.start()

    def run(self, job: _Capture | _Batch, timeout: float) -> bool:
        """Run ``job`` within ``timeout`` seconds; False when it did not finish (then abandoned)."""
        self._job, self._finished = job, False
        handed = time.monotonic()
        self._go.release()
        try:
            while True:  # a _Batch restarts the clock per request: wait while it makes progress
                started = getattr(job, "started", handed)
                if self._done.acquire(timeout=max(started + timeout - time.monotonic(), 0.0)):
                    return True
                if getattr(job, "started", handed) == started:
                    break
        except BaseException:  # KeyboardInterrupt while waiting: never reuse a busy worker
            self.abandon(job, 0.0)
            raise
        return self.abandon(job, min(GRACE, timeout))

    def abandon(self, job: _Capture | _Batch, grace: float) -> bool:
        """Stop waiting for ``job``: interrupt and abandon the worker, and give it ``grace``
        seconds to wind down (False), unless the job has just finished (True)."""
        with self._guard:
            if self._finished:  # finished right at the deadline
                self._done.acquire()
                return True
            self.abandoned = True
            job.stopped_at = job.phase
            _inject(self.thread.ident, _Interrupt)  # type: ignore[arg-type]
        if grace > 0:
            self.stopped.wait(grace)
        return False

    def stop(self) -> None:
        """End an idle worker (its calling thread is gone)."""
        if not self.abandoned:
            self._job = None
            try:
                self._go.release()
            except RuntimeError:  # pragma: no cover - a job was being handed over
                pass

    def _loop(self) -> None:
        # Once abandoned, the injected exception may arrive at any bytecode: everything the
        # worker runs is inside this ``try``, and a pending one is cleared before returning.
        try:
            while True:
                self._go.acquire()
                job, self._job = self._job, None
                if job is None:  # stop()
                    return
                job.run()
                with self._guard:
                    self._finished = True
                    if self.abandoned:  # the app ignored _Interrupt, or ended at the deadline
                        _inject(threading.get_ident(), None)
                        return
                self._done.release()
        except _Interrupt:
            return
        finally:
            self.stopped.set()


_local = threading.local()


class _Owner:
    """Kept only by the calling thread's local storage: when that thread ends, its worker ends."""


def _worker() -> _Worker:
    worker = getattr(_local, "worker", None)
    if worker is None or worker.abandoned:
        worker = _local.worker = _Worker()
        _local.owner = _Owner()
        weakref.finalize(_local.owner, worker.stop)
    return worker


def _status_code(status_line: str | None) -> int | None:
    if status_line is None or len(status_line) < 3 or not status_line[:3].isdigit():
        return None
    return int(status_line[:3])


def _tail(text: str, lines: int = 12) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])
