"""``wsgi-conformance bench``: how many requests the suite checks per second, next to what the
framework alone could answer, measured side by side in one run.

Per adapter, on the *same* generated apps and requests:

- **floor**: raw ``app(environ, start_response)`` calls (environ prebuilt, body read, closed);
- **suite**: the whole harness path the generated cases take (``Harness.check_all``): environ
  building, the WSGI call under the per-request timeout, PEP 3333 validation, the oracle,
  comparison and recording; every response is validated;
- **suite + generation**: the same inside a real ``@given`` run, Hypothesis drawing included;
- **naive**: one ``@given`` example = one app build + one WebTest request with lint;
- app build time for rule sets of 1, 10, 100 and 1000 rules, the cost of one request on each
  (routing scalability), and peak resident memory.

Each adapter runs in its own process (its peak memory is its own; one framework's import cannot
touch another's figures). The machine is usually shared: rates are noisy, so floor and suite are
timed in alternating rounds and the best round of each is kept; ratios are the figures to read.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from statistics import median
from typing import Any, Callable

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conformance import oracle, profiles, registry
from conformance import strategies as gen
from conformance.driver import call_many, environ_for
from conformance.harness import AdapterContext, Harness
from conformance.model import AppModel, Request

SIZES = (1, 10, 100, 1000)
TARGETS = {"flask": 0.5}  # suite/floor targets (issue 9); every other adapter: DEFAULT_TARGET
DEFAULT_TARGET = 0.25
NAIVE_TARGET = 3.0
TIMEOUT = 10.0  # the plugin's default per-request timeout: the suite path runs under it


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "bench",
        help="measure the suite's throughput against the framework's own (floor) and a naive test",
        description="Per adapter, in its own process: raw WSGI calls per second (floor), requests "
                    "checked per second through the harness (suite), their ratio, a naive "
                    "Hypothesis+WebTest baseline, app build time for 1-1000 rules, the cost of a "
                    "request as the app grows, and peak memory. Writes bench.json and bench.md.",
    )
    p.add_argument("--adapter", action="append", dest="adapters", metavar="NAME",
                   help="adapter to measure (repeatable); default: every installed adapter")
    p.add_argument("--seconds", type=float, default=2.0, metavar="S",
                   help="time per measured phase and adapter (default 2; the whole run takes "
                        "about 12 times that per adapter)")
    p.add_argument("--quick", action="store_true",
                   help="a smoke run: small workload, 0.2 s phases, sizes up to 100 rules")
    p.add_argument("--output", "-o", default="reports", metavar="DIR",
                   help="where bench.json and bench.md go (default: reports)")
    p.add_argument("--worker", help=argparse.SUPPRESS)  # internal: measure one adapter, print JSON
    p.add_argument("--scalability-only", action="store_true", help=argparse.SUPPRESS)  # for compare
    p.set_defaults(func=run)
    return p


# --- workload --------------------------------------------------------------------------------------
def _quiet_settings(n: int) -> settings:
    return settings(max_examples=n, derandomize=True, database=None, phases=[Phase.generate],
                    deadline=None, suppress_health_check=list(HealthCheck))


def collect(strategy: st.SearchStrategy[Any], n: int) -> list[Any]:
    """``n`` deterministic draws (derandomized, as the ``ci`` profile draws them)."""
    out: list[Any] = []

    def keep(example: Any) -> None:
        out.append(example)

    with profiles.stable_draws():  # the same workload whatever modules are loaded
        _quiet_settings(n)(given(strategy)(keep))()
    return out


def workload(capabilities: frozenset[str], apps: int) -> list[tuple[AppModel, list[Request]]]:
    """Generated apps and their requests, as the routing property asks them."""
    return [(model, list(reqs)) for model, reqs in collect(gen.scenarios(capabilities), apps)]


# --- timing ----------------------------------------------------------------------------------------
def _start_response(status: str, headers: list, exc_info: Any = None) -> Callable[[bytes], None]:
    return lambda data: None


def floor_round(calls: list[tuple[Any, dict[str, Any]]], cpu: list[float] | None = None) -> float:
    """Seconds for raw calls: what the framework costs with nothing of the suite around it.
    ``cpu`` gets the process' CPU seconds for the same calls appended."""
    start, start_cpu = time.perf_counter(), time.process_time()
    for app, environ in calls:
        result = app(environ.copy(), _start_response)
        for _ in result:
            pass
        close = getattr(result, "close", None)
        if close is not None:
            close()
    if cpu is not None:
        cpu.append(time.process_time() - start_cpu)
    return time.perf_counter() - start


def fresh(work: list[tuple[AppModel, list[Request]]]) -> list[tuple[AppModel, list[Request]]]:
    """The same questions as new objects, and no prediction prepared: what the suite meets in a
    run, where every example brings new requests. Reused ones would carry what the last round
    worked out (their decoded paths, the oracle's per-model tables) and flatter the suite."""
    oracle.forget()
    return [(model, [Request(r.path, r.method, r.query, r.headers) for r in reqs]) for model, reqs in work]


def suite_round(harness: Harness, work: list[tuple[AppModel, list[Request]]],
                cpu: list[float] | None = None) -> float:
    """Seconds to check every request (``cpu``: as ``floor_round``)."""
    work = fresh(work)  # made before the clocks start
    start, start_cpu = time.perf_counter(), time.process_time()
    for model, reqs in work:
        harness.check_all(model, reqs, keep_going=True)
    if cpu is not None:  # the worker thread's CPU time is the process', counted too
        cpu.append(time.process_time() - start_cpu)
    return time.perf_counter() - start


def requests_checked(work: list[tuple[AppModel, list[Request]]]) -> int:
    return sum(len(reqs) for _, reqs in work)


def rounds(seconds: float, per_round: float) -> int:
    return max(1, min(50, int(seconds / max(per_round, 1e-6))))


def floor_and_suite(adapter: Any, work: list[tuple[AppModel, list[Request]]],
                    seconds: float) -> dict[str, Any]:
    context = AdapterContext(adapter, timeout=TIMEOUT)
    context.APP_CACHE = len(work) + 1  # every app built once, before timing
    harness = Harness(context, "bench")
    apps = {model: context.app(model) for model, _ in work}
    calls = [(apps[m], environ_for(r)) for m, reqs in work for r in reqs
             for r in ([Request(r.path, "GET"), r] if r.method == "HEAD" else [r])]
    n = requests_checked(work)
    for model, reqs in work:  # warm-up: imports, caches, the worker thread
        harness.check_all(model, reqs, keep_going=True)
    floor_round(calls)
    floor_times, suite_times, driver_times, direct_times, oracle_times = [], [], [], [], []
    floor_cpu: list[float] = []
    suite_cpu: list[float] = []
    deadline = time.monotonic() + seconds * 2
    while time.monotonic() < deadline or len(floor_times) < 3:  # alternate: same noise for both
        floor_times.append(floor_round(calls, floor_cpu))
        suite_times.append(suite_round(harness, work, suite_cpu))
        driver_times.append(driver_round(apps, work))
        direct_times.append(driver_round(apps, work, timeout=None))
        oracle_times.append(oracle_round(work))
        if len(floor_times) >= 200:
            break
    failing = sum(harness.check_all(m, r, keep_going=True) for m, r in work)
    floor, suite = median(floor_times), median(suite_times)
    driver, direct, oracle_ = median(driver_times), median(direct_times), median(oracle_times)
    return {
        "apps": len(work), "requests": n, "raw_calls": len(calls), "rounds": len(floor_times),
        "floor_rps": len(calls) / floor, "suite_rps": n / suite,
        # The same requests, timed in adjacent rounds: the median of the rounds' ratios of time
        # without the suite to time with it (robust to a neighbour's load burst).
        "ratio": median(f / s for f, s in zip(floor_times, suite_times)),
        # The same ratio in CPU time: what a neighbour's load does to wall time (the process
        # waiting for a core) leaves it alone; a figure to read beside the wall one.
        "ratio_cpu": median(f / s for f, s in zip(floor_cpu, suite_cpu) if s > 0),
        "floor_us": floor / len(calls) * 1e6, "suite_us": suite / n * 1e6,
        # Where a checked request's time goes (medians, per request of the suite).
        "breakdown_us": {"framework": floor / n * 1e6,
                         "driver": max(direct - floor, 0.0) / n * 1e6,
                         # the timeout's worker thread: hand-offs, and the wake-ups they wait for
                         "timeout_worker": max(driver - direct, 0.0) / n * 1e6,
                         "oracle": oracle_ / n * 1e6,
                         "compare_and_record": max(suite - driver - oracle_, 0.0) / n * 1e6},
        "requests_not_met": failing,
    }


def driver_round(apps: dict[AppModel, Any], work: list[tuple[AppModel, list[Request]]],
                 timeout: float | None = TIMEOUT) -> float:
    """The driver alone (environ, call under the timeout, PEP 3333 validation): for the breakdown."""
    work = fresh(work)
    start = time.perf_counter()
    for model, reqs in work:
        call_many(apps[model], [x for r in reqs for x in
                                ([Request(r.path, "GET"), r] if r.method == "HEAD" else [r])], timeout)
    return time.perf_counter() - start


def oracle_round(work: list[tuple[AppModel, list[Request]]]) -> float:
    work = fresh(work)
    start = time.perf_counter()
    for model, reqs in work:
        for r in reqs:
            if r.method != "HEAD":
                oracle.predict(model, r)
    return time.perf_counter() - start


def with_generation(adapter: Any, n_examples: int) -> dict[str, Any]:
    """The routing property as the suite runs it: Hypothesis draws a rule set and its requests,
    the app is built once and asked all of them."""
    harness = Harness(AdapterContext(adapter, timeout=TIMEOUT), "bench")
    checked = [0]

    def body(scenario: tuple[AppModel, tuple[Request, ...]]) -> None:
        model, reqs = scenario
        if harness.supports(model):
            harness.check_all(model, list(reqs), keep_going=True)
            checked[0] += len(reqs)

    start = time.perf_counter()
    _quiet_settings(n_examples)(given(gen.scenarios(adapter.capabilities))(body))()
    elapsed = time.perf_counter() - start
    return {"examples": n_examples, "requests": checked[0], "rps": checked[0] / elapsed}


def naive(adapter: Any, n_examples: int) -> dict[str, Any]:
    """The naive property test: one example = one app build + one WebTest request (lint on)."""
    from webtest import TestApp

    strategy = gen.rule_sets(adapter.capabilities).flatmap(lambda m: st.tuples(st.just(m), gen.requests(m)))
    done = [0]

    def body(case: tuple[AppModel, Request]) -> None:
        model, request = case
        app = TestApp(adapter.make_app(model), lint=True)
        try:
            app.request(request.target, method=request.method, expect_errors=True)
        except Exception:  # lint's AssertionError on a broken response: the naive test fails here
            pass
        done[0] += 1

    start = time.perf_counter()
    _quiet_settings(n_examples)(given(strategy)(body))()
    elapsed = time.perf_counter() - start
    return {"examples": done[0], "rps": done[0] / elapsed}


def scalability(adapter: Any, sizes: tuple[int, ...], seconds: float) -> dict[str, Any]:
    """Per rule count: app build time, and the raw cost of one request (hits spread over the
    rules, plus misses that must try every rule)."""
    base = next(m for m in collect(gen.rule_sets(adapter.capabilities, min_rules=3, max_rules=5), 30)
                if len(m.rules) >= 3)
    out: dict[str, Any] = {}
    for n in sizes:
        model = gen.replicate(base, n)
        builds = []
        budget = time.monotonic() + seconds / 2
        while not builds or (time.monotonic() < budget and len(builds) < 20):
            start = time.perf_counter()
            app = adapter.make_app(model)
            builds.append(time.perf_counter() - start)
        # The same questions at every size: 12 rules spread from the first to the last.
        picked = AppModel(tuple(model.rules[i] for i in sorted({round(k * (n - 1) / 11) for k in range(12)})))
        reqs = collect(gen.systematic_requests(picked), 1)[0]
        calls = [(app, environ_for(r)) for r in reqs]
        per_round = floor_round(calls)
        times = [floor_round(calls) for _ in range(rounds(seconds / 2, per_round))]
        out[str(n)] = {"build_ms": median(builds) * 1e3, "request_us": min(times) / len(calls) * 1e6,
                       "requests": len(calls)}
    first, last = out[str(sizes[0])], out[str(sizes[-1])]
    out["growth"] = {"rules": [sizes[0], sizes[-1]],
                     "request": last["request_us"] / first["request_us"],
                     "build": last["build_ms"] / first["build_ms"]}
    return out


def peak_rss_mib() -> float:
    """Peak resident set size of this process (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def measure(name: str, seconds: float, quick: bool) -> dict[str, Any]:
    """Every figure for one adapter (run in a process of its own)."""
    adapter = registry.load(name)
    caps = adapter.capabilities
    work = workload(caps, 10 if quick else 40)
    result: dict[str, Any] = {
        "adapter": name, "framework": adapter.framework, "version": adapter.version(),
    }
    result["throughput"] = floor_and_suite(adapter, work, seconds)
    result["generated"] = with_generation(adapter, 5 if quick else 40)
    result["naive"] = naive(adapter, 10 if quick else max(40, int(seconds * 100)))
    result["scalability"] = scalability(adapter, SIZES[:3] if quick else SIZES, seconds)
    target = TARGETS.get(name, DEFAULT_TARGET)
    gen_rps, naive_rps = result["generated"]["rps"], result["naive"]["rps"]
    result["targets"] = {
        "suite_over_floor": target, "suite_over_floor_met": result["throughput"]["ratio"] >= target,
        "over_naive": gen_rps / naive_rps, "over_naive_target": NAIVE_TARGET,
        "over_naive_met": gen_rps / naive_rps >= NAIVE_TARGET,
    }
    result["peak_rss_mib"] = peak_rss_mib()
    return result


# --- the command -----------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {"python": platform.python_version(), "implementation": platform.python_implementation(),
            "platform": platform.platform(), "cpus": os.cpu_count(), "processor": _cpu_model(),
            "load_average": [round(x, 2) for x in load] if load else None}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def run(args: argparse.Namespace) -> int:
    seconds = 0.2 if args.quick else args.seconds
    if args.worker:
        if args.scalability_only:
            result = scalability(registry.load(args.worker), SIZES, seconds)
        else:
            result = measure(args.worker, seconds, args.quick)
        print(json.dumps(result))
        return 0
    names = list(dict.fromkeys(args.adapters or registry.installed()))
    for name in names:  # bad names fail here, with the list of adapters, before any measuring
        try:
            registry.load(name)
        except Exception as exc:
            print(f"wsgi-conformance bench: {exc}", file=sys.stderr)
            return 2
    started = time.time()
    adapters = []
    for name in names:
        print(f"measuring {name} ...", file=sys.stderr, flush=True)
        cmd = [sys.executable, "-m", "conformance", "bench", "--worker", name,
               "--seconds", str(seconds)] + (["--quick"] if args.quick else [])
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60 + seconds * 60)
        if proc.returncode != 0:
            print(f"wsgi-conformance bench: {name} failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
            return 1
        adapters.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    data = {"schema": "wsgi-conformance-bench/1", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ",
            time.gmtime(started)), "seconds_per_phase": seconds, "quick": args.quick,
            "machine": machine(), "wall_seconds": round(time.time() - started, 1),
            "adapters": adapters}
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    table = markdown(data)
    (out / "bench.md").write_text(table, encoding="utf-8")
    print(table)
    print(f"written: {out / 'bench.json'}, {out / 'bench.md'}")
    return 0


def markdown(data: dict[str, Any]) -> str:
    m = data["machine"]
    lines = [
        f"Measured {data['date']} on {m['cpus']} × {m['processor']}, {m['implementation']} "
        f"{m['python']}, load average {m['load_average']} (a shared machine: rates are noisy, "
        "ratios within one run are the figures to compare).",
        "",
        "| adapter | floor req/s | suite req/s | suite/floor (target) | in CPU time "
        "| suite+generation req/s | naive req/s | ×naive (≥3) | peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for a in data["adapters"]:
        t, tg = a["throughput"], a["targets"]
        lines.append(
            f"| {a['adapter']} ({a['framework']} {a['version']}) | {t['floor_rps']:,.0f} "
            f"| {t['suite_rps']:,.0f} | {t['ratio']:.2f} (≥{tg['suite_over_floor']}) "
            f"{'✅' if tg['suite_over_floor_met'] else '❌'} | {t.get('ratio_cpu', float('nan')):.2f} "
            f"| {a['generated']['rps']:,.0f} "
            f"| {a['naive']['rps']:,.0f} | {tg['over_naive']:.1f}× "
            f"{'✅' if tg['over_naive_met'] else '❌'} | {a['peak_rss_mib']:.0f} MiB |")
    lines += ["", "Where a checked request's time goes (µs per request, medians): framework · driver "
              "(environ, capture, PEP 3333 checks) · the timeout's worker thread (hand-offs and "
              "wake-ups, per batch of one app's requests) · oracle · compare, record and the rest "
              "(each part above timed on its own; the rest is what they cost more together)", ""]
    for a in data["adapters"]:
        b = a["throughput"]["breakdown_us"]
        lines.append(f"- {a['adapter']}: {b['framework']:.0f} · {b['driver']:.0f} · "
                     f"{b['timeout_worker']:.0f} · {b['oracle']:.0f} · "
                     f"{b['compare_and_record']:.0f} (not met: {a['throughput']['requests_not_met']} of "
                     f"{a['throughput']['requests']} requests, each with its reproduction)")
    sizes = [k for k in data["adapters"][0]["scalability"] if k != "growth"] if data["adapters"] else []
    lines += ["", "Routing scalability: app build time (ms) and one raw request (µs) by rule count",
              "", "| adapter | " + " | ".join(f"{s} rules" for s in sizes) + " | growth (request, build) |",
              "|---|" + "---:|" * len(sizes) + "---:|"]
    for a in data["adapters"]:
        s = a["scalability"]
        cells = " | ".join(f"{s[k]['build_ms']:.1f} ms, {s[k]['request_us']:.0f} µs" for k in sizes)
        g = s["growth"]
        lines.append(f"| {a['adapter']} | {cells} | ×{g['request']:.1f}, ×{g['build']:.0f} |")
    return "\n".join(lines) + "\n"


# --- the comparison report's informational row (``compare --scalability``) --------------------------
def measure_scalability(name: str, seconds: float = 0.3, timeout: float = 300.0) -> dict[str, Any]:
    """A short scalability measurement of one adapter in its own process; ``{"error": ...}`` if
    it fails (informational: it never fails a comparison)."""
    cmd = [sys.executable, "-m", "conformance", "bench", "--worker", name, "--scalability-only",
           "--seconds", str(seconds)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"the measurement took over {timeout:g} s"}
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def scalability_cells(scal: dict[str, Any]) -> list[str]:
    """``build ms, request µs`` per rule count, then the growth: one report row's cells."""
    if "error" in scal:
        return [f"not measured: {scal['error']}"]
    sizes = [k for k in scal if k != "growth"]
    g = scal["growth"]
    return [f"{k} rules: {scal[k]['build_ms']:.1f} ms build, {scal[k]['request_us']:.0f} µs/request"
            for k in sizes] + [f"{g['rules'][0]}→{g['rules'][1]} rules: request ×{g['request']:.1f}, "
                               f"build ×{g['build']:.0f}"]
