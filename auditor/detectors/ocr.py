"""Sign text with rapidocr (PP-OCR models shipped in the wheel, run offline on onnxruntime).

One rapidocr call per photo misses text on real signs in a few repeatable ways; each step here answers
one of them (measured with ``scripts/eval_text.py`` on real and synthetic photos):

1. Small photos are upscaled (cubic) to a short side of ``min_short_side`` before detection: the
   detector upsamples anyway, but the recogniser reads its crops from the photo it is given, and an
   8-pixel-high word cropped from a thumbnail is read wrongly or not at all.
2. A second detection on a contrast-equalised copy (CLAHE on the L channel) finds low-contrast and
   glare-washed text the first pass leaves out; the passes are merged by box overlap, keeping the better
   reading (higher score, then more characters, so a clipped "办事指" loses to "办事指南").
3. Readings below ``reread_below`` are read again from a padded, upscaled, equalised crop of the photo
   (recognition only); the better-scored reading wins. Tall crops are turned a quarter, and rapidocr's
   angle classifier (``use_cls``) turns upside-down ones.
4. The readings are grouped (``auditor.detectors.text_lines``): pieces of one row become a line
   ("W" "Yuyuan Rd." "E"), lines stacked closely become a block ("等候区" over "Waiting Area"). The pieces
   stay as well, so a check still finds a word the grouping joined to its neighbours.

Each row has a ``level`` column: ``line`` (a text line: one reading, or pieces joined), ``fragment`` (a
reading that was joined into a longer line) or ``block`` (stacked lines of one sign), an ``angle``
column (degrees of the reading direction; 0 is left to right, 90 top to bottom) and a ``parts`` column
(the indices of the readings, in a stable order, that a row is made of).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cv2
import numpy as np
import supervision as sv

from auditor.detectors.base import detections
from auditor.detectors.text_lines import LINE_GAP, Piece, group_blocks, group_lines
from auditor.fonts import cjk_font_path

TEXT_SCORE = 0.5  # rapidocr's default least recognition score for a reading to count


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

    @property
    def quality(self) -> float:
        """Which of two readings of one place to keep: the surer, and at a near tie the longer one."""
        return self.score + 0.01 * min(len(_letters(self.text)), 10)


def _letters(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch)[0] in "LN")


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


def merge_readings(readings: list[Reading], overlap: float = 0.6) -> list[Reading]:
    """One reading per place: best quality first, dropping any that mostly overlaps one already kept."""
    kept: list[Reading] = []
    for reading in sorted(readings, key=lambda r: r.quality, reverse=True):
        if all(_overlap(reading.box, k.box) < overlap for k in kept):
            kept.append(reading)
    return kept


def _crop(image: np.ndarray, quad: np.ndarray, pad: float = 0.15) -> np.ndarray:
    """The quad's text straightened into a rectangle, padded by ``pad`` of its height on every side."""
    width = float(max(np.linalg.norm(quad[1] - quad[0]), np.linalg.norm(quad[2] - quad[3])))
    height = float(max(np.linalg.norm(quad[3] - quad[0]), np.linalg.norm(quad[2] - quad[1])))
    margin = pad * min(width, height)
    w, h = int(round(width + 2 * margin)), int(round(height + 2 * margin))
    target = np.float32([[margin, margin], [margin + width, margin], [margin + width, margin + height],
                         [margin, margin + height]])
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    crop = cv2.warpPerspective(image, matrix, (max(w, 1), max(h, 1)), flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REPLICATE)
    if crop.shape[0] >= 1.5 * crop.shape[1]:
        crop = np.ascontiguousarray(np.rot90(crop))
    return crop


class RapidOcrReader:
    """A ``TextReader``: one detection per text line (and per fragment and block, see the module doc)."""

    name = "rapidocr"

    def __init__(
        self,
        *,
        min_short_side: int = 736,
        max_upscale: float = 4.0,
        contrast_pass: bool = True,
        reread_below: float = 0.9,
        group: bool = True,
        line_gap: float = LINE_GAP,
        text_score: float = TEXT_SCORE,
    ) -> None:
        self.min_short_side = min_short_side
        self.max_upscale = max_upscale
        self.contrast_pass = contrast_pass
        self.reread_below = reread_below
        self.group = group
        self.line_gap = line_gap
        self.text_score = text_score

    # -- passes ---------------------------------------------------------------------------------------
    def _ocr(self, image: np.ndarray, scale: float) -> list[Reading]:
        # Every call names use_det/use_cls/use_rec: rapidocr keeps the last call's choice otherwise.
        out = _engine()(image, use_det=True, use_cls=True, use_rec=True, text_score=0.0)
        if out.boxes is None or not out.txts:
            return []
        quads = np.asarray(out.boxes, dtype=np.float32) / scale
        return [Reading(q, str(t), float(s)) for q, t, s in zip(quads, out.txts, out.scores, strict=True)
                if str(t).strip()]

    def _reread(self, image: np.ndarray, reading: Reading) -> Reading:
        crop = _crop(image, reading.quad)
        short = min(crop.shape[:2])
        if short < 64:
            factor = 64 / max(short, 1)
            crop = cv2.resize(crop, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
        best = reading
        for candidate in (crop, equalise(crop)):
            out = _engine()(candidate, use_det=False, use_cls=True, use_rec=True, text_score=0.0)
            txts, scores = getattr(out, "txts", None), getattr(out, "scores", None)
            if txts and str(txts[0]).strip() and float(scores[0]) > best.score:
                best = Reading(reading.quad, str(txts[0]), float(scores[0]))
        return best

    def readings(self, image: np.ndarray) -> list[Reading]:
        """The merged readings of every pass, in photo pixels, before grouping."""
        short = min(image.shape[:2])
        scale = 1.0
        if short < self.min_short_side:
            scale = min(self.max_upscale, self.min_short_side / max(short, 1))
        work = image if scale == 1.0 else cv2.resize(image, None, fx=scale, fy=scale,
                                                     interpolation=cv2.INTER_CUBIC)
        found = self._ocr(work, scale)
        if self.contrast_pass:
            found += self._ocr(equalise(work), scale)
        merged = merge_readings(found)
        if self.reread_below > 0:
            merged = [self._reread(image, r) if r.score < self.reread_below else r for r in merged]
        return [r for r in merged if r.score >= self.text_score]

    def read(self, image: np.ndarray) -> sv.Detections:
        found = sorted(self.readings(image), key=lambda r: (r.box[1], r.box[0]))
        rows: list[tuple[tuple[float, float, float, float], str, float, str, float, tuple[int, ...]]] = []
        pieces = [Piece(box=r.box, text=r.text, score=r.score, horizontal=abs(r.angle) <= 15,
                        parts=frozenset({i})) for i, r in enumerate(found)]
        if not self.group:
            rows = [(p.box, p.text, p.score, "line", found[i].angle, (i,)) for i, p in enumerate(pieces)]
        else:
            lines = group_lines(pieces, self.line_gap)
            joined: set[int] = set()
            for line in lines:
                angle = found[min(line.parts)].angle if len(line.parts) == 1 else 0.0
                rows.append((line.box, line.text, line.score, "line", angle, tuple(sorted(line.parts))))
                if len(line.parts) > 1:
                    joined |= line.parts
            rows += [(pieces[i].box, pieces[i].text, pieces[i].score, "fragment", found[i].angle, (i,))
                     for i in sorted(joined)]
            rows += [(b.box, b.text, b.score, "block", 0.0, tuple(sorted(b.parts))) for b in group_blocks(lines)]
        if not rows:
            return detections(np.empty((0, 4)), [], [], text=[], level=[], angle=[], parts=[])
        return detections([r[0] for r in rows], ["text"] * len(rows), [r[2] for r in rows],
                          text=[r[1] for r in rows], level=[r[3] for r in rows], angle=[r[4] for r in rows],
                          parts=[r[5] for r in rows])
