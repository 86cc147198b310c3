"""The application object: a route decorator, a WSGI ``__call__``, 404 and 405."""

from __future__ import annotations

import sys
import traceback
from typing import Any, Callable, Iterable

from homegrown.routing import Route, Router

REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error"}


class HTTPError(Exception):
    def __init__(self, status: int, message: str = ""):
        super().__init__(message)
        self.status = status
        self.message = message or REASONS.get(status, "Error")


class Response:
    def __init__(self, body: str | bytes = b"", status: int = 200,
                 headers: dict[str, str] | None = None):
        self.body = body.encode("utf-8") if isinstance(body, str) else body
        self.status = status
        self.headers = {"Content-Type": "text/html; charset=utf-8"}
        self.headers.update(headers or {})

    def __call__(self, start_response: Callable) -> Iterable[bytes]:
        headers = dict(self.headers, **{"Content-Length": str(len(self.body))})
        start_response(f"{self.status} {REASONS.get(self.status, 'Unknown')}",
                       list(headers.items()))
        return [self.body]


class Homegrown:
    def __init__(self, debug: bool = False):
        self.router = Router()
        self.debug = debug

    def route(self, pattern: str, methods: list[str] | None = None,
              name: str | None = None) -> Callable:
        def decorator(view: Callable) -> Callable:
            self.add_route(pattern, view, methods, name)
            return view
        return decorator

    def add_route(self, pattern: str, view: Callable, methods: list[str] | None = None,
                  name: str | None = None) -> None:
        self.router.add(Route(pattern, view, methods or ["GET"], name or view.__name__))

    def url_for(self, name: str, **values: Any) -> str:
        return self.router.url_for(name, **values)

    def handle(self, environ: dict) -> Response:
        path = environ.get("PATH_INFO") or "/"
        method = environ["REQUEST_METHOD"]
        route, args, allowed = self.router.find(path, method)
        if route is None and allowed:
            return Response("Method Not Allowed", 405, {"Allow": ", ".join(allowed)})
        if route is None:
            return Response("Not Found", 404)
        result = route.view(**args)
        if isinstance(result, Response):
            return result
        return Response(result)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            response = self.handle(environ)
        except HTTPError as e:
            response = Response(e.message, e.status)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            text = traceback.format_exc() if self.debug else "Internal Server Error"
            response = Response(f"<pre>{text}</pre>", 500)
        return response(start_response)
