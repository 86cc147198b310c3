"""Bottle 0.13: ``<name:filter>`` rules, ``app.route(..., name=)`` and ``app.get_url``."""

from __future__ import annotations

from typing import Any

from adapters import base
from conformance.model import TEMPLATE_VARIABLE, AppModel, Variable

# Bottle's built-in filters. It has no uuid/any converter and no converter arguments: those
# capabilities are declared absent, never emulated with ``re`` filters.
_FILTERS = {"default": "", "int": ":int", "float": ":float", "path": ":path"}


def bottle_variable(var: Variable) -> str:
    if var.converter not in _FILTERS or var.args:
        raise ValueError(f"bottle has no converter {var.converter!r} with arguments {var.args!r}")
    return f"<{var.name}{_FILTERS[var.converter]}>"


class BottleAdapter(base.Adapter):
    name = "bottle"
    framework = "Bottle"
    distribution = "bottle"
    module = "bottle"
    extra = "bottle"
    capabilities = frozenset({base.URL_BUILDING, base.DEBUG_PAGE, base.TEMPLATES, base.RELOADER})

    def source(self, model: AppModel) -> str:
        out = ["import bottle", "from conformance.handlers import echo", "",
               f"bottle.debug({model.debug})", "app = bottle.Bottle()", "", ""]
        out.append(base.exception_classes(model))
        for rule in model.rules:
            path = rule.path_template(bottle_variable)
            methods = base.methods_literal(rule.methods)
            if rule.registration == "decorator":
                out.append(base.python_function(
                    rule, f"app.route({path!r}, method={methods}, name={rule.endpoint!r})",
                    render=self.render))
            else:
                out.append(base.python_function(rule, render=self.render))
                out.append(f"app.route({path!r}, {methods}, {rule.function_name}, name={rule.endpoint!r})\n")
            out.append("")
        return "\n".join(out) + "\n"

    @staticmethod
    def render(template: str, names: list[str]) -> str:
        """SimpleTemplate through ``bottle.template``: ``<p>{name}</p>`` is ``<p>{{name}}</p>``."""
        stpl = TEMPLATE_VARIABLE.sub(r"{{\1}}", template)
        return f"bottle.template({stpl!r}{''.join(f', {n}={n}' for n in names)})"

    def make_app(self, model: AppModel) -> base.WSGIApp:
        app = super().make_app(model)
        debug = model.debug

        # bottle.debug() is process-wide; several apps live side by side in one run, so each call
        # re-asserts its own app's mode. This isolates apps from each other; it changes nothing
        # about what Bottle does with the mode.
        def wsgi(environ: dict, start_response: Any) -> Any:
            import bottle

            bottle.debug(debug)
            return app(environ, start_response)

        wsgi.bottle_app = app  # type: ignore[attr-defined]
        return wsgi

    # --- transports (issue 10) ---------------------------------------------------------------
    def client_request(self, app: Any, request: Any) -> base.ClientAnswer:
        """Bottle ships no test client; its docs ("Functional Testing Bottle Applications")
        point to WebTest's ``TestApp``, used here with its defaults (lint on)."""
        return base.webtest_answer(app, request)

    def client_request_source(self, model: AppModel, request: Any) -> str:
        return base.webtest_source(request)

    def serve_source(self, model: AppModel) -> str:
        from adapters.serving import HOST

        return (
            "import threading\nimport time\n\nimport bottle\n\n"
            "# bottle.run(app)'s default server, on a free port, quiet (no access log)\n"
            f"server = bottle.WSGIRefServer(host={HOST!r}, port=0)\nserver.quiet = True\n"
            "threading.Thread(target=server.run, args=(app,), daemon=True).start()\n"
            "for _ in range(1000):  # it binds inside run(): wait for it (bounded)\n"
            "    if getattr(server, 'srv', None):\n        break\n    time.sleep(0.01)\n"
            "port = server.srv.server_port"
        )

    def serve(self, app: Any, host: str) -> Any:
        """``bottle.run(app)``'s default server, ``WSGIRefServer``, on a free port (quiet: no
        access log); run in a thread so that its ``srv`` can be shut down."""
        import bottle

        from adapters.serving import ThreadedServer

        server = bottle.WSGIRefServer(host=host, port=0)
        server.quiet = True  # as bottle.run(quiet=True) sets it
        return ThreadedServer(lambda: server.run(app), lambda: getattr(server, "srv", None),
                              "bottle-wsgiref").start()

    def reloader_source(self, body: str, port: int) -> str:
        return (
            "import bottle\n\napp = bottle.Bottle()\n\n\n@app.route('/')\n"
            f"def index():\n    return {body!r}\n\n\nif __name__ == '__main__':\n"
            f"    bottle.run(app, host='127.0.0.1', port={port}, debug=True, reloader=True)\n"
        )

    def build_url(self, app: Any, endpoint: str, values: dict[str, Any]) -> str:
        return getattr(app, "bottle_app", app).get_url(endpoint, **values)

    def build_url_source(self, endpoint: str, values: dict[str, Any]) -> str:
        args = "".join(f", {k}={v!r}" for k, v in values.items())
        return f"print(app.get_url({endpoint!r}{args}))"
