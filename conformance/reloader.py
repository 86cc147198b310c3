"""SERVER-006: does a framework's debug server serve an edited module file without a restart?

A module file written by the adapter (``Adapter.reloader_source``) runs in a subprocess of its own
process group, as a user runs ``python app.py``; the file is edited, and the answer to ``GET /`` is
polled until it changes. Every wait is bounded and the whole process group (the reloader's child
included) is killed at the end, whatever happened.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

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


def _wait_for(port: int, body: str, timeout: float) -> tuple[bool, str]:
    deadline, last = time.monotonic() + timeout, "no answer"
    while time.monotonic() < deadline:
        obs = http_observe(port, Request("/"), timeout=2.0)
        if obs.status == 200 and obs.body.decode("utf-8", "replace") == body:
            return True, ""
        last = obs.summary()
        time.sleep(0.2)
    return False, last


def check_reload(adapter: Adapter, workdir: Path, timeout: float = RELOAD_TIMEOUT) -> ReloadResult:
    token = uuid.uuid4().hex[:8]
    before, after = f"before {token}", f"after {token}"
    port = free_port()
    module = workdir / f"reload_app_{token}.py"
    module.write_text(adapter.reloader_source(before, port), encoding="utf-8")
    log = (workdir / f"reload_app_{token}.log").open("wb")
    process = subprocess.Popen([sys.executable, str(module)], cwd=workdir, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        ok, last = _wait_for(port, before, START_TIMEOUT)
        if not ok:
            return ReloadResult(False, f"the debug server never answered {before!r}: {last}")
        time.sleep(1.1)  # a stat-based reloader compares modification times (1 s resolution)
        module.write_text(adapter.reloader_source(after, port), encoding="utf-8")
        edited = time.monotonic()
        ok, last = _wait_for(port, after, timeout)
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
