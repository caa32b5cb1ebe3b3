"""Shared fixtures: fake detectors (plain classes returning fixed Detections, no mocking) and photos."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import supervision as sv
from PIL import Image

from auditor.detectors.base import detections
from auditor.manual import DEFAULT_MANUAL, Manual, load_manual
from auditor.pipeline import Auditor, Detectors
from auditor.store import AuditStore

FIXTURES = Path(__file__).parent / "fixtures"


class FixedObjects:
    """An ObjectDetector that reports the same objects on every photo."""

    name = "fixed"

    def __init__(self, found: list[tuple[str, tuple[float, float, float, float]]], detectable: set[str]):
        self.found = found
        self._detectable = frozenset(detectable)
        self.calls = 0

    @property
    def detectable(self) -> frozenset[str]:
        return self._detectable

    def detect(self, image: np.ndarray) -> sv.Detections:
        self.calls += 1
        return detections([box for _, box in self.found], [name for name, _ in self.found], [0.9] * len(self.found))


class FixedTexts:
    name = "fixed-text"

    def __init__(self, lines: list[tuple[str, tuple[float, float, float, float]]]):
        self.lines = lines
        self.calls = 0

    def read(self, image: np.ndarray) -> sv.Detections:
        self.calls += 1
        return detections([b for _, b in self.lines], ["text"] * len(self.lines), [0.95] * len(self.lines),
                          text=[t for t, _ in self.lines])


def jpeg_bytes(width: int = 320, height: int = 240, colour=(180, 180, 170), exif_orientation: int | None = None
               ) -> bytes:
    image = Image.new("RGB", (width, height), colour)
    buffer = io.BytesIO()
    if exif_orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        image.save(buffer, "JPEG", exif=exif)
    else:
        image.save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture(scope="session")
def manual() -> Manual:
    return load_manual(DEFAULT_MANUAL)


@pytest.fixture()
def store(tmp_path: Path) -> AuditStore:
    return AuditStore(f"sqlite:///{tmp_path / 'audits.db'}", photo_dir=tmp_path / "photos")


@pytest.fixture()
def counter_auditor(manual: Manual) -> Auditor:
    """An auditor whose detector sees a counter with a cup on it, a window plate and a staff member."""
    objects = FixedObjects(
        found=[("counter", (20, 120, 300, 220)), ("cup", (100, 90, 130, 130)), ("window_plate", (100, 10, 220, 60)),
               ("evaluation_device", (200, 100, 240, 128))],
        detectable={"counter", "cup", "food", "bag", "plant", "paper_pile", "clothing", "sticker", "window_plate",
                    "evaluation_device", "handwritten_note"},
    )
    texts = FixedTexts([("3号窗口 综合受理", (105, 15, 215, 55))])
    return Auditor(manual, Detectors(objects=objects, texts=texts, lines=None))
