"""Deliberately broken copies of the reference framework: the proof that the suite catches bugs.

Each ``Mutant`` is a one-line change to one module of ``adapters/reference/microframework``, of the
kind a real framework could ship, and names the SPEC.md requirements it breaks. ``load_mutant``
applies the patch to a fresh copy of the package's source and loads it as a real package
(``wsgi_conformance_mutants.<name>``); the returned adapter is the reference adapter pointed at
that copy. Every mutant is also an attribute of this module, so the registry's
``package.module:Class`` form runs the suite on it::

    pytest --adapter=reference --adapter=adapters.reference.mutants:int_accepts_negatives

``score`` turns a run's outcomes into the "mutants caught / total" figure.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import linecache
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Mapping

from adapters.reference import ReferenceAdapter

SOURCE_DIR = Path(__file__).with_name("microframework")
PACKAGE = "wsgi_conformance_mutants"
CAUGHT = frozenset({"fail", "non-strict"})  # outcomes that count as "the suite noticed"


class MutantError(ImportError):
    """A mutant cannot be loaded: unknown, or its ``old`` line is missing or ambiguous.

    An ImportError, so ``--adapter=adapters.reference.mutants:<name>`` reports it as a clear usage
    error (the registry turns import errors into "cannot load adapter ...").
    """


@dataclass(frozen=True)
class Mutant:
    name: str  # a Python identifier: the attribute of this module, and the package name
    module: str  # file inside adapters/reference/microframework, e.g. "converters.py"
    old: str  # an exact line, or substring of one line, occurring exactly once in that file
    new: str  # what replaces it
    breaks: frozenset[str]  # SPEC.md ids: at least one must come out "fail" or "non-strict"
    why: str  # the bug, in the words of a bug report

    @property
    def adapter_name(self) -> str:
        return f"mutant-{self.name}"


def _m(name: str, module: str, old: str, new: str, breaks: str, why: str) -> Mutant:
    return Mutant(name, module, old, new, frozenset(breaks.split()), why)


MUTANTS: tuple[Mutant, ...] = (
    # --- converters: what a variable part matches -------------------------------------------------
    _m("int_accepts_negatives", "converters.py",
       "super().__init__(min, max, signed)", "super().__init__(min, max, True)",
       "CONV-INT-003", "int ignores signed=False, so /blog/-1 reaches the view (Bottle does this)"),
    _m("int_unicode_digits", "converters.py",
       'digits = "[0-9]+"', r'digits = r"\d+"',
       "CONV-INT-005", r"int uses \d, which matches Arabic-Indic and fullwidth digits (Werkzeug does this)"),
    _m("int_accepts_plus_sign", "converters.py",
       'digits = "[0-9]+"', 'digits = "[+]?[0-9]+"',
       "CONV-INT-002", "int lets a leading '+' through because int('+5') works"),
    _m("int_passes_str", "converters.py",
       "convert: Any = int", "convert: Any = str",
       "CONV-INT-001", "int validates the digits but hands the view the text '555'"),
    _m("int_max_exclusive", "converters.py",
       "if self.max is not None and number > self.max:",
       "if self.max is not None and number >= self.max:",
       "CONV-INT-006", "int(max=9) treats max as exclusive, so /r/9 is not found"),
    _m("int_fixed_digits_is_a_minimum", "converters.py",
       'f"[0-9]{{{self.fixed_digits}}}"', 'f"[0-9]{{{self.fixed_digits},}}"',
       "CONV-INT-006", "int(fixed_digits=3) matches 3 or more digits"),
    _m("float_accepts_integers", "converters.py",
       r'digits = r"[0-9]+\.[0-9]+"', r'digits = r"[0-9]+(?:\.[0-9]+)?"',
       "CONV-FLOAT-003", "float makes the fraction optional, so /rev/1 and /rev/1.0 are one resource"),
    _m("float_accepts_negatives", "converters.py",
       r'digits = r"[0-9]+\.[0-9]+"', r'digits = r"-?[0-9]+\.[0-9]+"',
       "CONV-FLOAT-004", "float's pattern allows a sign whatever signed says"),
    _m("float_passes_decimal", "converters.py",
       "convert = float", "convert = Decimal",
       "CONV-FLOAT-001", "float converts with Decimal 'for precision': the view gets Decimal('1.5')"),
    _m("float_builds_exponent", "converters.py",
       'text = format(Decimal(repr(float(value))), "f")', "text = repr(float(value))",
       "BUILD-001", "url_for writes 1e16 as '1e+16.0', which float does not match"),
    _m("path_stops_at_slash", "converters.py",
       'regex = "[^/]+(?:/[^/]+)*"', 'regex = "[^/]+"',
       "CONV-PATH-001", "path matches one segment only, like the default converter"),
    _m("path_accepts_empty", "converters.py",
       'regex = "[^/]+(?:/[^/]+)*"', 'regex = "[^/]*(?:/[^/]+)*"',
       "CONV-PATH-002", "path matches the empty value, so /files/ calls the view with p=''"),
    _m("default_accepts_slash", "converters.py",
       'self.regex = f"[^/]{{{int(minlength)},{upper}}}"',
       'self.regex = f".{{{int(minlength)},{upper}}}"',
       "VAR-002", "the default converter uses '.', which matches '/' too"),
    _m("default_accepts_empty", "converters.py",
       "minlength: int = 1", "minlength: int = 0",
       "VAR-003", "the default converter's minlength is 0, so /hello/ passes name=''"),
    _m("string_minlength_exclusive", "converters.py",
       'self.regex = f"[^/]{{{int(minlength)},{upper}}}"',
       'self.regex = f"[^/]{{{int(minlength) + 1},{upper}}}"',
       "CONV-STRING-001 VAR-001", "minlength is exclusive: string(minlength=2) refuses 'ab', <name> refuses 'a'"),
    _m("string_maxlength_exclusive", "converters.py",
       'upper = "" if maxlength is None else str(int(maxlength))',
       'upper = "" if maxlength is None else str(int(maxlength) - 1)',
       "CONV-STRING-001", "maxlength is exclusive: string(maxlength=4) refuses 'abcd'"),
    _m("uuid_passes_str", "converters.py",
       "return uuid.UUID(value)", "return value",
       "CONV-UUID-001", "uuid checks the form but passes the text, not a uuid.UUID"),
    _m("any_matches_prefix", "converters.py",
       '''self.regex = "(?:" + "|".join(re.escape(item) for item in self.items) + ")"''',
       '''self.regex = "(?:" + "|".join(re.escape(item) for item in self.items) + ")[^/]*"''',
       "CONV-ANY-001", "any(en, fr) checks startswith, so /lang/enfr matches"),
    _m("build_does_not_quote", "converters.py",
       "return quote_segment(str(value))", "return str(value)",
       "BUILD-002", "url_for writes values as they are: 'a?b' becomes a query string"),
    # --- precedence -----------------------------------------------------------------------------
    _m("static_ties_with_variable", "converters.py",
       "STATIC = 0", "STATIC = 2",
       "ROUTE-006", "a static part weighs as much as <name>, so registration order decides"),
    _m("typed_ties_with_default", "converters.py",
       "TYPED = 1", "TYPED = 2",
       "ROUTE-009", "int weighs as much as the default converter, so registration order decides"),
    _m("precedence_reversed", "routing.py",
       "return tuple(part.weight for part in self.parts) + (END,)",
       "return tuple(-part.weight for part in self.parts) + (END,)",
       "ROUTE-006 ROUTE-009", "the sort key is inverted: the least specific rule is tried first"),
    _m("registration_order_wins", "routing.py",
       "self.sorted_rules = sorted(self.rules, key=lambda r: r.sort_key)",
       "self.sorted_rules = list(self.rules)",
       "ROUTE-006 ROUTE-009", "rules are tried in registration order, never sorted by specificity"),
    # --- matching -------------------------------------------------------------------------------
    _m("prefix_match", "routing.py",
       "found = self.regex.fullmatch(path)", "found = self.regex.match(path)",
       "ROUTE-002", "re.match instead of re.fullmatch: /hellos reaches /hello"),
    _m("case_insensitive", "routing.py",
       'self.regex = re.compile(pattern + ("/" if self.trailing_slash else ""))',
       'self.regex = re.compile(pattern + ("/" if self.trailing_slash else ""), re.IGNORECASE)',
       "ROUTE-005", "rules are compiled case-insensitively: /Hello reaches /hello"),
    _m("static_part_matched_quoted", "routing.py",
       'return re.escape(self.text) if self.converter is None else f"({self.converter.regex})"',
       'return re.escape(quote_segment(self.text)) if self.converter is None else f"({self.converter.regex})"',
       "UNI-002", "static parts are compared percent-encoded with the decoded path: /café never matches"),
    # --- trailing slashes -----------------------------------------------------------------------
    _m("slash_rule_served_without_slash", "routing.py",
       'self.regex = re.compile(pattern + ("/" if self.trailing_slash else ""))',
       'self.regex = re.compile(pattern + ("/?" if self.trailing_slash else ""))',
       "CANON-001", "/projects is served by /projects/ instead of redirected: two URLs, one page"),
    _m("no_slash_rule_served_with_slash", "routing.py",
       'self.regex = re.compile(pattern + ("/" if self.trailing_slash else ""))',
       'self.regex = re.compile(pattern + ("/" if self.trailing_slash else "/?"))',
       "CANON-004", "/about/ is served by /about (strict_slashes off)"),
    _m("no_trailing_slash_redirect", "routing.py",
       'if any(rule.trailing_slash and rule.match(path + "/") is not None for rule in self.rules):',
       "if any(rule.trailing_slash and rule.match(path) is not None for rule in self.rules):",
       "CANON-001", "the redirect check tries the path without the slash it should add: 404"),
    _m("redirect_loop", "routing.py",
       'location = quote_path(script_name + path + "/") + ("?" + query if query else "")',
       'location = quote_path(script_name + path) + ("?" + query if query else "")',
       "CANON-001", "the redirect forgets to add the slash: it points at itself"),
    _m("redirect_drops_query", "routing.py",
       'location = quote_path(script_name + path + "/") + ("?" + query if query else "")',
       'location = quote_path(script_name + path + "/")',
       "CANON-003", "the canonical redirect loses ?page=2"),
    _m("path_trailing_slash_stripped", "app.py",
       'path = wsgi_decode(environ.get("PATH_INFO", "")) or "/"',
       'path = wsgi_decode(environ.get("PATH_INFO", "")).rstrip("/") or "/"',
       "CANON-004 CANON-001", "the path is 'normalised' by stripping '/': /about/ is served, /projects/ loops"),
    # --- methods --------------------------------------------------------------------------------
    _m("head_not_automatic", "routing.py",
       'methods.add("HEAD")', "pass",
       "METH-004", "HEAD is only allowed where declared: HEAD on a GET rule is 405"),
    _m("head_returns_body", "wrappers.py",
       'if environ.get("REQUEST_METHOD", "GET").upper() == "HEAD":',
       'if environ.get("HTTP_METHOD", "GET").upper() == "HEAD":',
       "METH-004", "the body is dropped on the wrong environ key, so HEAD answers with GET's body"),
    _m("allow_header_missing", "exceptions.py",
       'return {"Allow": ", ".join(sorted(self.valid_methods))}', "return {}",
       "METH-003", "405 without Allow (RFC 9110 says MUST)"),
    _m("allow_lists_last_rule_only", "routing.py",
       "allowed |= rule.allowed_methods()", "allowed = rule.allowed_methods()",
       "METH-003", "Allow lists the methods of the last rule of the path only"),
    _m("first_path_match_decides", "routing.py",
       "allowed |= rule.allowed_methods()",
       'raise MethodNotAllowed(rule.allowed_methods() | {"OPTIONS"})',
       "METH-006 METH-003", "the first rule matching the path answers 405 without trying the next one"),
    _m("not_allowed_is_404", "routing.py",
       'raise MethodNotAllowed(allowed | {"OPTIONS"})', "raise NotFound()",
       "METH-002", "a method the rule does not allow is answered 404"),
    _m("options_not_automatic", "app.py",
       'if method == "OPTIONS":', 'if method == "options":',
       "METH-005", "OPTIONS is compared in lower case after upper(): never answered automatically"),
    # --- registration and URL building ----------------------------------------------------------
    _m("route_ignores_methods", "app.py",
       "self.add_url_rule(rule, endpoint, view_func, methods=methods)",
       "self.add_url_rule(rule, endpoint, view_func)",
       "REG-001 METH-001", "@app.route drops methods=, so it is GET-only where add_url_rule is not"),
    _m("route_ignores_endpoint", "app.py",
       "self.add_url_rule(rule, endpoint, view_func, methods=methods)",
       "self.add_url_rule(rule, None, view_func, methods=methods)",
       "REG-002", "@app.route(endpoint=...) is ignored: the endpoint is the function's name"),
    _m("add_url_rule_ignores_endpoint", "app.py",
       "self.url_map.add(Rule(rule, endpoint or view_func.__name__, view_func, methods))",
       "self.url_map.add(Rule(rule, view_func.__name__, view_func, methods))",
       "REG-002 BUILD-001", "add_url_rule('/named', 'custom_endpoint', view_function) registers 'view_function'"),
    _m("build_drops_unknown_values", "routing.py",
       "extra = query_string({k: v for k, v in values.items() if k not in names})", 'extra = ""',
       "BUILD-003", "url_for('hello', name='x', page=2) silently forgets page"),
    # --- decoding -------------------------------------------------------------------------------
    _m("routes_on_request_uri", "app.py",
       'path = wsgi_decode(environ.get("PATH_INFO", "")) or "/"',
       'path = wsgi_decode(environ.get("REQUEST_URI", "")) or "/"',
       "ROUTE-007 VAR-005 UNI-001", "routes on REQUEST_URI: the query string and the raw %-escapes take part"),
    _m("percent_decoded_twice", "app.py",
       'path = wsgi_decode(environ.get("PATH_INFO", "")) or "/"',
       'path = wsgi_decode(__import__("urllib.parse").parse.unquote(environ.get("PATH_INFO", ""))) or "/"',
       "VAR-005", "PATH_INFO, already decoded by the server, is unquoted again: %2525 gives '%'"),
    _m("path_not_utf8_decoded", "app.py",
       'return value.encode("latin-1").decode("utf-8")', "return value",
       "UNI-001 UNI-002", "PATH_INFO's latin-1 'bytes as str' is used as text: été arrives as 'Ã©tÃ©'"),
    _m("invalid_utf8_is_500", "app.py",
       "except UnicodeError:", "except UnicodeEncodeError:",
       "UNI-003", "catches the wrong error: invalid UTF-8 in the path crashes with 500"),
    _m("invalid_utf8_replaced", "app.py",
       'return value.encode("latin-1").decode("utf-8")',
       'return value.encode("latin-1").decode("utf-8", "replace")',
       "UNI-004", "invalid UTF-8 becomes U+FFFD and is served (Flask does this)"),
    # --- error pages ----------------------------------------------------------------------------
    _m("production_page_leaks_message", "app.py",
       "return debug_page(exc) if self.debug else production_page()",
       'return debug_page(exc) if self.debug else Response(f"Internal Server Error: {exc}", 500)',
       "DEBUG-003", "the production 500 page shows the exception's message"),
    _m("debug_always_on", "app.py",
       "self.debug = debug", "self.debug = debug or __debug__",
       "DEBUG-003", "debug is on unless Python runs with -O: production shows tracebacks"),
    _m("debug_page_unescaped", "debug.py",
       "message = html.escape(str(exc), quote=True)", "message = str(exc)",
       "DEBUG-001", "the debug page shows the message as HTML: an exception message can inject markup"),
    _m("debug_page_loses_traceback", "app.py",
       "return debug_page(exc) if self.debug else production_page()",
       "return debug_page(exc.with_traceback(None)) if self.debug else production_page()",
       "DEBUG-002", "the traceback is dropped before the debug page is made: the view is not named"),
    _m("debugger_resources_without_debug", "app.py",
       "if self.debug:  # the debug page's own assets", "if True:  # the debug page's own assets",
       "DEBUG-005", "the debugger's CSS and JS are served with debug off: production reveals the debugger"),
    # --- templates ------------------------------------------------------------------------------
    _m("template_not_escaped", "templates.py",
       "escaped = {name: html.escape(str(value), quote=True) for name, value in values.items()}",
       "escaped = {name: str(value) for name, value in values.items()}",
       "TMPL-001", "render() inserts values as they are: a URL variable injects markup into the page"),
    _m("template_escapes_only_ampersand", "templates.py",
       "escaped = {name: html.escape(str(value), quote=True) for name, value in values.items()}",
       'escaped = {name: str(value).replace("&", "&amp;") for name, value in values.items()}',
       "TMPL-001", "render() escapes '&' but not '<': tags in a value are live"),
    # --- WSGI -----------------------------------------------------------------------------------
    _m("body_is_str", "wrappers.py",
       "return [self.body]", 'return [self.body.decode("utf-8")]',
       "WSGI-003", "the body iterable yields str, not bytes (PEP 3333)"),
    _m("content_length_counts_characters", "wrappers.py",
       'headers.append(("Content-Length", str(len(self.body))))',
       'headers.append(("Content-Length", str(len(self.body.decode("utf-8")))))',
       "WSGI-005 SERVER-005", "Content-Length counts characters, not bytes: wrong for 'été'"),
    _m("path_decoded_twice", "app.py",
       'path = wsgi_decode(environ.get("PATH_INFO", "")) or "/"',
       'path = __import__("urllib.parse").parse.unquote(wsgi_decode(environ.get("PATH_INFO", ""))) or "/"',
       "SERVER-001", "the app unquotes PATH_INFO, which the server has already decoded: /hello/%2541 "
       "reaches the view as 'A', not '%41'"),
    _m("charset_missing", "wrappers.py",
       'HTML = "text/html; charset=utf-8"', 'HTML = "text/html"',
       "WSGI-006", "text/html without charset"),
    _m("status_without_reason", "wrappers.py",
       'return f"{self.status} {HTTPStatus(self.status).phrase}"', 'return f"{self.status}"',
       "WSGI-001", "the status line is '200', without a reason phrase (PEP 3333)"),
    _m("hop_by_hop_header", "wrappers.py",
       'self.headers = {"Content-Type": content_type, **(headers or {})}',
       'self.headers = {"Content-Type": content_type, "Connection": "close", **(headers or {})}',
       "WSGI-002", "the application sets Connection, a hop-by-hop header only the server may set"),
    # --- added with CANON-007, CONV-FLOAT-006 ------------------------------------------------------
    _m("redirect_without_validation", "routing.py",
       'if any(rule.trailing_slash and rule.match(path + "/") is not None for rule in self.rules):',
       'if any(rule.trailing_slash and rule.regex.fullmatch(path + "/") for rule in self.rules):',
       "CANON-007", "the slash redirect looks at the rule's pattern only, so /12 is sent to /12/ "
       "although int(max=9) rejects 12 there (Werkzeug does this)"),
    _m("float_unicode_digits", "converters.py",
       'digits = r"[0-9]+\\.[0-9]+"', 'digits = r"\\d+\\.\\d+"',
       "CONV-FLOAT-006", r"float uses \d, which matches Arabic-Indic and fullwidth digits"),
    _m("float_accepts_trailing_dot", "converters.py",
       'digits = r"[0-9]+\\.[0-9]+"', 'digits = r"[0-9]+\\.[0-9]*"',
       "CONV-FLOAT-002", "float's fraction is optional, so '1.' is taken as 1.0"),
    _m("float_bounds_ignored", "converters.py",
       "number = super().to_python(value)", "number = float(value)",
       "CONV-FLOAT-005", "float skips the shared min/max check, so float(max=2.0) takes 2.5"),
    _m("variables_swapped", "routing.py",
       "for part, text in zip(self.variables, found.groups()):",
       "for part, text in zip(self.variables, reversed(found.groups())):",
       "VAR-004", "with several variables, each gets another's segment"),
)

BY_NAME: dict[str, Mutant] = {m.name: m for m in MUTANTS}


# --- patching ----------------------------------------------------------------------------------
def original_sources() -> dict[str, str]:
    """``{module stem: source}`` of the reference framework, read now (the files may change)."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(SOURCE_DIR.glob("*.py"))}


def apply(mutant: Mutant, sources: Mapping[str, str] | None = None) -> dict[str, str]:
    """The framework's sources with ``mutant``'s one-line patch applied; MutantError if it cannot be."""
    sources = dict(original_sources() if sources is None else sources)
    stem = mutant.module.removesuffix(".py")
    where = f"mutant {mutant.name!r}: {mutant.module}"
    if stem not in sources:
        raise MutantError(f"{where} is not a module of {SOURCE_DIR}")
    if "\n" in mutant.old or "\n" in mutant.new:
        raise MutantError(f"{where}: old and new must each be (part of) one line")
    if mutant.old == mutant.new:
        raise MutantError(f"{where}: new is the same as old")
    count = sources[stem].count(mutant.old)
    if count != 1:
        raise MutantError(
            f"{where}: {mutant.old!r} occurs {count} times, not exactly once; the reference "
            f"framework changed, update the mutant (a one-line change of the current code)"
        )
    sources[stem] = sources[stem].replace(mutant.old, mutant.new, 1)
    return sources


def _filename(mutant_name: str, stem: str) -> str:
    """A fake ``__file__`` that says what the code is (and is not mistaken for the real file)."""
    return str(SOURCE_DIR / f"{stem}.py") + f" [mutant {mutant_name}]"


# --- loading -----------------------------------------------------------------------------------
class _MutantImporter(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves ``wsgi_conformance_mutants[.<mutant>[.<module>]]`` from patched source in memory.

    Mutant packages are created on first import, so the reproduction an app of a mutant shows
    (``from wsgi_conformance_mutants.<name> import App``) runs in any process that has imported
    this module.
    """

    is_wsgi_conformance_mutant_importer = True

    def __init__(self) -> None:
        self.sources: dict[str, dict[str, str]] = {}  # mutant name -> {stem: patched source}

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        parts = fullname.split(".")
        if parts[0] != PACKAGE or len(parts) > 3:
            return None
        if len(parts) == 1:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        mutant = BY_NAME.get(parts[1])
        if mutant is None:
            return None
        if len(parts) == 2 or mutant.name not in self.sources:  # (re)read and patch the files now
            self.sources[mutant.name] = apply(mutant)
        sources = self.sources[mutant.name]
        stem = parts[2] if len(parts) == 3 else "__init__"
        if stem not in sources:
            return None
        spec = importlib.util.spec_from_loader(
            fullname, self, origin=_filename(mutant.name, stem), is_package=len(parts) == 2)
        spec.has_location = True  # sets __file__ to the fake file name, for readable tracebacks
        return spec

    def create_module(self, spec: Any) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        source = self.get_source(module.__name__)
        if source is None:  # the top-level namespace package
            return
        filename = module.__spec__.origin
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec", dont_inherit=True), module.__dict__)

    def get_source(self, fullname: str) -> str | None:
        parts = fullname.split(".")
        if len(parts) == 1:
            return None
        stem = parts[2] if len(parts) == 3 else "__init__"
        return self.sources[parts[1]][stem]


def _importer() -> _MutantImporter:
    """The importer on ``sys.meta_path``, installed if it is not (pytester restores meta_path)."""
    for finder in sys.meta_path:
        if getattr(finder, "is_wsgi_conformance_mutant_importer", False):
            return finder  # type: ignore[return-value]
    importer = _MutantImporter()
    sys.meta_path.insert(0, importer)
    return importer


_importer()


class MutantAdapter(ReferenceAdapter):
    """The reference adapter for a patched copy; subclassed per mutant by ``load_mutant``."""

    mutant: Mutant
    # SERVER-006 runs the app in a fresh interpreter, which does not have this process's patched
    # copies; no mutant touches App.run, so the reloader stays the reference's alone (issue 10).
    capabilities = ReferenceAdapter.capabilities - {"reloader"}

    def source(self, model: Any) -> str:
        # The import makes the reproduction a failure shows runnable on its own: it installs the
        # importer that creates wsgi_conformance_mutants.<name> from the patched source.
        return f"import {__name__}  # creates the {self.framework_module} package\n" + super().source(model)


_ADAPTERS: dict[str, type[MutantAdapter]] = {}


def load_mutant(name: str) -> type[MutantAdapter]:
    """The reference adapter pointed at a freshly patched and imported copy of the framework."""
    if name not in BY_NAME:
        raise MutantError(f"no mutant {name!r}; mutants: {', '.join(sorted(BY_NAME))}")
    mutant = BY_NAME[name]
    _importer()
    package = f"{PACKAGE}.{name}"
    for module_name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[module_name]  # re-read the current source on every load
    importlib.import_module(package)
    if name not in _ADAPTERS:
        _ADAPTERS[name] = type(f"Mutant_{name}", (MutantAdapter,), {
            "__module__": __name__,
            "__qualname__": f"Mutant_{name}",
            "__doc__": f"The reference framework with one bug ({mutant.module}): {mutant.why}.",
            "name": mutant.adapter_name,
            "framework": f"reference mutant {name}",
            "framework_module": package,
            "mutant": mutant,
        })
    return _ADAPTERS[name]


def __getattr__(name: str) -> type[MutantAdapter]:
    """``adapters.reference.mutants:<mutant>`` in ``--adapter`` resolves to the mutant's adapter."""
    if name in BY_NAME:
        return load_mutant(name)
    hint = "" if name.startswith("__") else f"; mutants: {', '.join(sorted(BY_NAME))}"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}{hint}")


# --- the figure --------------------------------------------------------------------------------
def is_caught(mutant: Mutant, outcomes: Mapping[str, str]) -> bool:
    """At least one requirement the mutant breaks came out fail or non-strict."""
    return any(outcomes.get(req) in CAUGHT for req in mutant.breaks)


def outcomes_by_adapter(results: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """``{adapter: {requirement: outcome}}`` from ``--conformance-json`` data (or that mapping itself)."""
    if "adapters" in results and isinstance(results["adapters"], list):
        return {a["adapter"]: {k: v["outcome"] for k, v in a["requirements"].items()}
                for a in results["adapters"]}
    return {k: dict(v) for k, v in results.items()}


def score(results: Mapping[str, Any], mutants: tuple[Mutant, ...] = MUTANTS) -> tuple[int, int]:
    """(caught, total) for the README: a mutant absent from the results counts as not caught."""
    by_adapter = outcomes_by_adapter(results)
    caught = sum(is_caught(m, by_adapter.get(m.adapter_name, {})) for m in mutants)
    return caught, len(mutants)
