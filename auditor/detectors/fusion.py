"""Several object detectors in one audit: a list of configured detectors whose finds are fused per class.

    # models/detectors.yaml
    detectors:
      - {name: hall, backend: ultralytics, config: detector.yaml}   # the hall's own things
      - {name: coco, backend: nanodet, config: coco.yaml}           # people and everyday things, real photos
    prefer:          # a class several detectors know: whose boxes it takes (a measured choice, models/README.md)
      person: coco

A class named in ``prefer`` takes the boxes of that detector alone; any other class that several detectors
know takes all their boxes, overlapping ones of one class merged (``merge_per_class``). Where two detectors
name one place differently, and one of them knows both names while the other knows only its own, the first
has chosen between them: the other's box is dropped (``named_more_finely``; the COCO detector's "cup" on an
evaluation device's screen that the hall detector calls an evaluation device). A detector whose weights are
not there is left out with a note, and the audit goes on with the others.

Detectors with a second look at small things (the hall detector's crop pass) take it after the fusion, so
the chests they look at are those of every person any detector found.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import supervision as sv
import yaml
from pydantic import BaseModel, ConfigDict, Field

from auditor.detectors.base import ObjectDetector, detections, merge_per_class, read_yaml_config
from auditor.errors import DetectorConfigError

DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "models" / "detectors.yaml"
Backend = Literal["ultralytics", "nanodet"]
# Each backend's module and class, imported only when a config names it (torch takes seconds to import).
BACKENDS: dict[str, tuple[str, str]] = {
    "ultralytics": ("auditor.detectors.yolo", "YoloDetector"),
    "nanodet": ("auditor.detectors.coco_onnx", "NanoDetDetector"),
}


class DetectorEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    backend: Backend
    config: str = Field(min_length=1, description="the detector's own config, relative to this file")


class DetectorList(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    detectors: list[DetectorEntry] = Field(min_length=1)
    prefer: dict[str, str] = Field(default_factory=dict, description="class -> the detector whose boxes it takes")


def is_detector_list(path: Path) -> bool:
    """Whether a config file lists detectors (else it configures one ultralytics detector)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False  # the single-detector reader names the problem
    return isinstance(raw, dict) and "detectors" in raw


def read_detector_list(path: Path) -> DetectorList:
    listed = read_yaml_config(path, DetectorList, "detector list")
    names = [entry.name for entry in listed.detectors]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise DetectorConfigError(f"{path}: detector names must be unique; repeated: {', '.join(repeated)}")
    unknown = sorted(set(listed.prefer.values()) - set(names))
    if unknown:
        raise DetectorConfigError(f"{path}: prefer names detectors that are not listed: {', '.join(unknown)} "
                                  f"(listed: {', '.join(names)})")
    return listed


def build_detector(entry: DetectorEntry, base: Path) -> ObjectDetector | None:
    """One listed detector, or None when its weights are not there."""
    module, cls_name = BACKENDS[entry.backend]
    cls: Any = getattr(importlib.import_module(module), cls_name)
    config = Path(entry.config) if Path(entry.config).is_absolute() else base / entry.config
    if not config.is_file():
        raise DetectorConfigError(f"{base}: detector {entry.name!r} names the config {config}, which is not there")
    return cls.from_config(config)


def load_object_detector(path: Path) -> tuple[ObjectDetector | None, list[str]]:
    """The object detector a config file describes (a list of detectors, or one ultralytics detector), and
    notes on what is missing. None when no listed detector has its weights."""
    from auditor.detectors.yolo import YoloDetector

    if not is_detector_list(path):
        single = YoloDetector.from_config(path)
        notes = [] if single is not None else [f"the weights named in {path} are not there"]
        return single, notes
    listed = read_detector_list(path)
    members: list[tuple[str, ObjectDetector]] = []
    notes: list[str] = []
    for entry in listed.detectors:
        detector = build_detector(entry, path.parent)
        if detector is None:
            notes.append(f"detector {entry.name!r} is left out: the weights named in {entry.config} are not there")
        else:
            members.append((entry.name, detector))
    if not members:
        return None, notes
    prefer = {cls: name for cls, name in listed.prefer.items() if name in dict(members)}
    return FusedDetector(members, prefer), notes


class FusedDetector:
    """An ``ObjectDetector`` over several, fused per class."""

    name = "fused"

    def __init__(self, members: Sequence[tuple[str, ObjectDetector]], prefer: dict[str, str] | None = None):
        self.members = list(members)
        self.prefer = dict(prefer or {})

    @property
    def detectable(self) -> frozenset[str]:
        return frozenset().union(*(detector.detectable for _, detector in self.members))

    def detect(self, image: np.ndarray) -> sv.Detections:
        first = {name: _first_pass(detector, image) for name, detector in self.members}
        knows = {name: detector.detectable for name, detector in self.members}
        rough = fuse(first, knows, self.prefer)
        # A crop pass looks at the chests and counter tops the fused first pass found; its finds join its own
        # detector's before the final fusion, so that what it names finely (an evaluation device found only
        # in a crop) also outvotes another detector's coarser name for the same place (a COCO "cup").
        found, looked = dict(first), False
        for name, detector in self.members:
            closer = getattr(detector, "look_closer", None)
            if closer is not None:
                found[name], looked = merge_per_class(found[name], closer(image, rough)), True
        return fuse(found, knows, self.prefer) if looked else rough


def _first_pass(detector: ObjectDetector, image: np.ndarray) -> sv.Detections:
    first = getattr(detector, "first_pass", None)
    return first(image) if first is not None else detector.detect(image)


SAME_PLACE_IOU = 0.5


def named_more_finely(name: str, found: dict[str, sv.Detections], knows: dict[str, frozenset[str]]) -> np.ndarray:
    """Which boxes of detector ``name`` another detector names otherwise at the same place (IoU >= 0.5): one
    that knows the box's class too, so chose against it, while its own class is one ``name`` does not know."""
    mine = found[name]
    dropped = np.zeros(len(mine), dtype=bool)
    for other, theirs in found.items():
        if other == name or not len(theirs) or not len(mine):
            continue
        iou = sv.box_iou_batch(mine.xyxy, theirs.xyxy)
        for i, cls in enumerate(mine.data["class_name"]):
            if cls not in knows.get(other, frozenset()):
                continue
            for j in np.nonzero(iou[i] >= SAME_PLACE_IOU)[0]:
                their_cls = theirs.data["class_name"][j]
                if their_cls != cls and their_cls not in knows.get(name, frozenset()):
                    dropped[i] = True
    return dropped


def fuse(found: dict[str, sv.Detections], knows: dict[str, frozenset[str]], prefer: dict[str, str]) -> sv.Detections:
    """Each detector's detections (by detector name) into one: a preferred detector's boxes alone for its
    classes (when it knows the class), all boxes merged per class otherwise, less the boxes another detector
    named more finely (``named_more_finely``)."""
    parts = []
    for name, dets in found.items():
        if len(dets) == 0:
            continue
        names = dets.data["class_name"]
        keep = np.array([prefer.get(cls, name) == name or cls not in knows.get(prefer.get(cls, name), frozenset())
                         for cls in names], dtype=bool)
        keep &= ~named_more_finely(name, found, knows)
        if keep.any():
            parts.append(dets[keep])
    if not parts:
        return detections([], [], [])
    merged = parts[0]
    for part in parts[1:]:
        merged = merge_per_class(merged, part)
    return merged
