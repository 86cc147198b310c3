"""The ``results.json`` document of a comparison: its schema, how it is built, loaded and written.

The schema is documented in ``reports/README.md``; ``SCHEMA`` names it with its version, bumped on
any change a reader could notice (a field removed, renamed or given another meaning; new fields
may be added within a version). The per-adapter data comes from the plugin's
``--conformance-json`` output (``conformance.results``), one pytest process per adapter.
"""

from __future__ import annotations

import json
import os
import platform
import re
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from conformance import spec
from conformance.report.answers import short_answer

SCHEMA = "wsgi-conformance-compare/1"

# Outcomes, worst last (as conformance.verdict ranks them); "not-run" is the report's own: the
# adapter did not finish, or the requirement's cases were not selected.
OUTCOMES = ("not-applicable", "pass", "informational", "non-strict", "fail", "error")
NOT_RUN = "not-run"
DIVERGENT = ("fail", "non-strict")

# Adapter status: "pending"/"running" only appear in a document written while a comparison runs
# (or left behind by one that was killed).
FINISHED, INTERRUPTED, ERROR, PENDING, RUNNING = "finished", "interrupted", "error", "pending", "running"

_AREA = re.compile(r"^## (?P<number>\d+)\. (?P<name>.+?) — (?P<prefix>[A-Z]+)\s*$")


# --- the specification, as the document carries it --------------------------------------------
def spec_snapshot() -> dict[str, Any]:
    """Areas in SPEC.md order, each with its requirements: renderers need nothing else."""
    reqs = spec.requirements()
    numbers = {}
    for line in spec.SPEC_PATH.read_text(encoding="utf-8").splitlines():
        if m := _AREA.match(line):
            numbers[m.group("name")] = (int(m.group("number")), m.group("prefix"))
    areas: dict[str, dict[str, Any]] = {}
    for req in reqs.values():
        number, prefix = numbers.get(req.area, (len(areas) + 1, req.id.split("-")[0]))
        area = areas.setdefault(req.area, {"number": number, "name": req.area, "prefix": prefix,
                                           "requirements": []})
        area["requirements"].append(req.id)
    return {
        "url": spec.SPEC_URL,
        "areas": list(areas.values()),
        "requirements": {
            r.id: {"level": r.level, "title": r.title, "area": r.area, "needs": r.needs}
            for r in reqs.values()
        },
    }


# --- building ---------------------------------------------------------------------------------
def new_document(*, command: str, profile: str | None, seed: str | None,
                 adapters: Iterable[dict[str, Any]], select: list[str] | None = None,
                 pytest_args: list[str] | None = None, fail_on: str = "must") -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "run": {
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "finished": False,
            "duration_s": None,
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": platform.platform(terse=True),
            "wsgi_conformance": _version("wsgi-conformance"),
            "transport": "wsgi",
            "profile": profile,
            "seed": seed,
            "select": list(select or []),
            "pytest_args": list(pytest_args or []),
            "command": command,
            "fail_on": fail_on,
        },
        "spec": spec_snapshot(),
        "adapters": list(adapters),
        "verdict": None,
    }


def pending_adapter(name: str, framework: str = "", version: str = "",
                    capabilities: list[str] | None = None) -> dict[str, Any]:
    return {
        "adapter": name,
        "framework": framework or name,
        "version": version or "unknown",
        "capabilities": list(capabilities or []),
        "status": PENDING,
        "error": None,
        "exit_code": None,
        "duration_s": None,
        "command": [],
        "counts": {},
        "requirements": {},
    }


def fill_adapter(entry: dict[str, Any], plugin_json: dict[str, Any] | None) -> dict[str, Any]:
    """Copy one adapter's results from the plugin's JSON into the document's adapter entry."""
    if not plugin_json:
        return entry
    entry["framework"] = plugin_json.get("framework") or entry["framework"]
    entry["version"] = plugin_json.get("version") or entry["version"]
    entry["capabilities"] = list(plugin_json.get("capabilities", entry["capabilities"]))
    entry["requirements"] = {rid: requirement_entry(r)
                             for rid, r in sorted(plugin_json.get("requirements", {}).items())}
    entry["counts"] = counts(entry["requirements"])
    if "corpus" in plugin_json:  # --conformance-observations: kept for `wsgi-conformance diff`
        entry["corpus"] = plugin_json["corpus"]
    return entry


def requirement_entry(r: dict[str, Any]) -> dict[str, Any]:
    outcome = r.get("outcome", "error")
    failures = list(r.get("failures", []))
    observations = list(r.get("observations", []))
    example = counterexample(failures) if outcome in ("fail", "non-strict", "error") else None
    if example:
        answer = short_answer(example.get("actual") or example.get("detail"))
    elif outcome == "informational" and observations:
        answer = short_answer(observations[0])
    else:
        answer = ""
    return {
        "outcome": outcome,
        "level": r.get("level") or _level(r.get("id", "")),
        "checks": dict(r.get("counts", {})),
        "cases": list(r.get("cases", [])),
        "answer": answer,
        "counterexample": example,
        "failures": failures,
        "observations": observations,
    }


def counterexample(failures: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The smallest recorded failing example: fewest rules, then fewest variables, then shortest.

    Hypothesis's shrunk example competes with the hand-written cases on equal terms; on a tie the
    first recorded wins (the case order is stable).
    """
    if not failures:
        return None

    def size(item: tuple[int, dict[str, Any]]) -> tuple:
        i, f = item
        rules = f.get("rules", "")
        return ("request" not in f, len(rules.splitlines()), rules.count("<"),
                len(rules) + len(f.get("request", "")), i)

    return dict(min(enumerate(failures), key=size)[1])


def counts(requirements: dict[str, dict[str, Any]]) -> dict[str, int]:
    found = {o: 0 for o in OUTCOMES}
    for r in requirements.values():
        found[r["outcome"]] = found.get(r["outcome"], 0) + 1
    return {o: n for o, n in found.items() if n}


def mark_error(entry: dict[str, Any], message: str, requirement: str | None = None) -> None:
    """A harness error (timeout, crash, adapter that cannot be loaded): kept apart from failures."""
    entry["status"] = ERROR
    entry["error"] = message
    if requirement and requirement in spec.requirements():
        r = entry["requirements"].get(requirement)
        evidence = {"case": None, "detail": message}
        if r is None or r["outcome"] != "error":
            entry["requirements"][requirement] = {
                "outcome": "error", "level": _level(requirement), "checks": {"error": 1},
                "cases": (r or {}).get("cases", []), "answer": short_answer(message),
                "counterexample": evidence, "failures": [evidence], "observations": [],
            }
        entry["counts"] = counts(entry["requirements"])


def verdict(doc: dict[str, Any], fail_on: str = "must") -> dict[str, Any]:
    """What the exit status is made of: MUST/MAY failures, harness errors, unfinished adapters."""
    failures = {a["adapter"]: sorted(k for k, r in a["requirements"].items() if r["outcome"] == "fail")
                for a in doc["adapters"]}
    errors = {}
    for a in doc["adapters"]:
        errs = [f"{k}: harness error" for k, r in a["requirements"].items() if r["outcome"] == "error"]
        if a["status"] == ERROR:
            errs.insert(0, a.get("error") or "error")
        if errs:
            errors[a["adapter"]] = errs
    unfinished = [a["adapter"] for a in doc["adapters"] if a["status"] != FINISHED and a["status"] != ERROR]
    failing = any(failures.values()) or bool(errors)
    if unfinished:
        status = 130
    elif fail_on == "never":
        status = 0
    else:
        status = 1 if failing else 0
    return {
        "exit_status": status,
        "fail_on": fail_on,
        "failures": {k: v for k, v in failures.items() if v},
        "errors": errors,
        "unfinished": unfinished,
    }


# --- reading and writing ----------------------------------------------------------------------
def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def load(path: str | Path) -> dict[str, Any]:
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or not str(doc.get("schema", "")).startswith("wsgi-conformance-compare/"):
        raise ValueError(f"{path} is not a wsgi-conformance compare results file (schema {SCHEMA})")
    return doc


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file next to ``path``, then rename: readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:  # mkstemp makes 0600; a report is as readable as any file the user writes
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(path, 0o666 & ~umask)
    except OSError:  # pragma: no cover
        pass


def relative_spec_url(outdir: Path) -> str:
    """SPEC.md as a link relative to ``outdir`` (``../conformance/SPEC.md`` for ``reports/``)."""
    try:
        return Path(os.path.relpath(spec.SPEC_PATH.resolve(), Path(outdir).resolve())).as_posix()
    except ValueError:  # another drive (Windows)
        return spec.SPEC_PATH.resolve().as_uri()


def _level(req_id: str) -> str:
    req = spec.requirements().get(req_id)
    return req.level if req else "?"


def _version(dist: str) -> str:
    import importlib.metadata

    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
