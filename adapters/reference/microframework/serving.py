"""``App.run``: the reference framework's development server and reloader, standard library only.

The server is ``wsgiref``'s. With the reloader (on in debug mode, as Flask's ``app.run(debug=True)``),
the first process only supervises: it runs the same command again as a child, and the child, which
serves, exits with ``RESTART`` as soon as a loaded module's source file changes; the supervisor
then starts a fresh child. Any other exit of the child ends the supervisor with the same status.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from typing import Any

CHILD = "MICROFRAMEWORK_RELOADER_CHILD"
RESTART = 3  # the child's exit status that asks for a restart
POLL = 0.5  # seconds between two looks at the source files


def run_app(app: Any, host: str, port: int, debug: bool | None, use_reloader: bool | None) -> None:
    from wsgiref.simple_server import make_server

    if debug is not None:
        app.debug = debug
    reload = app.debug if use_reloader is None else use_reloader
    if reload and os.environ.get(CHILD) != "1":
        sys.exit(supervise())
    server = make_server(host, port, app)
    if reload:
        threading.Thread(target=watch, args=(source_times(),), daemon=True).start()
    print(f" * Serving on http://{host}:{port}/" + (" (reloader on)" if reload else ""),
          file=sys.stderr)
    server.serve_forever()


def supervise() -> int:
    """Run this program as a child until it exits for another reason than a source change."""
    env = {**os.environ, CHILD: "1"}
    while True:
        status = subprocess.call([sys.executable, *sys.argv], env=env)
        if status != RESTART:
            return status


def source_times() -> dict[str, float]:
    times = {}
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path and path.endswith(".py"):
            try:
                times[path] = os.stat(path).st_mtime
            except OSError:
                continue
    return times


def watch(seen: dict[str, float]) -> None:
    """In the serving child: exit with RESTART once a source file changed (or vanished)."""
    while True:
        time.sleep(POLL)
        for path, mtime in seen.items():
            try:
                changed = os.stat(path).st_mtime != mtime
            except OSError:
                changed = True
            if changed:
                print(f" * {path} changed, restarting", file=sys.stderr)
                os._exit(RESTART)
