"""Running a framework's own development server in this process, and stopping it for sure.

The ``server`` transport sends real HTTP requests to the server a framework ships (Werkzeug's
``run_simple`` server behind Flask's ``app.run``, the ``wsgiref`` server behind ``bottle.run``).
Those servers block in ``serve_forever``; ``ThreadedServer`` runs that loop in a daemon thread and
stops it with ``shutdown()`` + ``server_close()``, every wait bounded, so a run never leaves a
server behind. No framework is imported here: adapters hand in the framework's server object.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any, Callable

HOST = "127.0.0.1"  # the suite only ever listens on loopback
START_TIMEOUT = 10.0  # seconds a server may take to bind its socket
STOP_TIMEOUT = 5.0  # seconds a server may take to leave serve_forever


class ServerError(RuntimeError):
    """A framework's server did not start (or stop) within its bound."""


class ThreadedServer:
    """One framework server: ``serve`` runs in a daemon thread; ``port`` is the bound port.

    ``serve`` blocks until ``shutdown`` is called (``socketserver``'s contract). ``ready`` returns
    the server object once it exists (some frameworks create it inside ``serve``), so the port is
    read only when the socket is bound.
    """

    def __init__(self, serve: Callable[[], Any], ready: Callable[[], Any], name: str):
        self._serve = serve
        self._ready = ready
        self.name = name
        self.server: Any = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name=f"wsgi-conformance-{name}",
                                       daemon=True)

    def _run(self) -> None:
        try:
            self._serve()
        except BaseException as exc:  # reported by start()/stop(), never lost
            self.error = exc

    def start(self, timeout: float = START_TIMEOUT) -> "ThreadedServer":
        self.thread.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.server = self._ready()
            if self.server is not None:
                return self
            if not self.thread.is_alive():
                break
            time.sleep(0.005)
        self.stop()
        raise ServerError(f"{self.name}: the server did not start within {timeout:g} s"
                          + (f": {type(self.error).__name__}: {self.error}" if self.error else ""))

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @staticmethod
    def _poke(server: Any) -> None:
        try:
            socket.create_connection(server.server_address[:2], timeout=1.0).close()
        except OSError:  # already closed: nothing to wake
            pass

    @property
    def alive(self) -> bool:
        return self.thread.is_alive()

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Leave ``serve_forever`` and close the listening socket; bounded by ``timeout``."""
        server = self.server or self._ready()
        if server is not None and self.thread.is_alive():
            # shutdown() waits for serve_forever to notice, which it does only between polls
            # (every 0.5 s by default): run it bounded, and wake the loop with an empty
            # connection so that stopping takes milliseconds.
            stopper = threading.Thread(target=server.shutdown, daemon=True)
            stopper.start()
            self._poke(server)
            stopper.join(timeout)
        self.thread.join(timeout)
        if server is not None:
            server.server_close()
        if self.thread.is_alive():
            raise ServerError(f"{self.name}: the server did not stop within {timeout:g} s")


def threaded_source(setup: str, serve: str = "server.serve_forever",
                    port: str = "server.server_port") -> str:
    """Reproduction code: ``setup`` builds the server, ``serve`` runs in a daemon thread (this
    program then sends its request itself), and ``port`` is read once it is bound."""
    return f"import threading\n{setup}\nthreading.Thread(target={serve}, daemon=True).start()\nport = {port}"


def wsgiref_serve_source(comment: str) -> str:
    """``wsgiref_server`` as reproduction code (``serve_source``), with its access log."""
    return threaded_source(f"from wsgiref.simple_server import make_server\n\n# {comment}\n"
                           f"server = make_server({HOST!r}, 0, app)")


def wsgiref_server(app: Any, host: str, name: str = "wsgiref") -> ThreadedServer:
    """``wsgiref.simple_server.make_server(host, port, app)`` on a free port, started: the server
    Falcon's quickstart and Pyramid's "Hello World" serve an app with (access log off)."""
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # no access log per request
            pass

    server = make_server(host, 0, app, handler_class=QuietHandler)
    return ThreadedServer(server.serve_forever, lambda: server, name).start()
