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


BOOM = MODEL.rules[-1].handler


def _view_exception_left_the_app(req, obs) -> bool:
    """/boom's own exception escaped, before any response began and with no other violation.

    PEP 3333 lets an application's exception propagate to the server, which answers 500 (an app
    only *should* trap its own errors): that is DEBUG-003's question, not a malformed response.
    """
    last = obs.error.strip().splitlines()[-1] if obs.error else ""
    return req.path == "/boom" and not obs.violations and last.endswith(f"{BOOM.exc_type}: {BOOM.message}")


WSGI_IDS = ["WSGI-001", "WSGI-002", "WSGI-003", "WSGI-004", "WSGI-005", "WSGI-006"]


@pytest.mark.parametrize("req_id", [pytest.param(r, marks=requirement(r), id=r) for r in WSGI_IDS])
def test_WSGI_responses_are_valid(conformance, req_id):
    for req in BATTERY:
        obs = conformance.observe(MODEL, req)
        mine = [v.detail for v in obs.violations if v.requirement == req_id]
        if obs.status is None and obs.error and not _view_exception_left_the_app(req, obs):
            mine.append(obs.summary())  # no response at all is not a valid response
        conformance.conclude(MODEL, req, [
            Check(req_id, not mine, "a valid PEP 3333 response", "; ".join(mine) or obs.summary())], obs)
