"""What a detector backend promises, and the one detections type they all return."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

import cv2
import numpy as np
import supervision as sv
import yaml
from pydantic import BaseModel, ValidationError
from supervision import OverlapMetric

from auditor.errors import DetectorConfigError


def quiet_session_options(threads: int = 2) -> Any:
    """onnxruntime session options for a process whose two cores several sessions share (the detectors, the
    OCR models): ``threads`` threads that sleep when idle. Spinning ones, onnxruntime's default, keep a core
    busy for a while after each run and slow whatever runs next."""
    import onnxruntime as ort  # imported here: not every user of this module runs ONNX models

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return options


def detections(
    boxes: Sequence[Sequence[float]] | np.ndarray,
    class_names: Sequence[str],
    confidences: Sequence[float],
    **columns: Sequence[Any],
) -> sv.Detections:
    """Build ``sv.Detections`` from plain lists; extra columns (text, colour, points) go into ``data``."""
    n = len(class_names)
    xyxy = np.asarray(boxes, dtype=np.float32).reshape(n, 4)
    data: dict[str, Any] = {"class_name": np.asarray(class_names, dtype=object)}
    for key, values in columns.items():
        column = np.empty(n, dtype=object)
        for i, value in enumerate(values):  # element by element: tuples must stay one cell each
            column[i] = value
        data[key] = column
    return sv.Detections(xyxy=xyxy, confidence=np.asarray(confidences, dtype=np.float32).reshape(n),
                         class_id=np.zeros(n, dtype=int), data=data)


Config = TypeVar("Config", bound=BaseModel)


def read_yaml_config(path: str | Path, model: type[Config], what: str) -> Config:
    """A detector's YAML config file validated by ``model``; DetectorConfigError naming the file, ``what`` it
    is and each bad field otherwise."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DetectorConfigError(f"{path}: cannot read the {what}: {exc}") from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'config'}: {e['msg']}" for e in exc.errors())
        raise DetectorConfigError(f"{path}: invalid {what}: {problems}") from exc


def as_bgr(image: np.ndarray) -> np.ndarray:
    """A 3-channel BGR image from a grey or BGRA one: photos come decoded as BGR, other callers may not."""
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return image


# A box of a thing that lies this much inside a surer box of the same class is that thing seen again (a cup's
# body found in a crop, the whole cup on the first pass): intersection over the smaller box. People are left
# to IoU alone, since one can stand wholly behind another.
NESTED_SHARE = 0.8
NESTING_CLASSES_EXCLUDED = frozenset({"person"})


def merge_per_class(first: sv.Detections, more: sv.Detections, iou: float = 0.5) -> sv.Detections:
    """``first`` and ``more`` together, where boxes of one class that overlap (a thing seen in two crops, or
    in a crop and the whole photo) are kept once, the most confident; so is a box nested in a surer one of
    its class (NESTED_SHARE)."""
    if len(more) == 0:
        return first
    merged = sv.Detections.merge([first, more]) if len(first) else more
    names = merged.data["class_name"]
    index = {name: i for i, name in enumerate(sorted(set(names)))}
    merged.class_id = np.array([index[name] for name in names], dtype=int)
    kept = merged.with_nms(threshold=iou, class_agnostic=False)
    nests = np.array([name not in NESTING_CLASSES_EXCLUDED for name in kept.data["class_name"]], dtype=bool)
    if nests.sum() > 1:
        inner = kept[nests].with_nms(threshold=NESTED_SHARE, class_agnostic=False, overlap_metric=OverlapMetric.IOS)
        kept = sv.Detections.merge([kept[~nests], inner]) if (~nests).any() else inner
    kept.class_id = np.zeros(len(kept), dtype=int)
    return kept


class ObjectDetector(Protocol):
    """Finds objects (persons included), named with the manual's object vocabulary."""

    name: str

    @property
    def detectable(self) -> frozenset[str]:
        """The manual object names this detector can find: what it does not report is absent."""
        ...

    def detect(self, image: np.ndarray) -> sv.Detections: ...


class TextReader(Protocol):
    """Reads text; one detection per text line with a ``text`` column."""

    name: str

    def read(self, image: np.ndarray) -> sv.Detections: ...


class LineFinder(Protocol):
    """Finds floor lines; one detection per line with ``colours`` (tuple), ``points`` and ``length_px``."""

    name: str

    def find(self, image: np.ndarray) -> sv.Detections: ...
