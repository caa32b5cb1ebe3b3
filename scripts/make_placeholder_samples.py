"""Draw the placeholder sample halls under samples/ (two streets, one photo per functional area).

These are simple drawings, not photos: a wall, a floor, signs with real Chinese/English text, floor tape,
counters and seats, so that a newcomer's first audit exercises the text reader and the floor-line analyzer
end to end. The synthetic-scenes issue replaces them with realistic rendered halls and their truth.

    python scripts/make_placeholder_samples.py [--out samples]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from auditor.fonts import cjk_font_path

W, H = 960, 640
WALL = (226, 222, 212)
FLOOR = (188, 184, 176)
YELLOW = (236, 196, 24)
PLATE_BLUE = (22, 74, 150)
SIGN_RED = (178, 28, 36)


def _font(size: int) -> ImageFont.FreeTypeFont:
    path = cjk_font_path()
    if path is None:
        raise SystemExit("no CJK font found: install fonts-wqy-microhei (make setup does it)")
    return ImageFont.truetype(str(path), size)


def _room(rng: random.Random) -> tuple[Image.Image, ImageDraw.ImageDraw, int]:
    horizon = int(H * rng.uniform(0.42, 0.5))
    img = Image.new("RGB", (W, H), WALL)
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, horizon, W, H), fill=FLOOR)
    # Floor tiles receding to the vanishing point, so the floor reads as a floor.
    vx = W // 2 + rng.randint(-80, 80)
    for i in range(-12, 13):
        draw.line((vx, horizon, vx + i * 160, H), fill=(170, 166, 158), width=2)
    y, step = horizon + 8, 10
    while y < H:
        draw.line((0, y, W, y), fill=(170, 166, 158), width=2)
        step = int(step * 1.35) + 2
        y += step
    draw.rectangle((0, 0, W, 26), fill=(245, 245, 240))  # ceiling edge
    return img, draw, horizon


def _sign(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], lines: list[str], bg, fg, size: int) -> None:
    draw.rectangle(box, fill=bg, outline=(60, 60, 60), width=2)
    font = _font(size)
    total = len(lines) * (size + 8)
    y = (box[1] + box[3]) // 2 - total // 2
    for text in lines:
        width = draw.textlength(text, font=font)
        draw.text(((box[0] + box[2] - width) / 2, y), text, fill=fg, font=font)
        y += size + 8


def _tape(draw: ImageDraw.ImageDraw, y: int, x1: int, x2: int, width: int = 12) -> None:
    draw.polygon([(x1, y), (x2, y - 4), (x2, y - 4 + width), (x1, y + width)], fill=YELLOW)


def _counter(draw: ImageDraw.ImageDraw, horizon: int) -> int:
    top = horizon + 40
    draw.rectangle((120, top, 840, top + 30), fill=(214, 206, 190))          # counter top
    draw.rectangle((120, top + 30, 840, top + 150), fill=(150, 118, 84))     # counter front
    return top + 150


def _seats(draw: ImageDraw.ImageDraw, y: int, count: int) -> None:
    for i in range(count):
        x = 110 + i * 95
        draw.rectangle((x, y, x + 70, y + 50), fill=(40, 92, 170), outline=(20, 40, 80), width=2)
        draw.rectangle((x, y + 50, x + 70, y + 62), fill=(60, 60, 64))


def scene(area: str, street: str, compliant: bool, seed: int) -> Image.Image:
    rng = random.Random(seed)
    img, draw, horizon = _room(rng)
    if area == "entrance":
        _sign(draw, (180, 60, 780, 150), [f"{street}政务服务中心"], SIGN_RED, (250, 220, 120), 48)
        if compliant:
            _tape(draw, H - 120, 140, 820)
    elif area == "window_counter":
        plate = ["1号窗口", "综合受理"] if compliant else ["窗口"]
        _sign(draw, (360, 70, 600, 170), plate, PLATE_BLUE, (255, 255, 255), 34)
        bottom = _counter(draw, horizon)
        if compliant:
            _tape(draw, bottom + 90, 100, 860)
    elif area == "waiting_area":
        _sign(draw, (300, 50, 660, 140), ["等候区", "Waiting Area"] if compliant else ["等候区"], PLATE_BLUE,
              (255, 255, 255), 34)
        _seats(draw, horizon + 90, 8)
        _seats(draw, horizon + 200, 8)
        if compliant:
            _tape(draw, horizon + 275, 90, 880)
    elif area == "guidance_desk":
        _sign(draw, (340, 60, 620, 140), ["导服台"], PLATE_BLUE, (255, 255, 255), 44)
        bottom = _counter(draw, horizon)
        if compliant:
            _tape(draw, bottom + 40, 160, 420, 8)
    elif area == "self_service":
        _sign(draw, (280, 50, 680, 140), ["自助服务区", "Self-service Area"], PLATE_BLUE, (255, 255, 255), 32)
        for i in range(3):
            x = 200 + i * 200
            draw.rectangle((x, horizon - 40, x + 110, horizon + 180), fill=(230, 232, 236), outline=(90, 90, 90))
            draw.rectangle((x + 15, horizon - 20, x + 95, horizon + 50), fill=(30, 50, 80))
            if compliant:
                _tape(draw, horizon + 200, x - 10, x + 120, 8)
    elif area == "back_office":
        draw.rectangle((160, horizon + 20, 800, horizon + 60), fill=(200, 190, 170))      # desk top
        draw.rectangle((180, horizon + 60, 780, horizon + 200), fill=(120, 96, 70))       # desk front
        draw.rectangle((380, horizon - 110, 580, horizon + 10), fill=(25, 25, 30))        # monitor
        draw.rectangle((470, horizon + 10, 490, horizon + 25), fill=(60, 60, 60))
        if not compliant:
            draw.ellipse((620, horizon - 20, 660, horizon + 30), fill=(200, 60, 60))      # a cup
    elif area == "convenience":
        _sign(draw, (280, 50, 680, 140), ["便民服务区", "Convenience Services"], PLATE_BLUE, (255, 255, 255), 32)
        draw.rectangle((200, horizon, 760, horizon + 140), fill=(170, 130, 90))
        if compliant:
            _tape(draw, horizon + 160, 190, 770, 8)
    # A little of what a phone adds: soft focus and sensor noise.
    img = img.filter(ImageFilter.GaussianBlur(0.8))
    noise = Image.effect_noise((W, H), 10).convert("RGB")
    return Image.blend(img, noise, 0.04)


STREETS = {"纸坊街道": True, "金口街道": False}
AREAS = ("entrance", "guidance_desk", "waiting_area", "window_counter", "back_office", "self_service",
         "convenience")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "samples")
    args = parser.parse_args()
    for s_index, (street, compliant) in enumerate(STREETS.items()):
        for a_index, area in enumerate(AREAS):
            folder = args.out / street / area
            folder.mkdir(parents=True, exist_ok=True)
            scene(area, street, compliant, seed=100 * s_index + a_index).save(folder / "01.jpg", quality=85)
    print(f"wrote {len(STREETS) * len(AREAS)} photos under {args.out}")


if __name__ == "__main__":
    main()
