"""Running a generated property on one adapter: MUST failures first, then each SHOULD shrunk.

Hypothesis stops searching at the first failure it finds. Were SHOULD failures raised like MUST
failures, a framework's harmless SHOULD divergence would hide its MUST bugs. So the property runs
with SHOULD failures deferred; if it finds no MUST failure, each deferred SHOULD requirement is
searched for again on its own (``hypothesis.find``) to report a minimal example of it, within a
time budget: past it, the smallest example found so far is the one reported.
"""

from __future__ import annotations

import functools
import time
from typing import Any, Callable

from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky, NoSuchExample, Unsatisfiable, UnsatisfiedAssumption

from conformance.harness import Harness
from conformance.profiles import stable_draws
from conformance.verdict import RequirementNotMet, not_met

SHRINK_EXAMPLES = 200
SHRINK_SECONDS = 2.0  # per deferred SHOULD requirement, once per adapter


def prove(conformance: Harness, strategy: st.SearchStrategy[Any], body: Callable[[Any], None],
          max_examples: int | None = None) -> None:
    """``max_examples`` caps the profile's count (large apps are dear to build)."""
    conformance.defer_should = True
    test = given(strategy)(_given_up_when_inexpressible(body))
    if max_examples is not None:
        test = settings(settings.default, max_examples=min(settings.default.max_examples, max_examples))(test)
    shrunk = conformance.context.shrunk
    try:
        with stable_draws():  # the same cases whatever modules are loaded or edited
            test()
    except (Unsatisfiable, _Inexpressible) as exc:
        # Every example was set aside (the framework cannot write any of these apps, for a
        # requirement already shrunk or a SHOULD one): the failure is that requirement's.
        if not conformance.deferred:
            if isinstance(exc, _Inexpressible):
                raise Unsatisfiable(f"none of the first {INEXPRESSIBLE_AFTER} examples could be "
                                    "written in the framework") from None
            raise
    except BaseException as exc:  # Hypothesis shrank each requirement it raises: never again
        shrunk.update(_requirements(exc))
        raise
    if not conformance.deferred:
        return
    failures = dict(conformance.deferred)
    for req, failure in failures.items():
        if req not in shrunk:  # one minimal example per requirement and adapter is enough
            shrunk.add(req)
            failures[req] = _shrink(conformance, strategy, body, req) or failure
    raise not_met(max(failures.values(), key=lambda f: f.check.outcome.rank))


class _Inexpressible(BaseException):
    """Not one of the first ``INEXPRESSIBLE_AFTER`` examples could be written in the framework.
    A BaseException, so that Hypothesis passes it through instead of shrinking it."""


INEXPRESSIBLE_AFTER = 50  # as Hypothesis' own health check gives up on a filter after 50 misses


def _given_up_when_inexpressible(body: Callable[..., None]) -> Callable[..., None]:
    """``body``, ending the search once the first ``INEXPRESSIBLE_AFTER`` examples were all set
    aside (``Harness.app``: the framework cannot write the app, and that failure is recorded).

    A focus the framework cannot express at all (Falcon's float has no ``signed`` argument,
    Django has no float converter) otherwise draws ten times ``max_examples`` examples, a
    second or more per 100, before Hypothesis itself gives up with the same outcome.
    ``functools.wraps`` keeps Hypothesis' derandomized seed, which it derives from ``body``."""
    tally = {"checked": 0, "set aside": 0}

    @functools.wraps(body)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            body(*args, **kwargs)
        except UnsatisfiedAssumption:
            tally["set aside"] += 1
            if not tally["checked"] and tally["set aside"] >= INEXPRESSIBLE_AFTER:
                raise _Inexpressible from None
            raise
        except BaseException:
            tally["checked"] += 1
            raise
        tally["checked"] += 1

    return wrapper


def _requirements(exc: BaseException) -> set[str]:
    """The requirements a property's failure names (Hypothesis raises a group for several)."""
    if isinstance(exc, RequirementNotMet):
        return {exc.failure.check.requirement}
    return set().union(*(_requirements(e) for e in getattr(exc, "exceptions", ())))


class _BudgetSpent(BaseException):
    """Ends a SHOULD requirement's search at its time budget. A BaseException, so that Hypothesis
    passes it through instead of taking it for a failure of the search's condition."""


def _shrink(conformance: Harness, strategy: st.SearchStrategy[Any], body: Callable[[Any], None],
            req: str):
    deadline = time.monotonic() + SHRINK_SECONDS
    smallest: list[Any] = []

    def breaks(example: Any) -> bool:
        if time.monotonic() > deadline:
            # Budget spent: end the search now. Returning False instead would let the shrinker
            # wind down through up to 200 more examples (its stall limit): a second or more.
            raise _BudgetSpent
        conformance.deferred.clear()
        try:
            body(example)
        except RequirementNotMet:
            return False  # another requirement broke first; not this one's example
        if req in conformance.deferred:
            smallest[:] = [example]  # the shrinker only accepts smaller examples
            return True
        return False

    try:
        with stable_draws():
            find(strategy, breaks, settings=settings(
                max_examples=SHRINK_EXAMPLES, database=None, derandomize=True, deadline=None))
    except (NoSuchExample, Unsatisfiable, Flaky, _BudgetSpent):
        pass  # the smallest example so far (if any) stands
    if not smallest:
        return None
    conformance.deferred.clear()
    body(smallest[0])  # replay the minimal example last: it becomes the recorded evidence
    return conformance.deferred.get(req)
