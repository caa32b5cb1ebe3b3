"""Hall-level check kinds: judged over every photo of the audit rather than one photo."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from auditor.checks.objects import box_evidence
from auditor.checks.registry import Analyzer, Outcome, Params, Scope, check, failed, not_assessable, passed
from auditor.types import Evidence, PhotoFacts


class FacilityPresentParams(Params):
    objects: list[str] = Field(min_length=1, description="any of these counts as the facility")
    min_count: int = Field(1, ge=1, description="least number seen on one photo")


@check("facility_present", params=FacilityPresentParams, analyzers={Analyzer.OBJECTS}, scope=Scope.HALL)
def facility_present(p: FacilityPresentParams, photos: Sequence[PhotoFacts]) -> Outcome:
    """Some photo of the rule's areas shows the facility (at least min_count of it).

    The count is per photo, never summed across photos: two photos of one ticket machine are one machine.
    """
    if not photos:
        return not_assessable("detail.no_photo_of_areas")
    looked = [f for f in photos if f.looked_for(*p.objects)]
    best: list[Evidence] = []
    for facts in photos:
        found = facts.objects_named(*p.objects)
        if len(found) >= p.min_count:
            return passed("detail.facility_found", box_evidence(found, facts), objects=", ".join(p.objects),
                          count=len(found))
        if len(found) > len(best):
            best = box_evidence(found, facts)
    if not looked:
        return not_assessable("detail.not_detectable", objects=", ".join(p.objects))
    checked = Evidence(kind="value", label="photos_checked", value=len(looked))
    return failed("detail.facility_missing", [*best, checked], objects=", ".join(p.objects), photos=len(looked),
                  min_count=p.min_count)
