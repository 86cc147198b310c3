"""Pyramid 2: ``Configurator``, ``add_route(name, pattern)`` with ``{name}`` and regex placeholders,
views registered with ``@view_config`` + ``config.scan()`` or ``config.add_view``.

Pyramid has no typed converters: ``<int:x>`` becomes the regex a Pyramid user writes
(``{x:\\d+}``) and the view receives what Pyramid gives it, a ``str`` (the suite reports the type).
A ``path`` part is ``{p:.+}``, the documented way to match the rest of a URL, slashes included, as
one string (a ``*p`` remainder would give a tuple and must end the pattern). A rule's methods are a
``request_method`` predicate on its route, so several rules on one pattern are several routes
dispatched by method, each keeping its name for ``request.route_path``. Pyramid has no uuid
converter, no converter arguments, no debug page and no template engine of its own (those are
add-on packages): those capabilities are not declared.
"""

from __future__ import annotations

import linecache
import sys
import types
from typing import Any

from adapters import base
from conformance.model import AppModel, Rule, Variable

_REGEX = {"int": r"\d+", "float": r"\d+\.\d+", "path": ".+"}


def pyramid_placeholder(var: Variable) -> str:
    """``{name}``, ``{name:\\d+}``, ``{name:a|b}``: a Pyramid replacement marker."""
    if var.args and var.converter != "any":
        raise base.Unsupported(f"converter arguments ({var.converter}{var.args})",
                               ["CONV-INT-006", "CONV-FLOAT-005", "CONV-STRING-001"])
    if var.converter == "default":
        return "{" + var.name + "}"
    if var.converter == "any":
        return "{" + var.name + ":" + "|".join(base.any_items(var)) + "}"
    if var.converter in _REGEX:
        return "{" + var.name + ":" + _REGEX[var.converter] + "}"
    raise base.Unsupported(f"{var.converter!r} converter", ["CONV-UUID-001"])


def view_function(rule: Rule, decorator: str | None) -> str:
    """A view taking the request; the values come from ``request.matchdict`` as Pyramid gives them."""
    head = f"@{decorator}\n" if decorator else ""
    lines = [f"{head}def {rule.function_name}(request):"]
    lines += [f"    {v.name} = request.matchdict[{v.name!r}]" for v in rule.variables]
    body = base.handler_body(rule, indent="").strip()
    if body.startswith("return "):
        body = f"return Response({body[len('return '):]})"
    lines.append(f"    {body}")
    return "\n".join(lines) + "\n"


class PyramidAdapter(base.Adapter):
    name = "pyramid"
    framework = "Pyramid"
    distribution = "pyramid"
    module = "pyramid"
    extra = "pyramid"
    # ``any(a, b)`` is a regex alternation, which is how a Pyramid user restricts a placeholder.
    capabilities = frozenset({base.CONVERTER_ANY, base.URL_BUILDING, base.RELOADER})

    def source(self, model: AppModel) -> str:
        out = ["from pyramid.config import Configurator", "from pyramid.response import Response"]
        decorated = any(r.registration == "decorator" for r in model.rules)
        if decorated:
            out.append("from pyramid.view import view_config")
        out += ["from conformance.handlers import echo", "", ""]
        out.append(base.exception_classes(model))
        config: list[str] = []
        for rule in model.rules:
            pattern = rule.path_template(pyramid_placeholder)
            methods = tuple(sorted(rule.methods))
            config.append(f"    config.add_route({rule.endpoint!r}, {pattern!r}, request_method={methods!r})")
            if rule.registration == "decorator":
                out.append(view_function(rule, f"view_config(route_name={rule.endpoint!r})"))
            else:
                out.append(view_function(rule, None))
                config.append(f"    config.add_view({rule.function_name}, route_name={rule.endpoint!r})")
            out.append("")
        if decorated:
            config.append("    config.scan()")
        out += ["with Configurator() as config:", *config, "app = config.make_wsgi_app()"]
        return "\n".join(out) + "\n"

    def make_app(self, model: AppModel) -> base.WSGIApp:
        """Run the source as a real module: ``config.scan()`` and ``@view_config`` look the
        caller's module up in ``sys.modules`` and read its source lines."""
        code = self.source(model)
        number = next(self._counter)
        name, filename = f"wsgi_conformance_app_pyramid_{number}", f"<wsgi-conformance pyramid app {number}>"
        module = types.ModuleType(name)
        module.__file__ = filename
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        sys.modules[name] = module
        try:
            exec(compile(code, filename, "exec"), module.__dict__)
        finally:  # both are read while the module runs, never afterwards
            del sys.modules[name]
            if not model.debug:
                linecache.cache.pop(filename, None)
        return module.app

    # --- transports (issue 10) ---------------------------------------------------------------
    def client_request(self, app: Any, request: Any) -> base.ClientAnswer:
        """WebTest's ``TestApp``, the functional-testing path of Pyramid's docs, with its
        defaults (lint on)."""
        return base.webtest_answer(app, request)

    def client_request_source(self, model: AppModel, request: Any) -> str:
        return base.webtest_source(request)

    def serve_source(self, model: AppModel) -> str:
        from adapters.serving import wsgiref_serve_source

        return wsgiref_serve_source('as Pyramid\'s "Hello World" serves an app, on a free port')

    def serve(self, app: Any, host: str) -> Any:
        """``wsgiref.simple_server.make_server``, as Pyramid's "Hello World" serves an app."""
        from adapters.serving import wsgiref_server

        return wsgiref_server(app, host, "pyramid-wsgiref")

    def reloader_source(self, body: str, port: int) -> str:
        """Pyramid's reloader is ``pserve --reload`` (hupper, a Pyramid dependency) on an ``.ini``
        file: the module writes the ini of a new project (``[app:main]`` calling its ``main``,
        ``[server:main]`` on Pyramid's own ``egg:pyramid#wsgiref`` runner, not waitress) and
        runs ``pserve FILE.ini --reload`` itself."""
        return (
            "import os\nimport sys\n\nfrom pyramid.config import Configurator\n"
            "from pyramid.response import Response\n\n\ndef index(request):\n"
            f"    return Response({body!r})\n\n\ndef main(global_config, **settings):\n"
            "    with Configurator(settings=settings) as config:\n"
            "        config.add_route('index', '/')\n"
            "        config.add_view(index, route_name='index')\n"
            "    return config.make_wsgi_app()\n\n\nif __name__ == '__main__':\n"
            "    from pyramid.scripts.pserve import main as pserve\n\n"
            "    name = os.path.splitext(os.path.basename(__file__))[0]\n"
            "    ini = os.path.join(os.path.dirname(os.path.abspath(__file__)), name + '.ini')\n"
            "    with open(ini, 'w') as f:\n"
            "        f.write(f'[app:main]\\nuse = call:{name}:main\\n\\n[server:main]\\n'\n"
            f"                f'use = egg:pyramid#wsgiref\\nhost = 127.0.0.1\\nport = {port}\\n')\n"
            "    sys.exit(pserve(['pserve', ini, '--reload']))\n"
        )

    def build_url(self, app: Any, endpoint: str, values: dict[str, Any]) -> str:
        from pyramid.request import Request

        request = Request.blank("/")
        request.registry = app.registry
        return request.route_path(endpoint, **values)

    def build_url_source(self, endpoint: str, values: dict[str, Any]) -> str:
        args = "".join(f", {k}={v!r}" for k, v in values.items())
        return (
            "from pyramid.request import Request\n"
            "request = Request.blank('/')\nrequest.registry = app.registry\n"
            f"print(request.route_path({endpoint!r}{args}))"
        )
