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


def check_iterable(result: Any) -> list[Violation]:
    """WSGI-003: what the application returned is an iterable (of bytes), not bytes or text."""
    if result is None:
        return [Violation("WSGI-003", "the application returned None, not an iterable of bytes")]
    if isinstance(result, (str, bytes, bytearray)):
        return [Violation("WSGI-003", f"the application returned {type(result).__name__} "
                                      f"{result!r:.80}, not an iterable of bytes (a server would "
                                      "send it one character at a time, or fail)")]
    try:
        iter(result)
    except Exception as exc:  # TypeError, or an __iter__ of the app's own that raises
        return [Violation("WSGI-003", f"the application returned {type(result).__name__} "
                                      f"{result!r:.80}, which is not iterable: {exc}")]
    return []


def check_response(
    calls: list[tuple[Any, Any, Any]],
    written: list[Any],
    body_items: list[Any],
    headers: Any,
    error: str | None,
    method: str = "GET",
    *,
    body_size: int | None = None,
    truncated: bool = False,
    early_body: bool = False,
    phase_error: str | None = None,
) -> list[Violation]:
    """The PEP 3333 violations of one captured response.

    ``body_size`` is the number of body bytes the app produced (default: those in ``written``
    and ``body_items``), ``truncated`` says reading stopped before the body's end, ``early_body``
    that a body byte came before start_response was called, and ``phase_error`` where ``error``
    was raised: ``"call"`` (the application call: not a WSGI matter, a server answers 500),
    ``"body"`` (the iteration) or ``"close"`` (the iterable's ``close()``).
    """
    out: list[Violation] = []
    if phase_error in ("body", "close"):
        where = "iterating the response body" if phase_error == "body" else "the body iterable's close()"
        out.append(Violation("WSGI-003" if phase_error == "body" else "WSGI-004",
                             f"{where} raised {_last_line(error)}"))
    if not calls:
        if error is None or phase_error != "call":
            out.append(Violation("WSGI-004", "start_response was never called"))
        return out
    if len(calls) > 1 and any(exc_info is None for _, _, exc_info in calls[1:]):
        out.append(Violation("WSGI-004", f"start_response called {len(calls)} times without exc_info"))
    if early_body:
        out.append(Violation("WSGI-004", "the body's first bytes came before start_response was called"))
    status = calls[-1][0]
    if not isinstance(status, str):
        out.append(Violation("WSGI-001", f"status is {type(status).__name__}, not str: {status!r}"))
    elif not _STATUS.match(status):
        out.append(Violation("WSGI-001", f"status {status!r} is not of the form 'NNN Reason'"))
    out += _check_headers(headers)
    all_bytes = True
    for item in [*written, *body_items]:
        if not isinstance(item, bytes):
            out.append(Violation("WSGI-003", f"body item is {type(item).__name__}, not bytes: {item!r:.80}"))
            all_bytes = False
            break
    if error is None and all_bytes and isinstance(headers, list) and method != "HEAD":
        # A HEAD response carries the Content-Length GET would have (RFC 9110 §9.3.2).
        size = body_size if body_size is not None else \
            sum(len(i) for i in [*written, *body_items] if isinstance(i, bytes))
        out += _check_length(headers, size, truncated)
    return out


def _last_line(error: str | None) -> str:
    return error.strip().splitlines()[-1] if error else "an exception"


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
        if type(header) is not tuple or type(name) is not str or type(value) is not str:
            out += _check_header(name, value)  # a subclass may compare equal to what it is not
            continue
        found = _CHECKED.get(header)
        if found is None:
            if len(_CHECKED) >= MAX_CHECKED:
                _CHECKED.clear()
            found = _CHECKED[header] = tuple(_check_header(name, value))
        out += found
    return out


# Header pairs already checked, and their violations: a framework sends the same few headers on
# every response, and the check of a pair of str depends on the pair alone (issue 9).
_CHECKED: dict[tuple[str, str], tuple[Violation, ...]] = {}
MAX_CHECKED = 4096


def _check_header(name: str, value: str) -> list[Violation]:
    """The violations of one (name, value) pair of str."""
    out = []
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


def _check_length(headers: list, size: int, truncated: bool = False) -> list[Violation]:
    declared = [v for k, v in headers if isinstance(k, str) and k.lower() == "content-length"]
    return _length_violations(declared[-1] if declared else None, size, truncated)


def _length_violations(declared: Any, size: int, truncated: bool = False) -> list[Violation]:
    """WSGI-005 for the last Content-Length value the app sent (None: it sent none)."""
    if declared is None:
        return []
    try:
        expected = int(declared)
    except (TypeError, ValueError):
        return [Violation("WSGI-005", f"Content-Length {declared!r} is not a number")]
    if truncated and expected >= size:
        return []  # reading stopped before the end: only a body longer than declared is known
    if expected != size:
        more = "at least " if truncated else ""
        return [Violation("WSGI-005", f"Content-Length says {expected}, the body has {more}{size} bytes")]
    return []


def check_charset(status: int | None, headers: tuple[tuple[str, str], ...], body: bytes) -> list[Violation]:
    """WSGI-006: a text body declares its charset (only checked where there is a body)."""
    return _charset_violations(next((v for k, v in headers if k.lower() == "content-type"), None), body)


def _charset_violations(ctype: str | None, body: bytes) -> list[Violation]:
    if not body or ctype is None or not ctype.lower().startswith("text/"):
        return []
    if "charset=" in ctype.lower():
        return []
    return [Violation("WSGI-006", f"Content-Type {ctype!r} has no charset")]


# --- the common case, checked once per distinct header list -----------------------------------
@dataclass(frozen=True)
class HeaderFacts:
    """What the checks above need from one header list of plain ``(str, str)`` tuples: it is
    the same for every response that sends that list (issue 9: most responses do)."""

    headers: tuple[tuple[str, str], ...]
    violations: tuple[Violation, ...]  # _check_headers'
    content_length: str | None  # the last Content-Length value (what _check_length reads)
    content_type: str | None  # the first Content-Type value (what check_charset reads)


_FACTS: dict[tuple, HeaderFacts] = {}
_STATUS_VIOLATIONS: dict[str, tuple[Violation, ...]] = {}


def header_facts(headers: Any) -> HeaderFacts | None:
    """``HeaderFacts`` for a list of exact ``tuple``s of two exact ``str``s, else None (then the
    general checks run). Only exact types are memoised: a subclass may compare equal to a pair
    it is not (see ``_check_headers``)."""
    if type(headers) is not list:
        return None
    for header in headers:
        if type(header) is not tuple or len(header) != 2 or type(header[0]) is not str \
                or type(header[1]) is not str:
            return None
    key = tuple(headers)
    facts = _FACTS.get(key)
    if facts is None:
        if len(_FACTS) >= MAX_CHECKED:
            _FACTS.clear()
        lengths = [v for k, v in key if k.lower() == "content-length"]
        facts = _FACTS[key] = HeaderFacts(
            key, tuple(_check_headers(headers)), lengths[-1] if lengths else None,
            next((v for k, v in key if k.lower() == "content-type"), None))
    return facts


def check_plain_response(status: str, facts: HeaderFacts, body: bytes, method: str) -> list[Violation]:
    """``check_response`` + ``check_charset`` for the common response: start_response called
    once, without exc_info, before any body; a str status; headers with ``facts``; a body of
    bytes items read to its end (``body``), nothing written through write(), no exception."""
    status_violations = _STATUS_VIOLATIONS.get(status)
    if status_violations is None:
        if len(_STATUS_VIOLATIONS) >= MAX_CHECKED:
            _STATUS_VIOLATIONS.clear()
        status_violations = _STATUS_VIOLATIONS[status] = () if _STATUS.match(status) else (
            Violation("WSGI-001", f"status {status!r} is not of the form 'NNN Reason'"),)
    out = [*status_violations, *facts.violations]
    if method != "HEAD":
        out += _length_violations(facts.content_length, len(body))
    out += _charset_violations(facts.content_type, body)
    return out
