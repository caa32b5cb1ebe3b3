"""Sign text with rapidocr (PP-OCR models shipped in the wheel, run offline on onnxruntime)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import supervision as sv

from auditor.detectors.base import detections
from auditor.fonts import cjk_font_path


@lru_cache(maxsize=1)
def _engine() -> Any:
    from rapidocr import RapidOCR  # imported here: loads onnxruntime sessions

    params: dict[str, Any] = {"Global.log_level": "error"}
    font = cjk_font_path()
    if font is not None:
        # Without a local font rapidocr's drawing helper tries to download one.
        params["Global.font_path"] = str(font)
    return RapidOCR(params=params)


class RapidOcrReader:
    """A ``TextReader``: one detection per text line, its quadrilateral's bounding box and its text."""

    name = "rapidocr"

    def read(self, image: np.ndarray) -> sv.Detections:
        out = _engine()(image)
        if out.boxes is None or not out.txts:
            return detections(np.empty((0, 4)), [], [], text=[])
        quads = np.asarray(out.boxes, dtype=np.float32)
        boxes = np.concatenate([quads.min(axis=1), quads.max(axis=1)], axis=1)
        return detections(boxes, ["text"] * len(out.txts), list(out.scores), text=list(out.txts))
