"""Rendering reports from a results document: grouping, links, differences, escaping, exit status."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conformance import spec
from conformance.report import document, html, markdown, write_reports
from conformance.report.answers import short_answer
from conformance.report.matrix import build

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = "<script>alert('x')</script> | `tick` & **bold**"
REPRO = "import bottle\n# </pre><img src=x onerror=alert(1)>\napp = bottle.Bottle()\n"


def plugin_adapter(name: str, framework: str, version: str, outcomes: dict[str, str],
                   evidence: dict[str, list[dict]] | None = None,
                   observations: dict[str, list[str]] | None = None) -> dict:
    """An adapter as the plugin's --conformance-json writes it (conformance.results)."""
    evidence, observations = evidence or {}, observations or {}
    reqs = {}
    for rid, outcome in outcomes.items():
        reqs[rid] = {
            "id": rid, "level": spec.requirement(rid).level, "title": spec.requirement(rid).title,
            "outcome": outcome, "counts": {outcome: 1}, "cases": [f"test_x.py::test_{rid}[{name}]"],
            "failures": evidence.get(rid, []), "observations": observations.get(rid, []),
        }
    return {"adapter": name, "framework": framework, "version": version, "capabilities": ["url-building"],
            "requirements": reqs}


def sample_doc() -> dict:
    """reference passes; bottle fails CONV-INT-003 (hostile evidence), answers CANON-002 otherwise."""
    common = {"ROUTE-001": "pass", "TUT-001": "pass", "CANON-002": "informational",
              "CONV-INT-003": "pass", "METH-005": "pass", "CONV-UUID-001": "pass"}
    ref = plugin_adapter("reference", "reference", "0.1.0", common,
                         observations={"CANON-002": ["308 Permanent Redirect Location: /projects/"]})
    bottle_outcomes = dict(common, **{"CONV-INT-003": "fail", "METH-005": "non-strict",
                                      "CONV-UUID-001": "not-applicable"})
    bottle = plugin_adapter(
        "bottle", "Bottle", "0.13.4", bottle_outcomes,
        evidence={
            "CONV-INT-003": [
                {"case": "big", "rules": "/a/<int:x>/<y>/<z>  -> e0 [GET] (decorator)",
                 "request": "GET /a/-1/0/0", "expected": "404", "actual": "200 OK e0(x=int -1, y=str '0', z=str '0')",
                 "reproduction": "import bottle\n"},
                {"case": "small", "rules": "/blog/<int:postID>  -> blog [GET] (decorator)",
                 "request": "GET /blog/-1", "expected": "404 " + HOSTILE,
                 "actual": "200 OK blog(postID=int -1)", "reproduction": REPRO},
            ],
            "METH-005": [{"case": "m", "rules": "/read  -> read [GET]", "request": "OPTIONS /read",
                          "expected": "2xx", "actual": "405 Method Not Allowed Allow: GET",
                          "reproduction": "import bottle\n"}],
        },
        observations={"CANON-002": ["404 Not Found '<html>'"]})
    entries = []
    for data in (ref, bottle):
        entry = document.pending_adapter(data["adapter"])
        document.fill_adapter(entry, data)
        entry["status"] = document.FINISHED
        entries.append(entry)
    doc = document.new_document(command="wsgi-conformance compare", profile="ci", seed="42", adapters=entries)
    doc["verdict"] = document.verdict(doc)
    return doc


SPEC_URL = "../conformance/SPEC.md"


# --- the document ---------------------------------------------------------------------------------
def test_document_is_versioned_and_documented():
    doc = sample_doc()
    assert doc["schema"] == document.SCHEMA == "wsgi-conformance-compare/1"
    assert {"date", "python", "profile", "seed", "transport", "command"} <= set(doc["run"])
    assert doc["run"]["transport"] == "wsgi"
    readme = (ROOT / "reports" / "README.md").read_text(encoding="utf-8")
    assert document.SCHEMA in readme
    for field in ("counterexample", "answer", "status", "verdict", "exit_status", "capabilities"):
        assert f'"{field}"' in readme, field


def test_counterexample_is_the_smallest_and_answer_is_short():
    bottle = sample_doc()["adapters"][1]
    r = bottle["requirements"]["CONV-INT-003"]
    assert r["counterexample"]["case"] == "small"  # 1 variable beats 3
    assert r["answer"] == "200 int -1"
    assert bottle["counts"] == {"not-applicable": 1, "pass": 2, "informational": 1, "non-strict": 1, "fail": 1}


@pytest.mark.parametrize("actual, short", [
    ("200 OK blog(postID=int -1)", "200 int -1"),
    ("200 OK by_name(name=str '5')", "200 str '5'"),
    ("405 Method Not Allowed Allow: GET, POST", "405 Allow: GET, POST"),
    ("308 Permanent Redirect Location: /projects/", "308 → /projects/"),
    ("404 Not Found '<!DOCTYPE html>…'", "404"),
    ("raised ValueError: boom", "raised ValueError"),
    ("200 OK index()", "200 index()"),
    ("", ""),
])
def test_short_answer(actual, short):
    assert short_answer(actual) == short


def test_verdict_and_exit_status():
    doc = sample_doc()
    v = document.verdict(doc)
    assert v["exit_status"] == 1 and v["failures"] == {"bottle": ["CONV-INT-003"]} and not v["errors"]
    assert document.verdict(doc, "never")["exit_status"] == 0
    # SHOULD (non-strict) and IMPL never fail the run
    doc["adapters"][1]["requirements"]["CONV-INT-003"]["outcome"] = "pass"
    assert document.verdict(doc)["exit_status"] == 0
    # a harness error is kept apart from failures, and fails the run
    document.mark_error(doc["adapters"][0], "timed out after 5 s", requirement="TUT-001")
    v = document.verdict(doc)
    assert v["exit_status"] == 1 and v["failures"] == {} and "reference" in v["errors"]
    assert doc["adapters"][0]["requirements"]["TUT-001"]["outcome"] == "error"
    assert doc["adapters"][0]["counts"]["error"] == 1
    # an adapter that did not finish: 130, as an interrupted command
    doc["adapters"][1]["status"] = document.INTERRUPTED
    assert document.verdict(doc)["unfinished"] == ["bottle"]
    assert document.verdict(doc)["exit_status"] == 130


# --- the matrix -----------------------------------------------------------------------------------
def test_matrix_groups_by_area_in_spec_order_and_finds_differences():
    m = build(sample_doc(), SPEC_URL)
    assert [a.prefix for a in m.areas] == ["ROUTE", "CONV", "CANON", "METH", "TUT"]
    assert m.areas[1].title == "3. Typed converters — CONV"
    differing = {r.id for r in m.differences}
    # outcomes differ, or IMPL answers differ (308 vs 404); agreeing requirements are not listed
    assert differing == {"CONV-INT-003", "CONV-UUID-001", "CANON-002", "METH-005"}
    assert "TUT-001" not in differing and "ROUTE-001" not in differing
    # requirements no adapter ran are not shown at all
    assert "VAR-001" in m.not_run and "VAR-001" not in {r.id for r in m.rows}


# --- summary.md -----------------------------------------------------------------------------------
def test_markdown_matrix():
    md = markdown.render(sample_doc(), SPEC_URL)
    assert md.startswith("# wsgi-conformance: reference · bottle")
    assert "profile `ci`" in md and "seed `42`" in md and "transport wsgi" in md
    assert "**Legend:**" in md
    assert "### 3. Typed converters — CONV" in md
    row = next(line for line in md.splitlines() if line.startswith("| [CONV-INT-003]"))
    assert row.startswith("| [CONV-INT-003](../conformance/SPEC.md#CONV-INT-003 ")
    assert row.endswith("| MUST | ✅ | ❌ fail: `200 int -1` |")
    canon = next(line for line in md.splitlines() if line.startswith("| [CANON-002]"))
    assert "ℹ️ informational: `308 → /projects/`" in canon and "ℹ️ informational: `404`" in canon


def test_markdown_differences_only_section():
    md = markdown.render(sample_doc(), SPEC_URL)
    diff = md.split("## Differences only", 1)[1].split("## All requirements", 1)[0]
    ids = re.findall(r"^\| \[([A-Z]+(?:-[A-Z]+)*-\d{3})\]", diff, re.M)
    assert ids == ["CONV-INT-003", "CONV-UUID-001", "CANON-002", "METH-005"]
    assert "4 of 6 requirements differ" in diff
    one = sample_doc()
    one["adapters"] = one["adapters"][:1]
    assert "Only one adapter" in markdown.render(one, SPEC_URL)


def test_markdown_cells_cannot_break_the_table():
    doc = sample_doc()
    r = doc["adapters"][1]["requirements"]["CONV-INT-003"]
    r["answer"] = "200 a|b `x` <b>"
    md = markdown.render(doc, SPEC_URL)
    row = next(line for line in md.splitlines() if line.startswith("| [CONV-INT-003]"))
    assert "`200 a\\|b 'x' <b>`" in row  # code span: literal text; the pipe escaped for the table
    cells = re.split(r"(?<!\\)\|", row)[1:-1]
    assert len(cells) == 4  # requirement | level | reference | bottle
    assert markdown.esc("<img src=x> *a*_b_") == "&lt;img src=x&gt; \\*a\\*\\_b\\_"


# --- index.html ------------------------------------------------------------------------------------
class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts = 0
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.scripts += tag == "script"

    def handle_data(self, data):
        self.text.append(data)


def test_html_escapes_everything_from_frameworks():
    page = html.render(sample_doc(), SPEC_URL)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "&lt;/pre&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    parsed = _Page()
    parsed.feed(page)
    assert parsed.scripts == 1  # only the page's own
    assert not [t for t, a in parsed.tags if t == "img"]
    assert any("<script>alert('x')</script>" in t for t in parsed.text)  # shown as text


def test_html_is_self_contained():
    page = html.render(sample_doc(), SPEC_URL)
    parsed = _Page()
    parsed.feed(page)
    for tag, attrs in parsed.tags:
        assert "src" not in attrs, (tag, attrs)
        assert tag != "link", attrs
        if tag == "a":
            assert attrs["href"].startswith(("../conformance/SPEC.md#", "#")), attrs
    assert "@import" not in page and "url(" not in page


def test_html_matrix_cells_and_details():
    page = html.render(sample_doc(), SPEC_URL)
    parsed = _Page()
    parsed.feed(page)
    details = {a["data-key"]: a for t, a in parsed.tags if t == "details"}
    # every non-pass cell opens; pass cells do not
    assert set(details) == {"bottle:CONV-INT-003", "bottle:METH-005", "bottle:CONV-UUID-001",
                            "reference:CANON-002", "bottle:CANON-002"}
    assert details["bottle:CONV-INT-003"]["id"] == "cell-bottle-CONV-INT-003"
    assert '<a href="../conformance/SPEC.md#CONV-INT-003">CONV-INT-003</a>' in page
    areas = [a["id"] for t, a in parsed.tags if t == "tbody" and "area" in a.get("class", "")]
    assert areas == ["area-ROUTE", "area-CONV", "area-CANON", "area-METH", "area-TUT"]
    rows = {a["id"]: a["class"] for t, a in parsed.tags if t == "tr" and a.get("id", "").startswith("req-")}
    assert rows["req-CONV-INT-003"] == "req" and rows["req-TUT-001"] == "req same"
    assert '<code class="ans">200 int -1</code>' in page
    assert 'id="diff-only"' in page and "4 of 6 requirements differ" in page
    for shown in ("Bottle 0.13.4", "reference 0.1.0", "profile", "<code>ci</code>", "<code>42</code>"):
        assert shown in page


def test_write_reports_is_atomic_and_links_relative(tmp_path):
    out = tmp_path / "reports"
    paths = write_reports(sample_doc(), out)
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "results.json", "summary.md"]
    assert json.loads(paths[0].read_text(encoding="utf-8"))["schema"] == document.SCHEMA
    rel = document.relative_spec_url(out)
    assert rel.endswith("conformance/SPEC.md") and not rel.startswith("/")
    assert f"]({rel}#CONV-INT-003 " in paths[1].read_text(encoding="utf-8")
    assert document.relative_spec_url(ROOT / "reports") == "../conformance/SPEC.md"


# --- junit --------------------------------------------------------------------------------------------
def test_junitxml_carries_adapter_requirement_and_outcome(pytester):
    xml = pytester.path / "junit.xml"
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "--adapter=reference",
                                          "-k", "TUT_001 or CONV_INT_004", f"--junitxml={xml}")
    assert result.ret == 0
    cases = ET.parse(xml).getroot().iter("testcase")
    props = {c.get("name"): {p.get("name"): p.get("value") for p in c.iter("property")} for c in cases}
    assert props, "no test cases in the junit report"
    for name, p in props.items():
        assert p["adapter"] == "reference", name
    tut = next(p for n, p in props.items() if "TUT_001" in n)
    assert tut["requirement"].split()[0] == "TUT-001" and tut["conformance_outcome"] == "pass"
    impl = next(p for n, p in props.items() if "CONV_INT_004" in n)
    assert impl["requirement"] == "CONV-INT-004" and impl["conformance_outcome"] == "informational"
