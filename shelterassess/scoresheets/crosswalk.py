"""The crosswalk between two versions of a score sheet. Pure Python: no Flask, no database.

Every indicator of a version states how it relates to the version its sheet's crosswalk
refers to (normally the previous one):

* ``same``: the same requirement and descriptors; scores compare directly.
* ``reworded``: the same requirement, with clearer wording, anchors or gender-neutral text;
  scores are compared, with the caveat that sharper anchors can move a score by themselves.
* ``split``: one earlier indicator divided over several; not comparable one to one.
* ``merged``: several earlier indicators combined into one; not comparable.
* ``new``: no predecessor.

Rules (:func:`problems`): an indicator keeps its predecessor's key exactly when it is
``same`` or ``reworded`` (so key equality across versions means "comparable"); ``same`` and
``reworded`` have one predecessor that no other indicator claims; ``split`` has one
predecessor shared with at least one other successor; ``merged`` has two or more; ``new``
none. Every key of the earlier version is mapped by some indicator or listed as retired,
never both.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

RELATIONS = ("same", "reworded", "split", "merged", "new")
COMPARABLE = frozenset({"same", "reworded"})
#: How many predecessors each relation takes: (at least, at most).
PREDECESSORS = {"same": (1, 1), "reworded": (1, 1), "split": (1, 1), "merged": (2, 10**6), "new": (0, 0)}


@dataclass(frozen=True)
class Link:
    """One indicator of the later version and where it comes from."""

    key: str
    relation: str
    predecessors: tuple[str, ...] = ()

    @property
    def comparable(self) -> bool:
        return self.relation in COMPARABLE


@dataclass(frozen=True)
class Crosswalk:
    from_version: int | None
    links: tuple[Link, ...]
    #: earlier keys with no successor -> why (any value; the notes)
    retired: Mapping[str, object] = field(default_factory=dict)

    def successors(self) -> dict[str, list[Link]]:
        """Earlier key -> the links that name it, in sheet order."""
        found: dict[str, list[Link]] = defaultdict(list)
        for link in self.links:
            for key in link.predecessors:
                found[key].append(link)
        return dict(found)

    def comparable_keys(self) -> set[str]:
        """Keys that mean the same indicator in both versions."""
        return {link.key for link in self.links if link.comparable}


def problems(crosswalk: Crosswalk, earlier_keys: Iterable[str]) -> list[str]:
    """Why the crosswalk is not a valid mapping from ``earlier_keys`` (empty when it is)."""
    earlier = list(earlier_keys)
    known = set(earlier)
    found: list[str] = []
    successors = crosswalk.successors()
    for link in crosswalk.links:
        found += _link_problems(link, known, successors)
    for key in earlier:
        if key not in successors and key not in crosswalk.retired:
            found.append(f"{key}: neither mapped nor retired")
        if key in successors and key in crosswalk.retired:
            found.append(f"{key}: both mapped and retired")
    found += [f"{key}: retired but not in the earlier version" for key in crosswalk.retired if key not in known]
    return found


def _link_problems(link: Link, known: set[str], successors: Mapping[str, Sequence[Link]]) -> list[str]:
    found = []
    preds = link.predecessors
    if link.relation not in RELATIONS:
        return [f"{link.key}: unknown relation {link.relation!r}"]
    found += [f"{link.key}: predecessor {p} is not in the earlier version" for p in preds if p not in known]
    if len(set(preds)) != len(preds):
        found.append(f"{link.key}: a predecessor is listed twice")
    low, high = PREDECESSORS[link.relation]
    if not low <= len(preds) <= high:
        wanted = "none" if high == 0 else f"exactly {low}" if low == high else f"at least {low}"
        found.append(f"{link.key}: {link.relation} needs {wanted} predecessor(s), has {len(preds)}")
    if link.comparable and preds and link.key != preds[0]:
        found.append(f"{link.key}: {link.relation} must keep its predecessor's key {preds[0]}")
    if not link.comparable and link.key in known:
        found.append(f"{link.key}: a {link.relation} indicator must not reuse a key of the earlier version")
    for p in preds:
        others = [s for s in successors.get(p, ()) if s.key != link.key]
        if link.comparable and others:
            found.append(f"{link.key}: {p} is also claimed by {', '.join(s.key for s in others)}")
        if link.relation == "split" and not others:
            found.append(f"{link.key}: split from {p}, but nothing else takes a part of it")
    return found


# -- comparing results across versions -------------------------------------------------------

def comparable_across(chain: Sequence[Crosswalk], later_keys: Iterable[str], earlier_keys: Iterable[str]) -> set[str]:
    """Keys that are comparable between an earlier and a later version of one sheet.

    ``chain`` holds the crosswalks of every version after the earlier one up to and including
    the later one (empty when both are the same version). A key is comparable when both
    versions have it and every step in between kept it as ``same`` or ``reworded``.
    """
    keys = set(later_keys) & set(earlier_keys)
    for crosswalk in chain:
        keys &= crosswalk.comparable_keys()
    return keys
