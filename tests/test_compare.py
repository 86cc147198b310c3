"""``wsgi-conformance compare`` end to end: subprocesses, progress, reports, exit status, interruption.

The runs are limited to a few hand-written cases (``-- -k ...``, passed through to pytest) so the
tests stay fast; what is compared is the real thing.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conformance import cli
from conformance.compare import AdapterRun, Progress
from conformance.report import document

CASES = "TUT_001 or TUT_004 or BUILD_002_values_are_quoted or CONV_INT_005 or CONV_INT_004"

SLOW_ADAPTER = """
    import time
    from adapters.reference import ReferenceAdapter

    class SlowAdapter(ReferenceAdapter):
        name = "slow"
        framework = "Slow"

        def make_app(self, model):
            time.sleep(60)
            return super().make_app(model)
"""


def compare(tmp_path: Path, *args: str, wait: bool = True, **kw):
    (tmp_path / "slowadapter.py").write_text(textwrap.dedent(SLOW_ADAPTER), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(tmp_path), COLUMNS="120")
    cmd = [sys.executable, "-m", "conformance", "compare", "--output", str(tmp_path / "out"), *args]
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, encoding="utf-8", **kw)
    if not wait:
        return proc
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out, err


def load(tmp_path: Path) -> dict:
    return document.load(tmp_path / "out" / "results.json")


def adapter(doc: dict, name: str) -> dict:
    return next(a for a in doc["adapters"] if a["adapter"] == name)


def test_compare_reference_and_bottle(tmp_path):
    pytest.importorskip("bottle")
    ret, out, err = compare(tmp_path, "--adapter", "reference", "--adapter", "bottle",
                            "--hypothesis-seed", "7", "--", "-k", CASES)
    assert ret == 1, err  # Bottle fails a MUST
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["index.html", "results.json", "summary.md"]
    doc = load(tmp_path)
    assert doc["schema"] == document.SCHEMA and doc["run"]["finished"] is True
    assert doc["run"]["seed"] == "7" and doc["run"]["transport"] == "wsgi"
    assert doc["run"]["pytest_args"] == ["-k", CASES]
    assert doc["run"]["command"].startswith("python -m conformance compare --output ")
    ref, bottle = adapter(doc, "reference"), adapter(doc, "bottle")
    assert ref["status"] == bottle["status"] == "finished"
    assert bottle["framework"] == "Bottle" and bottle["version"].startswith("0.13")
    assert "--hypothesis-seed=7" in bottle["command"]
    assert set(ref["counts"]) <= {"pass", "informational"}
    b002 = bottle["requirements"]["BUILD-002"]
    assert b002["outcome"] == "fail" and b002["level"] == "MUST"
    assert b002["counterexample"]["request"].startswith("GET /hello/a")
    assert "import bottle" in b002["counterexample"]["reproduction"]
    assert bottle["requirements"]["CONV-INT-005"]["outcome"] == "non-strict"
    assert bottle["requirements"]["CONV-INT-005"]["answer"].startswith("200 int ")
    assert doc["verdict"] == {"exit_status": 1, "fail_on": "must", "failures": {"bottle": ["BUILD-002"]},
                              "errors": {}, "unfinished": []}
    # progress on stderr, summary on stdout
    assert "[1/2] reference: running" in err and "[2/2] bottle (Bottle 0.13" in err
    assert re.search(r"bottle +\d+/14 +(BUILD|CONV|TUT)", err)  # done/total of the selected cases
    assert "MUST/MAY failed: BUILD-002" in out
    summary = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    assert "| [BUILD-002](" in summary and "❌ fail" in summary and "## Differences only" in summary
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'data-key="bottle:BUILD-002"' in page


def test_fail_on_never_and_an_unknown_adapter_is_an_error(tmp_path):
    ret, out, err = compare(tmp_path, "--adapter", "reference", "--adapter", "nosuch",
                            "--fail-on", "never", "--", "-k", "TUT_001")
    assert ret == 0
    doc = load(tmp_path)
    assert adapter(doc, "reference")["status"] == "finished"
    bad = adapter(doc, "nosuch")
    assert bad["status"] == "error" and "unknown adapter 'nosuch'" in bad["error"]
    assert doc["verdict"]["errors"]["nosuch"] and doc["verdict"]["failures"] == {}
    ret, out, err = compare(tmp_path, "--adapter", "nosuch", "-q")
    assert ret == 1 and "harness error: unknown adapter 'nosuch'" in out and err == ""


def test_timeout_is_a_harness_error(tmp_path):
    # The limit covers the whole adapter run, pytest start-up included: 8 s leaves a loaded machine
    # room to reach the first case (2 s did not), and the slow case still sleeps far longer.
    ret, out, err = compare(tmp_path, "--adapter", "slowadapter:SlowAdapter", "--adapter", "reference",
                            "--timeout", "8", "--", "-k", "TUT_001 or TUT_002")
    assert ret == 1
    doc = load(tmp_path)
    slow = adapter(doc, "slowadapter:SlowAdapter")
    assert slow["status"] == "error" and slow["error"].startswith("timed out after 8 s, during ")
    assert slow["requirements"]["TUT-001"]["outcome"] == "error"
    assert doc["verdict"]["failures"] == {} and "slowadapter:SlowAdapter" in doc["verdict"]["errors"]
    assert adapter(doc, "reference")["status"] == "finished"  # the next adapter still ran


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")
def test_interrupted_comparison_keeps_what_finished(tmp_path):
    proc = compare(tmp_path, "--adapter", "reference", "--adapter", "slowadapter:SlowAdapter",
                   "--adapter", "flask", "--", "-k", "TUT_001", wait=False)
    results = tmp_path / "out" / "results.json"
    deadline = time.monotonic() + 120
    ref: dict = {}
    while time.monotonic() < deadline:  # wait until reference is written and slow is running
        if results.exists():
            ref = adapter(json.loads(results.read_text("utf-8")), "reference")
            if ref["status"] not in ("pending", "running"):
                break
        time.sleep(0.1)
    if ref.get("status") != "finished":
        proc.kill()
        pytest.fail(f"reference did not finish: {ref.get('status')}: {ref.get('error')}")
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    doc = load(tmp_path)
    assert doc["run"]["finished"] is False
    assert adapter(doc, "reference")["status"] == "finished"
    assert adapter(doc, "slowadapter:SlowAdapter")["status"] == "interrupted"
    assert adapter(doc, "flask")["status"] == "interrupted"
    assert adapter(doc, "flask")["error"] == "not started: the comparison was interrupted"
    assert doc["verdict"]["unfinished"] == ["slowadapter:SlowAdapter", "flask"]
    assert "did not finish: slowadapter:SlowAdapter, flask" in out
    summary = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    assert "**Did not finish:**" in summary
    assert not list((tmp_path / "out").glob("*.tmp"))  # atomic writes left nothing behind


def test_progress_is_parsed_from_verbose_output(tmp_path):
    import io

    stream = io.StringIO()
    entry = document.pending_adapter("bottle")
    job = AdapterRun(entry, [], tmp_path / "x.json", Progress(stream), 1, 1, None)
    job.feed("hypothesis profile 'ci' -> database=None\ncollecting ... collected 157 items / 150 deselected / 7 selected\n")
    job.feed("conformance/cases/test_conv.py::test_CONV_INT_003_int_rejects_negatives[bottle--1] ")
    assert job.current.endswith("[bottle--1]") and job.requirement == "CONV-INT-003" and job.done == 0
    job.feed("FAILED\nconformance/cases/test_build.py::test_BUILD_002_values_are_quoted[bottle-a b] PASSED\n")
    assert (job.total, job.done, job.requirement, job.profile) == (7, 2, "BUILD-002", "ci")
    job.feed("=================================== FAILURES ===================================\n"
             "conformance/cases/test_uni.py::test_UNI_001_x[bottle] PASSED\n")
    assert job.done == 2  # the failure report is not progress
    assert "CONV" in stream.getvalue() and "BUILD" in stream.getvalue()


def test_cli_lists_compare_and_rejects_bad_selection(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--help"])
    assert exc.value.code == 0
    assert "compare" in capsys.readouterr().out
    assert cli.main(["compare", "--conformance-select", "NOPE-*", "--adapter", "reference"]) == 2
    assert "matches no requirement" in capsys.readouterr().err
