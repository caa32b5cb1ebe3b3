"""How well an object detector finds the labelled things of a YOLO-format folder: mAP over its images.

The detector is scored as the audit runs it (``detect``: every pass, the crop pass and the fusion of several
detectors included), matched to the labels by class name, at a low confidence so the whole
precision-recall curve counts. Only the classes the detector claims to find (``detectable``) are scored:
a class it cannot know would only drag the mean down without saying anything about it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import cv2
import numpy as np
import supervision as sv
from supervision.metrics import MeanAveragePrecision

SCORING_CONFIDENCE = 0.01


class DetectorScores(NamedTuple):
    map50: float
    map50_95: float
    per_class: dict[str, float]        # mAP50-95 of each scored class with labels in the folder
    ap50_per_class: dict[str, float]   # AP50 of the same classes
    images: int


@contextmanager
def scoring_confidence(detector: Any, confidence: float = SCORING_CONFIDENCE) -> Iterator[None]:
    """Lower the confidence of a detector (and of each member of a fused one) while it is scored."""
    parts = [d for _, d in getattr(detector, "members", [])] or [detector]
    saved = [(part, part.confidence) for part in parts if hasattr(part, "confidence")]
    for part, _ in saved:
        part.confidence = confidence
    try:
        yield
    finally:
        for part, value in saved:
            part.confidence = value


def read_yolo_labels(path: Path, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Boxes (pixels, xyxy) and class indices of a YOLO label file; empty when there is none."""
    rows = [line.split() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()] \
        if path.is_file() else []
    if not rows:
        return np.zeros((0, 4), np.float32), np.zeros(0, int)
    values = np.array([[float(v) for v in row[1:5]] for row in rows], np.float32)
    cx, cy, w, h = values[:, 0] * width, values[:, 1] * height, values[:, 2] * width, values[:, 3] * height
    return np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 1), np.array([int(r[0]) for r in rows])


def label_path(image: Path) -> Path:
    """Where ultralytics looks for an image's labels: the last ``images`` folder of its path becomes
    ``labels``."""
    parts = list(image.parts)
    at = len(parts) - 1 - parts[::-1].index("images")
    return Path(*parts[:at], "labels", *parts[at + 1:]).with_suffix(".txt")


def score_detector(detector: Any, images: Sequence[Path], classes: Sequence[str]) -> DetectorScores | None:
    """mAP of ``detector`` over ``images`` (their labels beside them, ultralytics layout) for the classes it
    can detect; None when none of them is labelled."""
    scored = [name for name in classes if name in detector.detectable]
    index = {name: i for i, name in enumerate(classes)}
    keep_ids = np.array([index[name] for name in scored], int)
    predictions, targets = [], []
    with scoring_confidence(detector):
        for path in images:
            image = cv2.imread(str(path))
            if image is None:
                continue
            boxes, ids = read_yolo_labels(label_path(path), image.shape[1], image.shape[0])
            wanted = np.isin(ids, keep_ids)
            targets.append(sv.Detections(xyxy=boxes[wanted], class_id=ids[wanted]))
            found = detector.detect(image)
            names = found.data.get("class_name", np.empty(0, object))
            known = np.array([name in index and name in scored for name in names], bool)
            found = found[known] if len(found) else found
            found.class_id = np.array([index[name] for name in found.data.get("class_name", [])], int)
            predictions.append(found)
    labelled = sorted({int(c) for t in targets for c in t.class_id})
    if not labelled:
        return None
    result = MeanAveragePrecision().update(predictions, targets).compute()
    rows = {int(c): i for i, c in enumerate(result.matched_classes)}
    per_class = {classes[c]: round(float(np.mean(result.ap_per_class[rows[c]])), 4) if c in rows else 0.0
                 for c in labelled}
    ap50 = {classes[c]: round(float(result.ap_per_class[rows[c], 0]), 4) if c in rows else 0.0 for c in labelled}
    return DetectorScores(round(float(np.mean(list(ap50.values()))), 4),
                          round(float(np.mean(list(per_class.values()))), 4), per_class, ap50, len(targets))
