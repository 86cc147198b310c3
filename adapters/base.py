"""The adapter contract: how the suite asks a framework to become a given ``AppModel``.

An adapter translates syntax and nothing else. It writes the model as the framework's own code
(``source``), which is both what runs and what a failure shows as its reproduction, so the code a
user copies out of a report is exactly the code that failed. Behaviour the framework lacks is
declared absent in ``capabilities`` (its requirements become *not applicable*); it is never
emulated, and a divergence is never patched here.

Writing an adapter for your own framework means subclassing ``Adapter`` and filling in
``source`` (or overriding ``make_app``), plus ``build_url`` if it can build URLs.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.metadata
import importlib.util
import itertools
import linecache
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Iterable

from conformance.model import TEMPLATE_VARIABLE, AppModel, Handler, Rule, Variable

WSGIApp = Callable[..., Iterable[bytes]]

# --- capabilities -----------------------------------------------------------------------------
# Converters every framework must offer are part of the MUST level; these are the optional ones.
CONVERTER_UUID = "converter:uuid"
CONVERTER_ANY = "converter:any"
CONVERTER_STRING_ARGS = "converter:string-args"  # string(minlength, maxlength, length)
INT_ARGS = "converter:int-args"  # int(min, max, fixed_digits, signed)
FLOAT_ARGS = "converter:float-args"  # float(min, max, signed)
URL_BUILDING = "url-building"
DEBUG_PAGE = "debug-page"
TEMPLATES = "templates"
RELOADER = "reloader"  # issue 10: the debug server restarts when the app's module file changes

ALL_CAPABILITIES = frozenset(
    {CONVERTER_UUID, CONVERTER_ANY, CONVERTER_STRING_ARGS, INT_ARGS, FLOAT_ARGS, URL_BUILDING,
     DEBUG_PAGE, TEMPLATES, RELOADER}
)
CAPABILITY_HELP = {
    CONVERTER_UUID: "a `uuid` converter that hands the view a uuid.UUID",
    CONVERTER_ANY: "an `any(a, b, c)` converter matching one of the listed items",
    CONVERTER_STRING_ARGS: "the default converter's minlength/maxlength/length arguments",
    INT_ARGS: "int's min/max/fixed_digits/signed arguments",
    FLOAT_ARGS: "float's min/max/signed arguments",
    URL_BUILDING: "building a URL from an endpoint name and values (url_for)",
    DEBUG_PAGE: "a debug mode that shows an error page with the traceback",
    TEMPLATES: "an HTML template engine that escapes values by default",
    RELOADER: "a debug server, started from a module file, that serves the edited file without "
              "a manual restart (reloader_source)",
}


class AdapterUnavailable(RuntimeError):
    """The framework behind an adapter is not installed (the message names the extra)."""


class TransportUnsupported(RuntimeError):
    """The adapter has no hook for a transport (``client_request`` or ``serve``)."""


@dataclass(frozen=True)
class ClientAnswer:
    """What a framework's own test client returned for one request."""

    status_line: str  # "200 OK"
    headers: tuple[tuple[str, str], ...]
    body: bytes


class Unsupported(Exception):
    """The framework cannot express ``feature``, which the model needs and a requirement makes
    mandatory (Django has no ``float`` converter). ``make_app`` or ``source`` raises it; the harness
    records each of ``requirement_ids`` as not met with this message, instead of an adapter error.
    An optional feature is declared absent in ``capabilities`` instead (not applicable)."""

    def __init__(self, feature: str, requirement_ids: Iterable[str]):
        self.feature = feature
        self.requirement_ids = tuple(requirement_ids)
        super().__init__(f"{feature} ({', '.join(self.requirement_ids)})")


class Adapter:
    """Base class of every adapter. Subclasses set the class attributes and write ``source``."""

    name: ClassVar[str] = ""  # what --adapter takes
    framework: ClassVar[str] = ""  # display name, e.g. "Flask"
    distribution: ClassVar[str] = ""  # the installed distribution that gives the version
    module: ClassVar[str] = ""  # the framework's import name, checked before use
    extra: ClassVar[str] = ""  # the wsgi-conformance extra that installs it
    capabilities: ClassVar[frozenset[str]] = frozenset()

    _counter = itertools.count()

    # --- identity ---------------------------------------------------------------------------
    def check_installed(self) -> None:
        if self.module and importlib.util.find_spec(self.module) is None:
            raise AdapterUnavailable(
                f"adapter {self.name!r} needs {self.framework}, which is not installed: "
                f"{self.install_command()}"
            )

    def install_command(self) -> str:
        """How to install the framework: the suite's extra, or else the adapter's distribution
        (an adapter shipped outside wsgi-conformance has no extra)."""
        if self.extra or not self.distribution:
            return f"pip install 'wsgi-conformance[{self.extra or self.name}]'"
        return f"pip install {self.distribution}"

    def version(self) -> str:
        try:
            return importlib.metadata.version(self.distribution) if self.distribution else "unknown"
        except importlib.metadata.PackageNotFoundError:
            return "unknown"

    def supports(self, capability: str) -> bool:
        return capability in self.capabilities

    # --- building ---------------------------------------------------------------------------
    def source(self, model: AppModel) -> str:
        """The model as framework code that defines a WSGI callable named ``app``."""
        raise NotImplementedError(f"{type(self).__name__} must implement source() or make_app()")

    def make_app(self, model: AppModel) -> WSGIApp:
        """Run ``source(model)`` and return its ``app``.

        The source is registered with ``linecache`` under a unique file name so tracebacks and
        debug pages show real source lines, as they would for a user's module.
        """
        code = self.source(model)
        filename = f"<wsgi-conformance {self.name} app {next(self._counter)}>"
        if model.debug:
            linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        namespace: dict[str, Any] = {"__name__": f"wsgi_conformance_app_{self.name}"}
        exec(compile(code, filename, "exec"), namespace)
        return namespace["app"]

    def build_url(self, app: WSGIApp, endpoint: str, values: dict[str, Any]) -> str:
        """The URL path (and query) the framework builds for ``endpoint`` with ``values``."""
        raise NotImplementedError(f"{self.name} does not declare {URL_BUILDING!r}")

    def build_url_source(self, endpoint: str, values: dict[str, Any]) -> str:
        """One line of framework code that builds the URL, for reproductions."""
        return f"# build a URL for {endpoint!r} with {values!r}"

    # --- transports (issue 10): the framework's own test client and development server --------
    def client_request(self, app: WSGIApp, request: Any) -> ClientAnswer:
        """Send ``request`` (a ``conformance.model.Request``) through the framework's own test
        client, the way its documentation tells users to test an app; no emulation."""
        raise TransportUnsupported(
            f"adapter {self.name!r} has no test-client hook (Adapter.client_request)")

    def serve(self, app: WSGIApp, host: str) -> Any:
        """Start the framework's own development server for ``app`` on ``host`` and a free port.

        Returns a started ``adapters.serving.ThreadedServer`` (anything with ``port``, ``alive``
        and a bounded ``stop()``)."""
        raise TransportUnsupported(
            f"adapter {self.name!r} has no development-server hook (Adapter.serve)")

    def supports_transport(self, transport: str) -> bool:
        hook = {"client": "client_request", "server": "serve"}.get(transport)
        return hook is None or getattr(type(self), hook) is not getattr(Adapter, hook)

    def reloader_source(self, body: str, port: int) -> str:
        """A module file whose ``/`` answers ``body`` and which, run as ``python FILE``, serves
        itself on 127.0.0.1:``port`` in debug mode with the framework's reloader (``reloader``)."""
        raise NotImplementedError(f"{self.name} does not declare {RELOADER!r}")

    # --- reproductions ----------------------------------------------------------------------
    def client_request_source(self, model: AppModel, request: Any) -> str | None:
        """The code of the call ``client_request`` makes, run after the app's source (``app``
        defined) and printing the answer: a ``client`` failure's reproduction. None: no such
        form (the reproduction then says so and shows the in-process WebTest request)."""
        return None

    def serve_source(self, model: AppModel) -> str | None:
        """Code that, after the app's source, starts what ``serve`` starts on 127.0.0.1 and a
        free port, in a daemon thread, and sets ``port``: a ``server`` failure's reproduction
        then sends the request's exact bytes to it. None: no such form."""
        return None

    def reproduction(self, model: AppModel, request: Any = None, build: tuple | None = None,
                     request_source: str | None = None) -> str:
        """A short, copy-pasteable program: the app in the framework's own code plus the request.

        The request is sent in-process with WebTest unless ``request_source`` (the code of how a
        transport sent it: ``conformance.transport.Transport.reproduction``) replaces it."""
        try:
            code = self.source(model).rstrip("\n")
        except (NotImplementedError, Unsupported) as exc:
            why = f"cannot express {exc.feature}" if isinstance(exc, Unsupported) else "no source form"
            code = f"# {self.name}: {why}; the app model was:\n# " + \
                model.describe().replace("\n", "\n# ")
        lines = [code, ""]
        if build is not None:
            endpoint, values = build
            lines += [self.build_url_source(endpoint, values)]
        if request_source is not None:
            lines.append(request_source.rstrip("\n"))
        elif request is not None:
            lines.append(webtest_source(request))
        return "\n".join(lines) + "\n"


def webtest_answer(app: Any, request: Any) -> "ClientAnswer":
    """The request sent in-process with WebTest's ``TestApp`` (lint on): the ``client`` answer of
    adapters whose framework's testing docs point to WebTest (Bottle, Pyramid, the reference)."""
    from webtest import TestApp

    response = TestApp(app).request(request.target, method=request.method,
                                    headers=dict(request.headers), expect_errors=True)
    return ClientAnswer(response.status, tuple(response.headerlist), response.body)


def webtest_source(request: Any) -> str:
    """The request sent in-process with WebTest's ``TestApp`` (lint on), answer printed: the
    ``wsgi`` reproduction, and the ``client`` one of adapters whose test client is WebTest."""
    return (
        "from webtest import TestApp\n"
        f"response = TestApp(app).request({request.target!r}, method={request.method!r},"
        f" headers={dict(request.headers)!r}, expect_errors=True)\n"
        "print(response.status, response.headers, response.body[:500])"
    )


def werkzeug_open_args(request: Any) -> str:
    """The arguments the Flask and Werkzeug adapters' ``client_request`` give Werkzeug's
    ``Client.open`` (Flask's test client is one), as source for ``client_request_source``."""
    args = f"{request.path!r}, method={request.method!r}"
    if request.query:
        args += f", query_string={request.query!r}"
    if request.headers:
        args += f", headers={list(request.headers)!r}"
    return args


# --- helpers for adapters that write Python source ----------------------------------------------
BUILTIN_EXCEPTIONS = frozenset(
    n for n, v in vars(builtins).items() if isinstance(v, type) and issubclass(v, Exception)
)


def exception_classes(model: AppModel) -> str:
    """Source defining the exception classes the model's handlers raise that are not builtins."""
    names = sorted(
        {r.handler.exc_type for r in model.rules if r.handler.kind == "raise"} - BUILTIN_EXCEPTIONS
    )
    return "".join(f"class {n}(Exception):\n    pass\n\n\n" for n in names)


# How an adapter writes a Handler("template") view: (neutral template, variable names) -> the
# expression that renders it with the framework's engine, e.g. ``render_template_string(...)``.
TemplateRenderer = Callable[[str, list[str]], str]


def uses_templates(model: AppModel) -> bool:
    return any(r.handler.kind == "template" for r in model.rules)


def template_names(template: str) -> list[str]:
    """The variables a neutral template (``<p>{name}</p>``) uses, in order of first use."""
    return list(dict.fromkeys(TEMPLATE_VARIABLE.findall(template)))


def handler_body(rule: Rule, indent: str = "    ", render: TemplateRenderer | None = None) -> str:
    """The body of a view function taking the rule's variables as keyword arguments.

    A ``template`` handler needs ``render``, the adapter's way of writing a template render.
    """
    h: Handler = rule.handler
    names = [v.name for v in rule.variables]
    if h.kind == "echo":
        kwargs = ", ".join(f"{n}={n}" for n in names)
        line = f"return echo({rule.endpoint!r}{', ' if kwargs else ''}{kwargs})"
    elif h.kind == "format":
        args = f"({', '.join(names)},)" if names else "()"
        line = f"return {h.template!r} % {args}"
    elif h.kind == "text":
        line = f"return {h.template!r}"
    elif h.kind == "raise":
        line = f"raise {h.exc_type}({h.message!r})"
    elif h.kind == "template":
        if render is None:
            raise ValueError(f"this adapter cannot write a template view ({TEMPLATES!r})")
        line = f"return {render(h.template, names)}"
    else:  # pragma: no cover - the model's Literal forbids it
        raise ValueError(h.kind)
    return indent + line + "\n"


def python_function(rule: Rule, decorator: str | None = None, params: Iterable[str] | None = None,
                    render: TemplateRenderer | None = None) -> str:
    """``def <function>(<variables>): <body>`` with an optional decorator line."""
    names = list(params) if params is not None else [v.name for v in rule.variables]
    head = f"@{decorator}\n" if decorator else ""
    return f"{head}def {rule.function_name}({', '.join(names)}):\n{handler_body(rule, render=render)}"


def methods_literal(methods: frozenset[str]) -> str:
    return "[" + ", ".join(repr(m) for m in sorted(methods)) + "]"


def any_items(var: Variable) -> tuple[str, ...]:
    return tuple(var.arg("items", ()))


def required_capabilities(model: AppModel) -> frozenset[str]:
    """The optional capabilities an adapter needs to express ``model`` at all."""
    needed: set[str] = set()
    for rule in model.rules:
        for var in rule.variables:
            if var.converter == "uuid":
                needed.add(CONVERTER_UUID)
            elif var.converter == "any":
                needed.add(CONVERTER_ANY)
            elif var.converter == "string":
                needed.add(CONVERTER_STRING_ARGS)
            elif var.converter == "int" and var.args:
                needed.add(INT_ARGS)
            elif var.converter == "float" and var.args:
                needed.add(FLOAT_ARGS)
    if model.debug:
        needed.add(DEBUG_PAGE)
    if uses_templates(model):
        needed.add(TEMPLATES)
    return frozenset(needed)
