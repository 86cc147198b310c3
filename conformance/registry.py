"""Find an adapter by name: bundled, registered by a package's entry point, or ``package.module:Class``."""

from __future__ import annotations

import importlib
import importlib.metadata
from dataclasses import dataclass

from adapters.base import Adapter, AdapterUnavailable

ENTRY_POINT_GROUP = "wsgi_conformance.adapters"
BUNDLED = {
    "reference": "adapters.reference:ReferenceAdapter",
    "flask": "adapters.flask:FlaskAdapter",
    "bottle": "adapters.bottle:BottleAdapter",
    "falcon": "adapters.falcon:FalconAdapter",
    "django": "adapters.django:DjangoAdapter",
    "pyramid": "adapters.pyramid:PyramidAdapter",
    "werkzeug": "adapters.werkzeug:WerkzeugAdapter",
}


class UnknownAdapter(LookupError):
    pass


@dataclass(frozen=True)
class AdapterInfo:
    name: str
    target: str  # "package.module:Class"
    origin: str  # "bundled" or "entry point (distribution)"


def available() -> dict[str, AdapterInfo]:
    found = {n: AdapterInfo(n, t, "bundled") for n, t in BUNDLED.items()}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if ep.name not in found:
            dist = ep.dist.name if ep.dist else "?"
            found[ep.name] = AdapterInfo(ep.name, ep.value, f"entry point ({dist})")
    return found


def load(name: str) -> Adapter:
    """An adapter instance whose framework is installed, or a clear, actionable error."""
    known = available()
    if name in known:
        target = known[name].target
    elif ":" in name:
        target = name
    else:
        raise UnknownAdapter(
            f"unknown adapter {name!r}; available: {', '.join(sorted(known))} "
            f"(or name a class as package.module:Class)"
        )
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
        cls = getattr(module, attr)
    except Exception as exc:  # any fault importing an adapter is a clear error, not a crash
        raise UnknownAdapter(f"cannot load adapter {name!r} from {target!r}: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, Adapter)):
        raise UnknownAdapter(f"{target!r} is not a subclass of adapters.base.Adapter")
    adapter = cls()
    if not adapter.name:
        adapter.name = name
    adapter.check_installed()
    return adapter


def installed() -> list[str]:
    """Names of the available adapters whose framework is installed."""
    names = []
    for name in available():
        try:
            load(name)
        except (UnknownAdapter, AdapterUnavailable):
            continue
        names.append(name)
    return names
