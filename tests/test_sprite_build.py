"""The sprite build's own image work (scripts/build_sprites.py), on a drawn "render" with known parts, so it is
tested without Blender: the path tracer's grain is smoothed out, and a person's top garment is the jacket
over the torso (not the shirt showing at its middle, the face or the trousers below the hem)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from auditor.synth.sprites import PART_GARMENT, PART_SKIN
from scripts import build_sprites

PX_PER_M = 100  # the sprite's resolution; the drawn render is SUPERSAMPLE times larger


def _draw_render(folder: Path, rng: np.random.Generator) -> None:
    """A 1.75 m figure seen from the front, 2x resolution: a skin-coloured head, a navy suit (jacket over the
    torso and arms with a white shirt showing down its middle, trousers of the same navy below the hip);
    noisy beauty (the path tracer's grain) over a clean albedo, on a transparent background."""
    s = PX_PER_M * build_sprites.SUPERSAMPLE
    h, w = int(1.79 * s), int(0.7 * s)
    albedo = np.zeros((h, w, 4), np.float32)
    cx, top = w // 2, int(0.02 * s)
    m = lambda metres: int(round(metres * s))  # noqa: E731

    def paint(x0: int, y0: int, x1: int, y1: int, rgb: tuple[float, float, float]) -> None:
        albedo[y0:y1, x0:x1, :3] = rgb
        albedo[y0:y1, x0:x1, 3] = 1.0

    paint(cx - m(0.09), top, cx + m(0.09), top + m(0.24), (0.85, 0.65, 0.52))                  # head
    paint(cx - m(0.05), top + m(0.2), cx + m(0.05), top + m(0.3), (0.8, 0.6, 0.48))            # neck
    paint(cx - m(0.2), top + m(0.26), cx + m(0.2), top + m(0.92), (0.1, 0.13, 0.32))           # jacket
    paint(cx - m(0.28), top + m(0.28), cx - m(0.2), top + m(0.85), (0.1, 0.13, 0.32))          # sleeves
    paint(cx + m(0.2), top + m(0.28), cx + m(0.28), top + m(0.85), (0.1, 0.13, 0.32))
    paint(cx - m(0.03), top + m(0.26), cx + m(0.03), top + m(0.7), (0.93, 0.93, 0.92))         # shirt
    paint(cx - m(0.16), top + m(0.92), cx + m(0.16), top + m(1.75), (0.1, 0.13, 0.3))          # trousers
    light = np.linspace(1.0, 0.7, h, dtype=np.float32)[:, None]
    grain = np.clip(1 + rng.normal(0, 0.25, (h, w)).astype(np.float32), 0.2, None)
    beauty = albedo.copy()
    beauty[..., :3] = np.clip(albedo[..., :3] * (light * grain)[..., None], 0, 1)
    folder.mkdir(parents=True)
    for name, image in (("beauty0001.png", beauty), ("albedo0001.png", albedo)):
        cv2.imwrite(str(folder / name), cv2.cvtColor((image * 255).round().astype(np.uint8), cv2.COLOR_RGBA2BGRA))
    (folder / "render.json").write_text(json.dumps({"height_m": 1.75, "px_per_m": s, "size": [w, h],
                                                    "yaw_deg": 0.0, "elevation_deg": 0.0,
                                                    "base_px": [w / 2, h - 0.02 * s]}))


@pytest.fixture
def sprite(tmp_path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    _draw_render(tmp_path / "figure", np.random.default_rng(0))
    return build_sprites.clean_render(tmp_path / "figure")


def test_the_render_grain_is_smoothed_and_the_size_reduced(sprite) -> None:
    colour, cover, albedo, facts = sprite
    assert cover.shape == (int(1.79 * PX_PER_M), int(0.7 * PX_PER_M)), "reduced by SUPERSAMPLE"
    jacket = colour[40:80, 25:30]     # a patch of jacket, left of the shirt
    assert jacket.std(axis=(0, 1)).max() < 0.02, "the 25% grain is gone"
    assert np.allclose(albedo[60, 26], (0.1, 0.13, 0.32), atol=0.02)


def test_the_top_garment_is_the_jacket_over_the_torso(sprite) -> None:
    colour, cover, albedo, _ = sprite
    figure = build_sprites.Figure("drawn", "standing", (0.0,), hem_m=0.9, px_per_m=PX_PER_M)
    parts, shade, points = build_sprites.find_parts(colour, cover, albedo, figure, 0.0)
    top, cx = points["head_top"], points["torso_x"]
    m = lambda metres: int(round(metres * PX_PER_M))  # noqa: E731
    assert abs(cx - cover.shape[1] // 2) <= 1 and top <= m(0.03)
    jacket = parts[top + m(0.35):top + m(0.8), cx - m(0.18):cx - m(0.06)]
    sleeve = parts[top + m(0.4):top + m(0.8), cx + m(0.21):cx + m(0.27)]
    assert (jacket == PART_GARMENT).mean() > 0.95 and (sleeve == PART_GARMENT).mean() > 0.95
    shirt = parts[top + m(0.35):top + m(0.65), cx - m(0.02):cx + m(0.02)]
    assert (shirt == PART_GARMENT).mean() < 0.05, "not the shirt"
    assert (parts[top + m(1.0):] == PART_GARMENT).sum() == 0, "the trousers of the same cloth stop at the hem"
    assert (parts[top + m(0.05):top + m(0.2), cx - m(0.05):cx + m(0.05)] == PART_SKIN).mean() > 0.9, "the face is skin"
    # The garment's light, relative to its typical pixel, follows the render's light from top to bottom.
    assert shade[top + m(0.35), cx - m(0.12)] > shade[top + m(0.85), cx - m(0.12)]
    garment = shade[parts == PART_GARMENT]
    # Relative to the garment's median pixel, and short of the 0.25-1.25 clip: no holes, no glare.
    assert np.median(garment) == pytest.approx(1.0, abs=0.01)
    assert garment.min() > 0.5 and garment.max() < 1.2, "folds and light, no holes or glare"


def test_a_cached_render_is_redone_when_the_model_or_its_settings_change(tmp_path: Path) -> None:
    model = tmp_path / "chair.obj"
    model.write_text("v 0 0 0\n")
    args = ["0.0", "12.0", "200", "64", "0.0"]
    key = build_sprites.render_key(model, args)
    assert build_sprites.render_key(model, list(args)) == key, "the same model and settings: the cache holds"
    assert build_sprites.render_key(model, [*args[:3], "128", args[4]]) != key, "more samples"
    model.write_text("v 0 0 1\n")
    assert build_sprites.render_key(model, args) != key, "a changed model"
