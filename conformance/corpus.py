"""The observation corpus: a fixed set of rule sets and requests, whatever the framework answers.

The property cases search and shrink, so what they draw depends on the answers they get: two
versions of one framework would be asked different questions. The upgrade diff needs the same
questions on both sides, so this module draws its scenarios once, up front, from a seeded
Hypothesis run that never fails (generate phase only, no database), and only then asks them.
A seed, a profile and the adapter's capabilities fully determine the corpus; its ``fingerprint``
(a hash of every case id) lets ``wsgi-conformance diff`` refuse to compare two different corpora.

The scenarios lean towards what routers get wrong and rewrite (issue 8): repeated and trailing
slashes, converters next to each other, a ``path`` next to static parts, one path with different
methods on different rules, values that only partly match a converter.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from conformance import strategies as gen
from conformance.profiles import stable_draws
from conformance.model import AppModel, Request, Rule, Static, Variable

SCHEMA = "wsgi-conformance-observations/1"
DEFAULT_SEED = 0
# Scenarios (one rule set, many requests) per profile: ci stays well under a minute and a few MB.
SIZES = {"ci": 300, "dev": 600, "thorough": 2000}
MAX_RULES = 3  # small rule sets: a changed case is close to minimal as generated

KINDS = ("generic", "adjacent", "path-static", "methods", "slashes", "partial")

# Texts that partly match a converter: a valid value with something before, after or inside it.
PARTIAL: dict[str, list[str]] = {
    "int": ["12abc", "abc12", "1_000", "12.", "1-2", "12 ", "٣4", "12%2F3"],
    "float": ["1.5abc", "x1.5", "1.5.", "1._5", "1.5e3", "1,5", "inf", "1.5%2F2"],
    # invalid UTF-8 ('caf%E9' is Latin-1, '%C3%28' a cut sequence): valid text around bad bytes
    "default": ["a%2F", "a b", "a.b", "a;b", "%00", "a%25b", "caf%E9", "%C3%28"],
    "string": ["abcdefghijk", "a%2Fb", "a b", "ab%FF"],
    "path": ["a/", "a//b", "a/./b", "a/../b", "%2Fa", "a%2Fb", "a/caf%E9"],
    "uuid": ["12345678-1234-5678-1234-56781234567", "12345678-1234-5678-1234-5678123456789",
             "{12345678-1234-5678-1234-567812345678}", "12345678-1234-5678-1234-567812345678x"],
    "any": [],  # built from the items (see _partial)
}


# --- scenarios -------------------------------------------------------------------------------
def _variable(draw: st.DrawFn, capabilities: frozenset[str], name: str, path_ok: bool = True) -> Variable:
    conv, args = draw(gen.converters(capabilities))
    if conv == "path" and not path_ok:
        conv, args = "default", ()
    return Variable(name, conv, args)


def _rule(segments: list, endpoint: str, draw: st.DrawFn, methods: frozenset[str] | None = None,
          trailing: bool | None = None) -> Rule:
    return Rule(tuple(segments), endpoint,
                trailing_slash=bool(segments) and (draw(st.booleans()) if trailing is None else trailing),
                methods=methods or frozenset({"GET"}),
                registration=draw(st.sampled_from(["decorator", "imperative"])))


@st.composite
def _adjacent(draw: st.DrawFn, capabilities: frozenset[str]) -> AppModel:
    """Converters next to each other: ``/<int:a>/<b>``, ``/s/<float:a>/<path:b>``."""
    names = iter(draw(st.lists(gen.variable_names(), min_size=3, max_size=3, unique=True)))
    segs: list = [Static(draw(gen.static_texts()))] if draw(st.booleans()) else []
    n = draw(st.integers(2, 3))
    for i in range(n):
        segs.append(_variable(draw, capabilities, next(names), path_ok=i == n - 1))
    if draw(st.booleans()):
        segs.append(Static(draw(gen.static_texts())))
    rules = [_rule(segs, "e0", draw)]
    if draw(st.booleans()):  # the same prefix with one converter fewer
        rules.append(_rule(segs[:-1], "e1", draw))
    return AppModel(tuple(rules))


@st.composite
def _path_static(draw: st.DrawFn, capabilities: frozenset[str]) -> AppModel:
    """A ``path`` next to static parts, and a rule that shares its static prefix."""
    a, b = draw(gen.static_texts()), draw(gen.static_texts())
    p = Variable("p", "path")
    shape = draw(st.sampled_from(["s/p", "p/s", "s/p/s", "p/v", "s/p/v"]))
    segs = {"s/p": [Static(a), p], "p/s": [p, Static(b)], "s/p/s": [Static(a), p, Static(b)],
            "p/v": [p, _variable(draw, capabilities, "v", path_ok=False)],
            "s/p/v": [Static(a), p, _variable(draw, capabilities, "v", path_ok=False)]}[shape]
    rules = [_rule(segs, "e0", draw)]
    other = draw(st.sampled_from(["none", "static", "variable", "deeper"]))
    if other == "static":
        rules.append(_rule([Static(a), Static(b)], "e1", draw))
    elif other == "variable":
        rules.append(_rule([Static(a), _variable(draw, capabilities, "x", path_ok=False)], "e1", draw))
    elif other == "deeper":
        rules.append(_rule([Static(a)], "e1", draw))
    if draw(st.booleans()):
        rules.reverse()
    return AppModel(tuple(rules))


@st.composite
def _methods(draw: st.DrawFn, capabilities: frozenset[str]) -> AppModel:
    """One path, different methods on different rules (and endpoints)."""
    base = draw(gen.rules(capabilities, "e0", max_segments=3))
    methods = list(gen.METHODS)
    first = frozenset(draw(st.lists(st.sampled_from(methods), min_size=1, max_size=2, unique=True)))
    rest = [m for m in methods if m not in first]
    second = frozenset(draw(st.lists(st.sampled_from(rest), min_size=1, max_size=2, unique=True)))
    r0 = replace(base, methods=first)
    r1 = replace(base, endpoint="e1", methods=second, function="",
                 trailing_slash=base.trailing_slash if draw(st.booleans()) else
                 bool(base.segments) and not base.trailing_slash)
    return AppModel((r0, r1))


@st.composite
def _slashes(draw: st.DrawFn, capabilities: frozenset[str]) -> AppModel:
    """Trailing slashes on some rules and not others, and rules written with ``//``."""
    a = Static(draw(gen.static_texts()))
    tail = draw(st.sampled_from(["static", "variable"]))
    second = Static(draw(gen.static_texts())) if tail == "static" else \
        _variable(draw, capabilities, "x", path_ok=True)
    shape = draw(st.sampled_from(["dir-and-leaf", "empty-part", "both-slashes"]))
    if shape == "dir-and-leaf":  # /a/ and /a/<x>
        rules = [_rule([a], "e0", draw, trailing=True), _rule([a, second], "e1", draw)]
    elif shape == "empty-part":  # /a//<x>: a rule written with a repeated slash
        rules = [_rule([a, Static(""), second], "e0", draw)]
        if draw(st.booleans()):
            rules.append(_rule([a, second], "e1", draw))
    else:  # /a/<x> and /a/<x>/ as two rules
        rules = [_rule([a, second], "e0", draw, trailing=False),
                 _rule([a, second], "e1", draw, trailing=True)]
    return AppModel(tuple(rules))


def _models(kind: str, capabilities: frozenset[str]) -> st.SearchStrategy[AppModel]:
    if kind in ("generic", "partial"):
        return gen.rule_sets(capabilities, max_rules=MAX_RULES)
    return {"adjacent": _adjacent, "path-static": _path_static, "methods": _methods,
            "slashes": _slashes}[kind](capabilities)


def _partial(var: Variable) -> list[str]:
    if var.converter == "any":
        items = var.arg("items", ("a",))
        return [items[0] + items[-1], items[0][:-1] or "x", items[0] + "/"]
    return PARTIAL[var.converter]


@st.composite
def _extra_requests(draw: st.DrawFn, model: AppModel, kind: str) -> list[Request]:
    """Beyond the systematic requests: partial values, repeated slashes, every method."""
    out: list[Request] = []
    for rule in model.rules:
        values = draw(gen.hit_values(rule))
        texts = {v.name: gen.url_text(v, values[v.name]) for v in rule.variables}
        method = sorted(rule.methods)[0]
        for var in rule.variables:
            bad = draw(st.sampled_from(_partial(var)))
            out.append(Request(gen._path_of(rule, texts, raw={var.name: quote(bad, safe="/%")}), method))
        path = gen._path_of(rule, texts)
        if kind in ("slashes", "path-static", "adjacent") or draw(st.booleans()):
            cut = draw(st.integers(0, max(0, path.count("/") - 1)))
            pieces = path.split("/")
            out.append(Request("/".join(pieces[: cut + 1]) + "/" + "/".join(pieces[cut:]), method))
            out.append(Request(path.rstrip("/") + "//", method))
        if kind == "methods":
            out += [Request(path, m) for m in gen.METHODS + ("HEAD", "OPTIONS") if m != method]
    return out


@st.composite
def scenarios(draw: st.DrawFn, capabilities: frozenset[str]) -> tuple[str, AppModel, tuple[Request, ...]]:
    kind = draw(st.sampled_from(KINDS))
    model = draw(_models(kind, capabilities))
    requests = draw(gen.systematic_requests(model)) + draw(_extra_requests(model, kind))
    requests += draw(st.lists(gen.near_misses(model), max_size=2))
    return kind, model, tuple(dict.fromkeys(requests))


CHUNK = 5  # scenarios per seeded Hypothesis run (see draw_scenarios)


def draw_scenarios(capabilities: frozenset[str], count: int, seed_value: int = DEFAULT_SEED
                   ) -> list[tuple[str, AppModel, tuple[Request, ...]]]:
    """``count`` distinct scenarios, the same ones on every run with the same arguments.

    Seeded Hypothesis runs whose body only collects: they never fail, so nothing is shrunk and
    nothing a framework answers can change what is drawn. Each run is short (its first example,
    Hypothesis' simplest, is dropped): a long run mutates its earlier examples, and half of 300
    scenarios drawn in one run repeat a rule set; short runs with their own seeds do not.
    """
    out: dict[tuple, tuple] = {}
    for chunk in range(4 * count // CHUNK + 1):  # bounded: duplicates are rare
        if len(out) >= count:
            break
        for scenario in _draw(capabilities, CHUNK + 1, seed_value * 100_003 + chunk)[1:]:
            out.setdefault((scenario[1], scenario[2]), scenario)
    return list(out.values())[:count]


def _draw(capabilities: frozenset[str], examples: int, seed_value: int) -> list[tuple]:
    drawn: list = []

    @seed(seed_value)
    @settings(max_examples=examples, derandomize=False, database=None, phases=[Phase.generate],
              deadline=None, suppress_health_check=list(HealthCheck), print_blob=False)
    @given(scenarios(frozenset(capabilities)))
    def collect(scenario: tuple) -> None:
        drawn.append(scenario)

    with stable_draws():
        collect()
    return drawn


# --- ids -------------------------------------------------------------------------------------
def model_text(model: AppModel) -> str:
    """The rule set in the spec's notation (methods sorted: no hash order leaks in)."""
    lines = [model.describe()]
    extra = [f"{r.endpoint}: view {r.function}" for r in model.rules if r.function] + [
        f"{r.endpoint}: {r.handler!r}" for r in model.rules if r.handler.kind != "echo"]
    return "\n".join(lines + extra)


def case_id(model: AppModel, request: Request) -> str:
    text = model_text(model) + "\n" + str(request) + "\n" + repr(request.headers)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def fingerprint(ids: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()[:16]


def generator_hash() -> str:
    """Of the code that draws the corpus: tells 'another suite version' apart from 'another seed'."""
    here = Path(__file__).parent
    text = "".join((here / f).read_text(encoding="utf-8") for f in ("corpus.py", "strategies.py"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def metadata(profile: str, seed_value: int, count: int, capabilities: frozenset[str]) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "profile": profile,
        "seed": seed_value,
        "scenarios": count,
        "capabilities": sorted(capabilities),
        "generator": generator_hash(),
        "hypothesis": importlib.metadata.version("hypothesis"),
    }


# --- normalising answers ---------------------------------------------------------------------
_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


def mask(text: str) -> str:
    """Object addresses differ from run to run: ``<X at 0x7f…>`` reads ``<X at 0x…>``."""
    return _ADDRESS.sub("0x…", text)


def answer(obs: Any) -> dict[str, Any]:
    """The parts of an Observation that say what the framework decided, free of run-to-run noise
    (no Date header, no traceback paths or object addresses, no error-page prose)."""
    out: dict[str, Any] = {"status": obs.status}
    if obs.timed_out:
        out["timed_out"] = True
    elif obs.error:
        out["error"] = mask(obs.error.strip().splitlines()[-1])[:200]
    if obs.violations:
        out["violations"] = sorted({v.requirement for v in obs.violations})
    if obs.status is None:
        return out
    if obs.endpoint is not None:
        out["endpoint"] = obs.endpoint
        out["args"] = obs.args
    if obs.location is not None:
        out["location"] = obs.location
    if obs.allow is not None:
        out["allow"] = sorted(obs.allow)
    if obs.endpoint is None and 200 <= obs.status < 300 and obs.request.method != "HEAD" and obs.body:
        # A view that renders (format, template): what it rendered is the answer.
        out["body"] = mask(obs.body[:300].decode("utf-8", "replace"))
    return out


def describe(ans: dict[str, Any]) -> str:
    """One line, as reports show it: ``200 e0(x=int 5)``, ``308 → /a/``, ``405 Allow: GET``."""
    if ans.get("timed_out"):
        return "timed out"
    if ans.get("status") is None:
        return "no valid response" + (f": {ans['error']}" if ans.get("error") else "")
    parts = [str(ans["status"])]
    if "endpoint" in ans:
        args = ", ".join(f"{k}={t} {r}" for k, (t, r) in (ans.get("args") or {}).items())
        parts.append(f"{ans['endpoint']}({args})")
    if "location" in ans:
        parts.append(f"→ {ans['location']}")
    if "allow" in ans:
        parts.append(f"Allow: {', '.join(ans['allow']) or '(none)'}")
    if "body" in ans:
        parts.append(json.dumps(ans["body"][:80], ensure_ascii=False))
    if ans.get("error"):
        parts.append(f"raised {ans['error']}")
    if ans.get("violations"):
        parts.append(f"PEP 3333: {', '.join(ans['violations'])}")
    return " ".join(parts)
