"""``--conformance-observations``: record what the framework answered, per case, for the diff.

With the option, each adapter's results (``--conformance-json``) carry a ``corpus`` block: the
observation corpus (``conformance/corpus.py``: the same rule sets and requests on every run with
the same seed and profile) asked of the framework, plus the requests of the fixed cases (those
outside Hypothesis, which ask the same questions on every run). Each case is keyed by a hash of
its rules and request, tagged with the requirement that decides it, and its answer is normalised
(status, endpoint, typed values, Location, Allow) so that two runs of one version compare equal.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis.control import currently_in_test_context

from conformance import corpus, oracle
from conformance.driver import Observation, call
from conformance.model import AppModel, Request
from conformance.verdict import Outcome, compare

OBSERVE = pytest.StashKey[bool]()
CORPUS_CASE = "test_observation_corpus"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("wsgi-conformance").addoption(
        "--conformance-observations", dest="conformance_observations", action="store_true",
        default=False,
        help="also ask the observation corpus and record every answer in --conformance-json, "
             "for `wsgi-conformance diff` (seed: --hypothesis-seed, default 0)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[OBSERVE] = bool(config.getoption("conformance_observations", False))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The corpus case runs only when asked for: it checks nothing, it records."""
    if config.stash.get(OBSERVE, False):
        return
    drop = [i for i in items if i.name.startswith(CORPUS_CASE)]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = [i for i in items if not i.name.startswith(CORPUS_CASE)]


def enabled(config: pytest.Config) -> bool:
    return config.stash.get(OBSERVE, False)


def seed_of(config: pytest.Config) -> int:
    value = getattr(config.option, "hypothesis_seed", None)
    try:
        return int(value) if value is not None else corpus.DEFAULT_SEED
    except ValueError:
        raise pytest.UsageError(f"--hypothesis-seed must be an integer for the observation corpus, "
                                f"not {value!r}") from None


def _store(result: Any) -> dict[str, Any]:
    if result.corpus is None:
        result.corpus = {"meta": {}, "cases": {}}
    return result.corpus


def record_fixed(context: Any, requirements: list[str], case: str, model: AppModel,
                 request: Request, obs: Observation) -> None:
    """A fixed case's request (called by the harness); Hypothesis-driven requests are skipped,
    since what they ask depends on earlier answers."""
    if currently_in_test_context() or not requirements:
        return
    cases = _store(context.result)["cases"]
    cid = corpus.case_id(model, request)
    if cid not in cases:
        cases[cid] = {"kind": "fixed", "case": case, "rules": corpus.model_text(model),
                      "request": str(request), "requirement": requirements[0],
                      "answer": corpus.answer(obs)}


def _build(context: Any, model: AppModel) -> Any:
    """The app, or the first line of why the adapter could not build it."""
    try:
        return context.app(model)
    except Exception as exc:  # HarnessError: the adapter's make_app failed
        return str(exc).splitlines()[0]


def run_corpus(context: Any, profile: str, seed_value: int, count: int | None = None) -> int:
    """Ask the corpus of ``context``'s adapter; returns how many requests were asked.
    ``count`` (scenarios) defaults to the profile's size."""
    caps = frozenset(context.adapter.capabilities)
    count = count or corpus.SIZES.get(profile, corpus.SIZES["ci"])
    scenarios = corpus.draw_scenarios(caps, count, seed_value)
    store = _store(context.result)
    store["meta"] = corpus.metadata(profile, seed_value, count, caps)
    cases = store["cases"]
    ids: list[str] = []
    state = {"timeouts": 0}

    def ask(app: Any, request: Request) -> tuple[dict[str, Any], Observation | None]:
        if isinstance(app, str):  # the adapter could not build this app: say so, per request
            return {"status": None, "error": corpus.mask(app)}, None
        if state["timeouts"] >= context.MAX_TIMEOUTS:
            return {"status": None, "timed_out": True}, None
        obs = call(app, request, timeout=context.timeout)
        state["timeouts"] = state["timeouts"] + 1 if obs.timed_out else 0
        return corpus.answer(obs), obs

    for kind, model, requests in scenarios:
        app = _build(context, model)
        # Each rule alone, asked the same requests: the diff shows which rule reproduces a change
        # by itself (the two versions never run in one process, so this is recorded up front).
        alone = {r.endpoint: _build(context, AppModel((r,), model.debug))
                 for r in model.rules} if len(model.rules) > 1 else {}
        for request in requests:
            cid = corpus.case_id(model, request)
            ids.append(cid)
            if cid in cases and cases[cid].get("kind") != "fixed":
                continue
            expectation = oracle.predict(model, request)
            entry = {"kind": kind, "rules": corpus.model_text(model), "request": str(request),
                     "requirement": expectation.requirement, "expected": expectation.describe()}
            entry["answer"], obs = ask(app, request)
            if obs is not None and request.method != "HEAD":
                broken = [c.requirement for c in compare(expectation, obs)
                          if c.outcome in (Outcome.FAIL, Outcome.NON_STRICT)]
                entry["meets"] = not broken
                if broken:
                    entry["broken"] = sorted(set(broken))
            if alone:
                entry["alone"] = {ep: ask(sub, request)[0] for ep, sub in alone.items()}
            cases[cid] = entry
    store["meta"]["cases"] = len(set(ids))
    store["meta"]["fingerprint"] = corpus.fingerprint(list(set(ids)))
    return len(ids)
