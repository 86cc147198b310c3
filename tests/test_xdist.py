"""``pytest -n 2`` (pytest-xdist) gives the same results as a serial run: every worker's results
reach the controller's JSON, each counted once."""

from __future__ import annotations

import pytest

pytest.importorskip("xdist", reason="pytest-xdist is not installed (pip install -e '.[all]')")


def test_parallel_run_merges_to_the_serial_results(run_suite):
    serial = run_suite("--adapter=reference", subprocess=True)
    parallel = run_suite("--adapter=reference", "-n", "2", subprocess=True)
    assert "created: 2/2 workers" in parallel.result.stdout.str() or \
        "2 workers" in parallel.result.stdout.str()
    kinds = ("passed", "failed", "skipped", "xfailed", "xpassed", "errors")  # not "deselected":
    # the observation corpus case is deselected once by the controller, not by each worker

    def outcomes(run):
        counts = run.result.parseoutcomes()
        return {k: counts.get(k, 0) for k in kinds}

    assert outcomes(parallel) == outcomes(serial) and outcomes(serial)["passed"] > 100
    s, p = serial.adapter("reference"), parallel.adapter("reference")
    assert s["requirements"], "the serial run recorded nothing"
    assert p["totals"] == s["totals"]
    for req_id, req in s["requirements"].items():
        merged = p["requirements"][req_id]
        assert merged["outcome"] == req["outcome"], req_id
        assert merged["cases"] == req["cases"], req_id
        # The reference passes every MUST: nothing is shrunk, so every check is made exactly
        # once in either run and the merged counts must equal the serial ones.
        assert merged["counts"] == req["counts"], req_id


def test_parallel_run_keeps_failures_and_their_evidence(run_suite):
    args = ("--adapter=adapters.reference.mutants:int_accepts_negatives", "-k", "CONV_INT")
    serial = run_suite(*args, subprocess=True)
    parallel = run_suite(*args, "-n", "2", subprocess=True)
    name = serial.data["adapters"][0]["adapter"]
    assert serial.findings(name).get("CONV-INT-003") == "fail"
    assert parallel.findings(name) == serial.findings(name)
    failures = parallel.adapter(name)["requirements"]["CONV-INT-003"]["failures"]
    assert failures and all("reproduction" in f for f in failures)


def test_parallel_run_compares_the_merged_results_with_a_baseline(run_suite, tmp_path):
    args = ("--adapter=bottle", "-k", "CONV_INT or CONV_FLOAT", f"--conformance-baseline={tmp_path / 'b.json'}")
    run_suite(*args, "-n", "2", "--conformance-update-baseline", subprocess=True)
    serial = run_suite(*args, subprocess=True)  # a baseline written from -n 2 matches a serial run
    assert "behaviour matches the baseline" in serial.result.stdout.str()
    assert "new: 0 · changed: 0 · fixed (stale): 0" in serial.result.stdout.str()
