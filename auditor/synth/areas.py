"""What each functional area holds, where, and which violations can be injected into it.

Each ``compose_<area>`` places furniture, signs, floor lines and people in metres in front of a sampled
inspector's camera. ``Dice`` decides each violation with the hall's rate and records what it injected.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from auditor.synth import textures as tx
from auditor.synth.camera import Camera
from auditor.synth.people import PersonLook, look
from auditor.synth.render import Colour
from auditor.synth.scene import AccentBand, HallStyle, Shot
from auditor.synth.sprites import choose_thing
from auditor.types import Area

WIDTH, HEIGHT = 960, 720
YELLOW = (0.93, 0.76, 0.08)
WHITE = (0.97, 0.97, 0.96)
RED_SIGN = (0.72, 0.08, 0.1)
GOLD = (0.98, 0.85, 0.45)
OTHER_TOPS = ["black", "grey", "red", "green", "brown", "blue", "orange"]
VISITOR_TOPS = ["black", "grey", "white", "blue", "brown", "green", "red", "orange", "yellow", "dark_blue"]


# The violations that draw the classes a detector sees least (counter and desk clutter, notes, stickers,
# hats). A training set may draw them more often (``Dice.boost``); audits' samples and held-out sets do not.
CLUTTER_VIOLATIONS = (
    "cup_on_top", "food_on_top", "bag_on_top", "plant_on_top", "paper_pile_on_top", "clothing_on_top",
    "food_on_desk", "clothing_on_desk", "bag_on_desk", "plant_on_desk", "second_cup", "sticker_on_counter",
    "handwritten_note", "hat_at_work", "clutter_paper", "clutter_food", "clutter_clothing",
)


@dataclass
class Dice:
    """Decides each violation of a photo: ``rate`` (the hall's) times the violation's own weight, times its
    ``boost`` where a training set asks for more of it (rare clutter classes). One draw per call whatever
    the boost, so a seed draws every photo the same without a boost (a boosted hit then places its item
    and changes what comes after it in that photo)."""

    rng: np.random.Generator
    rate: float
    boost: Mapping[str, float] = field(default_factory=dict)
    injected: list[str] = field(default_factory=list)

    def __call__(self, violation: str, weight: float = 1.0) -> bool:
        hit = bool(self.rng.uniform() < self.rate * weight * self.boost.get(violation, 1.0))
        if hit:
            self.injected.append(violation)
        return hit


def sample_camera(rng: np.random.Generator, pitch: tuple[float, float] = (4.0, 14.0)) -> Camera:
    fov = float(rng.uniform(58, 74))
    # The inspector stands a little to one side as often as in the middle: a photo framed dead centre on
    # its subject reads as staged. A sideways step keeps lines parallel to the counter (the distance check
    # reads them), where a wider turn would not.
    return Camera(width=WIDTH, height=HEIGHT, focal_px=WIDTH / 2 / np.tan(np.deg2rad(fov / 2)),
                  cam_height=float(rng.uniform(1.42, 1.68)), pitch_deg=float(rng.uniform(*pitch)),
                  yaw_deg=float(rng.uniform(-7, 7)), roll_deg=float(rng.uniform(-1.5, 1.5)),
                  x0=float(rng.uniform(-0.6, 0.6)))


def _shot(style: HallStyle, rng: np.random.Generator, camera: Camera, depth: float, floor_things: bool = True
          ) -> Shot:
    """The room of a photo, decorated. ``floor_things=False`` where a plant or a chair on the floor behind a
    counter would look, in the photo, as if it stood on the counter top."""
    shot = Shot(camera=camera, style=style, rng=rng, room_width=float(rng.uniform(11, 15)), room_depth=depth,
                room_height=float(rng.uniform(3.2, 3.9)), gloss=float(rng.uniform(0.04, 0.22)),
                floor_things=floor_things)
    _decorate(shot)
    return shot


# How far below a sign on the back wall its shadow falls there (a 3 cm stand-off, lit from above).
SIGN_SHADOW_DROP_M = 0.05
# The accent band along the back wall, per HallStyle.band: (top, bottom) heights of its stripes in metres.
BANDS: dict[AccentBand, list[tuple[float, float]]] = {"stripe": [(2.55, 2.42)], "double": [(2.6, 2.56), (2.5, 2.46)],
                                               "none": []}
NOTICE_TITLES = ["服务承诺", "办事指南", "政务公开", "廉政监督", "党建园地"]


def _decorate(shot: Shot) -> None:
    """What every hall has around the audited things: an accent band, pillars, daylight windows, notice
    boards, an air conditioner and a camera on the wall, big potted plants, chairs and boxes along the back
    wall. None of it is checked, all of it makes the room read as a real hall."""
    rng, w, d, h = shot.rng, shot.room_width / 2, shot.room_depth, shot.room_height
    band_texture = tx.panel(shot.style.accent, 400, 20)
    for top, bottom in BANDS[shot.style.band]:
        shot.plane(None, [(-w, d - 0.01, top), (w, d - 0.01, top), (w, d - 0.01, bottom), (-w, d - 0.01, bottom)],
                   band_texture, wall_finish=True)
    for side in (-1, 1):
        if rng.uniform() < 0.7:
            # Pillars stand out at the sides and towards the back, where they frame rather than hide.
            x = side * float(rng.uniform(3.6, w - 0.6))
            y = float(rng.uniform(max(d - 2.5, 1.5), d - 0.8))
            shot.box(None, x, y, 0.0, (0.6, 0.6, h), tuple(c * 0.97 for c in shot.style.wall),  # type: ignore[arg-type]
                     faces=_pillar_faces(shot, h))
        if rng.uniform() < 0.6:
            # Daylight windows in the side wall.
            y0 = float(rng.uniform(1.0, max(d - 3.0, 1.2)))
            pane = tx.daylight_window(200, 150, rng)
            shot.window_sides.append(side)
            xw = side * (w - 0.01)
            corners = [(xw, y0, 2.6), (xw, y0 + 2.0, 2.6), (xw, y0 + 2.0, 0.9), (xw, y0, 0.9)]
            shot.plane(None, corners if side > 0 else [corners[1], corners[0], corners[3], corners[2]], pane)
    if rng.uniform() < 0.5:
        # A split air conditioner high on the back wall, away from the middle where the signs hang and above
        # the notice boards; and (sometimes) a security camera in a top corner.
        shot.thing("_ac_unit", float(rng.choice([-1, 1])) * float(rng.uniform(3.6, 5.0)), d - 0.12,
                   min(float(rng.uniform(2.75, 2.95)), h - 0.4), 0.3, 0.2)
    if rng.uniform() < 0.4:
        shot.thing("_camera", float(rng.choice([-1, 1])) * float(rng.uniform(2.0, 4.5)), d - 0.1, h - 0.4, 0.18, 0.2)
    if not shot.floor_things:
        return
    if rng.uniform() < 0.6:
        x = float(rng.choice([-1, 1])) * float(rng.uniform(3.0, 4.5))
        y = float(rng.uniform(2.5, d - 0.6))
        _floor_plant(shot, x, y)
    if rng.uniform() < 0.5:
        # Spare chairs in a row against the back wall, the same model, not quite in line.
        x0 = float(rng.choice([-1, 1])) * float(rng.uniform(2.2, 4.0))
        model = choose_thing(rng, "_chair", "floor")
        for i in range(int(rng.integers(2, 4))):
            shot.thing("_chair", x0 + i * 0.55 * float(np.sign(x0)), d - 0.35 + float(rng.uniform(-0.05, 0.05)), 0.0,
                       float(rng.uniform(0.82, 0.9)), 0.5, sprite=model)
    if rng.uniform() < 0.35:
        shot.thing("_box", float(rng.choice([-1, 1])) * float(rng.uniform(3.0, 5.0)), d - 0.4, 0.0,
                   float(rng.uniform(0.3, 0.45)), 0.4)


def _hang_on_back_wall(shot: Shot, xs: list[float], size: tuple[float, float], z_top: float,
                       hang: Callable[[float], None]) -> float | None:
    """Hang something ``size`` (width, height) metres with its top at ``z_top`` at the first centre of ``xs``
    where the back wall is free; returns that centre, or None where there is no room."""
    width, height = size
    for x in xs:
        if shot.back_wall_free(x - width / 2, x + width / 2, z_top - height, z_top):
            hang(x)
            return x
    return None


# A leaflet rack's size (width, depth, height; metres).
BROCHURE_RACK_M = (0.55, 0.3, 1.5)


def _wall_extras(shot: Shot) -> None:
    """Notice boards, a framed print and a clock on the back wall, and a leaflet rack standing against it,
    placed last, where the area's own signs, doors and screens have left room."""
    rng, d = shot.rng, shot.room_depth
    if rng.uniform() < 0.8:
        side = float(rng.choice([-1, 1]))
        xs = [side * float(rng.uniform(2.8, 4.5)) for _ in range(3)]
        first = _hang_on_back_wall(shot, xs, (1.0, 1.3), 2.2, lambda x: _notice_board(shot, x))
        if first is not None and rng.uniform() < 0.5:
            # Boards come in pairs and rows in real halls.
            _hang_on_back_wall(shot, [first - side * 1.2], (1.0, 1.3), 2.2, lambda x: _notice_board(shot, x))
    if rng.uniform() < 0.35:
        # A framed landscape print, between the notice boards and the middle.
        xs = [float(rng.choice([-1, 1])) * float(rng.uniform(1.6, 2.4)) for _ in range(3)]
        _hang_on_back_wall(shot, xs, (1.0, 0.7), 2.3, lambda x: shot.plane(
            None, [(x - 0.5, d - 0.02, 2.3), (x + 0.5, d - 0.02, 2.3), (x + 0.5, d - 0.02, 1.6),
                   (x - 0.5, d - 0.02, 1.6)], tx.framed_print(200, 140, rng)))
    if shot.floor_things and rng.uniform() < 0.5:
        width, depth, height = BROCHURE_RACK_M
        xs = [float(rng.choice([-1, 1])) * float(rng.uniform(1.4, 4.5)) for _ in range(4)]
        _hang_on_back_wall(shot, xs, (width, height), height, lambda x: shot.box(
            None, x, d - depth / 2 - 0.03, 0.0, BROCHURE_RACK_M, (0.27, 0.28, 0.3),
            faces={"front": tx.brochure_rack(int(width * 240), int(height * 240), rng)}))
    if rng.uniform() < 0.5:
        # A wall clock high on a side of the back wall.
        xs = [float(rng.choice([-1, 1])) * float(rng.uniform(1.8, 3.0)) for _ in range(3)]
        _hang_on_back_wall(shot, xs, (0.36, 0.36), 2.95, lambda x: shot.plane(
            None, [(x - 0.18, d - 0.03, 2.95), (x + 0.18, d - 0.03, 2.95), (x + 0.18, d - 0.03, 2.59),
                   (x - 0.18, d - 0.03, 2.59)], tx.wall_clock(120, rng)))


def _pillar_faces(shot: Shot, height: float) -> dict[str, np.ndarray] | None:
    """Stone-clad halls clad their pillars too, each face in its own slabs 0.6 m square; elsewhere pillars
    are painted like the walls."""
    if shot.style.wall_finish != "stone":
        return None
    px_per_m = 40
    return {face: tx.stone_panels(int(0.6 * px_per_m), int(height * px_per_m), shot.style.stone, shot.rng,
                                  (int(0.6 * px_per_m), int(0.6 * px_per_m)))
            for face in ("front", "left", "right")}


# A service counter's parts (metres): the kick plate's height, the top slab's thickness and how far it
# overhangs the front (half that at each end).
KICK_PLATE_M, TOP_SLAB_M, TOP_OVERHANG_M = 0.08, 0.04, 0.03


def _counter(shot: Shot, x: float, y: float, size: tuple[float, float, float]) -> None:
    """A service counter (labelled "counter" whole): its body on a dark kick plate, under a top slab
    that overhangs the front; the front in the hall's finish with the district's stripe. ``y``: the
    centre of its depth."""
    style, (width, depth, height) = shot.style, size
    body = height - KICK_PLATE_M - TOP_SLAB_M
    front = tx.counter_front(style.counter_front, style.counter, style.accent, style.wood, style.stone, width, body,
                             seed=zlib.crc32(style.street.encode()))
    top_colour = style.stone if style.counter_front == "stone" else tuple(c * 0.92 for c in style.counter)

    def draw() -> None:
        shot.frame.shadow(x, y, width * 0.55, depth * 0.7)
        label = shot.frame.new_label("counter")
        f = shot.frame
        # A kick plate flush with the front: the one-metre line is measured from the counter's foot.
        f.box(x, y, 0.0, (width, depth, KICK_PLATE_M), (0.2, 0.19, 0.19), label)
        f.box(x, y, KICK_PLATE_M, (width, depth, body), style.counter, label, faces={"front": front})
        f.box(x, y - TOP_OVERHANG_M / 2, height - TOP_SLAB_M,
              (width + TOP_OVERHANG_M, depth + TOP_OVERHANG_M, TOP_SLAB_M), top_colour, label)  # type: ignore[arg-type]

    shot.custom((x, y - depth / 2, height / 2), draw)


# A kiosk's body up to its card reader, and how far its screen head stands back from the body's front.
KIOSK_BODY_M = 0.8
KIOSK_HEAD_SETBACK_M = 0.12


def _kiosk(shot: Shot, name: str, x: float, y: float, size: tuple[float, float, float]) -> None:
    """A self-service terminal or a ticket machine (labelled ``name`` whole) centred at (x, y): a body with a
    card reader and a receipt slot on a dark plinth, under a screen head set back from it, so it reads as a
    machine rather than one slab. Its footprint is ``size``'s width and depth."""
    width, depth, height = size
    head_h = height - KIOSK_BODY_M
    head, body = tx.kiosk_faces(110, int(110 * KIOSK_BODY_M / width), int(110 * head_h / width), shot.rng,
                                shot.style.accent)
    shot.take_back_wall(x - width / 2, x + width / 2, 0.0, height, y + depth / 2)

    def draw() -> None:
        shot.frame.shadow(x, y, width * 0.62, depth * 0.62)
        label = shot.frame.new_label(name)
        shot.frame.box(x, y, 0.0, (width, depth, KIOSK_BODY_M), (0.9, 0.9, 0.91), label, faces={"front": body})
        shot.frame.box(x, y + KIOSK_HEAD_SETBACK_M / 2, KIOSK_BODY_M, (width, depth - KIOSK_HEAD_SETBACK_M, head_h),
                       (0.85, 0.86, 0.88), label, faces={"front": head})

    shot.custom((x, y - depth / 2, height / 2), draw)


def _notice_board(shot: Shot, x: float) -> None:
    """A notice board 1 m wide on the back wall, centred at ``x``."""
    d = shot.room_depth - 0.02
    board, boxes = tx.notice_board(str(shot.rng.choice(NOTICE_TITLES)), 300, 400, shot.rng)
    shot.plane(None, [(x - 0.5, d, 2.2), (x + 0.5, d, 2.2), (x + 0.5, d, 0.9), (x - 0.5, d, 0.9)], board, boxes)


def _floor_plant(shot: Shot, x: float, y: float) -> None:
    shot.thing("plant", x, y, 0.0, float(shot.rng.uniform(0.9, 1.4)), 0.45)


def _wall_sign(shot: Shot, name: str | None, lines: list[str], x: float, y: float, z_top: float, width: float,
               height: float, bg=None, fg=WHITE, weights: list[float] | None = None, on_wall: bool = False) -> None:
    """A sign board with text, its face at depth ``y``; ``on_wall``: fixed on the back wall a few
    centimetres off it (it then casts a shadow there), else hung or standing free."""
    ppm = 220
    texture, boxes = tx.text_panel(lines, bg or shot.style.accent, fg, int(width * ppm), int(height * ppm),
                                   border=(0.85, 0.85, 0.85), weights=weights)
    corners = [(x - width / 2, y, z_top), (x + width / 2, y, z_top), (x + width / 2, y, z_top - height),
               (x - width / 2, y, z_top - height)]
    if on_wall:
        # The sign stands off the wall on its fixings: the ceiling's light leaves a soft shadow on the wall
        # under it.
        wall_y = shot.room_depth - 0.002
        shot.plane(None, [(cx, wall_y, cz - SIGN_SHADOW_DROP_M) for cx, _, cz in corners],
                   tx.soft_shadow(int(width * 100), int(height * 100)), wall_finish=True)
    shot.plane(name, corners, texture, boxes)


def _hanging_sign(shot: Shot, lines: list[str], x: float, y: float, z_top: float, width: float = 1.6,
                  height: float = 0.55) -> None:
    """A zone sign hung from the ceiling on two wires (the wires are drawn as thin boxes)."""
    for side in (-1, 1):
        shot.box(None, x + side * width * 0.4, y + 0.01, z_top, (0.01, 0.01, shot.room_height - z_top),
                 (0.3, 0.3, 0.3), shadow=False)
    _wall_sign(shot, "hanging_sign", lines, x, y, z_top, width, height, weights=[1.2, 0.9][: len(lines)])


def _staff(style: HallStyle, dice: Dice, seated: bool, hat: bool = False) -> PersonLook:
    """A staff member on duty: in the hall's uniform or (a violation) another colour, badge or (a violation)
    none."""
    top = style.uniform
    if dice("staff_out_of_uniform", 0.6):
        top = str(dice.rng.choice([c for c in OTHER_TOPS if c != style.uniform]))
    return look(dice.rng, "staff", top, badge=not dice("badge_missing", 0.6), vest=False, seated=seated, hat=hat,
                motion_m=_at_work(dice.rng))


def _at_work(rng: np.random.Generator) -> float:
    """How far someone on duty moves while the shutter is open: a hand reaching, a head turning (metres).
    Nobody holds still for a photo of a working hall; a little smear takes the doll's stillness away."""
    return float(rng.uniform(0.01, 0.03))


def _seated_staff(shot: Shot, person: PersonLook, x: float, y: float) -> None:
    """A staff member seated at (x, y) on an office chair, whose back shows behind them."""
    # The chair's front stays behind the person, so that it never covers them.
    shot.thing("_office_chair", x + float(shot.rng.uniform(-0.05, 0.05)), y + 0.3, 0.0,
               float(shot.rng.uniform(0.95, 1.05)), 0.3)
    shot.person(person, x, y)


# How often a visitor stands in front of what a photo is of. No rule reads visitors, and a large figure in
# the foreground was what blind judges first named as drawn (docs/synthetic.md), so it is the exception;
# staff and volunteers, whom the rules read, are always there.
FOREGROUND_VISITOR = 0.3
# How far a walking visitor moves while the shutter is open (metres): 1.3 m/s at 1/20-1/40 s, a phone's
# shutter under a hall's light. Walkers smeared by 5-14 cm (1/10-1/25 s) read to blind judges as
# "see-through motion ghosts".
WALKING_SMEAR_M = (0.03, 0.065)


def _visitor(shot: Shot, x: float, y: float, walking: float = 0.0) -> None:
    """A visitor at (x, y); with chance ``walking`` they are walking and smear in the photo."""
    rng = shot.rng
    motion = float(rng.uniform(*WALKING_SMEAR_M)) if rng.uniform() < walking else _at_work(rng)
    shot.person(look(rng, "visitor", str(rng.choice(VISITOR_TOPS)), badge=False, vest=False, seated=False,
                     motion_m=motion), x, y)


def _passers_by(shot: Shot, near_y: float, chance: float = 0.6) -> None:
    """Other visitors further back in the hall, walking or waiting: real halls are rarely empty. They stand
    to the sides, beyond ``near_y``, so they do not hide what the photo is of."""
    rng = shot.rng
    if rng.uniform() >= chance:
        return
    for _ in range(int(rng.integers(1, 4))):
        side = float(rng.choice([-1.0, 1.0]))
        x = side * float(rng.uniform(1.6, shot.room_width / 2 - 0.8))
        y = float(rng.uniform(near_y, max(shot.room_depth - 0.8, near_y + 0.1)))
        _visitor(shot, x, y, walking=0.85)


def _fire_extinguisher(shot: Shot, x: float, y: float) -> None:
    shot.thing("fire_extinguisher", x, y, 0.0, float(shot.rng.uniform(0.55, 0.62)), 0.17)
    shot.floor_line((x - 0.2, y - 0.2), (x + 0.2, y - 0.2), "yellow", YELLOW, 0.05)


def _position_marks(shot: Shot, x: float, y: float, w: float, d: float, dice: Dice) -> bool:
    """Yellow position marks (定位线) around a footprint; returns whether they were painted."""
    if dice("position_marks_missing", 0.5):
        return False
    m = 0.08
    shot.floor_line((x - w / 2 - m, y - d / 2 - m), (x + w / 2 + m, y - d / 2 - m), "yellow", YELLOW, 0.06)
    shot.floor_line((x - w / 2 - m, y - d / 2 - m), (x - w / 2 - m, y + d / 2 + m), "yellow", YELLOW, 0.06)
    shot.floor_line((x + w / 2 + m, y - d / 2 - m), (x + w / 2 + m, y + d / 2 + m), "yellow", YELLOW, 0.06)
    return True


def _counter_items(shot: Shot, x0: float, x1: float, y: float, top: float, dice: Dice, forbidden: float) -> None:
    """Violation items on a counter or desk top between x0 and x1 (y: the top's middle)."""
    rng = shot.rng
    options: list[tuple[str, Callable[[float], None]]] = [
        ("cup", lambda x: shot.thing("cup", x, y, top, float(rng.uniform(0.1, 0.13)), 0.08, on="top")),
        ("food", lambda x: shot.box("food", x, y, top, (0.16, 0.1, 0.07), (0.85, 0.55, 0.2), on="top")),
        ("bag", lambda x: shot.thing("bag", x, y, top, float(rng.uniform(0.24, 0.32)), 0.15, on="top")),
        ("plant", lambda x: _plant(shot, x, y, top)),
        ("paper_pile", lambda x: shot.box("paper_pile", x, y, top, (0.3, 0.22, 0.09), (0.96, 0.96, 0.93), on="top")),
        ("clothing", lambda x: shot.box("clothing", x, y, top, (0.4, 0.3, 0.08), _jacket(rng), on="top")),
    ]
    for name, put in options:
        if dice(f"{name}_on_top", forbidden):
            put(float(rng.uniform(x0, x1)))


def _allowed_clutter(shot: Shot, y: float, top: float) -> None:
    """What real counters and desks also carry and the manual allows: a pen cup, a stand of service
    guides, a stamp pad. Unlabelled: they are not detector classes, and they make the scene less bare."""
    rng = shot.rng
    things = [((0.07, 0.07, 0.11), (0.2, 0.2, 0.25)),      # pen cup
              ((0.2, 0.08, 0.22), (0.85, 0.88, 0.92)),     # service guide stand
              ((0.1, 0.07, 0.03), (0.55, 0.1, 0.1))]       # stamp pad
    # In the back left corner, clear of where violation items are put, so they never hide one.
    x = -0.95
    for size, colour in things:
        if rng.uniform() < 0.6:
            shot.box(None, x + size[0] / 2, y + 0.12, top, size, colour, shadow=False)
            x += size[0] + 0.02


def _jacket(rng: np.random.Generator) -> tuple[float, float, float]:
    return tuple(float(c) for c in rng.choice([[0.2, 0.2, 0.22], [0.45, 0.3, 0.2], [0.25, 0.3, 0.45]]))  # type: ignore[return-value]


def _plant(shot: Shot, x: float, y: float, bottom: float) -> None:
    """A pot plant on a counter or desk top."""
    shot.thing("plant", x, y, bottom, float(shot.rng.uniform(0.2, 0.3)), 0.14, on="top")


# -- the seven areas ------------------------------------------------------------------------------------------

def compose_window_counter(style: HallStyle, rng: np.random.Generator, dice: Dice, window: int) -> Shot:
    camera = sample_camera(rng, (9.5, 15.0))
    # Far enough back that the one-metre line in front of the counter is in the frame.
    counter_front = float(rng.uniform(3.4, 4.3))
    shot = _shot(style, rng, camera, counter_front + 4.0, floor_things=False)
    depth, height = 0.62, float(rng.uniform(0.78, 1.0))
    window_w = float(rng.uniform(1.7, 2.1))
    cy = counter_front + depth / 2
    top = height
    # The counter row: this window in the middle, neighbours either side (one labelled counter for the row).
    _counter(shot, 0.0, cy, (window_w * 3, depth, height))
    # Glass partitions either side of this window (the neighbours' are added with them, at the end).
    for wx in (-window_w / 2, window_w / 2):
        _partition(shot, wx, cy, top)
    if not dice("window_plate_missing", 0.7):
        name = str(rng.choice(["综合受理", "综合受理", "出件窗口", "咨询帮办"]))
        lines = [f"{window}号窗口", name]
        if dice("window_plate_wrong_text", 0.7):
            lines = [str(rng.choice(["窗口", "暂停服务"])), name if rng.uniform() < 0.5 else "办事"]
        _wall_sign(shot, "window_plate", lines, float(rng.uniform(-0.3, 0.3)), cy + 0.35, top + 1.25, 0.9, 0.42,
                   weights=[1.2, 0.9])
    if not dice("evaluation_device_missing", 0.8):
        shot.box("evaluation_device", float(rng.uniform(0.3, 0.6)), cy - 0.18, top, (0.18, 0.06, 0.14),
                 (0.15, 0.15, 0.17), faces={"front": tx.screen(90, 60, rng, "ui")}, on="top")
    shot.box("name_plate", float(rng.uniform(-0.6, -0.3)), cy - 0.2, top, (0.2, 0.05, 0.07), (0.85, 0.75, 0.4),
             on="top")
    _window_monitor(shot, float(rng.choice([-0.55, 0.55])) * float(rng.uniform(0.9, 1.2)), cy, top)
    _counter_items(shot, -0.7, 0.7, cy - 0.05, top, dice, 0.35)
    _allowed_clutter(shot, cy - 0.1, top)
    if dice("sticker_on_counter", 0.4):
        shot.plane("sticker", [(0.5, counter_front - 0.005, top - 0.15), (0.65, counter_front - 0.005, top - 0.15),
                               (0.65, counter_front - 0.005, top - 0.3), (0.5, counter_front - 0.005, top - 0.3)],
                   tx.sticker(60, rng))
    if window == style.first_window and not dice("accessible_sign_missing", 0.3):
        yf = counter_front - 0.005
        shot.plane("accessible_sign", [(-0.95, yf, top - 0.3), (-0.65, yf, top - 0.3), (-0.65, yf, top - 0.6),
                                       (-0.95, yf, top - 0.6)], tx.accessible_sign(120)[..., :3])
    # Staff behind the counter, seated; maybe out of uniform, maybe without a badge.
    staff = _staff(style, dice, seated=True)
    _seated_staff(shot, staff, float(rng.uniform(-0.25, 0.25)), cy + 0.55)
    # The one-metre line: missing, misplaced, or where the manual wants it.
    if not dice("one_metre_line_missing", 0.6):
        distance = float(rng.uniform(0.92, 1.08))
        if dice("one_metre_line_misplaced", 0.6):
            distance = float(rng.choice([rng.uniform(0.45, 0.7), rng.uniform(1.35, 1.7)]))
        y = counter_front - distance
        shot.floor_line((-window_w * 0.48, y), (window_w * 0.48, y), "yellow", YELLOW, 0.1,
                        distance_m=round(distance, 3))
    if rng.uniform() < FOREGROUND_VISITOR:
        # On the left of the window, so the evaluation device on the right stays in view.
        _visitor(shot, float(rng.uniform(-0.8, -0.5)), counter_front - float(rng.uniform(0.3, 0.5)))
    # Drawn after the violations, so that a seed's violations (and a street's true score) do not depend on
    # what the neighbouring windows draw.
    staffed_side = float(rng.choice([-1, 1])) if rng.uniform() < NEIGHBOUR_STAFFED else 0.0
    for side in (-1.0, 1.0):
        colleague = _colleague(rng, style, staff) if side == staffed_side else None
        _neighbour_window(shot, side, window_w, cy, top, colleague)
    return shot


# How often one of the two neighbouring windows is staffed (the other is closed for now, its chair empty).
# Never both: there are two seated figures to draw from, and the same face three times in a row gives a
# render away.
NEIGHBOUR_STAFFED = 0.7


def _colleague(rng: np.random.Generator, style: HallStyle, staff: PersonLook) -> PersonLook:
    """A colleague at the next window: in the hall's uniform with a badge, drawn from another figure than
    ``staff`` where one can be found."""
    model = staff.figure.split("_")[0]
    for _ in range(8):
        colleague = look(rng, "staff", style.uniform, badge=True, vest=False, seated=True, motion_m=_at_work(rng))
        if colleague.figure.split("_")[0] != model:
            break
    return colleague


def _partition(shot: Shot, x: float, cy: float, top: float) -> None:
    """The glass partition between two windows, standing on the counter top at ``x``."""
    shot.box(None, x, cy + 0.05, top, (0.04, 0.5, 0.75), (0.75, 0.82, 0.86), shadow=False)


def _window_monitor(shot: Shot, x: float, cy: float, top: float) -> None:
    """A window's monitor at the back of the counter top, its back to the camera."""
    shot.box("monitor", x, cy + 0.12, top, (0.48, 0.05, 0.32), (0.08, 0.08, 0.09), on="top")


def _keyboard(shot: Shot, x: float, y: float, top: float) -> None:
    shot.box("keyboard", x, y, top, (0.42, 0.14, 0.02), (0.12, 0.12, 0.13), on="top")


def _neighbour_window(shot: Shot, side: float, window_w: float, cy: float, top: float,
                      colleague: PersonLook | None) -> None:
    """The window beside the one photographed, at the edge of the photo: a row of windows at work reads as a
    hall, one window on an empty counter as a stage. Its outer partition, its monitor and keyboard, and a
    chair with ``colleague`` on it or empty. No plate and no evaluation device: those are checked for the
    photographed window, and a neighbour's would stand in for one that is missing."""
    rng = shot.rng
    x = side * window_w  # the neighbouring window's middle (``side``: -1 left, 1 right)
    _partition(shot, x + side * window_w / 2, cy, top)
    # The monitor stands towards the far side of the neighbour's window, out of the way of its staff.
    _window_monitor(shot, x + side * float(rng.uniform(0.3, 0.55)), cy, top)
    _keyboard(shot, x + float(rng.uniform(-0.15, 0.15)), cy - 0.05, top)
    seat_x = x + float(rng.uniform(-0.25, 0.1)) * side
    if colleague is not None:
        _seated_staff(shot, colleague, seat_x, cy + 0.55)
    else:
        shot.thing("_office_chair", seat_x, cy + 0.85, 0.0, float(rng.uniform(0.95, 1.05)), 0.3)


def compose_back_office(style: HallStyle, rng: np.random.Generator, dice: Dice) -> Shot:
    camera = sample_camera(rng, (10.0, 20.0))
    desk_y = float(rng.uniform(2.4, 3.2))
    shot = _shot(style, rng, camera, desk_y + 3.0, floor_things=False)
    top = 0.75
    _office_desk(shot, desk_y, top, (0.72, 0.6, 0.45))
    _seated_staff(shot, _staff(style, dice, seated=True, hat=dice("hat_at_work", 0.4)), float(rng.uniform(-0.2, 0.2)),
                  desk_y + 0.65)
    shot.box("monitor", -0.35, desk_y + 0.1, top, (0.5, 0.06, 0.33), (0.06, 0.06, 0.07),
             faces={"front": tx.screen(200, 130, rng, "ui")}, on="top")
    _keyboard(shot, -0.3, desk_y - 0.18, top)
    shot.box("phone", 0.5, desk_y - 0.05, top, (0.18, 0.16, 0.07), (0.2, 0.2, 0.22), on="top")
    if rng.uniform() < 0.6:
        shot.box("paper_pile", 0.3, desk_y + 0.15, top, (0.3, 0.22, 0.08), (0.96, 0.96, 0.93), on="top")
    if rng.uniform() < 0.7:
        shot.thing("cup", 0.15, desk_y - 0.22, top, float(rng.uniform(0.1, 0.13)), 0.08, on="top")
        if dice("second_cup", 0.5):
            # At the front left corner, where nothing can stand in front of it and hide the violation.
            shot.thing("cup", -0.64, desk_y - 0.27, top, float(rng.uniform(0.1, 0.13)), 0.08, on="top")
    # Each violation item has its own row on the desk (food at the front, the jacket behind it, the bag at
    # the back), so that one never hides another.
    jacket = _jacket(rng)
    desk_items: list[tuple[str, Callable[[float, float], None]]] = [
        ("food", lambda x, y: shot.box("food", x, y, top, (0.16, 0.1, 0.07), (0.85, 0.55, 0.2), on="top")),
        ("clothing", lambda x, y: shot.box("clothing", x, y, top, (0.4, 0.3, 0.08), jacket, on="top")),
        ("bag", lambda x, y: shot.thing("bag", x, y, top, float(rng.uniform(0.24, 0.3)), 0.14, on="top")),
    ]
    for (name, put), row in zip(desk_items, (-0.27, -0.06, 0.17), strict=True):
        if dice(f"{name}_on_desk", 0.35):
            put(float(rng.uniform(0.32, 0.55)), desk_y + row)
    if dice("plant_on_desk", 0.3):
        _plant(shot, 0.55, desk_y + 0.05, top)
    shot.box("printer", 1.25, desk_y + 0.1, 0.0, (0.5, 0.45, 0.9), (0.8, 0.8, 0.78),
             faces={"front": tx.printer_front(100, 180, rng)})
    if rng.uniform() < 0.5:
        _fire_extinguisher(shot, -1.4, desk_y + 0.4)
    # The office behind: a cabinet against the back wall, a calendar or a letter tray at the desk's back corner
    # (where it hides none of the checked items).
    if rng.uniform() < 0.7:
        shot.thing("_cabinet", float(rng.choice([-1, 1])) * float(rng.uniform(1.6, 2.6)), shot.room_depth - 0.3, 0.0,
                   None, 0.45)
    if rng.uniform() < 0.6:
        shot.thing("_desk_clutter", -0.78, desk_y + 0.22, top, None, 0.1)
    return shot


def _office_desk(shot: Shot, y: float, top: float, colour: Colour) -> None:
    """An office desk as they are built: a veneered top on two side panels, a modesty panel across the
    front that hides the seated person's legs, and open floor below it. One labelled object."""
    rng = shot.rng
    grain = tx.wood(300, 40, colour, rng)
    side = tx.wood(120, 120, tuple(c * 0.9 for c in colour), rng)  # type: ignore[arg-type]
    modesty = tx.wood(300, 90, tuple(c * 0.85 for c in colour), rng)  # type: ignore[arg-type]
    surface = tx.wood(300, 150, colour, rng)

    def draw() -> None:
        label = shot.frame.new_label("desk")
        f = shot.frame
        f.shadow(0.0, y, 0.95, 0.5, 0.25)
        for sx in (-0.73, 0.73):
            f.box(sx, y, 0.0, (0.04, 0.72, top - 0.03), colour, label, faces={"front": side, "left": side,
                                                                              "right": side})
        f.box(0.0, y - 0.28, 0.12, (1.42, 0.02, top - 0.15), colour, label, faces={"front": modesty})
        f.box(0.0, y, top - 0.03, (1.5, 0.75, 0.03), colour, label, faces={"front": grain, "top": surface})

    shot.custom((0.0, y - 0.375, top / 2), draw)


def _table(shot: Shot, y: float, top: float, size: tuple[float, float], colour: Colour) -> None:
    """A service table: a laminated top on four steel legs (unlabelled furniture)."""
    w, d = size
    surface = tx.wood(300, 90, colour, shot.rng)
    edge = tx.wood(300, 12, colour, shot.rng)

    def draw() -> None:
        f = shot.frame
        f.shadow(0.0, y, w * 0.55, d * 0.6, 0.22)
        for lx in (-w / 2 + 0.05, w / 2 - 0.05):
            for ly in (-d / 2 + 0.05, d / 2 - 0.05):
                f.box(lx, y + ly, 0.0, (0.04, 0.04, top - 0.04), (0.55, 0.56, 0.58))
        f.box(0.0, y, top - 0.04, (w, d, 0.04), colour, faces={"front": edge,
                                                              "top": surface})

    shot.custom((0.0, y - d / 2, top / 2), draw)


SEAT_HEIGHT_M = 0.42
BEAM_METAL: Colour = (0.32, 0.33, 0.35)


def _seat_row(shot: Shot, x0: float, y: float, count: int, seat_w: float) -> None:
    """A row of beam seating, as halls have: ``count`` perforated seat pans (each labelled "seat") and back
    rests with rounded corners on struts, armrests between them, all on a steel beam standing on a foot at
    each end (and one in the middle of a long row); ``x0`` the row's left end, ``y`` its front."""
    style, rng = shot.style, shot.rng
    width = count * seat_w
    pan = tx.perforated_shell(style.seat, 96, 88, rng)  # its top face: square, the pan being a box
    back = tx.perforated_shell(style.seat, 96, 72, rng, corner_px=14)
    for i in range(count):
        x = x0 + (i + 0.5) * seat_w
        shot.box("seat", x, y + 0.22, SEAT_HEIGHT_M, (seat_w - 0.06, 0.44, 0.04), style.seat, shadow=False,
                 faces={"top": pan[..., :3]})
        # The back rest leans back a little, a shell with rounded corners.
        bx0, bx1 = x - (seat_w - 0.08) / 2, x + (seat_w - 0.08) / 2
        corners = [(bx0, y + 0.5, 0.9), (bx1, y + 0.5, 0.9), (bx1, y + 0.43, 0.5), (bx0, y + 0.43, 0.5)]
        shot.custom((x, y + 0.46, 0.7), lambda c=corners: shot.frame.world_plane(np.array(c, dtype=float), back))
        shot.box(None, x, y + 0.47, SEAT_HEIGHT_M, (0.05, 0.03, 0.14), BEAM_METAL, shadow=False)  # its strut
    for i in range(count + 1):  # armrests between the seats and at both ends
        shot.box(None, x0 + i * seat_w, y + 0.25, SEAT_HEIGHT_M + 0.04, (0.035, 0.36, 0.2), BEAM_METAL, shadow=False)
    shot.box(None, x0 + width / 2, y + 0.3, SEAT_HEIGHT_M - 0.08, (width, 0.06, 0.06), BEAM_METAL, shadow=False)
    feet = [x0 + 0.15, x0 + width - 0.15] + ([x0 + width / 2] if count > 4 else [])
    for fx in feet:
        shot.box(None, fx, y + 0.3, 0.03, (0.05, 0.05, SEAT_HEIGHT_M - 0.11), BEAM_METAL, shadow=False)
        shot.box(None, fx, y + 0.3, 0.0, (0.07, 0.55, 0.03), BEAM_METAL, shadow=False)
    # The row's shadow lies under it, from the seat fronts back: light from overhead throws none forward
    # onto the seat-row line in front.
    shot.custom((x0 + width / 2, y + 0.3, 0.0), lambda: shot.frame.shadow(x0 + width / 2, y + 0.34, width * 0.52, 0.22,
                                                                           0.3))


def compose_waiting_area(style: HallStyle, rng: np.random.Generator, dice: Dice) -> Shot:
    camera = sample_camera(rng, (5.0, 14.0))
    first_row = float(rng.uniform(2.6, 3.4))
    shot = _shot(style, rng, camera, first_row + 5.5)
    rows = 1 if dice("too_few_seats", 0.5) else 2
    per_row = int(rng.integers(5, 8)) if rows == 2 else int(rng.integers(3, 6))
    seat_w = 0.55
    for r in range(rows):
        y = first_row + r * 1.5
        x0 = -per_row * seat_w / 2 + float(rng.uniform(-0.3, 0.3))
        _seat_row(shot, x0, y, per_row, seat_w)
        if not dice("seat_row_marks_missing", 0.5):
            shot.floor_line((x0 - 0.1, y - 0.12), (x0 + per_row * seat_w + 0.1, y - 0.12), "yellow", YELLOW, 0.06)
        if r == 0 and rng.uniform() < FOREGROUND_VISITOR:
            # Someone standing in front of the first row (between rows they would stand in the seats).
            seat_x = x0 + (int(rng.integers(per_row)) + 0.5) * seat_w
            _visitor(shot, seat_x, y - 0.35, walking=0.5)
    sign_lines = ["等候区", "Waiting Area"]
    if dice("zone_sign_not_bilingual", 0.7):
        sign_lines = ["等候区"]
    _hanging_sign(shot, sign_lines, float(rng.uniform(-0.6, 0.6)), first_row + 2.6, 2.55)
    if not dice("call_screen_missing", 0.5):
        shot.box("call_screen", float(rng.uniform(-2.5, -1.5)), shot.room_depth - 0.05, 1.7, (1.3, 0.06, 0.75),
                 (0.1, 0.1, 0.1), faces={"front": tx.screen(260, 150, rng, "calls")}, shadow=False)
    if rng.uniform() < 0.6:
        _fire_extinguisher(shot, float(rng.uniform(2.5, 3.5)), shot.room_depth - 0.4)
    if rng.uniform() < 0.6:
        _exit_sign(shot, float(rng.uniform(1.5, 3.0)), shot.room_depth - 0.02)
    shot.thing("bin", float(rng.uniform(-3.5, -2.8)), first_row + 0.5, 0.0, float(rng.uniform(0.55, 0.75)), 0.3)
    _passers_by(shot, first_row + 2.0)
    return shot


def _exit_sign(shot: Shot, x: float, y: float, z: float = 2.45) -> None:
    texture = tx.fire_exit_sign(300, 100)
    shot.plane("fire_exit_sign", [(x - 0.3, y, z), (x + 0.3, y, z), (x + 0.3, y, z - 0.2), (x - 0.3, y, z - 0.2)],
               texture)


def compose_entrance(style: HallStyle, rng: np.random.Generator, dice: Dice) -> Shot:
    camera = sample_camera(rng, (0.0, 9.0))
    wall_y = float(rng.uniform(5.5, 7.0))
    shot = _shot(style, rng, camera, wall_y)
    # Glass doors in the entrance wall: bright daylight panels with frames.
    street = tx.street_view(300, 240, rng)  # one street seen through all three doors
    for i, dx in enumerate((-1.0, 0.0, 1.0)):
        shot.box(None, dx * 1.05, wall_y - 0.02, 0.0, (1.0, 0.04, 2.4), (0.86, 0.9, 0.95), shadow=False,
                 faces={"front": tx.glass_door(100, 240, rng, street[:, i * 100:(i + 1) * 100])})
        shot.box(None, dx * 1.05 - 0.5, wall_y - 0.05, 0.0, (0.06, 0.06, 2.45), (0.35, 0.35, 0.38), shadow=False)
    title = f"{style.street}政务服务中心"
    if dice("centre_name_wrong", 0.4):
        title = f"{style.street}{rng.choice(['便民大厅', '办事处'])}"
    _wall_sign(shot, None, [title], 0.0, wall_y - 0.06, 3.05, min(4.6, 0.42 * len(title)), 0.5, bg=RED_SIGN,
               fg=GOLD, on_wall=True)
    if not dice("guide_map_missing", 0.6):
        gx = float(rng.uniform(-2.2, -1.8))
        board = tx.guide_map(360, 480, "楼层索引 Floor Directory", rng)
        shot.plane("guide_map", [(gx - 0.45, wall_y - 1.6, 1.9), (gx + 0.45, wall_y - 1.6, 1.9),
                                 (gx + 0.45, wall_y - 1.6, 0.7), (gx - 0.45, wall_y - 1.6, 0.7)], board)
        shot.box(None, gx, wall_y - 1.58, 0.0, (0.06, 0.04, 0.72), (0.3, 0.3, 0.3))
    if not dice("ticket_machine_missing", 0.4):
        machine_x = float(rng.uniform(2.0, 2.8))
        _kiosk(shot, "ticket_machine", machine_x, wall_y - 2.0, (0.55, 0.45, 1.45))
    if not dice("guide_line_missing", 0.6):
        turn_y = float(rng.uniform(3.2, 3.8))
        side = float(rng.choice([-1.0, 1.0]))
        shot.floor_line((0.0, wall_y - 0.8), (0.0, turn_y), "yellow", YELLOW, 0.1)
        shot.floor_line((0.0, turn_y), (side * 3.5, turn_y), "yellow", YELLOW, 0.1)
    if not dice("extinguisher_missing", 0.5):
        _fire_extinguisher(shot, float(rng.uniform(-2.0, -1.4)), wall_y - 0.3)
    if not dice("exit_sign_missing", 0.5):
        # Beside the doors, clear of the centre's name above them.
        _exit_sign(shot, float(rng.choice([-1.9, 1.9])), wall_y - 0.07, 2.45)
    if dice("handwritten_note", 0.5):
        shot.plane("handwritten_note", [(0.7, wall_y - 0.1, 1.5), (1.0, wall_y - 0.1, 1.5), (1.0, wall_y - 0.1, 1.1),
                                        (0.7, wall_y - 0.1, 1.1)], tx.handwritten_note(120, 160, rng))
    if rng.uniform() < FOREGROUND_VISITOR:
        _visitor(shot, float(rng.uniform(-1.5, 1.5)), float(rng.uniform(3.0, 4.5)), walking=0.85)
    _passers_by(shot, 2.5)
    return shot


def compose_guidance_desk(style: HallStyle, rng: np.random.Generator, dice: Dice) -> Shot:
    camera = sample_camera(rng, (6.0, 14.0))
    desk_front = float(rng.uniform(2.8, 3.6))
    shot = _shot(style, rng, camera, desk_front + 3.5, floor_things=False)
    top = 1.0
    _counter(shot, 0.0, desk_front + 0.3, (2.6, 0.6, top))
    sign_text = ["导服台", "Information"]
    if dice("desk_sign_wrong", 0.6):
        sign_text = [str(rng.choice(["服务台", "前台"])), "Service"]
    _wall_sign(shot, None, sign_text, 0.0, desk_front + 1.8, 2.5, 1.6, 0.55, weights=[1.3, 0.8])
    if rng.uniform() < 0.6:
        # A volunteer on duty: in the red vest, or (a violation) in everyday clothes without it.
        bare = dice("volunteer_without_vest", 0.4)
        clothes = str(rng.choice([c for c in VISITOR_TOPS if c != "red"])) if bare else "red"
        shot.person(look(rng, "volunteer", clothes, badge=False, vest=not bare, seated=False, motion_m=_at_work(rng)),
                    float(rng.uniform(-0.6, 0.6)), desk_front + 0.85)
    else:
        shot.person(_staff(style, dice, seated=False), float(rng.uniform(-0.6, 0.6)), desk_front + 0.85)
    _counter_items(shot, -1.0, 1.0, desk_front + 0.25, top, dice, 0.3)
    mx = float(rng.uniform(1.6, 1.9))
    if not dice("ticket_machine_missing", 0.3):
        _kiosk(shot, "ticket_machine", mx, desk_front + 0.2, (0.55, 0.45, 1.45))
        _position_marks(shot, mx, desk_front + 0.2, 0.55, 0.45, dice)
    if rng.uniform() < FOREGROUND_VISITOR:
        _visitor(shot, float(rng.uniform(-1.2, 1.2)), desk_front - float(rng.uniform(0.4, 0.8)), walking=0.5)
    return shot


def compose_self_service(style: HallStyle, rng: np.random.Generator, dice: Dice) -> Shot:
    camera = sample_camera(rng, (5.0, 13.0))
    row_y = float(rng.uniform(3.0, 4.0))
    shot = _shot(style, rng, camera, row_y + 2.5)
    count = 1 if dice("too_few_terminals", 0.5) else int(rng.integers(2, 5))
    spacing = 0.95
    x0 = -(count - 1) * spacing / 2
    for i in range(count):
        x = x0 + i * spacing
        _kiosk(shot, "self_service_terminal", x, row_y, (0.55, 0.45, 1.5))
        _position_marks(shot, x, row_y, 0.55, 0.45, dice)
    lines = ["自助服务区", "Self-service Area"]
    if dice("zone_sign_not_bilingual", 0.7):
        lines = ["自助服务区"]
    _wall_sign(shot, None, lines, float(rng.uniform(-0.5, 0.5)), shot.room_depth - 0.03, 2.75, 2.0, 0.6,
               weights=[1.2, 0.8][: len(lines)], on_wall=True)
    _clutter(shot, dice, row_y - 1.0)
    if rng.uniform() < 0.5:
        _fire_extinguisher(shot, float(rng.uniform(2.2, 3.0)), row_y + 0.3)
    if rng.uniform() < FOREGROUND_VISITOR:
        _visitor(shot, x0 + float(rng.uniform(-0.2, 0.2)), row_y - 0.55)
    _passers_by(shot, row_y + 0.5)
    return shot


def _clutter(shot: Shot, dice: Dice, y: float) -> None:
    """Things left lying in a public area (ITM-07): papers, a snack, a forgotten coat."""
    rng = shot.rng
    if dice("clutter_paper", 0.3):
        shot.box("paper_pile", float(rng.uniform(-1.5, 1.5)), y, 0.0, (0.32, 0.24, 0.06), (0.95, 0.95, 0.92))
    if dice("clutter_food", 0.2):
        shot.box("food", float(rng.uniform(-1.5, 1.5)), y + 0.3, 0.0, (0.16, 0.1, 0.07), (0.85, 0.55, 0.2))
    if dice("clutter_clothing", 0.2):
        shot.box("clothing", float(rng.uniform(-1.5, 1.5)), y - 0.2, 0.0, (0.45, 0.35, 0.1), _jacket(rng))


def compose_convenience(style: HallStyle, rng: np.random.Generator, dice: Dice) -> Shot:
    camera = sample_camera(rng, (4.0, 11.0))
    table_y = float(rng.uniform(3.0, 3.6))
    shot = _shot(style, rng, camera, table_y + 2.5)
    top = 0.8
    _table(shot, table_y, top, (2.2, 0.6), (0.75, 0.65, 0.5))
    lines = ["便民服务区", "Convenience Services"]
    if dice("zone_sign_not_bilingual", 0.7):
        lines = ["便民服务区"]
    _wall_sign(shot, None, lines, 0.0, shot.room_depth - 0.03, 2.5, 2.0, 0.6, weights=[1.2, 0.8][: len(lines)],
               on_wall=True)
    if not dice("water_missing", 0.4):
        shot.thing("water_dispenser", -1.4, table_y, 0.0, float(rng.uniform(1.1, 1.3)), 0.4)  # bottle included
        _position_marks(shot, -1.4, table_y, 0.4, 0.4, dice)
    if not dice("first_aid_missing", 0.4):
        shot.box("first_aid_kit", -0.6, table_y - 0.05, top, (0.34, 0.2, 0.24), (0.95, 0.95, 0.95),
                 faces={"front": _first_aid_face()})
    if not dice("amenities_missing", 0.4):
        stand_front, stand_top = tx.umbrella_stand_faces(60, rng)
        shot.box("umbrella_stand", 1.4, table_y, 0.0, (0.35, 0.35, 0.6), (0.7, 0.71, 0.73),
                 faces={"front": stand_front, "left": stand_front, "right": stand_front, "top": stand_top})
        _position_marks(shot, 1.4, table_y, 0.35, 0.35, dice)
        shot.box("charging_station", 0.5, table_y - 0.1, top, (0.4, 0.2, 0.35), (0.2, 0.21, 0.24),
                 faces={"front": tx.charging_station_face(120, 105, rng)})
    if rng.uniform() < 0.6:
        _fire_extinguisher(shot, float(rng.uniform(-2.6, -2.2)), table_y + 0.6)
    _clutter(shot, dice, table_y - 1.0)
    _passers_by(shot, table_y + 0.8, chance=0.4)
    return shot


def _first_aid_face() -> np.ndarray:
    face = np.full((60, 100, 3), 0.95, np.float32)
    face[25:35, 35:65] = (0.8, 0.1, 0.1)
    face[12:48, 45:55] = (0.8, 0.1, 0.1)
    return face


def compose(area: Area, style: HallStyle, rng: np.random.Generator, dice: Dice, **extra: int) -> Shot:
    """The photo of ``area``: what the area holds (its composer), then what hangs on the wall around it."""
    shot = COMPOSERS[area](style, rng, dice, **extra)
    _wall_extras(shot)
    return shot


COMPOSERS: dict[Area, Callable[..., Shot]] = {
    Area.ENTRANCE: compose_entrance,
    Area.GUIDANCE_DESK: compose_guidance_desk,
    Area.WAITING_AREA: compose_waiting_area,
    Area.WINDOW_COUNTER: compose_window_counter,
    Area.BACK_OFFICE: compose_back_office,
    Area.SELF_SERVICE: compose_self_service,
    Area.CONVENIENCE: compose_convenience,
}

# The classes the generator draws and labels: the detector's classes, in a fixed order.
CLASSES: tuple[str, ...] = (
    "person", "work_badge", "volunteer_vest", "window_plate", "hanging_sign", "guide_map", "fire_exit_sign",
    "accessible_sign", "handwritten_note", "sticker", "evaluation_device", "name_plate", "monitor", "keyboard",
    "phone", "printer", "cup", "food", "bag", "plant", "paper_pile", "counter", "desk", "seat", "ticket_machine",
    "self_service_terminal", "call_screen", "fire_extinguisher", "bin", "water_dispenser", "first_aid_kit",
    "umbrella_stand", "charging_station", "clothing", "hat",
)
