"""``wsgi-conformance diff OLD.json NEW.json``: what changed between two runs, case by case.

Both files are results written with ``--conformance-observations`` (``pytest --conformance-json``
or ``wsgi-conformance compare``), typically by two virtual environments holding two versions of
one framework. Every case whose answer changed is listed under the requirement that decides it,
with its rule set, request and both answers. Two corpora drawn differently (another seed, profile,
suite or Hypothesis version) are refused rather than reported as "everything changed".

Exit status: 1 if any answer changed, 0 if none, 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance import corpus, spec

# What must be equal for two corpora to hold the same questions, with how to say it.
_SAME = (("schema", "observation schema"), ("profile", "profile"), ("seed", "seed"),
         ("scenarios", "corpus size"), ("capabilities", "adapter capabilities"),
         ("generator", "suite version (corpus generator)"), ("hypothesis", "Hypothesis version"))


class BadInput(Exception):
    """The files cannot be compared; the message says why and what to do."""


@dataclass
class Side:
    path: str
    adapter: str
    framework: str
    version: str
    meta: dict[str, Any]
    cases: dict[str, dict[str, Any]]

    @property
    def label(self) -> str:
        return f"{self.framework} {self.version}".strip()


@dataclass
class Change:
    id: str
    requirement: str
    kind: str
    rules: str
    request: str
    expected: str | None
    old: dict[str, Any]
    new: dict[str, Any]
    old_meets: bool | None
    new_meets: bool | None
    # endpoint -> (old, new) answer of that rule alone, for the rules whose answer changed alone
    alone: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)
    several: bool = False  # the generated rule set has more than one rule

    @property
    def minimal(self) -> str | None:
        """The rule that reproduces this very change by itself (alone, it gives the same old and
        new answers), if one does: a line of ``rules``."""
        for endpoint, pair in self.alone.items():
            if pair == (self.old, self.new):
                for line in self.rules.splitlines():
                    if f"-> {endpoint} [" in line:
                        return line
        return None

    @property
    def verdict(self) -> str:
        """regression (met the spec, now does not), fix (the other way), or changed."""
        if self.old_meets is True and self.new_meets is False:
            return "regression"
        if self.old_meets is False and self.new_meets is True:
            return "fix"
        return "changed"

    @property
    def size(self) -> tuple:
        rules = self.minimal or self.rules
        return (rules.count("\n"), len(rules), len(self.request), self.request)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "requirement": self.requirement, "verdict": self.verdict,
                "kind": self.kind, "rules": self.rules, "request": self.request,
                "expected": self.expected, "old": corpus.describe(self.old),
                "new": corpus.describe(self.new), "old_answer": self.old, "new_answer": self.new,
                "alone": {ep: {"rule": line, "old": corpus.describe(o), "new": corpus.describe(n)}
                          for ep, (o, n) in self.alone.items()
                          for line in self.rules.splitlines() if f"-> {ep} [" in line}}


@dataclass
class AdapterDiff:
    old: Side
    new: Side
    changes: list[Change] = field(default_factory=list)
    compared: int = 0
    one_sided: int = 0  # fixed-case requests asked on one side only (a case stopped early)

    def by_requirement(self) -> list[tuple[str, list[Change]]]:
        groups: dict[str, list[Change]] = {}
        for change in self.changes:
            groups.setdefault(change.requirement, []).append(change)
        order = {rid: i for i, rid in enumerate(spec.requirements())}
        return [(rid, sorted(groups[rid], key=lambda c: c.size))
                for rid in sorted(groups, key=lambda r: order.get(r, len(order)))]


# --- loading ---------------------------------------------------------------------------------
def load(path: str | Path) -> list[Side]:
    p = Path(path)
    if not p.is_file():
        raise BadInput(f"{p}: no such file")
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInput(f"{p}: not a JSON file ({exc})") from None
    adapters = doc.get("adapters") if isinstance(doc, dict) else None
    if not isinstance(adapters, list):
        raise BadInput(f"{p}: not a wsgi-conformance results file (no 'adapters' list); write one "
                       "with pytest --adapter=NAME --conformance-observations --conformance-json=PATH")
    sides = []
    for a in adapters:
        c = a.get("corpus")
        if not isinstance(c, dict) or not c.get("meta", {}).get("fingerprint"):
            continue
        sides.append(Side(str(p), a.get("adapter", "?"), a.get("framework", ""),
                          a.get("version", ""), c["meta"], c.get("cases", {})))
    if not sides:
        raise BadInput(f"{p}: holds no observations (names: "
                       f"{', '.join(a.get('adapter', '?') for a in adapters) or 'no adapters'}); "
                       "record them with --conformance-observations")
    return sides


def pair(old: list[Side], new: list[Side], adapter: str | None) -> list[tuple[Side, Side]]:
    olds, news = {s.adapter: s for s in old}, {s.adapter: s for s in new}
    if adapter is not None:
        for sides, name in ((olds, old[0].path), (news, new[0].path)):
            if adapter not in sides:
                raise BadInput(f"{name}: no observations for adapter {adapter!r} "
                               f"(it has: {', '.join(sides)})")
        return [(olds[adapter], news[adapter])]
    common = [n for n in olds if n in news]
    if not common:
        if len(olds) == 1 and len(news) == 1:  # one adapter each, named differently: allowed
            return [(old[0], new[0])]
        raise BadInput(f"no adapter in both files (old: {', '.join(olds)}; new: {', '.join(news)}); "
                       "choose one with --adapter")
    return [(olds[n], news[n]) for n in common]


def check_same_corpus(old: Side, new: Side) -> None:
    differ = [f"{what}: {old.meta.get(key)!r} vs {new.meta.get(key)!r}"
              for key, what in _SAME if old.meta.get(key) != new.meta.get(key)]
    if differ:
        raise BadInput(f"{old.adapter}: the two runs asked different questions, so their answers "
                       f"cannot be compared ({'; '.join(differ)}). Record both with the same "
                       "suite version, --conformance-profile and --hypothesis-seed.")
    if old.meta.get("fingerprint") != new.meta.get("fingerprint"):
        raise BadInput(f"{old.adapter}: the two corpora differ (fingerprint "
                       f"{old.meta.get('fingerprint')} vs {new.meta.get('fingerprint')}) although "
                       "seed, profile and versions agree; the strategies or the Python version "
                       "changed between the runs. Record both with the same installation of the suite.")


# --- comparing -------------------------------------------------------------------------------
def diff_sides(old: Side, new: Side) -> AdapterDiff:
    check_same_corpus(old, new)
    result = AdapterDiff(old, new)
    for cid, a in old.cases.items():
        b = new.cases.get(cid)
        if b is None:
            if a.get("kind") == "fixed":
                result.one_sided += 1
                continue
            raise BadInput(f"{old.adapter}: case {cid} ({a.get('request')}) is missing from "
                           f"{new.path}: the file is incomplete (an interrupted run?)")
        result.compared += 1
        if a.get("answer") == b.get("answer"):
            continue
        result.changes.append(Change(
            id=cid, requirement=_requirement(a, b), kind=a.get("kind", "?"),
            rules=a.get("rules", ""), request=a.get("request", ""), expected=a.get("expected"),
            old=a.get("answer", {}), new=b.get("answer", {}),
            old_meets=a.get("meets"), new_meets=b.get("meets"), alone=_alone(a, b),
            several=bool(a.get("alone"))))
    result.one_sided += sum(1 for cid, b in new.cases.items()
                            if cid not in old.cases and b.get("kind") == "fixed")
    return result


def _alone(a: dict[str, Any], b: dict[str, Any]) -> dict[str, tuple[dict, dict]]:
    old, new = a.get("alone") or {}, b.get("alone") or {}
    return {ep: (old[ep], new[ep]) for ep in old if ep in new and old[ep] != new[ep]}


def _requirement(a: dict[str, Any], b: dict[str, Any]) -> str:
    """The requirement a change is listed under: the one the new (else the old) answer breaks,
    else the one the oracle says decides the request."""
    for side in (b, a):
        if side.get("broken"):
            return side["broken"][0]
    return a.get("requirement") or b.get("requirement") or "?"


def diff_files(old_path: str | Path, new_path: str | Path, adapter: str | None = None) -> list[AdapterDiff]:
    return [diff_sides(o, n) for o, n in pair(load(old_path), load(new_path), adapter)]


# --- command ---------------------------------------------------------------------------------
def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "diff",
        help="list every case whose answer changed between two runs (e.g. two framework versions)",
        description="Compare the observations of two runs recorded with --conformance-observations "
                    "and list every case whose answer changed, grouped by requirement. Writes "
                    "diff.md, diff.html and diff.json. Exit status: 1 if anything changed, 0 if "
                    "nothing did, 2 on bad input.",
    )
    p.add_argument("old", metavar="OLD.json", help="results of the old version")
    p.add_argument("new", metavar="NEW.json", help="results of the new version")
    p.add_argument("--adapter", metavar="NAME", help="the adapter to compare when a file holds several")
    p.add_argument("--output", "-o", default="reports/diff", metavar="DIR",
                   help="where to write diff.md, diff.html and diff.json (default: reports/diff)")
    p.add_argument("--spec-url", metavar="URL",
                   help="where requirement ids link to (default: SPEC.md relative to the output directory)")
    p.add_argument("--quiet", "-q", action="store_true", help="only the one-line summary")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from conformance.report import diff_report

    try:
        diffs = diff_files(args.old, args.new, args.adapter)
    except BadInput as exc:
        print(f"wsgi-conformance diff: error: {exc}", file=sys.stderr)
        return 2
    paths = diff_report.write(diffs, Path(args.output), args.spec_url)
    changed = sum(len(d.changes) for d in diffs)
    for d in diffs:
        line = (f"{d.old.adapter}: {d.old.label} → {d.new.label}: {len(d.changes)} of {d.compared} "
                f"cases changed")
        groups = d.by_requirement()
        if groups:
            line += " (" + ", ".join(f"{rid} {len(cs)}" for rid, cs in groups) + ")"
        print(line)
        if not args.quiet:
            for rid, changes in groups:
                c = changes[0]
                rules = c.minimal or " ; ".join(c.rules.splitlines())
                print(f"  {rid}: {c.request}  [{rules}]  {corpus.describe(c.old)}  →  "
                      f"{corpus.describe(c.new)}")
    print("wrote " + ", ".join(str(p) for p in paths))
    sys.stdout.flush()
    return 1 if changed else 0
