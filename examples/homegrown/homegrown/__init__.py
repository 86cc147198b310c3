"""homegrown: a tiny WSGI micro-framework, written the way a weekend project is.

It exists to show how a framework that is *not* bundled with wsgi-conformance gets checked: it
ships its own adapter (``homegrown.conformance_adapter``) and registers it through the
``wsgi_conformance.adapters`` entry point. It is deliberately naive (routes are tried in the
order they were added, ``<int:x>`` is ``\\d+``, no trailing-slash redirects, no automatic HEAD or
OPTIONS, URL building by string replacement): the suite is supposed to find those divergences.

    from homegrown import Homegrown

    app = Homegrown()

    @app.route("/hello/<name>")
    def hello(name):
        return f"Hello {name}!"
"""

from homegrown.app import Homegrown, HTTPError, Response
from homegrown.routing import Route, Router

__all__ = ["Homegrown", "HTTPError", "Response", "Route", "Router"]
__version__ = "0.1.0"
