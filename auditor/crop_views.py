"""Crop views of a YOLO data set (generated halls, or photos labelled by hand): the chests and counter
tops the detector's crop pass looks at, cut from the photos with their labels, so the same model learns
small things at the magnification it later sees.

    DIR/crops/images/{train,val}/<photo stem>_c<k>.jpg
    DIR/crops/labels/{train,val}/<photo stem>_c<k>.txt

Crops come from ``auditor.detectors.crops.crop_regions`` over the photo's true boxes; per photo the crops
holding the most small things are kept (``per_photo``). A label is kept when most of its box lies inside
the crop, clipped to it.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import yaml

from auditor.detectors.crops import CROP_CLASSES, crop_regions, inside_share
from auditor.types import Box

KEEP_INSIDE = 0.6   # a box at least this much inside a crop is labelled there (clipped)


def read_labels(path: Path, width: int, height: int, names: list[str]) -> list[tuple[str, Box]]:
    """YOLO label lines as (class name, pixel box)."""
    boxes: list[tuple[str, Box]] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if not line.strip():
            continue
        index, cx, cy, w, h = line.split()
        x, y, bw, bh = float(cx) * width, float(cy) * height, float(w) * width, float(h) * height
        boxes.append((names[int(index)], (x - bw / 2, y - bh / 2, x + bw / 2, y + bh / 2)))
    return boxes


def crop_labels(boxes: list[tuple[str, Box]], region: Box, names: list[str]) -> list[str]:
    """YOLO label lines of the boxes mostly inside ``region``, in the crop's coordinates."""
    x0, y0, x1, y1 = region
    side_w, side_h = x1 - x0, y1 - y0
    lines = []
    for name, box in boxes:
        if inside_share(box, region) < KEEP_INSIDE:
            continue
        bx0, by0 = max(box[0], x0) - x0, max(box[1], y0) - y0
        bx1, by1 = min(box[2], x1) - x0, min(box[3], y1) - y0
        lines.append(f"{names.index(name)} {(bx0 + bx1) / 2 / side_w:.6f} {(by0 + by1) / 2 / side_h:.6f} "
                     f"{(bx1 - bx0) / side_w:.6f} {(by1 - by0) / side_h:.6f}")
    return lines


def write_crop_views(dataset: Path, per_photo: int = 2, seed: int = 0) -> int:
    """Cut the crop views of every photo of ``dataset`` (``images/<split>``, ``labels/<split>`` and a
    ``data.yaml`` with ``names``, as the generator and labelling tools write them) into
    ``dataset/crops``; returns how many were written. Deterministic for a seed."""
    rng = np.random.default_rng(seed)
    declared = yaml.safe_load((dataset / "data.yaml").read_text(encoding="utf-8"))["names"]
    names = [declared[i] for i in range(len(declared))]
    written = 0
    for image_path in sorted((dataset / "images").glob("*/*.jpg")):
        split = image_path.parent.name
        label_path = dataset / "labels" / split / f"{image_path.stem}.txt"
        if not label_path.is_file():
            continue
        image = cv2.imread(str(image_path))
        height, width = image.shape[:2]
        boxes = read_labels(label_path, width, height, names)
        regions = crop_regions(boxes, width, height)
        # The crops with the most small things first; ties in random order so every kind of crop is seen.
        small = [sum(1 for name, box in boxes if name in CROP_CLASSES and inside_share(box, r) >= KEEP_INSIDE)
                 for r in regions]
        order = sorted(range(len(regions)), key=lambda i: (-small[i], rng.uniform()))
        for k, i in enumerate(order[:per_photo]):
            x0, y0, x1, y1 = (int(round(v)) for v in regions[i])
            stem = f"{image_path.stem}_c{k}"
            out_image = dataset / "crops" / "images" / split / f"{stem}.jpg"
            out_label = dataset / "crops" / "labels" / split / f"{stem}.txt"
            out_image.parent.mkdir(parents=True, exist_ok=True)
            out_label.parent.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(out_image), image[y0:y1, x0:x1], [cv2.IMWRITE_JPEG_QUALITY, 92])
            lines = crop_labels(boxes, regions[i], names)
            out_label.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
            written += 1
    return written
