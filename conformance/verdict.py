"""Compare what was expected with what a framework did, per requirement id, and grade it by level.

An ``Expectation`` says what SPEC.md predicts for one request and which requirement decides it;
``compare`` turns an Observation into ``Check``s, one per aspect, each naming its requirement; the
requirement's level turns a check into an ``Outcome``.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from urllib.parse import parse_qsl, unquote, urlsplit

from conformance.driver import Observation
from conformance.frozen import maker
from conformance.spec import requirement

REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
CLIENT_ERRORS = frozenset(range(400, 500))
AUTO_METHODS = frozenset({"HEAD", "OPTIONS"})
# Keys of Expectation.blame besides endpoint names.
UNEXPECTED_REDIRECT = "<redirect>"
UNEXPECTED_NOT_FOUND = "<not found>"
UNEXPECTED_NOT_ALLOWED = "<not allowed>"
UNEXPECTED_CLIENT_ERROR = "<client error>"  # a 4xx other than 404/405, e.g. a converter's 400


class Outcome(str, enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    NON_STRICT = "non-strict"  # a SHOULD not met
    INFORMATIONAL = "informational"  # IMPL: recorded, never failed
    NOT_APPLICABLE = "not-applicable"
    ERROR = "error"  # the harness could not run the case (adapter fault, timeout)

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Outcome.NOT_APPLICABLE: 0, Outcome.PASS: 1, Outcome.INFORMATIONAL: 2,
         Outcome.NON_STRICT: 3, Outcome.FAIL: 4, Outcome.ERROR: 5}


@dataclass(frozen=True)
class Check:
    requirement: str
    ok: bool
    # What was expected and what the framework did; a callable (``Expectation.describe``,
    # ``Observation.summary``) is rendered only when read: a passing check's text is never shown,
    # and rendering it cost more than the check itself.
    expects: str | Callable[[], str]
    answer: str | Callable[[], str]

    @property
    def expected(self) -> str:
        return self.expects if isinstance(self.expects, str) else self.expects()

    @property
    def actual(self) -> str:
        return self.answer if isinstance(self.answer, str) else self.answer()

    @property
    def outcome(self) -> Outcome:
        level = _level(self.requirement)
        if level == "IMPL":
            return Outcome.INFORMATIONAL
        if self.ok:
            return Outcome.PASS
        return Outcome.NON_STRICT if level == "SHOULD" else Outcome.FAIL


_LEVELS: dict[str, str] = {}


def _level(req_id: str) -> str:
    """A requirement's level, looked up in SPEC.md once per id (every check asks for it)."""
    level = _LEVELS.get(req_id)
    if level is None:
        level = _LEVELS[req_id] = requirement(req_id).level
    return level


@dataclass(frozen=True)
class Expectation:
    """What SPEC.md predicts for one request.

    ``status`` is the set of acceptable codes (``None``: any, for IMPL requirements, which only
    record). ``args`` are ``{name: [type name, repr]}`` as the echo handler reports them.
    ``allow`` is the set of methods that ``Allow`` must list (``HEAD``/``OPTIONS`` may be added).
    ``record`` names IMPL requirements whose observed answer is recorded as informational.
    """

    requirement: str
    status: frozenset[int] | None
    endpoint: str | None = None
    args: dict[str, list[str]] | None = None
    location: str | None = None
    allow: frozenset[str] | None = None
    allow_requirement: str = "METH-003"
    body: bytes | None = None
    record: tuple[str, ...] = ()
    note: str = ""
    # endpoint -> requirement: if the framework answers with that view instead, this is the
    # requirement it broke (e.g. the float rule that took '٣.5': CONV-FLOAT-006, not the hit's).
    blame: tuple[tuple[str, str], ...] = ()
    # method -> requirement: a method ``Allow`` should not list, because the only rules that take
    # it reject this path (a float rule that took '0' puts GET into Allow: CONV-FLOAT-003).
    allow_blame: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        if self.status is None:
            return "anything (implementation-defined: recorded)"
        parts = [_codes(self.status)]
        if self.endpoint is not None:
            args = ", ".join(f"{k}={t} {r}" for k, (t, r) in (self.args or {}).items())
            parts.append(f"{self.endpoint}({args})")
        if self.location is not None:
            parts.append(f"Location: {self.location}")
        if self.allow is not None:
            parts.append(f"Allow ⊇ {', '.join(sorted(self.allow))}")
        if self.body is not None:
            parts.append(f"body {self.body!r}")
        return " ".join(parts)


expect = maker(Expectation)  # Expectation(...), made the quick way: the oracle makes one per request
OK = frozenset({200})
NOT_FOUND = frozenset({404})
NOT_ALLOWED = frozenset({405})


def found(req: str, endpoint: str, args: dict[str, list[str]] | None = None, **kw) -> Expectation:
    return expect(req, OK, endpoint=endpoint, args=args or {}, **kw)


def not_found(req: str, **kw) -> Expectation:
    return expect(req, NOT_FOUND, **kw)


def redirect(req: str, location: str, **kw) -> Expectation:
    return expect(req, REDIRECT_CODES, location=location, **kw)


def method_not_allowed(req: str, allow: frozenset[str] | set[str], **kw) -> Expectation:
    return expect(req, NOT_ALLOWED, allow=frozenset(allow), **kw)


def violation_checks(obs: Observation) -> list[Check]:
    """One failing check per PEP 3333 violation the driver recorded for this response."""
    return [Check(v.requirement, False, "a valid PEP 3333 response", v.detail) for v in obs.violations]


def compare(exp: Expectation, obs: Observation) -> list[Check]:
    checks = violation_checks(obs)
    actual: str | Callable[[], str] = obs.summary
    checks += [Check(r, True, "recorded", actual) for r in exp.record]
    if exp.status is None:
        checks.append(Check(exp.requirement, True, exp.describe, actual))
        return checks
    if obs.status is None:
        checks.append(Check(exp.requirement, False, exp.describe, actual))
        return checks
    ok = obs.status in exp.status
    requirement_ = exp.requirement
    if obs.endpoint is not None and obs.endpoint != exp.endpoint:  # blame is read on a mismatch only
        requirement_ = dict(exp.blame).get(obs.endpoint, requirement_)
    elif obs.status in REDIRECT_CODES and not exp.status & REDIRECT_CODES:
        requirement_ = dict(exp.blame).get(UNEXPECTED_REDIRECT, requirement_)
    elif obs.status == 404 and 404 not in exp.status:
        requirement_ = dict(exp.blame).get(UNEXPECTED_NOT_FOUND, requirement_)
    elif obs.status == 405 and 405 not in exp.status:
        requirement_ = dict(exp.blame).get(UNEXPECTED_NOT_ALLOWED, requirement_)
    elif 400 <= obs.status < 500 and obs.status not in exp.status:
        requirement_ = dict(exp.blame).get(UNEXPECTED_CLIENT_ERROR, requirement_)
    if ok and exp.endpoint is not None:
        ok = obs.endpoint == exp.endpoint and obs.args == exp.args
    if ok and exp.body is not None:
        ok = obs.body == exp.body
        actual = f"{obs.status_line} body {obs.body[:200]!r}"
    if ok and exp.location is not None:
        ok = same_location(obs.location, exp.location)
        if not ok and obs.location and "?" in exp.location:
            if same_location(obs.location.split("?")[0], exp.location.split("?")[0]):
                checks.append(Check("CANON-003", False, f"Location: {exp.location}", actual))
                ok = True
    checks.append(Check(requirement_, ok, exp.describe, actual))
    if exp.allow is not None and obs.status in exp.status:
        allow = obs.allow
        allow_ok = allow is not None and exp.allow <= allow <= exp.allow | AUTO_METHODS
        allow_req = exp.allow_requirement
        extra = sorted((allow or frozenset()) - exp.allow - AUTO_METHODS)
        if not allow_ok and extra and exp.allow <= (allow or frozenset()):
            allow_req = dict(exp.allow_blame).get(extra[0], allow_req)
        checks.append(Check(allow_req, allow_ok,
                            f"Allow: {', '.join(sorted(exp.allow))} (+ HEAD, OPTIONS)",
                            f"Allow: {', '.join(sorted(allow)) if allow is not None else '(missing)'}"))
    return checks


def passing_checks(exp: Expectation, obs: Observation) -> list[str] | None:
    """The requirements of the checks ``compare(exp, obs)`` makes, in its order, when every one
    of them passes (the common case); else None, and ``compare`` must judge. Recording passes
    needs no Check objects and no texts (issue 9)."""
    if obs.violations:
        return None
    ids = list(exp.record)
    if exp.status is None:  # implementation-defined: anything is recorded
        ids.append(exp.requirement)
        return ids
    status = obs.status
    if status is None or status not in exp.status or exp.body is not None:
        return None
    endpoint = obs.endpoint
    if endpoint != exp.endpoint or (endpoint is not None and obs.args != exp.args):
        return None  # (an answer from another view can re-attribute even a passing check)
    if exp.location is not None and not same_location(obs.location, exp.location):
        return None
    ids.append(exp.requirement)
    if exp.allow is not None:
        allow = obs.allow
        if allow is None or not exp.allow <= allow <= exp.allow | AUTO_METHODS:
            return None
        ids.append(exp.allow_requirement)
    return ids


def is_impl(req_id: str) -> bool:
    """An implementation-defined requirement: its checks are recorded as informational."""
    return _level(req_id) == "IMPL"


def same_location(actual: str | None, expected: str) -> bool:
    """Equal paths (after normalising percent-encoding) and equal query parameters."""
    if actual is None:
        return False
    a, e = urlsplit(actual), urlsplit(expected)
    return (_path_text(a.path) == _path_text(e.path) and a.scheme in ("", "http")
            and parse_qsl(a.query) == parse_qsl(e.query))


def _path_text(path: str) -> str:
    """Percent-decoded path, except an encoded '/', which is not the same URL as a '/'."""
    return "%2F".join(unquote(part) for part in re.split("%2[fF]", path))


def compare_head(get: Observation, head: Observation, req: str = "METH-004") -> list[Check]:
    """HEAD answers with GET's status and headers (Date and the like aside) and no body."""
    checks = violation_checks(head)
    volatile = {"date", "set-cookie", "expires", "last-modified", "etag"}
    get_h = sorted((k.lower(), v) for k, v in get.headers if k.lower() not in volatile)
    head_h = sorted((k.lower(), v) for k, v in head.headers if k.lower() not in volatile)
    expected = f"{get.status_line}, GET's headers, empty body"
    problems = []
    if head.status is None or get.status is None:
        problems.append(f"no answer: HEAD {head.summary()}; GET {get.summary()}")
    elif head.status != get.status:
        problems.append(f"status {head.status_line} (GET: {get.status_line})")
    if head_h != get_h:
        diff = sorted(set(head_h) ^ set(get_h))
        problems.append(f"headers differ from GET's: {diff}")
    if head.body:
        problems.append(f"body of {len(head.body)} bytes: {head.body[:60]!r}")
    checks.append(Check(req, not problems, expected, "; ".join(problems) or head.summary()))
    return checks


def worst(outcomes: list[Outcome]) -> Outcome:
    return max(outcomes, key=lambda o: o.rank) if outcomes else Outcome.NOT_APPLICABLE


@lru_cache(maxsize=256)  # every check describes its expectation: the same few code sets
def _codes(codes: frozenset[int]) -> str:
    if codes == CLIENT_ERRORS:
        return "4xx"
    if codes == REDIRECT_CODES:
        return "3xx redirect"
    if codes == frozenset(range(200, 300)):
        return "2xx"
    if codes == frozenset(range(200, 500)):
        return "not 5xx"
    return " or ".join(str(c) for c in sorted(codes))


@dataclass
class Failure:
    """Everything a reader needs to reproduce one non-passing check."""

    check: Check
    adapter: str
    framework: str
    rules: str
    request: str
    reproduction: str
    extra: dict = field(default_factory=dict)

    def message(self) -> str:
        req = requirement(self.check.requirement)
        verb = "not met" if self.check.outcome is not Outcome.NON_STRICT else "not met (SHOULD: non-strict)"
        lines = [
            f"{req.id} ({req.level}) {verb}: {req.title}",
            f"  spec:     {req.anchor}",
            f"  adapter:  {self.adapter} ({self.framework})",
            "  rules:",
            *("    " + line for line in self.rules.splitlines()),
            f"  request:  {self.request}",
            f"  expected: {self.check.expected}",
            f"  actual:   {self.check.actual}",
            "  reproduction:",
            *("    " + line for line in self.reproduction.rstrip().splitlines()),
        ]
        return "\n".join(lines)


class RequirementNotMet(AssertionError):
    """Raised by a case when a check fails; the plugin grades it by the requirement's level."""

    def __init__(self, failure: Failure):
        super().__init__(failure.message())
        self.failure = failure

    @property
    def outcome(self) -> Outcome:
        return self.failure.check.outcome


_NOT_MET: dict[str, type[RequirementNotMet]] = {}


def not_met(failure: Failure) -> RequirementNotMet:
    """The exception for a failure, of a class of its own per requirement.

    Hypothesis tells bugs apart by exception type: one class per requirement lets a property that
    breaks two requirements report both, each shrunk to its own minimal example.
    """
    req = failure.check.requirement
    if req not in _NOT_MET:
        _NOT_MET[req] = type(f"NotMet_{req.replace('-', '_')}", (RequirementNotMet,), {})
    return _NOT_MET[req](failure)
