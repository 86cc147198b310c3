"""The wsgi-conformance adapter of homegrown, registered as ``homegrown`` by the entry point
``[project.entry-points."wsgi_conformance.adapters"]`` in this package's pyproject.toml.

It only translates the suite's neutral rules into homegrown's syntax (``<name>``, ``<int:id>``,
``app.route(..., methods=[...], name=...)``, ``app.add_route``); it never works around homegrown's
behaviour, so every divergence from SPEC.md shows in the results.
"""

from __future__ import annotations

from typing import Any

from adapters import base
from conformance.model import AppModel, Variable

# homegrown's variable kinds. It has no uuid/any converter and no converter arguments, no
# templates: those capabilities are not declared, so their requirements are "not applicable".
_KINDS = {"default": "", "int": "int:", "float": "float:", "path": "path:"}


def homegrown_variable(var: Variable) -> str:
    if var.converter not in _KINDS or var.args:
        raise ValueError(f"homegrown has no converter {var.converter!r} with arguments {var.args!r}")
    return f"<{_KINDS[var.converter]}{var.name}>"


class HomegrownAdapter(base.Adapter):
    name = "homegrown"
    framework = "homegrown"
    distribution = "homegrown"
    module = "homegrown"
    capabilities = frozenset({base.URL_BUILDING, base.DEBUG_PAGE})

    def source(self, model: AppModel) -> str:
        out = ["from homegrown import Homegrown", "from conformance.handlers import echo", "",
               f"app = Homegrown(debug={model.debug!r})", "", ""]
        out.append(base.exception_classes(model))
        for rule in model.rules:
            path = rule.path_template(homegrown_variable)
            methods = base.methods_literal(rule.methods)
            name = "" if rule.endpoint == rule.function_name else f", name={rule.endpoint!r}"
            if rule.registration == "decorator":
                out.append(base.python_function(rule, f"app.route({path!r}, methods={methods}{name})"))
            else:
                out.append(base.python_function(rule))
                out.append(f"app.add_route({path!r}, {rule.function_name}, methods={methods}"
                           f", name={rule.endpoint!r})\n")
            out.append("")
        return "\n".join(out) + "\n"

    def build_url(self, app: Any, endpoint: str, values: dict[str, Any]) -> str:
        return app.url_for(endpoint, **values)

    def build_url_source(self, endpoint: str, values: dict[str, Any]) -> str:
        args = ", ".join([repr(endpoint)] + [f"{k}={v!r}" for k, v in values.items()])
        return f"print(app.url_for({args}))"
