"""Hypothesis profiles for the generated cases.

``ci`` is derandomized: the same seed and profile generate the same rule sets and requests on
every run and every framework, so two runs answer the same questions (baselines, diffs).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from hypothesis import HealthCheck, Phase, settings

_COMMON = dict(
    deadline=None,  # a slow framework is not a failing property; --conformance-timeout bounds hangs
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
    print_blob=True,
)

# The explain phase ("the test always failed when commented parts were varied together") costs
# as much again as shrinking; only the thorough profile runs it.
_NO_EXPLAIN = [p for p in Phase if p.name != "explain"]

PROFILES = {
    "ci": dict(max_examples=40, derandomize=True, database=None, phases=_NO_EXPLAIN, **_COMMON),
    "dev": dict(max_examples=150, phases=_NO_EXPLAIN, **_COMMON),
    "thorough": dict(max_examples=1000, phases=list(Phase), **_COMMON),
}

# Generated apps of up to this many rules (issue 9: large apps), and how many such apps a run
# builds: a 1000-rule app takes seconds to build in some frameworks.
LARGE_RULES = {"ci": 100, "dev": 300, "thorough": 1000}
LARGE_EXAMPLES = {"ci": 5, "dev": 20, "thorough": 60}

for _name, _values in PROFILES.items():
    settings.register_profile(_name, **_values)

current = "ci"  # the profile loaded last (Hypothesis' own --hypothesis-profile aside)


def load(name: str) -> None:
    global current
    settings.load_profile(name)
    current = name


@contextmanager
def stable_draws() -> Iterator[None]:
    """Hypothesis (6.131+) mixes constants found in the *loaded local modules* into what it draws.
    Which modules are loaded differs between runs (apps built by earlier cases, mutants, the
    framework) and changes with every edit of a project file, so a derandomized profile would
    not draw the same cases twice: draw with that pool empty. Should a Hypothesis release move
    this internal, nothing is patched (the corpus fingerprint still catches a difference)."""
    try:
        from hypothesis.internal.conjecture import providers

        original, cache = providers._get_local_constants, providers.CONSTANTS_CACHE
        empty = type(providers._local_constants)(
            integers=type(providers._local_constants.integers)(), floats=type(
                providers._local_constants.floats)(key=providers.float_to_int),
            bytes=type(providers._local_constants.bytes)(), strings=type(
                providers._local_constants.strings)())
    except (ImportError, AttributeError, TypeError):
        yield
        return
    providers._get_local_constants = lambda: empty
    cache.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.cache.clear()
