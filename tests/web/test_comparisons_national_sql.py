"""The national table built in SQL equals a brute-force reference built in Python from the ORM
(every facility, its agreed assessment's stored area results, red flags from its scores, the
old sort; agreement from every self/peer pair), for every sort, direction, filter and page,
anonymised or not. Random scores (fixed seed), ties included; both databases."""
from __future__ import annotations

import random

import pytest

from shelterassess.assessments.models import Assessment, AssessmentKind
from shelterassess.comparisons import queries
from shelterassess.comparisons.domain import agreement
from shelterassess.comparisons.national_data import NationalParams, anonymous_codes, national_summary, provinces
from shelterassess.comparisons.report_data import red_flag_keys
from shelterassess.extensions import db
from shelterassess.facilities.services import FacilityInput, save_facility
from tests.comparisons_fixtures import comparison_world, make_team, scored

VALUES = (0, 1, 2, 3)


@pytest.fixture
def big(world):
    """The comparison world plus 11 facilities QC-001.. with random self, peer and (mostly) agreed scores."""
    w = comparison_world(world)
    rng = random.Random(13)
    new = [save_facility(db.session, FacilityInput(f"QC-{n:03d}", f"Facility {n:03d}", "shelter",
                                                   (w.facility_a if n % 3 else w.facility_b).province_id,
                                                   10, True, "", "")) for n in range(1, 12)]
    db.session.flush()
    team = make_team(w.round, "Big team", w.manager_b, [w.staff_b], new)

    def scores():
        return {"A1": rng.choice(VALUES), "A2": rng.choice(VALUES + ("na",)), "B1": rng.choice(VALUES),
                "B2": rng.choice((2, 3))}

    for n, facility in enumerate(new, start=1):
        scored(w, w.manager_a, facility, w.round, AssessmentKind.SELF, scores())
        scored(w, w.manager_b, facility, w.round, AssessmentKind.PEER, scores(), team=team)
        if n % 4:
            scored(w, w.manager_b, facility, w.round, AssessmentKind.AGREED, scores())
    db.session.commit()
    return w


def reference(round_, params: NationalParams, language: str = "en"):
    """(rows as tuples, in order) the way the table was built before it moved to SQL."""
    every = queries.round_facilities(db.session, round_.id)
    agreed = {a.facility_id: a for a in db.session.scalars(db.select(Assessment).where(
        Assessment.round_id == round_.id, Assessment.kind == AssessmentKind.AGREED.value,
        Assessment.status == "submitted"))}
    groups = provinces(every, list(agreed), params.anonymised, language)
    params = groups.valid(params)
    codes = anonymous_codes(round_.id, [f.id for f in every]) if params.anonymised else {}
    maps = queries.score_maps(db.session, [a.id for a in agreed.values()])
    code_of = {ind.key: ind.code for ind in round_.sheet.indicators}
    areas = [a.id for a in round_.sheet.areas]
    rows = []
    for f in every:
        if not groups.matches(f.province_id, params):
            continue
        a = agreed.get(f.id)
        results = {r.area_id: r.percentage for r in a.area_results} if a else {}
        flags = tuple(code_of[k] for k in red_flag_keys(round_.sheet, maps[a.id])) if a else ()
        rows.append((codes.get(f.id, f.code), "" if codes else f.name, groups.label(f.province_id),
                     tuple(results.get(i) for i in areas), a.overall_percentage if a else None, a is not None, flags))
    sort = params.sort

    def value(r):
        if sort == "facility":
            return r[0]
        if sort == "province":
            return r[2]
        if sort == "overall":
            return r[4]
        if sort == "red-flags":
            return len(r[6]) if r[5] else None
        return r[3][[f"area-{a.code}" for a in round_.sheet.areas].index(sort)]

    by_code = sorted(rows, key=lambda r: r[0])
    valued = sorted([r for r in by_code if value(r) is not None], key=value, reverse=params.descending)
    return valued + [r for r in by_code if value(r) is None], params, every


def as_tuples(summary):
    return [(r.code, r.name, r.province, r.percentages, r.overall, r.has_result, r.red_flags) for r in summary.rows]


SORTS = ("facility", "overall", "red-flags", "area-A", "area-B")  # province: the database's collation decides


@pytest.mark.parametrize("anonymised", (False, True))
def test_every_sort_page_and_filter_equals_the_reference(app, big, anonymised):
    with app.test_request_context("/"):
        province_ids = [None, big.facility_a.province_id, big.facility_b.province_id]
        for sort in SORTS:
            for descending in (False, True):
                for province_id in province_ids:
                    params = NationalParams(province_id=province_id, sort=sort, descending=descending,
                                            anonymised=anonymised)
                    expected, _params, _every = reference(big.round, params)
                    whole = national_summary(db.session, big.round, params, "en")
                    assert as_tuples(whole) == expected, (sort, descending, province_id)
                    pages = [national_summary(db.session, big.round, params, "en", page_number=n, page_size=4)
                             for n in (1, 2, 3, 4)]
                    assert [row for page in pages for row in as_tuples(page)][:len(expected)] == expected
                    assert pages[0].page.total == len(expected)
        assert any(r[6] for r in reference(big.round, NationalParams())[0])  # some red flags to sort on


@pytest.mark.parametrize("anonymised", (False, True))
def test_means_and_agreement_equal_the_reference(app, big, anonymised):
    with app.test_request_context("/"):
        for province_id in (None, big.facility_a.province_id):
            params = NationalParams(province_id=province_id, anonymised=anonymised)
            expected, params, every = reference(big.round, params)
            summary = national_summary(db.session, big.round, params, "en", kappa_min_pairs=3, page_number=1,
                                       page_size=2)
            for i in range(len(summary.areas)):
                values = [r[3][i] for r in expected if r[3][i] is not None]
                assert summary.mean_counts[i] == len(values)
                assert summary.means[i] == pytest.approx(sum(values) / len(values), abs=1e-9)
            ids = [f.id for f in every if province_id is None or f.province_id == province_id]
            pairs = reference_pairs(db.session, big.round.id, ids)
            for line in summary.indicators:
                assert line.agreement == agreement(pairs.get(line.key, []), min_kappa_pairs=3), line.code
            assert summary.overall_agreement == agreement(p for ps in pairs.values() for p in ps)
            assert summary.overall_agreement.n > 20


def test_the_workshop_gaps_equal_a_pair_by_pair_count(app, big):
    """The workshop's most common gaps come from the stored (self, peer) value counts; counted
    here again pair by pair, with the facility comparison pages' gap rule."""
    from shelterassess.comparisons.domain import indicator_gaps
    from shelterassess.workshop.sections import common_gaps

    with app.test_request_context("/"):
        ids = [f.id for f in queries.round_facilities(db.session, big.round.id)]
        pairs = reference_pairs(db.session, big.round.id, ids)
        expected = {}
        for key, values in pairs.items():
            gaps = [indicator_gaps({key: s}, {key: p}, 1)[0] for s, p in values]
            flagged = [g for g in gaps if g.flagged]
            if flagged:
                expected[key] = (sum(g.difference is not None for g in gaps), len(flagged),
                                 sum(g.difference > 0 for g in flagged), sum(g.difference < 0 for g in flagged))
        lines = common_gaps(db.session, big.round, "en", threshold=1)
        assert {line.key: (line.pairs, line.flagged, line.self_higher, line.self_lower) for line in lines} == expected
        assert len(expected) >= 3 and sum(v[1] for v in expected.values()) > 20
        assert [line.flagged for line in lines] == sorted((line.flagged for line in lines), reverse=True)


def reference_pairs(session, round_id: int, facility_ids: list[int]) -> dict[str, list]:
    """The reference the SQL counts are checked against: indicator key -> (self, peer) pairs,
    built pair by pair in Python: one per submitted peer assessment (of a team not withdrawn) of
    a facility with a submitted self-assessment in the round, on each indicator either scored."""
    from collections import defaultdict

    from sqlalchemy import select

    from shelterassess.assessments.models import AssessmentStatus, Score
    from shelterassess.peer.models import TeamAssignment
    from shelterassess.scoresheets.models import Indicator

    rows = session.execute(
        select(Assessment.facility_id, Assessment.kind, Assessment.id, Indicator.key, Score.value)
        .join(Score, Score.assessment_id == Assessment.id).join(Indicator, Score.indicator_id == Indicator.id)
        .outerjoin(TeamAssignment, (TeamAssignment.team_id == Assessment.team_id)
                   & (TeamAssignment.facility_id == Assessment.facility_id))
        .where(Assessment.round_id == round_id, Assessment.status == AssessmentStatus.SUBMITTED.value,
               Assessment.facility_id.in_(facility_ids),
               Assessment.kind.in_([AssessmentKind.SELF.value, AssessmentKind.PEER.value]),
               TeamAssignment.withdrawn_at.is_(None)))
    own, peers = defaultdict(dict), defaultdict(dict)
    for facility_id, kind, assessment_id, key, value in rows:
        if kind == AssessmentKind.SELF.value:
            own[facility_id][key] = value
        else:
            peers[(facility_id, assessment_id)][key] = value
    pairs = defaultdict(list)
    for (facility_id, _aid), peer in peers.items():
        if facility_id in own:
            for key in sorted(set(own[facility_id]) | set(peer)):
                pairs[key].append((own[facility_id].get(key), peer.get(key)))
    return dict(pairs)
