"""Drive a WSGI app with one request and record what it did, PEP 3333 violations included.

The environ is built as a real server builds it: the raw target is percent-decoded into PATH_INFO
and carried as latin-1 "bytes as str", the raw form kept in REQUEST_URI/RAW_URI. The response is
captured without trusting the app: a broken app gives an Observation with violations, never an
exception out of the driver.
"""

from __future__ import annotations

import io
import traceback
from dataclasses import dataclass, field
from typing import Any, Iterable
from urllib.parse import unquote_to_bytes

from conformance.handlers import parse_echo
from conformance.model import Request
from conformance.wsgi import Violation, check_charset, check_response

SERVER_NAME = "localhost"
MAX_BODY = 1 << 20  # bytes read from a response body before the rest is discarded


def environ_for(request: Request, script_name: str = "") -> dict[str, Any]:
    path_info = unquote_to_bytes(request.path).decode("latin-1")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path_info,
        "QUERY_STRING": request.query,
        "REQUEST_URI": request.target,
        "RAW_URI": request.target,
        "SERVER_NAME": SERVER_NAME,
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": SERVER_NAME,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
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

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None

    @property
    def echo(self) -> dict[str, Any] | None:
        return parse_echo(self.body)

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
        if self.error and self.status is None:
            return f"raised {self.error.strip().splitlines()[-1]}"
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
        return " ".join(parts)


def call(app: Any, request: Request) -> Observation:
    """Call ``app`` once as a server would and capture status, headers, body and violations."""
    environ = environ_for(request)
    calls: list[tuple[Any, Any, Any]] = []
    written: list[Any] = []

    def start_response(status: Any, headers: Any, exc_info: Any = None) -> Any:
        calls.append((status, headers, exc_info))
        return written.append

    body_items: list[Any] = []
    error: str | None = None
    try:
        result = app(environ, start_response)
        try:
            size = 0
            for item in _iterate(result):
                body_items.append(item)
                size += len(item) if isinstance(item, (bytes, bytearray)) else 0
                if size > MAX_BODY:
                    break
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
    except Exception:  # the app's fault; reported, never raised
        error = _tail(traceback.format_exc())
    status_raw, headers_raw = (calls[-1][0], calls[-1][1]) if calls else (None, None)
    violations = check_response(calls, written, body_items, headers_raw, error, request.method)
    status_line = status_raw if isinstance(status_raw, str) else None
    status = _status_code(status_line)
    headers = tuple(
        (str(h[0]), str(h[1])) for h in headers_raw if isinstance(h, tuple) and len(h) == 2
    ) if isinstance(headers_raw, list) else ()
    body = b"".join(
        bytes(i) for i in [*written, *body_items] if isinstance(i, (bytes, bytearray))
    )[: MAX_BODY + 1]
    violations += check_charset(status, headers, body)
    errors_stream = environ["wsgi.errors"].getvalue()
    return Observation(request, status, status_line, headers, body, tuple(violations), error,
                       errors_stream)


def _iterate(result: Any) -> Iterable[Any]:
    if result is None or isinstance(result, (str, bytes, int)):
        # Not an iterable of bytes: handled as a WSGI-003 violation, evidence kept.
        return [result] if result is not None else []
    return result


def _status_code(status_line: str | None) -> int | None:
    if status_line is None or len(status_line) < 3 or not status_line[:3].isdigit():
        return None
    return int(status_line[:3])


def _tail(text: str, lines: int = 12) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])
