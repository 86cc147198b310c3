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
