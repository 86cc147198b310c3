"""SERVER-006: does a framework's debug server serve an edited module file without a restart?

A module file written by the adapter (``Adapter.reloader_source``) runs in a subprocess of its own
process group, as a user runs ``python app.py``; the file is edited, and the answer to ``GET /`` is
polled until it changes. Every wait is bounded and the whole process group (the reloader's child
included) is killed at the end, whatever happened.

The check is mostly waiting (a cold interpreter, the reloader's poll interval, up to 15 s for a
reloader that never reloads), so a run starts it in a background thread as soon as the cases are
collected (``start``) and the SERVER-006 case only collects the answer (``started``): the wait
overlaps the other cases instead of adding to the run's wall time (issue 9).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.base import Adapter
from adapters.serving import HOST
from conformance.model import Request
from conformance.transport import http_observe

RELOAD_TIMEOUT = 15.0  # seconds the edited file may take to be served (SPEC.md SERVER-006)
START_TIMEOUT = 20.0  # seconds the first answer may take (a cold interpreter on a busy box)


@dataclass(frozen=True)
class ReloadResult:
    reloaded: bool
    detail: str  # what was seen, for the report
    seconds: float | None = None  # edit -> new answer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _wait_for(port: int, body: str, timeout: float,
              cancel: threading.Event | None = None) -> tuple[bool, str]:
    deadline, last = time.monotonic() + timeout, "no answer"
    while time.monotonic() < deadline:
        obs = http_observe(port, Request("/"), timeout=2.0)
        if obs.status == 200 and obs.body.decode("utf-8", "replace") == body:
            return True, ""
        last = obs.summary()
        if _pause(0.2, cancel):
            return False, CANCELLED
    return False, last


CANCELLED = "the check was cancelled (the run ended before its answer was collected)"


def _pause(seconds: float, cancel: threading.Event | None) -> bool:
    """Sleep; True when ``cancel`` was set meanwhile."""
    if cancel is None:
        time.sleep(seconds)
        return False
    return cancel.wait(seconds)


def check_reload(adapter: Adapter, workdir: Path, timeout: float = RELOAD_TIMEOUT,
                 cancel: threading.Event | None = None) -> ReloadResult:
    """``cancel`` (set when the run ends before the answer was collected) cuts every wait short."""
    token = uuid.uuid4().hex[:8]
    before, after = f"before {token}", f"after {token}"
    port = free_port()
    module = workdir / f"reload_app_{token}.py"
    module.write_text(adapter.reloader_source(before, port), encoding="utf-8")
    log = (workdir / f"reload_app_{token}.log").open("wb")
    process = subprocess.Popen([sys.executable, str(module)], cwd=workdir, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        ok, last = _wait_for(port, before, START_TIMEOUT, cancel)
        if not ok:
            return ReloadResult(False, f"the debug server never answered {before!r}: {last}")
        # A stat-based reloader compares modification times (1 s resolution); and a user edits
        # the file a moment after the server came up, not in the same instant.
        if _pause(1.1, cancel):
            return ReloadResult(False, CANCELLED)
        module.write_text(adapter.reloader_source(after, port), encoding="utf-8")
        edited = time.monotonic()
        ok, last = _wait_for(port, after, timeout, cancel)
        if not ok:
            return ReloadResult(False, f"{timeout:g} s after the edit it still answered: {last}")
        seconds = time.monotonic() - edited
        return ReloadResult(True, f"served the edited file {seconds:.1f} s after the edit", seconds)
    finally:
        stop(process)
        log.close()


def stop(process: subprocess.Popen, timeout: float = 5.0) -> bool:
    """Kill the server's whole process group (a reloader runs the app in a child process);
    True when no process of the group is left."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return True
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            process.poll()  # reap the leader, or the group still "exists" as a zombie
            if not group_alive(process.pid):
                return True
            time.sleep(0.05)
    return not group_alive(process.pid)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


class BackgroundCheck:
    """``check_reload`` in a daemon thread, in a temporary directory of its own."""

    def __init__(self, adapter: Adapter):
        self.cancel = threading.Event()
        self.result: ReloadResult | None = None
        self.error: Exception | None = None
        self._thread = threading.Thread(target=self._run, args=(adapter,), daemon=True,
                                        name=f"reload-check-{adapter.name}")
        self._thread.start()

    def _run(self, adapter: Adapter) -> None:
        try:
            with tempfile.TemporaryDirectory(prefix="wsgi-conformance-reload-") as workdir:
                self.result = check_reload(adapter, Path(workdir), cancel=self.cancel)
        except Exception as exc:  # raised in the case, as the check run there would raise it
            self.error = exc

    def wait(self) -> ReloadResult:
        # Every wait inside is bounded (start, pause, reload, stop): this join ends.
        self._thread.join(START_TIMEOUT + RELOAD_TIMEOUT + 30.0)
        if self.error is not None:
            raise self.error
        return self.result or ReloadResult(False, "the reload check did not finish in time")

    def stop(self) -> None:
        self.cancel.set()
        self._thread.join(15.0)  # stop() kills the process group within its own bounds


_CHECKS = pytest.StashKey[dict[str, BackgroundCheck]]()


def start(config: pytest.Config, adapter: Adapter) -> None:
    """Begin ``adapter``'s check now; ``started`` collects its answer (once per adapter and run)."""
    checks = config.stash.setdefault(_CHECKS, {})
    if adapter.name not in checks:
        checks[adapter.name] = BackgroundCheck(adapter)


def started(config: pytest.Config, adapter: Adapter) -> ReloadResult | None:
    """The answer of the check ``start`` began for ``adapter``, or None when none was begun."""
    check = config.stash.get(_CHECKS, {}).pop(adapter.name, None)
    return check.wait() if check is not None else None


def stop_all(config: pytest.Config) -> None:
    """At the end of the run: cancel the checks no case collected (deselected, interrupted)."""
    for check in config.stash.get(_CHECKS, {}).values():
        check.stop()
    config.stash[_CHECKS] = {}
