"""The history's change lines (``PlanEvent.detail``): ``field: old → new``, one per line, with
field names and values that do not depend on the language (translated when shown). Pure Python."""
from __future__ import annotations

from typing import Mapping, Sequence

ARROW = " → "


def changes(before: Mapping[str, str], after: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(field, old, new) for every field whose value differs, in ``after``'s order."""
    return [(name, before.get(name, ""), value) for name, value in after.items() if before.get(name, "") != value]


def change_lines(items: Sequence[tuple[str, str, str]], limit: int = 120) -> str:
    """``field: old → new`` one per line (values shortened to ``limit`` characters), for the history."""
    def short(value: str) -> str:
        value = " ".join(value.split())
        return value if len(value) <= limit else value[: limit - 1] + "…"
    return "\n".join(f"{name}: {short(old)}{ARROW}{short(new)}" for name, old, new in items)


def parse_change_lines(detail: str) -> list[tuple[str, str, str]]:
    """The inverse of :func:`change_lines` (lines that do not parse are left out)."""
    parsed = []
    for line in detail.splitlines():
        name, sep, rest = line.partition(": ")
        old, arrow, new = rest.partition(ARROW)
        if sep and arrow:
            parsed.append((name, old, new))
    return parsed
