"""The oracle: what SPEC.md predicts for a rule set and a request, without any framework.

A second, plain reading of SPEC.md section 0 — segment by segment, no regular expressions for
rules — kept independent of the reference implementation's router so that the two can disagree
when one of them is wrong. It also names the requirement that decides each answer, so a failure
points at the sentence it breaks.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from conformance.handlers import typed
from conformance.model import AppModel, Request, Rule, Segment, Static, Variable
from conformance.verdict import (OK, REDIRECT_CODES, UNEXPECTED_CLIENT_ERROR, UNEXPECTED_NOT_ALLOWED,
                                 UNEXPECTED_NOT_FOUND, UNEXPECTED_REDIRECT, Expectation, expect,
                                 found, method_not_allowed, not_found)

EMPTY = Static("")
NOT_5XX = frozenset(range(200, 500))
SUCCESS = frozenset(range(200, 300))
TYPED = ("int", "float", "uuid", "any")
HEX = frozenset("0123456789abcdefABCDEF")


# --- converters ------------------------------------------------------------------------------
# Accept, Reject and Match are made for every part of every request tried: plain slotted classes
# cost a third of frozen ones to make (issue 9); nothing outside the oracle holds them.
@dataclass(slots=True)
class Accept:
    value: Any
    impl: str | None = None  # an IMPL requirement the match depends on (leading zeros)


@dataclass(slots=True)
class Reject:
    requirement: str  # the requirement that says this text is not a value of the converter
    depth: int = 0  # parts matched before the rejection: the deepest reject explains a 404


def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def convert(var: Variable, text: str) -> Accept | Reject:
    conv = var.converter
    if conv in ("default", "string"):
        return _convert_string(var, text)
    if conv == "int":
        return _convert_int(var, text)
    if conv == "float":
        return _convert_float(var, text)
    if conv == "uuid":
        parts = text.split("-")
        ok = [len(p) for p in parts] == [8, 4, 4, 4, 12] and HEX.issuperset("".join(parts))
        return Accept(uuid.UUID(text)) if ok else Reject("CONV-UUID-001")
    if conv == "any":
        return Accept(text) if text in var.arg("items", ()) else Reject("CONV-ANY-001")
    raise ValueError(f"the oracle matches {conv!r} segment-wise elsewhere")


def _convert_string(var: Variable, text: str) -> Accept | Reject:
    req = "CONV-STRING-001" if var.converter == "string" else "VAR-003"
    if text == "":
        return Reject(req)
    length, lo, hi = var.arg("length"), var.arg("minlength", 1), var.arg("maxlength")
    if length is not None and len(text) != length:
        return Reject("CONV-STRING-001")
    if len(text) < lo or (hi is not None and len(text) > hi):
        return Reject("CONV-STRING-001")
    return Accept(text)


def _convert_int(var: Variable, text: str) -> Accept | Reject:
    args = "CONV-INT-006" if var.args else None
    signed = var.arg("signed", False)
    digits = text[1:] if signed and text.startswith("-") else text
    if not _ascii_digits(digits):
        if text.startswith("-") and _ascii_digits(text[1:]):
            return Reject("CONV-INT-003")
        if digits.lstrip("-").isdigit():
            return Reject("CONV-INT-005")  # Unicode digits
        return Reject(args or "CONV-INT-002")
    fixed = var.arg("fixed_digits")
    if fixed is not None and len(digits) != fixed:
        return Reject("CONV-INT-006")
    value = int(text)
    lo, hi = var.arg("min"), var.arg("max")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        return Reject("CONV-INT-006")
    leading_zero = fixed is None and len(digits) > 1 and digits[0] == "0"
    return Accept(value, "CONV-INT-004" if leading_zero else None)


def _convert_float(var: Variable, text: str) -> Accept | Reject:
    signed = var.arg("signed", False)
    body = text[1:] if signed and text.startswith("-") else text
    whole, dot, frac = body.partition(".")
    if not (dot and _ascii_digits(whole) and _ascii_digits(frac)):
        if text.startswith("-") and not signed:
            rest = text[1:]
            w, d, f = rest.partition(".")
            if d and _ascii_digits(w) and _ascii_digits(f):
                return Reject("CONV-FLOAT-004")
        if _ascii_digits(body.lstrip("-")):
            return Reject("CONV-FLOAT-003")  # an integer: no decimal point
        w, d, f = body.lstrip("-").partition(".")
        if d and (w + f).isdigit() and not (w + f).isascii():
            return Reject("CONV-FLOAT-006")  # Unicode digits
        return Reject("CONV-FLOAT-005" if var.args else "CONV-FLOAT-002")
    value = float(text)
    lo, hi = var.arg("min"), var.arg("max")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        return Reject("CONV-FLOAT-005")
    return Accept(value)


# --- matching ---------------------------------------------------------------------------------
def rule_parts(rule: Rule) -> list[Segment]:
    """The rule as parts to match against ``path.split('/')``: a trailing ``/`` is an empty part."""
    parts = list(rule.segments)
    if rule.trailing_slash or not parts:
        parts.append(EMPTY)
    return parts


@dataclass(slots=True)
class Match:
    rule: Rule
    values: dict[str, Any]
    impl: str | None = None


class Shape:
    """A rule's parts, and what the oracle asks of them on every request, worked out once per
    rule (issue 9: the oracle tries the rules on every request, and derived these on each try)."""

    __slots__ = ("rule", "parts", "path_at", "first", "first_lower", "size", "methods", "_hit")

    def __init__(self, rule: Rule):
        parts = rule_parts(rule)
        paths = [i for i, p in enumerate(parts) if isinstance(p, Variable) and p.converter == "path"]
        if len(paths) > 1:
            raise ValueError("the model allows at most one path variable per rule")
        self.rule = rule
        self.parts = parts
        self.size = len(parts)
        self.path_at = paths[0] if paths else None
        self.methods = rule.methods
        # A first static part (not the trailing slash's empty one) rules most paths out at once.
        first = parts[0]
        self.first = first.text if isinstance(first, Static) and first.text else None
        self.first_lower = self.first.lower() if self.first is not None else None
        self._hit: tuple[str | None, bool] | None = None  # see hit_facts

    def hit_facts(self) -> tuple[str | None, bool]:
        """The converter requirement a hit demonstrates, and whether a static part is not ASCII:
        worked out on the first hit (most shapes are tried, few are hit)."""
        if self._hit is None:
            rule = self.rule
            self._hit = (_converter_requirement(rule), any(
                not s.text.isascii() for s in rule.segments if isinstance(s, Static)))
        return self._hit


def match(rule: Rule, segments: list[str], shape: Shape | None = None) -> Match | Reject | None:
    """A Match, a Reject naming why the one plausible alignment failed, or None (unrelated)."""
    if shape is None:
        shape = Shape(rule)
    first = shape.first
    if first is not None and segments[0] != first and segments[0].lower() != shape.first_lower:
        return None  # the first part differs, and not only in case (that is ROUTE-005's Reject)
    return _align(shape, segments)


def _align(shape: Shape, segments: list[str]) -> Match | Reject | None:
    """``match`` past the first part's quick test."""
    parts = shape.parts
    if shape.path_at is not None:
        i = shape.path_at
        take = len(segments) - (len(parts) - 1)
        if take < 1:
            return None
        texts = segments[:i] + ["/".join(segments[i:i + take])] + segments[i + take:]
    else:
        if len(parts) != len(segments):
            return None
        texts = segments
    values: dict[str, Any] = {}
    impl = None
    depth = 0
    for part in parts:
        text = texts[depth]
        if part.__class__ is Static:
            if part.text != text:
                same = part.text.lower() == text.lower() and part.text
                return Reject("ROUTE-005", depth) if same else None
        elif part.converter == "path":
            if text == "":
                return Reject("CONV-PATH-002", depth)
            if "" in text.split("/"):
                impl = impl or "CONV-PATH-004"
            values[part.name] = text
        else:
            result = convert(part, text)
            if result.__class__ is Reject:
                return Reject(result.requirement, depth)
            values[part.name] = result.value
            impl = impl or result.impl
        depth += 1
    return Match(shape.rule, values, impl)


def _allows(rule: Rule, method: str) -> bool:
    return method in rule.methods or (method == "HEAD" and "GET" in rule.methods)


def _kind(part: Segment) -> str:
    if isinstance(part, Static):
        return "static"
    if part.converter in TYPED:
        return "typed"
    return part.converter  # default, string, path


def decide(a: Rule, b: Rule) -> tuple[Rule, str] | None:
    """Which of two matching rules SPEC.md says wins (ROUTE-006, ROUTE-009), or None."""
    for x, y in zip(rule_parts(a), rule_parts(b)):
        if x == EMPTY or y == EMPTY:
            return None  # a trailing slash is structure, not a static part to weigh
        if x == y:
            if _kind(x) == "path":
                return None  # past a path variable, positions no longer line up: IMPL
            continue
        kx, ky = _kind(x), _kind(y)
        if kx == "static" and ky != "static":
            return a, "ROUTE-006"
        if ky == "static" and kx != "static":
            return b, "ROUTE-006"
        if kx == "typed" and ky == "default":
            return a, "ROUTE-009"
        if ky == "typed" and kx == "default":
            return b, "ROUTE-009"
        return None
    return None


def _converter_requirement(rule: Rule) -> str | None:
    """The converter requirement a hit of ``rule`` demonstrates, if a converter decides it."""
    for var in rule.variables:
        conv = var.converter
        if conv == "int":
            return "CONV-INT-006" if var.args else "CONV-INT-001"
        if conv == "float":
            return "CONV-FLOAT-005" if var.args else "CONV-FLOAT-001"
        if conv == "uuid":
            return "CONV-UUID-001"
        if conv == "any":
            return "CONV-ANY-001"
        if conv == "string":
            return "CONV-STRING-001"
        if conv == "path":
            return "CONV-PATH-003" if rule.segments[-1] != var else "CONV-PATH-001"
    return None


def hit_requirement(rule: Rule, values: dict[str, Any], raw_segments: list[str],
                    shape: Shape | None = None) -> str:
    """The requirement a correct answer to this hit demonstrates (for naming failures)."""
    converter, unicode_static = (shape or Shape(rule)).hit_facts()
    if converter is not None:
        return converter
    if values:
        if any(not str(v).isascii() for v in values.values()):
            return "UNI-001"
        if any("%" in s for s in raw_segments):
            return "VAR-005"
        return "VAR-004" if len(values) > 1 else "VAR-001"
    if unicode_static:
        return "UNI-002"
    return "ROUTE-004" if not rule.segments else "ROUTE-001"


# --- prediction -------------------------------------------------------------------------------
def predict(model: AppModel, request: Request) -> Expectation:
    """SPEC.md's answer to ``request`` for ``model`` (HEAD: the status only; see compare_head)."""
    return predictor(model)(request)


_PREDICTORS: dict[int, "Predictor"] = {}
MAX_PREDICTORS = 64


def predictor(model: AppModel) -> "Predictor":
    """The model's Predictor, kept for the last ``MAX_PREDICTORS`` models asked. Keyed by identity:
    hashing a model walks all its rules and their segments, on every request."""
    found_ = _PREDICTORS.get(id(model))
    if found_ is None or found_.model is not model:
        found_ = _PREDICTORS[id(model)] = Predictor(model)  # it holds the model: the id stays its
        if len(_PREDICTORS) > MAX_PREDICTORS:
            del _PREDICTORS[next(iter(_PREDICTORS))]
    return found_


def forget() -> None:
    """Drop every kept Predictor (the benchmark: each round as new examples meet it)."""
    _PREDICTORS.clear()


class Predictor:
    """``predict`` for one model, its rules' shapes worked out once (issue 9: a case asks one
    rule set many requests). A rule is tried on a path only if its shape can fit it at all (its
    length, its first static part): ``match`` answers None for the others."""

    MAX_PATHS = 256  # paths whose matching is kept per model

    def __init__(self, model: AppModel):
        self.model = model
        self.shapes = [Shape(rule) for rule in model.rules]
        self.slashed = [shape for shape in self.shapes if shape.rule.trailing_slash]
        self._shape_of = {id(shape.rule): shape for shape in self.shapes}
        self._paths: dict[str, str | tuple] = {}

    def __call__(self, request: Request) -> Expectation:
        raw = request.path
        matched = self._paths.get(raw)
        if matched is None:  # a path asked again (another method, say) is matched once
            if len(self._paths) >= self.MAX_PATHS:
                self._paths.clear()
            matched = self._paths[raw] = self._match(request)
        if matched.__class__ is str:
            if matched == "UNI-003":
                return expect("UNI-003", NOT_5XX, note="invalid UTF-8 in the path")
            return expect("ROUTE-008", None)  # repeated slashes: implementation-defined
        segments, tried, matches, slashed = matched
        redirect = _redirect_expectation(slashed, segments, request) if slashed else None
        if matches:
            if redirect is not None:
                return expect("CANON-006", None)
            expectation = self._dispatch(matches, request, raw)
        elif redirect is not None:
            expectation = redirect
        else:
            expectation = not_found(_why_not_found(self.shapes, segments, [
                (shape.rule, result) for shape, result in tried]))
        allow_blame = tuple(
            (method, result.requirement) for shape, result in tried if result.__class__ is Reject
            for method in sorted(shape.methods - (expectation.allow or frozenset()))
        ) if expectation.allow is not None else ()
        return _with_blame(expectation, LazyBlame(self, segments, tried, expectation,
                                                  request.method), allow_blame)

    def _match(self, request: Request) -> str | tuple:
        """What the method does not change: the path's segments, each fitting rule's ``match``,
        the matches, and the matches of the rules with a trailing slash to the path plus a slash
        (None: no such question); or the requirement that decides the path on its own."""
        raw = request.path
        try:
            # Nothing to decode in most paths: the same text as unquote_to_bytes gives, sooner.
            path = raw if raw.isascii() and "%" not in raw else request.path_bytes.decode("utf-8")
        except UnicodeDecodeError:
            return "UNI-003"
        segments = path[1:].split("/") if path.startswith("/") else path.split("/")
        if "" in segments[:-1]:
            return "ROUTE-008"
        n, first = len(segments), segments[0].lower()
        tried = [(shape, _align(shape, segments)) for shape in self.shapes
                 if (shape.first_lower is None or shape.first_lower == first)
                 and (shape.size == n if shape.path_at is None else n >= shape.size)]
        matches = [m for _, m in tried if m.__class__ is Match]
        slashed = None
        if self.slashed and segments[-1] != "":  # SPEC's canonical redirect (CANON-001)?
            with_slash = segments + [""]
            n += 1
            slashed = [m for s in self.slashed if (s.first_lower is None or s.first_lower == first)
                       and (s.size == n if s.path_at is None else n >= s.size)
                       and (m := _align(s, with_slash)).__class__ is Match]
        return segments, tried, matches, slashed

    def results(self, tried: list[tuple[Shape, Any]]) -> list[tuple[Rule, Any]]:
        """Every rule with what ``match`` gives for the path (None for the rules not tried)."""
        by_shape = {id(shape): result for shape, result in tried}
        return [(shape.rule, by_shape.get(id(shape))) for shape in self.shapes]

    def _dispatch(self, matches: list[Match], request: Request, raw: str) -> Expectation:
        impl = matches[0].impl if len(matches) == 1 else next((m.impl for m in matches if m.impl), None)
        if impl:
            return expect(impl, None)
        method = request.method
        allowed = [m for m in matches if _allows(m.rule, method)]
        if not allowed:
            methods = frozenset().union(*(m.rule.methods for m in matches))
            if method == "OPTIONS":
                return expect("METH-005", SUCCESS, allow=methods, allow_requirement="METH-005")
            return method_not_allowed("METH-002", methods)
        winner, req = allowed[0], None
        if len(allowed) > 1:
            for candidate in allowed:
                verdicts = [decide(candidate.rule, other.rule) for other in allowed if other is not candidate]
                if all(v is not None and v[0] is candidate.rule for v in verdicts):
                    winner, req = candidate, verdicts[0][1]  # type: ignore[index]
                    break
            else:
                return expect("ROUTE-010", None)
        if method == "HEAD":
            return expect("METH-004", OK)
        rule = winner.rule
        args = {k: typed(v) for k, v in winner.values.items()}
        if req is None:
            req = hit_requirement(rule, winner.values, raw[1:].split("/"), self._shape_of[id(rule)])
        return found(req, rule.endpoint, args)


def _with_blame(expectation: Expectation, blame: Any, allow_blame: tuple) -> Expectation:
    """``replace(expectation, blame=..., allow_blame=...)`` for the fresh Expectation the
    prediction just made (no one else holds it), without ``replace`` building a new one field by
    field: about a tenth of a prediction in a profile."""
    object.__setattr__(expectation, "blame", blame)
    object.__setattr__(expectation, "allow_blame", allow_blame)
    return expectation


class LazyBlame:
    """``_blame``'s pairs, worked out on first use: only a mismatch reads them, and blaming every
    other rule costs about as much as the prediction itself (issue 9: requests per second)."""

    __slots__ = ("_args", "_pairs")

    def __init__(self, *args: Any):
        self._args: tuple | None = args
        self._pairs: tuple[tuple[str, str], ...] = ()

    def __iter__(self):
        if self._args is not None:
            predictor, segments, tried, expectation, method = self._args
            self._pairs = _blame(predictor.model, segments, predictor.results(tried), expectation,
                                 method)
            self._args = None
        return iter(self._pairs)

    def __eq__(self, other: object) -> bool:
        return tuple(self) == tuple(other)  # type: ignore[arg-type]

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


def _blame(model: AppModel, segments: list[str], results: list, expectation: Expectation,
           method: str) -> tuple[tuple[str, str], ...]:
    """For each view the framework should not have answered with, the requirement that says so;
    likewise for an unexpected redirect and an unexpected 404."""
    blame = []
    if not (expectation.status or frozenset()) & REDIRECT_CODES:
        blame.append((UNEXPECTED_REDIRECT, "CANON-007"))
    if expectation.status and 404 not in expectation.status:
        # A typed rule with arguments that rejects the value must let the path fall through to
        # the rules that match it; a 404 then is that converter's fault, not theirs.
        args_rejects = [req for rule, r in results if isinstance(r, Reject)
                        for req in [_args_requirement(rule, r)] if req]
        if args_rejects:
            blame.append((UNEXPECTED_NOT_FOUND, args_rejects[0]))
    converter_rejects = [r.requirement for _, r in results
                         if isinstance(r, Reject) and r.requirement.startswith("CONV-")]
    if converter_rejects:
        # A converter that errors on a value it should reject (Bottle's float answers '1.2.3'
        # with 400) stops the request before the rule that should answer it: that converter's.
        blame.append((UNEXPECTED_CLIENT_ERROR, converter_rejects[0]))
    if expectation.endpoint is not None and 405 not in (expectation.status or ()) and any(
            isinstance(r, Match) and not _allows(rule, method) for rule, r in results):
        # A 405 from a rule whose path matches but whose methods do not (Django resolves the path
        # first and lets that view refuse): the rule that takes the method was not dispatched to.
        blame.append((UNEXPECTED_NOT_ALLOWED, "METH-006"))
    for rule, result in results:
        if rule.endpoint == expectation.endpoint:
            continue
        if isinstance(result, Reject):
            reason = result.requirement
        elif isinstance(result, Match):
            if not _allows(rule, method):
                reason = "METH-006"  # the path matched, but this view does not take the method
            elif expectation.endpoint is not None:
                decided = decide(model.rule_for(expectation.endpoint), rule)
                reason = decided[1] if decided else "ROUTE-010"
            else:
                continue
        else:
            reason = _structural_reason(rule, segments)
        blame.append((rule.endpoint, reason))
    return tuple(blame)


_ARGS = {"CONV-INT-006": "CONV-INT-006", "CONV-FLOAT-005": "CONV-FLOAT-005",
         "CONV-STRING-001": "CONV-STRING-001"}
# Unicode digits: a framework that (non-strictly) lets its converter take them then checks the
# converter's arguments, and a 404 from that check is the arguments' missing fall-through.
_UNICODE_DIGITS = {"CONV-INT-005": ("int", "CONV-INT-006"), "CONV-FLOAT-006": ("float", "CONV-FLOAT-005")}


def _args_requirement(rule: Rule, reject: Reject) -> str | None:
    """The arguments requirement a rejecting rule answers for when it swallows the path (404)."""
    if reject.requirement in _ARGS:
        return _ARGS[reject.requirement]
    converter, req = _UNICODE_DIGITS.get(reject.requirement, (None, None))
    if converter and any(v.converter == converter and v.args for v in rule.variables):
        return req
    return None


def _structural_reason(rule: Rule, segments: list[str], shape: Shape | None = None) -> str:
    """Why a rule whose shape does not fit the path must not answer it."""
    if _canon_004(rule, segments, shape):
        return "CANON-004"
    if _canon_001(rule, segments, shape):
        return "CANON-001"  # served without its slash instead of redirected
    if _var_002(rule, segments):
        return "VAR-002"
    return "ROUTE-003"  # the path is another rule's, or no rule's


def _canon_004(rule: Rule, segments: list[str], shape: Shape | None) -> bool:
    """The path is the rule's with a trailing slash the rule does not have."""
    return segments[-1] == "" and len(segments) > 1 and not rule.trailing_slash \
        and bool(rule.segments) and isinstance(match(rule, segments[:-1], shape), Match)


def _canon_001(rule: Rule, segments: list[str], shape: Shape | None) -> bool:
    """The path is the rule's without its trailing slash."""
    return rule.trailing_slash and segments[-1] != "" \
        and isinstance(match(rule, segments + [""], shape), Match)


def _var_002(rule: Rule, segments: list[str]) -> bool:
    """The path is the rule's if a default variable took a '/' (which it must not)."""
    if any(v.converter == "path" for v in rule.variables):
        return False
    for var in rule.variables:
        if var.converter in ("default", "string") and len(segments) > len(rule_parts(rule)):
            as_path = Rule(tuple(Variable(s.name, "path") if s == var else s for s in rule.segments),
                           rule.endpoint, rule.trailing_slash)
            if isinstance(match(as_path, segments), Match):
                return True
    return False


def _redirect_expectation(found_: list[Match], segments: list[str], request: Request) -> Expectation:
    """The expectation when rules with a trailing slash match the path plus a slash (SPEC's
    canonical redirect, CANON-001)."""
    if any(m.impl for m in found_):
        return expect("CONV-INT-004", None)
    if not any(_allows(m.rule, request.method) for m in found_):
        return expect("CANON-005", None)
    # The path as the framework saw it (PEP 3333 decodes %2F into '/'), re-encoded, plus the slash.
    decoded = "/" + "/".join(segments)
    location = quote(decoded, safe="/") + "/" + ("?" + request.query if request.query else "")
    req = "CANON-003" if request.query else "CANON-001"
    return expect(req, REDIRECT_CODES, location=location, record=("CANON-002",))


def _why_not_found(shapes: list[Shape], segments: list[str], results: list) -> str:
    """The requirement that says this path is not found (the nearest rule's reason)."""
    rejects = [r for _, r in results if isinstance(r, Reject)]
    if rejects:
        return max(rejects, key=lambda r: r.depth).requirement
    for shape in shapes:  # the first rule whose structural reason is one of these two
        rule = shape.rule
        if _canon_004(rule, segments, shape):
            return "CANON-004"
        if not _canon_001(rule, segments, shape) and _var_002(rule, segments):
            return "VAR-002"
    return "ROUTE-002"
