"""Zones inside a photo: where an object counts as lying "on the counter" or "on the desk".

An object lies on a surface when its anchor, the bottom-centre of its box (where it touches the surface),
falls in the top band of the surface's box: the top surface seen from an inspector's standing height. Things
under the counter or in front of it (a bin, a chair, a bag on the floor) have their anchor near the bottom
of the box and do not count. This is supervision's anchor rule for polygon zones, applied to the boxes of
the detected counter or desk.
"""

from __future__ import annotations

from enum import StrEnum

from auditor.types import Box, ObjectFact, PhotoFacts


class Zone(StrEnum):
    ANYWHERE = "anywhere"
    COUNTER_TOP = "counter_top"
    DESK_TOP = "desk_top"


# The detected object whose box defines each zone.
ZONE_SURFACE: dict[Zone, str] = {Zone.COUNTER_TOP: "counter", Zone.DESK_TOP: "desk"}

# Share of the surface box's height added above it: things standing on the top surface have their foot
# at its upper edge, which detectors place a few pixels either side.
_MARGIN = 0.15
# Share of the surface box's height, from its top, that the top surface takes in a photo.
_TOP_BAND = 0.45


def _anchor_inside(obj: ObjectFact, surface: Box) -> bool:
    x1, y1, x2, y2 = surface
    height = y2 - y1
    ax = (obj.box[0] + obj.box[2]) / 2
    ay = obj.box[3]
    return x1 <= ax <= x2 and y1 - _MARGIN * height <= ay <= y1 + _TOP_BAND * height


def zone_surfaces(facts: PhotoFacts, zone: Zone) -> tuple[ObjectFact, ...] | None:
    """The surface objects that make the zone, () for ANYWHERE, None when the zone cannot be located."""
    if zone is Zone.ANYWHERE:
        return ()
    surface_name = ZONE_SURFACE[zone]
    if not facts.looked_for(surface_name):
        return None
    surfaces = facts.objects_named(surface_name)
    return surfaces or None


def objects_in_zone(facts: PhotoFacts, zone: Zone, surfaces: tuple[ObjectFact, ...]) -> tuple[ObjectFact, ...]:
    if zone is Zone.ANYWHERE:
        return facts.objects
    surface_name = ZONE_SURFACE[zone]
    return tuple(
        o
        for o in facts.objects
        if o.name != surface_name and any(_anchor_inside(o, s.box) for s in surfaces)
    )
