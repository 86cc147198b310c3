"""TMPL: a value rendered into an HTML template by the framework's engine is escaped by default."""

import html

from hypothesis import strategies as st

from conformance import strategies as gen
from conformance.cases.test_debug import CANARY_TAG, injected
from conformance.harness import requirement
from conformance.model import AppModel, Handler, Request, rule
from conformance.properties import prove
from conformance.verdict import Check

TEMPLATE = "<p>{name}</p>"
# A URL segment, so no '/': no closing tag (an unclosed tag is injected all the same).
VALUE = f"<{CANARY_TAG} onclick='x'>alert & \"quoted\" été"


def page(encoded_value: str) -> tuple[AppModel, Request]:
    model = AppModel.of(rule("/hello/<name>", "hello", handler=Handler("template", TEMPLATE)))
    return model, Request("/hello/" + encoded_value)


def check_escaped(conformance, value: str) -> None:
    model, request = page(gen.encode(value))
    obs = conformance.observe(model, request)
    problems = []
    if obs.status != 200:
        problems.append(f"status {obs.status_line}")
    if injected(obs.body):
        problems.append(f"value rendered unescaped: <{CANARY_TAG}> is a live tag in the page")
    if value not in html.unescape(obs.body.decode("utf-8", "replace")):
        problems.append("the unescaped page does not contain the value")
    conformance.conclude(model, request, [
        Check("TMPL-001", not problems, f"200 with {value!r} HTML-escaped in <p>",
              "; ".join(problems) or obs.summary())], obs)


@requirement("TMPL-001")
def test_TMPL_001_template_escapes_values(conformance):
    check_escaped(conformance, VALUE)


# Values without '/' (one URL segment), each with at least one piece of markup.
_MARKUP = st.sampled_from([f"<{CANARY_TAG}>", f"<{CANARY_TAG} onclick='x'>",
                           f"<{CANARY_TAG} title=\"a\">", "<", ">", "&", "&amp;", '"', "'", "é", "☃"])
_TEXT = st.text(st.characters(codec="utf-8", categories=("L", "M", "N", "P", "S", "Zs"),
                              exclude_characters="/"), max_size=6)
VALUES = st.tuples(st.lists(st.one_of(_MARKUP, _TEXT), max_size=3), _MARKUP,
                   st.lists(st.one_of(_TEXT, _MARKUP), max_size=3)).map(
    lambda t: "".join(t[0]) + t[1] + "".join(t[2]))


@requirement("TMPL-001")
def test_TMPL_001_generated_values_are_escaped(conformance):
    """Generated values with markup, entities, quotes and non-ASCII, sent percent-encoded."""
    prove(conformance, VALUES, lambda value: check_escaped(conformance, value))
