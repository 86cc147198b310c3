"""The adapter of the reference micro-framework (``adapters.reference.microframework``).

The reference framework implements every requirement of SPEC.md, so the suite can be checked
against it; patched copies of it (mutants) must then fail. A mutant is the same adapter with
``framework_module`` naming the patched package.
"""

from __future__ import annotations

import keyword
import uuid
from typing import Any, ClassVar

from adapters import base
from adapters.base import Adapter, WSGIApp
from conformance.model import AppModel, Rule


class ReferenceAdapter(Adapter):
    name = "reference"
    framework = "reference"
    distribution = "wsgi-conformance"
    module = ""  # part of this distribution: always installed
    extra = ""
    capabilities = base.ALL_CAPABILITIES
    framework_module: ClassVar[str] = "adapters.reference.microframework"

    def source(self, model: AppModel) -> str:
        names = "App, render" if base.uses_templates(model) else "App"
        header = (
            f"from {self.framework_module} import {names}\n"
            "from conformance.handlers import echo\n\n"
            f"app = App(debug={model.debug!r})\n\n\n"
        )
        blocks = [base.exception_classes(model)] + [self._rule_source(rule) for rule in model.rules]
        return (header + "".join(blocks)).rstrip("\n") + "\n"

    def _rule_source(self, rule: Rule) -> str:
        path = repr(rule.werkzeug_path)
        methods = base.methods_literal(rule.methods)
        if rule.registration == "imperative":
            return (
                base.python_function(rule, render=self.render)
                + f"\n\napp.add_url_rule({path}, {rule.endpoint!r}, {rule.function_name}, "
                f"methods={methods})\n\n\n"
            )
        endpoint = f", endpoint={rule.endpoint!r}" if rule.endpoint != rule.function_name else ""
        return base.python_function(rule, f"app.route({path}, methods={methods}{endpoint})",
                                    render=self.render) + "\n\n"

    @staticmethod
    def render(template: str, names: list[str]) -> str:
        """The framework's own ``render``, which takes the neutral ``{name}`` form as it is."""
        return f"render({template!r}{''.join(f', {n}={n}' for n in names)})"

    # --- transports (issue 10) ---------------------------------------------------------------
    # The reference framework has no test client: WebTest (the generic WSGI test client) stands
    # in, as a user of such a framework would do. Its server (App.run) is the standard library's
    # wsgiref, built here the same way in a thread so that it can be shut down; App.run's
    # reloader (debug mode) is checked through reloader_source.
    def client_request(self, app: WSGIApp, request: Any) -> base.ClientAnswer:
        return base.webtest_answer(app, request)

    def client_request_source(self, model: AppModel, request: Any) -> str:
        return base.webtest_source(request)

    def serve_source(self, model: AppModel) -> str:
        from adapters.serving import wsgiref_serve_source

        return wsgiref_serve_source("the standard library's server App.run serves on, on a free port")

    def serve(self, app: WSGIApp, host: str) -> Any:
        from adapters.serving import wsgiref_server

        return wsgiref_server(app, host, "wsgiref")

    def reloader_source(self, body: str, port: int) -> str:
        return (
            f"from {self.framework_module} import App\n\napp = App()\n\n\n@app.route('/')\n"
            f"def index():\n    return {body!r}\n\n\nif __name__ == '__main__':\n"
            f"    app.run(host='127.0.0.1', port={port}, debug=True)\n"
        )

    def build_url(self, app: WSGIApp, endpoint: str, values: dict[str, Any]) -> str:
        return app.url_for(endpoint, **values)  # type: ignore[attr-defined]

    def build_url_source(self, endpoint: str, values: dict[str, Any]) -> str:
        prefix = "import uuid; " if any(isinstance(v, uuid.UUID) for v in values.values()) else ""
        if all(k.isidentifier() and not keyword.iskeyword(k) for k in values):
            args = "".join(f", {k}={_literal(v)}" for k, v in values.items())
        else:
            args = ", **{" + ", ".join(f"{k!r}: {_literal(v)}" for k, v in values.items()) + "}"
        return f"{prefix}print(app.url_for({endpoint!r}{args}))"


def _literal(value: Any) -> str:
    """``repr`` that is valid source for the values the suite builds with (UUIDs included)."""
    return f"uuid.UUID({str(value)!r})" if isinstance(value, uuid.UUID) else repr(value)
