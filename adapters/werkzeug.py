"""Raw Werkzeug (no Flask), written the way Werkzeug's own tutorial ("shortly") writes an app.

A ``Map`` of ``Rule``s with string endpoints, ``Map.bind_to_environ(environ).match()``, the view
looked up by endpoint, ``HTTPException``s (``NotFound``, ``MethodNotAllowed``, ``RequestRedirect``)
returned as responses, ``MapAdapter.build`` for URLs and ``DebuggedApplication`` in front of the
app for debug mode (what ``run_simple(use_debugger=True)`` serves). Werkzeug has no decorator of
its own: "decorator" registration uses the ``expose`` helper of Werkzeug's examples (shorty).

The source only uses API that is the same in Werkzeug 2.1 (before the 2.2 matcher rewrite) and
3.1, so one adapter runs on both and the results can be diffed. Like the tutorial, the app does not
catch other exceptions: with debug off an unhandled one leaves the app, as it does for real.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from adapters import base
from conformance.model import TEMPLATE_VARIABLE, AppModel, Rule

_EXPOSE = '''\
def expose(rule, **kw):
    """Werkzeug's examples' decorator: add a Rule to url_map, the function as its view."""
    def decorate(f):
        kw.setdefault("endpoint", f.__name__)
        views[kw["endpoint"]] = f
        url_map.add(Rule(rule, **kw))
        return f
    return decorate
'''

_APPLICATION = '''\
class Application:
    """The tutorial's shape: dispatch_request matches, calls the view, returns HTTP errors."""

    def __init__(self, url_map):
        self.url_map = url_map

    def dispatch_request(self, request):
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            endpoint, values = adapter.match()
            return Response(views[endpoint](**values), mimetype="text/html")
        except HTTPException as e:
            return e

    def wsgi_app(self, environ, start_response):
        request = Request(environ)
        response = self.dispatch_request(request)
        return response(environ, start_response)

    def __call__(self, environ, start_response):
        return self.wsgi_app(environ, start_response)
'''


class WerkzeugAdapter(base.Adapter):
    name = "werkzeug"
    framework = "Werkzeug"
    distribution = "werkzeug"
    module = "werkzeug"
    extra = "werkzeug"
    capabilities = frozenset(
        {base.CONVERTER_UUID, base.CONVERTER_ANY, base.CONVERTER_STRING_ARGS, base.INT_ARGS,
         base.FLOAT_ARGS, base.URL_BUILDING, base.DEBUG_PAGE, base.TEMPLATES, base.RELOADER}
    )

    def source(self, model: AppModel) -> str:
        out = []
        if base.uses_templates(model):
            out.append("from jinja2 import Environment")
        if model.debug:
            out.append("from werkzeug.debug import DebuggedApplication")
        out += [
            "from werkzeug.exceptions import HTTPException",
            "from werkzeug.routing import Map, Rule",
            "from werkzeug.wrappers import Request, Response",
            "from conformance.handlers import echo",
            "",
            "url_map = Map()",
            "views = {}",
        ]
        if base.uses_templates(model):
            out.append("jinja_env = Environment(autoescape=True)  # as the tutorial sets it up")
        out += ["", ""]
        if any(r.registration == "decorator" for r in model.rules):
            out += [_EXPOSE, "\n"]
        out.append(base.exception_classes(model))
        for rule in model.rules:
            out.append(self._rule_source(rule))
        out += [_APPLICATION, "", "app = Application(url_map)"]
        if model.debug:
            out.append("app = DebuggedApplication(app, evalex=True)  # run_simple(use_debugger=True)")
        return "\n".join(out) + "\n"

    def _rule_source(self, rule: Rule) -> str:
        path, methods = rule.werkzeug_path, base.methods_literal(rule.methods)
        if rule.registration == "decorator":
            endpoint = "" if rule.endpoint == rule.function_name else f", endpoint={rule.endpoint!r}"
            return base.python_function(
                rule, f"expose({path!r}{endpoint}, methods={methods})", render=self.render) + "\n"
        return (
            base.python_function(rule, render=self.render) + "\n\n"
            f"url_map.add(Rule({path!r}, endpoint={rule.endpoint!r}, methods={methods}))\n"
            f"views[{rule.endpoint!r}] = {rule.function_name}\n\n"
        )

    @staticmethod
    def render(template: str, names: list[str]) -> str:
        """Jinja2 with autoescape, as the tutorial's ``render_template``: ``{{ name }}``."""
        jinja = TEMPLATE_VARIABLE.sub(r"{{ \1 }}", template)
        return f"jinja_env.from_string({jinja!r}).render({', '.join(f'{n}={n}' for n in names)})"

    # --- transports (issue 10) ---------------------------------------------------------------
    def client_request(self, app: Any, request: Any) -> base.ClientAnswer:
        """``werkzeug.test.Client`` on the app as served (debugger included), as Werkzeug's
        testing docs use it."""
        from werkzeug.test import Client

        response = Client(app).open(request.path, method=request.method,
                                    query_string=request.query or None,
                                    headers=list(request.headers))
        return base.ClientAnswer(response.status, tuple(response.headers.to_wsgi_list()),
                                 response.get_data())

    def client_request_source(self, model: AppModel, request: Any) -> str:
        return ("from werkzeug.test import Client\n\n"
                f"response = Client(app).open({base.werkzeug_open_args(request)})\n"
                "print(response.status, response.headers.to_wsgi_list(), response.get_data()[:500])")

    def serve_source(self, model: AppModel) -> str:
        from adapters.serving import HOST, threaded_source

        return threaded_source(
            "from werkzeug.serving import make_server\n\n"
            "# run_simple's server with its defaults (not threaded), on a free port\n"
            f"server = make_server({HOST!r}, 0, app)")

    def serve(self, app: Any, host: str) -> Any:
        """``run_simple``'s server with its defaults (not threaded), built with ``make_server``
        so that it can be shut down."""
        import logging

        from werkzeug.serving import make_server

        from adapters.serving import ThreadedServer

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log per request
        server = make_server(host, 0, app)
        return ThreadedServer(server.serve_forever, lambda: server, "werkzeug").start()

    def reloader_source(self, body: str, port: int) -> str:
        return (
            "from werkzeug.serving import run_simple\nfrom werkzeug.wrappers import Request, "
            "Response\n\n\n@Request.application\ndef app(request):\n"
            f"    return Response({body!r})\n\n\nif __name__ == '__main__':\n"
            f"    run_simple('127.0.0.1', {port}, app, use_reloader=True, use_debugger=True)\n"
        )

    def build_url(self, app: Any, endpoint: str, values: dict[str, Any]) -> str:
        url_map = getattr(app, "app", app).url_map  # unwrap DebuggedApplication
        return url_map.bind("localhost").build(endpoint, values)

    def build_url_source(self, endpoint: str, values: dict[str, Any]) -> str:
        prefix = "from uuid import UUID\n" if any(isinstance(v, UUID) for v in values.values()) else ""
        return f"{prefix}print(url_map.bind('localhost').build({endpoint!r}, {values!r}))"
