"""Pages for an exception a view did not handle: detailed with debug on, opaque with it off."""

from __future__ import annotations

import html
import traceback
from urllib.parse import parse_qsl

from .exceptions import NotFound
from .wrappers import Response

# What the debug page loads from ``?__debugger__=yes&cmd=resource&f=<name>`` (as Werkzeug's does).
RESOURCES = {
    "style.css": ("text/css; charset=utf-8", "p.message { font-weight: bold; }\n"),
    "debugger.js": ("text/javascript; charset=utf-8", "/* reference debugger */\n"),
}


def production_page() -> Response:
    """Says only that it failed: no type, message or source line may leak (DEBUG-003)."""
    return Response(
        "<!doctype html>\n<html lang=\"en\">\n<title>500 Internal Server Error</title>\n"
        "<h1>Internal Server Error</h1>\n",
        500,
    )


def debug_page(exc: BaseException) -> Response:
    """Type, message, the function that raised and the traceback, all HTML-escaped."""
    frames = traceback.extract_tb(exc.__traceback__)
    raised_in = frames[-1].name if frames else "?"
    kind = html.escape(type(exc).__name__, quote=True)
    message = html.escape(str(exc), quote=True)
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    trace = html.escape("".join(lines), quote=True)
    return Response(
        "<!doctype html>\n<html lang=\"en\">\n"
        f"<title>{kind}: {message}</title>\n"
        f"<h1>{kind}</h1>\n"
        f"<p class=\"message\">{message}</p>\n"
        f"<p>Raised in <code>{html.escape(raised_in, quote=True)}</code>.</p>\n"
        f"<h2>Traceback (most recent call last)</h2>\n<pre>{trace}</pre>\n",
        500,
    )


def debugger_resource(query: str) -> Response | None:
    """A debugger asset for ``__debugger__=yes&cmd=resource`` requests, else None.

    The app asks only with debug on: with it off these are ordinary requests (DEBUG-005).
    """
    args = dict(parse_qsl(query))
    if args.get("__debugger__") != "yes" or args.get("cmd") != "resource":
        return None
    if args.get("f") not in RESOURCES:
        return NotFound().response()
    content_type, body = RESOURCES[args["f"]]
    return Response(body, 200, content_type=content_type)
