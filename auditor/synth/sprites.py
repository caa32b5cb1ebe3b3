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


def draw_thing(frame: Frame, sprite: ThingSprite, base: tuple[float, float, float], front: tuple[float, float, float],
               height_m: float, label: int) -> None:
    """Draw ``sprite`` scaled to ``height_m`` with its base's middle on the world point ``base``, at the depth
    of ``front`` (the nearest point of its footprint, so a counter top in front of it does not cut its foot).
    """
    def draw(px: float, py: float, scale: float) -> None:
        rgb, alpha = thing_picture(sprite.name)
        factor = abs(scale) * height_m / sprite.model_height_m / sprite.px_per_m
        rgb, alpha = scaled(rgb, alpha, factor)
        parts = (alpha > 0.5).astype(np.uint8)
        bx, by = sprite.base[0] * factor, sprite.base[1] * factor
        left = int(round(px - bx))
        if scale >= 0:
            frame.blit(rgb, alpha, parts, {1: label}, left, int(round(py - by)))
        else:  # the floor's mirror image: upside down, hanging from its base
            frame.blit(rgb[::-1], alpha[::-1], parts[::-1], {1: label}, left, int(round(py + by - alpha.shape[0])))

    frame.sprite(draw, base, depth_at=front)
