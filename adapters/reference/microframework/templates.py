"""A tiny HTML template engine: ``render('<p>{name}</p>', name=value)``, escaping by default."""

from __future__ import annotations

import html
from typing import Any


def render(template: str, /, **values: Any) -> str:
    """``template`` with each ``{name}`` replaced by ``str(value)``, HTML-escaped (TMPL-001)."""
    escaped = {name: html.escape(str(value), quote=True) for name, value in values.items()}
    return template.format(**escaped)
