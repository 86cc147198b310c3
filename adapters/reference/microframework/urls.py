"""Percent-encoding of the URLs the framework writes (built URLs and redirects).

PEP 3333 hands the application a *decoded* path, so the framework never decodes; it only encodes,
as UTF-8, whatever RFC 3986 does not allow in a path segment, so the server's decoding gives the
same text back.
"""

from __future__ import annotations

from typing import Any, Mapping
from urllib.parse import quote, urlencode

# RFC 3986 pchar minus the unreserved characters quote() always keeps: sub-delims, ':' and '@'.
SEGMENT_SAFE = "!$&'()*+,;=:@"
PATH_SAFE = SEGMENT_SAFE + "/"


def quote_segment(text: str) -> str:
    """One path segment: a '/' in the value is data, so it is encoded as %2F."""
    return quote(text, safe=SEGMENT_SAFE, encoding="utf-8")


def quote_path(text: str) -> str:
    """A whole path (or a ``path`` value): its '/' separate segments and stay as they are."""
    return quote(text, safe=PATH_SAFE, encoding="utf-8")


def query_string(values: Mapping[str, Any]) -> str:
    """``a=1&b=x+y``: lists give repeated keys, as Flask's url_for does."""
    present = {k: v for k, v in values.items() if v is not None}
    return urlencode(present, doseq=True, encoding="utf-8")
