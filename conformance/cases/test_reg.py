"""REG: `add_url_rule` and the `route` decorator are the same thing."""

import dataclasses

import pytest

from conformance.harness import requirement
from conformance.model import AppModel, Request, rule
from conformance.verdict import Check, found

RULES = (rule("/", "index"), rule("/hello/<name>", "hello"), rule("/blog/<int:postID>", "blog"),
         rule("/projects/", "projects"), rule("/item", "item", methods=["GET", "POST"]))
REQUESTS = [Request("/"), Request("/hello/x"), Request("/blog/5"), Request("/blog/x"),
            Request("/projects"), Request("/projects/"), Request("/item", "POST"),
            Request("/item", "DELETE"), Request("/nowhere")]


def registered(style: str) -> AppModel:
    return AppModel(tuple(dataclasses.replace(r, registration=style) for r in RULES))


def signature(obs):
    """What must be equal; an app that did not answer (timed out, raised) equals nothing."""
    if obs.status is None:
        return ("no answer", id(obs))
    return (obs.status, obs.endpoint, obs.args, obs.location, obs.allow)


@requirement("REG-001")
def test_REG_001_add_url_rule_equals_decorator(conformance):
    decorated, imperative = registered("decorator"), registered("imperative")
    for request in REQUESTS:
        a = conformance.observe(decorated, request)
        b = conformance.observe(imperative, request)
        conformance.conclude(imperative, request, [
            Check("REG-001", signature(a) == signature(b), f"as @route: {a.summary()}", b.summary())
        ], b)


@requirement("REG-002")
@pytest.mark.parametrize("style", ["imperative", "decorator"])
def test_REG_002_endpoint_name_is_used_for_building(conformance, style):
    model = AppModel.of(rule("/named", "custom_endpoint", function="view_function", registration=style))
    url = conformance.build_url(model, "custom_endpoint", {}, req="REG-002")
    conformance.conclude(model, None, [Check("REG-002", url == "/named", "/named", url)], None,
                         build=("custom_endpoint", {}))
    conformance.check(model, Request(url), found("REG-002", "custom_endpoint"))
