"""Baselines for CI: a framework's known divergences are expected; only changes fail the run.

Like web-platform-tests expectation files. ``pytest --adapter=bottle --conformance-baseline=FILE``
turns every divergence recorded in FILE into an expected failure (xfail, reason ``baselined:
<requirement> <reason>``), so the run fails only when behaviour changes:

- a new divergence (``fail`` or ``non-strict`` not in FILE, or with another outcome) fails the run;
- a baselined requirement that now passes is *fixed (stale entry)* and fails the run too, so the
  baseline gets updated -- except an entry whose failure came only from Hypothesis-generated cases
  (``"generated": true``), which is *not observed this run* and does not fail it;
- an entry whose requirement did not run (not selected) is left alone.

``--conformance-update-baseline`` writes FILE from this run, keeping each entry's ``reason`` and
``link`` (and any other field you add). ``--conformance-select ID|GLOB`` (repeatable) runs only the
cases of matching requirements. Harness errors are never baselined.

The file is JSON with one entry per line, so it reads and diffs well::

    {
      "schema": "wsgi-conformance-baseline/1",
      "adapters": {
        "bottle": {
          "framework": "Bottle 0.13.4",
          "requirements": {
            "CONV-INT-003": {"outcome": "fail", "reason": "int accepts -1", "link": "https://..."},
            "METH-005": {"outcome": "non-strict"}
          }
        }
      }
    }
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conformance import spec
from conformance.verdict import Outcome

SCHEMA = "wsgi-conformance-baseline/1"
BASELINABLE = (Outcome.FAIL, Outcome.NON_STRICT)
_KNOWN_FIELDS = ("outcome", "generated", "reason", "link")
_SNAPSHOT = pytest.StashKey[dict[str, tuple[int, int, int]]]()


# --- the file -----------------------------------------------------------------------------------
class BaselineError(ValueError):
    pass


@dataclass
class Entry:
    outcome: str
    reason: str = ""
    link: str = ""
    generated: bool = False  # the recorded failure came only from Hypothesis-generated cases
    extra: dict[str, Any] = field(default_factory=dict)  # fields a person added: kept as they are

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"outcome": self.outcome}
        if self.generated:
            out["generated"] = True
        if self.reason:
            out["reason"] = self.reason
        if self.link:
            out["link"] = self.link
        out.update(sorted(self.extra.items()))
        return out


@dataclass
class Baseline:
    adapters: dict[str, dict[str, Entry]] = field(default_factory=dict)
    frameworks: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path) -> "Baseline":
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
        return cls.parse(text, str(path))

    @classmethod
    def parse(cls, text: str, name: str = "baseline") -> "Baseline":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BaselineError(f"{name}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise BaselineError(f"{name}: not a wsgi-conformance baseline (expected \"schema\": \"{SCHEMA}\")")
        baseline = cls()
        for adapter, section in (data.get("adapters") or {}).items():
            if not isinstance(section, dict) or not isinstance(section.get("requirements", {}), dict):
                raise BaselineError(f"{name}: adapter {adapter!r}: expected an object with \"requirements\"")
            baseline.frameworks[adapter] = str(section.get("framework", ""))
            entries = baseline.adapters.setdefault(adapter, {})
            for rid, raw in section.get("requirements", {}).items():
                if not isinstance(raw, dict) or raw.get("outcome") not in [o.value for o in BASELINABLE]:
                    raise BaselineError(f"{name}: {adapter} {rid}: \"outcome\" must be \"fail\" or \"non-strict\"")
                entries[rid] = Entry(
                    outcome=raw["outcome"], reason=str(raw.get("reason", "")), link=str(raw.get("link", "")),
                    generated=bool(raw.get("generated", False)),
                    extra={k: v for k, v in raw.items() if k not in _KNOWN_FIELDS},
                )
        return baseline

    def dumps(self) -> str:
        """JSON, one requirement per line, everything sorted: a rewrite only shows what changed."""
        out = ["{", f'  "schema": {json.dumps(SCHEMA)},',
               '  "about": "Expected divergences per adapter (pytest --conformance-baseline). '
               'Edit reason/link freely; pytest --conformance-update-baseline rewrites the rest.",',
               '  "adapters": {']
        names = sorted(self.adapters)
        for i, adapter in enumerate(names):
            entries = self.adapters[adapter]
            out.append(f"    {json.dumps(adapter)}: {{")
            out.append(f'      "framework": {json.dumps(self.frameworks.get(adapter, ""), ensure_ascii=False)},')
            if not entries:
                out.append('      "requirements": {}')
            else:
                out.append('      "requirements": {')
                ids = sorted(entries, key=_id_key)
                for j, rid in enumerate(ids):
                    comma = "," if j < len(ids) - 1 else ""
                    out.append(f"        {json.dumps(rid)}: "
                               f"{json.dumps(entries[rid].to_json(), ensure_ascii=False)}{comma}")
                out.append("      }")
            out.append("    }" + ("," if i < len(names) - 1 else ""))
        out += ["  }", "}"]
        return "\n".join(out) + "\n"

    def write(self, path: str | Path) -> None:
        from conformance.report.document import write_atomic

        write_atomic(Path(path), self.dumps())


def _id_key(rid: str) -> tuple:
    """SPEC.md order for known ids, then the rest alphabetically."""
    order = {r: i for i, r in enumerate(spec.requirements())}
    return (order.get(rid, len(order)), rid)


# --- comparing a run with the baseline ----------------------------------------------------------
NEW, CHANGED, FIXED, UNKNOWN, NOT_OBSERVED, BASELINED, NOT_RUN = (
    "new", "changed", "fixed", "unknown", "not-observed", "baselined", "not-run")
FAILING = (NEW, CHANGED, FIXED, UNKNOWN)


@dataclass
class Finding:
    kind: str
    adapter: str
    requirement: str
    outcome: str  # this run's outcome ("" when it did not run)
    entry: Entry | None

    def describe(self) -> str:
        req = spec.requirements().get(self.requirement)
        what = f"{self.adapter} {self.requirement}" + (f" ({req.level})" if req else "")
        if self.kind == NEW:
            return f"{what}: {self.outcome}, not in the baseline (new divergence)"
        if self.kind == CHANGED:
            return f"{what}: {self.outcome}, baselined as {self.entry.outcome if self.entry else '?'}"
        if self.kind == FIXED:
            return f"{what}: now {self.outcome}: fixed (stale entry), remove it or update the baseline"
        if self.kind == UNKNOWN:
            return f"{what}: not a requirement in SPEC.md (stale entry)"
        if self.kind == NOT_OBSERVED:
            return (f"{what}: not observed this run (its failure came from generated cases, which did "
                    f"not reproduce it; entry kept)")
        return f"{what}: {self.outcome} (baselined)"


def compare(baseline: Baseline, results: dict[str, Any]) -> list[Finding]:
    """Findings for every adapter of this run (``results``: name -> AdapterResult)."""
    known = spec.requirements()
    findings: list[Finding] = []
    for name, result in results.items():
        entries = baseline.adapters.get(name, {})
        for rid, req in sorted(result.requirements.items(), key=lambda kv: _id_key(kv[0])):
            outcome = req.outcome
            entry = entries.get(rid)
            if outcome in BASELINABLE:
                kind = NEW if entry is None else BASELINED if entry.outcome == outcome.value else CHANGED
            elif entry is None or outcome is Outcome.ERROR:
                continue  # a harness error fails its own case; it neither confirms nor clears an entry
            else:
                kind = NOT_OBSERVED if entry.generated else FIXED
            findings.append(Finding(kind, name, rid, outcome.value, entry))
        for rid, entry in entries.items():
            if rid not in result.requirements:
                findings.append(Finding(UNKNOWN if rid not in known else NOT_RUN, name, rid, "", entry))
    return findings


def updated(baseline: Baseline, results: dict[str, Any], generated: dict[str, dict[str, bool]],
            frameworks: dict[str, str]) -> Baseline:
    """The baseline this run says: its divergences, with the old entries' reasons and links.

    Entries for requirements that did not run, and generated-only entries not observed this run,
    are kept; fixed entries and ids SPEC.md no longer has are dropped; adapters not in this run
    are kept as they were.
    """
    known = spec.requirements()
    new = Baseline({k: dict(v) for k, v in baseline.adapters.items()}, dict(baseline.frameworks))
    for name, result in results.items():
        old = baseline.adapters.get(name, {})
        entries: dict[str, Entry] = {}
        for rid, entry in old.items():
            if rid in known and (rid not in result.requirements or
                                 (entry.generated and result.requirements[rid].outcome not in BASELINABLE)):
                entries[rid] = entry
        for rid, req in result.requirements.items():
            if req.outcome in BASELINABLE:
                prev = old.get(rid)
                entries[rid] = Entry(req.outcome.value, prev.reason if prev else "", prev.link if prev else "",
                                     generated=generated.get(name, {}).get(rid, False),
                                     extra=dict(prev.extra) if prev else {})
        new.adapters[name] = entries
        new.frameworks[name] = frameworks.get(name, new.frameworks.get(name, ""))
    return new


# --- selection ----------------------------------------------------------------------------------
def normalise(pattern: str) -> str:
    """``conv_int_003`` and ``CONV-INT-003`` are the same requirement."""
    return pattern.strip().upper().replace("_", "-")


def matches(patterns: list[str], ids: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(rid, p) for p in patterns for rid in ids)


# --- the pytest plugin --------------------------------------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("wsgi-conformance")
    group.addoption(
        "--conformance-baseline", dest="conformance_baseline", default=None, metavar="FILE",
        help="expected divergences (a baseline file): they are reported as xfail; the run fails on "
             "a new divergence or a stale (fixed) entry",
    )
    group.addoption(
        "--conformance-update-baseline", dest="conformance_update_baseline", action="store_true",
        help="write the --conformance-baseline FILE from this run (keeping reasons and links)",
    )
    group.addoption(
        "--conformance-select", dest="conformance_select", action="append", default=None,
        metavar="ID|GLOB", help="run only the cases of these requirements, e.g. 'CONV-*' (repeatable)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "generated: a conformance case whose examples Hypothesis "
                                       "generates (a baselined failure it does not reproduce is not stale)")
    config.pluginmanager.register(BaselinePlugin(config), "wsgi-conformance-baseline")


def _context(item: pytest.Item) -> Any:
    from conformance.plugin import CONTEXTS

    callspec = getattr(item, "callspec", None)
    if callspec is None or "conformance_adapter" not in callspec.params:
        return None
    return item.config.stash.get(CONTEXTS, {}).get(callspec.params["conformance_adapter"])


def _requirements(item: pytest.Item) -> list[str]:
    return [rid for mark in item.iter_markers("requirement") for rid in mark.args]


def _is_generated(item: pytest.Item) -> bool:
    """Whether a case's examples are generated by Hypothesis (so a run may not reproduce them).

    A ``@given`` test, a case marked ``generated``, or one that calls the suite's property runner
    (``conformance.properties.prove``, which runs ``given`` inside the case).
    """
    if item.get_closest_marker("generated") is not None:
        return True
    func = getattr(item, "obj", None)
    try:
        from hypothesis import is_hypothesis_test

        if is_hypothesis_test(func):
            return True
    except ImportError:  # pragma: no cover
        return False
    code, globs = getattr(func, "__code__", None), getattr(func, "__globals__", {})
    if code is None:
        return False
    try:
        from conformance import properties
    except ImportError:  # pragma: no cover
        return False
    prove = getattr(properties, "prove", None)
    return prove is not None and any(globs.get(name) is prove or globs.get(name) is properties
                                     for name in code.co_names)


_PROPERTIES = ("adapter", "requirement", "conformance_outcome", "conformance_baseline")


def _carry_properties(item: pytest.Item, report: pytest.TestReport) -> None:
    """Put the call report's conformance properties on the item, for ``--junitxml``.

    The junit writer takes a test case's properties from its *teardown* report, which pytest builds
    from ``item.user_properties``; properties added to the call report alone never reach the XML.
    """
    have = set(item.user_properties)
    item.user_properties.extend(p for p in report.user_properties
                                if p[0] in _PROPERTIES and tuple(p) not in have)


def _snapshot(result: Any) -> dict[str, tuple[int, int, int]]:
    return {rid: (r.counts[Outcome.FAIL], r.counts[Outcome.NON_STRICT], r.counts[Outcome.ERROR])
            for rid, r in result.requirements.items()}


def _broken(before: dict[str, tuple[int, int, int]], result: Any) -> dict[str, Outcome]:
    """Requirements that recorded a fail / non-strict / error since ``before``: the worst of each."""
    found: dict[str, Outcome] = {}
    for rid, now in _snapshot(result).items():
        was = before.get(rid, (0, 0, 0))
        for outcome, n, m in zip((Outcome.FAIL, Outcome.NON_STRICT, Outcome.ERROR), now, was):
            if n > m and (rid not in found or outcome.rank > found[rid].rank):
                found[rid] = outcome
    return found


class BaselinePlugin:
    """Selection, and the baseline's effect on each case and on the session's exit status."""

    def __init__(self, config: pytest.Config):
        self.config = config
        self.path: str | None = config.getoption("conformance_baseline", None)
        self.update: bool = bool(config.getoption("conformance_update_baseline", False))
        self.select = [normalise(p) for p in (config.getoption("conformance_select", None) or [])]
        self.baseline = Baseline()
        self.findings: list[Finding] | None = None
        self.written = False
        self.generated: dict[str, dict[str, bool]] = {}  # adapter -> requirement -> generated only
        if self.update and not self.path:
            raise pytest.UsageError("--conformance-update-baseline needs --conformance-baseline=FILE")
        for pattern in self.select:
            if not fnmatch.filter(spec.requirements(), pattern):
                raise pytest.UsageError(f"--conformance-select {pattern!r} matches no requirement in SPEC.md")
        if self.path:
            if Path(self.path).exists():
                try:
                    self.baseline = Baseline.load(self.path)
                except BaselineError as exc:
                    raise pytest.UsageError(str(exc)) from None
            elif not self.update:
                raise pytest.UsageError(
                    f"baseline {self.path} does not exist; create it with --conformance-update-baseline")

    @property
    def active(self) -> bool:
        return bool(self.path)

    # selection
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        if not self.select:
            return
        keep, drop = [], []
        for item in items:
            (keep if matches(self.select, _requirements(item)) else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        lines = []
        if self.select:
            lines.append(f"wsgi-conformance select: {', '.join(self.select)}")
        if self.path:
            lines.append(f"wsgi-conformance baseline: {self.path}" + (" (updating)" if self.update else ""))
        return lines

    # each case
    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Any:
        ctx = _context(item) if self.active else None
        if ctx is not None:
            item.stash[_SNAPSHOT] = _snapshot(ctx.result)
        return (yield)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> Any:
        report = yield  # the conformance plugin has graded it (SHOULD -> xfail) by now
        if call.when != "call":
            return report
        if self.active:
            self._apply_baseline(item, report)
        _carry_properties(item, report)
        return report

    def _apply_baseline(self, item: pytest.Item, report: pytest.TestReport) -> None:
        ctx, before = _context(item), item.stash.get(_SNAPSHOT, None)
        if ctx is None or before is None:
            return
        broken = _broken(before, ctx.result)
        name = ctx.adapter.name
        generated = _is_generated(item)
        seen = self.generated.setdefault(name, {})
        for rid, outcome in broken.items():
            if outcome in BASELINABLE:
                seen[rid] = seen.get(rid, True) and generated
        divergent = {rid: o for rid, o in broken.items() if o in BASELINABLE}
        if not divergent or any(o is Outcome.ERROR for o in broken.values()):
            return  # passed, or a harness error: never baselined
        if not (report.failed or hasattr(report, "wasxfail")):
            return
        entries = self.baseline.adapters.get(name, {})
        new = {rid: o for rid, o in divergent.items()
               if not self.update and (rid not in entries or entries[rid].outcome != o.value)}
        if new:
            if report.skipped:  # a SHOULD the plugin made an xfail: a new one fails here
                report.outcome = "failed"
                del report.wasxfail
            report.sections.append((
                "wsgi-conformance baseline",
                "\n".join(f"{rid} ({o.value}) is not in the baseline {self.path}"
                          + (f" (baselined as {entries[rid].outcome})" if rid in entries else "")
                          for rid, o in sorted(new.items()))))
            report.user_properties.append(("conformance_baseline", "new"))
            return
        reasons = []
        for rid in sorted(divergent, key=_id_key):
            entry = entries.get(rid)
            reasons.append(f"{rid} {entry.reason}".strip() if entry else f"{rid} (updating)")
        report.outcome = "skipped"
        report.wasxfail = "baselined: " + "; ".join(reasons)
        report.user_properties.append(("conformance_baseline", "baselined"))

    # the session
    def _results(self, session: pytest.Session) -> dict[str, Any]:
        from conformance.plugin import CONTEXTS

        return {name: ctx.result for name, ctx in session.config.stash.get(CONTEXTS, {}).items()
                if ctx.result.requirements}

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if not self.active or exitstatus == pytest.ExitCode.INTERRUPTED:
            return
        if hasattr(session.config, "workerinput"):  # issue 9: a pytest -n worker has part of the
            return  # results; the controller compares (and writes) the merged ones
        results = self._results(session)
        if self.update:
            frameworks = {name: f"{r.framework} {r.version}".strip() for name, r in results.items()}
            updated(self.baseline, results, self.generated, frameworks).write(self.path)
            self.written = True
            self.findings = compare(self.baseline, results)
            return
        self.findings = compare(self.baseline, results)
        if any(f.kind in FAILING for f in self.findings) and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.findings is None:
            return
        tr = terminalreporter
        by_kind: dict[str, list[Finding]] = {}
        for f in self.findings:
            by_kind.setdefault(f.kind, []).append(f)
        title = f"wsgi-conformance baseline: {self.path}" + (" (updated)" if self.written else "")
        tr.write_sep("=", title)
        if self.written:
            changes = [f for f in self.findings if f.kind in FAILING]
            tr.write_line(f"written from this run: {len(changes)} change(s) to the previous baseline")
            for f in changes:
                tr.write_line(f"  {f.kind.upper():<13}{f.describe()}")
            return
        labels = [(NEW, "NEW"), (CHANGED, "CHANGED"), (FIXED, "FIXED"), (UNKNOWN, "STALE"),
                  (NOT_OBSERVED, "NOT OBSERVED")]
        for kind, label in labels:
            for f in by_kind.get(kind, []):
                tr.write_line(f"  {label:<13}{f.describe()}", red=kind in FAILING, yellow=kind == NOT_OBSERVED)
        counts = {k: len(v) for k, v in by_kind.items()}
        tr.write_line(
            f"baselined divergences seen: {counts.get(BASELINED, 0)} · new: {counts.get(NEW, 0)} · "
            f"changed: {counts.get(CHANGED, 0)} · fixed (stale): {counts.get(FIXED, 0) + counts.get(UNKNOWN, 0)} · "
            f"not observed: {counts.get(NOT_OBSERVED, 0)} · not run: {counts.get(NOT_RUN, 0)}")
        if any(f.kind in FAILING for f in self.findings):
            tr.write_line("the baseline does not match this run: fix the regression, or update it with "
                          "--conformance-update-baseline and review the diff", red=True, bold=True)
        else:
            tr.write_line("behaviour matches the baseline", green=True)
