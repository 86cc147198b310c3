"""Falcon 4: resource classes with ``on_<method>`` responders, ``app.add_route`` and URI templates.

Falcon's syntax differs from the route-decorator frameworks in ways this adapter keeps, because
they are what a Falcon user writes: a rule is a URI template (``/blog/{postID:int}``) bound to a
resource object, and rules sharing one template are one resource with several responders. There
is no decorator form (both registrations are ``add_route``), no URL building, no debug page and no
template engine: those capabilities are not declared. Falcon answers HEAD only with an ``on_head``
responder; none is written, because writing one would fix Falcon rather than test it.
"""

from __future__ import annotations

from typing import Any

from adapters import base
from conformance.model import AppModel, Rule, Static, Variable

# Falcon's field converters (falcon.routing.converters.BUILTIN): int(num_digits, min, max),
# float(min, max, finite), uuid, path (last field only), dt, re. No ``any`` and no string lengths.
_INT_ARGS = {"min": "min", "max": "max", "fixed_digits": "num_digits"}
_FLOAT_ARGS = {"min": "min", "max": "max"}


def falcon_field(var: Variable) -> str:
    """``{name}``, ``{name:int}``, ``{name:int(min=1, max=9)}``: a Falcon field expression."""
    if var.converter == "default":
        return "{" + var.name + "}"
    if var.converter in ("path", "uuid") and not var.args:
        return "{" + f"{var.name}:{var.converter}" + "}"
    if var.converter in ("int", "float"):
        names = _INT_ARGS if var.converter == "int" else _FLOAT_ARGS
        missing = [k for k, _ in var.args if k not in names]
        if missing:
            req = "CONV-INT-006" if var.converter == "int" else "CONV-FLOAT-005"
            raise base.Unsupported(
                f"{', '.join(missing)} argument for {var.converter} (Falcon's {var.converter} "
                f"converter takes {', '.join(sorted(set(names.values())))})", [req])
        args = ", ".join(f"{names[k]}={v!r}" for k, v in var.args)
        return "{" + f"{var.name}:{var.converter}" + (f"({args})" if args else "") + "}"
    raise base.Unsupported(f"{var.converter!r} field converter", _CONVERTER_REQ[var.converter])


_CONVERTER_REQ = {"any": ["CONV-ANY-001"], "string": ["CONV-STRING-001"]}


def responder_body(rule: Rule) -> str:
    """The responder's body: the view's answer goes into ``resp.text`` (Falcon returns nothing)."""
    line = base.handler_body(rule, indent="").strip()
    if not line.startswith("return "):
        return f"        {line}\n"  # raise ...
    value = line[len("return "):]
    media = "" if rule.handler.kind == "echo" else "        resp.content_type = falcon.MEDIA_TEXT\n"
    return f"{media}        resp.text = {value}\n"


def resource_name(endpoint: str, taken: set[str]) -> str:
    name = "".join(p[:1].upper() + p[1:] for p in endpoint.split("_") if p) + "Resource"
    while name in taken:
        name = "_" + name
    taken.add(name)
    return name


class FalconAdapter(base.Adapter):
    name = "falcon"
    framework = "Falcon"
    distribution = "falcon"
    module = "falcon"
    extra = "falcon"
    # int(min, max, num_digits) and float(min, max) exist; ``signed`` does not, and a rule that
    # needs it is reported as not meeting CONV-INT-006 / CONV-FLOAT-005.
    capabilities = frozenset({base.CONVERTER_UUID, base.INT_ARGS, base.FLOAT_ARGS})

    def source(self, model: AppModel) -> str:
        out = ["import falcon", "from conformance.handlers import echo", "", ""]
        out.append(base.exception_classes(model))
        taken: set[str] = set()
        routes: list[str] = []
        for template, rules in self._resources(model):
            cls = resource_name(rules[0].endpoint, taken)
            out.append(f"class {cls}:")
            for rule in rules:
                params = "".join(f", {v.name}" for v in rule.variables)
                for method in sorted(rule.methods):
                    out.append(f"    def on_{method.lower()}(self, req, resp{params}):")
                    out.append(responder_body(rule))
            out.append("")
            routes.append(f"app.add_route({template!r}, {cls}())")
        out += ["app = falcon.App()", *routes]
        return "\n".join(out) + "\n"

    @staticmethod
    def _resources(model: AppModel) -> list[tuple[str, list[Rule]]]:
        """Rules grouped by URI template, in registration order; a method already taken by an
        earlier rule of the template starts a new resource (added with the same template)."""
        groups: list[tuple[str, list[Rule]]] = []
        for rule in model.rules:
            template = rule.path_template(falcon_field)
            for tpl, rules in groups:
                if tpl == template and not any(r.methods & rule.methods for r in rules):
                    rules.append(rule)
                    break
            else:
                groups.append((template, [rule]))
        return groups

    def make_app(self, model: AppModel) -> base.WSGIApp:
        try:
            return super().make_app(model)
        except ValueError as exc:  # falcon.routing.util.UnacceptableRouteError and kin
            raise base.Unsupported(f"way to add these routes (add_route: {type(exc).__name__}: "
                                   f"{_gist(str(exc))})", refused_requirements(model)) from exc

    # --- transports (issue 10) ---------------------------------------------------------------
    def client_request(self, app: base.WSGIApp, request: Any) -> base.ClientAnswer:
        """``falcon.testing.TestClient``, Falcon's documented testing path, with its defaults
        (it wraps the app in ``wsgiref.validate``). Falcon has no reloader: none is declared."""
        from falcon.testing import TestClient

        result = TestClient(app).simulate_request(request.method, request.path,
                                                  query_string=request.query or None,
                                                  headers=dict(request.headers))
        return base.ClientAnswer(result.status, tuple(result.headers.items()), result.content)

    def client_request_source(self, model: AppModel, request: Any) -> str:
        args = f"{request.method!r}, {request.path!r}"
        if request.query:
            args += f", query_string={request.query!r}"
        if request.headers:
            args += f", headers={dict(request.headers)!r}"
        return ("from falcon.testing import TestClient\n\n"
                f"result = TestClient(app).simulate_request({args})\n"
                "print(result.status, list(result.headers.items()), result.content[:500])")

    def serve_source(self, model: AppModel) -> str:
        from adapters.serving import wsgiref_serve_source

        return wsgiref_serve_source("as Falcon's quickstart serves an app, on a free port")

    def serve(self, app: base.WSGIApp, host: str) -> Any:
        """``wsgiref.simple_server.make_server``, as Falcon's quickstart serves an app."""
        from adapters.serving import wsgiref_server

        return wsgiref_server(app, host, "falcon-wsgiref")


def _gist(message: str, limit: int = 220) -> str:
    """Falcon's own words, whole sentences up to ``limit`` characters (its messages run long)."""
    out = ""
    for sentence in message.split(". "):
        if out and len(out) + len(sentence) > limit:
            break
        out += sentence.rstrip(".") + ". "
    return out.strip().rstrip(".")


def refused_requirements(model: AppModel) -> list[str]:
    """Which requirements a model Falcon refuses to route serves (read from the model)."""
    reqs: list[str] = []
    for rule in model.rules:
        last = len(rule.segments) - 1
        if any(isinstance(s, Variable) and s.converter == "path" and (i < last or rule.trailing_slash)
               for i, s in enumerate(rule.segments)):
            reqs.append("CONV-PATH-003")  # a path field must be the template's last part
        if any(isinstance(s, Static) and any(c.isspace() for c in s.text) for s in rule.segments):
            reqs.append("ROUTE-001")  # "URI templates may not include whitespace"
    if not reqs:
        # Two templates with different fields at one level: different names, or one name with
        # different converters ("inconsistent or conflicts with another route's template").
        typed_vs_default = any(
            isinstance(a, Variable) and isinstance(b, Variable) and a.name == b.name
            and {a.converter, b.converter} & {"default"} and a.converter != b.converter
            for r1 in model.rules for r2 in model.rules
            for a, b in zip(r1.segments, r2.segments))
        reqs.append("ROUTE-009" if typed_vs_default else "ROUTE-003")
    return list(dict.fromkeys(reqs))
