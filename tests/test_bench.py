"""``wsgi-conformance bench``: a quick run on the reference adapter gives a complete, consistent
table. Speed targets live in the benchmark's own figures, not in timed tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conformance import cli
from conformance.driver import call, call_many
from conformance.model import Request
from tests.hostile import SleepForever  # noqa: F401  (an app that hangs: see the timeout test)


def test_quick_bench_writes_a_consistent_table(tmp_path: Path):
    proc = subprocess.run(
        [sys.executable, "-m", "conformance", "bench", "--adapter", "reference", "--quick",
         "--output", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    data = json.loads((tmp_path / "bench.json").read_text(encoding="utf-8"))
    assert data["schema"] == "wsgi-conformance-bench/1" and data["machine"]["cpus"]
    [ref] = data["adapters"]
    assert ref["adapter"] == "reference"
    t = ref["throughput"]
    assert t["apps"] > 0 and t["requests"] >= t["apps"] and t["raw_calls"] >= t["requests"]
    assert t["floor_rps"] > 0 and t["suite_rps"] > 0
    assert 0 < t["ratio"] and 0 < t["ratio_cpu"] and t["rounds"] >= 3
    assert all(v >= 0 for v in t["breakdown_us"].values()) and t["breakdown_us"]["oracle"] > 0
    assert t["requests_not_met"] == 0  # the reference meets every requirement it is asked
    assert ref["generated"]["requests"] > 0 and ref["naive"]["examples"] > 0
    assert ref["targets"]["over_naive"] == ref["generated"]["rps"] / ref["naive"]["rps"]
    scal = ref["scalability"]
    for size in ("1", "10", "100"):
        assert scal[size]["build_ms"] > 0 and scal[size]["request_us"] > 0
    assert scal["growth"]["rules"] == [1, 100]
    assert ref["peak_rss_mib"] > 10
    table = (tmp_path / "bench.md").read_text(encoding="utf-8")
    assert "| reference (reference" in table and "Routing scalability" in table
    assert table in proc.stdout


def test_bench_names_the_available_adapters_for_an_unknown_one(tmp_path: Path, capsys):
    assert cli.main(["bench", "--adapter", "nope", "--quick", "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "nope" in err and "reference" in err


def _app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["PATH_INFO"].encode("latin-1")]


def test_call_many_answers_like_call():
    requests = [Request(f"/a{i}", "GET") for i in range(5)]
    many = call_many(_app, requests, timeout=5.0)
    assert [o.body for o in many] == [call(_app, r, timeout=5.0).body for r in requests]
    assert [o.body for o in many] == [f"/a{i}".encode() for i in range(5)]


def test_call_many_bounds_each_request_and_goes_on_after_a_timeout():
    def app(environ, start_response):
        if environ["PATH_INFO"] == "/hang":
            import time
            for _ in range(400):  # 4 s in short sleeps: interruptible
                time.sleep(0.01)
        return _app(environ, start_response)

    reqs = [Request("/a", "GET"), Request("/hang", "GET"), Request("/b", "GET")]
    obs = call_many(app, reqs, timeout=0.3)
    assert [o.timed_out for o in obs] == [False, True, False]
    assert obs[2].body == b"/b" and "timed out after 0.3 s" in obs[1].error
    # After max_timeouts in a row the rest is not sent: the list is shorter.
    obs = call_many(app, [Request("/hang", "GET")] * 3, timeout=0.2, max_timeouts=2)
    assert len(obs) == 2 and all(o.timed_out for o in obs)


def test_compare_scalability_row(tmp_path: Path):
    proc = subprocess.run(
        [sys.executable, "-m", "conformance", "compare", "--adapter", "reference", "--scalability",
         "-q", "--output", str(tmp_path), "--", "-k", "TUT_001"],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    doc = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    scal = doc["adapters"][0]["scalability"]
    assert scal["growth"]["rules"] == [1, 1000] and scal["1000"]["build_ms"] > scal["1"]["build_ms"]
    assert "Routing scalability" in (tmp_path / "summary.md").read_text(encoding="utf-8")
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Routing scalability" in html and "1000 rules:" in html
