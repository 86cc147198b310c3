"""What generated view functions call: framework-free, so every adapter's handlers answer alike.

``echo`` is the heart of the suite's observations: it reports the endpoint and each argument's
Python type and ``repr``, so a framework that hands the view ``'42'`` instead of ``42`` is seen.
"""

from __future__ import annotations

import json
from typing import Any

ECHO_MARK = "wsgi-conformance-echo"
ECHO_BYTES = ECHO_MARK.encode()  # in every echo body: ``echo`` writes ASCII JSON


def echo(endpoint: str, **values: Any) -> str:
    """The body of an echo handler: JSON naming the endpoint and the typed arguments."""
    return json.dumps(
        {
            ECHO_MARK: 1,
            "endpoint": endpoint,
            "args": {k: [type(v).__name__, repr(v)] for k, v in sorted(values.items())},
        },
        ensure_ascii=True,
    )


def parse_echo(body: bytes) -> dict[str, Any] | None:
    """The echo payload in a response body, or None when the body is not an echo."""
    if ECHO_BYTES not in body:  # an error page, a redirect: no JSON to parse (issue 9)
        return None
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or data.get(ECHO_MARK) != 1:
        return None
    return data


def typed(value: Any) -> list[str]:
    """How ``echo`` reports one value: ``[type name, repr]``."""
    return [type(value).__name__, repr(value)]
