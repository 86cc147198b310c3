"""Results of a run, per adapter and per requirement: what reports and baselines are made from."""

from __future__ import annotations

import platform
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from conformance.spec import requirement
from conformance.verdict import Outcome, worst

SCHEMA_VERSION = 1


@dataclass
class RequirementResult:
    id: str
    counts: Counter = field(default_factory=Counter)  # Outcome -> checks
    failures: list[dict[str, Any]] = field(default_factory=list)  # non-pass evidence, capped
    observations: list[str] = field(default_factory=list)  # informational answers, capped
    cases: set[str] = field(default_factory=set)

    MAX_EVIDENCE = 5

    @property
    def outcome(self) -> Outcome:
        return worst(list(self.counts))

    def add(self, outcome: Outcome, case: str, evidence: dict[str, Any] | None = None,
            observation: str | Callable[[], str] | None = None) -> None:
        self.counts[outcome] += 1
        self.cases.add(case)
        if evidence is not None and outcome in (Outcome.FAIL, Outcome.NON_STRICT, Outcome.ERROR):
            # Hypothesis replays the shrunk example last: keep the newest evidence per case.
            self.failures = [f for f in self.failures if f.get("case") != case]
            self.failures.append({"case": case, **evidence})
            del self.failures[: -self.MAX_EVIDENCE]
        # A callable observation (a check's lazy answer) is rendered only while there is room.
        if observation is not None and len(self.observations) < self.MAX_EVIDENCE:
            if callable(observation):
                observation = observation()
            if observation not in self.observations:
                self.observations.append(observation)

    def add_passes(self, count: int, case: str) -> None:
        """``count`` passing checks at once (``add(Outcome.PASS, case)`` ``count`` times)."""
        self.counts[Outcome.PASS] += count
        self.cases.add(case)

    def merge_json(self, data: dict[str, Any]) -> None:
        """Add another process's results for this requirement (``pytest -n``: one per worker).
        Each worker ran other cases, so counts add up and nothing is counted twice."""
        outcomes = {o.value: o for o in Outcome}
        for value, n in data.get("counts", {}).items():
            self.counts[outcomes[value]] += n
        self.cases.update(data.get("cases", ()))
        for failure in data.get("failures", ()):
            self.failures = [f for f in self.failures if f.get("case") != failure.get("case")]
            self.failures.append(failure)
        del self.failures[: -self.MAX_EVIDENCE]
        for observation in data.get("observations", ()):
            if observation not in self.observations and len(self.observations) < self.MAX_EVIDENCE:
                self.observations.append(observation)

    def to_json(self) -> dict[str, Any]:
        req = requirement(self.id)
        return {
            "id": self.id,
            "level": req.level,
            "title": req.title,
            "spec": req.anchor,
            "outcome": self.outcome.value,
            "counts": {o.value: n for o, n in sorted(self.counts.items(), key=lambda x: x[0].rank)},
            "cases": sorted(self.cases),
            "failures": self.failures,
            "observations": self.observations,
        }


@dataclass
class AdapterResult:
    name: str
    framework: str
    version: str
    capabilities: list[str]
    requirements: dict[str, RequirementResult] = field(default_factory=dict)
    transport: str = "wsgi"  # how requests reached the app: wsgi, client or server (issue 10)
    corpus: dict[str, Any] | None = None  # --conformance-observations: answers per case (issue 8)

    def get(self, req_id: str) -> RequirementResult:
        if req_id not in self.requirements:
            self.requirements[req_id] = RequirementResult(req_id)
        return self.requirements[req_id]

    def merge_json(self, data: dict[str, Any]) -> None:
        """Add the results a ``pytest -n`` worker sent for this adapter (``to_json``'s form)."""
        for req_id, req in data.get("requirements", {}).items():
            self.get(req_id).merge_json(req)
        sent = data.get("corpus")
        if sent:  # --conformance-observations: one worker asked the corpus, each recorded cases
            if self.corpus is None:
                self.corpus = {"meta": {}, "cases": {}}
            self.corpus["meta"] = self.corpus["meta"] or sent.get("meta", {})
            for cid, case in sent.get("cases", {}).items():
                self.corpus["cases"].setdefault(cid, case)

    def totals(self) -> Counter:
        return Counter(r.outcome for r in self.requirements.values())

    def to_json(self) -> dict[str, Any]:
        out = {
            "adapter": self.name,
            "framework": self.framework,
            "version": self.version,
            "python": platform.python_version(),
            "capabilities": self.capabilities,
            "transport": self.transport,
            "totals": {o.value: n for o, n in self.totals().items()},
            "requirements": {k: v.to_json() for k, v in sorted(self.requirements.items())},
        }
        if self.corpus is not None:
            out["corpus"] = self.corpus
        return out
