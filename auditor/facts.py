"""Turn the detectors' Detections for one photo into the typed facts the checks read.

This is where detections get their meaning in a hall: which person is staff (behind a counter), who is a
volunteer (red vest), whether a badge sits on a chest, what colour a top is.
"""

from __future__ import annotations

import numpy as np
import supervision as sv

from auditor.detectors.colour import photo_correction, torso_region, upper_body_colour
from auditor.detectors.floor_scale import distance_to_counter, horizon_row
from auditor.types import Area, Box, LineFact, ObjectFact, PersonFact, PhotoFacts, Role, TextFact

# The one-metre line's tape is 10 cm wide (《手册》4.2): the known size that scales distances on the floor.
ONE_METRE_LINE_WIDTH_M = 0.10

# Where people on duty work behind something: the surfaces whose box hides their lower body.
DUTY_SURFACES: dict[Area, tuple[str, ...]] = {
    Area.WINDOW_COUNTER: ("counter",),
    Area.BACK_OFFICE: ("desk", "counter"),
    Area.GUIDANCE_DESK: ("counter", "desk"),
}


def _box(row: np.ndarray) -> Box:
    x1, y1, x2, y2 = (round(float(v), 1) for v in row)
    return (x1, y1, x2, y2)


def line_orientation(p1: tuple[float, float], p2: tuple[float, float]) -> str:
    """horizontal, vertical or diagonal as the line runs in the photo (within 20 degrees of an axis)."""
    angle = abs(np.degrees(np.arctan2(p2[1] - p1[1], p2[0] - p1[0]))) % 180
    angle = min(angle, 180 - angle)
    return "horizontal" if angle <= 20 else "vertical" if angle >= 70 else "diagonal"


def _chest(person: Box) -> Box:
    """Where a work badge or a volunteer vest is worn: the box's full width, over the torso as
    ``torso_region`` finds it from the box's proportions (for a person seen only from the chest up behind a
    counter the chest is the lower part of the box, not its middle), and never less than 0.15-0.6 of the
    height of a standing person's box."""
    x1, y1, x2, y2 = person
    h = y2 - y1
    _, top, _, bottom = torso_region(person)
    return (x1, min(top - 0.15 * (bottom - top), y1 + 0.15 * h), x2, max(bottom, y1 + 0.6 * h))


def _centre_in(box: Box, region: Box) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return region[0] <= cx <= region[2] and region[1] <= cy <= region[3]


def _overlap_x(a: Box, b: Box) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) / max(a[2] - a[0], 1e-6)


# The bottom share of a person's box where their feet stand on the floor (and on a line there).
FEET_SHARE = 0.15
# Things that hang on a wall or stand on a counter: a coloured band inside their box (a sign's frame, a
# screen's edge) is part of them, never tape on the floor.
OFF_THE_FLOOR = frozenset({
    "window_plate", "hanging_sign", "guide_map", "fire_exit_sign", "accessible_sign", "monitor", "call_screen",
    "printer", "first_aid_kit", "evaluation_device", "name_plate",
})
# Things standing on the floor: like a person, above their foot they hide the floor behind them, while the
# position marks around them lie at their foot.
STANDING_ON_THE_FLOOR = frozenset({
    "ticket_machine", "self_service_terminal", "water_dispenser", "bin", "plant", "umbrella_stand",
    "charging_station", "fire_extinguisher", "seat",
})
# How far above a desk's or counter's top edge the box of someone seated behind it may end: a monitor or
# a partition on the desk hides the last part of their body above the top, as a share of the box's height.
HIDDEN_ABOVE_TOP = 0.25


def _ends_at(person: Box, surface: Box) -> bool:
    """Whether a person's box ends at a surface (hidden by it or by what stands on it), rather than their
    feet reaching below it (standing in front of it)."""
    height = person[3] - person[1]
    return surface[1] - HIDDEN_ABOVE_TOP * height <= person[3] <= surface[3] + 2


def _role(person: Box, top_colour: str | None, area: Area, objects: list[ObjectFact]) -> Role:
    """Who a person is, from what the photo shows; UNKNOWN rather than a guess.

    A detected volunteer vest on the chest makes a volunteer anywhere. In areas where people on duty work
    behind a counter or desk, a person whose box ends inside that surface's box (the surface hides their
    lower body) is on duty; one whose feet reach below it stands in front and is a visitor. On duty at the
    guidance desk, red means a volunteer's vest, anything else a staff member. Elsewhere roles stay unknown.
    """
    if any(o.name == "volunteer_vest" and _centre_in(o.box, _chest(person)) for o in objects):
        return Role.VOLUNTEER
    surface_names = DUTY_SURFACES.get(area)
    if surface_names is None:
        return Role.UNKNOWN
    surfaces = [o for o in objects if o.name in surface_names]
    if not surfaces:
        return Role.UNKNOWN
    on_duty = any(_overlap_x(person, s.box) > 0.3 and _ends_at(person, s.box) for s in surfaces)
    if not on_duty:
        return Role.VISITOR
    if area is Area.GUIDANCE_DESK and top_colour == "red":
        return Role.VOLUNTEER
    return Role.STAFF


def build_facts(
    photo: str,
    area: Area | None,
    image: np.ndarray,
    objects: sv.Detections | None,
    detectable: frozenset[str],
    texts: sv.Detections | None,
    lines: sv.Detections | None,
) -> PhotoFacts:
    """``None`` for a detector that did not run on this photo; its facts then count as unknown."""
    height, width = image.shape[:2]
    object_facts: list[ObjectFact] = []
    person_boxes: list[tuple[Box, float]] = []
    if objects is not None:
        for row, name, conf in zip(objects.xyxy, objects.data["class_name"], objects.confidence, strict=True):
            # Persons stay among the objects too, so a rule may count or forbid them like anything else.
            object_facts.append(ObjectFact(name=str(name), box=_box(row), confidence=float(conf), source="detector"))
            if name == "person":
                person_boxes.append((_box(row), float(conf)))

    analyzed: set[str] = {"objects"} if objects is not None else set()
    persons: list[PersonFact] = []
    if objects is not None and "person" in detectable:
        analyzed.add("persons")
        badge_known = "work_badge" in detectable
        badges = [o for o in object_facts if o.name == "work_badge"]
        correction = photo_correction(image) if person_boxes else None  # the photo's cast, once for all
        for box, conf in person_boxes:
            colour = upper_body_colour(image, box, correction)
            persons.append(PersonFact(
                box=box, confidence=conf, top_colour=colour,
                role=_role(box, colour, area, object_facts),
                badge=any(_centre_in(b.box, _chest(box)) for b in badges) if badge_known else None,
            ))

    text_facts: list[TextFact] = []
    if texts is not None:
        analyzed.add("texts")
        levels = texts.data.get("level", ["line"] * len(texts))
        text_facts = [TextFact(text=str(t), box=_box(row), confidence=float(c), level=str(level))
                      for row, t, c, level in zip(texts.xyxy, texts.data["text"], texts.confidence, levels,
                                                  strict=True)]

    line_facts: list[LineFact] = []
    if lines is not None:
        analyzed.add("floor_lines")
        # The floor lies below the foot of a counter or desk: a coloured band on its front is no floor line.
        fronts = [o.box for o in object_facts if o.name in ("counter", "desk")]
        # Nor is a band on someone's clothes, a machine's side or a sign's frame: people and things standing
        # on the floor hide it above their foot, and what hangs on a wall is no floor at all.
        standing = [b for b, _ in person_boxes] + [o.box for o in object_facts if o.name in STANDING_ON_THE_FLOOR]
        bodies = [(x1, y1, x2, y2 - FEET_SHARE * (y2 - y1)) for x1, y1, x2, y2 in standing]
        bodies += [o.box for o in object_facts if o.name in OFF_THE_FLOOR]
        styles = lines.data.get("style", ["solid"] * len(lines))
        thickness = lines.data.get("thickness_px", [None] * len(lines))
        for pts, colours, length, style, thick in zip(lines.data["points"], lines.data["colours"],
                                                      lines.data["length_px"], styles, thickness, strict=True):
            p1, p2 = (tuple(round(float(v), 1) for v in p) for p in pts)
            middle = ((p1[0] + p2[0]) / 2, (p1[1] + p2[1]) / 2)
            if any(box[0] <= middle[0] <= box[2] and box[1] <= middle[1] < box[3] - 0.03 * (box[3] - box[1])
                   for box in fronts):
                continue
            if any(_centre_in((*middle, *middle), body) for body in bodies):
                continue
            line_facts.append(LineFact(
                points=(p1, p2), colours=tuple(colours), length_px=round(float(length), 1),
                orientation=line_orientation(p1, p2), style=str(style),
                thickness_px=None if thick is None else round(float(thick), 2)))
        counters = [o.box for o in object_facts if o.name == "counter"]
        if line_facts and counters:
            # Metres from the counter's edge, where the photo gives a scale (floor_scale); None otherwise.
            # A counter top stands below an inspector's eyes, so the horizon lies above the highest one.
            horizon = horizon_row(image, above=min(box[1] for box in counters))
            distances = [distance_to_counter(image, line, counters, horizon, ONE_METRE_LINE_WIDTH_M)
                         for line in line_facts]
            line_facts = [line if d is None else line.model_copy(update={"distance_m": round(d, 2)})
                          for line, d in zip(line_facts, distances, strict=True)]

    return PhotoFacts(
        photo=photo, area=area, width=width, height=height,
        objects=tuple(object_facts), persons=tuple(persons), texts=tuple(text_facts),
        floor_lines=tuple(line_facts),
        detectable=detectable if objects is not None else frozenset(),
        analyzed=frozenset(analyzed),
    )
