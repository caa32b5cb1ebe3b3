"""Name colours with the project's one vocabulary (``auditor.types.COLOURS``).

Two namers share the vocabulary:

- ``pixel_colour_codes`` names OpenCV HSV pixels; the floor-line finder uses it for tape and paint, which are
  saturated and fill their stripe.
- ``upper_body_colour`` names what a person wears on the upper body. Cloth is folded and shaded, photos have
  a colour cast, and the torso region of a person box also holds skin, hair, a shirt under a jacket and the
  wall behind, so it works in CIELAB/LCh (perceptual: the hue angle stays put when shading changes the
  lightness) after undoing the photo's cast, leaves out skin and colours the surroundings of the box also
  have, and names the hue family most of the remaining torso has. It answers None rather than guess when
  too little of the region is cloth or no family clearly dominates.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from auditor.detectors.base import as_bgr
from auditor.types import COLOURS, Box

# Index in this tuple is the code ``pixel_colour_codes`` returns.
COLOUR_NAMES = COLOURS
COLOUR_CODE = {name: i for i, name in enumerate(COLOUR_NAMES)}


def pixel_colour_codes(hsv: np.ndarray) -> np.ndarray:
    """Colour code per pixel of an OpenCV HSV image (H 0-179, S and V 0-255)."""
    h = hsv[..., 0].astype(np.int16)
    s = hsv[..., 1].astype(np.int16)
    v = hsv[..., 2].astype(np.int16)
    codes = np.full(h.shape, COLOUR_CODE["grey"], dtype=np.uint8)
    chromatic = (s >= 60) & (v >= 60)
    hue_names = (
        ((h < 8) | (h >= 160), "red"),
        ((h >= 8) & (h < 20), "orange"),
        ((h >= 20) & (h < 35), "yellow"),
        ((h >= 35) & (h < 88), "green"),
        ((h >= 88) & (h < 160), "blue"),
    )
    for mask, name in hue_names:
        codes[chromatic & mask] = COLOUR_CODE[name]
    # Dark blue (navy uniforms) and brown are darker versions of blue and orange/red.
    codes[chromatic & (codes == COLOUR_CODE["blue"]) & (v < 130)] = COLOUR_CODE["dark_blue"]
    codes[(s >= 50) & (v >= 35) & (v < 60) & (h >= 95) & (h < 135)] = COLOUR_CODE["dark_blue"]
    warm = (codes == COLOUR_CODE["orange"]) | ((codes == COLOUR_CODE["red"]) & (h < 20))
    codes[chromatic & warm & (v < 140)] = COLOUR_CODE["brown"]
    codes[(s < 60) & (v >= 190)] = COLOUR_CODE["white"]
    codes[v < 50] = COLOUR_CODE["black"]
    codes[(v < 60) & (s < 50)] = COLOUR_CODE["black"]
    return codes


# --- Perceptual naming (CIELAB / LCh) ---------------------------------------------------------------------

# Hue families. Shading moves lightness and chroma but hardly the hue angle, so a garment is first assigned
# a family (achromatic or a hue sector), and the family's name (white/grey/black, blue/dark blue,
# orange/brown) is chosen afterwards by lightness or chroma. Sectors are CIELAB hue angles in degrees: red
# cloth sits near 40, orange and brown near 60-75 (skin too), yellow near 95, green near 140, sky to royal
# blue near 250-280 and navy near 290-300; magenta counts as red, purple as blue.
ACHROMATIC, RED, ORANGE, YELLOW, GREEN, BLUE = range(6)
FAMILY_NAMES = ("achromatic", "red", "orange", "yellow", "green", "blue")
_SECTORS = ((0.0, 50.0, RED), (50.0, 82.0, ORANGE), (82.0, 115.0, YELLOW), (115.0, 200.0, GREEN),
            (200.0, 330.0, BLUE), (330.0, 360.1, RED))
# Below this chroma a pixel has no hue worth naming; noise and a remaining cast give dark pixels a few units
# of chroma, light ones somewhat more.
_ACHROMATIC_C = 8.0
_ACHROMATIC_C_PER_L = 0.1
# Near black, one 8-bit step of a channel already moves a and b by several units: ask for more there.
_DARK_L, _DARK_C_PER_L = 12.0, 0.4
# Lightness splits of the families with more than one name (L 0-100, after the exposure correction).
_BLACK_BELOW_L, _WHITE_FROM_L = 28.0, 72.0
_DARK_BLUE_BELOW_L = 33.0
_BROWN_BELOW_C, _BROWN_BELOW_L = 48.0, 38.0
# A "red" this dark (L) and dull (C) reads as brown: maroon and rust are not the red of a volunteer vest.
_DARK_RED_BELOW_L, _DARK_RED_BELOW_C = 22.0, 35.0


def _lab(bgr: np.ndarray) -> np.ndarray:
    """CIELAB of a BGR uint8 or float (0-1) image: L 0-100, a and b roughly -110..110."""
    if bgr.dtype != np.float32:
        bgr = bgr.astype(np.float32) / 255.0
    return cv2.cvtColor(np.clip(bgr, 0.0, 1.0), cv2.COLOR_BGR2Lab)


def lab_families(lab: np.ndarray) -> np.ndarray:
    """Hue family per pixel (ACHROMATIC, RED, ... BLUE) of a CIELAB image."""
    L, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    chroma = np.hypot(a, b)
    hue = np.degrees(np.arctan2(b, a)) % 360.0
    families = np.full(L.shape, ACHROMATIC, np.uint8)
    threshold = _ACHROMATIC_C + _ACHROMATIC_C_PER_L * L + _DARK_C_PER_L * np.clip(_DARK_L - L, 0.0, None)
    chromatic = chroma >= threshold
    for low, high, family in _SECTORS:
        families[chromatic & (hue >= low) & (hue < high)] = family
    return families


def lab_colour_codes(lab: np.ndarray, families: np.ndarray | None = None) -> np.ndarray:
    """Colour code per pixel (index into ``COLOUR_NAMES``) of a CIELAB image."""
    if families is None:
        families = lab_families(lab)
    L = lab[..., 0]
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    codes = np.full(L.shape, COLOUR_CODE["grey"], np.uint8)
    achromatic = families == ACHROMATIC
    codes[achromatic & (L < _BLACK_BELOW_L)] = COLOUR_CODE["black"]
    codes[achromatic & (L >= _WHITE_FROM_L)] = COLOUR_CODE["white"]
    codes[families == RED] = COLOUR_CODE["red"]
    dark_red = (families == RED) & (L < _DARK_RED_BELOW_L) & (chroma < _DARK_RED_BELOW_C)
    codes[dark_red] = COLOUR_CODE["brown"]
    orange = families == ORANGE
    codes[orange] = COLOUR_CODE["orange"]
    codes[orange & ((chroma < _BROWN_BELOW_C) | (L < _BROWN_BELOW_L))] = COLOUR_CODE["brown"]
    codes[families == YELLOW] = COLOUR_CODE["yellow"]
    codes[families == GREEN] = COLOUR_CODE["green"]
    blue = families == BLUE
    codes[blue] = COLOUR_CODE["blue"]
    codes[blue & (L < _DARK_BLUE_BELOW_L)] = COLOUR_CODE["dark_blue"]
    return codes


def skin_mask(bgr: np.ndarray, lab: np.ndarray) -> np.ndarray:
    """Skin-coloured pixels: the classic YCrCb skin box, narrowed in LCh to skin's hues (red-orange to
    yellow-orange) and its moderate chroma, so that red, orange and saturated brown cloth is not taken."""
    u8 = bgr if bgr.dtype == np.uint8 else np.clip(bgr * 255.0, 0, 255).astype(np.uint8)
    ycrcb = cv2.cvtColor(u8, cv2.COLOR_BGR2YCrCb)
    cr, cb = ycrcb[..., 1].astype(np.int16), ycrcb[..., 2].astype(np.int16)
    L, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    chroma = np.hypot(a, b)
    hue = np.degrees(np.arctan2(b, a)) % 360.0
    return ((cr >= 133) & (cr <= 175) & (cb >= 75) & (cb <= 130)
            & (hue >= 25) & (hue <= 85) & (chroma >= 8) & (chroma <= 42) & (L >= 35))


@dataclass(frozen=True)
class PhotoCorrection:
    """How to undo a photo's colour cast: per-channel gains (B, G, R, on linear light) for the cast of the
    light and under-exposure, and the CIELAB (a, b) tint of its shadows, taken off dark pixels."""

    gains: tuple[float, float, float] = (1.0, 1.0, 1.0)
    shadow_tint: tuple[float, float] = (0.0, 0.0)

    def apply(self, bgr: np.ndarray) -> np.ndarray:
        """The image with the gains applied, as float32 BGR 0-1."""
        linear = (bgr.astype(np.float32) / 255.0) ** 2.2
        return np.clip(linear * np.float32(self.gains), 0.0, 1.0) ** (1 / 2.2)

    def lab(self, bgr: np.ndarray, applied: np.ndarray | None = None) -> np.ndarray:
        """The corrected image in CIELAB (``applied``: ``apply(bgr)`` if already at hand)."""
        lab = _lab(self.apply(bgr) if applied is None else applied)
        if self.shadow_tint != (0.0, 0.0):
            # Fully for the darkest pixels, fading out by mid-dark ones.
            fade = np.clip((_SHADOW_FADE_L - lab[..., 0]) / (_SHADOW_FADE_L - _SHADOW_L), 0.0, 1.0)
            lab[..., 1] -= self.shadow_tint[0] * fade
            lab[..., 2] -= self.shadow_tint[1] * fade
        return lab


# The cast is estimated with the shades-of-grey method (Finlayson & Trezzi 2004: the Minkowski p-norm of each
# channel over the photo, between grey-world at p=1 and white-patch at p=inf), on pixels neither clipped nor
# black. A photo dominated by one colour (a red floor, a blue bus) fakes a cast, so the correction is applied
# only partly and limited; exposure is only ever raised, and only as far as the photo's brightest pixels allow.
_CAST_P = 6.0
_CAST_STRENGTH = 0.7
_CAST_LIMIT = (0.8, 1.25)
_EXPOSURE_TARGET, _EXPOSURE_LIMIT = 0.92, 2.5
# Shadows can have a tint of their own (blue sky light outdoors, a camera's black level): the black point.
# The darkest pixels of a photo are mostly black things and deep shadow, so their median (a, b) is that
# tint, when there are enough of them; it is limited, because a photo's darkest pixels may also be a navy
# uniform's folds.
_SHADOW_L, _SHADOW_FADE_L, _SHADOW_SHARE, _SHADOW_LIMIT = 8.0, 30.0, 0.01, 12.0


def photo_correction(image: np.ndarray) -> PhotoCorrection:
    """How to undo the colour cast and dimness of a whole photo (BGR uint8), from a small copy of it."""
    h, w = image.shape[:2]
    scale = min(1.0, 160.0 / max(h, w, 1))
    small = cv2.resize(image, (max(int(w * scale), 1), max(int(h * scale), 1)), interpolation=cv2.INTER_AREA)
    linear = (small.reshape(-1, 3).astype(np.float32) / 255.0) ** 2.2
    usable = (linear.max(axis=1) < 0.95) & (linear.max(axis=1) > 0.004)
    if usable.sum() < 50:
        return PhotoCorrection()
    px = linear[usable]
    norms = np.mean(px ** _CAST_P, axis=0) ** (1 / _CAST_P)
    cast = norms.mean() / np.maximum(norms, 1e-6)
    cast = np.clip(cast ** _CAST_STRENGTH, *_CAST_LIMIT)
    # White patch: the 99th percentile of the corrected brightness should reach the target; never darken.
    bright = float(np.percentile((linear * cast).max(axis=1), 99))
    exposure = float(np.clip(_EXPOSURE_TARGET ** 2.2 / max(bright, 1e-6), 1.0, _EXPOSURE_LIMIT))
    gains = cast * exposure
    corrected = PhotoCorrection(gains=(float(gains[0]), float(gains[1]), float(gains[2])))
    lab = corrected.lab(small).reshape(-1, 3)
    dark = lab[lab[:, 0] < _SHADOW_L]
    if len(dark) < _SHADOW_SHARE * len(lab):
        return corrected
    tint = np.median(dark[:, 1:], axis=0)
    tint *= min(1.0, _SHADOW_LIMIT / max(float(np.hypot(*tint)), 1e-6))
    return PhotoCorrection(gains=corrected.gains, shadow_tint=(float(tint[0]), float(tint[1])))


@dataclass(frozen=True)
class TopColour:
    """The answer of ``upper_body_reading``: the name (None: undecided), the share of the cloth pixels whose
    hue family won, the share of the region taken as cloth (not skin, not like the surroundings), how
    distinct the winning family is from the surroundings (1: not seen around the box; 0: only background),
    and the number of pixels looked at."""

    name: str | None
    share: float
    cloth: float
    distinct: float
    pixels: int


# When is a region's colour clear enough to name? Enough pixels, enough of them cloth, one hue family
# holding most of the cloth, well ahead of the next, and not just the colour all around the box.
MIN_PIXELS = 24
MIN_CLOTH = 0.2
MIN_SHARE = 0.45
MIN_LEAD = 1.5
MIN_DISTINCT = 0.5


def _vote(lab: np.ndarray, families: np.ndarray, keep: np.ndarray, cloth_weight: np.ndarray,
          min_share: float = MIN_SHARE) -> TopColour:
    """Vote the hue families of the kept (non-skin) pixels (N, 3 CIELAB), weighted by how much each is cloth
    rather than background; then the name most of the winning family's weight has (a shaded white shirt
    is white and grey pixels: the family keeps it together, the names then say which it mostly is)."""
    pixels = int(families.size)
    weights = keep * cloth_weight
    total = float(weights.sum())
    cloth = round(total / max(pixels, 1), 3)
    if pixels < MIN_PIXELS or total <= 0:
        return TopColour(None, 0.0, cloth, 0.0, pixels)
    per_family = np.bincount(families, weights=weights, minlength=len(FAMILY_NAMES)) / total
    order = np.argsort(per_family)[::-1]
    best, second = int(order[0]), float(per_family[order[1]])
    share = float(per_family[best])
    mine = families == best
    distinct = round(float(cloth_weight[mine & keep].mean()) if (mine & keep).any() else 0.0, 3)
    if share < min_share or share < MIN_LEAD * second or cloth < MIN_CLOTH or distinct < MIN_DISTINCT:
        return TopColour(None, round(share, 3), cloth, distinct, pixels)
    chosen = mine & (weights > 0)
    codes = lab_colour_codes(lab[chosen][None], families[chosen][None])[0]  # as a 1-row image
    per_name = np.bincount(codes, weights=weights[chosen], minlength=len(COLOUR_NAMES))
    return TopColour(COLOUR_NAMES[int(per_name.argmax())], round(share, 3), cloth, distinct, pixels)


def dominant_colour(bgr: np.ndarray, min_share: float = MIN_SHARE) -> str | None:
    """The colour of a region (BGR) that its non-skin pixels mostly have, or None when no hue family holds
    ``min_share`` of them (the region as it is: no cast correction, no surroundings to discount)."""
    if bgr.size == 0:
        return None
    lab = _lab(bgr)
    families = lab_families(lab)
    skin = skin_mask(bgr, lab)
    if skin.mean() > 0.5:  # mostly "skin": a beige or brown garment rather than a face
        skin[:] = False
    return _vote(lab.reshape(-1, 3), families.ravel(), ~skin.ravel(), np.ones(skin.size, np.float32),
                 min_share).name


def torso_region(person: Box) -> tuple[float, float, float, float]:
    """Where the chest and belly are in a person box, from its proportions.

    A box about three times as tall as wide shows a whole standing person: the chest is below the head,
    from about a fifth of the height down to under half. A squatter box shows only the upper body (behind a
    counter, seated, or cut by the photo's edge): its width is then about the shoulders' width, the head
    takes the top ~0.6 of a width and the torso the ~0.8 widths below that. Boxes wider than tall (an arm
    stretched out) keep the region within the lower part of the box.
    """
    x1, y1, x2, y2 = person
    w, h = max(x2 - x1, 1.0), max(y2 - y1, 1.0)
    full_body = h >= 2.4 * w
    unit = min(w, h / 3.1) if full_body else w   # about the shoulder width
    top = min(0.62 * unit, 0.4 * h)
    bottom = min(top + 0.85 * unit, h)
    bottom = max(bottom, min(top + 0.3 * h, h))
    half = 0.38 * unit                           # most of the chest's width, not the arms
    cx = (x1 + x2) / 2
    return (max(cx - half, x1), y1 + top, min(cx + half, x2), y1 + bottom)


# Background: the colours of a band around the sides of the box, at the torso's height. A colour that the
# band has as much as the region is the wall seen next to the body, not the top; what the region has beyond
# BACKGROUND_SHARE times the band's share of it counts as cloth. Bins are coarse CIELAB cells.
BACKGROUND_SHARE = 0.6
_BIN_L, _BIN_AB = 12.5, 12.0


def _lab_bins(lab: np.ndarray) -> np.ndarray:
    li = np.clip(lab[..., 0] / _BIN_L, 0, 7).astype(np.int32)
    ai = np.clip((lab[..., 1] + 128) / _BIN_AB, 0, 21).astype(np.int32)
    bi = np.clip((lab[..., 2] + 128) / _BIN_AB, 0, 21).astype(np.int32)
    return (li * 22 + ai) * 22 + bi


MAX_REGION_PIXELS = 20000


def _reduce(bgr: np.ndarray, factor: float) -> np.ndarray:
    h, w = bgr.shape[:2]
    return cv2.resize(bgr, (max(int(w * factor), 1), max(int(h * factor), 1)), interpolation=cv2.INTER_AREA)


def upper_body_reading(image: np.ndarray, person: Box, correction: PhotoCorrection | None = None) -> TopColour:
    """``upper_body_colour`` with its evidence (share of the winning family, share of cloth)."""
    image = as_bgr(image)
    H, W = image.shape[:2]
    rx1, ry1, rx2, ry2 = torso_region(person)
    left, right = max(int(round(rx1)), 0), min(int(round(rx2)), W)
    top, bottom = max(int(round(ry1)), 0), min(int(round(ry2)), H)
    if right - left < 2 or bottom - top < 2:
        return TopColour(None, 0.0, 0.0, 0.0, 0)
    if correction is None:
        correction = photo_correction(image)
    # Colour statistics need no detail: a large region is looked at reduced (averaging, which also calms
    # noise and JPEG blocks), to at most MAX_REGION_PIXELS pixels.
    region = image[top:bottom, left:right]
    factor = min(1.0, float(np.sqrt(MAX_REGION_PIXELS / region[..., 0].size)))
    if factor < 1.0:
        region = _reduce(region, factor)
    region_bgr = correction.apply(region)
    lab = correction.lab(region, region_bgr)
    families = lab_families(lab).ravel()
    pixels = families.size

    # Skin (face, neck, hands, bare arms) is not the top, unless it is most of the torso: then it is a
    # beige or brown garment of skin-like colour.
    skin = skin_mask(region_bgr, lab).ravel()
    if skin.mean() > 0.5:
        skin[:] = False
    weights = np.ones(pixels, np.float32)

    # The surroundings: bands left and right of the box, as wide as a third of the box, at the region's rows.
    x1, x2 = int(round(person[0])), int(round(person[2]))
    band = max(int(0.33 * (x2 - x1)), 3)
    sides = [image[top:bottom, max(x1 - band, 0):max(x1, 0)], image[top:bottom, min(x2, W):min(x2 + band, W)]]
    sides = [(_reduce(s, factor) if factor < 1.0 else s).reshape(1, -1, 3) for s in sides if s.size]
    if sides:
        ring = correction.lab(np.concatenate(sides, axis=1))
        ring_bins = np.bincount(_lab_bins(ring).ravel(), minlength=8 * 22 * 22) / max(ring[..., 0].size, 1)
        bins = _lab_bins(lab).ravel()
        region_share = np.bincount(bins, minlength=8 * 22 * 22) / pixels
        cloth_of_bin = np.clip(1.0 - BACKGROUND_SHARE * ring_bins / np.maximum(region_share, 1e-9), 0.0, 1.0)
        weights *= cloth_of_bin[bins].astype(np.float32)
    return _vote(lab.reshape(-1, 3), families, ~skin, weights)


def upper_body_colour(image: np.ndarray, person: Box, correction: PhotoCorrection | None = None) -> str | None:
    """The colour of the top a person wears (from the torso of the person box), or None when unclear.
    ``correction``: ``photo_correction(image)``, when several people of one photo are looked at."""
    return upper_body_reading(image, person, correction).name
