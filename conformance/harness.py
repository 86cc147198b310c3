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

from adapters.base import CAPABILITY_HELP, Adapter, required_capabilities
from conformance import spec
from conformance.driver import Observation, call
from conformance.model import AppModel, Request
from conformance.results import AdapterResult
from conformance.verdict import (Check, Expectation, Failure, Outcome, RequirementNotMet,
                                 compare, compare_head)


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

    def __init__(self, adapter: Adapter):
        self.adapter = adapter
        self.apps: OrderedDict[AppModel, Any] = OrderedDict()
        self.result = AdapterResult(adapter.name, adapter.framework, adapter.version(),
                                    sorted(adapter.capabilities))

    def app(self, model: AppModel) -> Any:
        if model in self.apps:
            self.apps.move_to_end(model)
            return self.apps[model]
        try:
            app = self.adapter.make_app(model)
        except Exception as exc:
            raise HarnessError(
                f"adapter {self.adapter.name!r} could not build the app:\n{model.describe()}\n"
                + "".join(traceback.format_exception_only(type(exc), exc)).strip()
            ) from exc
        self.apps[model] = app
        if len(self.apps) > self.APP_CACHE:
            self.apps.popitem(last=False)
        return app


class Harness:
    """The ``conformance`` fixture: one per case and adapter."""

    def __init__(self, context: AdapterContext, case: str):
        self.context = context
        self.adapter = context.adapter
        self.case = case
        self.outcomes: list[Outcome] = []

    # --- applicability ----------------------------------------------------------------------
    def require(self, *capabilities: str) -> None:
        missing = sorted(set(capabilities) - self.adapter.capabilities)
        if missing:
            pytest.skip(not_applicable_reason(self.adapter, missing))

    def supports(self, model: AppModel) -> bool:
        return required_capabilities(model) <= self.adapter.capabilities

    # --- running ----------------------------------------------------------------------------
    def app(self, model: AppModel) -> Any:
        self.require(*required_capabilities(model))
        return self.context.app(model)

    def observe(self, model: AppModel, request: Request) -> Observation:
        return call(self.app(model), request)

    def check(self, model: AppModel, request: Request, expectation: Expectation) -> Observation:
        obs = self.observe(model, request)
        self.conclude(model, request, compare(expectation, obs), obs)
        return obs

    def check_head(self, model: AppModel, path: str, req: str = "METH-004") -> Observation:
        get = self.observe(model, Request(path, "GET"))
        head = self.observe(model, Request(path, "HEAD"))
        self.conclude(model, Request(path, "HEAD"), compare_head(get, head, req), head)
        return head

    def build_url(self, model: AppModel, endpoint: str, values: dict[str, Any]) -> str:
        app = self.app(model)
        try:
            return self.adapter.build_url(app, endpoint, values)
        except Exception as exc:
            self.conclude(model, None, [Check("BUILD-001", False, f"a URL for {endpoint}{values}",
                                              f"raised {type(exc).__name__}: {exc}")], None,
                          build=(endpoint, values))
            raise AssertionError("unreachable")  # pragma: no cover

    # --- recording --------------------------------------------------------------------------
    def conclude(self, model: AppModel, request: Request | None, checks: list[Check],
                 obs: Observation | None, build: tuple | None = None) -> None:
        """Record every check; raise for the first one that is not met (worst level first)."""
        result = self.context.result
        broken: list[Check] = []
        for check in checks:
            outcome = check.outcome
            self.outcomes.append(outcome)
            evidence = None
            if outcome in (Outcome.FAIL, Outcome.NON_STRICT):
                broken.append(check)
                evidence = self._evidence(model, request, check, obs, build)
            observation = check.actual if outcome is Outcome.INFORMATIONAL else None
            result.get(check.requirement).add(outcome, self.case, evidence, observation)
        if broken:
            first = max(broken, key=lambda c: c.outcome.rank)
            raise RequirementNotMet(self._failure(model, request, first, build))

    def record(self, req_id: str, outcome: Outcome, detail: str | None = None) -> None:
        self.outcomes.append(outcome)
        evidence = {"detail": detail} if detail else None
        self.context.result.get(req_id).add(outcome, self.case, evidence)

    def _failure(self, model: AppModel, request: Request | None, check: Check,
                 build: tuple | None) -> Failure:
        return Failure(
            check=check,
            adapter=self.adapter.name,
            framework=f"{self.adapter.framework} {self.adapter.version()}",
            rules=model.describe(),
            request=str(request) if request else f"build_url{build}",
            reproduction=self.adapter.reproduction(model, request, build),
        )

    def _evidence(self, model: AppModel, request: Request | None, check: Check,
                  obs: Observation | None, build: tuple | None) -> dict[str, Any]:
        failure = self._failure(model, request, check, build)
        evidence = {
            "rules": failure.rules,
            "request": failure.request,
            "expected": check.expected,
            "actual": check.actual,
            "reproduction": failure.reproduction,
        }
        if obs is not None and obs.error:
            evidence["error"] = obs.error
        return evidence


def not_applicable_reason(adapter: Adapter, missing: list[str]) -> str:
    what = "; ".join(f"{c} ({CAPABILITY_HELP.get(c, 'undocumented capability')})" for c in missing)
    return f"not applicable: adapter {adapter.name!r} does not declare {what}"
