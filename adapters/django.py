"""Django 5.2 as a single-file project: settings configured in-process, ``path()`` URLconf.

Each generated app is a module that is its own URLconf (``ROOT_URLCONF=__name__``, the usual
single-file Django layout), with function views, ``require_http_methods`` for methods, ``reverse``
for URLs, Django templates (autoescape) and ``get_wsgi_application()``. Rules that share one path
become one view that dispatches on ``request.method``: Django resolves a path to one view, so that
is how a Django user writes it (a second ``path()`` with the same route is never reached).

Django has no ``float`` converter: a model that needs one raises ``Unsupported`` (CONV-FLOAT-001
and -002 not met); nothing is written to stand in for it. Converter arguments, ``any`` and
``string(...)`` do not exist either and are declared absent.
"""

from __future__ import annotations

import itertools
import linecache
import sys
import types
from typing import Any
from uuid import UUID

from adapters import base
from conformance.model import TEMPLATE_VARIABLE, AppModel, Rule, Variable

_CONVERTERS = {"default": "", "int": "int:", "path": "path:", "uuid": "uuid:"}
FLOAT_REQUIREMENTS = ("CONV-FLOAT-001", "CONV-FLOAT-002")

# What a new project's settings give (startproject) that matters here, plus what a single-file
# project has to state. CommonMiddleware with APPEND_SLASH (True by default) is in every new
# project's MIDDLEWARE; it is what redirects /projects to /projects/. The rest of startproject's
# middleware (sessions, auth, CSRF, ...) is left out: CSRF would answer the suite's POSTs 403,
# which says nothing about routing.
_SETTINGS = '''\
if not settings.configured:  # settings are process-wide: configure once
    settings.configure(
        DEBUG={debug!r},
        SECRET_KEY="wsgi-conformance",
        ALLOWED_HOSTS=["localhost", "127.0.0.1"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
        TEMPLATES=[{{"BACKEND": "django.template.backends.django.DjangoTemplates"}}],
    )
    django.setup()
'''


def django_variable(var: Variable) -> str:
    if var.converter == "float":
        raise base.Unsupported("converter float", FLOAT_REQUIREMENTS)
    if var.converter not in _CONVERTERS or var.args:
        raise ValueError(f"Django has no converter {var.converter!r} with arguments {var.args!r}")
    return f"<{_CONVERTERS[var.converter]}{var.name}>"


def django_route(rule: Rule) -> str:
    """``path()``'s route: the rule's path without the leading '/' ('' for the root)."""
    return rule.path_template(django_variable)[1:]


class DjangoAdapter(base.Adapter):
    name = "django"
    framework = "Django"
    distribution = "django"
    module = "django"
    extra = "django"
    capabilities = frozenset({base.CONVERTER_UUID, base.URL_BUILDING, base.DEBUG_PAGE, base.TEMPLATES})

    _modules = itertools.count()

    def source(self, model: AppModel) -> str:
        routes = {rule.endpoint: django_route(rule) for rule in model.rules}  # Unsupported first
        out = [
            "import django",
            "from django.conf import settings",
            "",
            _SETTINGS.format(debug=model.debug),
            "from django.core.wsgi import get_wsgi_application",
            "from django.http import HttpResponse",
        ]
        if base.uses_templates(model):
            out.append("from django.template import engines")
        out += ["from django.urls import path",
                "from django.views.decorators.http import require_http_methods",
                "from conformance.handlers import echo", "", ""]
        out.append(base.exception_classes(model))
        patterns = []
        for rules in _by_route(model, routes):
            first = rules[0]
            if len(rules) == 1:
                out.append(self._view(first, f"require_http_methods({base.methods_literal(first.methods)})"))
                view = first.function_name
            else:
                out += [self._view(r) for r in rules]
                out.append(self._dispatcher(rules))
                view = _dispatcher_name(first)
            patterns += [f"    path({routes[r.endpoint]!r}, {view}, name={r.endpoint!r}),"
                         for r in rules]
        out += ["urlpatterns = [", *patterns, "]", "", "app = get_wsgi_application()"]
        return "\n".join(out) + "\n"

    def _view(self, rule: Rule, decorator: str | None = None) -> str:
        """A function view: ``request`` first, the rule's values as keyword arguments."""
        body = base.handler_body(rule, render=self.render)
        if body.lstrip().startswith("return "):
            body = body.replace("return ", "return HttpResponse(", 1).rstrip("\n") + ")\n"
        params = ", ".join(["request"] + [v.name for v in rule.variables])
        head = f"@{decorator}\n" if decorator else ""
        return f"{head}def {rule.function_name}({params}):\n{body}\n"

    @staticmethod
    def _dispatcher(rules: list[Rule]) -> str:
        """One view for rules sharing a route: each method goes to the first rule that takes it."""
        methods = frozenset().union(*(r.methods for r in rules))
        lines = [f"@require_http_methods({base.methods_literal(methods)})",
                 f"def {_dispatcher_name(rules[0])}(request, **kwargs):"]
        taken: set[str] = set()
        for rule in rules:
            mine = rule.methods - taken
            taken |= rule.methods
            if mine:
                lines += [f"    if request.method in {base.methods_literal(mine)}:",
                          f"        return {rule.function_name}(request, **kwargs)"]
        return "\n".join(lines) + "\n\n"

    @staticmethod
    def render(template: str, names: list[str]) -> str:
        """The Django template engine (autoescape on by default): ``{{ name }}``."""
        django_template = TEMPLATE_VARIABLE.sub(r"{{ \1 }}", template)
        context = "{" + ", ".join(f"{n!r}: {n}" for n in names) + "}"
        return f"engines['django'].from_string({django_template!r}).render({context})"

    # --- building ---------------------------------------------------------------------------
    def make_app(self, model: AppModel) -> base.WSGIApp:
        """Run the source as a real module (a URLconf must be importable by name), then serve it
        with its own settings.

        Django's settings are process-wide and configured once, but many apps live side by side in
        one run: each call applies that app's ROOT_URLCONF and DEBUG with ``override_settings``, so
        each app sees what it would see alone in its own process (as Bottle's adapter re-asserts
        ``bottle.debug``). Django's handling of them is untouched.
        """
        code = self.source(model)
        name = f"wsgi_conformance_app_django_{next(self._modules)}"
        filename = f"<wsgi-conformance django app {name}>"
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        module = types.ModuleType(name)
        module.__file__ = filename
        sys.modules[name] = module
        exec(compile(code, filename, "exec"), module.__dict__)
        handler = module.app
        overrides = {"ROOT_URLCONF": name, "DEBUG": model.debug}

        def app(environ: dict, start_response: Any) -> Any:
            from django.test.utils import override_settings

            with override_settings(**overrides):
                return handler(environ, start_response)

        app.urlconf = name  # type: ignore[attr-defined]
        app.overrides = overrides  # type: ignore[attr-defined]
        return app

    # --- transports (issue 10) ---------------------------------------------------------------
    def client_request(self, app: Any, request: Any) -> base.ClientAnswer:
        """``django.test.Client`` with its defaults (view exceptions are raised in the test), on
        this app's settings as ``make_app`` applies them."""
        from django.test import Client
        from django.test.utils import override_settings

        with override_settings(**app.overrides):
            # Host as every transport sends it (the default "testserver" is allowed only by
            # Django's test runner, which adds it to ALLOWED_HOSTS)
            response = Client(HTTP_HOST="localhost").generic(request.method, request.target,
                                        headers=dict(request.headers))
            body = b"".join(response.streaming_content) if response.streaming else response.content
        return base.ClientAnswer(f"{response.status_code} {response.reason_phrase}",
                                 tuple(response.items()), body)

    def client_request_source(self, model: AppModel, request: Any) -> str:
        return (
            "from django.test import Client\n\n"
            "# Host as the suite sends it (Django's default 'testserver' is not in ALLOWED_HOSTS)\n"
            f"response = Client(HTTP_HOST='localhost').generic({request.method!r}, {request.target!r}, "
            f"headers={dict(request.headers)!r})\n"
            "body = b''.join(response.streaming_content) if response.streaming else response.content\n"
            "print(response.status_code, response.reason_phrase, list(response.items()), body[:500])"
        )

    def serve_source(self, model: AppModel) -> str:
        from adapters.serving import HOST

        return (
            "import queue\nimport threading\n\nfrom django.core.servers.basehttp import run\n\n"
            "# what manage.py runserver starts (threaded), on a free port\n"
            "bound = queue.Queue()\n"
            f"threading.Thread(target=run, args=({HOST!r}, 0, app), kwargs=dict(threading=True, "
            "on_bind=bound.put), daemon=True).start()\n"
            "port = bound.get(timeout=10)"
        )

    def serve(self, app: Any, host: str) -> Any:
        """What ``manage.py runserver`` starts (``django.core.servers.basehttp.run`` with
        threading): Django's threaded ``WSGIServer`` and ``WSGIRequestHandler``, built here as
        ``run`` builds them so that it can be shut down."""
        import logging
        import socketserver

        from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer

        from adapters.serving import ThreadedServer

        logging.getLogger("django.server").setLevel(logging.WARNING)  # no access log
        server_cls = type("WSGIServer", (socketserver.ThreadingMixIn, WSGIServer), {})
        server = server_cls((host, 0), WSGIRequestHandler, ipv6=False)
        server.daemon_threads = True
        server.set_app(app)
        return ThreadedServer(server.serve_forever, lambda: server, "django-runserver").start()

    def build_url(self, app: Any, endpoint: str, values: dict[str, Any]) -> str:
        from django.urls import reverse

        return reverse(endpoint, kwargs=values, urlconf=app.urlconf)

    def build_url_source(self, endpoint: str, values: dict[str, Any]) -> str:
        prefix = "from uuid import UUID\n" if any(isinstance(v, UUID) for v in values.values()) else ""
        return f"{prefix}from django.urls import reverse\nprint(reverse({endpoint!r}, kwargs={values!r}))"


def _by_route(model: AppModel, routes: dict[str, str]) -> list[list[Rule]]:
    """The rules grouped by identical route, in order of first registration."""
    groups: dict[str, list[Rule]] = {}
    for rule in model.rules:
        groups.setdefault(routes[rule.endpoint], []).append(rule)
    return list(groups.values())


def _dispatcher_name(rule: Rule) -> str:
    return f"{rule.function_name}_by_method"
