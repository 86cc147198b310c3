"""``index.html``: the matrix as one self-contained static page (inline CSS and JS, no network).

Rendered with Jinja2 from ``templates/index.html.j2`` with autoescaping on: every value that
came from a framework (answers, bodies, reproductions) is text, never markup.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from conformance.report import matrix as mx

TEMPLATES = Path(__file__).with_name("templates")
_TICKS = re.compile(r"`([^`]+)`")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["ticks"] = ticks
    env.filters["first_line"] = lambda s: (str(s or "").strip().splitlines() or [""])[0]
    return env


def ticks(text: Any) -> Markup:
    """SPEC.md's `code` spans as <code>, everything else escaped."""
    return Markup(_TICKS.sub(lambda m: f"<code>{m.group(1)}</code>", str(escape(str(text)))))


def render(doc: dict[str, Any], spec_url: str) -> str:
    m = mx.build(doc, spec_url)
    return environment().get_template("index.html.j2").render(
        m=m,
        legend=mx.LEGEND,
        adapter_label=mx.adapter_label,
        count_line=mx.count_line,
        spec_url=spec_url,
        scalability_cells=_scalability_cells,
    )


def _scalability_cells(scal: dict[str, Any]) -> list[str]:
    from conformance.bench import scalability_cells  # issue 9: informational row

    return scalability_cells(scal)
