"""``summary.md``: the matrix as GitHub-flavoured Markdown, fit for ``$GITHUB_STEP_SUMMARY``."""

from __future__ import annotations

import html
from typing import Any

from conformance.report import matrix as mx
from conformance.report.matrix import LEGEND, Matrix, Row


def render(doc: dict[str, Any], spec_url: str) -> str:
    m = mx.build(doc, spec_url)
    names = [a["adapter"] for a in m.adapters]
    out = [f"# wsgi-conformance: {' · '.join(esc(n) for n in names) or 'no adapters'}", ""]
    out += _run_line(m) + [""]
    out += _adapters_table(m) + [""]
    out += _scalability(m)
    if m.unfinished:
        out.append("> **Did not finish:** " + "; ".join(
            f"{esc(a['adapter'])} ({esc(a['status'])}{': ' + esc(_first_line(a['error'])) if a.get('error') else ''})"
            for a in m.unfinished))
        out.append("")
    out += ["**Legend:** " + " · ".join(f"{sym} {label}" + (f" ({meaning})" if o in ("fail", "non-strict", "informational", "error") else "")
                                      for o, (sym, _, label, meaning) in LEGEND.items()),
            "",
            "Each non-pass cell shows what the framework answered. Requirement ids link to their "
            "sentence in SPEC.md; counterexamples and reproductions are in `index.html` and `results.json`.",
            ""]
    diffs = m.differences
    out += ["## Differences only", ""]
    if len(names) < 2:
        out += ["Only one adapter: nothing to compare.", ""]
    elif not diffs:
        out += ["All adapters agree on every requirement.", ""]
    else:
        out += [f"{len(diffs)} of {len(m.rows)} requirements differ between adapters "
                "(another outcome, or for an IMPL requirement other status codes observed).", ""]
        out += _table(diffs, names) + [""]
    out += ["## All requirements", ""]
    if m.not_run:
        out += [f"{len(m.not_run)} requirements were not run by any adapter (not selected) and are "
                "not listed.", ""]
    for area in m.areas:
        out += [f"### {esc(area.title)}", ""] + _table(area.rows, names) + [""]
    return "\n".join(out).rstrip("\n") + "\n"


def _run_line(m: Matrix) -> list[str]:
    run = m.run
    parts = [f"Run {esc(run.get('date', '?'))}",
             f"Python {esc(run.get('python', '?'))}",
             f"profile {code(run.get('profile') or 'default')}",
             f"seed {code(run.get('seed')) if run.get('seed') is not None else '–'}",
             f"transport {esc(run.get('transport', 'wsgi'))}"]
    if run.get("select"):
        parts.append("selected " + ", ".join(code(s) for s in run["select"]))
    lines = [" · ".join(parts)]
    if run.get("command"):
        lines += ["", f"Command: {code(run['command'])}"]
    return lines


def _scalability(m: Matrix) -> list[str]:
    """Informational (``compare --scalability``): how build time and request cost grow."""
    from conformance.bench import scalability_cells

    measured = [a for a in m.adapters if a.get("scalability")]
    if not measured:
        return []
    lines = ["**Routing scalability** (informational, measured on this machine):", ""]
    for a in measured:
        lines.append(f"- {esc(a['adapter'])}: " + "; ".join(esc(c) for c in scalability_cells(a["scalability"])))
    return lines + [""]


def _adapters_table(m: Matrix) -> list[str]:
    lines = ["| adapter | framework | status | requirements | capabilities |", "|---|---|---|---|---|"]
    for a in m.adapters:
        caps = ", ".join(code(c) for c in a.get("capabilities", [])) or "–"
        lines.append(f"| {esc(a['adapter'])} | {esc(mx.adapter_label(a))} | {esc(a['status'])} | "
                     f"{esc(mx.count_line(a)) or '–'} | {caps} |")
    return lines


def _table(rows: list[Row], names: list[str]) -> list[str]:
    lines = ["| requirement | level | " + " | ".join(esc(n) for n in names) + " |",
             "|---|---|" + "---|" * len(names)]
    for row in rows:
        title = row.title.replace("`", "").replace('"', "'")
        link = f'[{row.id}]({row.link} "{esc(title)}")'
        cells = [_cell(c) for c in row.cells]
        lines.append(f"| {link} | {row.level} | " + " | ".join(cells) + " |")
    return lines


def _cell(c: mx.Cell) -> str:
    if c.outcome == "pass":
        return c.symbol
    text = f"{c.symbol} {c.label}"
    if c.answer:
        text += f": {code(c.answer)}"
    return text


def code(text: Any) -> str:
    """An inline code span that survives a table cell: no backticks, pipes escaped.

    A code span shows its text literally (GitHub renders ``<`` in it as ``<``, never as HTML), so
    only what ends the span (a backtick) or the cell (``|``) needs care.
    """
    text = " ".join(str(text).split()).replace("`", "'")
    return "`" + text.replace("|", "\\|") + "`"


def esc(text: Any) -> str:
    """Plain text that Markdown (and GitHub's HTML) shows as written, in a table cell too."""
    text = html.escape(" ".join(str(text).split()), quote=False)
    for ch in "\\`*_[]|#":
        text = text.replace(ch, "\\" + ch)
    return text


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""
