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
         base.FLOAT_ARGS, base.URL_BUILDING, base.DEBUG_PAGE, base.TEMPLATES}
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
