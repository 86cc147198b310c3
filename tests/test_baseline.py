"""Baselines: known divergences are expected failures; a new one, or a stale entry, fails the run.

The runs use a few hand-written Bottle cases (``-k``) so the tests stay fast: one MUST failure
(BUILD-002), two SHOULD failures (CONV-INT-005, CONV-FLOAT-004) and passing tutorial cases.
"""

from __future__ import annotations

import json
import textwrap

import pytest

from conformance.baseline import SCHEMA, Baseline, BaselineError, Entry
from conformance.plugin import CASES_DIR

pytest.importorskip("bottle")

CASES = "BUILD_002_values_are_quoted or CONV_INT_005 or CONV_FLOAT_004 or TUT_001 or TUT_002"
DIVERGENCES = {"BUILD-002": "fail", "CONV-INT-005": "non-strict", "CONV-FLOAT-004": "non-strict"}


CASE_FILES = [str(CASES_DIR / f) for f in ("test_build.py", "test_conv.py", "test_tutorial.py")]


@pytest.fixture
def run(pytester):
    def run(*args: str, k: str | None = CASES) -> pytest.RunResult:
        extra = ["-k", k, *CASE_FILES] if k else []
        return pytester.runpytest_inprocess("-p", "no:cacheprovider", "-rxX", *extra, *args)
    return run


@pytest.fixture
def baselined(pytester):
    """The baseline ``--conformance-update-baseline`` writes for these cases (see the first test)."""
    path = pytester.path / ".wsgi-conformance-baseline.json"
    path.write_text(Baseline({"bottle": {k: Entry(v) for k, v in DIVERGENCES.items()}},
                             {"bottle": "Bottle 0.13.4"}).dumps(), encoding="utf-8")
    return path


def entries(path, adapter="bottle") -> dict:
    return json.loads(path.read_text(encoding="utf-8"))["adapters"][adapter]["requirements"]


def edit(path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data["adapters"]["bottle"]["requirements"])
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def test_update_writes_a_reviewable_baseline(pytester, run):
    path = pytester.path / "new-baseline.json"
    result = run("--adapter=bottle", f"--conformance-baseline={path}", "--conformance-update-baseline")
    assert result.ret == 0  # updating absorbs the divergences
    assert {k: v["outcome"] for k, v in entries(path).items()} == DIVERGENCES
    text = path.read_text(encoding="utf-8")
    assert json.loads(text)["schema"] == SCHEMA
    lines = text.splitlines()
    # one entry per line, each line readable on its own
    for rid, outcome in DIVERGENCES.items():
        line = next(line for line in lines if line.strip().startswith(f'"{rid}"'))
        assert json.loads("{" + line.strip().rstrip(",") + "}")[rid]["outcome"] == outcome
    assert '"framework": "Bottle 0.13' in text
    result.stdout.fnmatch_lines(["*wsgi-conformance baseline: *(updated)*"])


def test_baselined_run_passes_with_xfails(baselined, run):
    path = baselined
    result = run("--adapter=bottle", f"--conformance-baseline={path}")
    assert result.ret == 0, result.stdout.str()
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes["xfailed"] >= 5
    result.stdout.fnmatch_lines(["*behaviour matches the baseline*"])
    result.stdout.fnmatch_lines(["*XFAIL*BUILD_002*baselined: BUILD-002*"])


def test_reason_is_shown_and_kept_by_update(baselined, run):
    path = baselined

    def annotate(reqs):
        reqs["BUILD-002"].update(reason="get_url leaves ? and # unquoted",
                                 link="https://github.com/bottlepy/bottle/issues/1")
        reqs["BUILD-002"]["owner"] = "web team"  # a field of one's own is kept too
        del reqs["CONV-INT-005"]
    edit(path, annotate)
    result = run("--adapter=bottle", f"--conformance-baseline={path}", "--conformance-update-baseline")
    assert result.ret == 0
    assert entries(path)["BUILD-002"] == {"outcome": "fail", "reason": "get_url leaves ? and # unquoted",
                                          "link": "https://github.com/bottlepy/bottle/issues/1",
                                          "owner": "web team"}
    assert entries(path)["CONV-INT-005"] == {"outcome": "non-strict"}  # re-recorded
    result = run("--adapter=bottle", f"--conformance-baseline={path}")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*XFAIL*baselined: BUILD-002 get_url leaves ? and # unquoted*"])


@pytest.mark.parametrize("removed, level", [("BUILD-002", "MUST"), ("CONV-INT-005", "SHOULD")])
def test_removed_entry_is_a_new_failure(baselined, run, removed, level):
    path = baselined
    edit(path, lambda reqs: reqs.pop(removed))
    result = run("--adapter=bottle", f"--conformance-baseline={path}")
    assert result.ret == 1
    assert result.parseoutcomes()["failed"] >= 1  # the case itself fails, SHOULD included
    result.stdout.fnmatch_lines([
        f"*{removed}*is not in the baseline*",
        f"*NEW*bottle {removed} ({level}): * not in the baseline (new divergence)*",
        "*the baseline does not match this run*",
    ])


def test_stale_entry_fails_the_run(baselined, run):
    path = baselined
    edit(path, lambda reqs: reqs.update({"TUT-001": {"outcome": "fail", "reason": "was broken"}}))
    result = run("--adapter=bottle", f"--conformance-baseline={path}")
    assert result.ret == 1
    assert result.parseoutcomes().get("failed", 0) == 0  # every case is fine; the baseline is not
    result.stdout.fnmatch_lines(["*FIXED*bottle TUT-001 (MUST): now pass: fixed (stale entry)*"])


def test_unknown_and_unselected_entries(baselined, run):
    path = baselined
    edit(path, lambda reqs: reqs.update({"ROUTE-999": {"outcome": "fail"},  # not in SPEC.md: stale
                                         "UNI-004": {"outcome": "non-strict"}}))  # not run: left alone
    result = run("--adapter=bottle", f"--conformance-baseline={path}")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*STALE*bottle ROUTE-999: not a requirement in SPEC.md (stale entry)*"])
    assert "UNI-004" not in result.stdout.str().split("wsgi-conformance baseline:")[1]


def test_changed_outcome_fails(baselined, run):
    path = baselined
    edit(path, lambda reqs: reqs["BUILD-002"].update(outcome="non-strict"))
    result = run("--adapter=bottle", f"--conformance-baseline={path}")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*CHANGED*bottle BUILD-002 (MUST): fail, baselined as non-strict*"])


GENERATED = """
    from hypothesis import HealthCheck, given, settings, strategies as st
    from conformance.harness import requirement
    from conformance.model import AppModel, Request, rule
    from conformance.verdict import found, not_found
    from conformance.handlers import typed

    BLOG = AppModel.of(rule("/blog/<int:postID>", "blog"))

    @requirement("CONV-INT-003")
    @settings(max_examples=10, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(n=st.integers(min_value=1, max_value=10**6))
    def test_CONV_INT_003_generated(conformance, n):
        {body}
"""
PROVE = """
    from hypothesis import strategies as st
    from conformance.harness import requirement
    from conformance.model import AppModel, Request, rule
    from conformance.properties import prove
    from conformance.verdict import not_found

    BLOG = AppModel.of(rule("/blog/<int:postID>", "blog"))

    @requirement("CONV-INT-003")
    def test_CONV_INT_003_property(conformance):
        prove(conformance, st.integers(min_value=1, max_value=10**6),
              lambda n: conformance.check(BLOG, Request(f"/blog/-{n}"), not_found("CONV-INT-003")))
"""
NEGATIVE = 'conformance.check(BLOG, Request(f"/blog/-{n}"), not_found("CONV-INT-003"))'
POSITIVE = 'conformance.check(BLOG, Request(f"/blog/{n}"), found("CONV-INT-003", "blog", {"postID": typed(n)}))'


def test_failure_only_from_generated_cases_is_not_stale(pytester, run):
    """A Hypothesis-only failure that does not reproduce is 'not observed', not 'fixed'."""
    pytester.makepyfile(test_gen_fails=textwrap.dedent(GENERATED).format(body=NEGATIVE))
    pytester.makepyfile(test_gen_passes=textwrap.dedent(GENERATED).format(body=POSITIVE))
    path = pytester.path / "baseline.json"
    result = run("--adapter=bottle", "test_gen_fails.py", f"--conformance-baseline={path}",
                 "--conformance-update-baseline", k=None)
    assert result.ret == 0
    assert entries(path) == {"CONV-INT-003": {"outcome": "fail", "generated": True}}
    # this run's generated cases do not find it: not observed, the run passes, the entry stays
    result = run("--adapter=bottle", "test_gen_passes.py", f"--conformance-baseline={path}", k=None)
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(["*NOT OBSERVED*bottle CONV-INT-003 (MUST): not observed this run*"])
    run("--adapter=bottle", "test_gen_passes.py", f"--conformance-baseline={path}",
        "--conformance-update-baseline", k=None)
    assert "CONV-INT-003" in entries(path)
    # the same entry from a hand-written case is stale
    edit(path, lambda reqs: reqs["CONV-INT-003"].pop("generated"))
    result = run("--adapter=bottle", "test_gen_passes.py", f"--conformance-baseline={path}", k=None)
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*FIXED*bottle CONV-INT-003*fixed (stale entry)*"])


def test_property_runner_cases_count_as_generated(pytester, run):
    """Cases that run Hypothesis inside (conformance.properties.prove) are generated too."""
    pytester.makepyfile(test_prove=textwrap.dedent(PROVE))
    path = pytester.path / "baseline.json"
    result = run("--adapter=bottle", "test_prove.py", f"--conformance-baseline={path}",
                 "--conformance-update-baseline", k=None)
    assert result.ret == 0, result.stdout.str()
    assert entries(path) == {"CONV-INT-003": {"outcome": "fail", "generated": True}}


def test_selection_by_id_and_glob(run):
    result = run("--adapter=bottle", "--conformance-select", "TUT-*", "--conformance-select", "conv_int_003",
                 "--collect-only", "-q", k="not properties")
    assert result.ret == 0
    ids = [line for line in result.stdout.lines if "::" in line]
    assert ids and all("test_TUT_" in i or "test_CONV_INT_003" in i for i in ids), ids
    assert any("test_TUT_006" in i for i in ids) and any("test_CONV_INT_003" in i for i in ids)
    assert "wsgi-conformance" not in result.stdout.str().split("collected")[1]  # nothing ran


def test_selection_that_matches_nothing_is_a_usage_error(run):
    result = run("--adapter=bottle", "--conformance-select", "CONV-NOPE-*", k=None)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--conformance-select 'CONV-NOPE-[*]' matches no requirement in SPEC.md*"])


def test_bad_baseline_files_are_usage_errors(pytester, run):
    result = run("--adapter=bottle", "--conformance-baseline=missing.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*baseline missing.json does not exist; create it with --conformance-update-baseline*"])
    (pytester.path / "bad.json").write_text('{"schema": "wsgi-conformance-baseline/1",\n "adapters": {,}}')
    result = run("--adapter=bottle", "--conformance-baseline=bad.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*bad.json:2:*not valid JSON*"])
    result = run("--adapter=bottle", "--conformance-update-baseline")
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_baseline_file_round_trip():
    b = Baseline({"flask": {"UNI-004": Entry("non-strict", reason="Werkzeug replaces invalid UTF-8")},
                  "bottle": {}}, {"flask": "Flask 3.1.3", "bottle": "Bottle 0.13.4"})
    text = b.dumps()
    assert Baseline.parse(text).dumps() == text
    assert text.index('"bottle"') < text.index('"flask"')  # sorted: stable diffs
    with pytest.raises(BaselineError, match="must be \"fail\" or \"non-strict\""):
        Baseline.parse(text.replace('"non-strict"', '"pass"'))
    with pytest.raises(BaselineError, match="not a wsgi-conformance baseline"):
        Baseline.parse("{}")


def test_a_changed_behaviour_against_its_own_baseline_fails_naming_it(pytester, run):
    """The reference's baseline is clean; the same framework with one behaviour changed (a mutant
    of it, under the baselined name) fails the run, naming the requirement that changed."""
    path = pytester.path / "reference-baseline.json"
    clean = run("--adapter=reference", f"--conformance-baseline={path}", "--conformance-update-baseline",
                k="CONV_INT")
    assert clean.ret == 0
    name = "adapters.reference.mutants:int_accepts_negatives"  # baselines key adapters as --adapter names them
    data = json.loads(path.read_text(encoding="utf-8"))
    data["adapters"] = {name: data["adapters"].get("reference", {"requirements": {}})}
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    result = run(f"--adapter={name}", f"--conformance-baseline={path}", k="CONV_INT")
    assert result.ret == 1
    result.stdout.fnmatch_lines([f"*NEW*{name} CONV-INT-003 (MUST): * not in the baseline (new divergence)*"])
