"""``wsgi-conformance adapters``: every adapter ``--adapter`` can take, and whether it can run.

Listing must never crash on one bad adapter: a third-party entry point that fails to import, or a
bundled adapter whose module is not in this version, is shown with its error next to the others.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import importlib.util
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from adapters.base import Adapter
from conformance import registry

SUITE = "wsgi-conformance"


@dataclass
class Listing:
    """What ``adapters`` says about one adapter (also its ``--json`` form)."""

    name: str
    origin: str  # "bundled", "entry point (dist 1.0)", "entry point (dist 1.0), shadowed by ..."
    target: str  # "package.module:Class"
    framework: str = ""
    installed: bool = False
    version: str | None = None
    install: str | None = None  # the command that installs the framework, when it is missing
    capabilities: list[str] = field(default_factory=list)
    error: str | None = None  # the adapter itself cannot be loaded

    @property
    def usable(self) -> bool:
        return self.installed and self.error is None


def _load_class(target: str) -> type[Adapter]:
    module_name, _, attr = target.partition(":")
    cls = getattr(importlib.import_module(module_name), attr)
    if not (isinstance(cls, type) and issubclass(cls, Adapter)):
        raise TypeError(f"{target} is not a subclass of adapters.base.Adapter")
    return cls


def _extra_requirement(extra: str) -> str | None:
    """The distribution the suite's ``[extra]`` installs (from our own metadata), if any."""
    try:
        requires = importlib.metadata.requires(SUITE) or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for req in requires:
        if re.search(rf"""extra\s*==\s*["']{re.escape(extra)}["']""", req):
            return re.split(r"[\s<>=!~;\[(]", req, maxsplit=1)[0]
    return None


def _dist_version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def describe(info: registry.AdapterInfo) -> Listing:
    """Load the adapter class (never the framework's apps) and say what it needs."""
    listing = Listing(info.name, info.origin, info.target)
    try:
        cls = _load_class(info.target)
    except Exception as exc:  # a broken adapter is listed with its error, not a crash
        listing.error = f"{type(exc).__name__}: {exc}"
        if info.origin == "bundled" and isinstance(exc, ModuleNotFoundError) \
                and exc.name == info.target.partition(":")[0]:
            listing.error = f"adapter module {exc.name} is not in this installation"
        # Without the class, the suite's own extra (if this is a bundled name) still tells
        # whether the framework is there and how to get it.
        dist = _extra_requirement(info.name) if info.origin == "bundled" else None
        if dist:
            listing.framework = dist
            listing.version = _dist_version(dist)
            listing.installed = listing.version is not None
            if not listing.installed:
                listing.install = f"pip install '{SUITE}[{info.name}]'"
        return listing
    adapter = cls()
    if not adapter.name:
        adapter.name = info.name
    listing.framework = adapter.framework or info.name
    listing.capabilities = sorted(adapter.capabilities)
    listing.installed = not adapter.module or importlib.util.find_spec(adapter.module) is not None
    if listing.installed:
        listing.version = adapter.version()
    else:
        listing.install = adapter.install_command()
    return listing


def entry_point_names() -> dict[str, list[str]]:
    """Entry-point name -> the distributions registering it (to show shadowed registrations)."""
    names: dict[str, list[str]] = {}
    for ep in importlib.metadata.entry_points(group=registry.ENTRY_POINT_GROUP):
        dist = f"{ep.dist.name} {ep.dist.version}" if ep.dist else "?"
        names.setdefault(ep.name, []).append(f"{dist}: {ep.value}")
    return names


def listings() -> list[Listing]:
    out = [describe(info) for info in registry.available().values()]
    bundled_or_first = {info.name: info for info in registry.available().values()}
    for name, regs in entry_point_names().items():
        chosen = bundled_or_first[name]
        ignored = regs if chosen.origin == "bundled" else regs[1:]
        for reg in ignored:
            out.append(Listing(name, f"entry point ({reg.split(':')[0]})", reg.split(": ", 1)[1],
                               error=f"ignored: the name {name!r} is already taken by "
                                     f"{chosen.origin} {chosen.target}"))
    return out


def status(listing: Listing) -> str:
    if listing.installed:
        what = f"{listing.framework} {listing.version or ''}".strip()
        return f"ready: {what}" if listing.error is None else f"framework installed: {what}"
    if listing.install:
        return f"not installed: {listing.install}"
    return "unavailable"


def format_table(rows: list[Listing]) -> str:
    headers = ("NAME", "ORIGIN", "TARGET", "STATUS")
    cells = [(r.name, r.origin, r.target, status(r)) for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)] \
        if cells else [len(h) for h in headers]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    for row, cell in zip(rows, cells):
        lines.append("  ".join(c.ljust(w) for c, w in zip(cell, widths)).rstrip())
        if row.error:
            lines.append(f"    error: {row.error}")
    ready = sum(r.usable for r in rows)
    lines.append(f"\n{ready} of {len(rows)} adapters ready; run one with: pytest --adapter=NAME")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    rows = listings()
    if args.json:
        print(json.dumps([asdict(r) | {"usable": r.usable} for r in rows], indent=2))
    else:
        print(format_table(rows))
    return 0  # listing is informational: unusable adapters are shown, not an error


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "adapters", help="list every adapter --adapter can take, where it comes from, and "
                         "whether its framework is installed",
        description="List the adapters: bundled ones and those installed packages register in the "
                    f"{registry.ENTRY_POINT_GROUP!r} entry-point group. For each: where it comes "
                    "from, its module:Class, whether its framework is installed (and which "
                    "version) or the command that installs it. An adapter that cannot be loaded "
                    "is listed with its error.",
    )
    parser.add_argument("--json", action="store_true", help="print the list as JSON")
    parser.set_defaults(func=run)
