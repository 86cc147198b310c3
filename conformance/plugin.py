"""The pytest plugin: ``pytest --adapter=NAME`` runs the conformance cases against a framework.

Registered through the ``pytest11`` entry point. With ``--adapter`` (or the ``conformance_adapters``
ini key) and no test paths, the session collects the bundled cases (``conformance/cases``);
several adapters parametrise one run. A case's failure is graded by its requirement's level:
MUST/MAY fail, SHOULD is reported as non-strict (xfail), IMPL is recorded, missing capabilities
skip as not applicable.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from adapters.base import AdapterUnavailable, TransportUnsupported
from conformance import profiles, registry, reloader, spec
from conformance import transport as transports
from conformance.harness import AdapterContext, Harness, HarnessError, not_applicable_reason
from conformance.verdict import Outcome, RequirementNotMet, worst

CASES_DIR = Path(__file__).with_name("cases")
CONTEXTS = pytest.StashKey[dict[str, AdapterContext]]()
HARNESS = pytest.StashKey[Harness]()
PROFILE = pytest.StashKey[str]()
DEFAULT_TIMEOUT = 10.0

# --- issue 5: baselines and --conformance-select live in conformance/baseline.py, loaded with this
# plugin so that its options exist before the command line is parsed --------------------------------
pytest_plugins = ["conformance.baseline", "conformance.observations"]
# --- end issue 5 --------------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("wsgi-conformance")
    group.addoption(
        "--adapter", action="append", dest="conformance_adapters", default=None, metavar="NAME",
        help="framework adapter to check: a bundled name (reference, flask, bottle), an entry-point "
             "name, or package.module:Class; repeat to compare several in one run",
    )
    group.addoption(
        "--conformance-json", dest="conformance_json", default=None, metavar="PATH",
        help="write per-adapter, per-requirement results as JSON to PATH",
    )
    group.addoption(
        "--conformance-profile", dest="conformance_profile", default=None, metavar="NAME",
        choices=list(profiles.PROFILES),
        help="Hypothesis profile for the generated cases: ci (derandomized, fast; the default), "
             "dev, thorough",
    )
    group.addoption(
        "--conformance-timeout", dest="conformance_timeout", default=None, type=float,
        metavar="SECONDS", help="time one request may take before it is reported as timed out "
                                f"(default {DEFAULT_TIMEOUT:g})",
    )
    group.addoption(  # issue 10
        "--conformance-transport", dest="conformance_transport", default=None,
        choices=list(transports.TRANSPORTS),
        help="how requests reach each app: wsgi (in-process PEP 3333 call, the default), client "
             "(the framework's own test client), server (the framework's own development server "
             "on 127.0.0.1, real HTTP)",
    )
    parser.addini("conformance_adapters", type="args", default=[],
                  help="adapters to check when --adapter is not given")
    parser.addini("conformance_profile", default="ci", help="Hypothesis profile (ci, dev, thorough)")
    parser.addini("conformance_timeout", default=str(DEFAULT_TIMEOUT),
                  help="seconds one request may take")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "requirement(*ids): SPEC.md requirement ids a conformance case checks"
    )
    profile = config.option.conformance_profile or config.getini("conformance_profile") or "ci"
    if profile not in profiles.PROFILES:
        raise pytest.UsageError(f"unknown profile {profile!r}; choose from {', '.join(profiles.PROFILES)}")
    if not getattr(config.option, "hypothesis_profile", None):
        profiles.load(profile)
    config.stash[PROFILE] = profile
    timeout = config.option.conformance_timeout or float(config.getini("conformance_timeout"))
    timeout = timeout if timeout > 0 else None  # 0: no bound
    names = config.option.conformance_adapters or config.getini("conformance_adapters") or []
    explicit = bool(names)
    transport = config.option.conformance_transport or transports.DEFAULT
    contexts: dict[str, AdapterContext] = {}
    for name in dict.fromkeys(names or ["reference"]):
        try:
            contexts[name] = AdapterContext(registry.load(name), timeout=timeout,
                                            transport=transport)
            contexts[name].observe = bool(config.getoption("conformance_observations", False))
        except (registry.UnknownAdapter, AdapterUnavailable, TransportUnsupported) as exc:
            for ctx in contexts.values():
                ctx.close()
            raise pytest.UsageError(str(exc)) from None
    config.stash[CONTEXTS] = contexts
    if explicit and config.args_source is not pytest.Config.ArgsSource.ARGS:
        config.args = [str(CASES_DIR)]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "conformance_adapter" in metafunc.fixturenames:
        names = list(metafunc.config.stash[CONTEXTS])
        metafunc.parametrize("conformance_adapter", names, indirect=True, scope="session", ids=names)


@pytest.fixture(scope="session")
def conformance_adapter(request: pytest.FixtureRequest) -> AdapterContext:
    return request.config.stash[CONTEXTS][request.param]


@pytest.fixture
def conformance(conformance_adapter: AdapterContext, request: pytest.FixtureRequest) -> Harness:
    harness = Harness(conformance_adapter, request.node.nodeid)
    harness.requirements = tuple(_requirements(request.node))
    request.node.stash[HARNESS] = harness
    return harness


def _requirements(item: pytest.Item) -> list[str]:
    ids: list[str] = []
    for mark in item.iter_markers("requirement"):
        ids.extend(mark.args)
    return ids


def _context(item: pytest.Item) -> AdapterContext | None:
    callspec = getattr(item, "callspec", None)
    if callspec is None or "conformance_adapter" not in callspec.params:
        return None
    return item.config.stash[CONTEXTS][callspec.params["conformance_adapter"]]


def pytest_runtest_setup(item: pytest.Item) -> None:
    reason = _not_applicable(item)
    if reason:
        pytest.skip(reason)


def _not_applicable(item: pytest.Item) -> str | None:
    ids, ctx = _requirements(item), _context(item)
    if not ids or ctx is None:
        return None
    needs = spec.requirement(ids[0]).needs
    if needs and needs not in ctx.adapter.capabilities:
        return not_applicable_reason(ctx.adapter, [needs])
    return transports.not_applicable(ctx.result.transport, ids[0])


def pytest_collection_finish(session: pytest.Session) -> None:
    """Issue 9: SERVER-006 mostly waits for a debug server; begin each selected check now, in
    the background, so that its wait overlaps the other cases (conformance/reloader.py)."""
    if session.config.option.collectonly or _is_worker(session.config):
        return  # an xdist worker runs the check inline: which worker gets the case is unknown
    for item in session.items:
        ctx = _context(item)
        if ctx and _requirements(item)[:1] == ["SERVER-006"] and not _not_applicable(item):
            reloader.start(session.config, ctx.adapter)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop every server the transports started (issue 10); each stop is bounded."""
    reloader.stop_all(config)
    for ctx in config.stash.get(CONTEXTS, {}).values():
        ctx.close()


def _not_met(exc: BaseException | None) -> list[RequirementNotMet]:
    if isinstance(exc, RequirementNotMet):
        return [exc]
    if isinstance(exc, BaseExceptionGroup):  # Hypothesis reports several distinct failures so
        return [e for sub in exc.exceptions for e in _not_met(sub)]
    return []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    report = yield
    ids, ctx = _requirements(item), _context(item)
    if ctx is None or not ids:
        return report
    if call.when == "setup" and report.skipped:
        ctx.result.get(ids[0]).add(Outcome.NOT_APPLICABLE, item.nodeid)
    harness = item.stash.get(HARNESS, None)
    if call.when != "call" or harness is None:
        return report
    exc = call.excinfo.value if call.excinfo else None
    failures = _not_met(exc)
    if exc is not None and not failures and not isinstance(exc, pytest.skip.Exception):
        detail = "".join(call.excinfo.exconly()) if call.excinfo else str(exc)
        outcome = Outcome.ERROR if isinstance(exc, HarnessError) else Outcome.FAIL
        harness.record(ids[0], outcome, detail)
    elif report.skipped:
        harness.record(ids[0], Outcome.NOT_APPLICABLE)
    if failures and all(f.outcome is Outcome.NON_STRICT for f in failures):
        report.outcome = "skipped"
        report.wasxfail = "non-strict (SHOULD): " + str(failures[0]).splitlines()[0]
    outcome = worst(harness.outcomes) if harness.outcomes else Outcome.NOT_APPLICABLE
    report.user_properties += [
        ("adapter", harness.adapter.name),
        ("requirement", " ".join(ids)),
        ("conformance_outcome", outcome.value),
    ]
    return report


# --- issue 9: pytest -n (xdist). Each worker sends its results to the controller, which merges
# them; only the controller prints the summary and writes --conformance-json. -------------------
WORKER_RESULTS = "wsgi_conformance_results"


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _is_worker(session.config):
        contexts = session.config.stash.get(CONTEXTS, {})
        session.config.workeroutput[WORKER_RESULTS] = json.dumps(  # type: ignore[attr-defined]
            {name: ctx.result.to_json() for name, ctx in contexts.items()})


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    sent = getattr(node, "workeroutput", {}).get(WORKER_RESULTS)
    if sent:
        contexts = node.config.stash.get(CONTEXTS, {})
        for name, data in json.loads(sent).items():
            if name in contexts:
                contexts[name].result.merge_json(data)
# --- end issue 9 -------------------------------------------------------------------------------------


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if _is_worker(config):
        return
    contexts = config.stash.get(CONTEXTS, {})
    for ctx in contexts.values():
        result = ctx.result
        if not result.requirements:
            continue
        totals = result.totals()
        terminalreporter.write_sep(
            "=", f"wsgi-conformance: {result.name} ({result.framework} {result.version})"
            + (f" over {result.transport}" if result.transport != transports.DEFAULT else ""))
        terminalreporter.write_line(
            " · ".join(f"{o.value} {totals.get(o, 0)}" for o in sorted(Outcome, key=lambda o: -o.rank))
        )
        for req_id, req in sorted(result.requirements.items()):
            outcome = req.outcome
            if outcome in (Outcome.PASS, Outcome.NOT_APPLICABLE):
                continue
            detail = req.observations[0] if outcome is Outcome.INFORMATIONAL and req.observations \
                else (req.failures[-1].get("actual") or req.failures[-1].get("detail", "")
                      if req.failures else "")
            terminalreporter.write_line(
                f"  {outcome.value.upper():<14}{req_id:<16}{spec.requirement(req_id).title[:60]}"
                + (f"  — {detail.splitlines()[0][:100]}" if detail.strip() else ""))
    path = config.option.conformance_json
    if path and contexts:
        write_json(Path(path), contexts)
        terminalreporter.write_line(f"wsgi-conformance results written to {path}")


def write_json(path: Path, contexts: dict[str, AdapterContext]) -> None:
    from conformance.results import SCHEMA_VERSION

    data = {
        "schema": SCHEMA_VERSION,
        "adapters": [ctx.result.to_json() for ctx in contexts.values()],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
