"""HTTP errors the router raises, each able to answer as a short HTML page (no traceback)."""

from __future__ import annotations

import html
from http import HTTPStatus

from .wrappers import Response


def error_page(status: int, description: str) -> str:
    phrase = HTTPStatus(status).phrase
    return (
        "<!doctype html>\n<html lang=\"en\">\n"
        f"<title>{status} {phrase}</title>\n"
        f"<h1>{phrase}</h1>\n"
        f"<p>{html.escape(description, quote=True)}</p>\n"
    )


class HTTPException(Exception):
    code = 500
    description = ""

    def headers(self) -> dict[str, str]:
        return {}

    def response(self) -> Response:
        return Response(error_page(self.code, self.description), self.code, self.headers())


class BadRequest(HTTPException):
    code = 400
    description = "The browser (or proxy) sent a request that this server could not understand."


class NotFound(HTTPException):
    code = 404
    description = "The requested URL was not found on the server."


class MethodNotAllowed(HTTPException):
    code = 405
    description = "The method is not allowed for the requested URL."

    def __init__(self, valid_methods: set[str]):
        super().__init__(valid_methods)
        self.valid_methods = valid_methods

    def headers(self) -> dict[str, str]:
        return {"Allow": ", ".join(sorted(self.valid_methods))}


class RequestRedirect(HTTPException):
    """The canonical URL has a trailing slash; 308 keeps the method and body (CANON-002)."""

    code = 308
    description = "The URL has moved to its canonical location."

    def __init__(self, location: str):
        super().__init__(location)
        self.location = location

    def headers(self) -> dict[str, str]:
        return {"Location": self.location}
