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
# The confidences a per-class threshold is chosen among (detectors/yolo.py ``class_confidence``): below 0.05
# a small model's boxes are mostly noise; the step is coarse because a class has a few dozen labels.
THRESHOLD_GRID = np.round(np.arange(0.05, 0.91, 0.05), 2)
MIN_F1 = 0.3  # a class found this badly gets no threshold of its own: its optimum would be noise


class DetectorScores(NamedTuple):
    map50: float
    map50_95: float
    per_class: dict[str, float]        # mAP50-95 of each scored class with labels in the folder
    ap50_per_class: dict[str, float]   # AP50 of the same classes
    images: int
    # The confidence at which each class's F1 (IoU 0.5) peaks, for the classes found with F1 >= MIN_F1.
    f1_confidence_per_class: dict[str, float] = {}


@contextmanager
def scoring_confidence(detector: Any, confidence: float = SCORING_CONFIDENCE) -> Iterator[None]:
    """Lower the confidence of a detector (and of each member of a fused one) while it is scored; per-class
    thresholds are set aside for as long."""
    parts = [d for _, d in getattr(detector, "members", [])] or [detector]
    saved = [(part, part.confidence, getattr(part, "class_confidence", None))
             for part in parts if hasattr(part, "confidence")]
    for part, _, per_class in saved:
        part.confidence = confidence
        if per_class is not None:
            part.class_confidence = {}
    try:
        yield
    finally:
        for part, value, per_class in saved:
            part.confidence = value
            if per_class is not None:
                part.class_confidence = per_class


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
    thresholds = {classes[c]: value for c, value in f1_thresholds(predictions, targets, labelled).items()}
    return DetectorScores(round(float(np.mean(list(ap50.values()))), 4),
                          round(float(np.mean(list(per_class.values()))), 4), per_class, ap50, len(targets),
                          thresholds)


def matched_at_iou50(found: sv.Detections, truth: sv.Detections, class_id: int) -> tuple[np.ndarray, np.ndarray]:
    """The confidences of one class's boxes in one image and whether each matches a label (IoU >= 0.5),
    matched greedily from the most confident, each label at most once, as AP matching does."""
    mine = found.class_id == class_id
    confidences = np.asarray(found.confidence[mine] if found.confidence is not None else np.ones(int(mine.sum())),
                             float)
    boxes = found.xyxy[mine]
    labels = truth.xyxy[truth.class_id == class_id]
    hits = np.zeros(len(boxes), bool)
    if len(boxes) and len(labels):
        iou = sv.box_iou_batch(boxes, labels)
        free = np.ones(len(labels), bool)
        for i in np.argsort(-confidences):
            candidates = np.where(free & (iou[i] >= 0.5))[0]
            if len(candidates):
                best = candidates[np.argmax(iou[i, candidates])]
                free[best], hits[i] = False, True
    return confidences, hits


def f1_thresholds(predictions: Sequence[sv.Detections], targets: Sequence[sv.Detections],
                  class_ids: Sequence[int]) -> dict[int, float]:
    """For each class, the confidence on ``THRESHOLD_GRID`` where its F1 at IoU 0.5 peaks (the F1 curve
    smoothed over neighbouring grid points, as one label more or less moves a raw peak); classes whose F1
    never reaches ``MIN_F1`` are left out."""
    chosen: dict[int, float] = {}
    for class_id in class_ids:
        labels = sum(int((t.class_id == class_id).sum()) for t in targets)
        pairs = [matched_at_iou50(found, truth, class_id) for found, truth in zip(predictions, targets, strict=True)]
        confidences = np.concatenate([c for c, _ in pairs]) if pairs else np.zeros(0)
        hits = np.concatenate([h for _, h in pairs]) if pairs else np.zeros(0, bool)
        if not labels or not len(confidences):
            continue
        above = confidences[None, :] >= THRESHOLD_GRID[:, None]
        true_pos = (above & hits[None, :]).sum(1)
        reported = above.sum(1)
        f1 = 2 * true_pos / np.maximum(reported + labels, 1)
        smooth = np.convolve(np.pad(f1, 1, mode="edge"), np.ones(3) / 3, mode="valid")
        if f1.max() >= MIN_F1:
            chosen[int(class_id)] = float(THRESHOLD_GRID[int(np.argmax(smooth))])
    return chosen
