"""Reports of a comparison: the versioned results document and its renderings.

One concern per module: ``document`` (the ``results.json`` schema: building, loading, writing),
``matrix`` (the requirements × adapters view both renderings share), ``markdown``
(``summary.md``), ``html`` (``index.html``, from ``templates/``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["write_reports"]


def write_reports(doc: dict[str, Any], outdir: Path, spec_url: str | None = None) -> list[Path]:
    """Write results.json, summary.md and index.html into ``outdir``, each atomically."""
    from conformance.report import document, html, markdown

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    base = spec_url if spec_url is not None else document.relative_spec_url(outdir)
    paths = [outdir / "results.json", outdir / "summary.md", outdir / "index.html"]
    document.write_atomic(paths[0], document.dumps(doc))
    document.write_atomic(paths[1], markdown.render(doc, base))
    document.write_atomic(paths[2], html.render(doc, base))
    return paths
