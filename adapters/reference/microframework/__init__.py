"""A small WSGI micro-framework: the suite's reference implementation of SPEC.md.

Flask's registration API (``App``, ``route``, ``add_url_rule``, ``url_for``) over an independent
router with Werkzeug's rule syntax. Modules import each other relatively only, so a patched copy
(a mutant) can be loaded under another package name.
"""

from .app import App
from .converters import ValidationError
from .exceptions import HTTPException
from .routing import BuildError, Rule
from .templates import render
from .wrappers import Response

__all__ = ["App", "BuildError", "HTTPException", "Response", "Rule", "ValidationError", "render"]
