"""What a paper sheet is typed into: an assessment (self or peer) or a follow-up visit.

Both are recorded in the same tables, keyed by an assessment: a follow-up visit's key is its own
follow-up assessment (``FollowUpVisit.assessment_id``, created with the visit and kept when it is
reopened), so a visit has exactly one paper sheet as an assessment does, with the same unique
constraints and no column of its own. What differs for a visit is which indicators the sheet
holds (only those the plan's live actions touch, as on the visit form), its check code (it names
the visit as well), and where the resolved answers go (``followups.services.save_results``, see
:mod:`shelterassess.paper.services`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from shelterassess.assessments.models import Assessment
from shelterassess.followups import queries as followup_queries
from shelterassess.followups.models import FollowUpVisit
from shelterassess.paper import domain
from shelterassess.scoresheets.models import Area, Indicator


@dataclass(frozen=True)
class PaperSheet:
    """The paper sheet of ``assessment``, or of ``visit`` (then ``assessment`` is the visit's own)."""

    assessment: Assessment
    visit: FollowUpVisit | None = None

    @classmethod
    def of(cls, target: Union["PaperSheet", Assessment]) -> "PaperSheet":
        """An assessment's paper sheet (a sheet is returned as it is)."""
        return target if isinstance(target, PaperSheet) else cls(target)

    @classmethod
    def of_visit(cls, visit: FollowUpVisit) -> "PaperSheet":
        return cls(visit.assessment, visit)  # type: ignore[arg-type]  # the views 404 a visit without one

    @property
    def expected_code(self) -> str:
        """The check code printed on this sheet's blank PDF."""
        a = self.assessment
        return domain.check_code(a.facility_id, a.round_id, a.round.sheet_id,
                                 self.visit.id if self.visit is not None else None)

    def indicators(self) -> list[Indicator]:
        """The indicators typed from this sheet, in score-sheet order: the whole sheet for an
        assessment, the indicators linked to the plan's actions not dropped for a visit."""
        if self.visit is None:
            return [ind for area in self.assessment.round.sheet.areas for ind in area.indicators]
        return followup_queries.linked_indicators(followup_queries.live_actions(self.visit.plan))

    def groups(self) -> list[tuple[Area, list[Indicator]]]:
        """:meth:`indicators` by area, in sheet order; areas with none of them are left out."""
        wanted = {ind.id for ind in self.indicators()}
        groups = [(area, [i for i in area.indicators if i.id in wanted]) for area in self.assessment.round.sheet.areas]
        return [(area, inds) for area, inds in groups if inds]
