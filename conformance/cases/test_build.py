"""BUILD: URL building round trips through the router."""

from urllib.parse import parse_qs, urlsplit

import pytest

from conformance.handlers import typed
from conformance.harness import requirement
from conformance.model import AppModel, Request, rule
from conformance.verdict import Check, found

MODEL = AppModel.of(rule("/hello/<name>", "hello"), rule("/blog/<int:postID>", "blog"),
                    rule("/rev/<float:revNo>", "rev"), rule("/files/<path:p>", "files"),
                    rule("/", "index"))


def round_trip(conformance, req, endpoint, values):
    url = conformance.build_url(MODEL, endpoint, values)
    parts = urlsplit(url)
    expected = {k: typed(v) for k, v in values.items()}
    conformance.check(MODEL, Request(parts.path, query=parts.query), found(req, endpoint, expected))
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
    url = conformance.build_url(MODEL, "hello", {"name": "x", "page": 2})
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    conformance.conclude(MODEL, None, [
        Check("BUILD-003", query == {"page": ["2"]}, "query string page=2", f"URL {url}")
    ], None, build=("hello", {"name": "x", "page": 2}))
    conformance.check(MODEL, Request(parts.path, query=parts.query),
                      found("BUILD-003", "hello", {"name": typed("x")}))
