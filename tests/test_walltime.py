"""Issue 9, item 4 (one adapter's ``ci`` run under 30 s wall): what the run no longer waits for.

A search for a SHOULD requirement's minimal example ends at its time budget; a property none of
whose first examples the framework can write gives up early, with the same outcome; the reload
check (SERVER-006) runs in the background while the other cases run.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import strategies as st

from adapters.base import Unsupported
from adapters.reference import ReferenceAdapter
from conformance import properties, reloader
from conformance.harness import AdapterContext, Harness
from conformance.model import AppModel, Request, rule
from conformance.properties import INEXPRESSIBLE_AFTER, prove
from conformance.verdict import Check, RequirementNotMet


class NoSignedFloat(ReferenceAdapter):
    """Cannot write any app (as Falcon cannot write ``float(signed=True)``): a MAY requirement."""

    def make_app(self, model: AppModel):
        raise Unsupported("signed argument for float", ["CONV-FLOAT-005"])


def harness(adapter) -> Harness:
    return Harness(AdapterContext(adapter), "case")


def test_a_property_the_framework_cannot_write_gives_up_after_the_first_examples():
    h = harness(NoSignedFloat())
    h.context.shrunk.add("CONV-FLOAT-005")  # as after the first property that met it
    calls = []

    def body(n: int) -> None:
        calls.append(n)
        h.check_all(AppModel.of(rule(f"/p{n}", "p")), [Request(f"/p{n}")])

    with pytest.raises(RequirementNotMet) as info:
        prove(h, st.integers(0, 10 ** 6), body)
    assert info.value.failure.check.requirement == "CONV-FLOAT-005"
    assert len(calls) == INEXPRESSIBLE_AFTER  # Hypothesis alone draws 10 × max_examples
    assert "framework has no signed argument for float" in info.value.failure.check.actual


def test_the_give_up_wrapper_keeps_the_derandomized_seed():
    """Hypothesis derives a ``derandomize`` run's seed from the body's source, name and
    arguments: wrapping must not change the cases a property generates."""
    from hypothesis.internal.reflection import function_digest

    from conformance.properties import _given_up_when_inexpressible

    def body(scenario):
        return None

    for fn in (body, lambda case: None):
        assert function_digest(_given_up_when_inexpressible(fn)) == function_digest(fn)


def test_one_example_written_keeps_the_search_going():
    h = harness(ReferenceAdapter())
    calls = []

    def body(n: int) -> None:
        calls.append(n)
        if n:  # only the first example (0, with derandomize) can be written
            from hypothesis import reject

            reject()

    prove(h, st.integers(0, 10 ** 6), body)  # Hypothesis' own limit, not ours
    assert len(calls) > INEXPRESSIBLE_AFTER


def test_a_should_search_ends_at_its_budget(monkeypatch):
    """Past the budget not one more example is drawn (before, the shrinker went on drawing
    examples it could no longer accept, up to its stall limit of 200)."""
    monkeypatch.setattr(properties, "SHRINK_SECONDS", 0.2)
    h = harness(ReferenceAdapter())
    h.defer_should = True
    site = AppModel.of(rule("/", "index"))
    drawn: list[float] = []

    def stamped(items: list[int]) -> list[int]:
        drawn.append(time.monotonic())
        return items

    def body(items: list[int]) -> None:  # METH-005 (SHOULD) breaks on large sums: a long shrink
        time.sleep(0.01)
        h.conclude(site, None, [Check("METH-005", sum(items) < 10 ** 7, "Allow", str(items))], None)

    started = time.monotonic()
    failure = properties._shrink(h, st.lists(st.integers(0, 10 ** 9), min_size=20).map(stamped),
                                 body, "METH-005")
    assert failure is not None and failure.check.requirement == "METH-005"
    assert len([t for t in drawn if t > started + 0.2]) <= 1  # the one that found it spent


def test_the_reload_check_runs_in_the_background(pytestconfig):
    adapter = ReferenceAdapter()
    reloader.start(pytestconfig, adapter)
    try:
        result = reloader.started(pytestconfig, adapter)
    finally:
        reloader.stop_all(pytestconfig)
    assert result is not None and result.reloaded, result
    assert reloader.started(pytestconfig, adapter) is None  # collected once


def test_an_uncollected_reload_check_is_cancelled_and_its_server_killed(pytestconfig, monkeypatch):
    import subprocess

    pids, real = [], subprocess.Popen

    def spy(*args, **kwargs):
        process = real(*args, **kwargs)
        pids.append(process.pid)
        return process

    monkeypatch.setattr(subprocess, "Popen", spy)
    reloader.start(pytestconfig, ReferenceAdapter())
    deadline = time.monotonic() + 10
    while not pids and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    reloader.stop_all(pytestconfig)
    assert time.monotonic() - started < 8
    assert pids and not reloader.group_alive(pids[0])
