"""Check kinds about detected objects: present, absent, counted, and "only these on the counter"."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from auditor.checks.registry import (
    Analyzer,
    Outcome,
    Params,
    check,
    failed,
    not_assessable,
    passed,
)
from auditor.checks.zones import ZONE_SURFACE, Zone, objects_in_zone, zone_surfaces
from auditor.types import Evidence, ObjectFact, PhotoFacts


def box_evidence(objects: tuple[ObjectFact, ...] | list[ObjectFact], facts: PhotoFacts) -> list[Evidence]:
    return [Evidence(kind="box", label=o.name, photo=facts.photo, box=o.box, value=round(o.confidence, 3))
            for o in objects]


def _names(objects: list[str] | tuple[str, ...]) -> str:
    return ", ".join(objects)


class ObjectPresentParams(Params):
    objects: list[str] = Field(min_length=1)
    min_count: int = Field(1, ge=1)
    match: Literal["any", "all"] = "any"
    zone: Zone = Zone.ANYWHERE


@check("object_present", params=ObjectPresentParams, analyzers={Analyzer.OBJECTS})
def object_present(p: ObjectPresentParams, facts: PhotoFacts) -> Outcome:
    """The photo shows the listed object(s) (any one, or each), at least min_count times."""
    surfaces = zone_surfaces(facts, p.zone)
    if surfaces is None:
        return not_assessable("detail.zone_not_found", zone=p.zone.value)
    located = objects_in_zone(facts, p.zone, surfaces)
    counts = {name: sum(1 for o in located if o.name == name) for name in p.objects}
    found = [o for o in located if o.name in counts]
    enough = [n for n, c in counts.items() if c >= p.min_count]
    # Seeing one of an "any" list is enough even when the detector cannot see the others.
    if enough and (p.match == "any" or len(enough) == len(p.objects)):
        return passed("detail.objects_found", box_evidence(found, facts), objects=_names(enough))
    unseen = [n for n in p.objects if not facts.looked_for(n)]
    if unseen:
        return not_assessable("detail.not_detectable", objects=_names(unseen))
    missing = [n for n in p.objects if n not in enough]
    evidence = [*box_evidence(surfaces, facts), *box_evidence(found, facts),
                Evidence(kind="value", label=f"count:{_names(p.objects)}", photo=facts.photo, value=len(found))]
    return failed("detail.objects_missing", evidence, objects=_names(missing), min_count=p.min_count)


class ObjectAbsentParams(Params):
    objects: list[str] = Field(min_length=1)
    zone: Zone = Zone.ANYWHERE


@check("object_absent", params=ObjectAbsentParams, analyzers={Analyzer.OBJECTS})
def object_absent(p: ObjectAbsentParams, facts: PhotoFacts) -> Outcome:
    """None of the listed (forbidden) objects is in the zone."""
    surfaces = zone_surfaces(facts, p.zone)
    if surfaces is None:
        return not_assessable("detail.zone_not_found", zone=p.zone.value)
    # A forbidden object that was seen fails the rule even when other listed objects cannot be detected.
    offending = [o for o in objects_in_zone(facts, p.zone, surfaces) if o.name in p.objects]
    if offending:
        return failed("detail.forbidden_found", box_evidence(offending, facts),
                      objects=_names(sorted({o.name for o in offending})))
    unseen = [n for n in p.objects if not facts.looked_for(n)]
    if unseen:
        return not_assessable("detail.not_detectable", objects=_names(unseen))
    # The evidence of an absence: the surface that was looked at, and the count found there.
    count = Evidence(kind="value", label=f"count:{_names(p.objects)}", photo=facts.photo, value=0)
    return passed("detail.none_of", [*box_evidence(surfaces, facts), count], objects=_names(p.objects))


class ObjectCountParams(Params):
    object: str
    min: int | None = Field(None, ge=0)
    max: int | None = Field(None, ge=0)
    zone: Zone = Zone.ANYWHERE

    @model_validator(mode="after")
    def _bounds(self) -> ObjectCountParams:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is larger than max ({self.max})")
        return self


@check("object_count", params=ObjectCountParams, analyzers={Analyzer.OBJECTS})
def object_count(p: ObjectCountParams, facts: PhotoFacts) -> Outcome:
    """The number of the object in the zone lies between min and max."""
    if not facts.looked_for(p.object):
        return not_assessable("detail.not_detectable", objects=p.object)
    surfaces = zone_surfaces(facts, p.zone)
    if surfaces is None:
        return not_assessable("detail.zone_not_found", zone=p.zone.value)
    found = [o for o in objects_in_zone(facts, p.zone, surfaces) if o.name == p.object]
    n = len(found)
    evidence = [*box_evidence(found, facts), Evidence(kind="value", label=f"count:{p.object}", photo=facts.photo,
                                                      value=n)]
    bounds = dict(object=p.object, count=n, min="-" if p.min is None else p.min,
                  max="-" if p.max is None else p.max)
    if (p.min is not None and n < p.min) or (p.max is not None and n > p.max):
        return failed("detail.count_out_of_range", evidence, **bounds)
    return passed("detail.count_in_range", evidence, **bounds)


class AllowedObjectsOnlyParams(Params):
    zone: Zone
    allowed: list[str] = Field(min_length=1)
    # Things that are naturally in the zone's box without being "placed" there.
    ignore: list[str] = Field(default_factory=lambda: ["person", "work_badge", "counter", "desk"])

    @model_validator(mode="after")
    def _real_zone(self) -> AllowedObjectsOnlyParams:
        if self.zone is Zone.ANYWHERE:
            raise ValueError("allowed_objects_only needs a surface zone (counter_top or desk_top)")
        return self


@check("allowed_objects_only", params=AllowedObjectsOnlyParams, analyzers={Analyzer.OBJECTS})
def allowed_objects_only(p: AllowedObjectsOnlyParams, facts: PhotoFacts) -> Outcome:
    """Every object detected on the surface is on the allowed list."""
    surfaces = zone_surfaces(facts, p.zone)
    if surfaces is None:
        return not_assessable("detail.zone_not_found", zone=p.zone.value)
    # Passing needs a detector that could have seen something not allowed; otherwise the pass is silent.
    watched = sorted(facts.detectable - set(p.allowed) - set(p.ignore) - set(ZONE_SURFACE.values()) - {"person"})
    if not watched:
        return not_assessable("detail.no_forbidden_detectable")
    placed = [o for o in objects_in_zone(facts, p.zone, surfaces) if o.name not in p.ignore]
    extra = [o for o in placed if o.name not in p.allowed]
    if extra:
        return failed("detail.not_allowed_found", box_evidence(extra, facts),
                      objects=_names(sorted({o.name for o in extra})))
    return passed("detail.only_allowed", [*box_evidence(surfaces, facts), *box_evidence(placed, facts)],
                  objects=_names(watched))
