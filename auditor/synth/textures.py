"""Textures for the hall's surfaces and signs, as float RGB(A) arrays in 0..1.

Signs carry real text (Chinese and English, rendered with the CJK font), because the auditor reads it.
"""

from __future__ import annotations

from functools import lru_cache

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


def floor_tiles(width_m: float, depth_m: float, rng: np.random.Generator, tile_m: float, base: Colour,
                px_per_m: int = 48) -> np.ndarray:
    """Polished stone tiles with grout, slight tone variation per tile and a soft sheen."""
    w, h = int(width_m * px_per_m), int(depth_m * px_per_m)
    tile = max(int(tile_m * px_per_m), 8)
    img = np.empty((h, w, 3), np.float32)
    base_arr = np.asarray(base, np.float32)
    for ty in range(0, h, tile):
        for tx in range(0, w, tile):
            img[ty:ty + tile, tx:tx + tile] = base_arr * rng.uniform(0.95, 1.04)
    # Marble-like low-frequency mottling.
    mottle = cv2.resize(rng.normal(0, 1, (max(h // 24, 2), max(w // 24, 2))).astype(np.float32), (w, h))
    img *= (1 + 0.025 * mottle)[..., None]
    grout = np.asarray(base, np.float32) * 0.78
    for y in range(0, h, tile):
        img[y:y + 1] = grout
    for x in range(0, w, tile):
        img[:, x:x + 1] = grout
    # The texture is seen from far away: pre-filter so tiles don't shimmer when minified.
    return cv2.GaussianBlur(img, (3, 3), 0.8)


def paint_floor_line(texture: np.ndarray, px_per_m: int, x0_m: float, y0_m: float, x1_m: float, y1_m: float,
                     width_m: float, colour: Colour, wear: float = 0.0, rng: np.random.Generator | None = None) -> None:
    """Paint a tape or paint line in floor metres (texture rows run from the far edge)."""
    h = texture.shape[0]

    def to_px(x: float, y: float) -> tuple[int, int]:
        return int(round(x * px_per_m)), int(round(h - y * px_per_m))

    thickness = max(int(round(width_m * px_per_m)), 2)
    layer = np.zeros(texture.shape[:2], np.float32)
    cv2.line(layer, to_px(x0_m, y0_m), to_px(x1_m, y1_m), 1.0, thickness)
    if wear > 0 and rng is not None:
        holes = cv2.resize(rng.uniform(0, 1, (max(h // 6, 2), max(texture.shape[1] // 6, 2))).astype(np.float32),
                           (texture.shape[1], h), interpolation=cv2.INTER_NEAREST)
        layer *= holes > wear
    layer = cv2.GaussianBlur(layer, (3, 3), 0.7)[..., None]
    texture[:] = texture * (1 - layer) + np.asarray(colour, np.float32) * layer


def wall(width_m: float, height_m: float, colour: Colour, rng: np.random.Generator, px_per_m: int = 40,
         skirting: Colour | None = (0.35, 0.33, 0.32), panel_m: float | None = None) -> np.ndarray:
    w, h = int(width_m * px_per_m), int(height_m * px_per_m)
    img = np.empty((h, w, 3), np.float32)
    img[:] = colour
    img *= (1 + 0.015 * cv2.resize(rng.normal(0, 1, (max(h // 30, 2), max(w // 30, 2))).astype(np.float32),
                                   (w, h)))[..., None]
    if panel_m:
        step = int(panel_m * px_per_m)
        for x in range(step, w, step):
            img[:, x:x + 2] *= 0.9
    if skirting is not None:
        img[h - int(0.12 * px_per_m):] = skirting
    return img


def ceiling(width_m: float, depth_m: float, rng: np.random.Generator, px_per_m: int = 30) -> np.ndarray:
    """Mineral-fibre ceiling tiles with square light panels."""
    w, h = int(width_m * px_per_m), int(depth_m * px_per_m)
    img = np.full((h, w, 3), 0.9, np.float32)
    step = int(0.6 * px_per_m)
    img[::step] = 0.78
    img[:, ::step] = 0.78
    for y in range(step, h - step, step * 4):
        for x in range(step * 2, w - step, step * 4):
            img[y:y + step, x:x + step] = 1.0
    return img


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
    """A lit display: a self-service menu ("ui") or a queue call list ("calls")."""
    image = Image.new("RGB", (width_px, height_px), (18, 60, 130) if kind == "calls" else (230, 240, 250))
    draw = ImageDraw.Draw(image)
    if kind == "calls":
        font = _font(max(height_px // 9, 8))
        draw.text((width_px * 0.05, height_px * 0.04), "请 A027 号到 3 号窗口", fill=(255, 230, 90), font=font)
        for i in range(4):
            y = height_px * (0.25 + i * 0.18)
            draw.text((width_px * 0.05, y), f"A0{20 + i}  →  {i + 1}号窗口", fill=(255, 255, 255), font=font)
    else:
        draw.rectangle((0, 0, width_px, height_px // 6), fill=(200, 40, 40))
        for i in range(6):
            x = width_px * (0.08 + (i % 2) * 0.46)
            y = height_px * (0.25 + (i // 2) * 0.24)
            colour = tuple(int(c) for c in rng.integers(60, 200, 3))
            draw.rounded_rectangle((x, y, x + width_px * 0.38, y + height_px * 0.18), radius=6, fill=colour)
    return _to_float(image)


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


def panel(colour: Colour, width_px: int, height_px: int, stripe: Colour | None = None,
          stripe_at: float = 0.1) -> np.ndarray:
    """A counter or cabinet front: a flat colour with a brand stripe and a faint edge."""
    img = np.empty((height_px, width_px, 3), np.float32)
    img[:] = colour
    gradient = np.linspace(1.04, 0.9, height_px, dtype=np.float32)[:, None, None]
    img *= gradient
    if stripe is not None:
        y = int(height_px * stripe_at)
        img[y:y + max(height_px // 12, 2)] = stripe
    img[:2] *= 1.15
    return np.clip(img, 0, 1)
