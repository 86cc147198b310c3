"""The requirements × adapters matrix that summary.md and index.html both show.

Built from a results document (``conformance.report.document``) alone, so a report can be
re-rendered from a saved ``results.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conformance.report.document import FINISHED, NOT_RUN

# outcome -> (emoji for Markdown, glyph for HTML, label, meaning), in the order the legend lists
# them. The HTML glyphs are plain text symbols every common font has (no emoji font needed).
LEGEND: dict[str, tuple[str, str, str, str]] = {
    "pass": ("✅", "✓", "pass", "requirement met"),
    "fail": ("❌", "✗", "fail", "a MUST (or a MAY the adapter declares) not met"),
    "non-strict": ("⚠️", "!", "non-strict", "a SHOULD not met: reported, not a failing build"),
    "informational": ("ℹ️", "i", "informational", "IMPL: implementation-defined, what the framework did is recorded"),
    "not-applicable": ("➖", "–", "n/a", "needs a capability the adapter does not declare"),
    "error": ("💥", "⚠", "error", "the harness could not run it (adapter fault, timeout): not a verdict on the framework"),
    NOT_RUN: ("∅", "∅", "not run", "not checked: not selected, or the adapter did not finish"),
}


@dataclass
class Cell:
    adapter: str
    requirement: str
    outcome: str
    answer: str = ""  # what the framework answered, in a few words
    counterexample: dict[str, Any] | None = None
    observations: list[str] = field(default_factory=list)
    checks: dict[str, int] = field(default_factory=dict)
    cases: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """``adapter:REQ-ID``: the cell's name in links (``index.html#open=bottle:CONV-INT-003``)."""
        return f"{self.adapter}:{self.requirement}"

    @property
    def symbol(self) -> str:
        return LEGEND.get(self.outcome, ("?", "?", "", ""))[0]

    @property
    def glyph(self) -> str:
        return LEGEND.get(self.outcome, ("?", "?", "", ""))[1]

    @property
    def label(self) -> str:
        return LEGEND.get(self.outcome, ("", "", self.outcome, ""))[2]

    @property
    def has_details(self) -> bool:
        return self.outcome not in ("pass", NOT_RUN) and bool(
            self.counterexample or self.observations or self.outcome == "not-applicable")

    @property
    def agreement(self) -> tuple[str, frozenset[str]]:
        """What two cells must share to agree: the outcome, and for IMPL the kind of answer.

        The kind is the set of status codes observed (``308`` vs ``404``): observations carry no
        request, and generated cases add their own, so whole answers are not comparable.
        """
        if self.outcome != "informational":
            return (self.outcome, frozenset())
        answers = self.observations or [self.answer]
        return (self.outcome, frozenset(a.split(" ", 1)[0] if a[:3].isdigit() else a for a in answers if a))


@dataclass
class Row:
    id: str
    level: str
    title: str
    link: str
    needs: str | None
    cells: list[Cell]

    @property
    def differs(self) -> bool:
        """Adapters disagree: another outcome, or (IMPL) another answer. Unrun cells don't count."""
        seen = {c.agreement for c in self.cells if c.outcome != NOT_RUN}
        return len(seen) > 1


@dataclass
class Area:
    number: int
    name: str
    prefix: str
    rows: list[Row]

    @property
    def title(self) -> str:
        return f"{self.number}. {self.name} — {self.prefix}"

    @property
    def differs(self) -> bool:
        return any(r.differs for r in self.rows)


@dataclass
class Matrix:
    run: dict[str, Any]
    adapters: list[dict[str, Any]]
    areas: list[Area]
    verdict: dict[str, Any] | None
    not_run: list[str] = field(default_factory=list)  # requirements no adapter ran: not shown

    @property
    def rows(self) -> list[Row]:
        return [r for a in self.areas for r in a.rows]

    @property
    def differences(self) -> list[Row]:
        return [r for r in self.rows if r.differs]

    @property
    def unfinished(self) -> list[dict[str, Any]]:
        return [a for a in self.adapters if a["status"] != FINISHED]


def build(doc: dict[str, Any], spec_url: str) -> Matrix:
    """The matrix of ``doc``; requirement ids link to ``spec_url#ID``."""
    snapshot = doc.get("spec") or {}
    reqs = snapshot.get("requirements", {})
    adapters = doc.get("adapters", [])
    areas: list[Area] = []
    listed: set[str] = set()
    not_run: list[str] = []
    for area in snapshot.get("areas", []):
        rows = [_row(rid, reqs.get(rid, {}), adapters, spec_url) for rid in area["requirements"]]
        listed.update(area["requirements"])
        not_run += [r.id for r in rows if all(c.outcome == NOT_RUN for c in r.cells)]
        rows = [r for r in rows if r.id not in not_run]
        if rows:
            areas.append(Area(area["number"], area["name"], area["prefix"], rows))
    # results for ids the snapshot does not list (an older SPEC.md): shown, not dropped
    extra = sorted({rid for a in adapters for rid in a.get("requirements", {})} - listed)
    if extra:
        rows = [_row(rid, {}, adapters, spec_url) for rid in extra]
        areas.append(Area(len(areas) + 1, "Not in this SPEC.md", "OTHER", rows))
    return Matrix(doc.get("run", {}), adapters, areas, doc.get("verdict"), not_run)


def _row(rid: str, req: dict[str, Any], adapters: list[dict[str, Any]], spec_url: str) -> Row:
    cells = []
    for a in adapters:
        r = a.get("requirements", {}).get(rid)
        if r is None:
            cells.append(Cell(a["adapter"], rid, NOT_RUN))
            continue
        cells.append(Cell(a["adapter"], rid, r["outcome"], r.get("answer", ""), r.get("counterexample"),
                          list(r.get("observations", [])), dict(r.get("checks", {})),
                          list(r.get("cases", []))))
    level = req.get("level") or next(
        (a["requirements"][rid].get("level", "?") for a in adapters if rid in a.get("requirements", {})), "?")
    return Row(rid, level, req.get("title", ""), f"{spec_url}#{rid}", req.get("needs"), cells)


def adapter_label(a: dict[str, Any]) -> str:
    version = a.get("version")
    framework = a.get("framework") or a["adapter"]
    label = f"{framework} {version}" if version and version != "unknown" else framework
    transport = a.get("transport", "wsgi")  # issue 10: how requests reached the app
    return label if transport == "wsgi" else f"{label} over {transport}"


def count_line(a: dict[str, Any]) -> str:
    counts = a.get("counts", {})
    order = ["pass", "fail", "non-strict", "informational", "not-applicable", "error"]
    return " · ".join(f"{LEGEND[o][2]} {counts[o]}" for o in order if counts.get(o))
