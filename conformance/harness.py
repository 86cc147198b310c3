"""What a case talks to: build the app once, send requests, compare, record, and fail by level.

Cases are written as ``conformance.check(model, request, expectation)``. The harness builds each
model's app once per adapter (many requests, one app), records every check under its requirement
id, and raises ``RequirementNotMet`` naming the requirement that broke, with a reproduction.
"""

from __future__ import annotations

import traceback
from collections import OrderedDict
from typing import Any, Callable

import pytest

from adapters.base import CAPABILITY_HELP, Adapter, Unsupported, required_capabilities
from conformance import oracle, spec
from conformance import transport as transports
from conformance.driver import Observation, call, call_many
from conformance.model import AppModel, Request
from conformance.results import AdapterResult
from conformance.verdict import (Check, Expectation, Failure, Outcome, RequirementNotMet, compare,
                                 compare_head, is_impl, not_met, passing_checks)


def requirement(*ids: str) -> Callable:
    """Mark a case with the requirement ids it checks (the first is the one it is named after)."""
    for req_id in ids:
        spec.requirement(req_id)  # an unknown id fails at import, not silently
    return pytest.mark.requirement(*ids)


class HarnessError(RuntimeError):
    """The suite could not run a case on this adapter (building the app failed, ...)."""


class AdapterContext:
    """Per adapter, per session: the adapter, its built apps, and its results."""

    APP_CACHE = 64
    MAX_TIMEOUTS = 3

    def __init__(self, adapter: Adapter, timeout: float | None = None, transport: str = "wsgi"):
        self.adapter = adapter
        self.timeout = timeout  # seconds per request (--conformance-timeout); None: unbounded
        # issue 10: how requests reach the app (--conformance-transport); servers it starts are
        # stopped when their app leaves the cache and in close()
        self.transport = transports.make(transport, adapter, timeout)
        self.consecutive_timeouts = 0
        self.observe = False  # record answers for the upgrade diff (--conformance-observations)
        self.shrunk: set[str] = set()  # requirements a property already shrunk to a minimal example
        self.apps: OrderedDict[AppModel, Any] = OrderedDict()
        self._last: tuple[AppModel | None, Any] = (None, None)  # the model asked last, and its app
        self._needs: tuple[AppModel | None, frozenset[str]] = (None, frozenset())
        self.result = AdapterResult(adapter.name, adapter.framework, adapter.version(),
                                    sorted(adapter.capabilities))
        self.result.transport = transport

    def close(self) -> None:
        """Stop whatever the transport started (servers); called at the end of the session."""
        self.transport.close()

    def app(self, model: AppModel) -> Any:
        if model is self._last[0]:  # the same model object again (a batch, a property's example):
            app = self._last[1]  # no hashing of all its rules; it is the newest entry already
        elif model in self.apps:
            self.apps.move_to_end(model)
            app = self.apps[model]  # building it failed before: same error, no retry
        else:
            app = self._build(model)
            self.apps[model] = app
            if len(self.apps) > self.APP_CACHE:
                self.transport.forget(self.apps.popitem(last=False)[1])
        self._last = (model, app)
        if isinstance(app, HarnessError):
            # One raise site: Hypothesis tells errors apart by where they are raised, so a
            # replayed example must fail on the same line or it is reported as flaky.
            raise HarnessError(str(app))
        if isinstance(app, Unsupported):  # the framework cannot express the model
            raise app
        return app

    def needs(self, model: AppModel) -> frozenset[str]:
        """``required_capabilities(model)``, worked out once for the model asked last."""
        if model is not self._needs[0]:
            self._needs = (model, required_capabilities(model))
        return self._needs[1]

    def _build(self, model: AppModel) -> Any:
        """The app, or the HarnessError that building it gave (cached like an app)."""
        try:
            app = self.adapter.make_app(model)
        except Unsupported as exc:  # the framework cannot express the model: Harness.app records it
            app = exc
        except Exception as exc:
            # The adapter's fault, not the framework's: one self-contained first line (which
            # adapter, what failed), then the rules and the traceback's tail.
            declared = sorted(required_capabilities(model) & self.adapter.capabilities)
            claim = f" (the app needs {', '.join(declared)}, which the adapter declares)" \
                if declared else ""
            tail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            app = HarnessError(
                f"adapter {self.adapter.name!r}: make_app raised {type(exc).__name__}: {exc}{claim}\n"
                f"  rules:\n    " + model.describe().replace("\n", "\n    ") + "\n"
                "  traceback (tail):\n    " + "\n    ".join(tail.rstrip().splitlines()[-8:])
            )
        return app


class Harness:
    """The ``conformance`` fixture: one per case and adapter."""

    def __init__(self, context: AdapterContext, case: str):
        self.context = context
        self.adapter = context.adapter
        self.case = case
        self.outcomes: list[Outcome] = []
        # In generated cases a SHOULD failure must not end the search before a MUST failure is
        # found: with ``defer_should`` it is kept here (first per requirement) instead of raised.
        self.defer_should = False
        self.deferred: dict[str, Failure] = {}
        self.requirements: tuple[str, ...] = ()  # the case's requirement ids (set by the plugin)

    # --- applicability ----------------------------------------------------------------------
    def require(self, *capabilities: str) -> None:
        missing = sorted(set(capabilities) - self.adapter.capabilities)
        if missing:
            pytest.skip(not_applicable_reason(self.adapter, missing))

    def supports(self, model: AppModel) -> bool:
        return required_capabilities(model) <= self.adapter.capabilities

    # --- running ----------------------------------------------------------------------------
    def app(self, model: AppModel, request: Request | None = None) -> Any:
        self.require(*self.context.needs(model))
        try:
            return self.context.app(model)
        except Unsupported as exc:  # a requirement the framework cannot even express is not met
            unsupported = exc
        # Concluded outside the except block: a failure raised in it would carry the Unsupported
        # as its context, and Hypothesis would take it for another bug than the same requirement
        # failing elsewhere (and shrink it twice).
        exc = unsupported
        ids = exc.requirement_ids
        if not self.defer_should:  # a fixed case: its own requirement cannot be met either
            ids = tuple(dict.fromkeys(ids + self.requirements[:1]))
        self.conclude(model, request, [
            Check(req, False, f"an app with {exc.feature}", f"the framework has no {exc.feature}")
            for req in ids], None)
        # conclude did not raise: only deferred (SHOULD, or already shrunk) or IMPL ids were not met
        if self.defer_should:
            from hypothesis import reject

            reject()  # this example is done, and not one checked; the deferred failure is reported
        pytest.skip(f"informational: the framework has no {exc.feature}")

    def observe(self, model: AppModel, request: Request) -> Observation:
        """One request; past ``context.timeout`` seconds the Observation says it timed out.

        After ``MAX_TIMEOUTS`` timeouts in a row the adapter is taken as hung: later requests are
        answered "not sent" at once, so a hanging framework costs a few timeouts, not one per case.
        """
        ctx = self.context
        if ctx.consecutive_timeouts >= ctx.MAX_TIMEOUTS:
            return Observation(request, None, None, (), b"", error=(
                f"not sent: the adapter timed out {ctx.consecutive_timeouts} times in a row"),
                timed_out=True)
        obs = ctx.transport.observe(self.app(model, request), request)
        ctx.consecutive_timeouts = ctx.consecutive_timeouts + 1 if obs.timed_out else 0
        if ctx.observe:  # --conformance-observations (issue 8): the fixed cases' answers too
            from conformance.observations import record_fixed

            record_fixed(ctx, self.requirements, self.case, model, request, obs)
        return obs

    def observe_many(self, model: AppModel, requests: list[Request]) -> list[Observation]:
        """``observe`` for many requests to one app: one batch through the driver (issue 9)."""
        ctx = self.context
        if not isinstance(ctx.transport, transports.WsgiTransport):  # issue 10: one at a time
            return [self.observe(model, r) for r in requests]
        app = self.app(model, requests[0] if requests else None)
        obs: list[Observation] = []
        if ctx.consecutive_timeouts < ctx.MAX_TIMEOUTS:
            obs = call_many(app, requests, ctx.timeout, ctx.MAX_TIMEOUTS, ctx.consecutive_timeouts)
            for o in obs:
                ctx.consecutive_timeouts = ctx.consecutive_timeouts + 1 if o.timed_out else 0
            if ctx.observe:  # as ``observe`` does (issue 8)
                from conformance.observations import record_fixed

                for request, o in zip(requests, obs):
                    record_fixed(ctx, self.requirements, self.case, model, request, o)
        return obs + [self.observe(model, r) for r in requests[len(obs):]]  # "not sent" answers

    def check_all(self, model: AppModel, requests: list[Request], keep_going: bool = False) -> int:
        """Every request judged by the oracle (HEAD: against GET's answer, as ``check_head``),
        all sent in one batch, then judged in order; the first one not met raises, unless
        ``keep_going`` (the benchmark): then the count of requests not met is returned.

        A request whose checks all pass is recorded as ``conclude`` would record it, counted per
        requirement (issue 9: most requests pass, and their Check objects cost more than the
        framework's answer); any other goes through ``compare`` and ``conclude``."""
        batch: list[Request] = []
        for request in requests:
            if request.method == "HEAD":
                batch += [Request(request.path, "GET"), Request(request.path, "HEAD")]
            else:
                batch.append(request)
        answers = iter(self.observe_many(model, batch))
        predict = oracle.predictor(model)  # the model's rules prepared once for all its requests
        passed: dict[str, int] = {}  # requirement -> checks passed (recorded at the end, at once)
        not_met_count = 0
        try:
            for request in requests:
                try:
                    if request.method == "HEAD":
                        get, head = next(answers), next(answers)
                        judged, checks = Request(request.path, "HEAD"), compare_head(get, head)
                        obs = head
                        ids = [c.requirement for c in checks] if all(c.ok for c in checks) else None
                    else:
                        obs = next(answers)
                        expectation = predict(request)
                        ids = passing_checks(expectation, obs)
                        if ids is None:
                            judged, checks = request, compare(expectation, obs)
                    if ids is None:
                        self.conclude(model, judged, checks, obs)
                        continue
                    for req in ids:  # what ``conclude`` records for passing checks
                        if is_impl(req):
                            self.outcomes.append(Outcome.INFORMATIONAL)
                            self.context.result.get(req).add(Outcome.INFORMATIONAL, self.case, None,
                                                             obs.summary)
                        else:
                            passed[req] = passed.get(req, 0) + 1
                except RequirementNotMet:
                    if not keep_going:
                        raise
                    not_met_count += 1
        finally:
            if passed:
                self.outcomes.append(Outcome.PASS)
                result = self.context.result
                for req, count in passed.items():
                    result.get(req).add_passes(count, self.case)
        return not_met_count

    def check(self, model: AppModel, request: Request, expectation: Expectation) -> Observation:
        obs = self.observe(model, request)
        self.conclude(model, request, compare(expectation, obs), obs)
        return obs

    def check_head(self, model: AppModel, path: str, req: str = "METH-004") -> Observation:
        get = self.observe(model, Request(path, "GET"))
        head = self.observe(model, Request(path, "HEAD"))
        self.conclude(model, Request(path, "HEAD"), compare_head(get, head, req), head)
        return head

    def build_url(self, model: AppModel, endpoint: str, values: dict[str, Any],
                  req: str = "BUILD-001") -> str:
        app = self.app(model)
        try:
            return self.adapter.build_url(app, endpoint, values)
        except Exception as exc:
            self.conclude(model, None, [Check(req, False, f"a URL for {endpoint}{values}",
                                              f"raised {type(exc).__name__}: {exc}")], None,
                          build=(endpoint, values))
            raise AssertionError("unreachable")  # pragma: no cover

    # --- recording --------------------------------------------------------------------------
    def conclude(self, model: AppModel, request: Request | None, checks: list[Check],
                 obs: Observation | None, build: tuple | None = None) -> None:
        """Record every check; raise for the first one that is not met (worst level first)."""
        result = self.context.result
        broken: list[tuple[Check, Failure]] = []
        for check in checks:
            outcome = check.outcome
            self.outcomes.append(outcome)
            evidence = None
            if outcome in (Outcome.FAIL, Outcome.NON_STRICT):
                broken.append((check, self._failure(model, request, check, build)))
                evidence = self._evidence(broken[-1][1], obs)
            observation = check.answer if outcome is Outcome.INFORMATIONAL else None  # lazy text
            result.get(check.requirement).add(outcome, self.case, evidence, observation)
        if broken:
            # Deferred in a property: a SHOULD failure, and a failure of a requirement this
            # adapter already has a minimal example of (shrinking it again in every property
            # costs seconds per property and shows nothing new); everything stays recorded above.
            pressing = [b for b in broken if not (self.defer_should and self._deferrable(b[0]))]
            first, failure = max(pressing or broken, key=lambda b: b[0].outcome.rank)
            if not pressing:
                self.deferred.setdefault(first.requirement, failure)
                return
            raise not_met(failure)

    def _deferrable(self, check: Check) -> bool:
        return check.outcome is Outcome.NON_STRICT or check.requirement in self.context.shrunk

    def record(self, req_id: str, outcome: Outcome, detail: str | None = None) -> None:
        self.outcomes.append(outcome)
        evidence = {"detail": detail} if detail else None
        self.context.result.get(req_id).add(outcome, self.case, evidence)

    def _failure(self, model: AppModel, request: Request | None, check: Check,
                 build: tuple | None) -> Failure:
        return Failure(
            check=check,
            adapter=self.adapter.name,
            framework=f"{self.adapter.framework} {self.context.result.version}",
            rules=model.describe(),
            request=str(request) if request else f"build_url{build}" if build else "(building the app)",
            reproduction=self.context.transport.reproduction(model, request, build),
        )

    @staticmethod
    def _evidence(failure: Failure, obs: Observation | None) -> dict[str, Any]:
        evidence = {
            "rules": failure.rules,
            "request": failure.request,
            "expected": failure.check.expected,
            "actual": failure.check.actual,
            "reproduction": failure.reproduction,
        }
        if obs is not None and obs.error:
            evidence["error"] = obs.error
        return evidence


def not_applicable_reason(adapter: Adapter, missing: list[str]) -> str:
    what = "; ".join(f"{c} ({CAPABILITY_HELP.get(c, 'undocumented capability')})" for c in missing)
    return f"not applicable: adapter {adapter.name!r} does not declare {what}"
