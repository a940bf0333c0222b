"""The national workshop pack of a round as plain, already localized dataclasses, shared by the
pack's page, its PDF and its workbook.

Every figure comes from the builders of the pages it summarises, so the pack says what the
pages say:

* results, red flags and rater agreement: :func:`comparisons.national_data.national_summary`
  (the national comparison page), whole country, with its anonymous codes and province merging;
* training needs: :func:`training_needs.queries.need_counts` and
  :func:`training_needs.domain.needs_table` (the training needs page), for the round's plans;
* plan compliance: :func:`followups.national_data.compliance_table` (the compliance page);
* the allocation: ``funding.queries.approved_allocation`` (the allocation page);
* lessons: the case library's indicator links (:func:`cases.queries.links_for`).

Only participation and the national self and peer means by area are read here
(:mod:`.queries`), from the stored area results, as the national agreed means are.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from shelterassess.comparisons import queries as comparison_queries
from shelterassess.comparisons.anonymity import MIN_FACILITIES_PER_PROVINCE
from shelterassess.comparisons.national_data import (
    NationalParams,
    NationalSummary,
    Provinces,
    national_summary,
    provinces,
)
from shelterassess.comparisons.report_data import GAP_THRESHOLD
from shelterassess.facilities.models import Facility
from shelterassess.i18n import localized
from shelterassess.rounds.models import Round
from shelterassess.workshop import queries, sections
from shelterassess.workshop.sections import (
    AllocationSection,
    ComplianceSection,
    GapLine,
    LessonLine,
    RedFlagLine,
    TrainingSection,
)

#: How many of the most common gaps and red flags are listed (and looked up in the case library).
MOST_COMMON = 10


@dataclass(frozen=True)
class ParticipationRow:
    province: str
    facilities: int  # listed in the round (active, or assessed in it): the rows of the national page
    taking_part: int  # with at least one submitted self, peer or agreed assessment
    self_submitted: int
    peer_submitted: int  # facilities with at least one submitted peer assessment
    agreed: int  # finalised agreed result
    released: int  # of which released to the facility


@dataclass(frozen=True)
class AreaMeans:
    """National means of one area (or of the overall score, ``code`` empty), in %, unrounded."""

    code: str
    title: str
    self_mean: float | None
    self_n: int
    peer_mean: float | None
    peer_n: int
    agreed_mean: float | None
    agreed_n: int

    @property
    def label(self) -> str:
        return f"{self.code}. {self.title}" if self.code else self.title


@dataclass(frozen=True)
class WorkshopPack:
    language: str
    round_id: int
    round_name: str
    anonymised: bool
    generated_on: dt.date
    participation: tuple[ParticipationRow, ...]
    participation_total: ParticipationRow
    areas: tuple[AreaMeans, ...]
    overall: AreaMeans
    #: the national comparison of the whole country (rows, agreement, low agreement, red flags)
    national: NationalSummary
    gaps: tuple[GapLine, ...]
    red_flags: tuple[RedFlagLine, ...]
    training: TrainingSection
    compliance: ComplianceSection
    allocation: AllocationSection
    lessons: tuple[LessonLine, ...]
    gap_threshold: int = GAP_THRESHOLD
    most_common: int = MOST_COMMON
    min_facilities_per_province: int = MIN_FACILITIES_PER_PROVINCE


def workshop_pack(session: Session, round_: Round, anonymised: bool, language: str, kappa_min_pairs: int,
                  today: dt.date) -> WorkshopPack:
    """The pack of ``round_`` in ``language`` (call under ``force_locale(language)``)."""
    national = national_summary(session, round_, NationalParams(anonymised=anonymised), language,
                                kappa_min_pairs=kappa_min_pairs)
    every = comparison_queries.round_facilities(session, round_.id)
    groups = provinces(every, [r.facility_id for r in national.rows if r.has_result], anonymised, language)
    codes = {r.facility_id: r.code for r in national.rows}  # anonymous codes when anonymised
    rows, total = participation(session, round_, every, groups)
    areas, overall = area_means(session, round_, national)
    gaps = sections.common_gaps(session, round_, language, GAP_THRESHOLD)[:MOST_COMMON]
    flags = sections.common_red_flags(round_, national, language)[:MOST_COMMON]
    return WorkshopPack(
        language=language, round_id=round_.id, round_name=round_.name, anonymised=anonymised, generated_on=today,
        participation=rows, participation_total=total, areas=areas, overall=overall, national=national,
        gaps=gaps, red_flags=flags,
        training=sections.training_needs(session, round_.id, groups, language),
        compliance=sections.compliance(session, round_.id, every, groups, codes, anonymised, language),
        allocation=sections.allocation(session, round_.id, groups, codes, anonymised, language),
        lessons=sections.lessons(gaps, flags, language),
    )


# -- participation ------------------------------------------------------------------------

def participation(session: Session, round_: Round, every: list[Facility],
                  groups: Provinces) -> tuple[tuple[ParticipationRow, ...], ParticipationRow]:
    """Per province (small ones merged when anonymised), in name order ("Other provinces" last), and the total."""
    submitted = queries.submitted_by_facility(session, round_.id)
    by_label: dict[str, list[Facility]] = {}
    for facility in every:
        by_label.setdefault(groups.label(facility.province_id), []).append(facility)

    def row(label: str, facilities: list[Facility]) -> ParticipationRow:
        items = [submitted.get(f.id, queries.Submitted()) for f in facilities]
        return ParticipationRow(label, len(items), sum(i.taking_part for i in items),
                                sum(i.self_assessment for i in items), sum(i.peer_assessments > 0 for i in items),
                                sum(i.agreed for i in items), sum(i.released for i in items))

    order = sorted(by_label, key=lambda label: (label == groups.other_label, label))
    return tuple(row(label, by_label[label]) for label in order), row(_("All provinces"), every)


# -- national means by area ---------------------------------------------------------------

def _mean(values: list[float | None]) -> tuple[float | None, int]:
    present = [v for v in values if v is not None]
    return (sum(present) / len(present) if present else None), len(present)


def _peer_value(per_assessment: list[float | None]) -> float | None:
    """One facility's peer figure: the mean of its teams' (a facility counts once, like the agreed mean)."""
    return _mean(per_assessment)[0]


def area_means(session: Session, round_: Round, national: NationalSummary) -> tuple[tuple[AreaMeans, ...], AreaMeans]:
    """Self, peer and agreed national means per area and overall. The agreed means are the national
    page's (:attr:`NationalSummary.means`); self and peer are computed the same way from their stored
    area results, over the facilities with a submitted self-assessment or peer assessment."""
    raters = queries.rater_area_results(session, round_.id)
    areas = round_.sheet.areas
    lines = []
    for i, area in enumerate(areas):
        own, own_n = _mean([r.self_areas.get(area.id) for r in raters.values() if r.self_areas])
        peer, peer_n = _mean([_peer_value([p.get(area.id) for p in r.peer_areas.values()])
                              for r in raters.values() if r.peer_areas])
        lines.append(AreaMeans(area.code, localized(area, "title", national.language), own, own_n, peer, peer_n,
                               national.means[i], national.mean_counts[i]))
    own, own_n = _mean([r.self_overall for r in raters.values() if r.self_areas])
    peer, peer_n = _mean([_peer_value(list(r.peer_overall.values())) for r in raters.values() if r.peer_areas])
    agreed, agreed_n = _mean([r.overall for r in national.rows if r.has_result])
    return tuple(lines), AreaMeans("", _("Overall score"), own, own_n, peer, peer_n, agreed, agreed_n)

