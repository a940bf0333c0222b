"""The toolkit as plain data in one language, for its pages and its PDF renderer
(:mod:`shelterassess.reports.renderers.toolkit`): the agenda, the checklist, the protocols,
the undertaking and the sources. Built from the shipped content (``toolkit/data``) and, for a
visit's pack, the team, the facility and the round's score sheet."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from shelterassess.peer.models import TeamAssignment
from shelterassess.scoresheets.models import ScoreSheetVersion
from shelterassess.toolkit import content, domain
from shelterassess.toolkit.queries import AreaChecklist

#: The pre-visit document list as :func:`shelterassess.toolkit.queries.documents_to_request` gives it.
Documents = domain.DocumentList
#: Parts in toolkit order; ``checklist`` needs a visit (its round's score sheet).
ORDER = ("agenda", "checklist", "interview", "file-review", "concerns", "undertaking")


def _pick(texts: Mapping[str, Any] | None, language: str) -> str:
    if not texts:
        return ""
    return str(texts.get(language) or texts.get("en") or texts.get("vi") or "")


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    text: str = ""
    items: tuple[str, ...] = ()
    script: str = ""


@dataclass(frozen=True)
class Protocol:
    key: str
    title: str
    summary: str
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class AgendaRow:
    time: str
    activity: str
    details: str
    who: str                          # names (a visit) or letters
    who_by_size: tuple[str, ...] = ()  # the generic agenda: letters for teams of 2, 3, 4, 5


@dataclass(frozen=True)
class Agenda:
    title: str
    summary: str
    members: tuple[tuple[str, str, bool], ...]          # (letter, name, is lead); empty when generic
    roles: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # (heading, ((letter, text), ...))
    rows: tuple[AgendaRow, ...]
    notes: tuple[str, ...]
    generic: bool


@dataclass(frozen=True)
class ChecklistRow:
    code: str
    text: str
    critical: bool
    evidence: str
    guidance: str
    lines: tuple[tuple[str, tuple[str, ...]], ...]  # (kind label, texts)


@dataclass(frozen=True)
class ChecklistArea:
    code: str
    title: str
    rows: tuple[ChecklistRow, ...]


@dataclass(frozen=True)
class DocumentGroup:
    heading: str                                      # "" for the generic list
    documents: tuple[tuple[str, tuple[str, ...]], ...]  # (document, indicator codes needing it)


@dataclass(frozen=True)
class Checklist:
    title: str
    summary: str
    note: str
    generic: bool
    sheet: str
    pre_visit_heading: str
    pre_visit_note: str
    documents: tuple[DocumentGroup, ...]
    areas: tuple[ChecklistArea, ...]


@dataclass(frozen=True)
class Undertaking:
    title: str
    summary: str
    facts: tuple[tuple[str, str], ...]
    statement: str
    clauses: tuple[str, ...]
    columns: tuple[str, ...]
    signers: tuple[tuple[str, str, str], ...]  # (name, role, works at)
    blank_rows: int
    witness: str
    keeping: str


@dataclass(frozen=True)
class Source:
    citation: str
    read: str
    used_for: str


@dataclass(frozen=True)
class ToolkitReport:
    language: str
    title: str
    subtitle: str
    facts: tuple[tuple[str, str], ...]
    warning: str
    agenda: Agenda | None = None
    checklist: Checklist | None = None
    protocols: tuple[Protocol, ...] = ()
    undertaking: Undertaking | None = None
    sources: tuple[Source, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    before_heading: str = ""
    before: tuple[str, ...] = ()

    @property
    def parts(self) -> list[str]:
        return [key for key, _title in self.part_titles]

    @property
    def part_titles(self) -> list[tuple[str, str]]:
        """(part key, title) of the parts present, in toolkit order."""
        titles = {"agenda": self.agenda.title if self.agenda else "",
                  "checklist": self.checklist.title if self.checklist else "",
                  "undertaking": self.undertaking.title if self.undertaking else "",
                  **{p.key: p.title for p in self.protocols}}
        return [(key, titles[key]) for key in ORDER if titles.get(key)]


def before_visit(language: str) -> dict[str, Any]:
    """The team lead's list for before the visit (printed on the cover)."""
    data = content.document("agenda")["before"]
    return {"before_heading": _pick(data["heading"], language),
            "before": tuple(_pick(item, language) for item in data["items"])}


def labels(language: str) -> dict[str, str]:
    return {key: _pick(texts, language) for key, texts in content.labels().items()}


# -- parts ------------------------------------------------------------------------------

def protocol(name: str, language: str) -> Protocol:
    data = content.document(name)
    sections = tuple(
        Section(key=s.get("key", ""), heading=_pick(s.get("heading"), language), text=_pick(s.get("text"), language),
                items=tuple(_pick(i, language) for i in s.get("items", [])), script=_pick(s.get("script"), language))
        for s in data.get("sections", [])
    )
    return Protocol(name, _pick(data["title"], language), _pick(data.get("summary"), language), sections)


def _time(slot: domain.AgendaSlot) -> str:
    return f"{slot.start}–{slot.end}" if slot.start and slot.end else ""


def agenda(language: str, members: list[domain.Member] | None = None) -> Agenda:
    """The agenda for a visit's team (``members``), or the generic one with letters per team size."""
    data = content.document("agenda")
    lab = labels(language)
    notes = tuple(_pick(n, language) for n in data.get("notes", []))
    if members:
        size = domain.team_size(len(members))
        names = {m.letter: m.name for m in members}
        rows = []
        for slot in domain.agenda_for(data["slots"], size):
            for a in slot.activities:
                everyone = len(a.letters) == size and size > 1
                who = lab["whole_team"] if everyone else ", ".join(f"{x} {names.get(x, '')}".strip() for x in a.letters)
                rows.append(AgendaRow(_time(slot), _pick(a.activity, language), _pick(a.details, language), who))
        roles = ((lab["roles_heading"], tuple((letter, _pick(text, language))
                                              for letter, text in domain.roles_for(data["roles"], size))),)
        return Agenda(_pick(data["title"], language), _pick(data.get("summary"), language),
                      tuple((m.letter, m.name, m.is_lead) for m in members), roles, tuple(rows), notes, False)
    sizes = range(domain.MIN_TEAM, domain.MAX_TEAM + 1)
    rows = []
    for slot in data["slots"]:
        for activity in slot["activities"]:
            letters = []
            for size in sizes:
                who = domain.who_for(activity.get("who", domain.ALL), size)
                letters.append(lab["whole_team"] if len(who) == size else ", ".join(who) or "–")
            if all(x == "–" for x in letters):
                continue
            start, end = str(slot.get("start", "")), str(slot.get("end", ""))
            rows.append(AgendaRow(f"{start}–{end}" if start and end else "", _pick(activity["activity"], language),
                                  _pick(activity.get("details"), language), "", tuple(letters)))
    roles = tuple((lab["team_of"].format(n=size), tuple((letter, _pick(text, language))
                                                        for letter, text in domain.roles_for(data["roles"], size)))
                  for size in sizes)
    return Agenda(_pick(data["title"], language), _pick(data.get("summary"), language), (), roles, tuple(rows),
                  notes, True)


def checklist(sheet: ScoreSheetVersion, areas: list[AreaChecklist], documents: Documents, language: str) -> Checklist:
    data = content.document("checklist")
    lab = labels(language)
    generic = all(row.checklist.generic for area in areas for row in area.indicators)
    result_areas = []
    for area in areas:
        rows = []
        for row in area.indicators:
            ind, cl = row.indicator, row.checklist
            lines = tuple((lab[f"kind_{kind}"], tuple(_pick(t, language) for t in cl.of(kind))) for kind in cl.kinds)
            evidence = ", ".join(lab.get(f"source_{e}", e) for e in ind.evidence_list)
            guidance = _pick({"vi": ind.guidance_vi, "en": ind.guidance_en}, language) if cl.generic else ""
            rows.append(ChecklistRow(ind.code, _pick({"vi": ind.text_vi, "en": ind.text_en}, language), ind.critical,
                                     evidence, guidance, lines))
        result_areas.append(ChecklistArea(area.area.code, _pick({"vi": area.area.title_vi, "en": area.area.title_en},
                                                                language), tuple(rows)))
    sheet_title = _pick({"vi": sheet.title_vi, "en": sheet.title_en}, language)
    return Checklist(
        _pick(data["title"], language), _pick(data.get("summary"), language),
        _pick(data["generic_note"] if generic else data["specific_note"], language), generic,
        f"{sheet_title} (v{sheet.version})", _pick(data["pre_visit"]["heading"], language),
        _pick(data["pre_visit"]["note"], language),
        tuple(DocumentGroup(heading, tuple((text, tuple(codes)) for text, codes in docs))
              for heading, docs in documents),
        tuple(result_areas))


def undertaking(language: str, facts: tuple[tuple[str, str], ...] = (),
                signers: tuple[tuple[str, str, str], ...] = ()) -> Undertaking:
    data = content.document("undertaking")
    columns = tuple(_pick(data["columns"][key], language) for key in ("name", "role", "works_at", "signature", "date"))
    return Undertaking(_pick(data["title"], language), _pick(data.get("summary"), language), facts,
                       _pick(data["statement"], language), tuple(_pick(c, language) for c in data["clauses"]), columns,
                       signers, int(data.get("blank_rows", 2)), _pick(data["witness"], language),
                       _pick(data["keeping"], language))


def sources(parts: list[str], language: str) -> tuple[Source, ...]:
    names = [p for p in parts if p in content.PROTOCOLS or p in ("agenda", "checklist")]
    return tuple(Source(s["citation"], _pick(s.get("read"), language), _pick(s.get("used_for"), language))
                 for s in content.sources_of(names))


# -- whole reports ---------------------------------------------------------------------------

def _wanted(part: str, available: tuple[str, ...]) -> list[str]:
    return list(available) if part == "all" else [p for p in available if p == part]


def generic_report(language: str, part: str = "all") -> ToolkitReport:
    """The protocols for any visit: agenda by team size, protocols, a blank undertaking."""
    lab = labels(language)
    wanted = _wanted(part, ("agenda", "interview", "file-review", "concerns", "undertaking"))
    return ToolkitReport(
        language=language, title=lab["protocols"], subtitle=lab["protocols_subtitle"], facts=(),
        warning=lab["warning"],
        agenda=agenda(language) if "agenda" in wanted else None,
        protocols=tuple(protocol(p, language) for p in wanted if p in ("interview", "file-review", "concerns")),
        undertaking=undertaking(language) if "undertaking" in wanted else None,
        sources=sources(wanted, language), labels=lab, **(before_visit(language) if part == "all" else {}),
    )


def team_members(assignment: TeamAssignment) -> list[domain.Member]:
    team = assignment.team
    lead = next((m.user for m in team.members if m.user_id == team.lead_id), None)
    others = sorted((m.user for m in team.members if m.user_id != team.lead_id), key=lambda u: (u.display_name, u.id))
    return domain.letter_members(lead.display_name if lead else None, [u.display_name for u in others])


def _works_at(user) -> str:
    return f"{user.facility.code} – {user.facility.name}" if user.facility else ""


def visit_report(assignment: TeamAssignment, areas: list[AreaChecklist], documents: Documents, language: str,
                 planned_on: str, part: str = "all") -> ToolkitReport:
    """A visit's pack: the team's agenda with names, the round's checklist, the protocols and
    the undertaking with the team's names printed."""
    lab = labels(language)
    team, facility, round_ = assignment.team, assignment.facility, assignment.team.round
    facts = ((lab["facility"], f"{facility.code} – {facility.name}"), (lab["team"], team.name),
             (lab["round"], round_.name), (lab["planned_visit"], planned_on or lab["not_planned"]))
    wanted = _wanted(part, ORDER)
    members = team_members(assignment)
    signers = []
    role_labels = content.document("undertaking")["roles"]
    lead = next((m.user for m in team.members if m.user_id == team.lead_id), None)
    others = sorted((m.user for m in team.members if m.user_id != team.lead_id), key=lambda u: (u.display_name, u.id))
    for user, is_lead in ([(lead, True)] if lead else []) + [(u, False) for u in others]:
        signers.append((user.display_name, _pick(role_labels["lead" if is_lead else "member"], language),
                        _works_at(user)))
    undertaking_facts = facts[:1] + ((lab["visit_date"], planned_on or ""), facts[1])
    return ToolkitReport(
        language=language, title=lab["visit_pack"], subtitle=f"{facility.code} – {facility.name}", facts=facts,
        warning=lab["warning"],
        agenda=agenda(language, members) if "agenda" in wanted else None,
        checklist=checklist(round_.sheet, areas, documents, language) if "checklist" in wanted else None,
        protocols=tuple(protocol(p, language) for p in wanted if p in ("interview", "file-review", "concerns")),
        undertaking=undertaking(language, undertaking_facts, tuple(signers)) if "undertaking" in wanted else None,
        sources=sources(wanted, language), labels=lab, **(before_visit(language) if part == "all" else {}),
    )
