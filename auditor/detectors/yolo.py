"""Object detection with any ultralytics model, configured by a YAML file under models/.

The config names the weights and maps the model's class names to the manual's object names, so the bundled
hall detector, the official COCO models or a user's own model plug in the same way:

    weights: hall-detector.onnx       # relative to the config file
    fallback_weights: hall-detector.pt
    imgsz: 640
    confidence: 0.35
    class_confidence: hall-detector.metrics.json  # optional: per-class thresholds, or a {class: threshold} map
    crop_imgsz: 320                   # optional: a second look at chests and counter tops (detectors/crops.py)
    class_map: {person: person, cup: cup, "potted plant": plant}

Classes missing from the map are dropped. Models load once per process (``load_yolo_model`` is cached).
With ``crop_imgsz`` the same model looks again at square crops of the people's chests and the counter tops
the first pass found, each resized to ``crop_imgsz``, and the small classes (``crops.CROP_CLASSES``) found
there join the first pass's (overlaps merged per class). Only a model trained on such crops (the bundled
hall detector is) gains from it.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import supervision as sv
from pydantic import BaseModel, ConfigDict, Field

from auditor.detectors.base import detections, merge_per_class, quiet_session_options, read_yaml_config
from auditor.detectors.crops import CROP_CLASSES, crop_regions
from auditor.errors import DetectorConfigError

MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
DEFAULT_CONFIG = MODELS_DIR / "detector.yaml"


class TrustConfig(BaseModel):
    """Which classes a trained model is trusted with: those its validation AP50 (written beside the weights
    by the training recipe) reaches ``min_ap50`` for. A class it finds poorly would turn "not seen" into
    false fails of the rules that want the thing present; left out, those rules are not assessable."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    metrics: str = Field(description="a JSON file with val_ap50_per_class, relative to the config")
    min_ap50: float = Field(0.5, ge=0, le=1)


def class_thresholds(setting: str | dict[str, float] | None, base: Path) -> dict[str, float]:
    """Per-class confidence thresholds: the map itself, or a metrics file's ``f1_confidence_per_class`` (the
    training recipe writes, for each class, the confidence where its F1 peaks on the training set's own
    validation photos). A missing or unreadable file gives none: every class keeps ``confidence``."""
    if setting is None or isinstance(setting, dict):
        figures: Any = setting or {}
    else:
        path = Path(setting) if Path(setting).is_absolute() else base / setting
        try:
            figures = json.loads(path.read_text(encoding="utf-8")).get("f1_confidence_per_class")
        except (OSError, ValueError):
            return {}
    if not isinstance(figures, dict):
        return {}
    # A value outside (0, 1) is no threshold (0 would report every guess of the model): ignored.
    return {str(name): float(value) for name, value in figures.items()
            if isinstance(value, int | float) and 0 < float(value) < 1}


def lowered_only(per_class: dict[str, float], confidence: float) -> dict[str, float]:
    """The per-class thresholds the audit uses: a class's own threshold only ever lowers the default. Measured
    on the samples with the epoch-12 weights, the F1 optima above it (seats 0.7, window plates 0.65) cost more
    verdicts than they saved."""
    return {name: min(value, confidence) for name, value in per_class.items()}


def trusted_classes(trust: TrustConfig, base: Path) -> frozenset[str] | None:
    """The classes the metrics file trusts, or None (trust everything) when it has no per-class figures."""
    path = Path(trust.metrics) if Path(trust.metrics).is_absolute() else base / trust.metrics
    try:
        figures = json.loads(path.read_text(encoding="utf-8")).get("val_ap50_per_class")
    except (OSError, ValueError):
        return None
    if not isinstance(figures, dict):
        return None
    return frozenset(name for name, ap in figures.items() if float(ap) >= trust.min_ap50)


class DetectorConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    weights: str
    fallback_weights: str | None = None
    imgsz: int = Field(640, ge=32, le=4096)
    confidence: float = Field(0.35, gt=0, lt=1)
    crop_imgsz: int | None = Field(None, ge=32, le=4096, description="input size of the crop pass; none: no crop pass")
    class_confidence: str | dict[str, float] | None = Field(
        None, description="per-class thresholds (model class names) or a metrics file holding them")
    trust: TrustConfig | None = None
    class_map: dict[str, str] = Field(min_length=1, description="model class name -> manual object name")


def read_config(path: str | Path = DEFAULT_CONFIG) -> tuple[DetectorConfig, Path]:
    return read_yaml_config(path, DetectorConfig, "detector config"), Path(path).parent


def candidate_weights(config: DetectorConfig, base: Path) -> list[Path]:
    """The weights files the config names, in the order they are tried (weights, then fallback_weights)."""
    return [Path(name) if Path(name).is_absolute() else base / name
            for name in (config.weights, config.fallback_weights) if name]


def resolve_weights(config: DetectorConfig, base: Path) -> Path | None:
    """The first weights file of the config that exists, or None."""
    return next((path for path in candidate_weights(config, base) if path.is_file()), None)


def quiet_ultralytics() -> None:
    # Keep ultralytics' settings and font cache inside the project instead of the user's home, and never
    # let it reach for the network.
    os.environ.setdefault("YOLO_CONFIG_DIR", str(MODELS_DIR.parent / "data" / "ultralytics"))
    os.environ.setdefault("YOLO_OFFLINE", "1")


@contextmanager
def _quiet_onnx_sessions() -> Iterator[None]:
    """While ultralytics builds an onnxruntime session, it gets ``quiet_session_options`` (threads that sleep
    when idle). Ultralytics builds it without options (its AutoBackend passes none) on the first predict;
    a spinning session slowed the OCR run after it. If ultralytics stops building it this way, the session
    simply spins."""
    try:
        import onnxruntime as ort
    except ImportError:
        yield
        return
    original = ort.InferenceSession

    def build(path: Any, sess_options: Any = None, *args: Any, **kwargs: Any) -> Any:
        return original(path, sess_options or quiet_session_options(), *args, **kwargs)

    ort.InferenceSession = build
    try:
        yield
    finally:
        ort.InferenceSession = original


@lru_cache(maxsize=4)
def load_yolo_model(weights: str) -> Any:
    quiet_ultralytics()
    from ultralytics import YOLO  # imported here: torch takes seconds to import and is not always needed

    try:
        model = YOLO(weights, task="detect")
    except Exception as exc:  # ultralytics raises many types for a bad file
        raise DetectorConfigError(f"{weights}: cannot load these weights: {exc}") from exc
    if weights.endswith(".onnx"):
        # The session is built on the first predict: make it now. A model that cannot take this photo (a
        # fixed input size) builds it at its first real one instead.
        with _quiet_onnx_sessions(), contextlib.suppress(Exception):
            model.predict(np.zeros((64, 64, 3), np.uint8), verbose=False)
    return model


class YoloDetector:
    """An ``ObjectDetector`` over an ultralytics model and a class map."""

    name = "yolo"

    def __init__(self, weights: str | Path, class_map: dict[str, str], *, imgsz: int = 640,
                 confidence: float = 0.35, crop_imgsz: int | None = None,
                 class_confidence: dict[str, float] | None = None):
        self.weights = Path(weights)
        self.class_map = dict(class_map)
        self.imgsz = imgsz
        self.confidence = confidence
        # Thresholds of their own for some classes (model class names): a small sign the model is rarely
        # sure of is best reported from a lower confidence, a common thing from a higher one.
        self.class_confidence = dict(class_confidence or {})
        # The crops follow the boxes the audit would report, also while an evaluation lowers the thresholds
        # to score the whole precision-recall curve.
        self.region_thresholds = (confidence, dict(self.class_confidence))
        self.crop_imgsz = crop_imgsz
        self.model = load_yolo_model(str(self.weights))
        names = set(self.model.names.values()) if isinstance(self.model.names, dict) else set(self.model.names)
        unknown = sorted(set(self.class_map) - names)
        if unknown:
            raise DetectorConfigError(
                f"{self.weights}: the class map names classes the model does not have: {', '.join(unknown)} "
                f"(the model's classes: {', '.join(sorted(names))})")

    @classmethod
    def from_config(cls, path: str | Path = DEFAULT_CONFIG) -> YoloDetector | None:
        """The configured detector, or None when its weights are not there (yet)."""
        config, base = read_config(path)
        weights = resolve_weights(config, base)
        if weights is None:
            return None
        class_map = config.class_map
        trusted = trusted_classes(config.trust, base) if config.trust is not None else None
        if trusted is not None:
            class_map = {name: target for name, target in class_map.items() if name in trusted}
        return cls(weights, class_map, imgsz=config.imgsz, confidence=config.confidence,
                   crop_imgsz=config.crop_imgsz,
                   class_confidence=lowered_only(class_thresholds(config.class_confidence, base), config.confidence))

    @property
    def detectable(self) -> frozenset[str]:
        return frozenset(self.class_map.values())

    def detect(self, image: np.ndarray) -> sv.Detections:
        whole = self.first_pass(image)
        return merge_per_class(whole, self.look_closer(image, whole))

    def first_pass(self, image: np.ndarray) -> sv.Detections:
        """The whole photo at ``imgsz``."""
        return self._predict(image, self.imgsz)[0]

    def _predict(self, image: np.ndarray | list[np.ndarray], imgsz: int) -> list[sv.Detections]:
        """One predict over one image or a batch of them, each kept above its classes' thresholds."""
        lowest = min([self.confidence, *self.class_confidence.values()])
        results = self.model.predict(image, imgsz=imgsz, conf=lowest, verbose=False)
        return [self.map_classes(self.above_threshold(sv.Detections.from_ultralytics(result),
                                                      self.confidence, self.class_confidence))
                for result in results]

    @staticmethod
    def above_threshold(found: sv.Detections, confidence: float, per_class: dict[str, float]) -> sv.Detections:
        """The boxes (model class names) at or above their class's threshold, ``confidence`` by default."""
        if not len(found) or found.confidence is None:
            return found
        names = found.data.get("class_name", np.empty(0, dtype=object))
        floors = np.array([per_class.get(str(name), confidence) for name in names], dtype=float)
        return found[found.confidence >= floors]

    def look_closer(self, image: np.ndarray, whole: sv.Detections) -> sv.Detections:
        """The small classes found in crops of the chests and counter tops of ``whole``, in photo pixels
        (none without a crop pass). The crops go through the model as one batch."""
        if not self.crop_imgsz:
            return detections([], [], [])
        height, width = image.shape[:2]
        confidence, per_class = self.region_thresholds
        reported = self.above_threshold(whole, confidence, {self.class_map.get(k, k): v for k, v in per_class.items()})
        found = [(str(name), tuple(float(v) for v in box))
                 for name, box in zip(reported.data.get("class_name", []), reported.xyxy, strict=True)]
        regions = crop_regions(found, width, height)  # type: ignore[arg-type]
        if not regions:
            return detections([], [], [])
        corners = [(int(round(x1)), int(round(y1)), int(round(x2)), int(round(y2))) for x1, y1, x2, y2 in regions]
        crops = [np.ascontiguousarray(image[y1:y2, x1:x2]) for x1, y1, x2, y2 in corners]
        parts = []
        for crop, (x0, y0, _, _) in zip(self._predict(crops, self.crop_imgsz), corners, strict=True):
            keep = np.array([name in CROP_CLASSES for name in crop.data.get("class_name", [])], dtype=bool)
            if keep.any():
                crop = crop[keep]
                crop.xyxy = crop.xyxy + np.array([x0, y0, x0, y0], dtype=np.float32)
                parts.append(crop)
        return sv.Detections.merge(parts) if parts else detections([], [], [])

    def map_classes(self, found: sv.Detections) -> sv.Detections:
        """Rename the model's classes to manual object names and drop the classes the map leaves out."""
        model_names = found.data.get("class_name", np.empty(0, dtype=object))
        keep = np.array([name in self.class_map for name in model_names], dtype=bool)
        kept = found[keep] if len(found) else found
        mapped = [self.class_map[name] for name in model_names[keep]]
        return detections(kept.xyxy, mapped, kept.confidence if kept.confidence is not None else [1.0] * len(kept))

