"""``wsgi-conformance diff`` (issue 8): the same questions on both sides, every changed answer
listed, nothing spurious.

A mutant of the reference framework (``adapters/reference/mutants.py``) stands in for "the new
version of a framework": the diff must list exactly the cases the mutant answers differently
(checked by asking both apps again), and two runs of one version must give an empty diff.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.reference import ReferenceAdapter
from adapters.reference import mutants as M
from conformance import cli, corpus, diff, observations, oracle
from conformance.driver import call
from conformance.harness import AdapterContext
from conformance.model import AppModel, Request, Rule, Static, Variable
from conformance.plugin import write_json

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = 60  # a small corpus keeps these tests quick; the recipe test uses the ci size
MUTANT = "path_stops_at_slash"  # the "new version": path matches one segment only


def record(adapter, path: Path, seed: int = 0, profile: str = "ci") -> dict:
    """What ``pytest --adapter=X --conformance-observations --conformance-json=path`` writes."""
    ctx = AdapterContext(adapter, timeout=10.0)
    observations.run_corpus(ctx, profile, seed, count=SCENARIOS)
    write_json(path, {adapter.name: ctx})
    return ctx.result.corpus


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("diff")
    paths = {"old": tmp / "old.json", "old-again": tmp / "old-again.json", "new": tmp / "new.json",
             "seed1": tmp / "seed1.json"}
    record(ReferenceAdapter(), paths["old"])
    record(ReferenceAdapter(), paths["old-again"])
    record(M.load_mutant(MUTANT)(), paths["new"])
    record(ReferenceAdapter(), paths["seed1"], seed=1)
    return paths


def test_same_seed_draws_the_same_corpus():
    a = corpus.draw_scenarios(ReferenceAdapter.capabilities, 30, 7)
    b = corpus.draw_scenarios(ReferenceAdapter.capabilities, 30, 7)
    c = corpus.draw_scenarios(ReferenceAdapter.capabilities, 30, 8)
    assert a == b
    assert a != c


def test_corpus_holds_what_routers_rewrite():
    """Issue 8, point 4: the scenarios include each kind of tricky rule set and request."""
    scenarios = corpus.draw_scenarios(ReferenceAdapter.capabilities, 200, 0)
    kinds = {k for k, _, _ in scenarios}
    assert kinds == set(corpus.KINDS)
    rules = [r for _, m, _ in scenarios for r in m.rules]
    requests = [q for _, _, qs in scenarios for q in qs]
    assert any(Static("") in r.segments for r in rules), "a rule written with '//'"
    assert any(isinstance(a, Variable) and isinstance(b, Variable)
               for r in rules for a, b in zip(r.segments, r.segments[1:])), "adjacent converters"
    assert any(isinstance(a, Variable) and a.converter == "path" and isinstance(b, Static)
               for r in rules for a, b in zip(r.segments, r.segments[1:])), "a path before a static part"
    assert any(len({r.werkzeug_path for r in m.rules}) < len(m.rules)
               and len({r.methods for r in m.rules}) > 1 for _, m, _ in scenarios), "methods per rule"
    assert any("//" in q.path for q in requests) and any(q.path.endswith("/") for q in requests)
    assert any(q.path.endswith("/12abc") or "/12abc/" in q.path for q in requests), "partial int"


def test_same_version_twice_is_an_empty_diff(runs, tmp_path, capsys):
    status = cli.main(["diff", str(runs["old"]), str(runs["old-again"]), "-o", str(tmp_path)])
    assert status == 0
    report = json.loads((tmp_path / "diff.json").read_text())
    assert report["adapters"][0]["changes"] == []
    assert report["adapters"][0]["compared"] > 300
    assert "No answer changed." in (tmp_path / "diff.md").read_text()


def test_diff_lists_exactly_the_changed_cases(runs, tmp_path):
    status = cli.main(["diff", str(runs["old"]), str(runs["new"]), "-o", str(tmp_path), "-q"])
    assert status == 1
    [result] = diff.diff_files(runs["old"], runs["new"])
    changed = {c.id for c in result.changes}
    assert changed, "path matching one segment only must change some answer"
    # Ask both frameworks again, independently of the recorded answers: the listed cases are
    # those, and only those, that the two versions answer differently.
    old_app, new_app = ReferenceAdapter(), M.load_mutant(MUTANT)()
    scenarios = corpus.draw_scenarios(ReferenceAdapter.capabilities, SCENARIOS, 0)
    differ = set()
    for _, model, requests in scenarios:
        a, b = old_app.make_app(model), new_app.make_app(model)
        for request in requests:
            if corpus.answer(call(a, request)) != corpus.answer(call(b, request)):
                differ.add(corpus.case_id(model, request))
    assert changed == differ
    groups = dict(result.by_requirement())
    assert "CONV-PATH-001" in groups
    # the reference meets SPEC.md everywhere: no change is a fix; those that are not regressions
    # are implementation-defined answers (IMPL) or HEAD requests, which the diff does not judge
    assert "fix" not in {c.verdict for c in result.changes}
    assert all(c.verdict == "regression" for c in groups["CONV-PATH-001"])
    example = groups["CONV-PATH-001"][0]
    assert example.old.get("status") == 200 and example.new.get("status") == 404
    assert len(example.rules.splitlines()) <= corpus.MAX_RULES
    # in a rule set of several rules, the rule that changes by itself is named: a path rule
    reduced = [c for c in result.changes if c.several and c.minimal]
    assert reduced and all("<path:" in c.minimal for c in reduced)
    md = (tmp_path / "diff.md").read_text()
    assert "SPEC.md#CONV-PATH-001" in md and "regression" in md
    html = (tmp_path / "diff.html").read_text()
    assert f'id="case-{example.id}"' in html and "SPEC.md#CONV-PATH-001" in html


def test_different_seeds_are_refused(runs, tmp_path, capsys):
    status = cli.main(["diff", str(runs["old"]), str(runs["seed1"]), "-o", str(tmp_path)])
    assert status == 2
    err = capsys.readouterr().err
    assert "asked different questions" in err and "seed: 0 vs 1" in err


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    ("{not json", "not a JSON file"),
    ('{"x": 1}', "not a wsgi-conformance results file"),
    ('{"schema": 1, "adapters": [{"adapter": "flask", "requirements": {}}]}',
     "--conformance-observations"),
])
def test_bad_input_exits_2(runs, tmp_path, capsys, content, message):
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content)
    assert cli.main(["diff", str(bad), str(runs["old"]), "-o", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err


def test_unknown_adapter_names_the_ones_present(runs, tmp_path, capsys):
    assert cli.main(["diff", str(runs["old"]), str(runs["old"]), "--adapter", "flask",
                     "-o", str(tmp_path)]) == 2
    assert "it has: reference" in capsys.readouterr().err


def test_answers_are_free_of_run_to_run_noise():
    model = AppModel.of(Rule((Static("a"), Variable("x", "int")), "e0"))
    app = ReferenceAdapter().make_app(model)
    ans = corpus.answer(call(app, Request("/a/5")))
    assert ans == {"status": 200, "endpoint": "e0", "args": {"x": ["int", "5"]}}
    assert corpus.describe(ans) == "200 e0(x=int 5)"
    # an object address in an error is masked
    class Obs:
        request, status, timed_out, violations = Request("/"), None, False, ()
        error = "Traceback ...\nValueError: <object at 0x7f12ab34cd>"
    assert corpus.answer(Obs())["error"] == "ValueError: <object at 0x…>"


def test_recipe_two_runs_then_diff(tmp_path):
    """The README recipe, one command per "version" (here: two processes, two hash seeds), then
    diff: the full ci-size corpus, as users run it."""
    outs = {}
    for name, adapter, hashseed in (("old", "reference", "1"), ("same", "reference", "2"),
                                    ("new", "adapters.reference.mutants:slash_rule_served_without_slash", "3")):
        outs[name] = tmp_path / f"{name}.json"
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", f"--adapter={adapter}",
             "--conformance-observations", f"--conformance-json={outs[name]}", "-k", "observation_corpus"],
            cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": hashseed}, capture_output=True, text=True,
            timeout=300)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert outs["old"].stat().st_size < 5_000_000
    run = [sys.executable, "-m", "conformance", "diff", "-o", str(tmp_path / "d")]
    same = subprocess.run(run + [str(outs["old"]), str(outs["same"])], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert same.returncode == 0, same.stdout + same.stderr
    changed = subprocess.run(run + [str(outs["old"]), str(outs["new"])], cwd=ROOT, capture_output=True,
                             text=True, timeout=120)
    assert changed.returncode == 1, changed.stdout + changed.stderr
    assert "CANON-" in changed.stdout


def test_corpus_ignores_what_modules_are_loaded(tmp_path, monkeypatch):
    """Hypothesis mixes constants of loaded local modules into its draws; apps built by earlier
    cases, or another framework version, load other modules: the corpus must not depend on that."""
    before = corpus.draw_scenarios(ReferenceAdapter.capabilities, 20, 3)
    module = tmp_path / "wsgi_conformance_noise.py"
    module.write_text("NOISE = " + repr([f"k{i}x" for i in range(200)] + list(range(1000, 1200))) + "\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    importlib.import_module("wsgi_conformance_noise")
    try:
        assert corpus.draw_scenarios(ReferenceAdapter.capabilities, 20, 3) == before
    finally:
        sys.modules.pop("wsgi_conformance_noise", None)
