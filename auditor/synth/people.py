"""People in the hall, facing the camera at their projected foot point: staff in uniform with or without a
work badge, volunteers in red vests, visitors in everyday clothes.

Each figure is modelled as rounded solids (limbs and torso as tapered capsules, head and hands as
ellipsoids) and shaded per pixel from their surface normals under the ceiling light, with a depth test
between the parts, cloth folds, hair strands and a face; drawn twice as large and reduced, so its outline
is smooth. The finished picture is composited into the photo with the labels of its parts (person, work
badge, volunteer vest, hat).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from auditor.synth.render import Colour, Frame
from auditor.synth.textures import fbm

# What each colour name of the vocabulary looks like on cloth (RGB 0..1), a few shades each.
CLOTH: dict[str, list[Colour]] = {
    "dark_blue": [(0.09, 0.13, 0.30), (0.12, 0.17, 0.36), (0.07, 0.10, 0.24)],
    "white": [(0.93, 0.93, 0.92), (0.88, 0.9, 0.93)],
    "black": [(0.07, 0.07, 0.08), (0.11, 0.1, 0.1)],
    "grey": [(0.5, 0.5, 0.5), (0.62, 0.62, 0.6)],
    "red": [(0.8, 0.1, 0.1), (0.72, 0.08, 0.1)],
    "orange": [(0.93, 0.5, 0.12)],
    "yellow": [(0.93, 0.82, 0.2)],
    "green": [(0.2, 0.55, 0.25), (0.35, 0.6, 0.3)],
    "blue": [(0.25, 0.5, 0.85), (0.3, 0.6, 0.9)],
    "brown": [(0.42, 0.27, 0.15), (0.5, 0.33, 0.2)],
}
SKIN: list[Colour] = [(0.87, 0.71, 0.58), (0.8, 0.63, 0.5), (0.9, 0.76, 0.64)]
HAIR: list[Colour] = [(0.06, 0.05, 0.05), (0.12, 0.09, 0.07), (0.2, 0.15, 0.1)]
TROUSERS: list[Colour] = [(0.08, 0.08, 0.1), (0.15, 0.15, 0.2), (0.3, 0.3, 0.32), (0.18, 0.22, 0.35)]


@dataclass(frozen=True)
class PersonLook:
    role: str           # staff, volunteer, visitor
    top: str            # colour name of the upper garment (what dress checks read)
    top_rgb: Colour
    badge: bool
    vest: bool
    seated: bool
    height_m: float
    skin: Colour
    hair: Colour
    trousers: Colour
    hat: bool = False
    # The pose, so that no two people stand like the same doll: per arm (left, right) how far the hand
    # comes in front of the body (m, inwards) and how high it is raised (m); the stance; a turn of the head.
    hands_in: tuple[float, float] = (0.0, 0.0)
    hands_up: tuple[float, float] = (0.0, 0.0)
    stance: float = 0.0
    head_turn: float = 0.0


def look(rng: np.random.Generator, role: str, top: str, badge: bool, vest: bool, seated: bool,
         hat: bool = False) -> PersonLook:
    shades = CLOTH[top]
    return PersonLook(role=role, top=top, top_rgb=shades[int(rng.integers(len(shades)))], badge=badge, vest=vest,
                      seated=seated, height_m=float(rng.uniform(1.58, 1.80)),
                      skin=SKIN[int(rng.integers(len(SKIN)))], hair=HAIR[int(rng.integers(len(HAIR)))],
                      trousers=TROUSERS[int(rng.integers(len(TROUSERS)))], hat=hat,
                      hands_in=(float(rng.uniform(-0.02, 0.12)), float(rng.uniform(-0.02, 0.12))),
                      hands_up=(float(rng.choice([0.0, rng.uniform(0.05, 0.3)])), float(rng.uniform(0.0, 0.08))),
                      stance=float(rng.uniform(-0.02, 0.06)), head_turn=float(rng.uniform(-0.015, 0.015)))


# Light in the figure's own axes (x right, y down, z towards the viewer): from the ceiling, a little from
# the front and the left, as in the room.
_LIGHT = np.array([-0.3, -0.7, 0.65]) / np.linalg.norm([-0.3, -0.7, 0.65])
_HALF = (_LIGHT + np.array([0.0, 0.0, 1.0])) / np.linalg.norm(_LIGHT + np.array([0.0, 0.0, 1.0]))
SUPERSAMPLE = 2
# Part codes of the picture: which label a pixel records.
BODY, BADGE, VEST, HAT = 1, 2, 3, 4


class _Figure:
    """A picture of one person under construction, in metres of the person (x right of the body's axis,
    z up from the floor), with a depth buffer between its parts and the lighting of every pixel kept so
    that a part can be recoloured (a vest over a shirt) and keep its shading."""

    def __init__(self, px_per_m: float, width_m: float, top_m: float, bottom_m: float) -> None:
        self.scale = px_per_m
        self.half_w, self.top, self.bottom = width_m / 2, top_m, bottom_m
        w = max(int(width_m * px_per_m), 4)
        h = max(int((top_m - bottom_m) * px_per_m), 4)
        self.rgb = np.zeros((h, w, 3), np.float32)
        self.alpha = np.zeros((h, w), np.float32)
        self.light = np.ones((h, w), np.float32)
        self.z = np.full((h, w), np.inf, np.float32)
        self.part = np.zeros((h, w), np.uint8)
        self.cloth = np.zeros((h, w), bool)

    def to_px(self, x: float, z: float) -> tuple[float, float]:
        return (x + self.half_w) * self.scale, (self.top - z) * self.scale

    def _bounds(self, xs: list[float], ys: list[float], pad: float) -> tuple[int, int, int, int] | None:
        h, w = self.alpha.shape
        x0, x1 = max(int(min(xs) - pad), 0), min(int(max(xs) + pad) + 1, w)
        y0, y1 = max(int(min(ys) - pad), 0), min(int(max(ys) + pad) + 1, h)
        return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None

    def _shade(self, region: tuple[int, int, int, int], inside: np.ndarray, normal: np.ndarray, depth: np.ndarray,
               colour: Colour, part: int, gloss: float, cloth: bool) -> None:
        x0, y0, x1, y1 = region
        nearer = inside & (depth < self.z[y0:y1, x0:x1])
        if not nearer.any():
            return
        diffuse = np.clip(normal @ _LIGHT, 0, None)
        # Light from the room all round (walls, floor) keeps the side away from the lamp from going black.
        light = 0.42 + 0.62 * diffuse + 0.12 * np.clip(normal[..., 2], 0, None)
        specular = gloss * np.clip(normal @ _HALF, 0, None) ** 24
        pixels = np.asarray(colour, np.float32) * light[..., None] + specular[..., None]
        self.rgb[y0:y1, x0:x1][nearer] = pixels[nearer]
        self.light[y0:y1, x0:x1][nearer] = light[nearer]
        self.z[y0:y1, x0:x1][nearer] = depth[nearer]
        self.alpha[y0:y1, x0:x1][nearer] = 1.0
        self.part[y0:y1, x0:x1][nearer] = part
        self.cloth[y0:y1, x0:x1][nearer] = cloth

    def capsule(self, a: tuple[float, float], b: tuple[float, float], ra: float, rb: float, colour: Colour,
                depth_m: float = 0.0, part: int = BODY, cloth: bool = True, gloss: float = 0.0) -> None:
        """A limb: a tapered capsule from a to b (metres) with radii ra, rb, its axis ``depth_m`` behind the
        figure's plane (negative: in front)."""
        (ax, ay), (bx, by) = self.to_px(*a), self.to_px(*b)
        ra_px, rb_px = ra * self.scale, rb * self.scale
        region = self._bounds([ax, bx], [ay, by], max(ra_px, rb_px) + 2)
        if region is None:
            return
        x0, y0, x1, y1 = region
        yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32) + 0.5
        dx, dy = bx - ax, by - ay
        t = np.clip(((xx - ax) * dx + (yy - ay) * dy) / max(dx * dx + dy * dy, 1e-6), 0, 1)
        r = ra_px + (rb_px - ra_px) * t
        ox, oy = xx - (ax + t * dx), yy - (ay + t * dy)
        d = np.sqrt(ox * ox + oy * oy)
        inside = d < r
        nx, ny = ox / np.maximum(r, 1e-6), oy / np.maximum(r, 1e-6)
        nz = np.sqrt(np.clip(1 - nx * nx - ny * ny, 0, 1))
        depth = depth_m * self.scale - nz * r
        self._shade(region, inside, np.stack([nx, ny, nz], axis=-1), depth, colour, part, gloss, cloth)

    def ellipsoid(self, c: tuple[float, float], rx: float, rz: float, colour: Colour, depth_m: float = 0.0,
                  part: int = BODY, cloth: bool = False, gloss: float = 0.0) -> None:
        cx, cy = self.to_px(*c)
        rx_px, ry_px = rx * self.scale, rz * self.scale
        region = self._bounds([cx - rx_px, cx + rx_px], [cy - ry_px, cy + ry_px], 2)
        if region is None:
            return
        x0, y0, x1, y1 = region
        yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32) + 0.5
        u, v = (xx - cx) / max(rx_px, 1e-6), (yy - cy) / max(ry_px, 1e-6)
        inside = u * u + v * v < 1
        nz = np.sqrt(np.clip(1 - u * u - v * v, 0, 1))
        normal = np.stack([u, v, nz], axis=-1)
        normal /= np.linalg.norm(normal, axis=-1, keepdims=True) + 1e-6
        depth = depth_m * self.scale - nz * min(rx_px, ry_px)
        self._shade(region, inside, normal, depth, colour, part, gloss, cloth)

    def recolour(self, polygon_m: list[tuple[float, float]], colour: Colour, part: int,
                 only: int = BODY) -> None:
        """Give the pixels of part ``only`` inside a polygon (metres) a new colour, keeping their light."""
        mask = np.zeros(self.alpha.shape, np.uint8)
        pts = np.array([self.to_px(x, z) for x, z in polygon_m], np.float32)
        cv2.fillPoly(mask, [np.round(pts).astype(np.int32)], 1)
        hit = (mask > 0) & (self.part == only) & (self.alpha > 0)
        self.rgb[hit] = np.asarray(colour, np.float32) * self.light[hit][:, None]
        self.part[hit] = part

    def stroke(self, points_m: list[tuple[float, float]], colour: Colour, width_m: float, blur: float = 0.0,
               only: int | None = None, strength: float = 1.0) -> None:
        """Paint a soft line over what is drawn (eyebrows, mouth, a lanyard), optionally only over one part."""
        layer = np.zeros(self.alpha.shape, np.float32)
        pts = np.array([self.to_px(x, z) for x, z in points_m], np.float32)
        cv2.polylines(layer, [np.round(pts * 4).astype(np.int32)], False, 1.0,
                      max(int(round(width_m * self.scale)), 1), cv2.LINE_AA, shift=2)
        if blur > 0:
            layer = cv2.GaussianBlur(layer, (0, 0), blur * self.scale)
        layer = np.clip(layer * strength, 0, 1) * (self.alpha > 0)
        if only is not None:
            layer *= self.part == only
        self.rgb[:] = self.rgb * (1 - layer[..., None]) + np.asarray(colour, np.float32) * layer[..., None]

    def spot(self, c: tuple[float, float], rx: float, rz: float, colour: Colour, strength: float,
             only: int | None = BODY) -> None:
        """A soft blot of colour (eyes, the shadow under the nose), limited to one part."""
        layer = np.zeros(self.alpha.shape, np.float32)
        cx, cy = self.to_px(*c)
        cv2.ellipse(layer, (int(round(cx * 4)), int(round(cy * 4))),
                    (max(int(rx * self.scale * 4), 1), max(int(rz * self.scale * 4), 1)), 0, 0, 360, 1.0, -1,
                    cv2.LINE_AA, shift=2)
        layer = cv2.GaussianBlur(layer, (0, 0), max(rx * self.scale * 0.3, 0.5)) * strength
        if only is not None:
            layer *= self.part == only
        self.rgb[:] = self.rgb * (1 - layer[..., None]) + np.asarray(colour, np.float32) * layer[..., None]


def _darker(c: Colour, f: float) -> Colour:
    return (c[0] * f, c[1] * f, c[2] * f)


def draw_person(frame: Frame, px: float, py: float, scale: float, p: PersonLook
                ) -> tuple[int, tuple[int, int, int, int]]:
    """Draw at foot point (px, py) with ``scale`` pixels per metre (negative: the floor's mirror image,
    hanging down from the feet); returns the person's label id and the pixel box of the chest (where dress
    colour and badge are judged)."""
    person = frame.new_label("person")
    k = p.height_m / 1.7                      # everything below is for a 1.7 m person, scaled by k
    s = abs(scale)
    # Heights above the floor: seated people are lower, their legs under the desk.
    drop = 0.44 if p.seated else 0.0
    hip, shoulder = 0.92 - drop, 1.42 - drop
    head_c = 1.6 - drop
    fig = _Figure(s * k * SUPERSAMPLE, 1.0, 1.78 - drop + 0.06, 0.0 if not p.seated else hip - 0.2)
    rng = np.random.default_rng(int(abs(px) * 131 + abs(py) * 17 + p.height_m * 1000) % (2 ** 31))
    top, trousers, skin = p.top_rgb, p.trousers, p.skin

    # Legs and shoes (standing only): weight on one leg, the other set a little out.
    if not p.seated:
        for side in (-1, 1):
            out = side * p.stance * (1.0 if side > 0 else 0.4)
            knee = (side * 0.095 + out * 0.5, 0.5)
            ankle = (side * 0.1 + out, 0.09)
            fig.capsule((side * 0.09, hip + 0.02), knee, 0.08, 0.062, trousers, 0.01)
            fig.capsule(knee, ankle, 0.062, 0.045, trousers, 0.01)
            fig.ellipsoid((ankle[0] + side * 0.01, 0.04), 0.055, 0.04, (0.06, 0.05, 0.05), -0.03, cloth=False,
                          gloss=0.25)
    else:
        fig.capsule((-0.12, hip + 0.02), (0.12, hip + 0.02), 0.1, 0.1, trousers, 0.02)
    # Pelvis in the trousers; the torso from the waist up, broader at the chest; the shoulders across.
    fig.capsule((-0.07, hip + 0.02), (0.07, hip + 0.02), 0.1, 0.1, trousers, 0.015)
    fig.capsule((0.0, hip + 0.13), (0.0, shoulder - 0.13), 0.15, 0.175, top, 0.0)
    fig.capsule((-0.15, shoulder - 0.06), (0.15, shoulder - 0.06), 0.07, 0.07, top, 0.005)
    # The hem of the top over the waistband.
    fig.capsule((-0.13, hip + 0.06), (0.13, hip + 0.06), 0.045, 0.045, _darker(top, 0.96), -0.03)
    # Arms: upper arm from the shoulder to the elbow, forearm to the hand, posed per arm.
    for arm, side in enumerate((-1, 1)):
        shoulder_pt = (side * 0.19, shoulder - 0.06)
        elbow = (side * 0.235, shoulder - 0.32 + p.hands_up[arm] * 0.3)
        hand = (side * (0.2 - p.hands_in[arm]), hip + 0.02 + p.hands_up[arm])
        in_front = -0.04 - 0.12 * p.hands_in[arm]
        fig.capsule(shoulder_pt, elbow, 0.058, 0.05, _darker(top, 0.97), 0.0)
        fig.capsule(elbow, hand, 0.05, 0.04, _darker(top, 0.97), in_front)
        fig.ellipsoid((hand[0], hand[1] - 0.05), 0.04, 0.055, skin, in_front - 0.02)
    # Neck and head (turned a little), ears, then hair behind and on top.
    hx = p.head_turn
    fig.capsule((hx * 0.5, shoulder - 0.02), (hx, head_c - 0.06), 0.048, 0.045, _darker(skin, 0.9), 0.01,
                cloth=False)
    fig.ellipsoid((hx, head_c + 0.02), 0.098, 0.125, p.hair, 0.05, gloss=0.08)
    if rng.uniform() < 0.35:  # long hair falling behind the ears to the shoulders
        for side in (-1, 1):
            fig.ellipsoid((hx + side * 0.075, head_c - 0.07), 0.045, 0.14, p.hair, 0.06, gloss=0.08)
    for side in (-1, 1):
        fig.ellipsoid((hx + side * 0.088, head_c), 0.018, 0.03, _darker(skin, 0.95), 0.015)
    fig.ellipsoid((hx, head_c), 0.085, 0.112, skin, 0.0, gloss=0.06)
    # The hair covers the top of the head down to a hairline, with strands.
    cap = [(hx + 0.1 * np.cos(a), head_c + 0.035 + 0.1 * np.sin(a)) for a in np.linspace(0, np.pi, 12)]
    cap += [(hx - 0.095, head_c - 0.03), (hx - 0.06, head_c + 0.03), (hx + 0.03, head_c + 0.055),
            (hx + 0.095, head_c - 0.03)]
    fig.recolour(cap, p.hair, BODY)
    # Face: brows, eyes, the shadow under the nose, the mouth.
    for side in (-1, 1):
        ex = hx + side * 0.032
        fig.spot((ex, head_c + 0.005), 0.014, 0.008, (0.08, 0.06, 0.05), 0.9)
        fig.stroke([(ex - 0.017, head_c + 0.03), (ex + 0.017, head_c + 0.032)], _darker(p.hair, 1.0), 0.006,
                   only=BODY, strength=0.8)
    fig.spot((hx, head_c - 0.045), 0.012, 0.006, _darker(skin, 0.6), 0.6)
    fig.stroke([(hx - 0.022, head_c - 0.07), (hx + 0.022, head_c - 0.07)], _darker(skin, 0.55), 0.007,
               blur=0.003, only=BODY)
    if p.top in ("dark_blue", "black"):
        # A jacket over a white shirt: the V of the shirt shows at the collar, with a tie.
        fig.recolour([(-0.065, shoulder + 0.02), (0.065, shoulder + 0.02), (0.0, shoulder - 0.2)],
                     (0.93, 0.93, 0.93), BODY)
        fig.stroke([(0.0, shoulder - 0.02), (0.0, shoulder - 0.17)], (0.45, 0.08, 0.1), 0.025)
    if p.vest:
        # A red vest open down the front, with a reflective band.
        for side in (-1, 1):
            fig.recolour([(side * 0.05, shoulder + 0.05), (side * 0.3, shoulder + 0.05), (side * 0.3, hip),
                          (side * 0.06, hip)], (0.82, 0.08, 0.08), VEST)
            fig.recolour([(side * 0.06, hip + 0.2), (side * 0.3, hip + 0.2), (side * 0.3, hip + 0.16),
                          (side * 0.06, hip + 0.16)], (0.95, 0.95, 0.85), VEST, only=VEST)
    if p.badge:
        # A work badge on the left chest (the viewer's right) on a lanyard.
        bx, bz = 0.1, shoulder - 0.15
        fig.stroke([(-0.04, shoulder + 0.01), (bx - 0.02, bz + 0.05)], (0.1, 0.25, 0.6), 0.008)
        fig.stroke([(0.04, shoulder + 0.01), (bx + 0.02, bz + 0.05)], (0.1, 0.25, 0.6), 0.008)
        fig.recolour([(bx - 0.035, bz + 0.05), (bx + 0.035, bz + 0.05), (bx + 0.035, bz - 0.05),
                      (bx - 0.035, bz - 0.05)], (1.0, 1.0, 1.0), BADGE)
        fig.recolour([(bx - 0.035, bz + 0.05), (bx + 0.035, bz + 0.05), (bx + 0.035, bz + 0.02),
                      (bx - 0.035, bz + 0.02)], (0.12, 0.32, 0.72), BADGE, only=BADGE)
    if p.hat:
        fig.ellipsoid((hx, head_c + 0.07), 0.105, 0.07, (0.12, 0.12, 0.14), -0.01, part=HAT, cloth=True)
        fig.capsule((hx - 0.02, head_c + 0.04), (hx + 0.15, head_c + 0.035), 0.016, 0.012, (0.1, 0.1, 0.12),
                    -0.09, part=HAT, cloth=True)
    # Cloth: folds running down, wrinkles at the elbows; hair: fine strands.
    h, w = fig.alpha.shape
    folds = fbm(h, w, rng, cell_px=max(w / 10, 3), octaves=3, stretch=(0.35, 2.5))
    fig.rgb *= np.where(fig.cloth, 1 + 0.07 * folds, 1.0)[..., None]
    labels = {BODY: person}
    for code, name in ((BADGE, "work_badge"), (VEST, "volunteer_vest"), (HAT, "hat")):
        if (fig.part == code).any():
            labels[code] = frame.new_label(name, parent=person)
    # Reduce to the photo's size (smooth outline), then place: feet at (px, py); in the floor's mirror image
    # the figure hangs upside down from its feet.
    size = (max(w // SUPERSAMPLE, 1), max(h // SUPERSAMPLE, 1))
    rgb = cv2.resize(fig.rgb * fig.alpha[..., None], size, interpolation=cv2.INTER_AREA)
    alpha = cv2.resize(fig.alpha, size, interpolation=cv2.INTER_AREA)
    rgb = rgb / np.maximum(alpha, 1e-6)[..., None]
    parts = cv2.resize(fig.part, size, interpolation=cv2.INTER_NEAREST)
    left = int(round(px - 0.5 * s * k))
    if scale >= 0:
        frame.blit(rgb, alpha, parts, labels, left, int(round(py - size[1] - fig.bottom * s * k)))
    else:
        frame.blit(rgb[::-1], alpha[::-1], parts[::-1], labels, left, int(round(py + fig.bottom * s * k)))
    y = lambda z: py - z * s * k  # noqa: E731  (heights above the floor -> photo rows, upright figure)
    chest = (int(px - 0.15 * s * k), int(y(shoulder - 0.05)), int(px + 0.15 * s * k) + 1, int(y(shoulder - 0.3)) + 1)
    return person, chest
