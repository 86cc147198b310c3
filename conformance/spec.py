"""The requirements, read from SPEC.md: SPEC.md is the single source, this module only parses it.

A case names its requirement ids; ``requirement(id)`` fails loudly on an id SPEC.md does not have,
so a typo cannot create a requirement that no reader can find.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SPEC_PATH = Path(__file__).with_name("SPEC.md")
SPEC_URL = "https://github.com/wsgi-conformance/wsgi-conformance/blob/main/conformance/SPEC.md"

LEVELS = ("MUST", "SHOULD", "MAY", "IMPL")
_HEADING = re.compile(
    r"^### (?P<id>[A-Z]+(?:-[A-Z]+)*-\d{3}) · (?P<level>MUST|SHOULD|MAY|IMPL) · (?P<title>.+)$"
)
_NEEDS = re.compile(r"\*Needs:\*\s*`([^`]+)`")
_AREA = re.compile(r"^## \d+\. (?P<name>.+?) — (?P<prefix>[A-Z]+)$")


@dataclass(frozen=True)
class Requirement:
    id: str
    level: str
    title: str
    text: str
    area: str
    needs: str | None  # the capability a MAY requirement applies to

    @property
    def anchor(self) -> str:
        return f"{SPEC_URL}#{self.id}"

    def __str__(self) -> str:
        return f"{self.id} ({self.level}): {self.title}"


class UnknownRequirement(KeyError):
    pass


def parse(text: str) -> dict[str, Requirement]:
    found: dict[str, Requirement] = {}
    area = ""
    current: dict | None = None
    body: list[str] = []

    def close() -> None:
        if current is None:
            return
        text = "\n".join(body).strip()
        needs = _NEEDS.search(text)
        req = Requirement(text=text, needs=needs.group(1) if needs else None, area=area, **current)
        if req.id in found:
            raise ValueError(f"SPEC.md defines {req.id} twice")
        found[req.id] = req

    for line in text.splitlines():
        if m := _AREA.match(line):
            close()
            current, body = None, []
            area = m.group("name")
        elif m := _HEADING.match(line):
            close()
            current, body = m.groupdict(), []
        elif current is not None and not line.startswith("<a id="):
            body.append(line)
    close()
    return found


@lru_cache(maxsize=1)
def requirements() -> dict[str, Requirement]:
    return parse(SPEC_PATH.read_text(encoding="utf-8"))


def requirement(req_id: str) -> Requirement:
    try:
        return requirements()[req_id]
    except KeyError:
        raise UnknownRequirement(f"{req_id} is not a requirement id in SPEC.md") from None
