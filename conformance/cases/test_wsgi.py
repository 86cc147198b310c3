"""WSGI: every kind of response a framework gives is a valid PEP 3333 response.

Every case of the suite already validates each response it sees; these cases make sure each
WSGI requirement is exercised on one battery of typical responses (found, not found, redirect,
405, HEAD, OPTIONS, a 500) even when an adapter skips other areas.
"""

import pytest

from conformance.harness import requirement
from conformance.model import AppModel, Handler, Request, rule
from conformance.verdict import Check

MODEL = AppModel.of(rule("/", "index"), rule("/hello/<name>", "hello"),
                    rule("/projects/", "projects"), rule("/text", "text", handler=Handler("text", "été")),
                    rule("/boom", "boom", handler=Handler("raise", message="x")))
BATTERY = [Request("/"), Request("/hello/%C3%A9"), Request("/nowhere"), Request("/projects"),
           Request("/", "DELETE"), Request("/", "HEAD"), Request("/", "OPTIONS"), Request("/text"),
           Request("/boom")]


WSGI_IDS = ["WSGI-001", "WSGI-002", "WSGI-003", "WSGI-004", "WSGI-005", "WSGI-006"]


@pytest.mark.parametrize("req_id", [pytest.param(r, marks=requirement(r), id=r) for r in WSGI_IDS])
def test_WSGI_responses_are_valid(conformance, req_id):
    for req in BATTERY:
        obs = conformance.observe(MODEL, req)
        mine = [v.detail for v in obs.violations if v.requirement == req_id]
        if obs.status is None and obs.error:  # no response at all is not a valid response
            mine.append(obs.summary())
        conformance.conclude(MODEL, req, [
            Check(req_id, not mine, "a valid PEP 3333 response", "; ".join(mine) or obs.summary())], obs)
