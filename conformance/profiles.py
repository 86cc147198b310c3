"""Hypothesis profiles for the generated cases.

``ci`` is derandomized: the same seed and profile generate the same rule sets and requests on
every run and every framework, so two runs answer the same questions (baselines, diffs).
"""

from __future__ import annotations

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

for _name, _values in PROFILES.items():
    settings.register_profile(_name, **_values)


def load(name: str) -> None:
    settings.load_profile(name)
