"""Build one photo of a hall's functional area: the room, its furniture, signs, floor lines and people,
placed in metres, seen through a randomised inspector's camera, with exact truth of what it shows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

import cv2
import numpy as np

from auditor.facts import line_orientation
from auditor.synth import textures as tx
from auditor.synth.camera import Camera
from auditor.synth.people import PersonLook, draw_person
from auditor.synth.render import Colour, Frame, ambient_occlusion, downlight, finish, glossy_reflection
from auditor.synth.sprites import ThingSprite, choose_thing, draw_thing, thing_extent
from auditor.types import Box, LineFact, PersonFact, Role, TextFact

FLOOR_PX_PER_M = 80
# Things whose back is this close to the back wall take its space (see Shot.back_wall_free).
BACK_WALL_REACH_M = 0.3
# How much a floor's polish varies from worn patches to glossy ones (the spread of Shot._polish).
FLOOR_POLISH_SPREAD = 0.4
# Texels brighter than this give light (ceiling lights, windows onto the day; textures.ceiling stores them
# at 1.25-1.6), and how much brighter a light shows in the floor's reflection than its texel.
LIGHT_TEXEL = 1.22  # above any lit wall (scene._lit_wall clips at 1.2)
REFLECTED_LIGHT_GAIN = 5.0
# Share of the chest box that must show the person for their dress and badge to count as seen.
CHEST_VISIBLE = 0.6


# The accent band along a hall's back wall: one stripe, two thin ones, or none.
AccentBand = Literal["stripe", "double", "none"]


@dataclass
class HallStyle:
    """What stays the same across one street's photos: the district standard and the building."""

    street: str
    wall: Colour
    floor: Colour
    tile_m: float
    accent: Colour          # the district's blue of signs and counter stripes
    counter: Colour
    seat: Colour
    uniform: str            # the season's uniform colour name
    first_window: int
    # The building's finishes, which differ from street to street.
    wall_finish: tx.WallFinish = "paint"
    band: AccentBand = "stripe"  # the accent band along the back wall (areas.BANDS gives its stripes)
    ceiling: tx.CeilingKind = "panels"
    floor_pattern: tx.FloorPattern = "marble"
    counter_front: tx.CounterFront = "laminate"
    wood: Colour = (0.55, 0.38, 0.24)
    stone: Colour = (0.8, 0.77, 0.72)


@dataclass
class SignTruth:
    corners: np.ndarray                 # world quad of the sign face (tl, tr, br, bl)
    texture_size: tuple[int, int]       # (w, h) of its texture
    lines: list[tuple[str, tuple[float, float, float, float]]]  # text and its box in texture pixels
    label: int | None


@dataclass
class FloorLineTruth:
    start: tuple[float, float]
    end: tuple[float, float]
    colours: tuple[str, ...]
    distance_m: float | None


@dataclass
class PersonTruth:
    label: int
    look: PersonLook
    chest: tuple[int, int, int, int]  # pixel box of the chest


@dataclass
class Shot:
    """A scene under construction. Draw calls are queued with their depth and run far to near."""

    camera: Camera
    style: HallStyle
    rng: np.random.Generator
    room_width: float
    room_depth: float
    room_height: float
    frame: Frame = field(init=False)
    floor: np.ndarray = field(init=False)
    ops: list[tuple[tuple[float, float, float], int, Callable[[], None]]] = field(default_factory=list)
    signs: list[SignTruth] = field(default_factory=list)
    floor_lines: list[FloorLineTruth] = field(default_factory=list)
    people: list[PersonTruth] = field(default_factory=list)
    surface_items: dict[str, list[str]] = field(default_factory=dict)
    offscreen: bool = False       # while the floor's reflection or the shadow map is drawn: no truth
    floor_id: int = -1            # the floor's id in the frame, once rendered
    gloss: float = 0.22           # how much the polished floor reflects
    floor_things: bool = True     # whether things may stand on the floor at the back (not behind a counter)
    light_phase: float = 0.5      # where the row of downlights along the walls starts (in spacings)
    window_sides: list[int] = field(default_factory=list)  # side walls (-1 left, 1 right) with daylight windows
    # What is on or in front of the back wall, as (x0, x1, z0, z1) in metres: what hangs there later goes
    # where nothing is (a print pasted over a notice board, or hung behind a door, gives a render away).
    back_wall: list[tuple[float, float, float, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.frame = Frame(self.camera)
        self.light_phase = float(self.rng.uniform(0, 1))
        self.floor = _lit_floor(tx.floor_tiles(self.room_width, self.room_depth, self.rng, self.style.tile_m,
                                               self.style.floor, FLOOR_PX_PER_M, self.style.floor_pattern),
                                self.room_depth)

    # -- the back wall's space -------------------------------------------------------------------------------
    def take_back_wall(self, x0: float, x1: float, z0: float, z1: float, back_y: float) -> None:
        """Record a thing spanning x0..x1, z0..z1 whose back stands at ``back_y``: against the back wall, it
        takes that wall's space."""
        if self.room_depth - back_y <= BACK_WALL_REACH_M:
            self.back_wall.append((x0, x1, z0, z1))

    def back_wall_free(self, x0: float, x1: float, z0: float, z1: float, margin: float = 0.1) -> bool:
        """Whether nothing on or against the back wall overlaps this span (metres), with ``margin`` either
        side: things side by side need room between them, where a board may hang just above a chair."""
        return all(x1 + margin <= a or x0 - margin >= b or z1 <= c or z0 >= d
                   for a, b, c, d in self.back_wall)

    # -- queueing -------------------------------------------------------------------------------------------
    def custom(self, anchor: tuple[float, float, float], draw: Callable[[], None], on: str | None = None,
               name: str | None = None) -> None:
        """Queue a draw call of its own (a plant of several boxes); sorted by the depth of ``anchor`` from
        whichever camera draws, and recorded as an item on surface ``on`` if given."""
        if on is not None and name is not None and not self.offscreen:
            self.surface_items.setdefault(on, []).append(name)
        self.ops.append((anchor, len(self.ops), draw))

    def box(self, name: str | None, x: float, y: float, bottom: float, size: tuple[float, float, float],
            colour: Colour, faces: dict[str, np.ndarray] | None = None, shadow: bool = True,
            on: str | None = None) -> None:
        """A box object; ``name`` labels it (None: unlabelled furniture); ``on`` records the surface it sits on."""
        self.take_back_wall(x - size[0] / 2, x + size[0] / 2, bottom, bottom + size[2], y + size[1] / 2)
        def draw() -> None:
            if shadow and bottom < 0.01:
                self.frame.shadow(x, y, size[0] * 0.62, size[1] * 0.62)
            label = self.frame.new_label(name) if name else None
            self.frame.box(x, y, bottom, size, colour, label, faces)

        self.custom((x, y - size[1] / 2, bottom + size[2] / 2), draw, on=on, name=name)

    def thing(self, kind: str, x: float, y: float, bottom: float, height_m: float | None, depth_m: float,
              on: str | None = None, sprite: ThingSprite | None = None) -> None:
        """A freestanding object of class ``kind`` (a plant, a bin, a cup...; "_chair" and the like are
        unlabelled clutter) drawn from a sprite of a 3D model, standing at (x, y) on the floor or on a top at
        height ``bottom`` (wall things hang there); ``depth_m``: the depth of its footprint; ``on`` records the
        surface it sits on; ``sprite`` gives the sprite (a row of the same chairs); ``height_m`` None: the
        model's own height (cabinets of different kinds)."""
        on_floor = bottom < 0.01
        chosen = sprite or choose_thing(self.rng, kind, "floor" if on_floor else "top")
        height = height_m if height_m is not None else chosen.model_height_m * float(self.rng.uniform(0.95, 1.05))
        left, right = thing_extent(chosen, height)
        self.take_back_wall(x - left, x + right, bottom, bottom + height, y + depth_m / 2)

        def draw() -> None:
            if on_floor:
                self.frame.shadow(x, y, depth_m * 0.7, depth_m * 0.6)
            label = self.frame.new_label(kind)
            draw_thing(self.frame, chosen, (x, y, bottom), (x, y - depth_m / 2, bottom), height, label)

        self.custom((x, y - depth_m / 2, bottom + height / 2), draw, on=on, name=kind)

    def plane(self, name: str | None, corners: list[tuple[float, float, float]], texture: np.ndarray,
              text_lines: list[tuple[str, tuple[float, float, float, float]]] | None = None,
              wall_finish: bool = False) -> None:
        """A flat textured thing (sign, poster, note) given by world corners tl, tr, br, bl.

        Decals a centimetre in front of a wall or counter front win over it in the depth buffer, whatever
        the drawing order. ``wall_finish``: part of the wall's own finish (a band, a shadow), which leaves
        its space free for things to hang there.
        """
        quad = np.asarray(corners, dtype=float)
        if not wall_finish:
            self.take_back_wall(float(quad[:, 0].min()), float(quad[:, 0].max()), float(quad[:, 2].min()),
                                 float(quad[:, 2].max()), float(quad[:, 1].max()))
        sign = SignTruth(quad, (texture.shape[1], texture.shape[0]), text_lines or [], None)
        if text_lines:
            self.signs.append(sign)

        def draw() -> None:
            # Unnamed signs still get an id ("_sign") so the truth can tell whether their text is in view.
            label = self.frame.new_label(name or "_sign")
            if not self.offscreen:
                sign.label = label
            self.frame.world_plane(quad, texture, label=label, lit=False)

        cx, cy, cz = quad.mean(axis=0)
        self.custom((float(cx), float(cy), float(cz)), draw)

    def person(self, look: PersonLook, x: float, y: float) -> None:
        def draw() -> None:
            # A faint shadow round the feet; the dark contact shadow under each shoe comes with the figure
            # (people._feet_shadow): one dark blob between the feet read as "feet not planted".
            self.frame.shadow(x, y, 0.26, 0.16, 0.2)
            holder: list[tuple[int, tuple[int, int, int, int]]] = []
            self.frame.sprite(lambda px, py, sc: holder.append(draw_person(self.frame, px, py, sc, look)), (x, y, 0.0))
            if holder and not self.offscreen:
                self.people.append(PersonTruth(holder[0][0], look, holder[0][1]))

        self.custom((x, y, 1.0), draw)

    def floor_line(self, start: tuple[float, float], end: tuple[float, float], colour: str, rgb: Colour,
                   width_m: float = 0.1, distance_m: float | None = None, pattern: tx.TapePattern = "solid",
                   second: tuple[str, Colour] | None = None) -> None:
        """Paint a line on the floor (metres; y from the camera's foot), a little worn as tape gets.
        ``pattern`` and ``second`` (its name and colour): dashed tape, or hazard stripes of two colours."""
        if pattern == "striped" and second is None:
            second = ("black", tx.HAZARD_BLACK)
        wear = float(self.rng.uniform(0.0, 0.12))
        tx.paint_floor_line(self.floor, FLOOR_PX_PER_M, start[0] + self.room_width / 2, start[1],
                            end[0] + self.room_width / 2, end[1], width_m, rgb, wear, self.rng, pattern=pattern,
                            second=second[1] if second else None)
        colours = (colour, second[0]) if pattern == "striped" and second else (colour,)
        self.floor_lines.append(FloorLineTruth(start, end, colours, distance_m))

    # -- rendering ------------------------------------------------------------------------------------------
    def _room(self, floor: bool = True) -> int:
        """Draw floor, walls and ceiling; returns the floor's id (where reflections may show)."""
        w, d, h = self.room_width / 2, self.room_depth, self.room_height
        f = self.frame
        floor_id = f.new_label("_floor")
        if floor:
            f.world_plane(np.array([(-w, d, 0), (w, d, 0), (w, 0, 0), (-w, 0, 0)]), self.floor, label=floor_id,
                          lit=False)
        style = self.style
        f.world_plane(np.array([(-w, d, h), (w, d, h), (w, d, 0), (-w, d, 0)]),
                      _lit_wall(tx.wall(2 * w, h, style.wall, self.rng, finish=style.wall_finish,
                                        wood_colour=style.wood, stone_colour=style.stone), phase=self.light_phase),
                      lit=False)
        # Side walls: the back wall's stone or wainscot runs round; a veneer feature wall is the back wall's.
        # They face the light less squarely than the back wall, so they are a little darker.
        side_finish = "paint" if style.wall_finish == "veneer" else style.wall_finish
        for side in (-1, 1):
            x = side * w
            corners = [(x, 0, h), (x, d, h), (x, d, 0), (x, 0, 0)] if side < 0 else \
                [(x, d, h), (x, 0, h), (x, 0, 0), (x, d, 0)]
            texture = tx.wall(d, h, style.wall, self.rng, panel_m=1.2, finish=side_finish, wood_colour=style.wood,
                              stone_colour=style.stone) * 0.9
            f.world_plane(np.array(corners), _lit_wall(texture), lit=False)
        f.world_plane(np.array([(-w, 0, h), (w, 0, h), (w, d, h), (-w, d, h)]),
                      tx.ceiling(2 * w, d, self.rng, kind=style.ceiling), lit=False)
        return floor_id

    def _draw_ops(self) -> None:
        for _, _, draw in sorted(((self.camera.depth_of(np.asarray(a)), i, d) for a, i, d in self.ops),
                                 key=lambda op: (-op[0], op[1])):
            draw()

    @contextmanager
    def _offscreen(self, camera: Camera) -> Iterator[Frame]:
        """Draw the scene from another viewpoint (the floor's mirror image, the ceiling light) into a frame
        of its own, recording no truth; the photo's camera and frame come back afterwards."""
        real_frame, real_camera = self.frame, self.camera
        self.camera, self.frame, self.offscreen = camera, Frame(camera, floor_shadows=False), True
        try:
            yield self.frame
        finally:
            self.frame, self.camera, self.offscreen = real_frame, real_camera, False

    def _reflection(self) -> np.ndarray:
        """The scene as the polished floor reflects it, softened like a real floor."""
        camera = self.camera.reflected()
        with self._offscreen(camera) as mirror:
            self._room(floor=False)  # the ceiling's light panels and the walls show in a polished floor
            self._draw_ops()
        height = camera.unproject(mirror.depth)[:, 2].reshape(mirror.depth.shape)
        # A light is many times brighter than a white wall, though its texture stores it only a little above
        # white: the floor, reflecting a few per cent, shows the lights as glare and the walls hardly.
        brightness = mirror.rgb.max(axis=2)
        # Eased in over 0.2 above LIGHT_TEXEL: a hard step made bands in the reflected street's sky.
        gain = 1 + (REFLECTED_LIGHT_GAIN - 1) * np.clip((brightness - LIGHT_TEXEL) / 0.2, 0, 1)
        mirror.rgb *= gain[..., None]
        return glossy_reflection(mirror.rgb, np.where(np.isfinite(mirror.depth), height, np.inf))

    def _shadows(self, rng: np.random.Generator, points: np.ndarray, size: int = 384) -> np.ndarray:
        """Soft shadows cast on the floor by the ceiling light above the middle of the scene (shadow
        mapping): floor the light cannot see from where it hangs lies in shadow. ``points``: the photo's
        pixels in the world (``camera.unproject`` of its depth). Returns a darkening factor per photo pixel."""
        light = Camera(width=size, height=size, focal_px=size / 2 / np.tan(np.deg2rad(62)),
                       cam_height=self.room_height - 0.05, pitch_deg=90.0,
                       x0=float(rng.uniform(-2.0, 2.0)), y0=float(rng.uniform(0.35, 0.65)) * self.room_depth)
        with self._offscreen(light) as seen_by_light:
            self._draw_ops()
        depth = self.frame.depth
        finite = np.isfinite(depth).reshape(-1)
        px, lz = light.project(points)
        col, row = np.round(px[:, 0]).astype(int), np.round(px[:, 1]).astype(int)
        inside = finite & (lz > 0.2) & (col >= 0) & (col < size) & (row >= 0) & (row < size)
        # The nearest occluder around the sample point, so a thin edge does not flicker in and out.
        occluder = np.minimum(cv2.erode(seen_by_light.depth, np.ones((3, 3), np.uint8)), 1e6)  # nothing: far
        blocked = np.zeros(depth.size, np.float32)
        idx = np.nonzero(inside)[0]
        blocked[idx] = lz[idx] > occluder[row[idx], col[idx]] * 1.03 + 0.04
        # The floor receives the shadows; vertical faces seen edge-on by a light overhead would only show
        # the shadow map's aliasing.
        floor = (self.frame.ids == self.floor_id).astype(np.float32)
        blocked = cv2.GaussianBlur(blocked.reshape(depth.shape) * floor, (0, 0), 3.5) * floor
        return 1.0 - 0.38 * blocked

    def ceiling_lights(self) -> np.ndarray:
        """World points (K, 3) of the ceiling's lights, on the grid textures.ceiling draws them on. Not quite
        the same lights: the texture leaves out a light whose tile would touch the far or the right wall, this
        list (and _lit_floor's) keeps it, so a room can be lit by up to a row more lights than its ceiling
        shows. One function giving the lights to all three is the mend; it changes every photo."""
        first_x, first_y = tx.CEILING_FIRST_LIGHT_M
        xs = np.arange(first_x, self.room_width, tx.CEILING_LIGHT_SPACING_M) - self.room_width / 2
        ys = np.arange(first_y, self.room_depth, tx.CEILING_LIGHT_SPACING_M)
        return np.array([(x, y, self.room_height - 0.02) for x in xs for y in ys], dtype=float).reshape(-1, 3)

    def _polish(self, rng: np.random.Generator) -> np.ndarray:
        """Per pixel of the floor (drawn alone, before anything stands on it), how much of its polish it
        keeps: patches a metre or two across, dull where feet and the mop have worn it, glossy where they
        have not. An even mirror over the whole floor read to blind judges as "perfect reflections"."""
        points = self.camera.unproject(self.frame.depth).reshape(*self.frame.depth.shape, 3)
        px_per_m = 10
        wear = tx.fbm(int(self.room_depth * px_per_m) + 2, int(self.room_width * px_per_m) + 2, rng,
                      cell_px=1.5 * px_per_m, octaves=3)
        map_x = ((points[..., 0] + self.room_width / 2) * px_per_m).astype(np.float32)
        map_y = (points[..., 1] * px_per_m).astype(np.float32)
        sampled = cv2.remap(wear, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        return np.clip(1 + FLOOR_POLISH_SPREAD * sampled, 0.3, 1.5).astype(np.float32)

    def render(self, photo_rng: np.random.Generator) -> np.ndarray:
        reflection = self._reflection()
        self.floor_id = self._room()
        floor = (self.frame.ids == self.floor_id).astype(np.float32)
        # Fresnel: a floor seen at a grazing angle (far away) mirrors more than the floor at one's feet.
        grazing = np.clip((np.nan_to_num(self.frame.depth, posinf=0.0) - 1.0) / 6.0, 0, 1)
        alpha = (floor * self.gloss * (0.45 + 0.9 * grazing) * self._polish(photo_rng))[..., None]
        self.frame.rgb[:] = self.frame.rgb * (1 - alpha) + reflection * alpha
        self._draw_ops()
        # Where each pixel is in the room, for the downlights and for the shadow map alike.
        points = self.camera.unproject(self.frame.depth)
        lit = downlight(self.camera, self.frame.depth, points, self.ceiling_lights())
        # Light panels and windows give light rather than take it: they keep their brightness.
        # (Not the floor: the lights' glare in it is reflected light, and is lit like the floor.)
        glowing = (self.frame.rgb.max(axis=2) > LIGHT_TEXEL) & (self.frame.ids != self.floor_id)
        lit[glowing] = np.maximum(lit[glowing], 1.0)
        self.frame.rgb *= (ambient_occlusion(self.frame.depth) * self._shadows(photo_rng, points) * lit)[..., None]
        self.frame.rgb *= _daylight(self.camera.width, self.window_sides, photo_rng)
        return finish(
            self.frame.rgb, photo_rng,
            exposure=float(photo_rng.uniform(0.72, 0.98)),
            colour_temp=_white_balance(photo_rng),
            vignette=float(photo_rng.uniform(0.1, 0.35)),
            noise=float(photo_rng.uniform(0.006, 0.02)),
            blur=float(photo_rng.uniform(0.3, 0.9)),
            # A slight hand shake only: a stronger one would smear sign text the truth records as legible.
            shake=float(photo_rng.uniform(1, 3)) if photo_rng.uniform() < 0.25 else 0.0,
            hotspot=(float(photo_rng.uniform(0.3, 0.7)) * self.camera.width,
                     float(photo_rng.uniform(0.0, 0.4)) * self.camera.height),
        )

    # -- truth ----------------------------------------------------------------------------------------------
    def boxes(self) -> list[tuple[int, str, Box]]:
        """(label id, class name, visible box) of every labelled object in view."""
        return [(index, name, (float(b[0]), float(b[1]), float(b[2]), float(b[3])))
                for index, name, b, _ in self.frame.visible_boxes()]

    def texts(self, min_height_px: float = 9.0) -> list[TextFact]:
        """Every sign line large enough to read and mostly in view, with its box in the photo."""
        out = []
        for sign in self.signs:
            if sign.label is None:
                continue
            tw, th = sign.texture_size
            c = sign.corners
            for text, (x0, y0, x1, y1) in sign.lines:
                quad = np.array([c[0] + (c[1] - c[0]) * (u / tw) + (c[3] - c[0]) * (v / th)
                                 for u, v in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))])
                px, depth = self.camera.project(quad)
                if (depth < 0.3).any():
                    continue
                bx0, by0 = px.min(axis=0)
                bx1, by1 = px.max(axis=0)
                if by1 - by0 < min_height_px:
                    continue
                box = (max(bx0, 0.0), max(by0, 0.0), min(bx1, self.camera.width), min(by1, self.camera.height))
                # Only a line a reader could read whole counts as legible: one cut by the photo's edge or
                # partly hidden (a pillar, a head) reads as a fragment, which no rule should be judged on.
                if (box[2] - box[0]) * (box[3] - box[1]) < 0.98 * (bx1 - bx0) * (by1 - by0):
                    continue  # cut off by the frame
                ids = self.frame.ids[int(box[1]):int(box[3]), int(box[0]):int(box[2])]
                if ids.size == 0 or (ids == sign.label).mean() < 0.92:
                    continue  # hidden behind something
                out.append(TextFact(text=text, box=tuple(round(v, 1) for v in box), confidence=1.0))  # type: ignore[arg-type]
        return out

    def lines(self) -> list[LineFact]:
        out = []
        for line in self.floor_lines:
            pts = np.array([(line.start[0], line.start[1], 0.0), (line.end[0], line.end[1], 0.0)])
            # Keep the stretch in front of the camera and inside the frame.
            samples = np.linspace(pts[0], pts[1], 60)
            px, depth = self.camera.project(samples)
            inside = (depth > 0.3) & (px[:, 0] >= 0) & (px[:, 0] < self.camera.width) & (px[:, 1] >= 0) & \
                     (px[:, 1] < self.camera.height)
            # Only the stretch where the floor itself shows: a line behind a row of seats is not seen.
            cols = np.clip(px[:, 0].astype(int), 0, self.camera.width - 1)
            rows = np.clip(px[:, 1].astype(int), 0, self.camera.height - 1)
            inside &= self.frame.ids[rows, cols] == self.floor_id
            if inside.sum() < 6:  # a tenth of the line at least
                continue
            seen = px[inside]
            p1, p2 = tuple(seen[0]), tuple(seen[-1])
            length = float(np.hypot(p2[0] - p1[0], p2[1] - p1[1]))
            out.append(LineFact(points=((round(p1[0], 1), round(p1[1], 1)), (round(p2[0], 1), round(p2[1], 1))),
                                colours=line.colours, length_px=round(length, 1), orientation=line_orientation(p1, p2),
                                distance_m=line.distance_m))
        return out

    def persons(self, boxes_by_label: dict[int, Box]) -> list[PersonFact]:
        """Every person in view; dress colour and badge only where the chest shows (else unknown: None),
        except that a badge showing as a labelled object of its own is worn whatever else hides the chest
        (a seated clerk's badge just above the counter's edge): what the detector is taught to find there,
        an inspector sees too."""
        out = []
        for person in self.people:
            box = boxes_by_label.get(person.label)
            if box is None:
                continue
            x0, y0, x1, y1 = person.chest
            chest = self.frame.ids[max(y0, 0):max(y1, 0), max(x0, 0):max(x1, 0)]
            own = {person.label} | {i for i, lab in enumerate(self.frame.labels) if lab.parent == person.label}
            shown = chest.size > 0 and np.isin(chest, list(own)).mean() >= CHEST_VISIBLE
            badge_in_view = any(self.frame.labels[i].name == "work_badge" and i in boxes_by_label for i in own)
            out.append(PersonFact(box=box, confidence=1.0, role=Role(person.look.role),
                                  top_colour=person.look.top if shown else None,
                                  badge=True if badge_in_view else person.look.badge if shown else None))
        return out


def _lit_floor(texture: np.ndarray, room_depth: float, px_per_m: int = FLOOR_PX_PER_M) -> np.ndarray:
    """The floor under the ceiling's lights (where textures.ceiling hangs them): a pool of light under each,
    and darker along the walls, where less of the ceiling lights it."""
    h, w = texture.shape[:2]
    xs = np.arange(w, dtype=np.float32)[None, :] / px_per_m               # metres from the left wall
    ys = room_depth - np.arange(h, dtype=np.float32)[:, None] / px_per_m  # metres from the front (row 0: far)
    pools = np.zeros((h, w), np.float32)
    first_x, first_y = tx.CEILING_FIRST_LIGHT_M
    for cx in np.arange(first_x, w / px_per_m, tx.CEILING_LIGHT_SPACING_M):
        for cy in np.arange(first_y, room_depth, tx.CEILING_LIGHT_SPACING_M):
            pools = np.maximum(pools, np.exp(-((xs - cx) ** 2 + (ys - cy) ** 2) / (2 * 0.75 ** 2)))
    to_wall = np.minimum(np.minimum(xs, w / px_per_m - xs), room_depth - ys)
    # Dimmer than the walls' texture light: the downlight pass adds the floor's light from facing the lights.
    light = (0.74 + 0.16 * pools) * (1 - 0.12 * np.exp(-to_wall / 0.6))
    return texture * light[..., None]


def _lit_wall(texture: np.ndarray, px_per_m: int = 40, light_spacing_m: float = tx.CEILING_LIGHT_SPACING_M,
              phase: float = 0.5) -> np.ndarray:
    """Walls are lit from the ceiling: brighter up high, darker where they meet the floor, with the
    scallops of light that downlights near a wall throw onto it."""
    h, w = texture.shape[:2]
    ramp = np.linspace(1.04, 0.84, h, dtype=np.float32) ** 1.5
    below = np.linspace(0, h / px_per_m, h, dtype=np.float32)[:, None]   # metres under the ceiling
    xs = np.arange(w, dtype=np.float32)[None, :] / px_per_m
    scallops = np.zeros((h, w), np.float32)
    for centre in np.arange(phase * light_spacing_m, w / px_per_m, light_spacing_m):
        spread = 0.15 + 0.4 * below
        scallops += np.exp(-((xs - centre) / spread) ** 2) * np.exp(-below / 1.4) * np.clip(below * 4, 0, 1)
    light = ramp[:, None] * (0.93 + 0.22 * scallops)
    return np.clip(texture * light[..., None], 0, 1.2)


def _daylight(width: int, window_sides: list[int], rng: np.random.Generator) -> np.ndarray:
    """Light across the photo from one side: daylight through the side windows (bluish, strong) or, with
    none, the uneven spread of the room's lights. A hall is never lit evenly from wall to wall. Returns a
    (1, width, 3) gain."""
    side = int(rng.choice(window_sides)) if window_sides else int(rng.choice([-1, 1]))
    strength = float(rng.uniform(0.18, 0.38)) if window_sides else float(rng.uniform(0.06, 0.16))
    ramp = np.linspace(0.0, 1.0, width, dtype=np.float32)
    ramp = (ramp if side > 0 else ramp[::-1]) ** 1.6
    gain = (1 - strength * 0.45) + strength * ramp
    tint = np.array([0.97, 1.0, 1.05] if window_sides else [1.0, 1.0, 1.0], np.float32)
    light = gain[:, None] * (1 + (tint - 1) * ramp[:, None])
    return light[None, :, :]


def _white_balance(rng: np.random.Generator) -> Colour:
    """Office light between warm (3500 K) and cool (6500 K), as a phone's auto white balance leaves it."""
    warm = float(rng.uniform(-1, 1))
    return (1.0 + 0.06 * warm, 1.0 + 0.01 * warm, 1.0 - 0.07 * warm)
