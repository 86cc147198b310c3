"""Proof that the suite catches bugs: each mutant of the reference framework must be caught.

A mutant (``adapters/reference/mutants.py``) is the reference framework with one plausible
one-line bug. The suite runs once, in one pytester run, on the reference and on every mutant
(cases are parametrised per adapter, so this is far faster than one run per mutant); each mutant
must then come out ``fail`` or ``non-strict`` on at least one requirement it names as broken,
and the reference must stay clean.

Generated (Hypothesis) cases run only on the mutants in ``AWAITING_PROPERTIES`` in that run: the
fixed cases catch every mutant, and properties on 50-odd adapters would not fit the time budget.
``test_properties_alone_catch_and_shrink`` shows the generated cases catching routing mutants on
their own, each shrunk to a rule set of one or two rules and a single request.
"""

from __future__ import annotations

import difflib
import sys

import pytest

from adapters.reference import ReferenceAdapter
from adapters.reference import mutants as M
from conformance import registry, spec
from conformance.driver import call
from conformance.model import AppModel, Request, rule

# Mutants the fixed cases (conformance/cases/test_*.py) do not catch, left to the generated cases
# (xfail(strict=False) with the smallest fixed case that would catch each). Empty since REG-002
# checks the decorator's endpoint= and BUILD-001 round-trips 1e-05 and 1e16.
AWAITING_PROPERTIES: set[str] = set()
CATCHING_CASE: dict[str, str] = {}

CAUGHT = M.CAUGHT
ADAPTER_OPTION = "--adapter=adapters.reference.mutants:{}"
_SUITE_RUN = pytest.StashKey[object]()
_MISSING = object()


def applicable_mutants() -> list[M.Mutant]:
    """The mutants whose patch applies to the current source (the others fail their own test)."""
    out = []
    for mutant in M.MUTANTS:
        try:
            M.apply(mutant)
        except M.MutantError:
            continue
        out.append(mutant)
    return out


def suite_args(config: pytest.Config) -> list[str]:
    mutants = applicable_mutants()
    args = ["-q", "--tb=no", "--adapter=reference", *(ADAPTER_OPTION.format(m.name) for m in mutants)]
    # The generated cases in the "ci" Hypothesis profile: derandomized, 40 examples.
    if config.getoption("--conformance-profile", default=_MISSING) is not _MISSING:
        args.append("--conformance-profile=ci")
    else:  # conformance/profiles.py registers "ci" when imported; -p imports it before configure
        args += ["-p", "conformance.profiles", "--hypothesis-profile=ci"]
    # Generated cases only where a mutant waits for them; "]" ends the parametrize id, so the
    # expression selects exactly that adapter's items even if its name prefixes another's.
    awaiting = [f"mutants:{m.name}]" for m in mutants if m.name in AWAITING_PROPERTIES]
    args += ["-k", " or ".join(["not test_properties", *awaiting])]
    return args


def suite_run(request: pytest.FixtureRequest):
    """The one run of the suite on the reference and every mutant, shared by the tests below."""
    run = request.config.stash.get(_SUITE_RUN, None)
    if run is None:
        run = request.getfixturevalue("run_suite")(*suite_args(request.config))
        names = {a["adapter"] for a in run.data["adapters"]}
        expected = {"reference"} | {m.adapter_name for m in applicable_mutants()}
        assert expected <= names, (
            f"the suite run gave no results for {sorted(expected - names)}:\n"
            + "\n".join(run.result.outlines[-30:] + run.result.errlines[-30:]))
        request.config.stash[_SUITE_RUN] = run
    return run


# --- the mutants themselves (fast) -------------------------------------------------------------
def test_mutants_are_many_distinct_and_name_real_requirements():
    assert len(M.MUTANTS) >= 30
    names = [m.name for m in M.MUTANTS]
    assert len(set(names)) == len(names)
    patches = [(m.module, m.old, m.new) for m in M.MUTANTS]
    assert len(set(patches)) == len(patches), "two mutants are the same patch"
    known = set(spec.requirements())
    for m in M.MUTANTS:
        assert m.name.isidentifier(), m.name
        assert m.breaks and m.breaks <= known, (m.name, sorted(m.breaks - known))
        assert m.why, m.name
    assert AWAITING_PROPERTIES <= set(names)
    assert set(CATCHING_CASE) == AWAITING_PROPERTIES


@pytest.mark.parametrize("mutant", M.MUTANTS, ids=lambda m: m.name)
def test_patch_applies_and_mutant_builds_an_app(mutant):
    original = M.original_sources()
    patched = M.apply(mutant)  # raises MutantError if `old` is not there exactly once
    stem = mutant.module.removesuffix(".py")
    diff = [line for line in difflib.ndiff(original[stem].splitlines(), patched[stem].splitlines())
            if line[:1] in "+-"]
    assert len(diff) == 2 and diff[0].startswith("- ") and diff[1].startswith("+ "), diff
    assert {k for k in original if original[k] != patched[k]} == {stem}

    adapter_class = M.load_mutant(mutant.name)
    assert issubclass(adapter_class, ReferenceAdapter)
    assert adapter_class.name == f"mutant-{mutant.name}"
    assert adapter_class.framework == f"reference mutant {mutant.name}"
    package = sys.modules[adapter_class.framework_module]
    assert adapter_class.framework_module == f"{M.PACKAGE}.{mutant.name}"
    module = sys.modules[f"{package.__name__}.{stem}"]
    assert mutant.new in module.__loader__.get_source(module.__name__)
    assert f"mutant {mutant.name}" in module.__file__  # tracebacks say which copy this is

    adapter = adapter_class()
    model = AppModel.of(rule("/", "index"))
    assert f"from {M.PACKAGE}.{mutant.name} import App" in adapter.source(model)
    obs = call(adapter.make_app(model), Request("/"))
    assert obs.status == 200, obs.summary()


def test_reference_framework_is_left_alone():
    from adapters.reference import microframework

    M.load_mutant("int_unicode_digits")
    assert ReferenceAdapter.framework_module == "adapters.reference.microframework"
    assert sys.modules["adapters.reference.microframework"] is microframework
    assert microframework.converters.NumberConverter.digits == "[0-9]+"
    assert sys.modules[f"{M.PACKAGE}.int_unicode_digits.converters"].NumberConverter.digits == r"\d+"


def test_registry_loads_mutants_by_module_attribute():
    adapter = registry.load("adapters.reference.mutants:int_accepts_negatives")
    assert adapter.name == "mutant-int_accepts_negatives"
    assert adapter.framework_module == f"{M.PACKAGE}.int_accepts_negatives"
    with pytest.raises(registry.UnknownAdapter, match="mutants: add_url_rule_ignores_endpoint"):
        registry.load("adapters.reference.mutants:no_such_mutant")
    with pytest.raises(AttributeError):
        M.__getattr__("__wrapped__")


def test_mutant_reproduction_runs_on_its_own():
    """The reproduction a failure shows imports the mutant package in a fresh interpreter."""
    import subprocess
    from pathlib import Path

    model = AppModel.of(rule("/blog/<int:postID>", "blog"))
    code = M.load_mutant("int_accepts_negatives")().reproduction(model, Request("/blog/-1"))
    root = Path(M.__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("200 OK") and '"int", "-1"' in out.stdout, out.stdout


def test_a_stale_mutant_is_a_clear_error():
    stale = M.Mutant("stale", "converters.py", "this line is not there", "x", frozenset({"VAR-001"}), "")
    with pytest.raises(M.MutantError, match=r"occurs 0 times, not exactly once"):
        M.apply(stale)
    twice = M.Mutant("twice", "converters.py", "raise ValidationError(value)", "x", frozenset({"VAR-001"}), "")
    with pytest.raises(M.MutantError, match=r"occurs [2-9] times"):
        M.apply(twice)
    with pytest.raises(M.MutantError, match="no mutant 'nope'"):
        M.load_mutant("nope")


def test_score_counts_caught_mutants():
    a, b = M.MUTANTS[0], M.MUTANTS[1]
    req_a, req_b = sorted(a.breaks)[0], sorted(b.breaks)[0]
    outcomes = {a.adapter_name: {req_a: "non-strict"}, b.adapter_name: {req_b: "pass"}}
    assert M.score(outcomes, (a, b)) == (1, 2)
    assert M.score({}, (a, b)) == (0, 2)  # a mutant absent from the results is not caught
    as_json = {"adapters": [{"adapter": a.adapter_name,
                             "requirements": {req_a: {"outcome": "fail"}}}]}
    assert M.score(as_json, (a, b)) == (1, 2)
    assert M.score(as_json) == (1, len(M.MUTANTS))


# --- the suite on every mutant (one run) ---------------------------------------------------------
def _xfail_awaiting(mutant: M.Mutant):
    if mutant.name not in AWAITING_PROPERTIES:
        return pytest.param(mutant, id=mutant.name)
    reason = f"awaiting the generated cases; caught by: {CATCHING_CASE[mutant.name]}"
    return pytest.param(mutant, id=mutant.name, marks=pytest.mark.xfail(strict=False, reason=reason))


@pytest.mark.parametrize("mutant", [_xfail_awaiting(m) for m in M.MUTANTS])
def test_suite_catches_mutant(request, mutant):
    M.apply(mutant)  # a stale mutant fails here with the reason, not as "not caught"
    run = suite_run(request)
    outcomes = run.outcomes(mutant.adapter_name)
    if M.is_caught(mutant, outcomes):
        return
    named = {req: outcomes.get(req, "not run") for req in sorted(mutant.breaks)}
    others = {k: v for k, v in sorted(outcomes.items()) if v in CAUGHT | {"error"}}
    pytest.fail(
        f"mutant {mutant.name} ({mutant.module}: {mutant.old!r} -> {mutant.new!r}) is not caught.\n"
        f"  the bug: {mutant.why}\n"
        f"  it breaks {', '.join(sorted(mutant.breaks))}, which came out: {named}\n"
        f"  other findings on it: {others or 'none'}", pytrace=False)


def test_reference_is_clean_in_the_mutant_run(request):
    run = suite_run(request)
    bad = {k: v for k, v in run.outcomes("reference").items() if v in CAUGHT | {"error"}}
    assert bad == {}, {k: run.adapter("reference")["requirements"][k]["failures"][:1] for k in bad}


def test_readme_figure_mutants_caught_over_total(request):
    run = suite_run(request)
    caught, total = M.score(run.data)
    assert total == len(M.MUTANTS)
    per_mutant = sum(M.is_caught(m, run.outcomes(m.adapter_name)) for m in applicable_mutants())
    assert caught == per_mutant
    assert caught >= total - len(AWAITING_PROPERTIES)
    assert M.score(run.data) == M.score(M.outcomes_by_adapter(run.data))


# --- the generated cases on their own --------------------------------------------------------------
PROPERTY_MUTANTS = {
    "int_accepts_negatives": "CONV-INT-003",
    "static_ties_with_variable": "ROUTE-006",
    "head_returns_body": "METH-004",
}


def test_properties_alone_catch_and_shrink(run_suite):
    """Only the Hypothesis properties (no fixed case) run: each bug is found and shrunk."""
    names = [m.name for m in M.MUTANTS if m.name in PROPERTY_MUTANTS]
    assert sorted(names) == sorted(PROPERTY_MUTANTS)
    run = run_suite("-q", "--tb=no", "--conformance-profile=ci", "-k",
                    "test_routing_agrees and int] or test_ROUTE_precedence or test_METH_method",
                    *(ADAPTER_OPTION.format(n) for n in names))
    for name in names:
        req = PROPERTY_MUTANTS[name]
        result = run.adapter(f"mutant-{name}")["requirements"].get(req, {})
        assert result.get("outcome") in CAUGHT, (name, req, result.get("outcome"))
        evidence = [f for f in result["failures"] if "rules" in f][-1]
        assert len(evidence["rules"].splitlines()) <= 2, (name, evidence["rules"])
        assert "\n" not in evidence["request"], (name, evidence["request"])


def test_readme_states_the_current_figure():
    import re
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    stated = re.search(r"\*\*(\d+) of (\d+) mutants are caught\*\*", readme)
    assert stated, "README.md must state the mutants figure"
    assert (int(stated.group(1)), int(stated.group(2))) == (len(M.MUTANTS), len(M.MUTANTS))
