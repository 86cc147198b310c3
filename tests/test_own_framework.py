"""The homegrown-framework path: `wsgi-conformance adapters`, `new-adapter`, and an adapter that
is registered only by an entry point (a ``*.dist-info/entry_points.txt`` on sys.path, no pip)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from adapters.base import CAPABILITY_HELP
from conformance import adapters_cmd, cli, registry, scaffold

ROOT = Path(__file__).resolve().parent.parent

# A small framework of its own (static parts, <name> and <path:name>, first match wins) and its
# adapter, shipped in one distribution that registers the adapter as "tinyfw".
TINYFW = '''
import re

class Tiny:
    def __init__(self):
        self.routes = []

    def get(self, pattern):
        part = lambda m: f"(?P<{m.group(2)}>{'.+' if m.group(1) else '[^/]+'})"
        regex = re.compile("^" + re.sub(r"<(?:(path):)?(\\w+)>", part, pattern) + "$")
        def register(view):
            self.routes.append((regex, view))
            return view
        return register

    def __call__(self, environ, start_response):
        for regex, view in self.routes:
            m = regex.match(environ["PATH_INFO"])
            if m:
                body = view(**m.groupdict()).encode("utf-8")
                start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"),
                                          ("Content-Length", str(len(body)))])
                return [body]
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "0")])
        return [b""]
'''
TINYFW_ADAPTER = '''
from adapters import base

class TinyAdapter(base.Adapter):
    name = "tinyfw"
    framework = "TinyFW"
    distribution = "tinyfw"
    module = "tinyfw"

    def source(self, model):
        out = ["from tinyfw import Tiny", "from conformance.handlers import echo", "app = Tiny()", ""]
        for rule in model.rules:
            def var(v):
                if v.converter not in ("default", "path") or v.args:
                    raise ValueError("tinyfw has only <name> and <path:name> parts")
                return "<" + ("path:" if v.converter == "path" else "") + v.name + ">"
            out.append(base.python_function(rule, f"app.get({rule.path_template(var)!r})"))
        return "\\n".join(out) + "\\n"
'''


def make_distribution(where: Path, name: str, version: str, entry_points: dict[str, str],
                      files: dict[str, str] | None = None) -> None:
    """What pip would leave in site-packages: modules plus ``NAME-VERSION.dist-info``."""
    for filename, text in (files or {}).items():
        (where / filename).write_text(textwrap.dedent(text), encoding="utf-8")
    info = where / f"{name}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
                                   encoding="utf-8")
    lines = [f"[{registry.ENTRY_POINT_GROUP}]"] + [f"{k} = {v}" for k, v in entry_points.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory on sys.path standing for site-packages, with tinyfw, a broken registration
    and one that tries to take the bundled name ``flask``."""
    where = tmp_path / "site"
    where.mkdir()
    make_distribution(where, "tinyfw", "0.3", {"tinyfw": "tinyfw_adapter:TinyAdapter"},
                      {"tinyfw.py": TINYFW, "tinyfw_adapter.py": TINYFW_ADAPTER})
    make_distribution(where, "brokenfw", "1.0", {"brokenfw": "brokenfw_adapter:BrokenAdapter",
                                                 "flask": "tinyfw_adapter:TinyAdapter"},
                      {"brokenfw_adapter.py": "import brokenfw_dependency_not_installed\n"})
    monkeypatch.syspath_prepend(str(where))
    return where


def test_entry_point_adapter_is_listed(site: Path, capsys: pytest.CaptureFixture) -> None:
    rows = {(r.name, r.origin): r for r in adapters_cmd.listings()}
    tiny = rows["tinyfw", "entry point (tinyfw)"]
    assert (tiny.target, tiny.framework, tiny.installed, tiny.version, tiny.error) == \
        ("tinyfw_adapter:TinyAdapter", "TinyFW", True, "0.3", None)
    broken = rows["brokenfw", "entry point (brokenfw)"]
    assert not broken.usable
    assert broken.error == "ModuleNotFoundError: No module named 'brokenfw_dependency_not_installed'"
    shadowed = rows["flask", "entry point (brokenfw 1.0)"]
    assert "already taken by bundled adapters.flask:FlaskAdapter" in shadowed.error
    assert rows["flask", "bundled"].target == "adapters.flask:FlaskAdapter"

    assert cli.main(["adapters"]) == 0  # a broken entry point is a line, not a crash
    out = capsys.readouterr().out
    assert "tinyfw_adapter:TinyAdapter" in out and "ready: TinyFW 0.3" in out
    assert "error: ModuleNotFoundError" in out


def test_adapters_command_in_a_subprocess(site: Path) -> None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), str(ROOT)]))
    proc = subprocess.run([sys.executable, "-m", "conformance", "adapters", "--json"],
                          capture_output=True, text=True, env=env, timeout=120, cwd=site)
    assert proc.returncode == 0, proc.stderr
    by_name = {r["name"]: r for r in json.loads(proc.stdout) if "ignored" not in (r["error"] or "")}
    assert by_name["tinyfw"]["usable"] and by_name["tinyfw"]["origin"] == "entry point (tinyfw)"
    assert by_name["reference"]["usable"] and by_name["reference"]["origin"] == "bundled"
    assert by_name["brokenfw"]["usable"] is False


def test_entry_point_adapter_runs_the_suite(site: Path, run_suite) -> None:
    run = run_suite("--adapter=tinyfw", "--conformance-select=VAR-001", "--conformance-select=UNI-001",
                    "-k", "not test_properties")
    adapter = run.adapter("tinyfw")
    assert adapter["framework"] == "TinyFW" and adapter["version"] == "0.3"
    outcomes = run.outcomes("tinyfw")
    assert outcomes["VAR-001"] == "pass"  # <name> parts work
    assert outcomes["UNI-001"] == "fail"  # PATH_INFO is never decoded as UTF-8: a real divergence


def test_missing_bundled_adapter_module_is_listed_with_its_framework(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Adapters named in the registry whose module is not in this installation yet (or any more).
    monkeypatch.setitem(registry.BUNDLED, "flask", "adapters.no_such_flask:FlaskAdapter")
    monkeypatch.setitem(registry.BUNDLED, "ghost", "adapters.no_such_ghost:GhostAdapter")
    rows = {r.name: r for r in adapters_cmd.listings()}
    assert rows["flask"].error == "adapter module adapters.no_such_flask is not in this installation"
    assert rows["flask"].installed and rows["flask"].version  # Flask itself, from our [flask] extra
    assert rows["ghost"].error and not rows["ghost"].installed and rows["ghost"].install is None
    assert adapters_cmd.status(rows["ghost"]) == "unavailable"


def test_missing_framework_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    from adapters.flask import FlaskAdapter

    monkeypatch.setattr(FlaskAdapter, "module", "no_such_flask_module")
    row = adapters_cmd.describe(registry.available()["flask"])
    assert (row.installed, row.install) == (False, "pip install 'wsgi-conformance[flask]'")
    assert adapters_cmd.status(row) == "not installed: pip install 'wsgi-conformance[flask]'"


# --- new-adapter -------------------------------------------------------------------------------

def test_new_adapter_writes_a_skeleton_that_runs_and_passes_nothing(
        tmp_path: Path, run_suite, pytester: pytest.Pytester, capsys: pytest.CaptureFixture) -> None:
    out_dir = tmp_path / "gen"
    assert cli.main(["new-adapter", "my-fw", "--dir", str(out_dir)]) == 0
    printed = capsys.readouterr().out
    snippet = (out_dir / scaffold.SNIPPET_FILE).read_text(encoding="utf-8")
    assert snippet == '[project.entry-points."wsgi_conformance.adapters"]\nmy-fw = "my_fw_adapter:MyFwAdapter"\n'
    assert snippet in printed and "python -m pytest --adapter=my_fw_adapter:MyFwAdapter" in printed
    source = (out_dir / "my_fw_adapter.py").read_text(encoding="utf-8")
    assert "class MyFwAdapter(base.Adapter):" in source
    for help_text in CAPABILITY_HELP.values():
        assert help_text in source  # every capability is explained in the skeleton

    pytester.syspathinsert(out_dir)
    run = run_suite("--adapter=my_fw_adapter:MyFwAdapter")
    outcomes = run.outcomes("my-fw")
    assert len(outcomes) > 50
    assert set(outcomes.values()) == {"error", "not-applicable"}  # never "pass"
    assert "passed" not in run.result.parseoutcomes()
    run.result.stdout.fnmatch_lines(["*unfilled skeleton: write MyFwAdapter.source() in *my_fw_adapter.py*"])
    assert "INTERNALERROR" not in run.result.stdout.str()
    assert run.result.ret == pytest.ExitCode.TESTS_FAILED


def test_new_adapter_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["new-adapter", "mine", "--dir", str(tmp_path), "--package", "mypkg.tests"]) == 0
    assert 'mine = "mypkg.tests.mine_adapter:MineAdapter"' in \
        (tmp_path / scaffold.SNIPPET_FILE).read_text(encoding="utf-8")
    (tmp_path / "mine_adapter.py").write_text("# my work\n", encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["new-adapter", "mine", "--dir", str(tmp_path)]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    assert (tmp_path / "mine_adapter.py").read_text(encoding="utf-8") == "# my work\n"


@pytest.mark.parametrize("name", ["My Framework", "1fw", "fw/x", ""])
def test_new_adapter_rejects_bad_names(tmp_path: Path, name: str, capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["new-adapter", name, "--dir", str(tmp_path)]) == 2
    assert "lower-case letters" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_new_adapter_rejects_a_bad_package(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["new-adapter", "fw", "--dir", str(tmp_path), "--package", "my-pkg"]) == 2
    assert "not a dotted Python package name" in capsys.readouterr().err


# --- examples/homegrown ------------------------------------------------------------------------

HOMEGROWN = ROOT / "examples" / "homegrown"


def test_homegrown_example_is_checked_through_its_adapter(pytester: pytest.Pytester, run_suite) -> None:
    """The example's adapter runs (installed or not) and its baseline names real divergences."""
    from conformance import spec
    from conformance.baseline import Baseline

    pytester.syspathinsert(HOMEGROWN)
    run = run_suite("--adapter=homegrown.conformance_adapter:HomegrownAdapter",
                    "--conformance-select=ROUTE-006", "--conformance-select=VAR-001",
                    "-k", "not test_properties")
    outcomes = run.outcomes("homegrown")
    assert (outcomes["ROUTE-006"], outcomes["VAR-001"]) == ("fail", "pass")
    baseline = Baseline.load(HOMEGROWN / "wsgi-conformance-baseline.json")
    entries = baseline.adapters["homegrown"]
    assert entries["ROUTE-006"].outcome == "fail" and entries["ROUTE-006"].reason
    for rid in entries:
        spec.requirement(rid)  # every entry is a requirement of SPEC.md
