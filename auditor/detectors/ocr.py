"""Sign text with rapidocr (PP-OCR models shipped in the wheel, run offline on onnxruntime).

The first pass is rapidocr's own, run on the whole photo every time: its detector at its own working size
(a short side of 736 px), the crops it cuts (``get_rotate_crop_image``: tall crops turned a quarter, so
vertical text is read too), the angle classifier (upside-down crops turned) and the recogniser; on a photo
up to 1280 px (the samples' 960x720, most real ones) the readings are rapidocr's own, box for box. Each
further step only adds what it finds; each answers a way that one call missed text on signs, measured with
``scripts/eval_text.py`` on real photos, the synthetic samples and rendered signs:

1. Large photos (long side over ``detect_max_side``, 1280: a 12-megapixel phone photo) are detected shrunk to
   that, never below the detector's 736-px short side, and every detected line is read from the full-size
   photo (shrunk by pixel area to the recogniser's 48 px). rapidocr would detect at up to 2000 px (2.4
   times the detector's work on a 4000x3000 photo) and read from that copy. On drawn 4000x3000 walls this
   read more, 17 of 18 texts 12-32 px high against rapidocr's 10 (``eval_text.py --set large``); a lone
   small sign on a bare wall is its weakest case (docs/analyzers.md). ``detect_max_side=None`` leaves
   rapidocr's own size.
2. Small photos (short side under ``small_side``) get a second, closer pass at 1.5x the detector's own
   working size (cubic upscale): text a few pixels high ("KEEP CLEAR" in a 279x180 photo) is below what
   the detector finds at its usual size. Passes are merged by box overlap, keeping the surer reading, or
   at a near tie the one that extends the other (a clipped "办事指" loses to "办事指南").
3. Unsure readings (score under ``reread_below``) are recognised again from a crop with a margin around
   the detected box, resampled to the recogniser's 48-pixel height, plain and contrast-equalised (CLAHE):
   the detector's tight boxes clip letters, and a tiny crop read as "KEPCA" (0.43) reads "KEEP CLEAR"
   (0.99) with its margin. A new reading counts only if it is sure, so texture does not become text.
4. Readings are grouped (``auditor.detectors.text_lines``): pieces of one row become a line (a sign line
   split at wide letter spacing), lines stacked closely become a block ("等候区" over "Waiting Area", a
   small "西" over "315", "Théâtre" over "du PALAIS-ROYAL"). The pieces stay too, so an exact check still
   finds a word that was joined to its neighbours.

Off by default: a second full pass on a CLAHE copy (``contrast_pass``). Low-contrast and glare-washed
signs were read without it, and it found one more text in 184 for about 1.7 times the time.

Speed. The crops of every pass go to the classifier and the recogniser together, and the rereads of all
unsure readings in one more call (rapidocr batches six crops per network run). The recogniser costs about
the same per crop in a batch as alone (its input is at least 320 px wide), so the time of a photo is the
detector's (about half on the samples) plus some 35-60 ms of CPU per text line and per reread crop.
onnxruntime runs ``threads`` (2) threads per session that sleep when idle. Spinning ones, rapidocr's
default, keep a core busy after each run: beside a training the reads took about twice the CPU time.

Columns besides ``text``: ``level`` -- ``line`` (one reading, or pieces joined into a line), ``fragment``
(a reading joined into a longer line) or ``block`` (stacked lines of one sign); ``angle`` -- the reading
direction in degrees (0 left to right, 90 top to bottom); ``parts`` -- the indices of the readings a row
is made of (rows sharing one are the same text read at two levels).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cv2
import numpy as np
import supervision as sv

from auditor.detectors.base import detections
from auditor.detectors.text_lines import LINE_GAP, Piece, group_blocks, group_lines
from auditor.fonts import cjk_font_path
from auditor.text_match import normalise

TEXT_SCORE = 0.5  # rapidocr's default least recognition score for a reading to count
DETECTOR_SIDE = 736  # rapidocr's detector works at a short side of at least this (Det.limit_side_len)
DETECT_MAX_SIDE = 1280  # larger photos are detected shrunk to this long side, and read from full-size crops
SMALL_SIDE = 720  # photos with a shorter short side get a second, closer pass
ZOOM = 1.5  # that pass, relative to the detector's size (much more makes a blurred thumbnail worse)
MAX_UPSCALE = 8.0
REREAD_BELOW = 0.8  # readings under this are read again, and a new reading must reach it
TIE = 0.05  # scores this close are a tie between two readings of one place
REC_HEIGHT = 48  # rapidocr's recogniser reads text lines resampled to this height (Rec.rec_img_shape)
THREADS = 2  # onnxruntime threads per session: the two cores, shared in turn with the object detectors


@contextmanager
def _sessions_without_spinning() -> Iterator[None]:
    """While rapidocr builds its onnxruntime sessions, their idle threads sleep instead of spinning.

    A spinning thread keeps a core busy for a while after each run, which on two cores slows whatever runs
    next (measured: a 48x320 recognition took 0.11 s beside a training instead of 0.035 s). rapidocr 3.x sets
    the thread counts from its config (``EngineConfig.onnxruntime``) but has no setting for spinning, so its
    session options are extended here. If rapidocr changes how it builds them, the sessions simply spin.
    """
    try:
        from rapidocr.inference_engine.onnxruntime import main as ort_engine

        owner = ort_engine.OrtInferSession
        original = owner.__dict__["_init_sess_opts"]
    except (ImportError, AttributeError, KeyError):
        yield
        return
    build = original.__func__ if isinstance(original, staticmethod) else original

    def options(cfg: Any) -> Any:
        opts = build(cfg)
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
        return opts

    owner._init_sess_opts = staticmethod(options)
    try:
        yield
    finally:
        owner._init_sess_opts = original


def _engine(threads: int = THREADS, side: int = DETECTOR_SIDE) -> Any:
    """rapidocr with its three models loaded: ``threads`` onnxruntime threads per session, none spinning;
    its text detector at a short side of at least ``side``. One per setting and process."""
    return _build_engine(int(threads), int(side))


@lru_cache(maxsize=4)
def _build_engine(threads: int, side: int) -> Any:
    from rapidocr import RapidOCR  # imported here: loads onnxruntime sessions

    params: dict[str, Any] = {"Global.log_level": "error", "Det.limit_side_len": side,
                              "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                              "EngineConfig.onnxruntime.inter_op_num_threads": 1}
    font = cjk_font_path()
    if font is not None:
        # Without a local font rapidocr's drawing helper tries to download one.
        params["Global.font_path"] = str(font)
    engine = RapidOCR(params=params)
    with _sessions_without_spinning():  # rapidocr builds a session on its first use: use all three now
        engine(np.full((64, 64, 3), 255, dtype=np.uint8), use_det=True, use_cls=False, use_rec=False)
        engine(np.full((48, 96, 3), 255, dtype=np.uint8), use_det=False, use_cls=True, use_rec=True)
    return engine


@dataclass(frozen=True)
class Reading:
    quad: np.ndarray  # 4x2 corners in photo pixels, clockwise from the top left of the text
    text: str
    score: float

    @property
    def box(self) -> tuple[float, float, float, float]:
        lo, hi = self.quad.min(axis=0), self.quad.max(axis=0)
        return (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))

    @property
    def angle(self) -> float:
        """Reading direction in degrees, 0 left to right, 90 top to bottom (a tall reading)."""
        top = self.quad[1] - self.quad[0]
        side = self.quad[3] - self.quad[0]
        if np.linalg.norm(side) >= 1.5 * np.linalg.norm(top):  # rapidocr reads tall crops turned a quarter
            return round(float(np.degrees(np.arctan2(side[1], side[0]))), 1)
        return round(float(np.degrees(np.arctan2(top[1], top[0]))), 1)


def equalise(image: np.ndarray) -> np.ndarray:
    """Contrast-limited histogram equalisation of the lightness channel (BGR in, BGR out)."""
    lab = cv2.cvtColor(image, cv2.COLOR_BGR2LAB)
    clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))
    lab[:, :, 0] = clahe.apply(lab[:, :, 0])
    return cv2.cvtColor(lab, cv2.COLOR_LAB2BGR)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """Intersection over the smaller box's area."""
    iw = min(a[2], b[2]) - max(a[0], b[0])
    ih = min(a[3], b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return iw * ih / max(smaller, 1e-6)


def better(a: Reading, b: Reading, tie: float = TIE) -> bool:
    """``a`` is the better of two readings of one place: the surer one, except that a reading which
    extends the other ("办事指南" against a clipped "办事指") wins when it is nearly as sure."""
    la, lb = normalise(a.text), normalise(b.text)
    if lb and lb in la and len(la) > len(lb):
        return a.score >= b.score - tie
    if la and la in lb and len(lb) > len(la):
        return a.score > b.score + tie
    return a.score > b.score


def merge_readings(readings: list[Reading], overlap: float = 0.6) -> list[Reading]:
    """One reading per place (boxes overlapping by ``overlap`` of the smaller): the better one (``better``)."""
    kept: list[Reading] = []
    for reading in sorted(readings, key=lambda r: r.score, reverse=True):
        rivals = [k for k in kept if _overlap(reading.box, k.box) >= overlap]
        if not rivals:
            kept.append(reading)
        elif all(better(reading, k) for k in rivals):
            kept = [k for k in kept if not any(k is r for r in rivals)] + [reading]
    return kept


def crop_text(image: np.ndarray, quad: np.ndarray, pad: float = 0.1, height: int | None = None) -> np.ndarray:
    """The quad's text straightened into a rectangle, ``pad`` of its height added on every side.

    ``height``: resample so the text is this many pixels high (cubic when enlarging, pixel area when
    shrinking, so large text on a large photo does not alias). Tall crops are turned a quarter, as rapidocr
    does; its angle classifier then turns upside-down ones.
    """
    quad = quad.astype(np.float32)
    width = float(max(np.linalg.norm(quad[1] - quad[0]), np.linalg.norm(quad[2] - quad[3])))
    tall = float(max(np.linalg.norm(quad[3] - quad[0]), np.linalg.norm(quad[2] - quad[1])))
    factor = 1.0 if height is None else height / max(min(width, tall), 1.0)
    margin = pad * min(width, tall)
    w, h = max(round((width + 2 * margin) * factor), 2), max(round((tall + 2 * margin) * factor), 2)
    warp = 1.0 if factor < 1.0 else factor  # enlarge in the warp (cubic); shrink after it, by pixel area
    target = np.float32([[margin, margin], [margin + width, margin], [margin + width, margin + tall],
                         [margin, margin + tall]]) * warp
    matrix = cv2.getPerspectiveTransform(quad, target)
    size = (max(round((width + 2 * margin) * warp), 2), max(round((tall + 2 * margin) * warp), 2))
    crop = cv2.warpPerspective(image, matrix, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    if factor < 1.0:
        crop = cv2.resize(crop, (w, h), interpolation=cv2.INTER_AREA)
    if crop.shape[0] >= 1.5 * crop.shape[1]:
        crop = np.ascontiguousarray(np.rot90(crop))
    return crop


def detect(image: np.ndarray, threads: int = THREADS, side: int = DETECTOR_SIDE) -> np.ndarray:
    """rapidocr's text detector on the whole image, enlarged to a short side of at least ``side``: quads
    (n, 4, 2) in image pixels."""
    # Every call names use_det/use_cls/use_rec: rapidocr keeps the last call's choice.
    out = _engine(threads, side)(image, use_det=True, use_cls=False, use_rec=False)
    boxes = getattr(out, "boxes", None)
    if boxes is None or len(boxes) == 0:
        return np.empty((0, 4, 2), dtype=np.float32)
    return np.asarray(boxes, dtype=np.float32).reshape(-1, 4, 2)


def recognise(crops: list[np.ndarray], threads: int = THREADS) -> list[tuple[str, float]]:
    """rapidocr's angle classifier and recogniser on text crops, one batched call each (rapidocr runs
    ``Cls.cls_batch_num`` / ``Rec.rec_batch_num`` crops per network run, sorted by width)."""
    if not crops:
        return []
    engine = _engine(threads)
    turned, _ = engine.cls_and_rotate(list(crops))
    out = engine.recognize_txt(turned)
    return [(str(t), float(s)) for t, s in zip(out.txts, out.scores, strict=True)]


def line_crops(image: np.ndarray, quads: np.ndarray, source_scale: float = 1.0) -> list[np.ndarray]:
    """The detected quads cut out as rapidocr cuts them (``get_rotate_crop_image``: straightened, tall ones
    turned a quarter), from ``image`` whose pixels are ``source_scale`` times the quads' pixels.

    From a photo larger than what the detector saw (``source_scale`` > 1), text taller than the recogniser's
    input is shrunk to it by pixel area: the full-size photo's detail, without aliasing.
    """
    from rapidocr.utils.process_img import get_rotate_crop_image

    crops = []
    for quad in quads:
        crop = get_rotate_crop_image(image, np.ascontiguousarray(quad * source_scale, dtype=np.float32))
        if source_scale > 1.0 and crop.shape[0] > REC_HEIGHT:
            factor = REC_HEIGHT / crop.shape[0]
            crop = cv2.resize(crop, (max(round(crop.shape[1] * factor), 1), REC_HEIGHT), interpolation=cv2.INTER_AREA)
        crops.append(np.ascontiguousarray(crop))
    return crops


def reread(image: np.ndarray, readings: list[Reading], sure: float = REREAD_BELOW,
           threads: int = THREADS) -> list[Reading]:
    """Recognise unsure readings' crops again (padded and resampled to the recogniser's 48 pixels), in one
    batched call, and those still unsure once more contrast-equalised, in a second; a new reading replaces
    one only if it is ``sure``. Returns the readings in their order, each replaced or not.

    Demanding a sure second reading keeps this from turning texture into text: of unsure readings made
    surer, only those read at ``sure`` or more were text in the measured photos. The equalised copy is read
    only where the plain one did not settle it, instead of both for every unsure reading.
    """
    if not readings:
        return []
    padded = [crop_text(image, reading.quad, 0.1, REC_HEIGHT) for reading in readings]
    out = list(readings)
    for variant in (lambda crop: crop, equalise):
        open_ = [k for k, reading in enumerate(out) if reading.score < sure]
        if not open_:
            break
        for k, (text, score) in zip(open_, recognise([variant(padded[k]) for k in open_], threads), strict=True):
            if text.strip() and score >= sure and score > out[k].score:
                out[k] = Reading(readings[k].quad, text, score)
    return out


class RapidOcrReader:
    """A ``TextReader``: one detection per text line (and per fragment and block, see the module doc)."""

    name = "rapidocr"

    def __init__(
        self,
        *,
        small_side: int = SMALL_SIDE,
        zoom_small: bool = True,
        reread_below: float = REREAD_BELOW,
        contrast_pass: bool = False,
        group: bool = True,
        line_gap: float = LINE_GAP,
        text_score: float = TEXT_SCORE,
        detect_max_side: int | None = DETECT_MAX_SIDE,
        detector_side: int = DETECTOR_SIDE,
        threads: int = THREADS,
    ) -> None:
        self.small_side = small_side
        self.zoom_small = zoom_small
        self.reread_below = reread_below
        self.contrast_pass = contrast_pass
        self.group = group
        self.line_gap = line_gap
        self.text_score = text_score
        self.detect_max_side = detect_max_side
        self.detector_side = detector_side
        self.threads = threads

    def _pass(self, image: np.ndarray, scale: float) -> tuple[np.ndarray, list[np.ndarray]]:
        """One whole-photo pass of the detector on the photo resized by ``scale``: the quads in photo pixels
        and the crops to read. A zoomed pass reads crops of the zoomed copy, as rapidocr itself would; a
        shrunk one (a large photo) reads crops of the full-size photo."""
        if scale == 1.0:
            quads = detect(image, self.threads, self.detector_side)
            return quads, line_crops(image, quads)
        work = cv2.resize(image, None, fx=scale, fy=scale,
                          interpolation=cv2.INTER_CUBIC if scale > 1.0 else cv2.INTER_AREA)
        quads = detect(work, self.threads, self.detector_side)
        crops = line_crops(work, quads) if scale > 1.0 else line_crops(image, quads, 1.0 / scale)
        return quads / scale, crops

    def detect_scale(self, image: np.ndarray) -> float:
        """How much the first pass shrinks the photo for the detector: to ``detect_max_side`` on its long
        side, but never below the detector's working size (a short side of ``detector_side``); 1 for a photo
        that is not larger."""
        if not self.detect_max_side:
            return 1.0
        short, long = min(image.shape[:2]), max(image.shape[:2])
        return min(1.0, max(self.detect_max_side / max(long, 1), self.detector_side / max(short, 1)))

    def readings(self, image: np.ndarray) -> list[Reading]:
        """The merged readings of every pass, in photo pixels, before grouping."""
        shrink = self.detect_scale(image)
        passes = [self._pass(image, shrink)]  # the plain whole-photo pass always runs
        short = min(image.shape[:2])
        if short < self.small_side and self.zoom_small:
            passes.append(self._pass(image, min(MAX_UPSCALE, ZOOM * self.detector_side / max(short, 1))))
        if self.contrast_pass:
            passes.append(self._pass(equalise(image), shrink))
        quads = [q for pass_quads, _ in passes for q in pass_quads]
        read = recognise([c for _, crops in passes for c in crops], self.threads)  # all passes' crops at once
        found = [Reading(q, t, s) for q, (t, s) in zip(quads, read, strict=True) if t.strip()]
        merged = merge_readings(found)
        unsure = [i for i, r in enumerate(merged) if r.score < self.reread_below]
        for i, again in zip(unsure, reread(image, [merged[i] for i in unsure], threads=self.threads), strict=True):
            merged[i] = again
        return [r for r in merged if r.score >= self.text_score]

    def read(self, image: np.ndarray) -> sv.Detections:
        found = sorted(self.readings(image), key=lambda r: (r.box[1], r.box[0]))
        rows: list[tuple[tuple[float, float, float, float], str, float, str, float, tuple[int, ...]]] = []
        pieces = [Piece(box=r.box, text=r.text, score=r.score, horizontal=abs(r.angle) <= 15,
                        parts=frozenset({i})) for i, r in enumerate(found)]

        def angle(group: Piece) -> float:
            return round(float(np.mean([found[i].angle for i in group.parts])), 1)

        if not self.group:
            rows = [(p.box, p.text, p.score, "line", found[i].angle, (i,)) for i, p in enumerate(pieces)]
        else:
            lines = group_lines(pieces, self.line_gap)
            joined: set[int] = set()
            for line in lines:
                rows.append((line.box, line.text, line.score, "line", angle(line), tuple(sorted(line.parts))))
                if len(line.parts) > 1:
                    joined |= line.parts
            rows += [(pieces[i].box, pieces[i].text, pieces[i].score, "fragment", found[i].angle, (i,))
                     for i in sorted(joined)]
            rows += [(b.box, b.text, b.score, "block", angle(b), tuple(sorted(b.parts))) for b in group_blocks(lines)]
        if not rows:
            return detections(np.empty((0, 4)), [], [], text=[], level=[], angle=[], parts=[])
        return detections([r[0] for r in rows], ["text"] * len(rows), [r[2] for r in rows],
                          text=[r[1] for r in rows], level=[r[3] for r in rows], angle=[r[4] for r in rows],
                          parts=[r[5] for r in rows])
