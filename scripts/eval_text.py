"""Measure sign-text recall of the OCR reader on real photos, the synthetic samples and rendered signs.

    python scripts/eval_text.py [--set realdev|samples|rendered|large|all] [--baseline] [--json OUT]
                                [--option zoom_small=false ...] [--realdev DIR] [--samples DIR]

A labelled text is found when one output of the reader contains it or matches it at a normalised edit
similarity of at least 0.8; a text labelled twice needs two distinct outputs, and outputs made of the same
readings (a block and its lines) count as one (``auditor.text_match``).
Real photos: ``../shared/realdev`` (``labels.sign_texts``), read where they lie and never copied.
Samples: ``samples/truth.json`` (``facts.texts``). Rendered: signs drawn here, in memory, under one
condition each (small, rotated, vertical, low contrast, glare, blur + JPEG, low resolution, two lines; and
stencilled floor text seen steeply, as a standing inspector sees it).
Large: 4000x3000 photos (a 12-megapixel phone's) drawn here, one per text height from 12 to 32 px, each with
two signs on a panel and one line of dark text on the wall: small text on a photo that the reader detects
shrunk (``detect_max_side``).
``--baseline`` measures one plain rapidocr call per photo with its defaults; ``--option`` sets a
``RapidOcrReader`` argument to measure a variant (``--option detect_max_side=none``). Prints one row per photo
(labelled, found, outputs, seconds, each miss with the closest output read) and the totals; seconds include
nothing but the reading.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditor.detectors.ocr import RapidOcrReader, _engine  # noqa: E402
from auditor.photos import read_photo  # noqa: E402
from auditor.text_match import edit_similarity, match_texts  # noqa: E402

Outputs = tuple[list[str], list[frozenset[int]]]
Item = tuple[str, Path | np.ndarray, list[str]]  # name, photo file or image, labelled texts

# Sign wording of the manual's kind, for the rendered set.
VOCABULARY = ["3号窗口", "综合受理", "等候区", "Waiting Area", "办事指南", "自助服务区", "Self-service Area",
              "政务公开", "便民服务区", "Convenience Services", "导服台", "Information", "廉政监督", "服务承诺",
              "出件窗口", "党建园地", "咨询帮办", "KEEP CLEAR"]
PANELS = [((22, 74, 150), (255, 255, 255)), ((190, 30, 30), (255, 240, 200)), ((240, 240, 236), (30, 30, 30)),
          ((20, 110, 60), (255, 255, 255))]
CONDITIONS = ["plain", "small", "rotated", "vertical", "low_contrast", "glare", "blur_jpeg", "low_res", "two_lines",
              "floor", "floor_far"]
FLOOR_TEXTS = ["KEEP CLEAR", "DO NOT BLOCK", "禁止停放", "一米线外等候", "请勿逗留", "消防通道"]
LARGE_SIZE = (4000, 3000)
LARGE_TEXT_HEIGHTS = [12, 14, 16, 20, 24, 32]


def realdev_items(folder: Path) -> list[Item]:
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    return [(item["file"], folder / item["file"], list(item["labels"]["sign_texts"])) for item in labels]


def sample_items(folder: Path) -> list[Item]:
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    return [(p["file"], folder / p["file"], [t["text"] for t in p["facts"]["texts"]]) for p in truth["photos"]]


def _render_floor_text(rng: np.random.Generator, font_path: str, far: bool = False) -> tuple[np.ndarray, list[str]]:
    """Stencilled text on a floor, seen as a standing inspector sees it: painted in yellow or white on a grey
    floor, then projected so that it is foreshortened to 0.25-0.45 of its height (a view 2-4 m ahead from
    1.6 m) and narrows with distance, in the lower part of a 960x720 photo under a wall. ``far``: 5-10 m
    ahead, foreshortened to 0.12-0.22 and smaller."""
    import cv2
    from PIL import Image, ImageDraw, ImageFont

    text = FLOOR_TEXTS[int(rng.integers(len(FLOOR_TEXTS)))]
    grey = float(rng.uniform(110, 170))
    floor = np.full((720, 960, 3), grey, np.float32) + rng.normal(0, 6, (720, 960, 3))
    canvas = Image.fromarray(np.clip(floor, 0, 255).astype(np.uint8))
    size = int(rng.integers(90, 130)) if text.isascii() else int(rng.integers(110, 150))
    if far:
        size = int(size * rng.uniform(0.55, 0.75))
    font = ImageFont.truetype(font_path, size)
    ink = (250, 205, 30) if rng.random() < 0.6 else (240, 240, 235)
    box = font.getbbox(text)
    ImageDraw.Draw(canvas).text(((960 - box[2]) / 2, (720 - box[3]) / 2), text, fill=ink, font=font)
    squash = float(rng.uniform(0.12, 0.22) if far else rng.uniform(0.25, 0.45))
    narrow = float(rng.uniform(0.12, 0.25))
    top = 720 * (1 - squash * 1.3)
    source = np.float32([[0, 0], [960, 0], [960, 720], [0, 720]])
    target = np.float32([[960 * narrow, top], [960 * (1 - narrow), top], [960 * 1.05, 720], [-960 * 0.05, 720]])
    matrix = cv2.getPerspectiveTransform(source, target)
    wall = np.full((720, 960, 3), float(rng.uniform(180, 225)), np.float32) * rng.uniform(0.9, 1.05, 3)
    warped = cv2.warpPerspective(np.asarray(canvas).astype(np.float32), matrix, (960, 720), flags=cv2.INTER_AREA,
                                 borderValue=(-1, -1, -1))
    scene = np.where(warped >= 0, warped, wall)
    return np.ascontiguousarray(np.clip(scene, 0, 255).astype(np.uint8)[:, :, ::-1]), [text]


def _render_sign(rng: np.random.Generator, condition: str, font_path: str) -> tuple[np.ndarray, list[str]]:
    """One 960x720 scene (wall, one sign) under ``condition``; returns BGR and the texts on the sign."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    if condition.startswith("floor"):
        return _render_floor_text(rng, font_path, far=condition == "floor_far")

    wall = np.linspace(rng.uniform(170, 230), rng.uniform(140, 200), 720)[:, None, None] * np.ones((720, 960, 3))
    wall = wall * rng.uniform(0.9, 1.05, 3) + rng.normal(0, 4, (720, 960, 3))
    scene = Image.fromarray(np.clip(wall, 0, 255).astype(np.uint8))
    texts = [VOCABULARY[i] for i in rng.choice(len(VOCABULARY), 2 if condition == "two_lines" else 1, replace=False)]
    if condition == "vertical":
        texts = [str(rng.choice([t for t in VOCABULARY if not t.isascii()]))]  # Chinese, top to bottom
    size = int(rng.integers(9, 14)) if condition == "small" else int(rng.integers(30, 44))
    font = ImageFont.truetype(font_path, size)
    panel_colour, ink = PANELS[int(rng.integers(len(PANELS)))]
    if condition == "low_contrast":
        grey, delta = int(rng.integers(90, 160)), int(rng.integers(14, 30))
        panel_colour, ink = (grey, grey, grey + 6), (grey + delta, grey + delta, grey + delta + 4)
    pad = size // 2
    lines = list(texts[0]) if condition == "vertical" else texts  # vertical: one character a line
    step = int(size * 1.15) if condition == "vertical" else int(size * 1.4)
    widths = [font.getbbox(t)[2] for t in lines]
    panel = Image.new("RGBA", (max(widths) + 2 * pad, len(lines) * step + 2 * pad - (step - size)),
                      panel_colour + (255,))
    draw = ImageDraw.Draw(panel)
    for k, text in enumerate(lines):
        draw.text((pad, pad + k * step), text, fill=ink, font=font)
    if condition == "rotated":
        panel = panel.rotate(float(rng.choice([-45, -30, -15, 20, 35, 90, -90])), expand=True, resample=Image.BICUBIC)
    x = int(rng.integers(20, max(21, 960 - panel.width - 20)))
    y = int(rng.integers(20, max(21, 720 - panel.height - 20)))
    scene.paste(panel, (x, y), panel)
    image = np.asarray(scene).astype(np.float32)
    if condition == "glare":  # a bright reflection over part of the text
        cy, cx = y + panel.height / 2, x + panel.width * rng.uniform(0.2, 0.8)
        yy, xx = np.mgrid[0:720, 0:960]
        sigma = panel.height * 1.2
        veil = rng.uniform(0.6, 0.85) * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * sigma**2))[:, :, None]
        image = image * (1 - veil) + 255 * veil  # washed towards white, not past it: still legible
    out = Image.fromarray(np.clip(image, 0, 255).astype(np.uint8))
    if condition == "blur_jpeg":
        import io

        buffer = io.BytesIO()
        blurred = out.filter(ImageFilter.GaussianBlur(rng.uniform(1.5, 2.6)))
        blurred.save(buffer, "JPEG", quality=int(rng.integers(15, 35)))
        out = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    if condition == "low_res":
        factor = int(rng.integers(4, 7))
        out = out.resize((960 // factor, 720 // factor), Image.LANCZOS)
    return np.ascontiguousarray(np.asarray(out)[:, :, ::-1]), texts


def rendered_items(per_condition: int = 6, seed: int = 7) -> list[Item]:
    """Signs rendered under each condition (deterministic): text truth that is exact, and legible."""
    from auditor.fonts import cjk_font_path

    font = cjk_font_path()
    if font is None:
        return []
    rng = np.random.default_rng(seed)
    items: list[Item] = []
    for condition in CONDITIONS:
        for k in range(per_condition):
            image, texts = _render_sign(rng, condition, str(font))
            items.append((f"{condition}/{k}", image, texts))
    return items


def large_items(seed: int = 11) -> list[Item]:
    """One 4000x3000 wall per text height (font size in px): two signs on a panel, one dark line on the wall."""
    from PIL import Image, ImageDraw, ImageFont

    from auditor.fonts import cjk_font_path

    font_path = cjk_font_path()
    if font_path is None:
        return []
    rng = np.random.default_rng(seed)
    width, height = LARGE_SIZE
    items: list[Item] = []
    for size in LARGE_TEXT_HEIGHTS:
        shade = np.linspace(rng.uniform(185, 215), rng.uniform(150, 185), height, dtype=np.float32)[:, None, None]
        wall = shade + rng.normal(0, 4, (height, width, 1)).astype(np.float32)
        scene = Image.fromarray(np.clip(np.broadcast_to(wall, (height, width, 3)), 0, 255).astype(np.uint8))
        draw = ImageDraw.Draw(scene)
        font = ImageFont.truetype(str(font_path), size)
        texts = [VOCABULARY[i] for i in rng.choice(len(VOCABULARY), 3, replace=False)]
        for k, text in enumerate(texts):
            x = int(rng.integers(200, width - 200 - font.getbbox(text)[2]))
            y = 400 + k * 900 + int(rng.integers(0, 300))
            if k < 2:  # a sign: the text on a panel
                panel_colour, ink = PANELS[int(rng.integers(len(PANELS)))]
                pad = max(size // 2, 4)
                draw.rectangle([x - pad, y - pad, x + font.getbbox(text)[2] + pad, y + size + pad], fill=panel_colour)
            else:  # dark letters on the wall itself
                ink = (40, 40, 46)
            draw.text((x, y), text, fill=ink, font=font)
        items.append((f"{size}px", np.ascontiguousarray(np.asarray(scene)[:, :, ::-1]), texts))
    return items


def baseline_reader(image: np.ndarray) -> Outputs:
    """rapidocr called once with its defaults (named: the engine keeps the last call's choices)."""
    out = _engine()(image, use_det=True, use_cls=True, use_rec=True, text_score=0.5)
    texts = [str(t) for t in (getattr(out, "txts", None) or ())]
    return texts, [frozenset({i}) for i in range(len(texts))]


def reader_outputs(reader: RapidOcrReader) -> Callable[[np.ndarray], Outputs]:
    def run(image: np.ndarray) -> Outputs:
        found = reader.read(image)
        return [str(t) for t in found.data["text"]], [frozenset(p) for p in found.data["parts"]]
    return run


def evaluate(name: str, items: list[Item], read: Callable[[np.ndarray], Outputs],
             verbose: bool = True) -> dict:
    rows = []
    for file, source, labels in items:
        image = source if isinstance(source, np.ndarray) else read_photo(source).image
        started = time.perf_counter()
        texts, parts = read(image)
        seconds = time.perf_counter() - started
        result = match_texts(labels, texts, parts)
        misses = []
        for label in result.missed:
            closest = max(texts, key=lambda t: edit_similarity(label, t), default="")
            misses.append({"label": label, "closest": closest, "similarity": round(edit_similarity(label, closest), 2)})
        rows.append({"photo": file, "labelled": len(labels), "found": len(result.found), "seconds": round(seconds, 3),
                     "outputs": len(texts), "misses": misses})
    found = sum(r["found"] for r in rows)
    total = sum(r["labelled"] for r in rows)
    summary = {"set": name, "photos": len(rows), "found": found, "labelled": total,
               "recall": round(found / total, 4) if total else None,
               "seconds_per_photo": round(sum(r["seconds"] for r in rows) / max(len(rows), 1), 3), "rows": rows}
    if verbose:
        print(f"\n== {name}")
        print(f"{'photo':<44} {'lab':>3} {'fnd':>3} {'out':>4} {'s':>6}  misses (closest read)")
        for r in rows:
            miss = "; ".join(f"{m['label']!r} ~ {m['closest']!r} ({m['similarity']})" for m in r["misses"])
            print(f"{r['photo']:<44} {r['labelled']:>3} {r['found']:>3} {r['outputs']:>4} {r['seconds']:>6.2f}  {miss}")
        print(f"{name}: found {found}/{total} = {summary['recall']}, {summary['seconds_per_photo']} s/photo")
    return summary


def _option(text: str) -> tuple[str, object]:
    key, _, value = text.partition("=")
    lowered = value.strip().lower()
    if lowered in ("true", "false"):
        return key, lowered == "true"
    if lowered == "none":
        return key, None
    try:
        return key, int(value)
    except ValueError:
        return key, float(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["realdev", "samples", "rendered", "large", "all"], default="all")
    parser.add_argument("--realdev", type=Path, default=ROOT.parent / "shared" / "realdev")
    parser.add_argument("--samples", type=Path, default=ROOT / "samples")
    parser.add_argument("--baseline", action="store_true", help="one plain rapidocr call per photo, its defaults")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="a RapidOcrReader argument, e.g. contrast_pass=false")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--quiet", action="store_true", help="totals only")
    args = parser.parse_args()

    options = dict(_option(o) for o in args.option)
    read = baseline_reader if args.baseline else reader_outputs(RapidOcrReader(**options))
    read(np.full((64, 64, 3), 255, dtype=np.uint8))  # load the models before timing
    sets = []
    if args.set in ("realdev", "all"):
        if (args.realdev / "labels.json").is_file():
            sets.append(("realdev", realdev_items(args.realdev)))
        else:
            print(f"no real photos at {args.realdev}; skipped", file=sys.stderr)
    if args.set in ("samples", "all"):
        sets.append(("samples", sample_items(args.samples)))
    if args.set in ("rendered", "all"):
        sets.append(("rendered", rendered_items()))
    if args.set in ("large", "all"):
        sets.append(("large", large_items()))
    summaries = [evaluate(name, items, read, verbose=not args.quiet) for name, items in sets]
    label = "baseline (rapidocr defaults, one call)" if args.baseline else f"RapidOcrReader({options or ''})"
    print(f"\n{label}")
    for s in summaries:
        print(f"  {s['set']:<8} {s['found']}/{s['labelled']} = {s['recall']}  {s['seconds_per_photo']} s/photo")
    if args.json:
        args.json.write_text(json.dumps({"reader": label, "sets": summaries}, ensure_ascii=False, indent=1),
                             encoding="utf-8")


if __name__ == "__main__":
    main()
