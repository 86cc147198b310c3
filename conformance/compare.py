"""``wsgi-conformance compare``: the suite on several frameworks, side by side.

Every adapter runs in its own pytest process (``python -m pytest --adapter=NAME
--conformance-json=...``), so one framework's crash, hang or import side effects cannot touch
another's results. Progress is read from that process's verbose output; the results come from its
JSON. After each adapter the reports are rewritten (atomically), so an interrupted comparison
keeps what finished and says which adapters did not.
"""

from __future__ import annotations

import argparse
import codecs
import os
import queue
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any, Callable, TextIO

from conformance import registry, spec
from conformance.report import document, write_reports
from conformance.report.matrix import count_line

GRACE_S = 10.0  # how long an interrupted pytest gets to write its partial results

_COLLECTED = re.compile(r"collected (?P<n>\d+) items?(?: / (?P<desel>\d+) deselected)?(?: / (?P<sel>\d+) selected)?")
_RESULT = re.compile(r"^(?P<node>\S.*?::.*?) (?P<word>PASSED|FAILED|SKIPPED|XFAIL|XPASS|ERROR)\b")
_CASE_REQ = re.compile(r"::test_(?P<id>[A-Z]+(?:_[A-Z]+)*_\d{3})")
_SECTION = re.compile(r"^={3,} (?:FAILURES|ERRORS|warnings summary|short test summary info|slowest)")
_PROFILE = re.compile(r"hypothesis profile '(?P<name>[^']+)'")


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "compare",
        help="run the suite on every installed adapter (or those named) and write reports",
        description="Run the conformance suite on each adapter in its own pytest process and write "
                    "results.json, summary.md and index.html. Exit status: 1 if a MUST/MAY "
                    "requirement failed or an adapter errored (see --fail-on), 130 if interrupted.",
        epilog="Arguments after -- go to every pytest run, e.g. -- -k CONV_INT.",
    )
    p.add_argument("--adapter", action="append", dest="adapters", metavar="NAME",
                   help="adapter to run (repeatable); default: every installed adapter")
    p.add_argument("--output", "-o", default="reports", metavar="DIR",
                   help="where to write results.json, summary.md, index.html (default: reports)")
    p.add_argument("--conformance-profile", dest="profile", metavar="NAME",
                   help="Hypothesis profile, passed to pytest (ci, dev, thorough)")
    p.add_argument("--hypothesis-seed", dest="seed", metavar="SEED",
                   help="Hypothesis seed, passed to pytest")
    p.add_argument("--conformance-select", dest="select", action="append", metavar="ID|GLOB",
                   help="only the cases of these requirements, e.g. 'CONV-*' (repeatable)")
    p.add_argument("--timeout", type=float, default=1800.0, metavar="SECONDS",
                   help="per adapter; an adapter that takes longer is stopped and reported as an "
                        "error (default: 1800; 0: no limit)")
    p.add_argument("--fail-on", choices=("must", "never"), default="must",
                   help="must (default): exit 1 on a MUST/MAY failure or a harness error; never: exit 0")
    p.add_argument("--spec-url", metavar="URL",
                   help="where requirement ids link to (default: SPEC.md relative to the output "
                        "directory; a job summary wants an absolute URL)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress, only the summary")
    p.add_argument("--scalability", action="store_true",
                   help="also measure, per adapter, app build time and request cost for 1 to 1000 "
                        "rules (informational; a few seconds to a minute per adapter)")
    p.add_argument("pytest_args", nargs="*", metavar="-- PYTEST_ARGS", help=argparse.SUPPRESS)
    p.set_defaults(func=run)
    return p


# --- progress -----------------------------------------------------------------------------------
class Progress:
    """One live line on a terminal; a line per area and per adapter in a log (CI)."""

    def __init__(self, stream: TextIO, quiet: bool = False):
        self.stream = stream
        self.quiet = quiet
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.width = shutil.get_terminal_size((100, 20)).columns
        self._last = 0.0
        self._area = ""
        self._live = False

    def line(self, text: str) -> None:
        if self.quiet:
            return
        self._clear()
        self.stream.write(text + "\n")
        self.stream.flush()

    def start(self, index: int, count: int, name: str) -> None:
        self._area = ""
        self.line(f"[{index}/{count}] {name}: running")

    def case(self, index: int, count: int, name: str, done: int, total: int | None,
             requirement: str, case: str, force: bool = False) -> None:
        if self.quiet:
            return
        of = f"{done}/{total}" if total else f"{done}"
        if self.tty:
            now = time.monotonic()
            if not force and now - self._last < 0.08:
                return
            self._last = now
            text = f"[{index}/{count}] {name}  {of:>9}  {requirement:<15} {case}"
            self.stream.write("\r\x1b[2K" + text[: max(self.width - 1, 20)])
            self.stream.flush()
            self._live = True
        else:  # a log: one line per area (or per module for cases not named after a requirement)
            area = requirement.split("-")[0] if requirement else case.split("::")[0]
            if area and area != self._area:
                self._area = area
                self.line(f"    {name}  {of:>9}  {area}")

    def _clear(self) -> None:
        if self._live:
            self.stream.write("\r\x1b[2K")
            self._live = False


# --- one adapter ----------------------------------------------------------------------------------
class _Output:
    """The child's merged stdout/stderr, read on a thread: whole lines, plus the line in progress."""

    def __init__(self, stream: Any):
        self.queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def join(self, timeout: float) -> bool:
        """Wait for the reader to reach the end of the output; whether it did."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _read(self, stream: Any) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        fd = stream.fileno()
        try:
            while chunk := os.read(fd, 65536):
                self.queue.put(decoder.decode(chunk))
        except OSError:  # pragma: no cover
            pass
        finally:
            self.queue.put(decoder.decode(b"", final=True))
            self.queue.put(None)


class AdapterRun:
    """Runs pytest on one adapter, follows its progress, and fills the document's entry."""

    def __init__(self, entry: dict[str, Any], command: list[str], json_path: Path,
                 progress: Progress, index: int, count: int, timeout: float | None):
        self.entry = entry
        self.command = command
        self.json_path = json_path
        self.progress = progress
        self.index, self.count = index, count
        self.timeout = timeout or None
        self.tail: deque[str] = deque(maxlen=60)
        self.total: int | None = None
        self.done = 0
        self.current = ""
        self.requirement = ""
        self.profile: str | None = None
        self._buffer = ""
        self.in_summary = False

    # parsing the verbose output
    def feed(self, text: str) -> None:
        self._buffer += text
        *lines, self._buffer = self._buffer.split("\n")
        for line in lines:
            self._line(line.rstrip("\r"))
        if "::" in self._buffer and not self.in_summary and not self._buffer[:1].isspace():
            # "nodeid " is written when a case starts, its result when it ends
            self._running(self._buffer.strip())

    def _line(self, line: str) -> None:
        self.tail.append(line)
        if _SECTION.match(line):  # failures, warnings, summaries: no more progress to read
            self.in_summary = True
        if self.in_summary:
            return
        if self.profile is None and (m := _PROFILE.search(line)):
            self.profile = m.group("name")
        if self.total is None and (m := _COLLECTED.search(line)):
            n, desel, sel = (int(g) if g else None for g in m.group("n", "desel", "sel"))
            self.total = sel if sel is not None else n - (desel or 0)
        if m := _RESULT.match(line):
            self.done += 1
            self._running(m.group("node"), force=True)

    def _running(self, node: str, force: bool = False) -> None:
        self.current = node
        req = _CASE_REQ.search(node)
        self.requirement = req.group("id").replace("_", "-") if req else ""
        name = node.rsplit("/", 1)[-1]
        self.progress.case(self.index, self.count, self.entry["adapter"], self.done, self.total,
                           self.requirement, name, force)

    # running
    def run(self) -> None:
        entry = self.entry
        entry["status"] = document.RUNNING
        # as a reader would type it: no interpreter path, no temporary directory
        entry["command"] = ["python" if a == sys.executable else
                            a.replace(str(self.json_path.parent), "<tmp>") for a in self.command]
        env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8")  # lines as they come
        started = time.monotonic()
        proc = subprocess.Popen(
            self.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=env, start_new_session=os.name == "posix",  # Ctrl-C reaches us, we forward it once
        )
        out = _Output(proc.stdout)
        try:
            deadline = started + self.timeout if self.timeout else None
            why = ""
            try:
                why = self._follow(out, deadline)
            except KeyboardInterrupt:
                why = "interrupted"
            if why:
                self._stop(proc, out)
            rc = proc.wait()
        finally:  # whatever happened here, no pytest process is left behind
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            if proc.stdout and out.join(2.0):  # a grandchild may still hold the pipe: then leave it
                proc.stdout.close()
        entry["exit_code"] = rc
        entry["duration_s"] = round(time.monotonic() - started, 2)
        self._conclude(rc, why)

    def _follow(self, out: _Output, deadline: float | None) -> str:
        """Read until the child ends (""), or the deadline passes ("timeout")."""
        while True:
            try:
                text = out.queue.get(timeout=0.2)
            except queue.Empty:
                if deadline is not None and time.monotonic() > deadline:
                    return "timeout"
                continue
            if text is None:
                return ""
            self.feed(text)

    def _stop(self, proc: subprocess.Popen, out: _Output) -> None:
        """Ask pytest to stop as Ctrl-C would (it then writes what it has); kill it if it won't."""
        try:
            if os.name == "posix":
                proc.send_signal(signal.SIGINT)
            else:  # pragma: no cover
                proc.terminate()
            end = time.monotonic() + GRACE_S
            while time.monotonic() < end:
                try:
                    text = out.queue.get(timeout=0.2)
                except queue.Empty:
                    if proc.poll() is not None:
                        break
                    continue
                if text is None:
                    break
                self.feed(text)
        except KeyboardInterrupt:  # a second Ctrl-C: do not wait
            pass
        if proc.poll() is None:
            proc.kill()

    def _conclude(self, rc: int, why: str) -> None:
        entry = self.entry
        data = None
        if self.json_path.exists():
            try:
                data = _plugin_adapter(self.json_path, entry["adapter"])
            except (ValueError, OSError) as exc:
                document.mark_error(entry, f"could not read the results of pytest: {exc}")
                return
        document.fill_adapter(entry, data)
        if why == "interrupted":
            entry["status"] = document.INTERRUPTED
            entry["error"] = f"interrupted during {self.current or 'start-up'}"
            return
        if why == "timeout":
            document.mark_error(entry, f"timed out after {self.timeout:g} s, during {self.current or 'start-up'}",
                                requirement=self.requirement or None)
            return
        if rc in (0, 1) and data is not None:
            entry["status"] = document.FINISHED
            return
        reasons = {2: "pytest was interrupted (a collection error?)", 3: "pytest internal error",
                   4: "pytest usage error", 5: "no cases were collected"}
        message = _error_line(self.tail) or reasons.get(rc, f"pytest exited with status {rc}")
        if rc in (0, 1):
            message = "pytest wrote no results"
        document.mark_error(entry, message)
        entry["output_tail"] = "\n".join(self.tail)


def _plugin_adapter(path: Path, name: str) -> dict[str, Any] | None:
    import json

    data = json.loads(path.read_text(encoding="utf-8"))
    adapters = data.get("adapters", [])
    return next((a for a in adapters if a.get("adapter") == name), adapters[0] if adapters else None)


def _error_line(tail: deque[str]) -> str:
    for line in reversed(tail):
        if line.startswith(("ERROR: ", "E   ")) or "Error:" in line.split(" ", 1)[0]:
            return line.removeprefix("ERROR: ").strip()
    return ""


# --- the comparison -------------------------------------------------------------------------------
def pytest_command(name: str, json_path: Path, args: argparse.Namespace) -> list[str]:
    cmd = [sys.executable, "-m", "pytest", f"--adapter={name}", f"--conformance-json={json_path}",
           "-p", "no:cacheprovider", "-v", "--color=no", "--tb=short", "-o", "console_output_style=classic"]
    if args.profile:
        cmd.append(f"--conformance-profile={args.profile}")
    if args.seed is not None:
        cmd.append(f"--hypothesis-seed={args.seed}")
    for pattern in args.select or []:
        cmd.append(f"--conformance-select={pattern}")
    return cmd + list(args.pytest_args or [])


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]", "_", name)


def _entry(name: str) -> dict[str, Any]:
    try:  # display metadata early; the child's JSON has the last word
        adapter = registry.load(name)
        return document.pending_adapter(name, adapter.framework, adapter.version(), sorted(adapter.capabilities))
    except Exception:  # noqa: BLE001 - the child process reports why, in its own environment
        return document.pending_adapter(name)


def run(args: argparse.Namespace, stream: TextIO | None = None) -> int:
    stream = stream or sys.stderr
    progress = Progress(stream, quiet=args.quiet)
    names = list(dict.fromkeys(args.adapters or registry.installed()))
    if not names:
        print("wsgi-conformance compare: no adapter is installed", file=sys.stderr)
        return 2
    for pattern in args.select or []:
        import fnmatch

        if not fnmatch.filter(spec.requirements(), pattern.upper().replace("_", "-")):
            print(f"wsgi-conformance compare: --conformance-select {pattern!r} matches no requirement "
                  f"in SPEC.md", file=sys.stderr)
            return 2
    outdir = Path(args.output)
    prog = getattr(args, "prog", "wsgi-conformance")
    command = " ".join([prog, shlex.join(getattr(args, "argv", ["compare"]))])
    doc = document.new_document(command=command, profile=args.profile, seed=args.seed,
                                adapters=[_entry(n) for n in names], select=args.select,
                                pytest_args=args.pytest_args, fail_on=args.fail_on)
    started = time.monotonic()
    stop = False

    def save() -> None:
        doc["run"]["duration_s"] = round(time.monotonic() - started, 2)
        doc["verdict"] = document.verdict(doc, args.fail_on)
        write_reports(doc, outdir, args.spec_url)

    with _sigterm_as_interrupt(), tempfile.TemporaryDirectory(prefix="wsgi-conformance-") as tmp:
        for i, entry in enumerate(doc["adapters"], 1):
            if stop:
                entry["status"] = document.INTERRUPTED
                entry["error"] = "not started: the comparison was interrupted"
                continue
            name = entry["adapter"]
            json_path = Path(tmp) / f"{i}-{_safe(name)}.json"
            job = AdapterRun(entry, pytest_command(name, json_path, args), json_path, progress, i,
                             len(names), args.timeout)
            progress.start(i, len(names), name)
            try:
                job.run()
            except KeyboardInterrupt:  # between two reads: the child was told already or is gone
                entry["status"] = document.INTERRUPTED
            if getattr(args, "scalability", False) and entry["status"] == document.FINISHED:
                from conformance.bench import measure_scalability  # issue 9: informational row

                progress.line(f"[{i}/{len(names)}] {name}: measuring routing scalability")
                entry["scalability"] = measure_scalability(name)
            if doc["run"]["profile"] is None and job.profile:
                doc["run"]["profile"] = job.profile
            progress.line(_finished_line(i, len(names), entry))
            stop = entry["status"] == document.INTERRUPTED
            try:
                save()
            except KeyboardInterrupt:
                stop = True
                save()
        doc["run"]["finished"] = not stop
        save()
    _print_summary(doc, outdir)
    return doc["verdict"]["exit_status"]


def _finished_line(i: int, n: int, entry: dict[str, Any]) -> str:
    label = f"{entry['framework']} {entry['version']}".strip()
    dur = f" in {entry['duration_s']:.1f} s" if entry.get("duration_s") is not None else ""
    text = f"[{i}/{n}] {entry['adapter']} ({label}): {entry['status']}{dur}"
    counts = count_line(entry)
    if counts:
        text += f" — {counts}"
    if entry.get("error"):
        text += f"\n      {entry['error'].strip().splitlines()[0]}"
    return text


def _print_summary(doc: dict[str, Any], outdir: Path, out: Callable[[str], None] = print) -> None:
    v = doc["verdict"]
    out(f"wsgi-conformance compare: {len(doc['adapters'])} adapter(s), "
        f"{len(doc['spec']['requirements'])} requirements")
    for a in doc["adapters"]:
        fails = v["failures"].get(a["adapter"], [])
        line = f"  {a['adapter']:<12} {a['status']:<12} {count_line(a) or '-'}"
        if fails:
            line += f"\n  {'':<12} MUST/MAY failed: {', '.join(fails)}"
        if a["adapter"] in v["errors"]:
            line += f"\n  {'':<12} harness error: {v['errors'][a['adapter']][0].splitlines()[0]}"
        out(line)
    if v["unfinished"]:
        out(f"did not finish: {', '.join(v['unfinished'])} (the reports keep what finished)")
    out(f"reports: {outdir / 'results.json'}, {outdir / 'summary.md'}, {outdir / 'index.html'}")


class _sigterm_as_interrupt:
    """SIGTERM (a cancelled CI job) stops the comparison as Ctrl-C does: reports are still written."""

    def __enter__(self) -> None:
        self._old = None
        if threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGTERM"):
            self._old = signal.signal(signal.SIGTERM, self._handler)

    @staticmethod
    def _handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    def __exit__(self, *exc: Any) -> None:
        if self._old is not None:
            signal.signal(signal.SIGTERM, self._old)
