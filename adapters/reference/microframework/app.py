"""The application object: registration (Flask's API), the WSGI entry point and dispatching."""

from __future__ import annotations

import traceback
from typing import Any, Callable, Iterable

from .debug import debug_page, debugger_resource, production_page
from .exceptions import BadRequest, HTTPException, MethodNotAllowed
from .routing import Map, Rule
from .wrappers import Response


def wsgi_decode(value: str) -> str:
    """PEP 3333 carries the path as latin-1 "bytes as str"; the bytes are UTF-8 (UNI-001)."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:  # invalid UTF-8 is the client's error, not ours (UNI-003)
        raise BadRequest() from None


class App:
    def __init__(self, debug: bool = False):
        self.debug = debug
        self.url_map = Map()

    # --- registration --------------------------------------------------------------------------
    def route(self, rule: str, methods: Any = None,
              endpoint: str | None = None) -> Callable[..., Any]:
        def decorator(view_func: Callable[..., Any]) -> Callable[..., Any]:
            self.add_url_rule(rule, endpoint, view_func, methods=methods)
            return view_func

        return decorator

    def add_url_rule(self, rule: str, endpoint: str | None = None,
                     view_func: Callable[..., Any] | None = None, methods: Any = None) -> None:
        if view_func is None:
            raise TypeError("add_url_rule needs a view function")
        self.url_map.add(Rule(rule, endpoint or view_func.__name__, view_func, methods))

    def url_for(self, endpoint: str, /, **values: Any) -> str:
        """Path (plus query string for values the rule does not use), percent-encoded UTF-8."""
        return self.url_map.build(endpoint, values)

    # --- WSGI ----------------------------------------------------------------------------------
    def run(self, host: str = "127.0.0.1", port: int = 5000, debug: bool | None = None,
            use_reloader: bool | None = None) -> None:
        """Serve with the standard library's wsgiref; in debug mode, restart on source changes
        (the tutorial's ``app.run(debug=True)``)."""
        from .serving import run_app

        run_app(self, host, port, debug, use_reloader)

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        return self.dispatch(environ)(environ, start_response)

    def dispatch(self, environ: dict[str, Any]) -> Response:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        if self.debug:  # the debug page's own assets, served before routing (DEBUG-005)
            resource = debugger_resource(environ.get("QUERY_STRING", ""))
            if resource is not None:
                return resource
        try:
            path = wsgi_decode(environ.get("PATH_INFO", "")) or "/"
            script_name = wsgi_decode(environ.get("SCRIPT_NAME", ""))
            query = environ.get("QUERY_STRING", "")
            rule, values = self.url_map.match(path, method, query, script_name)
        except MethodNotAllowed as error:
            if method == "OPTIONS":  # answered automatically when no rule takes it (METH-005)
                return Response(b"", 200, error.headers())
            return error.response()
        except HTTPException as error:
            return error.response()
        try:
            return make_response(rule.view_func(**values))
        except Exception as exc:
            return self.handle_exception(exc, environ)

    def handle_exception(self, exc: Exception, environ: dict[str, Any]) -> Response:
        """Log to ``wsgi.errors`` (the server's log, PEP 3333), then answer 500."""
        errors = environ.get("wsgi.errors")
        if errors is not None:
            errors.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        return debug_page(exc) if self.debug else production_page()


def make_response(result: Any) -> Response:
    """A view returns ``str`` (HTML, UTF-8), ``bytes`` or a ``Response``."""
    if isinstance(result, Response):
        return result
    if isinstance(result, (str, bytes)):
        return Response(result)
    raise TypeError(f"a view must return str, bytes or Response, not {type(result).__name__}")
