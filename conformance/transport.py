"""How a request reaches the framework: in-process WSGI, its own test client, or its own server.

``--conformance-transport`` picks one for a run (default ``wsgi``):

- ``wsgi``: ``driver.call``, the app called as PEP 3333 says, every response validated.
- ``client``: the framework's own test client (``Adapter.client_request``), what users test with.
- ``server``: the framework's own development server (``Adapter.serve``) on 127.0.0.1 and a free
  port, one per app (reused across its requests, stopped when the app leaves the harness's cache
  and at the end of the session), and real HTTP requests whose request line carries the target
  exactly as the case wrote it (``//``, ``%2F``, raw UTF-8 reach the server as sent).

Over ``client`` and ``server`` the suite sees answers, not WSGI calls: PEP 3333 checks (WSGI-*)
are not applicable there (``not_applicable``).

A failure's reproduction sends the request the way its transport did (``Transport.reproduction``):
WebTest in-process, the framework's test-client call, or the development server and the exact
bytes over a socket. A divergence of the client or the server alone (Flask's test client reading
``//host/x`` as a host, Werkzeug's server decoding raw UTF-8 twice) then shows when it is run.
"""

from __future__ import annotations

import atexit
import http.client
import io
import socket
import time
import traceback
import weakref
from typing import Any

from adapters.base import Adapter, ClientAnswer, TransportUnsupported, webtest_source
from adapters.serving import HOST
from conformance.driver import MAX_BODY, SERVER_NAME, Observation, _worker, call
from conformance.model import AppModel, Request

TRANSPORTS = ("wsgi", "client", "server")
DEFAULT = "wsgi"


def not_applicable(transport: str, req_id: str) -> str | None:
    """Why ``req_id`` cannot be judged over ``transport`` (None: it can)."""
    if req_id.startswith("WSGI-") and transport != "wsgi":
        return (f"not applicable over transport {transport!r}: PEP 3333 checks need the WSGI "
                "calls themselves, and the {} only shows the answer".format(
                    "test client" if transport == "client" else "HTTP connection"))
    return None


class Transport:
    """Sends one request to a built app and returns an Observation; owns what it started."""

    name = ""

    def __init__(self, adapter: Adapter, timeout: float | None):
        self.adapter = adapter
        self.timeout = timeout

    def observe(self, app: Any, request: Request) -> Observation:
        raise NotImplementedError

    def forget(self, app: Any) -> None:
        """``app`` left the harness's cache: release what this transport holds for it."""

    def close(self) -> None:
        """End of the session: stop everything this transport started."""

    def request_source(self, model: AppModel, request: Request) -> str | None:
        """How this transport sent ``request``, as code run after the app's source (which defines
        ``app``) and printing the answer; None: the adapter's in-process WebTest request."""
        return None

    def reproduction(self, model: AppModel, request: Request | None,
                     build: tuple | None = None) -> str:
        """The adapter's reproduction, with the request sent as this transport sent it."""
        if request is None:  # building the app or a URL: no transport involved
            return self.adapter.reproduction(model, request, build)
        try:
            source = self.request_source(model, request)
        except Exception as exc:  # a broken hook must not turn the failure into a crash
            source = self._fallback(request, f"its source hook raised {type(exc).__name__}: {exc}")
        if source is None:
            return self.adapter.reproduction(model, request, build)
        return self.adapter.reproduction(model, request, build, request_source=source)

    def _fallback(self, request: Request, why: str) -> str:
        """WebTest, said to be a stand-in: it may not show a failure seen over this transport."""
        return (f"# adapter {self.adapter.name!r} writes no {self.name!r} reproduction ({why});\n"
                f"# the in-process WebTest request below may not show what {self.name!r} showed\n"
                + webtest_source(request))


class WsgiTransport(Transport):
    name = "wsgi"

    def observe(self, app: Any, request: Request) -> Observation:
        return call(app, request, timeout=self.timeout)


class _ClientJob:
    """One test-client call, run by the driver's interruptible worker (``driver._worker``: the
    same time bound, and a hung client is interrupted as a hung app is)."""

    __slots__ = ("adapter", "app", "request", "answer", "error", "phase", "stopped_at")

    def __init__(self, adapter: Adapter, app: Any, request: Request):
        self.adapter, self.app, self.request = adapter, app, request
        self.answer: ClientAnswer | None = None
        self.error: str | None = None
        self.phase = "call"
        self.stopped_at: str | None = None

    def run(self) -> None:
        try:
            self.answer = self.adapter.client_request(self.app, self.request)
        except Exception:  # the framework's client raised: reported, as the driver does
            self.error = "\n".join(traceback.format_exc().rstrip().splitlines()[-12:])
        self.phase = "done"


class ClientTransport(Transport):
    name = "client"

    def request_source(self, model: AppModel, request: Request) -> str:
        code = self.adapter.client_request_source(model, request)
        if code is None:
            return self._fallback(request, "no Adapter.client_request_source")
        return (f"# sent through {self.adapter.framework}'s test client, as "
                f"--conformance-transport=client sent it\n{code}")

    def observe(self, app: Any, request: Request) -> Observation:
        job = _ClientJob(self.adapter, app, request)
        if self.timeout is None:
            job.run()
        elif not _worker().run(job, self.timeout):  # type: ignore[arg-type]
            return Observation(request, None, None, (), b"", error=(
                f"timed out after {self.timeout:g} s in the test client"), timed_out=True)
        if job.answer is None:
            return Observation(request, None, None, (), b"", error=job.error)
        answer = job.answer
        status = int(answer.status_line[:3]) if answer.status_line[:3].isdigit() else None
        body = answer.body[: MAX_BODY + 1]
        return Observation(request, status, answer.status_line, tuple(answer.headers), body,
                           truncated=len(answer.body) > MAX_BODY)


class ServerTransport(Transport):
    """One development server per app, started on first use; all stopped by ``close``."""

    name = "server"

    def __init__(self, adapter: Adapter, timeout: float | None):
        super().__init__(adapter, timeout)
        self.servers: dict[int, Any] = {}  # id(app) -> running server
        self.failed: dict[int, str] = {}  # id(app) -> why its server did not start
        _LIVE.add(self)

    def request_source(self, model: AppModel, request: Request) -> str:
        code = self.adapter.serve_source(model)
        if code is None:
            return self._fallback(request, "no Adapter.serve_source")
        return (f"# served by {self.adapter.framework}'s development server, as "
                f"--conformance-transport=server ran it\n{code}\n\n{send_source(request)}")

    def server_for(self, app: Any) -> Any:
        key = id(app)
        if key not in self.servers:
            self.servers[key] = self.adapter.serve(app, HOST)
        return self.servers[key]

    def observe(self, app: Any, request: Request) -> Observation:
        key = id(app)
        if key in self.failed:
            return Observation(request, None, None, (), b"", error=self.failed[key])
        try:
            server = self.server_for(app)
        except Exception as exc:
            self.failed[key] = (f"the {self.adapter.framework} development server did not start: "
                                f"{type(exc).__name__}: {exc}")
            return Observation(request, None, None, (), b"", error=self.failed[key])
        return http_observe(server.port, request, self.timeout)

    def forget(self, app: Any) -> None:
        self.failed.pop(id(app), None)
        server = self.servers.pop(id(app), None)
        if server is not None:
            server.stop()

    def close(self) -> None:
        errors = []
        for key in list(self.servers):
            try:
                self.servers.pop(key).stop()
            except Exception as exc:  # keep stopping the others
                errors.append(str(exc))
        _LIVE.discard(self)
        if errors:
            raise RuntimeError("; ".join(errors))


TRANSPORT_CLASSES = {"wsgi": WsgiTransport, "client": ClientTransport, "server": ServerTransport}


def make(name: str, adapter: Adapter, timeout: float | None) -> Transport:
    """The transport ``name`` for ``adapter``; a clear error when the adapter lacks its hook."""
    if name not in TRANSPORT_CLASSES:
        raise TransportUnsupported(
            f"unknown transport {name!r}; choose from {', '.join(TRANSPORTS)}")
    if not adapter.supports_transport(name):
        able = [t for t in TRANSPORTS if adapter.supports_transport(t)]
        hook = "client_request" if name == "client" else "serve"
        raise TransportUnsupported(
            f"adapter {adapter.name!r} does not support transport {name!r} (it has no "
            f"Adapter.{hook} hook); transports it supports: {', '.join(able)}")
    return TRANSPORT_CLASSES[name](adapter, timeout)


# Servers left running when the interpreter exits without a session end (a crash, an API user
# who never called close): stop them anyway.
_LIVE: "weakref.WeakSet[ServerTransport]" = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    for transport in list(_LIVE):
        try:
            transport.close()
        except Exception:  # pragma: no cover - exiting anyway
            pass


# --- HTTP, byte-exact ---------------------------------------------------------------------------
READ_LIMIT = MAX_BODY + (64 << 10)  # raw bytes read from one connection (body plus headers)


class _Replay(io.BytesIO):
    """The raw response for ``http.client`` to parse; stays readable after it "closes" it, so
    bytes past the declared end (a wrong Content-Length, a body after HEAD) are seen too."""

    def close(self) -> None:
        pass


class _RawResponse:
    def __init__(self, data: bytes):
        self.stream = _Replay(data)

    def makefile(self, mode: str) -> _Replay:
        return self.stream


def request_bytes(request: Request) -> bytes:
    """The request exactly as sent: the target is the case's own (UTF-8 when not ASCII)."""
    lines = [f"{request.method} {request.target} HTTP/1.1", f"Host: {SERVER_NAME}",
             "Connection: close"]
    lines += [f"{k}: {v}" for k, v in request.headers if k.lower() not in ("host", "connection")]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def send_source(request: Request) -> str:
    """Code sending ``request_bytes(request)`` to ``port`` on 127.0.0.1 and printing the answer
    read until the server closes the connection, as ``http_observe`` reads it (curl or a client
    library would normalise the target: ``//``, ``%2F``, raw UTF-8 must reach the server as sent)."""
    return (
        "# the request, byte for byte as the suite sent it\n"
        "import socket\nimport sys\n\n"
        f"request = {request_bytes(request)!r}\n"
        "answer = b''\n"
        f"with socket.create_connection(({HOST!r}, port), timeout=10) as sock:\n"
        "    sock.sendall(request)\n"
        "    while len(answer) < 1 << 21:  # until the server closes the connection (bounded)\n"
        "        chunk = sock.recv(65536)\n"
        "        if not chunk:\n"
        "            break\n"
        "        answer += chunk\n"
        "sys.stdout.buffer.write(answer)  # the raw answer: status line, headers, body"
    )


def http_observe(port: int, request: Request, timeout: float | None) -> Observation:
    """One request over a fresh loopback connection; the answer read until the server closes it.

    ``body`` is every byte after the headers (de-chunked): a body longer or shorter than
    ``Content-Length`` stays visible, and so does a body sent after ``HEAD``.
    """
    bound = timeout if timeout is not None else 60.0
    deadline = time.monotonic() + bound
    raw = bytearray()
    truncated = closed = False
    try:
        with socket.create_connection((HOST, port), timeout=bound) as sock:
            sock.sendall(request_bytes(request))
            while len(raw) <= READ_LIMIT:
                sock.settimeout(max(deadline - time.monotonic(), 0.001))
                chunk = sock.recv(65536)
                if not chunk:
                    closed = True
                    break
                raw += chunk
            else:
                truncated = True
    except socket.timeout:
        if not raw:
            return Observation(request, None, None, (), b"", error=(
                f"timed out after {bound:g} s waiting for the server's answer"), timed_out=True)
    except OSError as exc:
        if not raw:
            return Observation(request, None, None, (), b"",
                               error=f"connection failed: {type(exc).__name__}: {exc}")
    return parse_response(request, bytes(raw), truncated, closed)


def parse_response(request: Request, raw: bytes, truncated: bool = False,
                   closed: bool = True) -> Observation:
    source = _RawResponse(raw)
    response = http.client.HTTPResponse(source, method=request.method)  # type: ignore[arg-type]
    try:
        response.begin()
    except (http.client.HTTPException, ValueError) as exc:
        return Observation(request, None, None, (), b"", error=(
            f"no valid HTTP response: {type(exc).__name__}: {exc}; received {raw[:200]!r}"))
    try:
        body = response.read()
    except http.client.IncompleteRead as exc:  # shorter than Content-Length said
        body = exc.partial
    body += source.stream.read()  # anything past the declared end
    error = None if closed or truncated else (
        "the answer did not end: the server still held the connection open at the time limit")
    return Observation(request, response.status, f"{response.status} {response.reason}",
                       tuple(response.getheaders()), body[: MAX_BODY + 1], error=error,
                       truncated=truncated or len(body) > MAX_BODY)
