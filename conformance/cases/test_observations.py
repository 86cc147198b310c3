"""The observation corpus (``--conformance-observations``): asks, records, never judges.

Not a requirement's case: it checks nothing and cannot fail on a framework's answers. It draws
the corpus (``conformance/corpus.py``) and records every answer for ``wsgi-conformance diff``;
without the option it is deselected.
"""

from __future__ import annotations

from conformance import observations
from conformance.plugin import PROFILE


def test_observation_corpus(conformance_adapter, request):
    config = request.config
    asked = observations.run_corpus(conformance_adapter, config.stash[PROFILE],
                                    observations.seed_of(config))
    meta = conformance_adapter.result.corpus["meta"]
    assert asked > 0 and meta["cases"] > 0, "the corpus drew no cases"
