"""Sign text with rapidocr (PP-OCR models shipped in the wheel, run offline on onnxruntime).

The first pass is rapidocr's own: detection, the angle classifier (``use_cls``: upside-down crops turned;
rapidocr itself turns tall crops a quarter, so vertical text is read too) and recognition. Each further
step answers a way that one call missed text on signs, measured with ``scripts/eval_text.py`` on real
photos, the synthetic samples and rendered signs:

1. Small photos (short side under ``small_side``) get a second, closer pass at 1.5x the detector's own
   working size (cubic upscale): text a few pixels high ("KEEP CLEAR" in a 279x180 photo) is below what
   the detector finds at its usual size. Passes are merged by box overlap, keeping the surer reading, or
   at a near tie the one that extends the other (a clipped "办事指" loses to "办事指南").
2. Unsure readings (score under ``reread_below``) are recognised again from a crop with a margin around
   the detected box, resampled to the recogniser's 48-pixel height, plain and contrast-equalised (CLAHE):
   the detector's tight boxes clip letters, and a tiny crop read as "KEPCA" (0.43) reads "KEEP CLEAR"
   (0.99) with its margin. A new reading counts only if it is sure, so texture does not become text.
3. Readings are grouped (``auditor.detectors.text_lines``): pieces of one row become a line (a sign line
   split at wide letter spacing), lines stacked closely become a block ("等候区" over "Waiting Area", a
   small "西" over "315", "Théâtre" over "du PALAIS-ROYAL"). The pieces stay too, so an exact check still
   finds a word that was joined to its neighbours.

Off by default: a second full pass on a CLAHE copy (``contrast_pass``). Low-contrast and glare-washed
signs were read without it, and it found one more text in 184 for about 1.7 times the time.

Columns besides ``text``: ``level`` -- ``line`` (one reading, or pieces joined into a line), ``fragment``
(a reading joined into a longer line) or ``block`` (stacked lines of one sign); ``angle`` -- the reading
direction in degrees (0 left to right, 90 top to bottom); ``parts`` -- the indices of the readings a row
is made of (rows sharing one are the same text read at two levels).
"""

from __future__ import annotations

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
SMALL_SIDE = 720  # photos with a shorter short side get a second, closer pass
ZOOM = 1.5  # that pass, relative to the detector's size (much more makes a blurred thumbnail worse)
MAX_UPSCALE = 8.0
REREAD_BELOW = 0.8  # readings under this are read again, and a new reading must reach it
TIE = 0.05  # scores this close are a tie between two readings of one place


@lru_cache(maxsize=1)
def _engine() -> Any:
    from rapidocr import RapidOCR  # imported here: loads onnxruntime sessions

    params: dict[str, Any] = {"Global.log_level": "error"}
    font = cjk_font_path()
    if font is not None:
        # Without a local font rapidocr's drawing helper tries to download one.
        params["Global.font_path"] = str(font)
    return RapidOCR(params=params)


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

    ``height``: resample (cubic) so the text is this many pixels high. Tall crops are turned a quarter, as
    rapidocr does; its angle classifier then turns upside-down ones.
    """
    quad = quad.astype(np.float32)
    width = float(max(np.linalg.norm(quad[1] - quad[0]), np.linalg.norm(quad[2] - quad[3])))
    tall = float(max(np.linalg.norm(quad[3] - quad[0]), np.linalg.norm(quad[2] - quad[1])))
    factor = 1.0 if height is None else height / max(min(width, tall), 1.0)
    margin = pad * min(width, tall)
    w, h = round((width + 2 * margin) * factor), round((tall + 2 * margin) * factor)
    target = np.float32([[margin, margin], [margin + width, margin], [margin + width, margin + tall],
                         [margin, margin + tall]]) * factor
    matrix = cv2.getPerspectiveTransform(quad, target)
    crop = cv2.warpPerspective(image, matrix, (max(w, 2), max(h, 2)), flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REPLICATE)
    if crop.shape[0] >= 1.5 * crop.shape[1]:
        crop = np.ascontiguousarray(np.rot90(crop))
    return crop


def reread(image: np.ndarray, reading: Reading, sure: float = REREAD_BELOW) -> Reading:
    """Recognise an unsure reading's crop again a few ways (padded, resampled to the recogniser's 48
    pixels, contrast-equalised), recognition only; a new reading replaces it only if it is ``sure``.

    Demanding a sure second reading keeps this from turning texture into text: of unsure readings made
    surer, only those read at ``sure`` or more were text in the measured photos.
    """
    best = reading
    padded = crop_text(image, reading.quad, 0.1, 48)
    for crop in (padded, equalise(padded)):
        out = _engine()(crop, use_det=False, use_cls=True, use_rec=True, text_score=0.0)
        txts, scores = getattr(out, "txts", None), getattr(out, "scores", None)
        if not txts or not str(txts[0]).strip():
            continue
        score = float(scores[0])
        if score >= sure and score > best.score:
            best = Reading(reading.quad, str(txts[0]), score)
    return best


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
    ) -> None:
        self.small_side = small_side
        self.zoom_small = zoom_small
        self.reread_below = reread_below
        self.contrast_pass = contrast_pass
        self.group = group
        self.line_gap = line_gap
        self.text_score = text_score

    @staticmethod
    def _ocr(image: np.ndarray, scale: float) -> list[Reading]:
        """One rapidocr pass on ``image`` (the photo resized by ``scale``), readings in photo pixels."""
        if scale != 1.0:
            image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        # Every call names use_det/use_cls/use_rec and the score: rapidocr keeps the last call's choice.
        out = _engine()(image, use_det=True, use_cls=True, use_rec=True, text_score=0.0)
        if getattr(out, "boxes", None) is None or not getattr(out, "txts", None):
            return []
        quads = np.asarray(out.boxes, dtype=np.float32) / scale
        return [Reading(q, str(t), float(s)) for q, t, s in zip(quads, out.txts, out.scores, strict=True)
                if str(t).strip()]

    def readings(self, image: np.ndarray) -> list[Reading]:
        """The merged readings of every pass, in photo pixels, before grouping."""
        short = min(image.shape[:2])
        found = self._ocr(image, 1.0)
        if short < self.small_side and self.zoom_small:
            found += self._ocr(image, min(MAX_UPSCALE, ZOOM * DETECTOR_SIDE / max(short, 1)))
        if self.contrast_pass:
            found += self._ocr(equalise(image), 1.0)
        merged = merge_readings(found)
        merged = [reread(image, r) if r.score < self.reread_below else r for r in merged]
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
