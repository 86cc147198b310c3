"""Helpers for running the conformance suite inside the suite's own tests."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

# The project root on sys.path, so that adapters in the suite's own tests can be named
# ``tests.hostile:SleepForever`` from pytester's working directory as from the command line.
ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


class SuiteRun:
    def __init__(self, result: pytest.RunResult, data: dict):
        self.result = result
        self.data = data

    def adapter(self, name: str) -> dict:
        return next(a for a in self.data["adapters"] if a["adapter"] == name)

    def outcomes(self, name: str) -> dict[str, str]:
        return {k: v["outcome"] for k, v in self.adapter(name)["requirements"].items()}

    def findings(self, name: str) -> dict[str, str]:
        """Every requirement whose outcome is not plain pass / not applicable."""
        return {k: v for k, v in self.outcomes(name).items() if v not in ("pass", "not-applicable")}

    def assert_findings(self, name: str, findings: dict[str, str], header: str | None = None) -> None:
        """Exactly these findings; exit status 1 when one is a failure (0 otherwise); the terminal
        summary names the adapter (``header``: a sharper pattern for that line)."""
        assert self.findings(name) == findings
        assert self.result.ret == (1 if "fail" in findings.values() else 0)
        self.result.stdout.fnmatch_lines([header or f"*wsgi-conformance: {name} *"])


@pytest.fixture
def run_suite(pytester: pytest.Pytester):
    """Run the conformance cases with the given pytest arguments: in-process (fast), or in a
    subprocess with ``subprocess=True`` where a case must not see what earlier runs left behind
    in this process (frameworks' module-level state, Hypothesis' global state)."""

    def run(*args: str, subprocess: bool = False) -> SuiteRun:
        out = Path(pytester.path) / "results.json"
        runner = pytester.runpytest_subprocess if subprocess else pytester.runpytest_inprocess
        result = runner("-p", "no:cacheprovider", f"--conformance-json={out}", *args)
        data = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {"adapters": []}
        return SuiteRun(result, data)

    return run
