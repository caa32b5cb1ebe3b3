"""Name colours with the project's one vocabulary (``auditor.types.COLOURS``).

Pixels are named in HSV, where lighting mostly moves V and leaves the hue alone; the region's colour is
the name most of its non-skin pixels get. Good enough for saturated uniforms, vests and floor tape; the
real-photo analyzer issue refines it.
"""

from __future__ import annotations

import cv2
import numpy as np

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


def _skin(hsv: np.ndarray) -> np.ndarray:
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    return (h < 25) & (s > 40) & (s < 170) & (v > 90)


def dominant_colour(bgr: np.ndarray, min_share: float = 0.35) -> str | None:
    """The colour most pixels of the region have, or None when no colour reaches ``min_share``."""
    if bgr.size == 0:
        return None
    hsv = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)
    codes = pixel_colour_codes(hsv)[~_skin(hsv)]
    if codes.size < 20:
        return None
    counts = np.bincount(codes.ravel(), minlength=len(COLOUR_NAMES))
    best = int(counts.argmax())
    return COLOUR_NAMES[best] if counts[best] >= min_share * codes.size else None


def upper_body_colour(image: np.ndarray, person: Box) -> str | None:
    """The dominant colour of the torso of a person box (below the head, above the waist)."""
    x1, y1, x2, y2 = person
    w, h = x2 - x1, y2 - y1
    # The chest: the middle half of the width, from a fifth to half of the height.
    top, bottom = int(y1 + 0.2 * h), int(y1 + 0.5 * h)
    left, right = int(x1 + 0.25 * w), int(x2 - 0.25 * w)
    H, W = image.shape[:2]
    crop = image[max(top, 0):min(bottom, H), max(left, 0):min(right, W)]
    return dominant_colour(crop)
