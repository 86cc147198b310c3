"""Hypothesis strategies: rule sets an adapter can express, and requests against them.

Small composable functions, no hidden state. Requests come in two kinds: *hits*, built from a rule
with values its converters accept, and *near misses*, one step away from a hit (an invalid
converter value, a slash added or removed, ``//``, ``%2F``, another method, a changed prefix or
case). The oracle judges both; generation only has to reach the interesting places.
"""

from __future__ import annotations

import keyword
import string
from dataclasses import replace
from functools import lru_cache
from urllib.parse import quote

from hypothesis import strategies as st

from adapters.base import (CONVERTER_ANY, CONVERTER_STRING_ARGS, CONVERTER_UUID, FLOAT_ARGS,
                           INT_ARGS)
from conformance.model import AppModel, Request, Rule, Static, Variable

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
# Static rule text: ASCII, characters that need percent-encoding, and non-ASCII letters. Rule
# syntax characters ('<', '>', ':', '\\') and '/' are left out: they are not text in any syntax.
STATIC_CHARS = string.ascii_letters + string.digits + "-_.~ %+@!$&'()*,;=" + "éßüñжλ日本語"
VALUE_CHARS = string.ascii_letters + string.digits + "-_.~ %+@!$&'()*,;=?#\"" + "éßüñжλ日本語😀"
RESERVED_NAMES = frozenset({"app", "echo", "bottle", "flask"}) | frozenset(keyword.kwlist)


# --- rules -------------------------------------------------------------------------------------
# Strategies are built once and shared: building one is far dearer than drawing from it.
def _not_dot_segment(text: str) -> bool:
    return text not in (".", "..")


def _usable_name(name: str) -> bool:
    return name not in RESERVED_NAMES


@lru_cache(maxsize=None)
def static_texts() -> st.SearchStrategy[str]:
    return st.text(STATIC_CHARS, min_size=1, max_size=6).filter(_not_dot_segment)


@lru_cache(maxsize=None)
def variable_names() -> st.SearchStrategy[str]:
    return st.from_regex(r"[a-z][a-z0-9]{0,5}", fullmatch=True).filter(_usable_name)


@lru_cache(maxsize=None)
def converters(capabilities: frozenset[str]) -> st.SearchStrategy[tuple[str, tuple]]:
    """A converter the adapter can express, with arguments it declares."""
    options: list[st.SearchStrategy[tuple[str, tuple]]] = [
        st.just(("default", ())), st.just(("int", ())), st.just(("float", ())), st.just(("path", ())),
    ]
    if CONVERTER_UUID in capabilities:
        options.append(st.just(("uuid", ())))
    if CONVERTER_ANY in capabilities:
        words = st.text(string.ascii_lowercase, min_size=1, max_size=5)
        options.append(st.tuples(st.just("any"), st.lists(words, min_size=2, max_size=3, unique=True)
                                 .map(_any_args)))
    if INT_ARGS in capabilities:
        options.append(st.tuples(st.just("int"), int_args()))
    if FLOAT_ARGS in capabilities:
        options.append(st.just(("float", (("signed", True),))))
    if CONVERTER_STRING_ARGS in capabilities:
        options.append(st.tuples(st.just("string"), string_args()))
    return st.one_of(options)


def _any_args(items: list[str]) -> tuple:
    return (("items", tuple(items)),)


@st.composite
def int_args(draw: st.DrawFn) -> tuple:
    kind = draw(st.sampled_from(["range", "fixed", "signed"]))
    if kind == "range":
        lo = draw(st.integers(0, 50))
        return (("min", lo), ("max", lo + draw(st.integers(0, 100))))
    if kind == "fixed":
        return (("fixed_digits", draw(st.integers(1, 4))),)
    return (("signed", True),)


@st.composite
def string_args(draw: st.DrawFn) -> tuple:
    if draw(st.booleans()):
        return (("length", draw(st.integers(1, 4))),)
    lo = draw(st.integers(1, 3))
    return (("minlength", lo), ("maxlength", lo + draw(st.integers(0, 3))))


# A focus makes a rule set's first rule carry one kind of part, so that each kind is exercised
# in every run instead of when the draw happens to reach it.
FOCI: dict[str, tuple[str, frozenset[str]]] = {
    # focus -> (converter, capabilities it needs)
    "static": ("", frozenset()),
    "default": ("default", frozenset()),
    "int": ("int", frozenset()),
    "float": ("float", frozenset()),
    "path": ("path", frozenset()),
    "uuid": ("uuid", frozenset({CONVERTER_UUID})),
    "any": ("any", frozenset({CONVERTER_ANY})),
    "string-args": ("string", frozenset({CONVERTER_STRING_ARGS})),
    "int-args": ("int", frozenset({INT_ARGS})),
    "float-args": ("float", frozenset({FLOAT_ARGS})),
}


@st.composite
def focused_converter(draw: st.DrawFn, capabilities: frozenset[str], focus: str) -> tuple[str, tuple]:
    conv, _ = FOCI[focus]
    if focus == "int-args":
        return "int", draw(int_args())
    if focus == "float-args":
        return "float", (("signed", True),)
    if focus == "string-args":
        return "string", draw(string_args())
    if focus == "any":
        return draw(converters(capabilities).filter(lambda c: c[0] == "any"))
    return conv, ()


@st.composite
def rules(draw: st.DrawFn, capabilities: frozenset[str], endpoint: str, max_segments: int = 4,
          focus: str | None = None) -> Rule:
    n = draw(st.integers(1 if focus else 0, max_segments))
    names = draw(st.lists(variable_names(), min_size=n, max_size=n, unique=True))
    focus_at = draw(st.integers(0, n - 1)) if focus and focus != "static" else -1
    segments: list = []
    has_path = False
    for i in range(n):
        if focus == "static" or (i != focus_at and draw(st.booleans())):
            segments.append(Static(draw(static_texts())))
            continue
        if i == focus_at:
            conv, args = draw(focused_converter(capabilities, focus))
        else:
            conv, args = draw(converters(capabilities))
        if conv == "path":
            if has_path:
                conv, args = "default", ()
            has_path = True
        segments.append(Variable(names[i], conv, args))
    return Rule(
        tuple(segments), endpoint,
        trailing_slash=bool(segments) and draw(st.booleans()),
        methods=draw(_METHOD_SETS),
        registration=draw(_REGISTRATIONS),
        function=draw(_FUNCTION_NAMES).format(endpoint=endpoint),
    )


_METHOD_SETS = st.one_of(st.just(frozenset({"GET"})),
                         st.sets(st.sampled_from(METHODS), min_size=1, max_size=3).map(frozenset))
_REGISTRATIONS = st.sampled_from(["decorator", "imperative"])
_FUNCTION_NAMES = st.sampled_from(["", "view_{endpoint}"])  # "": named after the endpoint


def _shape(rule: Rule) -> tuple:
    """Rules of one shape are the same rule written twice: what a framework does then is moot."""
    return tuple(s if isinstance(s, Static) else (s.converter, s.args) for s in rule.segments) + (
        rule.trailing_slash,)


@st.composite
def rule_sets(draw: st.DrawFn, capabilities: frozenset[str], min_rules: int = 1,
              max_rules: int = 6, focus: str | None = None) -> AppModel:
    n = draw(st.integers(min_rules, max_rules))
    out: list[Rule] = []
    shapes: set = set()
    for i in range(n):
        rule = draw(rules(capabilities, f"e{i}", focus=focus if i == 0 else None))
        if _shape(rule) in shapes:
            continue
        shapes.add(_shape(rule))
        out.append(rule)
    return AppModel(tuple(out))


@st.composite
def overlapping_rule_sets(draw: st.DrawFn, capabilities: frozenset[str]) -> AppModel:
    """Pairs of rules that match the same paths and differ at one part: precedence questions."""
    base = draw(rules(capabilities, "e0", max_segments=3))
    if not base.segments:
        base = replace(base, segments=(Static("x"),))
    i = draw(st.integers(0, len(base.segments) - 1))
    name = draw(variable_names().filter(lambda n: n not in {v.name for v in base.variables}))
    # Many routers look fully static rules up in a table before any pattern, so a static rule
    # only meets a variable one in the same ordered list when it has a variable part elsewhere:
    # "in-dynamic" makes sure the pair does (where Bottle lets registration order win).
    kind = draw(st.sampled_from(["static-vs-variable", "in-dynamic", "typed-vs-default"]))
    if kind == "in-dynamic" and not any(
            isinstance(s, Variable) for j, s in enumerate(base.segments) if j != i):
        taken = {name} | {v.name for v in base.variables}
        other = Variable(draw(variable_names().filter(lambda n: n not in taken)))
        at = draw(st.sampled_from([j for j in (i, i + 1) if j <= len(base.segments)]))
        segments = base.segments[:at] + (other,) + base.segments[at:]
        base, i = replace(base, segments=segments), (i + 1 if at <= i else i)
    if kind in ("static-vs-variable", "in-dynamic"):
        a = replace(base, segments=base.segments[:i] + (Static(draw(static_texts())),) + base.segments[i + 1:])
        b = replace(base, segments=base.segments[:i] + (Variable(name),) + base.segments[i + 1:], endpoint="e1")
    else:
        conv = draw(st.sampled_from(["int", "float"] + (["uuid"] if CONVERTER_UUID in capabilities else [])))
        a = replace(base, segments=base.segments[:i] + (Variable(name, conv),) + base.segments[i + 1:])
        b = replace(base, segments=base.segments[:i] + (Variable(name),) + base.segments[i + 1:], endpoint="e1")
    a = replace(a, methods=frozenset({"GET"}))
    b = replace(b, methods=frozenset({"GET"}))
    pair = [a, b] if draw(st.booleans()) else [b, a]
    return AppModel(tuple(pair))


# --- values and requests ---------------------------------------------------------------------
@lru_cache(maxsize=None)
def texts(min_size: int = 1, max_size: int = 8) -> st.SearchStrategy[str]:
    return st.text(VALUE_CHARS, min_size=min_size, max_size=max_size)


@lru_cache(maxsize=4096)
def valid_value(var: Variable) -> st.SearchStrategy[object]:
    """Values ``var``'s converter accepts, as the view should receive them (built once per var)."""
    conv = var.converter
    if conv == "int":
        lo, hi, fixed = var.arg("min"), var.arg("max"), var.arg("fixed_digits")
        if fixed is not None:
            return st.integers(0, 10 ** fixed - 1)
        low = lo if lo is not None else (-10 ** 6 if var.arg("signed") else 0)
        return st.integers(low, hi if hi is not None else 10 ** 9)
    if conv == "float":
        unsigned = st.tuples(st.integers(0, 999), st.text("0123456789", min_size=1, max_size=6)).map(
            _decimal)
        return st.one_of(unsigned, unsigned.map(float.__neg__)) if var.arg("signed") else unsigned
    if conv == "uuid":
        return st.uuids()
    if conv == "any":
        return st.sampled_from(var.arg("items"))
    if conv == "path":
        return st.lists(texts(), min_size=1, max_size=3).map("/".join)
    length, lo, hi = var.arg("length"), var.arg("minlength", 1), var.arg("maxlength")
    if length is not None:
        return texts(length, length)
    return texts(lo, hi if hi is not None else max(lo, 8))


def _decimal(parts: tuple[int, str]) -> float:
    return float(f"{parts[0]}.{parts[1]}")


def url_text(var: Variable, value: object) -> str:
    """How a value is written in a URL path, before percent-encoding."""
    if var.converter == "int":
        fixed = var.arg("fixed_digits")
        return f"{value:0{fixed}d}" if fixed else str(value)
    if var.converter == "float":
        return repr(value) if "e" not in repr(value) else f"{value:f}"
    return str(value)


def encode(text: str, keep_slash: bool = False, everything: bool = False) -> str:
    if everything:  # over-encoding: '%61' is 'a' (RFC 3986 §2.1 equivalence)
        pieces = text.split("/") if keep_slash else [text]
        return "/".join("".join(f"%{b:02X}" for b in p.encode("utf-8")) for p in pieces)
    return quote(text, safe="/" if keep_slash else "")


def toggle_slash(path: str) -> str:
    """The same path with its trailing slash removed, or added (the root keeps its one slash)."""
    return path[:-1] if path.endswith("/") and path != "/" else path + "/"


def _path_of(rule: Rule, texts_by_name: dict[str, str], everything: bool = False,
             raw: dict[str, str] | None = None) -> str:
    parts = []
    for seg in rule.segments:
        if isinstance(seg, Static):
            parts.append(encode(seg.text, everything=everything))
        elif raw and seg.name in raw:
            parts.append(raw[seg.name])
        else:
            parts.append(encode(texts_by_name[seg.name], keep_slash=seg.converter == "path",
                                everything=everything))
    if not parts:
        return "/"
    return "/" + "/".join(parts) + ("/" if rule.trailing_slash else "")


@lru_cache(maxsize=4096)
def hit_values(rule: Rule) -> st.SearchStrategy[dict[str, object]]:
    return st.fixed_dictionaries({v.name: valid_value(v) for v in rule.variables})


@st.composite
def hits(draw: st.DrawFn, model: AppModel, rule: Rule | None = None) -> Request:
    rule = rule or draw(st.sampled_from(model.rules))
    values = draw(hit_values(rule))
    texts_by_name = {v.name: url_text(v, values[v.name]) for v in rule.variables}
    # Now and then over-encode ("%61" for "a"); shrinking moves toward the plain form (0).
    path = _path_of(rule, texts_by_name, everything=draw(st.integers(0, 9)) == 9)
    query = draw(st.sampled_from(["", "", "", "q=1", "a=%2F&b="]))
    return Request(path, draw(st.sampled_from(sorted(rule.methods))), query)


INVALID = {
    "int": ["-1", "1.5", "abc", "+5", " 5", "٣", "５", "007", "1e3", "0x1f"],
    "float": ["1", "-1.5", "1.", ".5", "abc", "1e3", "nan", "1.2.3", "٣.5"],
    "default": ["", "a/b", "a%2Fb"],
    "string": ["", "a", "abcdefgh"],
    "path": ["", "a//b", "a/"],
    "uuid": ["not-a-uuid", "12345678123456781234567812345678", "12345678-1234-5678-1234-56781234567g"],
    "any": ["zz", ""],
}


NEAR_MISS_KINDS = ("value", "slash", "method", "prefix", "case", "double", "value")


@st.composite
def near_misses(draw: st.DrawFn, model: AppModel, rule: Rule | None = None, kind: str | None = None,
                var: Variable | None = None) -> Request:
    rule = rule or draw(st.sampled_from(model.rules))
    values = draw(hit_values(rule))
    texts_by_name = {v.name: url_text(v, values[v.name]) for v in rule.variables}
    method = draw(st.sampled_from(sorted(rule.methods)))
    kind = kind or draw(st.sampled_from(NEAR_MISS_KINDS))
    if kind == "value" and rule.variables:
        var = var or draw(st.sampled_from(rule.variables))
        bad = draw(_invalid(var))
        # Invalid values are written in URL form: '/' and '%' stay as they are ('a%2Fb').
        return Request(_path_of(rule, texts_by_name, raw={var.name: quote(bad, safe="/%")}), method)
    path = _path_of(rule, texts_by_name)
    if kind == "slash":
        path = toggle_slash(path)
    elif kind == "method":
        others = [m for m in METHODS + ("OPTIONS", "HEAD") if m not in rule.methods]
        method = draw(st.sampled_from(others)) if others else method
    elif kind == "prefix":
        path = "/" + encode(draw(static_texts())) + path
    elif kind == "case":
        path = path.swapcase() if any(c.isalpha() for c in path if c.isascii()) else path + "x"
    elif kind == "double":
        cut = draw(st.integers(0, max(0, path.count("/") - 1)))
        pieces = path.split("/")
        path = "/".join(pieces[: cut + 1]) + "//" + "/".join(pieces[cut + 1:]) if len(pieces) > 1 else "//"
    return Request(path, method)


def requests(model: AppModel) -> st.SearchStrategy[Request]:
    return st.one_of(hits(model), near_misses(model))


@st.composite
def systematic_requests(draw: st.DrawFn, model: AppModel) -> list[Request]:
    """Each rule hit once, each variable given an invalid value, each rule's slash toggled and
    a method it does not take: every generated app is asked every kind of question. One draw of
    values per rule serves all of its requests (drawing is the dear part)."""
    out = []
    for rule in model.rules:
        values = draw(hit_values(rule))
        texts_by_name = {v.name: url_text(v, values[v.name]) for v in rule.variables}
        method = sorted(rule.methods)[0]
        path = _path_of(rule, texts_by_name)
        out.append(Request(path, method))
        for var in rule.variables:
            bad = draw(_invalid(var))
            out.append(Request(_path_of(rule, texts_by_name, raw={var.name: quote(bad, safe="/%")}), method))
        out.append(Request(toggle_slash(path), method))
        others = [m for m in METHODS if m not in rule.methods]
        if others:
            out.append(Request(path, draw(st.sampled_from(others))))
    return out


@lru_cache(maxsize=4096)
def _invalid(var: Variable) -> st.SearchStrategy[str]:
    """Text just outside what ``var`` accepts, in URL form ('/' and '%' as they are)."""
    options = list(INVALID[var.converter])
    if var.converter == "any":
        items = var.arg("items")
        options += [items[0] + "x", items[0].upper()]
    return st.sampled_from(options)


@st.composite
def scenarios(draw: st.DrawFn, capabilities: frozenset[str], max_rules: int = 5,
              max_requests: int = 8, request_kind=None,
              focus: str | None = None) -> tuple[AppModel, tuple[Request, ...]]:
    """A rule set and many requests against it: one app build, many questions.

    By default the systematic requests plus a few random hits and near misses; with
    ``request_kind`` (a function of the model giving a request strategy), only those.
    """
    model = draw(rule_sets(capabilities, max_rules=max_rules, focus=focus))
    if request_kind is None:
        reqs = draw(systematic_requests(model)) + draw(st.lists(requests(model), max_size=max_requests))
    else:
        reqs = draw(st.lists(request_kind(model), min_size=1, max_size=max_requests))
    return model, tuple(reqs)


# --- large apps (issue 9) ----------------------------------------------------------------------
def replicate(base: AppModel, n: int) -> AppModel:
    """``n`` rules: ``base``'s rules again and again, copy ``g`` under a static prefix ``/g<g>``.

    The prefix keeps every copy a distinct shape, so a framework's router really holds ``n``
    rules; one small draw makes a large app (drawing ``n`` rules one by one would cost ``n``
    times as much and exceed Hypothesis' choice budget).
    """
    out: list[Rule] = []
    for i in range(n):
        rule = base.rules[i % len(base.rules)]
        out.append(replace(rule, segments=(Static(f"g{i // len(base.rules)}"),) + rule.segments,
                           endpoint=f"e{i}", function=""))
    return AppModel(tuple(out))


@st.composite
def large_scenarios(draw: st.DrawFn, capabilities: frozenset[str], max_rules: int = 1000,
                    asked: int = 8) -> tuple[AppModel, tuple[Request, ...]]:
    """A rule set of up to ``max_rules`` rules and systematic requests to ``asked`` of its rules
    (hits, invalid values, slashes, methods), plus random hits and near misses."""
    base = draw(rule_sets(capabilities, max_rules=4))
    n = draw(st.sampled_from(sorted({1, 10, 100, max_rules} & set(range(1, max_rules + 1)))))
    model = replicate(base, n)
    picked = draw(st.lists(st.sampled_from(model.rules), min_size=1, max_size=asked, unique=True))
    reqs = draw(systematic_requests(AppModel(tuple(picked))))
    reqs += draw(st.lists(requests(AppModel(tuple(picked))), max_size=asked))
    return model, tuple(reqs)
