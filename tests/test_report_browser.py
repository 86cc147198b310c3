"""index.html as people see it: rendered by a real headless Chromium.

A screenshot shows the matrix is drawn (not a blank page); ``--dump-dom`` after the page's script
ran shows that ``index.html#open=bottle:BUILD-002`` opens that cell's counterexample, that
``&diff`` hides the rows all adapters agree on, and that hostile framework output stays text.
Skipped, with the reason, when Chromium is not installed (CI installs it: see .ci/run).
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from conformance.report import document, write_reports

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"),
                             shutil.which("google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed "
                                "(apt-get install chromium); the browser check of index.html is skipped")

CASES = "TUT_001 or BUILD_002_values_are_quoted or CONV_INT_005 or CONV_INT_004"
HOSTILE = "<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>"


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """A report made the real way: the plugin's JSON for reference and bottle, then the renderers."""
    pytest.importorskip("bottle")
    tmp = tmp_path_factory.mktemp("browser")
    raw = tmp / "raw.json"
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--adapter=reference",
                           "--adapter=bottle", "-k", CASES, f"--conformance-json={raw}"],
                          cwd=tmp, capture_output=True, text=True, timeout=300)
    assert raw.exists(), proc.stdout + proc.stderr
    entries = []
    for data in json.loads(raw.read_text(encoding="utf-8"))["adapters"]:
        entry = document.fill_adapter(document.pending_adapter(data["adapter"]), data)
        entry["status"] = document.FINISHED
        entries.append(entry)
    doc = document.new_document(command="wsgi-conformance compare", profile="ci", seed=None, adapters=entries)
    bottle = next(a for a in doc["adapters"] if a["adapter"] == "bottle")
    example = bottle["requirements"]["BUILD-002"]["counterexample"]
    example["actual"] += " " + HOSTILE  # what a hostile framework could answer
    example["reproduction"] += "# " + HOSTILE + "\n"
    doc["verdict"] = document.verdict(doc)
    write_reports(doc, tmp / "reports")
    return tmp / "reports" / "index.html"


def chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", f"--user-data-dir={tmp / 'profile'}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def png_pixels(path: Path) -> tuple[int, int, bytes]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    idat, pos = b"", 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    return width, height, zlib.decompress(idat)


def test_screenshot_shows_the_matrix(report, tmp_path):
    shot = tmp_path / "index.png"
    proc = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,1000", report.as_uri())
    assert shot.exists(), proc.stderr[-2000:]
    width, height, raw = png_pixels(shot)
    assert (width, height) == (1280, 1000)
    # not a blank page: a good share of the pixels is neither white nor one flat colour
    distinct = len(set(raw[i:i + 3] for i in range(0, len(raw), 97)))
    non_white = sum(1 for b in raw[::13] if b < 0xF0) / len(raw[::13])
    assert distinct > 50 and non_white > 0.05, (distinct, non_white)


def test_fragment_opens_the_failing_cell(report, tmp_path):
    proc = chromium(tmp_path, "--dump-dom", "--window-size=1280,1000", report.as_uri() + "#open=bottle:BUILD-002")
    dom = proc.stdout
    assert "</html>" in dom, proc.stderr[-2000:]
    opened = [line for line in dom.splitlines() if "<details" in line and "open" in line.split(">")[0]]
    assert len(opened) == 1 and 'data-key="bottle:BUILD-002"' in opened[0], opened
    assert '<tr class="req target" id="req-BUILD-002">' in dom
    evidence = dom.split('data-key="bottle:BUILD-002" open', 1)[1].split("</details>", 1)[0]
    for label in ("rules", "request", "expected", "actual", "reproduction"):
        assert f"<dt>{label}</dt>" in evidence, label
    assert "GET /hello/a" in evidence and "import bottle" in evidence
    # the hostile answer is text in the page, never markup that ran
    assert "&lt;img src=x" in evidence and "&lt;script&gt;" in evidence
    assert "<img" not in dom and "pwned</title>" not in dom
    assert dom.count("<script>") == 1


def test_differences_only_hides_agreeing_rows(report, tmp_path):
    dom = chromium(tmp_path, "--dump-dom", report.as_uri() + "#diff").stdout
    assert '<body class="diff-only">' in dom
    assert '<tr class="req same" id="req-TUT-001">' in dom  # hidden by the diff-only rule
    assert '<tr class="req" id="req-BUILD-002">' in dom  # shown
    assert "body.diff-only tr.req.same" in dom
