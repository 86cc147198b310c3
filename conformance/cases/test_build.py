"""BUILD: URL building round trips through the router."""

from urllib.parse import parse_qs, urlsplit

import pytest

from conformance.handlers import typed
from conformance.harness import requirement
from conformance.model import AppModel, Request, rule
from conformance.verdict import Check, found

MODEL = AppModel.of(rule("/hello/<name>", "hello"), rule("/blog/<int:postID>", "blog"),
                    rule("/files/<path:p>", "files"), rule("/", "index"))
# The float rule only where a case builds for it: a framework without a float converter (Django)
# fails CONV-FLOAT there, and is still checked on building every other URL.
FLOAT_MODEL = AppModel.of(*MODEL.rules[:2], rule("/rev/<float:revNo>", "rev"), *MODEL.rules[2:])


def round_trip(conformance, req, endpoint, values):
    model = FLOAT_MODEL if endpoint == "rev" else MODEL
    url = conformance.build_url(model, endpoint, values)
    parts = urlsplit(url)
    expected = {k: typed(v) for k, v in values.items()}
    conformance.check(model, Request(parts.path, query=parts.query), found(req, endpoint, expected))
    return parts


@requirement("BUILD-001")
@pytest.mark.parametrize("endpoint, values", [
    ("index", {}), ("hello", {"name": "kitsonlinetrainings"}), ("blog", {"postID": 555}),
    ("rev", {"revNo": 1.5}), ("files", {"p": "a/b/c.txt"}),
    ("rev", {"revNo": 0.00001}), ("rev", {"revNo": 1e16}),
], ids=["static", "str", "int", "float", "path", "float-small", "float-large"])
def test_BUILD_001_round_trip(conformance, endpoint, values):
    round_trip(conformance, "BUILD-001", endpoint, values)


@requirement("BUILD-002")
@pytest.mark.parametrize("value", ["a b", "a?b", "a#b", "100%", "été", "日本", "a+b", "a&b=c"])
def test_BUILD_002_values_are_quoted(conformance, value):
    round_trip(conformance, "BUILD-002", "hello", {"name": value})


@requirement("BUILD-003")
def test_BUILD_003_unknown_values_become_query(conformance):
    url = conformance.build_url(MODEL, "hello", {"name": "x", "page": 2}, req="BUILD-003")
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    conformance.conclude(MODEL, None, [
        Check("BUILD-003", query == {"page": ["2"]}, "query string page=2", f"URL {url}")
    ], None, build=("hello", {"name": "x", "page": 2}))
    conformance.check(MODEL, Request(parts.path, query=parts.query),
                      found("BUILD-003", "hello", {"name": typed("x")}))
