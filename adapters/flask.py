"""Flask 3.1: the tutorial's framework, written the way the tutorial writes it."""

from __future__ import annotations

from typing import Any

from adapters import base
from conformance.model import TEMPLATE_VARIABLE, AppModel


class FlaskAdapter(base.Adapter):
    name = "flask"
    framework = "Flask"
    distribution = "flask"
    module = "flask"
    extra = "flask"
    capabilities = frozenset(
        {base.CONVERTER_UUID, base.CONVERTER_ANY, base.CONVERTER_STRING_ARGS, base.INT_ARGS,
         base.FLOAT_ARGS, base.URL_BUILDING, base.DEBUG_PAGE, base.TEMPLATES, base.RELOADER}
    )

    def source(self, model: AppModel) -> str:
        flask_names = "Flask, render_template_string" if base.uses_templates(model) else "Flask"
        out = [f"from flask import {flask_names}", "from conformance.handlers import echo"]
        if model.debug:
            out.append("from werkzeug.debug import DebuggedApplication")
        out += ["", "app = Flask(__name__)", "", ""]
        out.append(base.exception_classes(model))
        for rule in model.rules:
            path, methods = rule.werkzeug_path, base.methods_literal(rule.methods)
            endpoint = "" if rule.endpoint == rule.function_name else f", endpoint={rule.endpoint!r}"
            if rule.registration == "decorator":
                out.append(base.python_function(rule, f"app.route({path!r}, methods={methods}{endpoint})",
                                                render=self.render))
            else:
                out.append(base.python_function(rule, render=self.render))
                out.append(
                    f"app.add_url_rule({path!r}, {rule.endpoint!r}, {rule.function_name},"
                    f" methods={methods})\n"
                )
            out.append("")
        if model.debug:
            # What app.run(debug=True) serves: the Werkzeug debugger in front of a debug app.
            out += ["app.debug = True", "app = DebuggedApplication(app, evalex=True)"]
        return "\n".join(out) + "\n"

    @staticmethod
    def render(template: str, names: list[str]) -> str:
        """Jinja2 through ``render_template_string``: ``<p>{name}</p>`` is ``<p>{{ name }}</p>``."""
        jinja = TEMPLATE_VARIABLE.sub(r"{{ \1 }}", template)
        return f"render_template_string({jinja!r}{''.join(f', {n}={n}' for n in names)})"

    @staticmethod
    def _flask_app(app: Any) -> Any:
        return getattr(app, "app", app)  # unwrap DebuggedApplication

    # --- transports (issue 10) ---------------------------------------------------------------
    def client_request(self, app: Any, request: Any) -> base.ClientAnswer:
        """``app.test_client()``, the client Flask's testing docs use, on the Flask app itself
        (for a debug model, the Flask app behind the debugger, as a user's test would have it)."""
        client = self._flask_app(app).test_client()
        response = client.open(request.path, method=request.method,
                                query_string=request.query or None, headers=list(request.headers))
        return base.ClientAnswer(response.status, tuple(response.headers.to_wsgi_list()),
                                 response.get_data())

    def client_request_source(self, model: AppModel, request: Any) -> str:
        target, note = "app", ""
        if model.debug:  # as client_request does: the test client of the Flask app itself
            target, note = "app.app", "# app.app: the Flask app behind the debugger\n"
        return (f"{note}response = {target}.test_client().open({base.werkzeug_open_args(request)})\n"
                "print(response.status, response.headers.to_wsgi_list(), response.get_data()[:500])")

    def serve_source(self, model: AppModel) -> str:
        from adapters.serving import HOST, threaded_source

        return threaded_source(
            "from werkzeug.serving import make_server\n\n"
            "# what app.run() starts (Werkzeug's run_simple server, threaded), on a free port\n"
            f"server = make_server({HOST!r}, 0, app, threaded=True)")

    def serve(self, app: Any, host: str) -> Any:
        """What ``app.run()`` starts: Werkzeug's ``run_simple`` server, threaded as Flask asks,
        built with ``werkzeug.serving.make_server`` so that it can be shut down (no reloader)."""
        import logging

        from werkzeug.serving import make_server

        from adapters.serving import ThreadedServer

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log per request
        server = make_server(host, 0, app, threaded=True)
        return ThreadedServer(server.serve_forever, lambda: server, "werkzeug").start()

    def reloader_source(self, body: str, port: int) -> str:
        return (
            "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route('/')\n"
            f"def index():\n    return {body!r}\n\n\nif __name__ == '__main__':\n"
            f"    app.run(host='127.0.0.1', port={port}, debug=True)\n"
        )

    def build_url(self, app: Any, endpoint: str, values: dict[str, Any]) -> str:
        import flask

        flask_app = self._flask_app(app)
        with flask_app.test_request_context("/"):
            return flask.url_for(endpoint, **values)

    def build_url_source(self, endpoint: str, values: dict[str, Any]) -> str:
        args = "".join(f", {k}={v!r}" for k, v in values.items())
        return (
            "from flask import url_for\n"
            f"with app.test_request_context('/'):\n    print(url_for({endpoint!r}{args}))"
        )

