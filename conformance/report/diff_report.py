"""The upgrade diff's reports: ``diff.md`` (fit for a job summary), ``diff.html``, ``diff.json``.

Laid out like the comparison report: requirement ids link to their SPEC.md sentence, grouped in
SPEC.md order, each change with its rule set, request, what SPEC.md expects and both answers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conformance import corpus, spec
from conformance.report import document, html
from conformance.report.markdown import code, esc

MD_PER_REQUIREMENT = 10  # diff.md stays readable; diff.html and diff.json list every change
VERDICT = {"regression": "⚠️ regression", "fix": "✅ fix", "changed": "↔ changed"}


def write(diffs: list[Any], outdir: Path, spec_url: str | None = None) -> list[Path]:
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    base = spec_url if spec_url is not None else document.relative_spec_url(outdir)
    paths = [outdir / "diff.md", outdir / "diff.html", outdir / "diff.json"]
    document.write_atomic(paths[0], markdown(diffs, base))
    document.write_atomic(paths[1], render_html(diffs, base))
    document.write_atomic(paths[2], json.dumps(to_json(diffs), indent=1, ensure_ascii=False) + "\n")
    return paths


def _title(rid: str) -> tuple[str, str]:
    req = spec.requirements().get(rid)
    return (req.level, req.title) if req else ("?", "")


def to_json(diffs: list[Any]) -> dict[str, Any]:
    return {"schema": "wsgi-conformance-diff/1", "adapters": [{
        "adapter": d.old.adapter, "old": {"framework": d.old.label, "file": d.old.path},
        "new": {"framework": d.new.label, "file": d.new.path}, "corpus": d.old.meta,
        "compared": d.compared, "one_sided": d.one_sided,
        "changes": [c.to_json() for _, cs in d.by_requirement() for c in cs]} for d in diffs]}


def markdown(diffs: list[Any], spec_url: str) -> str:
    out = ["# wsgi-conformance diff", ""]
    for d in diffs:
        meta = d.old.meta
        out += [f"## {esc(d.old.adapter)}: {esc(d.old.label)} → {esc(d.new.label)}", "",
                f"{len(d.changes)} of {d.compared} cases changed · profile {esc(meta.get('profile'))}"
                f" · seed {esc(meta.get('seed'))} · {meta.get('scenarios')} scenarios"
                + (f" · {d.one_sided} fixed-case requests asked on one side only (not compared)"
                   if d.one_sided else ""), ""]
        if not d.changes:
            out += ["No answer changed.", ""]
            continue
        groups = d.by_requirement()
        out += ["| requirement | level | changed | regressions | fixes |", "|---|---|---|---|---|"]
        for rid, cs in groups:
            level, _ = _title(rid)
            out.append(f"| [{rid}]({spec_url}#{rid}) | {level} | {len(cs)} | "
                       f"{sum(c.verdict == 'regression' for c in cs)} | {sum(c.verdict == 'fix' for c in cs)} |")
        out.append("")
        for rid, cs in groups:
            level, title = _title(rid)
            out += [f"### [{rid}]({spec_url}#{rid}) ({level}) {esc(title)}", "",
                    "| | rules | request | expected | old | new | one rule alone |",
                    "|---|---|---|---|---|---|---|"]
            for c in cs[:MD_PER_REQUIREMENT]:
                rules = "<br>".join(code(line) for line in c.rules.splitlines())
                out.append(f"| {VERDICT[c.verdict]} | {rules} | {code(c.request)} | "
                           f"{esc(c.expected or '')} | {code(corpus.describe(c.old))} | "
                           f"{code(corpus.describe(c.new))} | {esc(alone_text(c))} |")
            if len(cs) > MD_PER_REQUIREMENT:
                out.append(f"\n… and {len(cs) - MD_PER_REQUIREMENT} more (smallest first here; "
                           "every change is in diff.html and diff.json).")
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def alone_text(change: Any) -> str:
    """The rule that reproduces the change by itself, or that the rules are needed together."""
    if change.minimal:
        return f"{change.minimal.split('  -> ')[0]} alone gives the same change"
    return "no single rule gives this change alone" if change.several else ""


def render_html(diffs: list[Any], spec_url: str) -> str:
    return html.environment().get_template("diff.html.j2").render(
        diffs=diffs, spec_url=spec_url, title=_title, describe=corpus.describe, verdicts=VERDICT,
        alone=alone_text)
