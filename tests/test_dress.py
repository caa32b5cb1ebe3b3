"""The staff-dress analyzer on drawn figures with known answers: every colour of the vocabulary on several
walls, under a warm or cool cast and in dim light; skin and the wall are not the top; an empty or mixed box
is undecided (None) rather than guessed; and the person facts built on it (badge on the chest, role)."""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest

from auditor.detectors.base import detections
from auditor.detectors.colour import (
    COLOUR_NAMES,
    dominant_colour,
    lab_colour_codes,
    photo_correction,
    skin_mask,
    torso_region,
    upper_body_colour,
    upper_body_reading,
)
from auditor.detectors.colour import _lab as to_lab
from auditor.facts import build_facts
from auditor.types import Area, Role

# Cloth as BGR, roughly as such fabric photographs in even light.
CLOTH = {
    "dark_blue": (92, 48, 28), "black": (28, 26, 26), "white": (236, 238, 238), "grey": (128, 128, 126),
    "red": (40, 38, 196), "orange": (35, 128, 238), "yellow": (50, 208, 236), "green": (62, 140, 52),
    "blue": (214, 128, 62), "brown": (42, 72, 112),
}
SKIN = (150, 182, 226)
HAIR = (22, 24, 30)
TROUSERS = (58, 52, 50)
WALLS = {"light": (222, 224, 226), "beige": (178, 206, 226), "wood": (48, 78, 120), "pale_blue": (226, 212, 190)}
# Sensor noise: two fixed random fields of 0-3 levels (one taken off, one added), the same for every photo.
NOISE = np.random.default_rng(0).integers(0, 4, (480, 640, 3), dtype=np.uint8)
LIGHTS = {"even": ((1.0, 1.0, 1.0), 1.0), "warm": ((0.72, 0.95, 1.25), 1.0), "cool": ((1.25, 1.0, 0.78), 1.0),
          "dim": ((1.0, 1.0, 1.0), 0.4), "dim_warm": ((0.75, 0.95, 1.2), 0.45)}


def _shade(image: np.ndarray, mask: np.ndarray, bgr: tuple[int, int, int], x0: int, x1: int) -> None:
    """Fill the mask with a colour lit from the left: brighter on one side, darker on the other, like cloth."""
    h, w = mask.shape
    xs = np.linspace(1.08, 0.72, max(x1 - x0, 2))
    light = np.ones(w, np.float32)
    light[x0:x1] = xs[: x1 - x0]
    shaded = np.clip(np.float32(bgr)[None, None, :] * light[None, :, None], 0, 255)
    image[mask] = np.broadcast_to(shaded, (h, w, 3))[mask].astype(np.uint8)


def _scene(wall: tuple[int, int, int]) -> np.ndarray:
    """A hall corner: the wall, a grey floor, a dark door and a light panel (so that the photo has both ends
    of the brightness scale, as real photos do), with a little noise."""
    image = np.zeros((480, 640, 3), np.uint8)
    image[:] = wall
    image[380:] = (120, 122, 124)
    cv2.rectangle(image, (20, 120), (110, 380), (40, 40, 44), -1)
    cv2.rectangle(image, (480, 30), (620, 60), (250, 250, 250), -1)
    return cv2.add(cv2.subtract(image, NOISE), NOISE[::-1])


def _figure(image: np.ndarray, top: tuple[int, int, int], x: int = 320, y: int = 60, height: int = 330,
            bare_arms: bool = False, arms_crossed: bool = False) -> tuple[float, float, float, float]:
    """Draw a standing person (head, hair, neck, torso, arms, hands, legs) with its feet at the bottom; return
    the person box a detector would give."""
    u = height / 1.75  # pixels per metre
    h, w = image.shape[:2]
    head_c, head_rx, head_ry = (x, int(y + 0.13 * u)), int(0.09 * u), int(0.12 * u)
    shoulder, hip = int(y + 0.33 * u), int(y + 0.85 * u)
    half = int(0.2 * u)
    mask = np.zeros((h, w), bool)
    # Legs and shoes.
    for side in (-1, 1):
        cv2.rectangle(image, (x + side * int(0.02 * u), hip), (x + side * int(0.14 * u), y + height - 8), TROUSERS, -1)
        cv2.rectangle(image, (x + side * int(0.02 * u), y + height - 10), (x + side * int(0.16 * u), y + height),
                      (20, 20, 20), -1)
    # Torso: shoulders to hips.
    torso = np.zeros((h, w), np.uint8)
    cv2.rectangle(torso, (x - half, shoulder + int(0.05 * u)), (x + half, hip), 1, -1)
    cv2.ellipse(torso, (x, shoulder + int(0.06 * u)), (half, int(0.07 * u)), 0, 180, 360, 1, -1)
    mask |= torso > 0
    _shade(image, mask, top, x - half, x + half)
    # Arms along the body (or crossed over the chest): sleeves in the top's colour unless bare.
    arm = SKIN if bare_arms else top
    for side in (-1, 1):
        sx = x + side * (half + int(0.04 * u))
        if arms_crossed:
            cv2.line(image, (sx, shoulder + int(0.08 * u)), (x - side * int(0.12 * u), shoulder + int(0.3 * u)),
                     arm, int(0.08 * u))
            cv2.circle(image, (x - side * int(0.14 * u), shoulder + int(0.3 * u)), int(0.045 * u), SKIN, -1)
        else:
            cv2.line(image, (sx, shoulder + int(0.08 * u)), (sx + side * 4, hip), arm, int(0.08 * u))
            cv2.circle(image, (sx + side * 4, hip + int(0.05 * u)), int(0.045 * u), SKIN, -1)
    # Neck, head, hair.
    cv2.rectangle(image, (x - int(0.04 * u), head_c[1] + head_ry - 4), (x + int(0.04 * u), shoulder + 6), SKIN, -1)
    cv2.ellipse(image, head_c, (head_rx, head_ry), 0, 0, 360, SKIN, -1)
    cv2.ellipse(image, (head_c[0], head_c[1] - head_ry // 3), (head_rx + 2, int(head_ry * 0.75)), 0, 180, 360, HAIR,
                -1)
    left = x - half - int(0.09 * u)
    return (float(left), float(y), float(2 * x - left), float(y + height))


def _light(image: np.ndarray, light: str) -> np.ndarray:
    """A cast (per-channel gains on linear light) and an exposure, then sensor noise, as a camera records."""
    gains, exposure = LIGHTS[light]
    levels = (np.arange(256, dtype=np.float32) / 255) ** 2.2
    lut = np.stack([np.clip(levels * g * exposure, 0, 1) ** (1 / 2.2) * 255 + 0.5 for g in gains], axis=-1)
    out = cv2.LUT(image, lut.astype(np.uint8).reshape(256, 1, 3))
    return cv2.add(cv2.subtract(out, NOISE[:, ::-1]), NOISE[::-1, ::-1])


# Every colour on walls it can be told from; "white" on the light wall is a case of its own below.
CASES = [(colour, wall) for colour in CLOTH for wall in WALLS
         if not (colour == "white" and wall == "light") and not (colour == "brown" and wall == "wood")
         and not (colour == "blue" and wall == "pale_blue")]


@pytest.mark.parametrize("light", list(LIGHTS))
@pytest.mark.parametrize(("colour", "wall"), CASES)
def test_a_figure_is_named_by_its_top_under_any_light(colour: str, wall: str, light: str) -> None:
    image = _scene(WALLS[wall])
    box = _figure(image, CLOTH[colour])
    assert upper_body_colour(_light(image, light), box) == colour


@pytest.mark.parametrize("colour", ["dark_blue", "white", "red", "black", "yellow", "green"])
def test_staff_seated_behind_a_counter(colour: str) -> None:
    """Only the head and chest show above the counter, and the box a detector gives ends at the counter."""
    image = _scene(WALLS["beige"])
    box = _figure(image, CLOTH[colour], y=120, height=380)
    counter_top = int(box[1] + 0.45 * (box[3] - box[1]))
    image[counter_top:] = (205, 205, 200)  # the counter's front hides the lower body
    seated = (box[0], box[1], box[2], float(counter_top))
    assert upper_body_colour(_light(image, "warm"), seated) == colour


@pytest.mark.parametrize("colour", ["dark_blue", "orange", "brown", "grey"])
def test_skin_of_the_face_and_bare_arms_is_ignored(colour: str) -> None:
    image = _scene(WALLS["light"])
    box = _figure(image, CLOTH[colour], bare_arms=True, arms_crossed=True)
    reading = upper_body_reading(image, box)
    assert reading.name == colour


def test_skin_mask_takes_skin_not_cloth() -> None:
    patch = np.array([[SKIN, (120, 150, 200), (90, 130, 185), (60, 95, 150)],  # light to dark skin
                      [CLOTH["red"], CLOTH["orange"], CLOTH["dark_blue"], CLOTH["grey"]]], np.uint8)
    mask = skin_mask(patch, to_lab(patch))
    assert mask[0].all() and not mask[1].any()


def test_white_shirt_on_a_white_wall_is_white_or_undecided() -> None:
    """The wall beside the box has the shirt's colour: the analyzer may not be able to tell them apart, but
    it must not name another colour."""
    image = _scene(WALLS["light"])
    box = _figure(image, CLOTH["white"])
    assert upper_body_colour(image, box) in ("white", None)


def test_a_box_of_plain_wall_is_undecided() -> None:
    image = _light(_scene(WALLS["beige"]), "even")
    assert upper_body_colour(image, (300.0, 80.0, 400.0, 370.0)) is None
    dark = _light(_scene(WALLS["wood"]), "dim")
    assert upper_body_colour(dark, (300.0, 80.0, 400.0, 370.0)) is None


def test_a_box_without_one_clear_colour_is_undecided() -> None:
    """A poster of stripes in four colours where the torso would be: no colour dominates."""
    image = _scene(WALLS["light"])
    for i, bgr in enumerate([CLOTH["red"], CLOTH["green"], CLOTH["blue"], CLOTH["yellow"]]):
        image[120:300, 300 + 25 * i:325 + 25 * i] = bgr
    assert upper_body_colour(image, (300.0, 40.0, 400.0, 380.0)) is None


def test_tiny_or_outside_boxes_are_undecided() -> None:
    image = _scene(WALLS["light"])
    assert upper_body_colour(image, (10.0, 10.0, 13.0, 18.0)) is None
    assert upper_body_colour(image, (700.0, 100.0, 800.0, 400.0)) is None
    assert upper_body_reading(image, (10.0, 10.0, 13.0, 18.0)).pixels < 24


def test_torso_region_follows_the_box_shape() -> None:
    standing = torso_region((100.0, 0.0, 200.0, 320.0))       # a whole standing person
    assert 40 < standing[1] < 90 and 120 < standing[3] < 170
    seated = torso_region((100.0, 0.0, 200.0, 150.0))         # head and chest above a counter
    assert 50 < seated[1] < 80 and 130 < seated[3] <= 150
    reaching = torso_region((0.0, 100.0, 800.0, 400.0))       # an arm stretched out: wider than tall
    assert 100 < reaching[1] <= 100 + 0.4 * 300 and reaching[3] <= 400


def test_cast_correction_undoes_a_warm_cast() -> None:
    image = _scene(WALLS["light"])
    warm = _light(image, "warm")
    b, _, r = photo_correction(warm).gains
    assert r < 1.0 < b, "a warm photo needs less red and more blue"
    dim = _light(image, "dim")
    assert min(photo_correction(dim).gains) > 1.2, "a dim photo is brightened"


def test_lab_names_of_plain_colours() -> None:
    patch = np.array([[CLOTH[name] for name in COLOUR_NAMES]], np.uint8)
    codes = lab_colour_codes(to_lab(patch))[0]
    assert [COLOUR_NAMES[c] for c in codes] == list(COLOUR_NAMES)


def test_dominant_colour_of_a_plain_and_a_mixed_region() -> None:
    assert dominant_colour(np.full((20, 20, 3), CLOTH["green"], np.uint8)) == "green"
    region = np.zeros((30, 30, 3), np.uint8)
    region[:10], region[10:20], region[20:] = CLOTH["red"], CLOTH["green"], CLOTH["blue"]
    assert dominant_colour(region) is None


def test_it_is_fast() -> None:
    image = np.zeros((1080, 1440, 3), np.uint8)
    image[:] = WALLS["light"]
    box = _figure(image, CLOTH["dark_blue"], x=700, y=100, height=900)
    started = time.perf_counter()
    for _ in range(5):
        upper_body_colour(image, box)
    assert (time.perf_counter() - started) / 5 < 0.1


def test_seated_staff_behind_a_counter_in_facts() -> None:
    """A staff member seen from the chest up behind a counter: the badge sits low in the box (the chest is
    the lower part of a box that ends at the counter), the top is named, the role is staff; a visitor in
    front of the counter stands with their feet below it."""
    image = _light(_scene(WALLS["beige"]), "even")
    staff = _figure(image, CLOTH["dark_blue"], x=420, y=120, height=380)
    counter_top = int(staff[1] + 0.45 * (staff[3] - staff[1]))
    image[counter_top:, 300:640] = (205, 205, 200)
    seated = (staff[0], staff[1], staff[2], float(counter_top))
    badge_y = seated[1] + 0.8 * (seated[3] - seated[1])
    badge = (440.0, badge_y - 8, 456.0, badge_y + 8)
    visitor = _figure(image, CLOTH["orange"], x=170, y=90, height=360)
    found = detections([(300, counter_top, 640, 480), seated, badge, visitor],
                       ["counter", "person", "work_badge", "person"], [0.9, 0.9, 0.8, 0.9])
    facts = build_facts("c.jpg", Area.WINDOW_COUNTER, image, found,
                        frozenset({"counter", "person", "work_badge"}), None, None)
    by_x = sorted(facts.persons, key=lambda p: p.box[0])
    assert [(p.role, p.top_colour, p.badge) for p in by_x] == [(Role.VISITOR, "orange", False),
                                                              (Role.STAFF, "dark_blue", True)]


def test_volunteer_vest_on_the_chest_makes_a_volunteer() -> None:
    image = _scene(WALLS["light"])
    box = _figure(image, CLOTH["red"])
    vest = (box[0] + 10, box[1] + 0.2 * (box[3] - box[1]), box[2] - 10, box[1] + 0.5 * (box[3] - box[1]))
    found = detections([box, vest], ["person", "volunteer_vest"], [0.9, 0.8])
    facts = build_facts("v.jpg", Area.WAITING_AREA, image, found, frozenset({"person", "volunteer_vest"}), None,
                        None)
    assert facts.persons[0].role is Role.VOLUNTEER and facts.persons[0].top_colour == "red"
    assert facts.persons[0].badge is None, "no badge detector: the badge stays unknown"


def test_a_badge_outside_the_chest_is_not_worn() -> None:
    """A badge lying on the counter beside a standing person, or below their waist, is not on their chest."""
    image = _scene(WALLS["light"])
    box = _figure(image, CLOTH["white"])
    low = (300.0, box[1] + 0.8 * (box[3] - box[1]), 316.0, box[1] + 0.85 * (box[3] - box[1]))
    beside = (box[2] + 20, box[1] + 100, box[2] + 36, box[1] + 116)
    found = detections([box, low, beside], ["person", "work_badge", "work_badge"], [0.9, 0.8, 0.8])
    facts = build_facts("b.jpg", Area.WINDOW_COUNTER, image, found, frozenset({"person", "work_badge"}), None,
                        None)
    assert facts.persons[0].badge is False
