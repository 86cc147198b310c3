"""The response object: enough of PEP 3333 to be always valid, and nothing more."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Callable, Iterable

HTML = "text/html; charset=utf-8"


class Response:
    """A complete body in memory, so Content-Length is always exact."""

    def __init__(self, body: str | bytes = b"", status: int = 200,
                 headers: dict[str, str] | None = None, content_type: str = HTML):
        self.body = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        self.status = status
        self.headers = {"Content-Type": content_type, **(headers or {})}

    @property
    def status_line(self) -> str:
        return f"{self.status} {HTTPStatus(self.status).phrase}"

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        headers = [(name, value) for name, value in self.headers.items()]
        headers.append(("Content-Length", str(len(self.body))))
        start_response(self.status_line, headers)
        if environ.get("REQUEST_METHOD", "GET").upper() == "HEAD":
            return []  # same status and headers as GET, Content-Length included (RFC 9110 §9.3.2)
        return [self.body]
