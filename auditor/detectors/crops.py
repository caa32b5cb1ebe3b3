"""Where small things sit, for the detector's second look: the chests of people and the tops of counters.

A work badge is about 9 px wide in a 960 x 720 photo, a name plate 14 px, an evaluation device 27 px: a
whole-photo pass at 512 px shrinks them to 5-14 px, below what a small detector can see. They sit in known
places, though: a badge on a chest, a plate and a device on a counter top. So the detector looks again at
square crops of those places, magnified, and only the small classes are taken from that second look.

The same ``crop_regions`` decides the crops at training time (from the true boxes of a generated photo)
and at audit time (from the first pass's boxes), so the model learns on the very views it later gets.
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.types import Box

# The classes the crop pass reports; everything else comes from the whole-photo pass alone.
CROP_CLASSES: frozenset[str] = frozenset({
    "work_badge", "name_plate", "evaluation_device", "sticker", "cup", "phone", "food", "handwritten_note",
    "keyboard", "paper_pile", "hat",
})
# Things whose chest or top the crop pass looks at.
PERSON_CLASS = "person"
SURFACE_CLASSES: frozenset[str] = frozenset({"counter", "desk"})

MAX_CROPS = 8          # per photo: the crop pass costs one small inference each
MIN_SIDE_PX = 96       # a crop smaller than this shows too little context to recognise anything
SURFACE_SIDE = 0.18    # a counter-top crop's side as a share of the counter's width (before clamping)
SURFACE_MAX_PX = 256


def _square(cx: float, top: float, side: float, width: int, height: int) -> Box:
    """A square of ``side`` centred at ``cx`` from ``top`` down, shifted (not cut) to lie in the photo."""
    side = min(side, width, height)
    x1 = min(max(cx - side / 2, 0.0), width - side)
    y1 = min(max(top, 0.0), height - side)
    return (round(x1, 1), round(y1, 1), round(x1 + side, 1), round(y1 + side, 1))


def chest_crop(person: Box, width: int, height: int) -> Box:
    """A square over a person's head and chest: the badge is on the left chest, the vest over the torso.
    Its side follows the person's width (a standing person's box is tall, a seated one's behind a counter
    short), so a near and a far person come out at the same magnification."""
    x1, y1, x2, y2 = person
    w, h = x2 - x1, y2 - y1
    side = max(1.3 * max(w, min(h, 1.5 * w)), MIN_SIDE_PX)
    return _square((x1 + x2) / 2, y1 - 0.1 * side, side, width, height)


def surface_crops(surface: Box, width: int, height: int) -> list[Box]:
    """Squares along the top edge of a counter or desk, where items stand (above the edge) and name plates
    hang (just below it)."""
    x1, y1, x2, _ = surface
    side = min(max(SURFACE_SIDE * (x2 - x1), MIN_SIDE_PX), SURFACE_MAX_PX)
    count = max(1, int(round((x2 - x1 - side) / (0.8 * side))) + 1)
    step = (x2 - x1 - side) / (count - 1) if count > 1 else 0.0
    return [_square(x1 + side / 2 + i * step, y1 - 0.6 * side, side, width, height) for i in range(count)]


def crop_regions(objects: Sequence[tuple[str, Box]], width: int, height: int,
                 max_crops: int = MAX_CROPS) -> list[Box]:
    """The crops of a photo with these objects: every person's chest (largest first), then counter and desk
    tops, at most ``max_crops`` in all; crops that nearly repeat one already taken are skipped."""
    persons = sorted((box for name, box in objects if name == PERSON_CLASS),
                     key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), reverse=True)
    surfaces = [box for name, box in objects if name in SURFACE_CLASSES]
    regions: list[Box] = []
    candidates = [chest_crop(p, width, height) for p in persons]
    candidates += [crop for s in surfaces for crop in surface_crops(s, width, height)]
    for crop in candidates:
        if len(regions) >= max_crops:
            break
        if all(overlap(crop, taken) < 0.7 for taken in regions):
            regions.append(crop)
    return regions


def overlap(a: Box, b: Box) -> float:
    """Intersection over the smaller box's area."""
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return iw * ih / smaller if smaller > 0 else 0.0


def inside_share(box: Box, region: Box) -> float:
    """The share of ``box``'s area that lies inside ``region``."""
    iw = max(0.0, min(box[2], region[2]) - max(box[0], region[0]))
    ih = max(0.0, min(box[3], region[3]) - max(box[1], region[1]))
    area = (box[2] - box[0]) * (box[3] - box[1])
    return iw * ih / area if area > 0 else 0.0
