"""The router: each pattern becomes one regular expression; the first route that matches wins."""

from __future__ import annotations

import re
from typing import Any, Callable

# A variable is <name> or <kind:name>. Each kind is a regex plus a function applied to the match.
VARIABLE = re.compile(r"<(?:(\w+):)?(\w+)>")
KINDS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "str": (r"[^/]+", str),
    "int": (r"\d+", int),
    "float": (r"[\d.]+", float),
    "path": (r".+", str),
}


class Route:
    def __init__(self, pattern: str, view: Callable[..., Any], methods: list[str], name: str):
        self.pattern = pattern
        self.view = view
        self.methods = [m.upper() for m in methods]
        self.name = name
        self.converters: dict[str, Callable[[str], Any]] = {}
        regex = ""
        last = 0
        for m in VARIABLE.finditer(pattern):
            kind, var = m.group(1) or "str", m.group(2)
            if kind not in KINDS:
                raise ValueError(f"unknown variable type {kind!r} in {pattern!r}")
            part, convert = KINDS[kind]
            regex += re.escape(pattern[last:m.start()]) + f"(?P<{var}>{part})"
            self.converters[var] = convert
            last = m.end()
        regex += re.escape(pattern[last:])
        self.regex = re.compile("^" + regex + "$")

    def match(self, path: str) -> dict[str, Any] | None:
        m = self.regex.match(path)
        if m is None:
            return None
        return {k: self.converters[k](v) for k, v in m.groupdict().items()}

    def build(self, **values: Any) -> str:
        url = self.pattern
        for m in VARIABLE.finditer(self.pattern):
            url = url.replace(m.group(0), str(values.pop(m.group(2))))
        if values:
            url += "?" + "&".join(f"{k}={v}" for k, v in values.items())
        return url


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, route: Route) -> None:
        self.routes.append(route)

    def find(self, path: str, method: str) -> tuple[Route | None, dict[str, Any], list[str]]:
        """(route, arguments, allowed methods): no route and some methods means 405."""
        allowed: list[str] = []
        for route in self.routes:
            args = route.match(path)
            if args is None:
                continue
            if method in route.methods:
                return route, args, []
            allowed += [m for m in route.methods if m not in allowed]
        return None, {}, allowed

    def url_for(self, name: str, **values: Any) -> str:
        for route in self.routes:
            if route.name == name:
                return route.build(**values)
        raise KeyError(f"no route named {name!r}")
