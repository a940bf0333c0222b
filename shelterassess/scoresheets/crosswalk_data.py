"""The crosswalk page of a score-sheet version, as plain localized data."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from shelterassess.i18n import localized
from shelterassess.scoresheets import queries
from shelterassess.scoresheets.crosswalk import COMPARABLE, RELATIONS, problems
from shelterassess.scoresheets.models import ScoreSheetVersion


def relation_label(relation: str) -> str:
    return {
        "same": _("Same"), "reworded": _("Reworded"), "split": _("Split"), "merged": _("Merged"), "new": _("New"),
        "retired": _("Retired"),
    }.get(relation, relation)


@dataclass(frozen=True)
class Ref:
    code: str
    key: str
    text: str


@dataclass(frozen=True)
class LaterLine:
    """An indicator of the version shown, with where it comes from."""

    area: str
    code: str
    key: str
    text: str
    relation: str
    predecessors: tuple[Ref, ...]
    note: str

    @property
    def relation_label(self) -> str:
        return relation_label(self.relation)

    @property
    def comparable(self) -> bool:
        return self.relation in COMPARABLE


@dataclass(frozen=True)
class EarlierLine:
    """An indicator of the earlier version, with where it went (or why it was retired)."""

    code: str
    key: str
    text: str
    successors: tuple[tuple[str, str], ...]  # (code, relation label)
    retired_note: str

    @property
    def retired(self) -> bool:
        return not self.successors


@dataclass(frozen=True)
class CrosswalkPage:
    sheet_id: int
    title: str
    version: int
    earlier_version: int | None
    earlier_sheet_id: int | None
    lines: tuple[LaterLine, ...]
    earlier: tuple[EarlierLine, ...]
    #: (relation label, number of indicators), in RELATIONS order, then retired
    counts: tuple[tuple[str, int], ...]
    problems: tuple[str, ...]

    @property
    def has_crosswalk(self) -> bool:
        return self.earlier_version is not None

    @property
    def comparable(self) -> int:
        return sum(line.comparable for line in self.lines)


def crosswalk_page(session: Session, sheet: ScoreSheetVersion, language: str) -> CrosswalkPage:
    crosswalk = queries.crosswalk_of(sheet)
    earlier = (queries.version_of(session, sheet.key, crosswalk.from_version)
               if crosswalk is not None and crosswalk.from_version is not None else None)
    earlier_inds = {ind.key: ind for ind in earlier.indicators} if earlier is not None else {}

    def ref(key: str) -> Ref:
        ind = earlier_inds.get(key)
        return Ref(ind.code, key, localized(ind, "text", language)) if ind else Ref("?", key, key)

    lines = tuple(
        LaterLine(area.code, ind.code, ind.key, localized(ind, "text", language), ind.crosswalk_relation or "same",
                  tuple(ref(k) for k in ind.predecessor_keys), localized(ind, "crosswalk_note", language))
        for area in sheet.areas for ind in area.indicators
    ) if crosswalk is not None else ()
    return CrosswalkPage(
        sheet.id, localized(sheet, "title", language), sheet.version,
        crosswalk.from_version if crosswalk else None, earlier.id if earlier else None, lines,
        _earlier_lines(sheet, earlier, lines, language),
        _counts(lines, sheet),
        tuple(problems(crosswalk, list(earlier_inds))) if crosswalk is not None and earlier is not None else (),
    )


def _earlier_lines(sheet, earlier, lines, language: str) -> tuple[EarlierLine, ...]:
    if earlier is None:
        return ()
    notes = {item["key"]: item for item in sheet.retired_keys or []}
    result = []
    for ind in earlier.indicators:
        successors = tuple((line.code, line.relation_label) for line in lines
                           if any(p.key == ind.key for p in line.predecessors))
        note = notes.get(ind.key, {})
        result.append(EarlierLine(ind.code, ind.key, localized(ind, "text", language), successors,
                                  note.get(f"note_{language}") or note.get("note_en", "")))
    return tuple(result)


def _counts(lines, sheet) -> tuple[tuple[str, int], ...]:
    counted = Counter(line.relation for line in lines)
    counts = [(relation_label(r), counted[r]) for r in RELATIONS if counted[r]]
    if sheet.retired_keys:
        counts.append((relation_label("retired"), len(sheet.retired_keys)))
    return tuple(counts)
