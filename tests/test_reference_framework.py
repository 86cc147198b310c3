"""Direct tests of the reference micro-framework, through webtest with PEP 3333 lint on.

The conformance suite checks the framework against SPEC.md through its adapter; these tests pin
the framework's own behaviour (and its adapter's source) so a regression shows up here first.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from webtest import TestApp

from adapters import base
from adapters.reference import ReferenceAdapter
from adapters.reference.microframework import App, BuildError
from conformance.model import AppModel, Handler, rule


def typed_view(endpoint: str):
    """A view answering its endpoint and each argument's type and repr, as JSON."""

    def view(**values: Any) -> str:
        args = {k: [type(v).__name__, repr(v)] for k, v in sorted(values.items())}
        return json.dumps({"endpoint": endpoint, "args": args})

    view.__name__ = endpoint
    return view


def make(*rules: tuple, debug: bool = False) -> tuple[App, TestApp]:
    """An app from ``(rule, endpoint[, methods])`` tuples, each bound to a typed view."""
    app = App(debug=debug)
    for path, endpoint, *methods in rules:
        app.add_url_rule(path, endpoint, typed_view(endpoint), methods=(methods or [None])[0])
    return app, TestApp(app, lint=True)


def get(client: TestApp, target: str, method: str = "GET") -> Any:
    return client.request(target, method=method, expect_errors=True)


def answer(client: TestApp, target: str, method: str = "GET") -> tuple[str, dict] | int:
    """``(endpoint, args)`` when a view answered 200, else the status code."""
    response = get(client, target, method)
    if response.status_int != 200:
        return response.status_int
    data = json.loads(response.text)
    return data["endpoint"], {k: tuple(v) for k, v in data["args"].items()}


# --- static routing and the default converter ----------------------------------------------------
def test_static_rules_root_and_case() -> None:
    _, client = make(("/", "root"), ("/hello", "hello"), ("/café", "cafe"))
    assert answer(client, "/") == ("root", {})
    assert answer(client, "/hello?x=1") == ("hello", {})
    assert answer(client, "/Hello") == 404
    assert answer(client, "/nowhere") == 404
    assert answer(client, "/caf%C3%A9") == ("cafe", {})
    assert answer(client, "/hello//") == 404


def test_default_converter() -> None:
    _, client = make(("/hello/<name>", "hello"), ("/post/<year>/<slug>", "post"))
    assert answer(client, "/hello/bob") == ("hello", {"name": ("str", "'bob'")})
    assert answer(client, "/hello/a%20b") == ("hello", {"name": ("str", "'a b'")})
    assert answer(client, "/hello/100%25") == ("hello", {"name": ("str", "'100%'")})
    assert answer(client, "/hello/%C3%A9t%C3%A9") == ("hello", {"name": ("str", "'été'")})
    assert answer(client, "/hello/a/b") == 404
    assert answer(client, "/hello/") == 404
    assert answer(client, "/post/2024/x") == (
        "post", {"year": ("str", "'2024'"), "slug": ("str", "'x'")}
    )


def test_invalid_utf8_is_a_client_error() -> None:
    _, client = make(("/hello/<name>", "hello"))
    response = get(client, "/hello/%FF")
    assert response.status_int == 400
    assert "Traceback" not in response.text


def test_string_arguments() -> None:
    _, client = make(
        ("/a/<string(minlength=2, maxlength=3):s>", "a"), ("/b/<string(length=2):s>", "b")
    )
    assert answer(client, "/a/x") == 404
    assert answer(client, "/a/xy")[0] == "a"
    assert answer(client, "/a/%C3%A9%C3%A9%C3%A9")[0] == "a"  # characters, not bytes
    assert answer(client, "/a/wxyz") == 404
    assert answer(client, "/b/xy")[0] == "b"
    assert answer(client, "/b/xyz") == 404


# --- typed converters ----------------------------------------------------------------------------
def test_int_converter() -> None:
    _, client = make(("/blog/<int:postID>", "blog"))
    assert answer(client, "/blog/555") == ("blog", {"postID": ("int", "555")})
    assert answer(client, "/blog/007") == ("blog", {"postID": ("int", "7")})
    for bad in ("abc", "1.5", "1e3", "%201", "0x10", "", "-1", "%D9%A3", "1" * 5000):
        assert answer(client, f"/blog/{bad}") == 404, bad


def test_int_arguments() -> None:
    _, client = make(
        ("/r/<int(min=1, max=9):n>", "r"),
        ("/f/<int(fixed_digits=2):n>", "f"),
        ("/s/<int(signed=True):n>", "s"),
    )
    assert [answer(client, f"/r/{n}") == 404 for n in (0, 1, 9, 10)] == [True, False, False, True]
    assert answer(client, "/f/05") == ("f", {"n": ("int", "5")})
    assert answer(client, "/f/5") == 404 and answer(client, "/f/005") == 404
    assert answer(client, "/s/-5") == ("s", {"n": ("int", "-5")})


def test_float_converter() -> None:
    _, client = make(
        ("/rev/<float:revNo>", "rev"), ("/s/<float(signed=True, min=-2.0, max=2.0):f>", "s")
    )
    assert answer(client, "/rev/1.5") == ("rev", {"revNo": ("float", "1.5")})
    for bad in ("abc", "1.2.3", ".", "nan", "inf", "", "1", "-1.5", "1.", ".5", "1" * 400 + ".0"):
        assert answer(client, f"/rev/{bad}") == 404, bad
    assert answer(client, "/s/-1.5") == ("s", {"f": ("float", "-1.5")})
    assert answer(client, "/s/2.5") == 404


def test_path_converter() -> None:
    _, client = make(("/files/<path:p>", "files"), ("/edit/<path:p>/edit", "edit"))
    assert answer(client, "/files/a/b/c.txt") == ("files", {"p": ("str", "'a/b/c.txt'")})
    assert answer(client, "/files/") == 404
    assert answer(client, "/files/a//b") == 404
    assert answer(client, "/edit/a/b/edit") == ("edit", {"p": ("str", "'a/b'")})
    assert answer(client, "/edit/edit") == 404


def test_uuid_and_any_converters() -> None:
    _, client = make(("/u/<uuid:u>", "u"), ("/k/<any('a', 'b c', x):k>", "k"))
    value = uuid.UUID("12345678-1234-5678-1234-56781234abcd")
    assert answer(client, f"/u/{value}") == ("u", {"u": ("UUID", repr(value))})
    assert answer(client, "/u/12345678-1234-5678-1234-56781234abc") == 404
    assert answer(client, "/u/not-a-uuid") == 404
    assert answer(client, "/k/a") == ("k", {"k": ("str", "'a'")})
    assert answer(client, "/k/b%20c")[0] == "k" and answer(client, "/k/x")[0] == "k"
    assert answer(client, "/k/ab") == 404 and answer(client, "/k/") == 404


# --- precedence ----------------------------------------------------------------------------------
@pytest.mark.parametrize("order", [1, -1])
def test_static_beats_variable_and_typed_beats_default(order: int) -> None:
    _, client = make(*[("/user/<name>", "var"), ("/user/me", "static")][::order],
                     *[("/x/<name>", "default"), ("/x/<int:id>", "int")][::order])
    assert answer(client, "/user/me")[0] == "static"
    assert answer(client, "/user/you")[0] == "var"
    assert answer(client, "/x/5")[0] == "int"
    assert answer(client, "/x/y")[0] == "default"


def test_first_difference_decides_and_ties_keep_registration_order() -> None:
    _, client = make(("/<name>/b", "late-static"), ("/a/<name>", "early-static"),
                     ("/t/<path:p>", "path"), ("/t/<name>", "default"))
    assert answer(client, "/a/b")[0] == "early-static"
    assert answer(client, "/t/z")[0] == "default"  # path weighs less than the default converter


# --- methods -------------------------------------------------------------------------------------
def test_methods_405_allow_and_dispatch_by_method() -> None:
    _, client = make(
        ("/item", "get_item"), ("/item", "post_item", ["POST"]), ("/both", "both", ["GET", "POST"])
    )
    assert answer(client, "/item")[0] == "get_item"
    assert answer(client, "/item", "POST")[0] == "post_item"
    assert answer(client, "/both", "POST")[0] == "both"
    response = get(client, "/item", "DELETE")
    assert response.status_int == 405
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS, POST"
    assert "Traceback" not in response.text


def test_head_is_get_without_body() -> None:
    _, client = make(("/hello/<name>", "hello"), ("/post", "post", ["POST"]))
    got, head = get(client, "/hello/x"), get(client, "/hello/x", "HEAD")
    assert head.status == got.status == "200 OK"
    assert head.headers["Content-Length"] == got.headers["Content-Length"] == str(len(got.body))
    assert head.headers["Content-Type"] == got.headers["Content-Type"] == "text/html; charset=utf-8"
    assert head.body == b""
    assert get(client, "/post", "HEAD").status_int == 405


def test_options_is_automatic() -> None:
    _, client = make(
        ("/item", "get_item"), ("/item", "post_item", ["POST"]), ("/<name>", "other", ["PUT"])
    )
    response = get(client, "/item", "OPTIONS")
    assert response.status_int == 200
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS, POST, PUT"
    assert get(client, "/a/b", "OPTIONS").status_int == 404


# --- canonical URLs ----------------------------------------------------------------------------- 
def test_trailing_slash_redirect_keeps_query() -> None:
    _, client = make(("/projects/", "projects"), ("/about", "about"), ("/été/<int:n>/", "ete"))
    response = get(client, "/projects?page=2")
    assert response.status == "308 Permanent Redirect"
    assert response.headers["Location"].endswith("/projects/?page=2")
    assert get(client, "/projects").headers["Location"].endswith("/projects/")
    assert get(client, "/%C3%A9t%C3%A9/5").headers["Location"].endswith("/%C3%A9t%C3%A9/5/")
    assert answer(client, "/projects/")[0] == "projects"
    assert answer(client, "/about/") == 404
    assert answer(client, "/%C3%A9t%C3%A9/x") == 404


# --- URL building --------------------------------------------------------------------------------- 
def test_url_for_round_trip() -> None:
    app, client = make(
        ("/hello/<name>", "hello"),
        ("/files/<path:p>", "files"),
        ("/n/<int(fixed_digits=3):n>/<float:f>", "n"),
        ("/u/<uuid:u>", "u"), ("/caf\u00e9/<any('\u00e9', 'b'):k>", "k"),
    )
    cases = [
        ("hello", {"name": "a b?#%é&+;"}),
        ("files", {"p": "dir/sous dossier/%.txt"}),
        ("n", {"n": 7, "f": 1e-07}),
        ("n", {"n": 123, "f": 1e20}),
        ("u", {"u": uuid.uuid4()}),
        ("k", {"k": "é"}),
    ]
    for endpoint, values in cases:
        url = app.url_for(endpoint, **values)
        assert url.isascii(), url
        expected = {k: (type(v).__name__, repr(v)) for k, v in values.items()}
        assert answer(client, url) == (endpoint, expected), url
    assert app.url_for("hello", name="a/b") == "/hello/a%2Fb"
    assert app.url_for("files", p="a/b") == "/files/a/b"
    assert app.url_for("n", n=7, f=2) == "/n/007/2.0"


def test_url_for_query_and_errors() -> None:
    app, client = make(("/hello/<name>", "hello"), ("/", "endpoint"))
    assert app.url_for("hello", name="x", page=2, q="a b&é") == "/hello/x?page=2&q=a+b%26%C3%A9"
    assert app.url_for("endpoint", endpoint="x") == "/?endpoint=x"
    with pytest.raises(BuildError):
        app.url_for("hello")
    with pytest.raises(BuildError):
        app.url_for("nope")


# --- errors and debug ----------------------------------------------------------------------------
class SecretError(Exception):
    pass


def boom() -> str:
    raise SecretError("<script>'s3cret'</script>")


@pytest.mark.parametrize("debug", [False, True])
def test_unhandled_exception_pages(debug: bool) -> None:
    app = App(debug=debug)
    app.add_url_rule("/boom", "boom", boom)
    response = get(TestApp(app, lint=True), "/boom")
    assert response.status == "500 Internal Server Error"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    text = response.text
    assert "<script>" not in text and "'s3cret'" not in text
    if debug:
        assert "SecretError" in text and "def boom" not in text
        assert "&lt;script&gt;&#x27;s3cret&#x27;&lt;/script&gt;" in text
        assert "<code>boom</code>" in text and "Traceback" in text
    else:
        assert "Internal Server Error" in text
        for leak in ("SecretError", "s3cret", "Traceback", "boom", "raise"):
            assert leak not in text


def test_view_with_invalid_result_is_a_500() -> None:
    app = App()
    app.add_url_rule("/none", "none", lambda: None)
    assert get(TestApp(app, lint=True), "/none").status_int == 500


def test_registration_api() -> None:
    app = App()

    @app.route("/a", methods=["post"], endpoint="named")
    def view_a() -> str:
        return "A"

    def hello_world() -> str:
        return "HELLO"

    app.add_url_rule("/", "hello", hello_world)
    client = TestApp(app, lint=True)
    assert client.post("/a").text == "A"
    assert client.get("/").text == "HELLO"
    assert app.url_for("named") == "/a" and app.url_for("hello") == "/"
    with pytest.raises(ValueError):
        app.add_url_rule("/x<int:n>", "bad", hello_world)


# --- the adapter ---------------------------------------------------------------------------------
def test_adapter_source_runs() -> None:
    adapter = ReferenceAdapter()
    model = AppModel((
        rule("/blog/<int:postID>", "e0"),
        rule("/", "hello", registration="imperative", function="hello_world",
             handler=Handler("text", "HELLO")),
        rule("/k/<any('a', 'b'):k>/", "e2", function="f2", methods=["GET", "POST"]),
        rule("/boom", "boom", handler=Handler("raise", exc_type="OwnError", message="m")),
    ), debug=True)
    assert adapter.capabilities == base.ALL_CAPABILITIES
    assert adapter.module == "" and adapter.framework_module == "adapters.reference.microframework"
    source = adapter.source(model)
    assert "app.add_url_rule('/', 'hello', hello_world, methods=['GET'])" in source
    assert "@app.route('/blog/<int:postID>', methods=['GET'])\ndef e0(postID):" in source
    assert "endpoint='e2'" in source
    app = adapter.make_app(model)
    client = TestApp(app, lint=True)
    assert json.loads(client.get("/blog/555").text)["args"] == {"postID": ["int", "555"]}
    assert client.get("/").text == "HELLO"
    assert client.post("/k/b/").status_int == 200
    assert get(client, "/k/b").status_int == 308
    page = get(client, "/boom")
    assert page.status_int == 500 and "OwnError" in page.text and "boom" in page.text
    assert adapter.build_url(app, "e0", {"postID": 5}) == "/blog/5"
    assert adapter.build_url_source("e0", {"postID": 5}) == "print(app.url_for('e0', postID=5))"
    line = adapter.build_url_source("e2", {"k": "a", "u": uuid.UUID(int=1), "not id": 1})
    namespace = {"app": app, "print": lambda url: namespace.setdefault("url", url)}
    exec(line, namespace)
    assert namespace["url"] == app.url_for("e2", k="a", u=uuid.UUID(int=1), **{"not id": 1})
