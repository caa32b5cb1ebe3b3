"""Textures for the hall's surfaces and signs, as float RGB(A) arrays in 0..1.

Signs carry real text (Chinese and English, rendered with the CJK font), because the auditor reads it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Literal, get_args

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from auditor.fonts import cjk_font_path

Colour = tuple[float, float, float]


@lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont:
    path = cjk_font_path()
    if path is None:
        raise RuntimeError("no CJK font: run `make setup` (installs fonts-wqy-microhei)")
    return ImageFont.truetype(str(path), size)


def _to_float(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.float32) / 255.0


def _rgb255(colour: Colour) -> tuple[int, int, int]:
    return tuple(int(round(c * 255)) for c in colour)  # type: ignore[return-value]


def fbm(height: int, width: int, rng: np.random.Generator, cell_px: float = 64.0, octaves: int = 4,
        stretch: tuple[float, float] = (1.0, 1.0)) -> np.ndarray:
    """Fractal noise (zero mean, unit spread): random grids upsampled smoothly, each octave half the cell size
    and half the strength. Real surfaces vary at every scale; one flat colour is what reads as a drawing.
    ``stretch`` (x, y) makes grains longer in one direction (wood, brushed metal)."""
    out = np.zeros((height, width), np.float32)
    amplitude, cell = 1.0, cell_px
    for _ in range(octaves):
        gw = max(int(width / (cell * stretch[0])) + 2, 2)
        gh = max(int(height / (cell * stretch[1])) + 2, 2)
        grid = rng.normal(0, 1, (gh, gw)).astype(np.float32)
        out += amplitude * cv2.resize(grid, (width, height), interpolation=cv2.INTER_CUBIC)
        amplitude, cell = amplitude * 0.5, max(cell / 2, 1.0)
    return (out - out.mean()) / (out.std() + 1e-6)


FloorPattern = Literal["marble", "terrazzo", "porcelain"]
FLOOR_PATTERNS: tuple[FloorPattern, ...] = get_args(FloorPattern)


def _known(value: str, allowed: tuple[str, ...], what: str) -> None:
    """A misspelt finish would silently fall back to the default one: refuse it instead."""
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; one of {', '.join(allowed)}")


def floor_tiles(width_m: float, depth_m: float, rng: np.random.Generator, tile_m: float, base: Colour,
                px_per_m: int = 48, pattern: FloorPattern = "marble") -> np.ndarray:
    """Polished floor tiles, each its own cut of one slab with a slight tone difference, darker grout joints
    and fine scuffs. ``pattern``: "marble" (veined stone), "terrazzo" (stone chips in cement) or
    "porcelain" (large plain tiles, clouded)."""
    _known(pattern, FLOOR_PATTERNS, "floor pattern")
    w, h = int(width_m * px_per_m), int(depth_m * px_per_m)
    tile = max(int(tile_m * px_per_m), 8)
    # One big slab; every tile shows a different, randomly placed cut of it.
    slab_h, slab_w = tile * 3, tile * 3
    cloud = fbm(slab_h, slab_w, rng, cell_px=tile * 0.6, octaves=3)
    if pattern == "terrazzo":
        # Chips a pixel (1-2 cm) across, darker and lighter than the cement, with no colour of their own
        # (a coloured chip would read as tape to the floor-line check, as it would to an inspector).
        chips = rng.uniform(0, 1, (slab_h, slab_w)).astype(np.float32)
        dark = cv2.GaussianBlur((chips < 0.035).astype(np.float32), (3, 3), 0.6)
        light = cv2.GaussianBlur((chips > 0.975).astype(np.float32), (3, 3), 0.6)
        slab = 1.0 - 0.22 * dark + 0.08 * light + 0.025 * cloud
    elif pattern == "porcelain":
        slab = 1.0 + 0.03 * cloud + 0.008 * fbm(slab_h, slab_w, rng, cell_px=3, octaves=2)
    else:
        warp = fbm(slab_h, slab_w, rng, cell_px=tile * 0.5, octaves=4)
        yy, xx = np.mgrid[0:slab_h, 0:slab_w].astype(np.float32)
        angle = rng.uniform(0, np.pi)
        veins = np.sin((xx * np.cos(angle) + yy * np.sin(angle)) / (tile * 0.35) + 3.2 * warp)
        vein = np.exp(-np.abs(veins) * 9.0)          # thin dark veins where the sine crosses zero
        slab = 1.0 - 0.07 * vein + 0.02 * cloud
    img = np.empty((h, w, 3), np.float32)
    base_arr = np.asarray(base, np.float32)
    for ty in range(0, h, tile):
        for tx_ in range(0, w, tile):
            oy, ox = int(rng.integers(0, slab_h - tile)), int(rng.integers(0, slab_w - tile))
            patch = slab[oy:oy + tile, ox:ox + tile]
            if rng.uniform() < 0.5:
                patch = patch.T
            ph, pw = min(tile, h - ty), min(tile, w - tx_)
            img[ty:ty + ph, tx_:tx_ + pw] = patch[:ph, :pw, None] * base_arr * rng.uniform(0.96, 1.03)
    # Wear: fine scuffs, grey grime where people walk (patchy over metres), and spots (gum, drips, marks).
    # All of it colourless, as dirt on a hall floor is, so that no stain reads as a coloured floor line.
    scuffs = fbm(h, w, rng, cell_px=6, octaves=2)
    grime = np.clip(fbm(h, w, rng, cell_px=px_per_m * 1.5, octaves=4), -1.5, 2.5)
    # Dirt gathers where the mop does not reach: a grey margin along the walls, a hand's width wide.
    edge = np.minimum(np.minimum(np.arange(w)[None, :], w - 1 - np.arange(w)[None, :]), np.arange(h)[:, None])
    margin = np.exp(-edge.astype(np.float32) / (0.08 * px_per_m))
    img *= (1 + 0.02 * scuffs - 0.07 * grime - 0.12 * margin)[..., None]
    # Black heel marks: short strokes a few centimetres long, a couple per square metre, any way round.
    _strokes(img, rng, int(rng.poisson(2.0 * width_m * depth_m)), lambda: (rng.uniform(0, w), rng.uniform(0, h)),
             px_per_m, lengths_m=(0.03, 0.12), angles=(0, np.pi), faintest=0.4, darkness=0.35, blur=0.7)
    spots = np.zeros((h, w), np.float32)
    for chance, size, softness in ((0.00008, 1, 0.6), (0.00002, 3, 1.2)):
        dots = cv2.dilate((rng.uniform(0, 1, (h, w)) < chance).astype(np.float32), np.ones((size, size), np.uint8))
        spots += cv2.GaussianBlur(dots, (0, 0), softness) * rng.uniform(0.5, 1.0, (h, w)).astype(np.float32)
    img *= (1 - 0.3 * np.clip(spots * 2, 0, 1))[..., None]
    grout = base_arr * 0.72
    for y in range(0, h, tile):
        img[y:y + 1] = grout
        img[max(y - 1, 0):y + 2] *= 0.96      # dirt gathers along the joints
    for x in range(0, w, tile):
        img[:, x:x + 1] = grout
        img[:, max(x - 1, 0):x + 2] *= 0.96
    # The texture is seen from far away: pre-filter so tiles don't shimmer when minified.
    return cv2.GaussianBlur(img, (3, 3), 0.7)


def wood(width_px: int, height_px: int, colour: Colour, rng: np.random.Generator) -> np.ndarray:
    """Wood veneer: long grain along the width, wavy growth rings, lighter towards the top edge."""
    streaks = fbm(height_px, width_px, rng, cell_px=max(height_px / 6, 4), octaves=4, stretch=(12.0, 1.0))
    rings = np.sin(np.linspace(0, rng.uniform(8, 14), height_px, dtype=np.float32)[:, None] * np.pi
                   + 2.5 * fbm(height_px, width_px, rng, cell_px=max(width_px / 3, 8), octaves=2))
    tone = 1 + 0.07 * streaks + 0.05 * rings
    img = np.asarray(colour, np.float32) * tone[..., None]
    img *= np.linspace(1.06, 0.94, height_px, dtype=np.float32)[:, None, None]
    return np.clip(img, 0, 1)


def surface(colour: Colour, width_px: int, height_px: int, rng: np.random.Generator, roughness: float = 0.03
            ) -> np.ndarray:
    """A painted or laminated face: the colour with soft blotches at several scales, lighter towards the
    top (lit from the ceiling), a bright bevel along the top edge and a dark seam along the bottom."""
    noise = fbm(height_px, width_px, rng, cell_px=max(min(width_px, height_px) / 3, 4), octaves=4)
    img = np.asarray(colour, np.float32) * (1 + roughness * noise)[..., None]
    img *= np.linspace(1.05, 0.9, height_px, dtype=np.float32)[:, None, None]
    edge = max(height_px // 60, 1)
    img[:edge] = np.clip(img[:edge] * 1.25 + 0.04, 0, 1)
    img[-edge:] *= 0.75
    return np.clip(img, 0, 1)


# How a floor tape is patterned: one colour throughout, dashes with floor between them, or hazard stripes
# (two colours in bands at 45 degrees across the tape).
TapePattern = Literal["solid", "dashed", "striped"]
HAZARD_BLACK: Colour = (0.05, 0.05, 0.05)


def paint_floor_line(texture: np.ndarray, px_per_m: int, x0_m: float, y0_m: float, x1_m: float, y1_m: float,
                     width_m: float, colour: Colour, wear: float = 0.0, rng: np.random.Generator | None = None,
                     pattern: TapePattern = "solid", second: Colour | None = None, period_m: float = 0.0) -> None:
    """Paint a tape or paint line in floor metres (texture rows run from the far edge). ``pattern``: dashed
    (dashes and gaps of ``period_m / 2``) or striped (``colour`` and ``second`` in bands ``period_m / 2``
    wide at 45 degrees); the period defaults to 6 tape widths for dashes and 2 for stripes."""
    h = texture.shape[0]

    # Coverage from each pixel centre's distance to the tape's centre line, so the tape is exactly width_m
    # wide (cv2.line with a thickness draws one pixel more than asked: a 10 cm tape came out 11.25 cm).
    start = np.array([x0_m * px_per_m, h - y0_m * px_per_m])
    end = np.array([x1_m * px_per_m, h - y1_m * px_per_m])
    length = max(float(np.hypot(*(end - start))), 1e-6)
    along = (end - start) / length
    half = max(width_m * px_per_m, 2.0) / 2
    # Only the tape's bounding box (plus the blur's reach) is computed: a floor texture has a million pixels.
    lo = np.floor(np.minimum(start, end) - half - 3).astype(int).clip(0)
    hi = np.ceil(np.maximum(start, end) + half + 3).astype(int).clip(None, (texture.shape[1], h))
    layer = np.zeros(texture.shape[:2], np.float32)
    if (hi <= lo).any():
        return
    rows, cols = np.mgrid[lo[1]:hi[1], lo[0]:hi[0]].astype(np.float32)
    rel_x, rel_y = cols + 0.5 - start[0], rows + 0.5 - start[1]
    t = np.clip(rel_x * along[0] + rel_y * along[1], 0, length)
    distance = np.hypot(rel_x - t * along[0], rel_y - t * along[1])
    layer[lo[1]:hi[1], lo[0]:hi[0]] = np.clip(half - distance + 0.5, 0.0, 1.0)
    paint: np.ndarray | Colour = colour
    if pattern != "solid":
        period = (period_m or width_m * (6 if pattern == "dashed" else 2)) * px_per_m
        if pattern == "dashed":
            layer[lo[1]:hi[1], lo[0]:hi[0]] *= (t % period) < period / 2
        else:
            across = rel_x * -along[1] + rel_y * along[0]
            first = (np.floor((t + across) / (period / 2)).astype(int) % 2 == 0)[..., None]
            bands = np.zeros((*texture.shape[:2], 3), np.float32)
            bands[lo[1]:hi[1], lo[0]:hi[0]] = np.where(first, np.asarray(colour, np.float32),
                                                       np.asarray(second or HAZARD_BLACK, np.float32))
            paint = bands
    if wear > 0 and rng is not None:
        holes = cv2.resize(rng.uniform(0, 1, (max(h // 6, 2), max(texture.shape[1] // 6, 2))).astype(np.float32),
                           (texture.shape[1], h), interpolation=cv2.INTER_NEAREST)
        layer *= holes > wear
    layer = cv2.GaussianBlur(layer, (3, 3), 0.7)[..., None]
    texture[:] = texture * (1 - layer) + np.asarray(paint, np.float32) * layer


def paint_floor_patch(texture: np.ndarray, px_per_m: int, x0_m: float, y0_m: float, x1_m: float, y1_m: float,
                      colour: Colour) -> None:
    """Paint a rectangle of the floor (a mat, an inlaid tile) in floor metres, its edges softened by a pixel."""
    h = texture.shape[0]
    layer = np.zeros(texture.shape[:2], np.float32)
    cols = np.clip(np.round(np.array([x0_m, x1_m]) * px_per_m).astype(int), 0, texture.shape[1])
    rows = np.clip(np.round(h - np.array([y1_m, y0_m]) * px_per_m).astype(int), 0, h)
    layer[rows[0]:rows[1], cols[0]:cols[1]] = 1.0
    layer = cv2.GaussianBlur(layer, (3, 3), 0.7)[..., None]
    texture[:] = texture * (1 - layer) + np.asarray(colour, np.float32) * layer


WallFinish = Literal["paint", "wainscot", "stone", "veneer"]
WALL_FINISHES: tuple[WallFinish, ...] = get_args(WallFinish)


def veneer(width_px: int, height_px: int, colour: Colour, rng: np.random.Generator, board_px: int) -> np.ndarray:
    """Wood veneer wall boards standing upright, ``board_px`` wide: grain along the height, each board its
    own cut and tone, dark V-grooves between them."""
    img = np.transpose(wood(height_px, width_px, colour, rng), (1, 0, 2)).copy()
    for x in range(0, width_px, max(board_px, 4)):
        img[:, x:x + board_px] *= rng.uniform(0.95, 1.04)
        img[:, x:x + 1] *= 0.72
    return np.clip(img, 0, 1)


def stone_panels(width_px: int, height_px: int, colour: Colour, rng: np.random.Generator, panel_px: tuple[int, int]
                 ) -> np.ndarray:
    """Large stone cladding slabs (``panel_px``: width, height): clouded and faintly veined, each slab its
    own tone, with thin shadow joints."""
    cloud = fbm(height_px, width_px, rng, cell_px=panel_px[1] * 0.5, octaves=4)
    grain = fbm(height_px, width_px, rng, cell_px=2, octaves=2)
    img = np.asarray(colour, np.float32) * (1 + 0.025 * cloud + 0.015 * grain)[..., None]
    pw, ph = max(panel_px[0], 4), max(panel_px[1], 4)
    for y in range(0, height_px, ph):
        for x in range(0, width_px, pw):
            img[y:y + ph, x:x + pw] *= rng.uniform(0.97, 1.03)
    img[::ph] *= 0.82
    img[:, ::pw] *= 0.82
    return np.clip(img, 0, 1)


def _strokes(img: np.ndarray, rng: np.random.Generator, count: int, start: Callable[[], tuple[float, float]],
             px_per_m: int, lengths_m: tuple[float, float], angles: tuple[float, float], faintest: float,
             darkness: float, blur: float) -> None:
    """Darken ``img`` in place with ``count`` short strokes (marks of shoes, heels, chairs): each from
    ``start()`` (pixels), ``lengths_m`` long at an angle within ``angles`` (radians), of strength
    ``faintest``..1, darkening by up to ``darkness`` once softened by ``blur`` pixels."""
    h, w = img.shape[:2]
    marks = np.zeros((h, w), np.float32)
    for _ in range(count):
        x, y = start()
        length = rng.uniform(*lengths_m) * px_per_m
        angle = rng.uniform(*angles)
        end = (int(x + length * np.cos(angle)), int(y + length * np.sin(angle)))
        cv2.line(marks, (int(x), int(y)), end, float(rng.uniform(faintest, 1.0)), 1, cv2.LINE_AA)
    img *= (1 - darkness * cv2.GaussianBlur(marks, (0, 0), blur))[..., None]


def _scuff_marks(img: np.ndarray, rng: np.random.Generator, px_per_m: int) -> None:
    """Shoe and chair marks low on a wall: short grey strokes, a few per metre, up to half a metre high."""
    h, w = img.shape[:2]
    _strokes(img, rng, int(rng.poisson(2.5 * w / px_per_m)),
             lambda: (int(rng.uniform(0, w)), h - int(rng.uniform(0.06, 0.5) * px_per_m)), px_per_m,
             lengths_m=(0.02, 0.08), angles=(-0.4, 0.4), faintest=0.3, darkness=0.25, blur=0.6)


def printer_front(width_px: int, height_px: int, rng: np.random.Generator) -> np.ndarray:
    """The front of a floor-standing office printer: a control panel up top, the output slot, paper
    drawers with handles, and a little grime round the handles."""
    img = surface((0.82, 0.82, 0.8), width_px, height_px, rng, roughness=0.02)
    h, w = height_px, width_px
    y_slot = int(h * 0.16)
    img[int(h * 0.03):int(h * 0.1), int(w * 0.55):int(w * 0.92)] = (0.2, 0.22, 0.25)  # the panel's screen
    img[int(h * 0.05):int(h * 0.08), int(w * 0.6):int(w * 0.75)] = (0.35, 0.6, 0.75)
    img[y_slot:y_slot + max(int(h * 0.04), 2), int(w * 0.08):int(w * 0.92)] = (0.15, 0.15, 0.16)
    img[y_slot - 2:y_slot, int(w * 0.15):int(w * 0.85)] = (0.97, 0.97, 0.95)  # a sheet in the tray
    for i, top in enumerate(np.linspace(0.32, 0.8, 3)):
        y = int(h * top)
        img[y:y + 2] *= 0.55                                   # the gap between drawers
        hy = y + int(h * 0.06)
        img[hy:hy + max(int(h * 0.02), 2), int(w * 0.35):int(w * 0.65)] = (0.3, 0.3, 0.32)  # a handle
        img[hy - 3:hy + 6, int(w * 0.3):int(w * 0.7)] *= 0.96 - 0.01 * i
    return np.clip(img, 0, 1)


def perforated_shell(colour: Colour, width_px: int, height_px: int, rng: np.random.Generator,
                     corner_px: int = 0) -> np.ndarray:
    """The perforated steel (or moulded) shell of a beam seat, RGBA: its colour with rows of small holes that
    show dark, a lighter rim, and corners rounded by ``corner_px``."""
    img = surface(colour, width_px, height_px, rng, roughness=0.02)
    pitch = max(width_px // 14, 3)
    holes = np.zeros((height_px, width_px), np.float32)
    for y in range(pitch, height_px - pitch // 2, pitch):
        for x in range(pitch + (pitch // 2 if (y // pitch) % 2 else 0), width_px - pitch // 2, pitch):
            cv2.circle(holes, (x, y), max(pitch // 4, 1), 1.0, -1, cv2.LINE_AA)
    img *= (1 - 0.45 * holes)[..., None]
    rim = max(width_px // 40, 1)
    img[:rim] *= 1.15
    alpha = np.zeros((height_px, width_px), np.uint8)
    r = min(corner_px, width_px // 2, height_px // 2)
    cv2.rectangle(alpha, (r, 0), (width_px - 1 - r, height_px - 1), 255, -1)
    cv2.rectangle(alpha, (0, r), (width_px - 1, height_px - 1 - r), 255, -1)
    for cx, cy in ((r, r), (width_px - 1 - r, r), (r, height_px - 1 - r), (width_px - 1 - r, height_px - 1 - r)):
        cv2.circle(alpha, (cx, cy), r, 255, -1, cv2.LINE_AA)
    return np.dstack([np.clip(img, 0, 1), alpha.astype(np.float32) / 255])


def charging_station_face(width_px: int, height_px: int, rng: np.random.Generator) -> np.ndarray:
    """The front of a phone charging locker: a lit coloured band at the top, a grid of small doors with
    dark windows and green charge lights. No words (OCR would read them as signs)."""
    img = surface((0.2, 0.21, 0.24), width_px, height_px, rng, roughness=0.02)
    band = max(int(height_px * 0.18), 3)
    img[:band] = (0.15, 0.55, 0.35)
    img[band // 3:2 * band // 3, int(width_px * 0.45):int(width_px * 0.55)] = (0.95, 0.95, 0.9)
    cols, rows = 3, 2
    for r in range(rows):
        for c in range(cols):
            x0 = int(width_px * (0.06 + c * 0.31))
            x1 = x0 + int(width_px * 0.27)
            y0 = band + int((height_px - band) * (0.08 + r * 0.47))
            y1 = y0 + int((height_px - band) * 0.38)
            img[y0:y1, x0:x1] = (0.55, 0.57, 0.6)
            img[y0 + 2:y1 - 4, x0 + 2:x1 - 2] = (0.08, 0.09, 0.11)
            img[y1 - 3:y1 - 1, x1 - 5:x1 - 2] = (0.2, 0.95, 0.3) if rng.uniform() < 0.6 else (0.9, 0.3, 0.2)
    return np.clip(img, 0, 1.2)


def umbrella_stand_faces(width_px: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A brushed-steel umbrella stand: its front (vertical grain, a darker foot) and its top (the dark
    opening with the handles and furled tops of a few umbrellas)."""
    height_px = int(width_px * 1.7)
    grain = fbm(height_px, width_px, rng, cell_px=4, octaves=2, stretch=(1.0, 10.0))
    front = np.asarray((0.7, 0.71, 0.73), np.float32) * (1 + 0.05 * grain)[..., None]
    front *= np.linspace(1.1, 0.85, width_px, dtype=np.float32)[None, :, None] ** 0.5
    front[-max(height_px // 12, 2):] *= 0.5
    top = np.empty((width_px, width_px, 3), np.float32)
    top[:] = (0.6, 0.61, 0.63)
    rim = max(width_px // 10, 2)
    top[rim:-rim, rim:-rim] = (0.05, 0.05, 0.06)
    for _ in range(int(rng.integers(0, 5))):
        colour = rng.choice([(0.1, 0.1, 0.12), (0.6, 0.1, 0.12), (0.15, 0.25, 0.55), (0.2, 0.45, 0.25)])
        centre = (int(rng.uniform(rim * 2, width_px - rim * 2)), int(rng.uniform(rim * 2, width_px - rim * 2)))
        cv2.circle(top, centre, max(width_px // 8, 2), colour, -1, cv2.LINE_AA)
    return np.clip(front, 0, 1), top


def kiosk_faces(width_px: int, body_px: int, head_px: int, rng: np.random.Generator, accent: Colour
                ) -> tuple[np.ndarray, np.ndarray]:
    """The two front faces of a self-service kiosk or ticket machine, as such machines are built: the head
    (a coloured cap band with a logo mark, a black bezel round a touch screen) and the body (a card reader
    with its light, a receipt slot, a service door's seams and a dark plinth). No words on the cap or the
    body (OCR would read them as signs the truth does not know); the screen's menu is too small to read."""
    head = np.empty((head_px, width_px, 3), np.float32)
    head[:] = (0.08, 0.08, 0.09)
    cap = max(int(head_px * 0.16), 3)
    head[:cap] = accent
    cv2.rectangle(head, (int(width_px * 0.42), int(cap * 0.25)), (int(width_px * 0.58), int(cap * 0.75)),
                  (0.95, 0.95, 0.95), -1, cv2.LINE_AA)
    margin = max(width_px // 14, 2)
    top = cap + margin
    head[top:head_px - margin, margin:width_px - margin] = screen(width_px - 2 * margin, head_px - margin - top,
                                                                   rng, "ui")
    body = surface((0.9, 0.9, 0.91), width_px, body_px, rng, roughness=0.02)
    for x in (int(width_px * 0.06), int(width_px * 0.94)):
        body[int(body_px * 0.3):int(body_px * 0.92), x:x + 1] *= 0.7           # the service door's seams
    body[int(body_px * 0.3), int(width_px * 0.06):int(width_px * 0.94)] *= 0.7
    reader = (slice(int(body_px * 0.06), int(body_px * 0.16)), slice(int(width_px * 0.15), int(width_px * 0.42)))
    body[reader] = (0.18, 0.18, 0.2)
    body[int(body_px * 0.08):int(body_px * 0.1), int(width_px * 0.36):int(width_px * 0.4)] = (0.3, 0.9, 0.4)
    body[int(body_px * 0.12):int(body_px * 0.135), int(width_px * 0.55):int(width_px * 0.85)] = (0.1, 0.1, 0.1)
    body[int(body_px * KICK_AT):] *= 0.55                                       # the dark plinth
    return np.clip(head, 0, 1.2), np.clip(body, 0, 1)


def wall(width_m: float, height_m: float, colour: Colour, rng: np.random.Generator, px_per_m: int = 40,
         skirting: Colour | None = (0.35, 0.33, 0.32), panel_m: float | None = None, finish: WallFinish = "paint",
         wood_colour: Colour = (0.55, 0.38, 0.24), stone_colour: Colour = (0.8, 0.77, 0.72)) -> np.ndarray:
    """A wall: paint with roller marks and soft stains, scuffs low down and a skirting board; ``finish``
    "wainscot" adds wood veneer boards up to 1.1 m with a rail, "stone" clads it in stone slabs, "veneer" in
    wood boards from floor to ceiling."""
    _known(finish, WALL_FINISHES, "wall finish")
    w, h = int(width_m * px_per_m), int(height_m * px_per_m)
    if finish == "stone":
        return stone_panels(w, h, stone_colour, rng, (int(1.2 * px_per_m), int(0.6 * px_per_m)))
    if finish == "veneer":
        return veneer(w, h, wood_colour, rng, int(0.3 * px_per_m))
    img = np.empty((h, w, 3), np.float32)
    img[:] = colour
    stains = fbm(h, w, rng, cell_px=px_per_m * 1.5, octaves=4)
    low = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None] ** 4  # people and chairs scuff the bottom
    img *= (1 + 0.035 * stains - 0.06 * low * np.clip(fbm(h, w, rng, cell_px=8, octaves=2), 0, None))[..., None]
    _scuff_marks(img, rng, px_per_m)
    if panel_m:
        step = int(panel_m * px_per_m)
        for x in range(step, w, step):
            img[:, x:x + 2] *= 0.88
            img[:, x + 2:x + 3] *= 1.05
    if finish == "wainscot":
        top = h - int(1.1 * px_per_m)
        img[top:] = veneer(w, h - top, wood_colour, rng, int(0.6 * px_per_m))
        img[top:top + 3] = np.asarray(wood_colour, np.float32) * 0.75   # the rail and its shadow
        img[top + 3:top + 5] *= 0.8
    elif skirting is not None:
        top = h - int(0.12 * px_per_m)
        img[top:] = skirting
        img[top:top + 1] *= 1.3
    return np.clip(img, 0, 1)


# Where the ceiling's lights hang: the first one this far in from the left wall and from the front (metres),
# then one every CEILING_LIGHT_SPACING_M both ways. The floor's light pools and the walls' scallops of light
# (scene._lit_floor, scene._lit_wall) follow them.
CEILING_FIRST_LIGHT_M = (1.5, 0.9)
CEILING_LIGHT_SPACING_M = 2.4
CeilingKind = Literal["panels", "downlights", "slats"]
CEILINGS: tuple[CeilingKind, ...] = get_args(CeilingKind)


def ceiling(width_m: float, depth_m: float, rng: np.random.Generator, px_per_m: int = 30,
            kind: CeilingKind = "panels") -> np.ndarray:
    """A ceiling with its lights where CEILING_FIRST_LIGHT_M and CEILING_LIGHT_SPACING_M put them (the
    floor's light pools lie under them). ``kind``: "panels" (mineral-fibre tiles on a grid
    with light panels, vents and smoke detectors), "downlights" (the same grid with round downlights) or
    "slats" (metal baffles running across the room with strip lights between; the vents hide above them).
    Lights are brighter than white, so the photo finish blooms them."""
    _known(kind, CEILINGS, "ceiling")
    w, h = int(width_m * px_per_m), int(depth_m * px_per_m)
    step = int(0.6 * px_per_m)  # the grid's tile
    # The top-left corner of the first light's tile, and the lights' spacing, in pixels.
    first_x = round(CEILING_FIRST_LIGHT_M[0] * px_per_m) - step // 2
    first_y = round(CEILING_FIRST_LIGHT_M[1] * px_per_m) - step // 2
    spacing = round(CEILING_LIGHT_SPACING_M * px_per_m)
    if kind == "slats":
        img = np.full((h, w, 3), 0.2, np.float32)              # the dark void above the baffles
        for y in range(0, h, max(step // 4, 3)):
            img[y:y + max(step // 8, 1) + 1] = (0.82, 0.82, 0.8)  # a baffle's underside
        for y in range(first_y, h - step, spacing):
            for x in range(first_x, w - step, spacing):
                cy, cx = y + step // 2, x + step // 2          # where the grid's light panel would be
                img[cy - 1:cy + 2, cx - step:cx + step] = (1.5, 1.5, 1.45)
        img *= (1 + 0.02 * fbm(h, w, rng, cell_px=px_per_m, octaves=3))[..., None]
        return img
    img = np.full((h, w, 3), 0.88, np.float32)
    img *= (1 + 0.02 * fbm(h, w, rng, cell_px=px_per_m, octaves=3))[..., None]
    img[::step] = 0.72
    img[:, ::step] = 0.72
    downlights = kind == "downlights"
    for y in range(first_y, h - step, spacing):
        for x in range(first_x, w - step, spacing):
            if downlights:
                cv2.circle(img, (x + step // 2, y + step // 2), max(step // 4, 2), (1.6, 1.6, 1.55), -1, cv2.LINE_AA)
                cv2.circle(img, (x + step // 2, y + step // 2), max(step // 4, 2) + 1, (0.6, 0.6, 0.6), 1,
                           cv2.LINE_AA)
            else:
                img[y + 1:y + step, x + 1:x + step] = (1.45, 1.45, 1.42)
                img[y + 1:y + step, x + step // 2] = 1.2  # the diffuser's frame
    for y in range(step * 3, h - step, step * 6):
        # Linear air-conditioning vents: dark slots between the lights.
        x = int(rng.integers(step, max(w - 4 * step, step + 1)))
        for k in range(4):
            img[y + k * 3:y + k * 3 + 1, x:x + step * 3] = 0.35
        if rng.uniform() < 0.5:
            cv2.circle(img, (x - step, y + step), max(step // 6, 2), (0.95, 0.95, 0.95), -1, cv2.LINE_AA)
    return img


def daylight_window(width_px: int, height_px: int, rng: np.random.Generator) -> np.ndarray:
    """A window onto a bright day: overexposed sky and blurred trees, split by mullions."""
    yy = np.linspace(0, 1, height_px, dtype=np.float32)[:, None]
    sky = np.dstack([1.25 + 0 * yy, 1.32 + 0 * yy, 1.45 + 0 * yy]) * np.ones((1, width_px, 1), np.float32)
    trees = fbm(height_px, width_px, rng, cell_px=width_px / 5, octaves=3)
    canopy = np.clip((trees + (yy - 0.55) * 4.0) * 0.6, 0, 1)[..., None]
    green = np.asarray((0.35, 0.5, 0.3), np.float32) * (1 + 0.2 * fbm(height_px, width_px, rng, 6, 2))[..., None]
    img = sky * (1 - canopy) + green * canopy
    frame = (0.3, 0.31, 0.33)
    bar = max(width_px // 40, 2)
    for x in (0, width_px // 2, width_px - bar):
        img[:, x:x + bar] = frame
    img[:bar] = frame
    img[-bar:] = frame
    img[height_px // 3:height_px // 3 + bar] = frame
    return img


def street_view(width_px: int, height_px: int, rng: np.random.Generator) -> np.ndarray:
    """What glass entrance doors show of the street on a bright day, out of focus and overexposed: sky, the
    building across the road with rows of windows, trees along the kerb, parked cars, the pavement. HDR
    (above 1 where the day is brighter than the hall), so the photo finish blows it out but not to blank."""
    yy = np.linspace(0, 1, height_px, dtype=np.float32)[:, None]
    img = np.empty((height_px, width_px, 3), np.float32)
    img[:] = (1.3, 1.36, 1.45)                                           # sky
    roof = int(height_px * rng.uniform(0.12, 0.3))
    facade = np.asarray(rng.choice([(0.95, 0.9, 0.82), (0.85, 0.86, 0.88), (1.0, 0.95, 0.9)]), np.float32)
    img[roof:int(height_px * 0.62)] = facade * 1.15
    for y in range(roof + 8, int(height_px * 0.58), 14):                # the building's windows
        for x in range(int(rng.integers(2, 8)), width_px, 16):
            img[y:y + 7, x:x + 9] = (0.55, 0.62, 0.7)
    canopy = np.clip((fbm(height_px, width_px, rng, cell_px=width_px / 8, octaves=3) - (yy - 0.5) * 5) * 0.7, 0, 1)
    canopy *= (yy > 0.2) & (yy < 0.72)
    img = img * (1 - canopy[..., None]) + np.asarray((0.32, 0.45, 0.26), np.float32) * canopy[..., None]
    img[int(height_px * 0.72):] = (1.05, 1.03, 1.0)                     # the pavement in the sun
    for _ in range(int(rng.integers(0, 3))):                             # parked cars
        x, cw = int(rng.uniform(0, width_px)), int(rng.uniform(0.18, 0.3) * width_px)
        y0 = int(height_px * 0.63)
        img[y0:y0 + int(height_px * 0.08), x:x + cw] = rng.choice([(0.15, 0.15, 0.17), (0.9, 0.9, 0.92),
                                                                    (0.5, 0.1, 0.1), (0.3, 0.35, 0.45)])
    # The day outside is brighter than the hall by more than the phone can hold: what shows through the
    # glass is faint, bleached shapes rather than a picture of a street.
    return cv2.GaussianBlur(img, (0, 0), 1.2) * 1.3


def glass_door(width_px: int, height_px: int, rng: np.random.Generator, outside: np.ndarray) -> np.ndarray:
    """A glass door onto the bright street (``outside``, as big as the door: its part of a ``street_view``,
    so that neighbouring doors show one street), a little brighter low down where the pavement reflects,
    with the frosted safety band at waist height and the push bar."""
    yy = np.linspace(0, 1, height_px, dtype=np.float32)[:, None, None]
    img = outside * (0.95 + 0.1 * yy)
    img *= (1 + 0.04 * fbm(height_px, width_px, rng, cell_px=width_px / 2, octaves=3))[..., None]
    band = slice(int(height_px * 0.5), int(height_px * 0.56))
    img[band] = np.asarray((0.9, 0.92, 0.95), np.float32)
    bar = slice(int(height_px * 0.58), int(height_px * 0.6))
    img[bar, int(width_px * 0.1):int(width_px * 0.9)] = (0.55, 0.56, 0.58)
    return img


def soft_shadow(width_px: int, height_px: int) -> np.ndarray:
    """A soft dark patch (RGBA) as large as the board whose shadow it is, its edges blurred by the size of
    the ceiling's light."""
    alpha = np.full((height_px, width_px), 0.4, np.float32)
    alpha = cv2.GaussianBlur(np.pad(alpha, 3), (0, 0), 2.0)[3:-3, 3:-3]
    return np.dstack([np.zeros((height_px, width_px, 3), np.float32), alpha])


def framed_print(width_px: int, height_px: int, rng: np.random.Generator) -> np.ndarray:
    """A framed landscape print (hills under a sky, a lake in front), soft as a print is, in a dark frame
    with a white mount."""
    yy = np.linspace(0, 1, height_px, dtype=np.float32)[:, None, None]
    sky = np.asarray((0.55, 0.7, 0.88), np.float32) * (0.85 + 0.3 * yy)
    img = np.broadcast_to(sky, (height_px, width_px, 3)).copy()
    for k, tone in enumerate(((0.35, 0.45, 0.4), (0.22, 0.36, 0.25))):
        ridge = (0.35 + 0.12 * k + 0.08 * fbm(1, width_px, rng, cell_px=width_px / 4, octaves=3))[0]
        hill = np.broadcast_to(yy[..., 0] > ridge[None, :], (height_px, width_px))
        img[hill] = np.asarray(tone, np.float32) * (1 + 0.08 * fbm(height_px, width_px, rng, 6, 3))[hill][:, None]
    water = np.broadcast_to(yy[..., 0] > 0.72, (height_px, width_px))
    img[water] = img[::-1][water] * 0.7 + np.asarray((0.3, 0.42, 0.55), np.float32) * 0.3
    img = cv2.GaussianBlur(img, (0, 0), 1.0)
    mount, frame = max(width_px // 14, 2), max(width_px // 30, 2)
    out = np.full((height_px + 2 * (mount + frame), width_px + 2 * (mount + frame), 3), 0.15, np.float32)
    out[frame:-frame, frame:-frame] = 0.94
    out[frame + mount:-(frame + mount), frame + mount:-(frame + mount)] = img
    return cv2.resize(out, (width_px, height_px), interpolation=cv2.INTER_AREA)


NOTICE_PHRASES = [
    "一次告知 限时办结", "首问负责制", "服务时间 周一至周五 9:00-17:00", "办理事项及所需材料", "投诉电话 12345",
    "社会保障卡申领", "城乡居民医保参保登记", "营业执照变更登记", "最多跑一次", "帮办代办服务", "窗口工作人员",
    "廉洁自律 热情服务", "好差评 评价有礼", "材料齐全 当场办结", "预约服务 延时服务", "党员先锋岗",
]


def notice_board(title: str, width_px: int, height_px: int, rng: np.random.Generator
                 ) -> tuple[np.ndarray, TextBoxes]:
    """A wall notice board as halls hang them: a framed white board with a red title band, columns of
    small print, photos of staff and a QR code. Only the title is large enough to read from afar."""
    img = Image.new("RGB", (width_px, height_px), (246, 245, 240))
    draw = ImageDraw.Draw(img)
    band = int(height_px * 0.16)
    draw.rectangle((0, 0, width_px, band), fill=(178, 24, 28))
    size = int(band * 0.6)
    font = _font(size)
    tw = draw.textlength(title, font=font)
    draw.text(((width_px - tw) / 2, band * 0.18), title, fill=(255, 240, 200), font=font)
    box = draw.textbbox(((width_px - tw) / 2, band * 0.18), title, font=font)
    small = _font(max(height_px // 34, 8))
    y = band + height_px * 0.04
    photo_w = int(width_px * 0.28)
    while y < height_px * 0.92:
        if rng.uniform() < 0.22 and y < height_px * 0.7:
            # A photo: soft colour blobs of people and a room.
            ph = int(photo_w * 0.75)
            x = int(width_px * 0.06)
            base = rng.uniform(0.3, 0.8, 3)
            blob = fbm(ph, photo_w, rng, cell_px=photo_w / 4, octaves=3)[..., None]
            photo = np.clip((base + 0.18 * blob) * 255, 0, 255).astype(np.uint8)
            img.paste(Image.fromarray(photo), (x, int(y)))
            for k in range(3):
                draw.text((x + photo_w + 10, y + k * small.size * 1.6), str(rng.choice(NOTICE_PHRASES)),
                          fill=(60, 60, 60), font=small)
            y += ph + small.size
        else:
            draw.text((width_px * 0.06, y), str(rng.choice(NOTICE_PHRASES)), fill=(40, 40, 40), font=small)
            y += small.size * 1.7
    q = int(width_px * 0.16)
    code = (rng.uniform(0, 1, (9, 9)) < 0.5).astype(np.uint8) * 255
    code[:3, :3] = code[:3, -3:] = code[-3:, :3] = 0
    qr = cv2.resize(255 - code, (q, q), interpolation=cv2.INTER_NEAREST)
    img.paste(Image.fromarray(np.dstack([qr] * 3)), (width_px - q - 10, height_px - q - 10))
    draw.rectangle((0, 0, width_px - 1, height_px - 1), outline=(150, 115, 70), width=max(width_px // 40, 3))
    return _to_float(img), [(title, tuple(float(v) for v in box))]  # type: ignore[misc]


TextBoxes = list[tuple[str, tuple[float, float, float, float]]]


def text_panel(lines: list[str], bg: Colour, fg: Colour, width_px: int, height_px: int,
               border: Colour | None = None, weights: list[float] | None = None) -> tuple[np.ndarray, TextBoxes]:
    """A sign: lines of text centred on a coloured panel (sizes shrink to fit), and each line's box."""
    img = Image.new("RGB", (width_px, height_px), _rgb255(bg))
    draw = ImageDraw.Draw(img)
    if border is not None:
        draw.rectangle((0, 0, width_px - 1, height_px - 1), outline=_rgb255(border), width=max(height_px // 30, 2))
    weights = weights or [1.0] * len(lines)
    total = sum(weights)
    boxes: TextBoxes = []
    y = height_px * 0.08
    for text, weight in zip(lines, weights, strict=True):
        slot = (height_px * 0.84) * weight / total
        size = int(slot * 0.72)
        font = _font(max(size, 8))
        while size > 8 and draw.textlength(text, font=font) > width_px * 0.9:
            size -= 2
            font = _font(size)
        tw = draw.textlength(text, font=font)
        x = (width_px - tw) / 2
        draw.text((x, y + (slot - size) / 2), text, fill=_rgb255(fg), font=font)
        left, top, right, bottom = draw.textbbox((x, y + (slot - size) / 2), text, font=font)
        boxes.append((text, (float(left), float(top), float(right), float(bottom))))
        y += slot
    return _to_float(img), boxes


def guide_map(width_px: int, height_px: int, title: str, rng: np.random.Generator) -> np.ndarray:
    """A floor directory board: a title band and a plan of coloured zones with labels."""
    img = Image.new("RGB", (width_px, height_px), (246, 246, 242))
    draw = ImageDraw.Draw(img)
    band = height_px // 6
    draw.rectangle((0, 0, width_px, band), fill=(22, 74, 150))
    font = _font(max(band // 2, 10))
    draw.text((width_px * 0.05, band * 0.22), title, fill=(255, 255, 255), font=font)
    colours = [(120, 170, 220), (240, 200, 110), (160, 210, 160), (230, 150, 150), (190, 170, 220)]
    names = ["导服台", "等候区", "综合窗口", "自助区", "便民区", "出入口"]
    x, y = int(width_px * 0.06), band + int(height_px * 0.08)
    small = _font(max(height_px // 20, 9))
    for i in range(6):
        cw, ch = int(width_px * rng.uniform(0.2, 0.28)), int(height_px * rng.uniform(0.18, 0.3))
        if x + cw > width_px * 0.95:
            x, y = int(width_px * 0.06), y + int(height_px * 0.34)
        if y + ch > height_px * 0.96:
            break
        draw.rectangle((x, y, x + cw, y + ch), fill=colours[i % len(colours)], outline=(90, 90, 90), width=2)
        draw.text((x + 6, y + 6), names[i], fill=(30, 30, 30), font=small)
        x += cw + int(width_px * 0.04)
    return _to_float(img)


def fire_exit_sign(width_px: int, height_px: int) -> np.ndarray:
    """Green safety sign with a running figure and 安全出口 EXIT (GB 13495.1 style)."""
    img = Image.new("RGB", (width_px, height_px), (0, 150, 80))
    draw = ImageDraw.Draw(img)
    s = height_px
    # Running figure and door, in white.
    draw.rectangle((int(s * 0.12), int(s * 0.15), int(s * 0.55), int(s * 0.85)), outline=(255, 255, 255),
                   width=max(s // 14, 2))
    draw.ellipse((int(s * 0.62), int(s * 0.14), int(s * 0.78), int(s * 0.3)), fill=(255, 255, 255))
    draw.line((int(s * 0.68), int(s * 0.32), int(s * 0.58), int(s * 0.62)), fill=(255, 255, 255), width=s // 9)
    draw.line((int(s * 0.58), int(s * 0.62), int(s * 0.75), int(s * 0.85)), fill=(255, 255, 255), width=s // 10)
    draw.line((int(s * 0.58), int(s * 0.62), int(s * 0.45), int(s * 0.86)), fill=(255, 255, 255), width=s // 10)
    font = _font(max(int(s * 0.38), 9))
    draw.text((int(s * 1.0), int(s * 0.08)), "安全出口", fill=(255, 255, 255), font=font)
    draw.text((int(s * 1.0), int(s * 0.5)), "EXIT", fill=(255, 255, 255), font=font)
    return _to_float(img)


def accessible_sign(size_px: int) -> np.ndarray:
    img = Image.new("RGB", (size_px, size_px), (20, 80, 170))
    draw = ImageDraw.Draw(img)
    s = size_px
    draw.ellipse((int(s * .42), int(s * .12), int(s * .58), int(s * .28)), fill=(255, 255, 255))
    draw.arc((int(s * .2), int(s * .4), int(s * .72), int(s * .9)), 30, 330, fill=(255, 255, 255), width=s // 12)
    draw.line((int(s * .5), int(s * .3), int(s * .5), int(s * .6)), fill=(255, 255, 255), width=s // 10)
    draw.line((int(s * .5), int(s * .6), int(s * .75), int(s * .6)), fill=(255, 255, 255), width=s // 12)
    draw.line((int(s * .75), int(s * .6), int(s * .82), int(s * .85)), fill=(255, 255, 255), width=s // 12)
    return _to_float(img)


def screen(width_px: int, height_px: int, rng: np.random.Generator, kind: str = "ui") -> np.ndarray:
    """A lit display: a self-service menu ("ui") or a queue call list ("calls"), under the sheen of the
    room's light on its glass."""
    tiles: list[int] = []
    image = Image.new("RGB", (width_px, height_px), (18, 60, 130))
    draw = ImageDraw.Draw(image)
    if kind == "calls":
        font = _font(max(height_px // 9, 8))
        draw.text((width_px * 0.05, height_px * 0.04), "请 A027 号到 3 号窗口", fill=(255, 230, 90), font=font)
        for i in range(4):
            y = height_px * (0.25 + i * 0.18)
            draw.text((width_px * 0.05, y), f"A0{20 + i}  →  {i + 1}号窗口", fill=(255, 255, 255), font=font)
    else:
        # A service menu: a gradient background, a title bar and labelled tiles, lit from within.
        top, bottom = np.array([40, 110, 200], np.float32), np.array([150, 200, 240], np.float32)
        ramp = np.linspace(0, 1, height_px, dtype=np.float32)[:, None, None]
        image = Image.fromarray((top * (1 - ramp) + bottom * ramp).repeat(width_px, axis=1).astype(np.uint8))
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, width_px, height_px // 7), fill=(190, 30, 35))
        title_font = _font(max(height_px // 16, 7))
        draw.text((width_px * 0.06, height_px * 0.03), "政务服务自助终端", fill=(255, 255, 255), font=title_font)
        font = _font(max(height_px // 18, 6))
        names = ["社保查询", "医保缴费", "公积金", "不动产", "证明打印", "预约取号"]
        for i in range(6):
            x = width_px * (0.07 + (i % 2) * 0.46)
            y = height_px * (0.22 + (i // 2) * 0.25)
            colour = tuple(int(c) for c in rng.integers(150, 250, 3))
            tiles.extend(colour)
            draw.rounded_rectangle((x, y, x + width_px * 0.4, y + height_px * 0.19), radius=4, fill=colour)
            draw.text((x + width_px * 0.04, y + height_px * 0.06), names[i], fill=(30, 40, 60), font=font)
    lit = _to_float(image) * 1.12  # a lit screen is brighter than the room around it
    return _glass_sheen(lit, np.random.default_rng(tiles))


def _glass_sheen(screen_rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The room's light on a screen's glass: a veil, stronger towards the top where the glass mirrors the
    lit ceiling, and a soft diagonal streak of a light panel. Without it screens read as pasted on. (Its own
    generator, seeded from what the screen shows: a draw from the photo's would change the rest of the
    photo.)"""
    h, w = screen_rgb.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    veil = 0.04 + 0.1 * (1 - yy / h) ** 2
    # The streak runs from the top edge to the bottom edge, leaning one way or the other.
    x_top, x_bottom = rng.uniform(0.2, 0.9) * w, rng.uniform(0.1, 0.8) * w
    across = xx - (x_top + (x_bottom - x_top) * yy / h)
    veil += 0.12 * np.exp(-0.5 * (across / (0.12 * w)) ** 2)
    return screen_rgb * (1 - veil[..., None]) + 0.95 * veil[..., None]


LEAFLET_TITLES = ["社保指南", "医保服务", "办事须知", "惠民政策", "便民手册", "政策解读", "公积金", "就业创业"]


def brochure_rack(width_px: int, height_px: int, rng: np.random.Generator) -> np.ndarray:
    """The front of a leaflet rack as halls stand them by the wall: a metal frame with tiers of clear
    pockets, each holding a stack of leaflets in its own colours (a title band, a picture, lines of print)."""
    img = Image.new("RGB", (width_px, height_px), (70, 72, 76))
    draw = ImageDraw.Draw(img)
    tiers, per_tier = 4, 2
    margin = width_px * 0.06
    pocket_w = (width_px - margin * (per_tier + 1)) / per_tier
    top = height_px * 0.06
    pocket_h = (height_px * 0.8 - top) / tiers
    small = _font(max(int(pocket_w / 7), 7))
    for tier in range(tiers):
        y0 = top + tier * pocket_h
        for k in range(per_tier):
            x0 = margin + k * (pocket_w + margin)
            if rng.uniform() < 0.12:
                continue  # an empty pocket
            paper = tuple(int(c) for c in rng.integers(200, 250, 3))
            band = tuple(int(c) for c in rng.integers(30, 220, 3))
            # The leaflet stands a little lower than the pocket's rim, its top showing over it.
            lx0, ly0 = x0 + pocket_w * 0.05, y0 + pocket_h * 0.08
            draw.rectangle((lx0, ly0, x0 + pocket_w * 0.95, y0 + pocket_h * 0.98), fill=paper)
            draw.rectangle((lx0, ly0, x0 + pocket_w * 0.95, ly0 + pocket_h * 0.22), fill=band)
            draw.text((lx0 + pocket_w * 0.06, ly0 + pocket_h * 0.03), str(rng.choice(LEAFLET_TITLES)),
                      fill=(255, 255, 255), font=small)
            picture = tuple(int(c) for c in rng.integers(60, 200, 3))
            draw.rectangle((lx0 + pocket_w * 0.08, ly0 + pocket_h * 0.3, lx0 + pocket_w * 0.5, ly0 + pocket_h * 0.62),
                           fill=picture)
            for line in range(3):
                ly = ly0 + pocket_h * (0.32 + line * 0.11)
                draw.line((lx0 + pocket_w * 0.56, ly, x0 + pocket_w * 0.88, ly), fill=(120, 120, 120), width=1)
            # The clear pocket's front: a rim across the lower part, catching the light.
            draw.rectangle((x0, y0 + pocket_h * 0.55, x0 + pocket_w, y0 + pocket_h), outline=(205, 210, 215),
                           width=max(width_px // 90, 1))
    image = _to_float(img)
    # Light on the acrylic fronts: a faint veil over the lower half of each tier.
    yy = np.arange(height_px, dtype=np.float32)[:, None]
    phase = ((yy - top) % pocket_h) / pocket_h
    veil = np.where((yy > top) & (yy < top + tiers * pocket_h) & (phase > 0.55), 0.12, 0.0)
    return image * (1 - veil[..., None]) + 0.9 * veil[..., None]


def wall_clock(size_px: int, rng: np.random.Generator) -> np.ndarray:
    """A round office clock, cut out (alpha) from its square."""
    img = np.zeros((size_px, size_px, 4), np.float32)
    c, r = size_px // 2, size_px // 2 - 2
    cv2.circle(img, (c, c), r, (0.15, 0.15, 0.17, 1.0), -1, cv2.LINE_AA)
    cv2.circle(img, (c, c), int(r * 0.88), (0.96, 0.96, 0.94, 1.0), -1, cv2.LINE_AA)
    for k in range(12):
        a = k * np.pi / 6
        p0 = (int(c + r * 0.72 * np.cos(a)), int(c + r * 0.72 * np.sin(a)))
        p1 = (int(c + r * 0.82 * np.cos(a)), int(c + r * 0.82 * np.sin(a)))
        cv2.line(img, p0, p1, (0.1, 0.1, 0.1, 1.0), 2, cv2.LINE_AA)
    for length, angle in ((0.45, rng.uniform(0, 2 * np.pi)), (0.7, rng.uniform(0, 2 * np.pi))):
        cv2.line(img, (c, c), (int(c + r * length * np.cos(angle)), int(c + r * length * np.sin(angle))),
                 (0.08, 0.08, 0.08, 1.0), 3, cv2.LINE_AA)
    return img


def handwritten_note(width_px: int, height_px: int, rng: np.random.Generator) -> np.ndarray:
    """A sheet of paper with a scrawled notice."""
    img = Image.new("RGB", (width_px, height_px), (250, 248, 235))
    draw = ImageDraw.Draw(img)
    font = _font(max(height_px // 5, 8))
    text = str(rng.choice(["暂停办理", "午休12:00", "请排队", "复印请到2楼", "系统维护"]))
    draw.text((width_px * 0.08, height_px * 0.2), text, fill=(20, 20, 120), font=font)
    for i in range(2):
        y = height_px * (0.6 + i * 0.15)
        draw.line((width_px * 0.1, y, width_px * rng.uniform(0.5, 0.9), y + rng.uniform(-3, 3)), fill=(40, 40, 130),
                  width=2)
    return _to_float(img)


def sticker(size_px: int, rng: np.random.Generator) -> np.ndarray:
    colour = tuple(int(c) for c in rng.choice([[250, 220, 40], [250, 120, 160], [120, 200, 250], [130, 230, 120]]))
    img = Image.new("RGB", (size_px, size_px), colour)
    draw = ImageDraw.Draw(img)
    draw.ellipse((size_px * 0.2, size_px * 0.2, size_px * 0.8, size_px * 0.8), outline=(255, 255, 255),
                 width=max(size_px // 10, 1))
    return _to_float(img)


# Where a counter or cabinet front's darker kick plate starts (share of its height from the top).
KICK_AT = 0.93


def _stripe(img: np.ndarray, colour: Colour, at: float) -> None:
    """The district's brand stripe across a front, ``at`` its height share from the top, with its shadow."""
    h = img.shape[0]
    y, band = int(h * at), max(h // 12, 2)
    img[y:y + band] = colour
    img[y + band:y + band + 1] *= 0.8


def panel(colour: Colour, width_px: int, height_px: int, kick: bool = True) -> np.ndarray:
    """A counter or cabinet front: a laminated surface (soft blotches, bevelled top edge, a darker kick
    plate unless ``kick`` is False). The same size and colour give the same panel."""
    rng = np.random.default_rng(width_px * 7919 + height_px)
    img = surface(colour, width_px, height_px, rng, roughness=0.025)
    if kick:
        img[int(height_px * KICK_AT):] *= 0.7
    return np.clip(img, 0, 1)


CounterFront = Literal["laminate", "veneer", "stone"]
COUNTER_FRONTS: tuple[CounterFront, ...] = get_args(CounterFront)


def counter_front(kind: CounterFront, colour: Colour, accent: Colour, wood_colour: Colour, stone_colour: Colour,
                  width_m: float, height_m: float, seed: int, px_per_m: int = 120) -> np.ndarray:
    """The front of a service counter above its kick plate (the counter draws that itself), ``width_m`` by
    ``height_m``: "laminate" (the counter colour with the district's accent stripe), "veneer" (wood boards
    0.45 m wide with the stripe) or "stone" (slabs 1.2 m wide under the stripe). ``seed`` (the street's)
    gives a hall's counters one wood or stone and its own marks; the boards' and slabs' cuts still differ
    with the counter's width."""
    _known(kind, COUNTER_FRONTS, "counter front")
    w, h = max(int(width_m * px_per_m), 8), max(int(height_m * px_per_m), 8)
    rng = np.random.default_rng(seed)
    if kind == "laminate":
        img = panel(colour, w, h, kick=False)
    elif kind == "veneer":
        img = veneer(w, h, wood_colour, rng, int(0.45 * px_per_m))
    else:
        img = stone_panels(w, h, stone_colour, rng, (int(1.2 * px_per_m), h))
    _stripe(img, accent, 0.12)
    # Shoes and bags mark a counter's front low down, where people stand at it.
    _scuff_marks(img, rng, px_per_m)
    return np.clip(img, 0, 1)
