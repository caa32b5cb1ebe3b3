"""The shipped hall detector on sample photos: its crop pass finds badges the whole-photo pass cannot, and
its ONNX and .pt weights agree."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from auditor.cli import SAMPLES_DIR
from auditor.detectors.yolo import DEFAULT_CONFIG, MODELS_DIR, YoloDetector, read_config

ONNX, PT = MODELS_DIR / "hall-detector.onnx", MODELS_DIR / "hall-detector.pt"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (ONNX.is_file() and PT.is_file()), reason="no hall detector is shipped")]


def _window_photos_with_badges() -> list[tuple[np.ndarray, list[tuple[float, ...]]]]:
    truth = json.loads((SAMPLES_DIR / "truth.json").read_text(encoding="utf-8"))
    photos = []
    for photo in truth["photos"]:
        badges = [tuple(o["box"]) for o in photo["facts"]["objects"] if o["name"] == "work_badge"]
        if photo["area"] == "window_counter" and badges:
            photos.append((cv2.imread(str(SAMPLES_DIR / photo["file"])), badges))
    return photos


def _hits(found, truth: list[tuple[float, ...]], name: str) -> int:
    """True boxes with a found box of ``name`` whose centre lies in them."""
    boxes = found.xyxy[found.data["class_name"] == name]
    centres = [((x1 + x2) / 2, (y1 + y2) / 2) for x1, y1, x2, y2 in boxes]
    return sum(any(t[0] - 2 <= cx <= t[2] + 2 and t[1] - 2 <= cy <= t[3] + 2 for cx, cy in centres) for t in truth)


def test_the_crop_pass_finds_badges_on_rendered_chests() -> None:
    detector = YoloDetector.from_config(DEFAULT_CONFIG)
    assert detector is not None and detector.crop_imgsz, "the shipped config looks again at chests"
    photos = _window_photos_with_badges()
    badges = sum(len(truth) for _, truth in photos)
    whole = sum(_hits(detector.first_pass(image), truth, "work_badge") for image, truth in photos)
    both = sum(_hits(detector.detect(image), truth, "work_badge") for image, truth in photos)
    assert both > whole, f"the crop pass adds badges ({whole} -> {both} of {badges})"
    assert both >= badges / 2, f"{both} of {badges} badges found"


def test_onnx_and_pt_find_the_same_things_on_a_sample() -> None:
    config, _ = read_config(DEFAULT_CONFIG)
    image = cv2.imread(str(sorted(SAMPLES_DIR.rglob("window_counter/*.jpg"))[0]))
    found = {}
    for weights in (ONNX, PT):
        detector = YoloDetector(weights, config.class_map, imgsz=config.imgsz, confidence=0.5)
        found[weights.suffix] = sorted(detector.first_pass(image).data["class_name"])
    assert found[".onnx"], "the model finds something on a window photo"
    assert found[".onnx"] == found[".pt"]
