"""PEP 3333 checks of one captured response, each tied to a WSGI-* requirement id.

They follow the response-side assertions of the standard library's ``wsgiref.validate``, but
report instead of raising: a conformance suite must keep going and show the evidence, and an
assertion raised inside a framework's ``start_response`` call can be swallowed by the framework's
own error handling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_STATUS = re.compile(r"^[1-5][0-9][0-9] [^\r\n]+$")
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
     "transfer-encoding", "upgrade"}
)


@dataclass(frozen=True)
class Violation:
    requirement: str
    detail: str

    def __str__(self) -> str:
        return f"{self.requirement}: {self.detail}"


def check_response(
    calls: list[tuple[Any, Any, Any]],
    written: list[Any],
    body_items: list[Any],
    headers: Any,
    error: str | None,
    method: str = "GET",
) -> list[Violation]:
    out: list[Violation] = []
    if not calls:
        if error is None:
            out.append(Violation("WSGI-004", "start_response was never called"))
        return out
    if len(calls) > 1 and any(exc_info is None for _, _, exc_info in calls[1:]):
        out.append(Violation("WSGI-004", f"start_response called {len(calls)} times without exc_info"))
    status = calls[-1][0]
    if not isinstance(status, str):
        out.append(Violation("WSGI-001", f"status is {type(status).__name__}, not str: {status!r}"))
    elif not _STATUS.match(status):
        out.append(Violation("WSGI-001", f"status {status!r} is not of the form 'NNN Reason'"))
    out += _check_headers(headers)
    for item in [*written, *body_items]:
        if not isinstance(item, bytes):
            out.append(Violation("WSGI-003", f"body item is {type(item).__name__}, not bytes: {item!r:.80}"))
            break
    if error is None and isinstance(headers, list) and method != "HEAD":
        # A HEAD response carries the Content-Length GET would have (RFC 9110 §9.3.2).
        out += _check_length(headers, written, body_items)
    return out


def _check_headers(headers: Any) -> list[Violation]:
    if not isinstance(headers, list):
        return [Violation("WSGI-002", f"headers are {type(headers).__name__}, not list")]
    out = []
    for header in headers:
        if not (isinstance(header, tuple) and len(header) == 2):
            out.append(Violation("WSGI-002", f"header {header!r} is not a (name, value) tuple"))
            continue
        name, value = header
        if not (isinstance(name, str) and isinstance(value, str)):
            out.append(Violation("WSGI-002", f"header {header!r} is not a pair of native str"))
            continue
        if not _TOKEN.match(name):
            out.append(Violation("WSGI-002", f"header name {name!r} is not an HTTP token"))
        if name.lower() in HOP_BY_HOP:
            out.append(Violation("WSGI-002", f"hop-by-hop header {name!r} set by the application"))
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            out.append(Violation("WSGI-002", f"header {name}: {value!r} is not latin-1 encodable"))
        if "\r" in value or "\n" in value:
            out.append(Violation("WSGI-002", f"header {name} contains a line break"))
    return out


def _check_length(headers: list, written: list[Any], body_items: list[Any]) -> list[Violation]:
    declared = [v for k, v in headers if isinstance(k, str) and k.lower() == "content-length"]
    if not declared:
        return []
    actual = sum(len(i) for i in [*written, *body_items] if isinstance(i, bytes))
    try:
        expected = int(declared[-1])
    except (TypeError, ValueError):
        return [Violation("WSGI-005", f"Content-Length {declared[-1]!r} is not a number")]
    if expected != actual:
        return [Violation("WSGI-005", f"Content-Length says {expected}, the body has {actual} bytes")]
    return []


def check_charset(status: int | None, headers: tuple[tuple[str, str], ...], body: bytes) -> list[Violation]:
    """WSGI-006: a text body declares its charset (only checked where there is a body)."""
    ctype = next((v for k, v in headers if k.lower() == "content-type"), None)
    if not body or ctype is None or not ctype.lower().startswith("text/"):
        return []
    if "charset=" in ctype.lower():
        return []
    return [Violation("WSGI-006", f"Content-Type {ctype!r} has no charset")]
