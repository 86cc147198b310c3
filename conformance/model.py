"""The neutral model of an application and of a request.

Frozen dataclasses that know no framework syntax: an adapter reads an ``AppModel`` and writes it
in its framework's own words; the oracle reads the same model and predicts the answer. Keeping the
model plain data is what lets one generated rule set be asked many questions, by many frameworks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal, Union
from urllib.parse import unquote_to_bytes

CONVERTERS = ("default", "int", "float", "path", "uuid", "any", "string")

# Arguments each converter understands (Werkzeug's names, which Flask users know).
CONVERTER_ARGS: dict[str, tuple[str, ...]] = {
    "default": (),
    "string": ("minlength", "maxlength", "length"),
    "int": ("min", "max", "fixed_digits", "signed"),
    "float": ("min", "max", "signed"),
    "path": (),
    "uuid": (),
    "any": ("items",),
}

# A variable in a Handler("template") template: ``{name}``.
TEMPLATE_VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

Registration = Literal["decorator", "imperative"]


@dataclass(frozen=True)
class Static:
    """A literal path segment, as the user writes it (may be non-ASCII; never contains '/')."""

    text: str


@dataclass(frozen=True)
class Variable:
    """A variable path segment ``<converter(args):name>``.

    ``args`` is a tuple of (name, value) pairs so the model stays hashable; ``any`` keeps its
    items under the name ``items``.
    """

    name: str
    converter: str = "default"
    args: tuple[tuple[str, Any], ...] = ()

    def arg(self, key: str, default: Any = None) -> Any:
        if not self.args:  # most variables: the oracle asks on every request (issue 9)
            return default
        return dict(self.args).get(key, default)


Segment = Union[Static, Variable]


@dataclass(frozen=True)
class Handler:
    """What the view function does.

    ``echo``: answer with the endpoint and the converted arguments with their Python types (JSON),
    so ``42`` and ``'42'`` are told apart. ``format``: return ``template % args`` (the tutorial's
    programs). ``text``: return ``template`` as it is. ``raise``: raise ``exc_type(message)``.
    ``template``: render ``template`` with the framework's HTML template engine, the rule's
    variables as its values; ``template`` is written in a neutral form (``<p>{name}</p>``) that
    each adapter translates to its engine's syntax (``TEMPLATE_VARIABLE`` finds the variables).
    """

    kind: Literal["echo", "format", "text", "raise", "template"] = "echo"
    template: str = ""
    exc_type: str = "ValueError"
    message: str = ""


@dataclass(frozen=True)
class Rule:
    """One URL rule bound to one view function.

    The rule's path is ``'/' + '/'.join(segments)`` plus a final ``'/'`` when ``trailing_slash``;
    the root rule is ``segments=()`` and is always ``'/'``.
    """

    segments: tuple[Segment, ...]
    endpoint: str
    trailing_slash: bool = False
    methods: frozenset[str] = frozenset({"GET"})
    registration: Registration = "decorator"
    handler: Handler = field(default_factory=Handler)
    function: str = ""  # name of the view function; defaults to the endpoint

    @property
    def function_name(self) -> str:
        return self.function or self.endpoint

    @property
    def variables(self) -> tuple[Variable, ...]:
        return tuple(s for s in self.segments if isinstance(s, Variable))

    def path_template(self, variable: "VariableFormatter") -> str:
        """The rule's path with each variable written by ``variable`` (one framework's syntax)."""
        if not self.segments:
            return "/"
        parts = [s.text if isinstance(s, Static) else variable(s) for s in self.segments]
        return "/" + "/".join(parts) + ("/" if self.trailing_slash else "")

    @property
    def werkzeug_path(self) -> str:
        """The rule in Flask/Werkzeug syntax: the spec's own notation, used in messages."""
        return self.path_template(werkzeug_variable)


@dataclass(frozen=True)
class AppModel:
    """An application: its rules in registration order, and whether debug mode is on."""

    rules: tuple[Rule, ...]
    debug: bool = False

    def __hash__(self) -> int:
        """The dataclass' hash, kept: it walks every rule and segment, and the harness looks an
        app up by its model on every batch of requests (issue 9)."""
        cache = self.__dict__
        if "_hash" not in cache:
            cache["_hash"] = hash((self.rules, self.debug))
        return cache["_hash"]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_hash", None)  # str hashes differ from one process to another
        return state

    @classmethod
    def of(cls, *rules: Rule, debug: bool = False) -> "AppModel":
        return cls(tuple(rules), debug)

    def rule_for(self, endpoint: str) -> Rule:
        for rule in self.rules:
            if rule.endpoint == endpoint:
                return rule
        raise KeyError(endpoint)

    @property
    def converters(self) -> frozenset[str]:
        return frozenset(v.converter for r in self.rules for v in r.variables)

    def describe(self) -> str:
        lines = [
            f"{r.werkzeug_path}  -> {r.endpoint} [{', '.join(sorted(r.methods))}] ({r.registration})"
            for r in self.rules
        ]
        if self.debug:
            lines.append("debug=True")
        return "\n".join(lines)


@dataclass(frozen=True)
class Request:
    """A request as it goes on the wire: ``path`` is the raw, percent-encoded request target path.

    The driver builds the WSGI environ from it the way a real server does (percent-decoding into
    PATH_INFO, keeping the raw form in REQUEST_URI).
    """

    path: str
    method: str = "GET"
    query: str = ""
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def target(self) -> str:
        return self.path + ("?" + self.query if self.query else "")

    @property
    def path_bytes(self) -> bytes:
        """The path percent-decoded, as bytes: what a server hands on (PEP 3333). The driver and
        the oracle both read it; it is decoded once (issue 9) and kept in ``__dict__`` (the
        dataclass' fields, equality and hash are untouched)."""
        cache = self.__dict__
        if "_path_bytes" not in cache:
            cache["_path_bytes"] = unquote_to_bytes(self.path)
        return cache["_path_bytes"]

    def __str__(self) -> str:
        return f"{self.method} {self.target}"


VariableFormatter = Any  # Callable[[Variable], str]; kept loose so adapters can pass methods.


def werkzeug_variable(var: Variable) -> str:
    """``<int(min=1):x>``: Werkzeug/Flask notation of a variable part."""
    if var.converter == "default":
        return f"<{var.name}>"
    args = ""
    if var.converter == "any":
        args = "(" + ", ".join(repr(i) for i in var.arg("items", ())) + ")"
    elif var.args:
        args = "(" + ", ".join(f"{k}={v!r}" for k, v in var.args) + ")"
    return f"<{var.converter}{args}:{var.name}>"


def rule(path: str, endpoint: str, **kwargs: Any) -> Rule:
    """Parse a rule written in Werkzeug notation into the model (for readable fixed cases).

    Only the forms the model can hold are accepted: one variable per segment, whole segments.
    """
    trailing = path != "/" and path.endswith("/")
    body = path.strip("/")
    segments: list[Segment] = []
    for piece in body.split("/") if body else []:
        if piece.startswith("<") and piece.endswith(">"):
            segments.append(_parse_variable(piece[1:-1]))
        else:
            segments.append(Static(piece))
    if "methods" in kwargs:
        kwargs["methods"] = frozenset(kwargs["methods"])
    return Rule(tuple(segments), endpoint, trailing_slash=trailing, **kwargs)


def _parse_variable(text: str) -> Variable:
    if ":" not in text:
        return Variable(text)
    spec, name = text.rsplit(":", 1)
    if "(" not in spec:
        return Variable(name, spec)
    conv, argtext = spec.split("(", 1)
    argtext = argtext.rstrip(")")
    import ast

    call = ast.parse(f"f({argtext})", mode="eval").body
    assert isinstance(call, ast.Call)
    if conv == "any":
        items = tuple(ast.literal_eval(a) for a in call.args)
        return Variable(name, conv, (("items", items),))
    args = tuple((kw.arg, ast.literal_eval(kw.value)) for kw in call.keywords)
    return Variable(name, conv, args)  # type: ignore[arg-type]
