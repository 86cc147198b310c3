"""Flask 3.1: the tutorial's framework, written the way the tutorial writes it."""

from __future__ import annotations

from typing import Any

from adapters import base
from conformance.model import AppModel


class FlaskAdapter(base.Adapter):
    name = "flask"
    framework = "Flask"
    distribution = "flask"
    module = "flask"
    extra = "flask"
    capabilities = frozenset(
        {base.CONVERTER_UUID, base.CONVERTER_ANY, base.CONVERTER_STRING_ARGS, base.INT_ARGS,
         base.FLOAT_ARGS, base.URL_BUILDING, base.DEBUG_PAGE}
    )

    def source(self, model: AppModel) -> str:
        out = ["from flask import Flask", "from conformance.handlers import echo"]
        if model.debug:
            out.append("from werkzeug.debug import DebuggedApplication")
        out += ["", "app = Flask(__name__)", "", ""]
        out.append(base.exception_classes(model))
        for rule in model.rules:
            path, methods = rule.werkzeug_path, base.methods_literal(rule.methods)
            endpoint = "" if rule.endpoint == rule.function_name else f", endpoint={rule.endpoint!r}"
            if rule.registration == "decorator":
                out.append(base.python_function(rule, f"app.route({path!r}, methods={methods}{endpoint})"))
            else:
                out.append(base.python_function(rule))
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
    def _flask_app(app: Any) -> Any:
        return getattr(app, "app", app)  # unwrap DebuggedApplication

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
