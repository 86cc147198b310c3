"""The router: rules parsed from Werkzeug syntax, matched against the decoded path, and built back.

Matching follows SPEC.md section 0: every rule whose parts match the path's segments is a
candidate; candidates are tried most specific first (``Rule.sort_key``) and the first that allows
the method wins. Rules that match the path without allowing the method give 405 (or the automatic
OPTIONS answer); no match at all may still be a missing trailing slash (308); otherwise 404.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any, Callable

from .converters import CONVERTERS, STATIC, BaseConverter
from .exceptions import MethodNotAllowed, NotFound, RequestRedirect
from .urls import query_string, quote_path, quote_segment

END = 9  # weight of "no more parts": a rule that still has parts is the more specific one

_VARIABLE = re.compile(
    r"<(?:(?P<converter>[A-Za-z_]\w*)(?:\((?P<args>.*)\))?:)?(?P<name>[A-Za-z_]\w*)>", re.ASCII
)


class BuildError(LookupError):
    """No rule of that endpoint can be built from the values given."""


@dataclass(frozen=True)
class Part:
    """One segment of a rule: static ``text``, or a variable ``name`` with its converter."""

    text: str = ""
    name: str = ""
    converter: BaseConverter | None = None

    @property
    def regex(self) -> str:
        return re.escape(self.text) if self.converter is None else f"({self.converter.regex})"

    @property
    def weight(self) -> int:
        return STATIC if self.converter is None else self.converter.weight


def parse_converter_args(text: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """``'a', 'b'`` or ``min=1, signed=True`` as Python literals; bare words are strings."""
    call = ast.parse(f"f({text})", mode="eval").body
    assert isinstance(call, ast.Call)

    def value(node: ast.expr) -> Any:
        return node.id if isinstance(node, ast.Name) else ast.literal_eval(node)

    return tuple(value(a) for a in call.args), {kw.arg: value(kw.value) for kw in call.keywords}


def parse_part(segment: str) -> Part:
    match = _VARIABLE.fullmatch(segment)
    if match is None:
        if "<" in segment or ">" in segment:
            raise ValueError(f"only whole-segment variables are supported: {segment!r}")
        return Part(text=segment)
    args, kwargs = parse_converter_args(match["args"] or "")
    converter_class = CONVERTERS[match["converter"] or "default"]
    return Part(name=match["name"], converter=converter_class(*args, **kwargs))


class Rule:
    """A URL rule bound to an endpoint and its view function."""

    def __init__(self, rule: str, endpoint: str, view_func: Callable[..., Any],
                 methods: Any = None):
        if not rule.startswith("/"):
            raise ValueError(f"a rule starts with '/': {rule!r}")
        self.rule = rule
        self.endpoint = endpoint
        self.view_func = view_func
        self.methods = frozenset(m.upper() for m in (methods or ["GET"]))
        self.trailing_slash = rule != "/" and rule.endswith("/")
        body = rule[1:-1] if self.trailing_slash else rule[1:]
        self.parts = [parse_part(segment) for segment in body.split("/")] if body else []
        self.variables = [part for part in self.parts if part.converter is not None]
        pattern = "/" + "/".join(part.regex for part in self.parts)
        self.regex = re.compile(pattern + ("/" if self.trailing_slash else ""))

    def __repr__(self) -> str:
        return f"<Rule {self.rule!r} -> {self.endpoint} {sorted(self.methods)}>"

    @property
    def sort_key(self) -> tuple[int, ...]:
        """Compared from the left: static beats typed beats default beats path (SPEC 0.3)."""
        return tuple(part.weight for part in self.parts) + (END,)

    def match(self, path: str) -> dict[str, Any] | None:
        """The converted values when the whole path matches, else None."""
        found = self.regex.fullmatch(path)
        if found is None:
            return None
        values = {}
        for part, text in zip(self.variables, found.groups()):
            try:
                values[part.name] = part.converter.to_python(text)
            except ValueError:  # ValidationError, or int()/UUID() refusing the text
                return None
        return values

    def allows(self, method: str) -> bool:
        return method in self.allowed_methods()

    def allowed_methods(self) -> set[str]:
        """The declared methods, plus HEAD wherever GET is (METH-004)."""
        methods = set(self.methods)
        if "GET" in methods:
            methods.add("HEAD")
        return methods

    def can_build(self, values: dict[str, Any]) -> bool:
        return all(values.get(part.name) is not None for part in self.variables)

    def build(self, values: dict[str, Any]) -> str:
        segments = [
            quote_segment(part.text) if part.converter is None
            else part.converter.to_url(values[part.name])
            for part in self.parts
        ]
        return "/" + "/".join(segments) + ("/" if self.trailing_slash else "")


class Map:
    """The rules of one application, in registration order, and their precedence order."""

    def __init__(self) -> None:
        self.rules: list[Rule] = []
        self.sorted_rules: list[Rule] = []

    def add(self, rule: Rule) -> None:
        self.rules.append(rule)
        # sorted() is stable: equally specific rules stay in registration order (ROUTE-010).
        self.sorted_rules = sorted(self.rules, key=lambda r: r.sort_key)

    def match(self, path: str, method: str, query: str = "",
              script_name: str = "") -> tuple[Rule, dict[str, Any]]:
        """The rule and values for a request; else MethodNotAllowed, RequestRedirect or NotFound."""
        allowed: set[str] = set()
        for rule in self.sorted_rules:
            values = rule.match(path)
            if values is None:
                continue
            if rule.allows(method):
                return rule, values
            allowed |= rule.allowed_methods()
        if allowed:
            raise MethodNotAllowed(allowed | {"OPTIONS"})
        if any(rule.trailing_slash and rule.match(path + "/") is not None for rule in self.rules):
            location = quote_path(script_name + path + "/") + ("?" + query if query else "")
            raise RequestRedirect(location)
        raise NotFound()

    def build(self, endpoint: str, values: dict[str, Any]) -> str:
        """Path of the first rule of ``endpoint`` that has all its values; the rest is the query."""
        for rule in self.rules:
            if rule.endpoint == endpoint and rule.can_build(values):
                names = {part.name for part in rule.variables}
                extra = query_string({k: v for k, v in values.items() if k not in names})
                return rule.build(values) + ("?" + extra if extra else "")
        raise BuildError(f"cannot build a URL for {endpoint!r} with {sorted(values)}")
