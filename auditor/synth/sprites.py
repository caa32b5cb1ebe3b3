"""Pictures rendered offline from textured 3D models (``scripts/build_sprites.py``; sources, credits and
licences in ``assets/LICENSE.md``): reading them, scaling them, and the freestanding things of the hall
(plants, bins, fire extinguishers, water dispensers, cups and bags) drawn from them. People are in
``people.py``, built on the same pictures.

A thing's sprite shows the model a little from above, as a standing camera sees it; it is composited flat
at the depth of the model's front, with its base's middle on the point it stands on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import cv2
import numpy as np

from auditor.synth.render import Frame

ASSETS = Path(__file__).parent / "assets"


def read_picture(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(sRGB 0..1 float32 (h, w, 3), coverage 0..1 (h, w)) of a sprite's WebP."""
    bgra = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if bgra is None or bgra.ndim != 3 or bgra.shape[2] != 4:
        raise FileNotFoundError(f"sprite {path.name} is missing or damaged under {path.parent}")
    rgb = cv2.cvtColor(bgra[..., :3], cv2.COLOR_BGR2RGB).astype(np.float32) / 255
    return rgb, bgra[..., 3].astype(np.float32) / 255


def to_linear(srgb: np.ndarray | tuple[float, float, float]) -> np.ndarray:
    """sRGB 0..1 -> linear light (where light adds and scales)."""
    srgb = np.asarray(srgb, np.float32)
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def to_srgb(linear: np.ndarray) -> np.ndarray:
    linear = np.clip(linear, 0, None)
    return np.where(linear <= 0.0031308, linear * 12.92, 1.055 * np.power(linear, 1 / 2.4) - 0.055)


# A person sprite's part map (``NAME.parts.png`` beside its picture, lossless): blue the part code of each
# pixel, green the top garment's light relative to its typical (median) lit pixel, times PART_SHADE_SCALE.
PART_GARMENT, PART_SKIN = 1, 2
PART_SHADE_SCALE = 200


def write_part_map(path: Path, parts: np.ndarray, shade: np.ndarray) -> None:
    part_map = np.dstack([parts.astype(np.uint8), (np.clip(shade, 0, 1.25) * PART_SHADE_SCALE).round().astype(np.uint8),
                          np.zeros_like(parts, np.uint8)])
    cv2.imwrite(str(path), part_map, [cv2.IMWRITE_PNG_COMPRESSION, 9])


def read_part_map(path: Path, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(part codes (h, w) uint8, garment shade (h, w) float32) of a sprite whose picture has ``shape``."""
    part_map = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if part_map is None or part_map.shape[:2] != shape[:2]:
        raise FileNotFoundError(f"the part map {path.name} is missing or damaged under {path.parent}")
    return part_map[..., 0].copy(), part_map[..., 1].astype(np.float32) / PART_SHADE_SCALE


def scaled(rgb: np.ndarray, alpha: np.ndarray, factor: float) -> tuple[np.ndarray, np.ndarray]:
    """The picture resized by ``factor``, its colour averaged by coverage so edges take no dark fringe."""
    h, w = alpha.shape
    size = (max(int(round(w * factor)), 1), max(int(round(h * factor)), 1))
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    cover = cv2.resize(alpha, size, interpolation=interpolation)
    colour = cv2.resize(rgb * alpha[..., None], size, interpolation=interpolation)
    return colour / np.maximum(cover, 1e-4)[..., None], cover


@dataclass(frozen=True)
class ThingSprite:
    name: str
    kind: str             # the detector class it is labelled as
    on: str               # floor, or top (of a counter or desk)
    px_per_m: float
    model_height_m: float
    base: tuple[float, float]   # pixel of the middle of the model's base


@lru_cache(maxsize=1)
def things() -> tuple[ThingSprite, ...]:
    index = json.loads((ASSETS / "objects" / "objects.json").read_text(encoding="utf-8"))
    return tuple(ThingSprite(name=e["name"], kind=e["kind"], on=e["on"], px_per_m=e["px_per_m"],
                             model_height_m=e["model_height_m"], base=tuple(e["base"])) for e in index["sprites"])


def choose_thing(rng: np.random.Generator, kind: str, on: str) -> ThingSprite:
    """One of the sprites of class ``kind`` made to stand on ``on`` (floor or top); things made to hang on a
    wall (an air conditioner, a camera) hang at any height."""
    choices = [t for t in things() if t.kind == kind and t.on in (on, "wall")]
    if not choices:
        raise KeyError(f"no sprite of a {kind} on the {on}")
    return choices[int(rng.integers(len(choices)))]


@cache
def thing_picture(name: str) -> tuple[np.ndarray, np.ndarray]:
    return read_picture(ASSETS / "objects" / f"{name}.webp")


def _metres_per_picture_px(sprite: ThingSprite, height_m: float) -> float:
    """Metres of the world per pixel of ``sprite``'s picture when it is drawn ``height_m`` tall."""
    return height_m / sprite.model_height_m / sprite.px_per_m


def thing_extent(sprite: ThingSprite, height_m: float) -> tuple[float, float]:
    """How far (metres) ``sprite`` drawn ``height_m`` tall reaches left and right of its base's middle."""
    metres_per_px = _metres_per_picture_px(sprite, height_m)
    width_px = thing_picture(sprite.name)[1].shape[1]
    return sprite.base[0] * metres_per_px, (width_px - sprite.base[0]) * metres_per_px


def draw_thing(frame: Frame, sprite: ThingSprite, base: tuple[float, float, float], front: tuple[float, float, float],
               height_m: float, label: int) -> None:
    """Draw ``sprite`` scaled to ``height_m`` with its base's middle on the world point ``base``, at the depth
    of ``front`` (the nearest point of its footprint, so a counter top in front of it does not cut its foot).
    """
    def draw(px: float, py: float, scale: float) -> None:
        rgb, alpha = thing_picture(sprite.name)
        factor = scale * _metres_per_picture_px(sprite, height_m)
        rgb, alpha = scaled(rgb, alpha, factor)
        parts = (alpha > 0.5).astype(np.uint8)
        bx, by = sprite.base[0] * factor, sprite.base[1] * factor
        left = int(round(px - bx))
        frame.blit_standing(rgb, alpha, parts, {1: label}, left, py, by)

    frame.sprite(draw, base, depth_at=front)
