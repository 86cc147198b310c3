"""A requirement is shrunk once per adapter: later properties record and fail on it, but set it
aside (as a SHOULD failure) instead of shrinking the same bug again (Falcon's generated cases)."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

from adapters.reference import ReferenceAdapter
from conformance.harness import AdapterContext, Harness
from conformance.model import AppModel, rule
from conformance.properties import _requirements, prove
from conformance.verdict import Check, Outcome, RequirementNotMet

SITE = AppModel.of(rule("/user/me", "me"))


def harness(shrunk: set[str]) -> Harness:
    ctx = AdapterContext(ReferenceAdapter())
    ctx.shrunk.update(shrunk)
    h = Harness(ctx, "case")
    h.defer_should = True
    return h


def test_a_must_failure_not_yet_shrunk_is_raised():
    h = harness(set())
    with pytest.raises(RequirementNotMet) as info:
        h.conclude(SITE, None, [Check("ROUTE-006", False, "e0", "e1")], None)
    assert info.value.failure.check.requirement == "ROUTE-006" and not h.deferred


def test_an_already_shrunk_must_failure_is_recorded_and_deferred():
    h = harness({"ROUTE-006"})
    h.conclude(SITE, None, [Check("ROUTE-006", False, "e0", "e1")], None)
    assert list(h.deferred) == ["ROUTE-006"]
    assert h.context.result.get("ROUTE-006").counts[Outcome.FAIL] == 1


def test_a_new_must_failure_next_to_a_shrunk_one_is_raised():
    h = harness({"ROUTE-006"})
    with pytest.raises(RequirementNotMet) as info:
        h.conclude(SITE, None, [Check("ROUTE-006", False, "e0", "e1"),
                                Check("ROUTE-001", False, "200", "404")], None)
    assert info.value.failure.check.requirement == "ROUTE-001"


def test_the_property_still_fails_on_the_deferred_must_and_marks_what_it_shrank():
    h = harness({"ROUTE-006"})

    def body(n: int) -> None:
        h.conclude(SITE, None, [Check("ROUTE-006", n > 3, "e0", "e1")], None)

    with pytest.raises(RequirementNotMet) as info:
        prove(h, st.integers(0, 10), body)
    assert info.value.failure.check.requirement == "ROUTE-006"

    fresh = harness(set())
    with pytest.raises(BaseException) as raised:
        prove(fresh, st.integers(0, 10), lambda n: fresh.conclude(
            SITE, None, [Check("ROUTE-001", n > 3, "200", "404")], None))
    assert _requirements(raised.value) == {"ROUTE-001"} and "ROUTE-001" in fresh.context.shrunk
