"""People in the hall: staff in uniform with or without a work badge, volunteers in red vests, visitors in
everyday clothes.

Each person is a sprite rendered offline from a textured 3D character (photographic faces, hair and cloth;
``scripts/build_sprites.py``, sources and licence in ``assets/LICENSE.md``), standing or
seated, turned to one of a few yaws. Its top garment is recoloured to the person's dress colour, keeping
the cloth's own light and folds (what the dress checks read); badge, vest and hat are drawn on it; then it
is composited into the photo at the person's size with the labels of its parts (person, work badge,
volunteer vest, hat).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, lru_cache

import cv2
import numpy as np

from auditor.synth.render import Colour, Frame
from auditor.synth.sprites import (
    ASSETS,
    PART_GARMENT,
    PART_SKIN,
    read_part_map,
    read_picture,
    scaled,
    to_linear,
    to_srgb,
)

PEOPLE = ASSETS / "people"

# What each colour name of the vocabulary looks like on cloth (sRGB 0..1, lit), a few shades each.
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
VEST_RED: Colour = (0.82, 0.08, 0.08)
# The light on a garment's typical pixel (linear; the sprites were rendered under a brighter light than the
# halls' own surfaces get): at 1.0 grey cloth came out of the photo finish nearly white.
GARMENT_LIGHT = 0.7
# Part codes of a composited person: which label a pixel records.
BODY, BADGE, VEST, HAT = 1, 2, 3, 4
# Yaws at which a person shows the front of the chest (where a badge is worn and judged).
_FRONT_YAW_DEG = 40.0
# The figures' seated models sit as a 1.75 m person does, on a chair raised for a service counter (their
# feet are always hidden behind the counter or the desk's front panel).
_SEATED_MODEL_HEIGHT_M = 1.75
_SEAT_LIFT_M = 0.1


@dataclass(frozen=True)
class Sprite:
    name: str
    pose: str             # standing or seated
    yaw_deg: float        # 0 faces the camera, 180 shows the back
    px_per_m: float
    model_height_m: float
    head_top: int         # rows and columns of the sprite picture
    foot: int
    torso_x: int
    head_x: int

    @property
    def faces_camera(self) -> bool:
        return abs(self.yaw_deg) <= _FRONT_YAW_DEG


@dataclass(frozen=True)
class SpritePicture:
    rgb: np.ndarray       # sRGB 0..1, float32 (h, w, 3)
    alpha: np.ndarray     # coverage 0..1 (h, w)
    parts: np.ndarray     # PART_GARMENT, PART_SKIN or 0 (h, w) uint8
    shade: np.ndarray     # the garment's light relative to its typical (median) lit pixel (h, w)


@lru_cache(maxsize=1)
def person_sprites() -> tuple[Sprite, ...]:
    index = json.loads((PEOPLE / "people.json").read_text(encoding="utf-8"))
    fields = Sprite.__dataclass_fields__
    return tuple(Sprite(**{k: v for k, v in entry.items() if k in fields}) for entry in index["sprites"])


@cache
def sprite_picture(name: str) -> SpritePicture:
    """A figure's picture and part map, its hair made black (``hair_mask``)."""
    rgb, alpha = read_picture(PEOPLE / f"{name}.webp")
    parts, shade = read_part_map(PEOPLE / f"{name}.parts.png", alpha.shape)
    sprite = next(s for s in person_sprites() if s.name == name)
    hair = hair_mask(sprite, rgb, alpha, parts)
    if hair.any():
        # Black hair keeps the shade of the brown it replaces, relative to that hair's typical bright pixel,
        # which becomes black hair's light (or stays, for hair darker than that); the highlights of fair and
        # brown hair, brighter than black hair shows, are compressed.
        luma = to_linear(rgb[hair]).mean(axis=1)
        black = np.asarray(BLACK_HAIR, np.float32)
        bright = max(float(np.percentile(luma, 75)), 1e-6)
        relative = luma / bright
        light = min(bright, float(black.mean())) * np.where(relative > 1, np.minimum(relative, 1.6) ** 0.7, relative)
        rgb = rgb.copy()
        rgb[hair] = to_srgb(black[None, :] / black.mean() * light[:, None])
    return SpritePicture(rgb=rgb, alpha=alpha, parts=parts, shade=shade)


# Black hair (linear RGB of its bright side). The figures come with brown and fair hair; in the district's
# halls nearly everyone's is black, and brown hair on every head read as "game characters" to the judges.
BLACK_HAIR: Colour = (0.022, 0.018, 0.016)
# Fair hair (its crown lighter than this CIE L) is left as it is: its texture varies too much in light to
# darken evenly, and it comes out streaked.
FAIR_HAIR_L = 38.0
# How far below the top of the head long hair reaches (to the shoulder blades).
HAIR_REACH_M = 0.48


def hair_mask(sprite: Sprite, rgb: np.ndarray, alpha: np.ndarray, parts: np.ndarray) -> np.ndarray:
    """The figure's hair: what has the colour of its crown (the top 4 cm of the head), reaching up to the
    crown, down to ``HAIR_REACH_M`` below it, and neither on the face (the hull of the head's skin) nor
    under it. Empty for fair hair and for a crown that shows no hair."""
    h, w = alpha.shape
    m = lambda metres: int(round(metres * sprite.px_per_m))  # noqa: E731  (metres -> sprite pixels)
    lab = cv2.cvtColor(np.clip(rgb, 0, 1).astype(np.float32), cv2.COLOR_RGB2Lab)
    free = (alpha > 0.5) & (parts == 0)
    head = slice(sprite.head_top, sprite.head_top + m(0.25))
    skin = np.zeros((h, w), np.uint8)
    skin[head] = (parts[head] == PART_SKIN).astype(np.uint8)
    if skin.sum() > 20:
        # The face is the hull of the head's skin (eyes, brows and lips inside it); a fringe over the
        # forehead lies above it. Under the face, hair hangs beside the chin and the collar, not in front.
        ys, xs = np.nonzero(skin)
        face = cv2.fillConvexPoly(np.zeros((h, w), np.uint8), cv2.convexHull(np.column_stack([xs, ys])), 1)
        yy, xx = np.mgrid[0:h, 0:w]
        chin = (yy > ys.max()) & (xx > xs.min()) & (xx < xs.max())
        free &= ~(face.astype(bool) | chin)
    crown = slice(sprite.head_top, sprite.head_top + m(0.04))
    sample = lab[crown][free[crown]]
    if len(sample) < 5:
        return np.zeros((h, w), bool)
    colour = np.median(sample, axis=0)
    if colour[0] > FAIR_HAIR_L:
        return np.zeros((h, w), bool)
    # Hair's own light varies more than its hue: lightness counts a third.
    difference = (lab - colour) * np.array([0.35, 1.0, 1.0], np.float32)
    band = np.zeros((h, w), bool)
    band[max(sprite.head_top - 2, 0):sprite.head_top + m(HAIR_REACH_M)] = True
    near = free & band & (np.linalg.norm(difference, axis=-1) < 16)
    near = cv2.morphologyEx(near.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8)).astype(bool)
    near &= free & band
    _, pieces = cv2.connectedComponents(near.astype(np.uint8))
    at_crown = np.unique(pieces[max(sprite.head_top - 2, 0):sprite.head_top + m(0.05)])
    return np.isin(pieces, at_crown[at_crown > 0])


@dataclass(frozen=True)
class PersonLook:
    role: str           # staff, volunteer, visitor
    top: str            # colour name of the upper garment (what dress checks read)
    top_rgb: Colour
    badge: bool
    vest: bool
    seated: bool
    height_m: float
    figure: str         # the sprite's name
    hat: bool = False
    # How far the person moves sideways while the shutter is open (metres): a visitor walking by some
    # centimetres (areas.WALKING_SMEAR_M), as people do in real photos of busy halls; someone standing or at
    # work, by a centimetre or three.
    motion_m: float = 0.0


def look(rng: np.random.Generator, role: str, top: str, badge: bool, vest: bool, seated: bool,
         hat: bool = False, motion_m: float = 0.0) -> PersonLook:
    shades = CLOTH[top]
    pose = "seated" if seated else "standing"
    # Staff and volunteers face the camera (badges and vests are judged on the chest); visitors stand any way.
    facing = role != "visitor" or rng.uniform() < 0.6
    choices = [s for s in person_sprites() if s.pose == pose and (s.faces_camera or not facing)]
    figure = choices[int(rng.integers(len(choices)))]
    return PersonLook(role=role, top=top, top_rgb=shades[int(rng.integers(len(shades)))], badge=badge, vest=vest,
                      seated=seated, height_m=float(rng.uniform(1.58, 1.80)), figure=figure.name, hat=hat,
                      motion_m=motion_m)


def _dressed(picture: SpritePicture, sprite: Sprite, p: PersonLook, ppm: float
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """The sprite at ``ppm`` pixels per metre with the person's garment colour, vest, badge and hat drawn
    on: (rgb, alpha, part codes, factor sprite px -> photo px)."""
    f = ppm / sprite.px_per_m
    rgb, alpha = scaled(picture.rgb, picture.alpha, f)
    size = (alpha.shape[1], alpha.shape[0])
    shrink = cv2.INTER_AREA if f < 1 else cv2.INTER_LINEAR
    garment = cv2.resize((picture.parts == PART_GARMENT).astype(np.float32), size, interpolation=shrink)
    skin = cv2.resize((picture.parts == PART_SKIN).astype(np.float32), size, interpolation=cv2.INTER_NEAREST) > 0.5
    shade = cv2.resize(picture.shade, size, interpolation=shrink)
    # The garment in the person's colour under the cloth's own light (the sprite's typical lit pixel dimmed
    # to the hall's light); its edge blends into what it meets.
    dressed = to_srgb(to_linear(p.top_rgb)[None, None, :] * (GARMENT_LIGHT * shade)[..., None])
    rgb = rgb * (1 - garment[..., None]) + dressed * garment[..., None]
    m = lambda metres: metres * ppm  # noqa: E731  (metres of the person -> photo pixels)
    top, cx = sprite.head_top * f, sprite.torso_x * f
    yy, xx = np.mgrid[0:size[1], 0:size[0]].astype(np.float32)
    if sprite.pose == "seated":
        # Seated staff are always seen over a counter or a desk: their legs are left out, since a crossed
        # knee would otherwise poke up over a low counter top.
        alpha = alpha * np.clip((top + m(0.64) - yy) / max(m(0.02), 1.0), 0, 1)
    parts = np.where(alpha > 0.5, BODY, 0).astype(np.uint8)
    body = alpha > 0.5
    if p.vest:
        # A red vest open down the front over whatever is worn, with a reflective band; hands stay in front.
        side = np.abs(xx - cx)
        # Narrow straps over the shoulders widening to the body under the armholes.
        outer = m(0.12) + np.clip((yy - (top + m(0.27))) / max(m(0.16), 1), 0, 1) * m(0.09)
        panel = (side > m(0.035)) & (side < outer) & (yy > top + m(0.27)) & (yy < top + m(0.80)) & body & ~skin
        band = panel & (np.abs(yy - (top + m(0.66))) < m(0.022))
        if panel.any():
            # The vest takes the light of what it covers, relative to that cloth's bright side.
            luma = to_linear(rgb[panel]).mean(axis=1)
            light = np.clip(luma / max(float(np.percentile(luma, 90)), 1e-4), 0.15, 1.2)
            vest = np.zeros_like(rgb)
            vest[panel] = to_linear(VEST_RED)[None, :] * light[:, None]
            vest[band] = to_linear((0.95, 0.95, 0.85))[None, :] * light[band[panel]][:, None]
            rgb[panel] = to_srgb(vest[panel])
        parts[panel] = VEST
    if p.badge and sprite.faces_camera:
        # A work badge on the left chest (the viewer's right) on a lanyard round the neck.
        turn = np.sin(np.radians(sprite.yaw_deg))
        bx, by = cx + m(0.09 * np.cos(np.radians(sprite.yaw_deg)) - 0.04 * turn), top + m(0.45)
        neck_y = top + m(0.26)
        for dx in (-m(0.04), m(0.04)):
            cv2.line(rgb, (int(round(cx + dx)), int(round(neck_y))), (int(round(bx + dx * 0.4)),
                     int(round(by - m(0.045)))), (0.1, 0.25, 0.6), max(int(round(m(0.008))), 1), cv2.LINE_AA)
        card = (np.abs(xx - bx) < m(0.03)) & (np.abs(yy - by) < m(0.045)) & body
        rgb[card] = (0.97, 0.97, 0.96)
        rgb[card & (yy < by - m(0.018))] = (0.12, 0.32, 0.72)
        parts[card] = BADGE
    if p.hat:
        hx = sprite.head_x * f
        cap = (((xx - hx) / m(0.105)) ** 2 + ((yy - (top + m(0.05))) / m(0.075)) ** 2 < 1) & (yy < top + m(0.075))
        brim = (np.abs(yy - (top + m(0.07))) < m(0.014)) & (xx > hx - m(0.09)) & (xx < hx + m(0.16))
        hat = cap | brim
        light = np.clip(1.15 - (yy - top) / max(m(0.1), 1) * 0.4, 0.6, 1.15)
        rgb[hat] = (np.array([0.12, 0.12, 0.14], np.float32) * light[..., None])[hat]
        alpha = np.where(hat, 1.0, alpha)
        parts[hat] = HAT
    return np.clip(rgb, 0, 1.2), alpha, parts, float(f)


def _moving(rgb: np.ndarray, alpha: np.ndarray, parts: np.ndarray, smear_px: float
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """The figure smeared sideways by ``smear_px`` pixels of movement during the exposure (walking past, or a
    hand or head moving at work): a box blur of the light it gives, premultiplied by its coverage, so it
    does not darken at its edges. The pictures grow by the smear on each side, whose width comes back as the
    left shift of the figure's columns."""
    length = int(round(smear_px))
    if length < 2:
        return rgb, alpha, parts, 0
    pad = length // 2 + 1
    widen = lambda a: cv2.copyMakeBorder(a, 0, 0, pad, pad, cv2.BORDER_CONSTANT, value=0)  # noqa: E731
    rgb, alpha, parts = widen(rgb), widen(alpha), widen(parts)
    kernel = (length | 1, 1)
    smeared_alpha = cv2.blur(alpha, kernel)
    premultiplied = cv2.blur(rgb * alpha[..., None], kernel)
    rgb = premultiplied / np.maximum(smeared_alpha, 1e-4)[..., None]
    # Pixels the smear newly covers take the code of the part they were smeared from.
    grown = cv2.dilate(parts, np.ones((1, length | 1), np.uint8))
    parts = np.where(smeared_alpha > 0.5, np.where(parts > 0, parts, grown), 0).astype(np.uint8)
    return rgb.astype(np.float32), smeared_alpha.astype(np.float32), parts, pad


def _feet_shadow(frame: Frame, alpha: np.ndarray, left: int, py: float, foot: float, ppm: float) -> None:
    """The dark contact shadow right under each shoe, shaped by the soles in the picture: a person's feet
    stand apart, and one blob between them read as "feet not planted"."""
    sole = alpha[max(int(foot - 0.04 * ppm), 0):int(foot) + 1]
    if sole.size == 0:
        return
    profile = sole.max(axis=0)                              # where along the row a shoe touches the floor
    depth_px = max(int(0.05 * ppm), 3)                      # the shadow's reach behind and before the sole
    rows = np.arange(-depth_px, depth_px + 1, dtype=np.float32)
    falloff = np.exp(-0.5 * (rows / max(0.012 * ppm, 0.8)) ** 2)
    darkness = cv2.GaussianBlur(falloff[:, None] * profile[None, :], (0, 0), max(0.01 * ppm, 0.6)) * 0.55
    frame.darken_floor(darkness, left, int(round(py)) - depth_px)


def draw_person(frame: Frame, px: float, py: float, scale: float, p: PersonLook
                ) -> tuple[int, tuple[int, int, int, int]]:
    """Draw at foot point (px, py) with ``scale`` pixels per metre (in the floor's mirror image, hanging down
    from the feet: ``Frame.blit_standing`` reads the mirrored camera); returns the person's label id and the
    pixel box of the chest (where dress colour and badge are judged)."""
    sprite = next(s for s in person_sprites() if s.name == p.figure)
    picture = sprite_picture(sprite.name)
    person = frame.new_label("person")
    # The figure's model is scaled to the person's height (seated models sit as a 1.75 m person does).
    model_height = _SEATED_MODEL_HEIGHT_M if sprite.pose == "seated" else sprite.model_height_m
    ppm = scale * p.height_m / model_height
    rgb, alpha, parts, f = _dressed(picture, sprite, p, ppm)
    rgb, alpha, parts, shift = _moving(rgb, alpha, parts, p.motion_m * ppm)
    labels = {BODY: person}
    for code, name in ((BADGE, "work_badge"), (VEST, "volunteer_vest"), (HAT, "hat")):
        if (parts == code).any():
            labels[code] = frame.new_label(name, parent=person)
    # Place: the figure's middle over the foot point, its feet on it; in the floor's mirror image the
    # figure hangs upside down from its feet.
    left = int(round(px - rgb.shape[1] / 2))
    foot = sprite.foot * f + (_SEAT_LIFT_M * scale if sprite.pose == "seated" else 0.0)
    if sprite.pose == "standing" and frame.floor_shadows:
        # Before the figure: the floor under the soles darkens, the shoes drawn over it do not. (Not in the
        # floor's reflection or the shadow map, which draw no floor shadows.)
        _feet_shadow(frame, alpha, left, py, foot, ppm)
    frame.blit_standing(rgb, alpha, parts, labels, left, py, foot)
    # The chest: 0.33-0.58 m below the top of the head, 0.15 m either side of the torso's middle.
    top = py - foot + sprite.head_top * f
    cx = left + shift + sprite.torso_x * f
    chest = (int(cx - 0.15 * ppm), int(top + 0.33 * ppm), int(cx + 0.15 * ppm) + 1, int(top + 0.58 * ppm) + 1)
    return person, chest
