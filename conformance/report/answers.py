"""What a framework answered, in a few words, for a report cell.

The evidence the harness records says what happened in full (``Observation.summary()``:
``200 OK blog(postID=int -1)``); a matrix cell has room for ``200 int -1``.
"""

from __future__ import annotations

import re

MAX = 40

_STATUS = re.compile(r"^(?P<code>\d{3})\b")
_CALL = re.compile(r"\b(?P<endpoint>[A-Za-z_]\w*)\((?P<args>.*)\)$")
_ARG = re.compile(r"(?:^|, )[A-Za-z_]\w*=(?P<type>[A-Za-z_][\w.]*) ")
_LOCATION = re.compile(r"\bLocation: (?P<loc>\S+)")
_ALLOW = re.compile(r"\bAllow: (?P<allow>.*)$")


def short_answer(text: str | None, limit: int = MAX) -> str:
    """``200 OK blog(postID=int -1)`` -> ``200 int -1``; anything unrecognised is shortened."""
    if not text:
        return ""
    text = " ".join(str(text).split())
    if text.startswith("raised "):
        return clip(text.split(":", 1)[0], limit)
    status = _STATUS.match(text)
    if status is None:
        return clip(text, limit)
    code = status.group("code")
    if call := _CALL.search(text):
        args = _args(call.group("args"))
        return clip(f"{code} {args}" if args else f"{code} {call.group('endpoint')}()", limit)
    if loc := _LOCATION.search(text):
        return clip(f"{code} → {loc.group('loc')}", limit)
    if allow := _ALLOW.search(text):
        return clip(f"{code} Allow: {allow.group('allow')}", limit)
    return code


def _args(args: str) -> str:
    """``postID=int -1, slug=str 'a'`` -> ``int -1, str 'a'`` (names dropped, types kept)."""
    return _ARG.sub(lambda m: (", " if m.start() else "") + m.group("type") + " ", args).strip()


def clip(text: str, limit: int = MAX) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
