"""Generated cases: Hypothesis rule sets and requests, judged by the oracle or by metamorphic laws.

Each property builds one app per generated rule set and asks it many requests. A disagreement is
raised as the requirement it breaks (one exception type per requirement, so Hypothesis shrinks
each distinct bug to its own minimal rule set and request); see conformance/properties.py for how
SHOULD failures are kept from hiding MUST failures.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit

import pytest
from hypothesis import strategies as st

from adapters.base import URL_BUILDING
from conformance import oracle, profiles
from conformance import strategies as gen
from conformance.handlers import typed
from conformance.harness import requirement
from conformance.model import AppModel, Request
from conformance.properties import prove
from conformance.verdict import Check, found


def _check_all(conformance, model: AppModel, requests) -> None:
    conformance.check_all(model, list(requests))  # one app, one batch of requests


def _scenario_checker(conformance):
    return lambda scenario: _check_all(conformance, *scenario)


ROUTING_IDS = ("ROUTE-001", "ROUTE-002", "ROUTE-003", "ROUTE-005", "VAR-001", "VAR-002", "VAR-003",
               "VAR-004", "VAR-005", "CONV-INT-001", "CONV-INT-002", "CONV-INT-003",
               "CONV-FLOAT-001", "CONV-FLOAT-002", "CONV-FLOAT-003", "CONV-PATH-001",
               "CONV-PATH-002", "CONV-PATH-003", "UNI-001", "UNI-002", "UNI-003")


@requirement(*ROUTING_IDS)
@pytest.mark.parametrize("focus", list(gen.FOCI))
def test_routing_agrees_with_oracle(conformance, focus):
    """(a) Routing and converters: hits and near misses against generated rule sets, each run
    focused on one kind of part (its first rule carries it) so that every kind is exercised."""
    conformance.require(*gen.FOCI[focus][1])
    prove(conformance, gen.scenarios(conformance.adapter.capabilities, focus=focus),
          _scenario_checker(conformance))


@requirement(*ROUTING_IDS)
def test_routing_in_large_apps(conformance):
    """(a) at scale: the same questions to apps of 1 to 100 rules (``ci``) or 1000 (``thorough``),
    built once each; a router that slows down or mixes rules up as it grows is seen here."""
    size = profiles.LARGE_RULES.get(profiles.current, 100)
    prove(conformance, gen.large_scenarios(conformance.adapter.capabilities, max_rules=size),
          _scenario_checker(conformance), max_examples=profiles.LARGE_EXAMPLES.get(profiles.current, 8))


@requirement("REG-001")
def test_REG_001_registration_styles_are_equivalent(conformance):
    """(b) The same rule set registered both ways answers every request identically."""

    def body(scenario):
        model, requests = scenario
        decorated = AppModel(tuple(dataclasses.replace(r, registration="decorator") for r in model.rules))
        imperative = AppModel(tuple(dataclasses.replace(r, registration="imperative") for r in model.rules))
        for request in requests:
            a = conformance.observe(decorated, request)
            b = conformance.observe(imperative, request)
            same = a.status is not None and (a.status, a.endpoint, a.args, a.location, a.allow) == \
                (b.status, b.endpoint, b.args, b.location, b.allow)
            conformance.conclude(imperative, request, [
                Check("REG-001", same, f"as with @route: {a.summary()}", b.summary())], b)

    prove(conformance, gen.scenarios(conformance.adapter.capabilities), body)


@st.composite
def _build_cases(draw, capabilities):
    model = draw(gen.rule_sets(capabilities, max_rules=4))
    rule = draw(st.sampled_from(model.rules))
    return model, rule, draw(gen.hit_values(rule))


@requirement("BUILD-001", "BUILD-002")
def test_BUILD_001_built_urls_round_trip(conformance):
    """(c) Build a URL for an endpoint and values, request it, get the same values back."""
    conformance.require(URL_BUILDING)

    def body(case):
        model, rule, values = case
        url = conformance.build_url(model, rule.endpoint, values)
        parts = urlsplit(url)
        request = Request(parts.path, sorted(rule.methods)[0], parts.query)
        expected = oracle.predict(model, request)
        if expected.status is None or expected.endpoint not in (None, rule.endpoint):
            return  # IMPL territory, or another rule legitimately wins this URL (precedence)
        req = "BUILD-002" if any(not str(v).isalnum() for v in values.values()) else "BUILD-001"
        conformance.check(model, request, found(req, rule.endpoint, {k: typed(v) for k, v in values.items()}))

    prove(conformance, _build_cases(conformance.adapter.capabilities), body)


@st.composite
def _slash_requests(draw, model):
    request = draw(gen.hits(model))
    return Request(gen.toggle_slash(request.path), "GET", draw(st.sampled_from(["", "page=2", "q=a%20b&x="])))


@requirement("CANON-001", "CANON-003", "CANON-004")
def test_CANON_trailing_slash_behaviour(conformance):
    """(d) Canonical URLs: slashes added and removed, with and without a query string."""
    strategy = gen.scenarios(conformance.adapter.capabilities, request_kind=_slash_requests)
    prove(conformance, strategy, _scenario_checker(conformance))


@st.composite
def _method_requests(draw, model):
    request = draw(gen.hits(model))
    return dataclasses.replace(request, method=draw(st.sampled_from(gen.METHODS + ("HEAD", "OPTIONS"))))


@requirement("METH-002", "METH-003", "METH-004", "METH-005", "METH-006")
def test_METH_method_dispatch(conformance):
    """(e) 405 with Allow, automatic HEAD (GET's headers, no body), automatic OPTIONS."""
    strategy = gen.scenarios(conformance.adapter.capabilities, request_kind=_method_requests)
    prove(conformance, strategy, _scenario_checker(conformance))


@st.composite
def _precedence_cases(draw, capabilities):
    model = draw(gen.overlapping_rule_sets(capabilities))
    return model, tuple(draw(st.lists(gen.hits(model), min_size=1, max_size=6)))


@requirement("ROUTE-006", "ROUTE-009")
def test_ROUTE_precedence(conformance):
    """(f) A static part beats a variable; a typed converter beats the default one."""
    prove(conformance, _precedence_cases(conformance.adapter.capabilities), _scenario_checker(conformance))
