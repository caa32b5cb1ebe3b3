"""Detector backends on images with known answers: a drawn floor line, a coloured top, a rendered sign,
and the YOLO backend over a small ultralytics model with a class map."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import supervision as sv
import yaml
from PIL import Image, ImageDraw, ImageFont

from auditor.detectors.base import detections
from auditor.detectors.colour import dominant_colour, upper_body_colour
from auditor.detectors.lines import FloorLineFinder
from auditor.errors import DetectorConfigError
from auditor.facts import build_facts
from auditor.fonts import cjk_font_path
from auditor.types import Area, Role


def _floor(width: int = 800, height: int = 600) -> np.ndarray:
    image = np.full((height, width, 3), (150, 150, 150), np.uint8)
    image[: height // 3] = (210, 215, 220)  # wall
    return image


@pytest.mark.parametrize(("bgr", "name"), [((0, 210, 235), "yellow"), ((40, 40, 210), "red"),
                                           ((60, 170, 40), "green")])
def test_a_drawn_line_is_found_with_its_colour_and_end_points(bgr, name) -> None:
    image = _floor()
    cv2.line(image, (100, 480), (700, 470), bgr, 14)
    found = FloorLineFinder().find(image)
    assert len(found) == 1
    assert found.data["colours"][0] == (name,)
    (x1, y1), (x2, y2) = sorted(found.data["points"][0])
    assert abs(x1 - 100) < 12 and abs(x2 - 700) < 12 and abs(y1 - 480) < 10 and abs(y2 - 470) < 10
    assert 580 < found.data["length_px"][0] < 620


def test_no_line_on_a_plain_floor_or_a_coloured_block() -> None:
    image = _floor()
    assert len(FloorLineFinder().find(image)) == 0
    cv2.rectangle(image, (200, 300), (600, 420), (60, 110, 160), -1)  # a brown counter front, not a line
    assert len(FloorLineFinder().find(image)) == 0


def test_vertical_line_orientation_in_facts() -> None:
    image = _floor()
    cv2.line(image, (400, 250), (410, 590), (0, 210, 235), 12)
    lines = FloorLineFinder().find(image)
    facts = build_facts("v.jpg", Area.WAITING_AREA, image, None, frozenset(), None, lines)
    assert [line.orientation for line in facts.floor_lines] == ["vertical"]
    assert facts.floor_lines[0].distance_m is None, "no scale in the photo: the distance stays unknown"


@pytest.mark.parametrize(("bgr", "name"), [((90, 40, 25), "dark_blue"), ((245, 245, 245), "white"),
                                           ((35, 35, 200), "red"), ((25, 25, 25), "black")])
def test_upper_body_colour_of_a_figure(bgr, name) -> None:
    image = np.full((400, 300, 3), (200, 200, 200), np.uint8)
    cv2.circle(image, (150, 60), 35, (150, 180, 225), -1)  # face: skin is ignored
    cv2.rectangle(image, (90, 100), (210, 260), bgr, -1)   # torso
    cv2.rectangle(image, (100, 260), (200, 390), (60, 60, 60), -1)  # trousers
    assert upper_body_colour(image, (80, 20, 220, 390)) == name


def test_mixed_region_has_no_dominant_colour() -> None:
    region = np.zeros((30, 30, 3), np.uint8)
    region[:10], region[10:20], region[20:] = (0, 0, 220), (0, 220, 0), (220, 0, 0)
    assert dominant_colour(region, min_share=0.5) is None


def test_roles_and_badges_from_positions() -> None:
    image = np.full((600, 800, 3), (200, 200, 200), np.uint8)
    found = detections(
        [(300, 400, 700, 560), (350, 150, 470, 430), (390, 230, 420, 260), (100, 200, 220, 590)],
        ["counter", "person", "work_badge", "person"], [0.9, 0.9, 0.8, 0.9])
    facts = build_facts("w.jpg", Area.WINDOW_COUNTER, image, found,
                        frozenset({"counter", "person", "work_badge"}), None, None)
    staff, visitor = sorted(facts.persons, key=lambda p: p.box[0], reverse=True)
    assert staff.role is Role.STAFF and staff.badge is True
    assert visitor.role is Role.VISITOR and visitor.badge is False
    assert "persons" in facts.analyzed


@pytest.mark.skipif(cjk_font_path() is None, reason="needs the CJK font that `make setup` installs")
def test_ocr_reads_a_rendered_bilingual_sign() -> None:
    from auditor.detectors.ocr import RapidOcrReader

    image = Image.new("RGB", (640, 220), (22, 74, 150))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(cjk_font_path()), 44)
    draw.text((60, 40), "3号窗口 综合受理", fill=(255, 255, 255), font=font)
    draw.text((60, 120), "Waiting Area", fill=(255, 255, 255), font=font)
    found = RapidOcrReader().read(np.asarray(image)[:, :, ::-1].copy())
    read = "".join(found.data["text"]).replace(" ", "")
    assert "3号窗口" in read and "综合受理" in read and "WaitingArea" in read
    assert all(0 <= b[0] < b[2] <= 640 and 0 <= b[1] < b[3] <= 220 for b in found.xyxy)


# -- YOLO backend ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_weights(tmp_path_factory) -> Path:
    """An untrained ultralytics model with hall class names, saved like real weights (no download)."""
    from auditor.detectors.yolo import quiet_ultralytics

    quiet_ultralytics()
    import torch
    from ultralytics import YOLO
    from ultralytics.nn.tasks import DetectionModel

    torch.manual_seed(0)  # an untrained model's guesses, the same every run
    model = YOLO("yolo11n.yaml", task="detect")
    model.model = DetectionModel("yolo11n.yaml", nc=3, verbose=False)
    model.model.names = {0: "person", 1: "coffee cup", 2: "lamp"}
    path = tmp_path_factory.mktemp("weights") / "tiny.pt"
    model.save(str(path))
    return path


@pytest.mark.slow
def test_yolo_backend_loads_weights_from_config_and_maps_classes(tiny_weights: Path, tmp_path: Path) -> None:
    from auditor.detectors.yolo import YoloDetector

    config = tmp_path / "detector.yaml"
    config.write_text(yaml.safe_dump({"weights": "missing.onnx", "fallback_weights": str(tiny_weights),
                                      "imgsz": 64, "confidence": 0.0001,
                                      "class_map": {"person": "person", "coffee cup": "cup"}}))
    detector = YoloDetector.from_config(config)
    assert detector is not None and detector.weights == tiny_weights, "falls back to the .pt"
    assert detector.detectable == {"person", "cup"}
    found = detector.detect(np.full((64, 64, 3), 127, np.uint8))
    assert isinstance(found, sv.Detections) and len(found) > 0, "an untrained model still guesses at 1e-4"
    assert set(found.data["class_name"]) <= {"person", "cup"}, "'lamp' is not in the map and is dropped"
    raw = detector.model.predict(np.full((64, 64, 3), 127, np.uint8), imgsz=64, conf=0.0001, verbose=False)[0]
    kept = sum(detector.model.names[int(c)] in ("person", "coffee cup") for c in raw.boxes.cls)
    assert len(found) == kept, "every mapped class is kept, only unmapped ones dropped"


@pytest.mark.slow
def test_classes_the_model_finds_poorly_on_its_val_photos_are_not_claimed(tiny_weights: Path, tmp_path: Path) -> None:
    # A rule wanting a thing present must not fail because the model merely misses it: a class under the
    # trust floor is left out, so its rules are not assessable.
    import json

    from auditor.detectors.yolo import YoloDetector

    (tmp_path / "metrics.json").write_text(json.dumps({"val_ap50_per_class": {"person": 0.8, "coffee cup": 0.2}}))
    config = tmp_path / "detector.yaml"
    config.write_text(yaml.safe_dump({"weights": str(tiny_weights), "imgsz": 64, "confidence": 0.0001,
                                      "trust": {"metrics": "metrics.json", "min_ap50": 0.5},
                                      "class_map": {"person": "person", "coffee cup": "cup"}}))
    detector = YoloDetector.from_config(config)
    assert detector is not None and detector.detectable == {"person"}
    assert set(detector.detect(np.full((64, 64, 3), 127, np.uint8)).data["class_name"]) <= {"person"}
    (tmp_path / "metrics.json").write_text(json.dumps({"heldout": {}}))  # no per-class figures: all trusted
    assert YoloDetector.from_config(config).detectable == {"person", "cup"}


def test_class_mapping_renames_and_drops() -> None:
    from auditor.detectors.yolo import YoloDetector

    raw = detections([(0, 0, 10, 10), (5, 5, 20, 20), (1, 1, 2, 2)], ["coffee cup", "lamp", "person"],
                     [0.9, 0.8, 0.7])
    mapper = YoloDetector.__new__(YoloDetector)  # the mapping needs only the class map, not a model
    mapper.class_map = {"coffee cup": "cup", "person": "person"}
    mapped = mapper.map_classes(raw)
    assert list(mapped.data["class_name"]) == ["cup", "person"]
    assert mapped.confidence.tolist() == pytest.approx([0.9, 0.7])


@pytest.mark.slow
def test_class_map_naming_a_class_the_model_lacks(tiny_weights: Path, tmp_path: Path) -> None:
    from auditor.detectors.yolo import YoloDetector

    with pytest.raises(DetectorConfigError, match="does not have: teapot"):
        YoloDetector(tiny_weights, {"teapot": "cup"})


def test_missing_weights_mean_no_detector(tmp_path: Path) -> None:
    from auditor.detectors.yolo import YoloDetector

    config = tmp_path / "detector.yaml"
    config.write_text(yaml.safe_dump({"weights": "nowhere.onnx", "class_map": {"person": "person"}}))
    assert YoloDetector.from_config(config) is None


def test_invalid_config_names_the_field(tmp_path: Path) -> None:
    from auditor.detectors.yolo import read_config

    config = tmp_path / "detector.yaml"
    config.write_text(yaml.safe_dump({"weights": "x.pt", "class_map": {}, "confidense": 0.3}))
    with pytest.raises(DetectorConfigError, match="confidense"):
        read_config(config)


def _figure(image: np.ndarray, box: tuple[int, int, int, int], bgr: tuple[int, int, int]) -> None:
    x1, y1, x2, y2 = box
    h = y2 - y1
    cv2.rectangle(image, (x1, y1 + int(0.18 * h)), (x2, y1 + int(0.55 * h)), bgr, -1)


@pytest.mark.parametrize(("area", "top", "role"), [
    (Area.GUIDANCE_DESK, (35, 35, 200), Role.VOLUNTEER),   # red, on duty behind the guidance desk
    (Area.GUIDANCE_DESK, (90, 40, 25), Role.STAFF),        # navy, on duty behind the guidance desk
    (Area.WINDOW_COUNTER, (35, 35, 200), Role.STAFF),      # red behind a window is staff out of uniform
    (Area.WAITING_AREA, (90, 40, 25), Role.UNKNOWN),       # no counter to tell duty from visit: no guess
])
def test_roles_from_duty_position_and_dress(area: Area, top, role: Role) -> None:
    image = np.full((600, 800, 3), (200, 200, 200), np.uint8)
    person = (350, 150, 470, 430)
    _figure(image, person, top)
    found = detections([(300, 400, 700, 560), person], ["counter", "person"], [0.9, 0.9])
    facts = build_facts("p.jpg", area, image, found, frozenset({"counter", "person"}), None, None)
    assert [p.role for p in facts.persons] == [role]


def test_persons_are_objects_too_so_rules_may_count_them() -> None:
    image = np.full((300, 300, 3), 200, np.uint8)
    found = detections([(10, 10, 60, 200), (100, 10, 150, 200)], ["person", "person"], [0.9, 0.9])
    facts = build_facts("p.jpg", Area.BACK_OFFICE, image, found, frozenset({"person"}), None, None)
    assert len(facts.objects_named("person")) == 2 and len(facts.persons) == 2


def test_the_bundled_config_maps_exactly_the_classes_the_hall_detector_learns(manual) -> None:
    # Weights trained on the generator's classes must load with the shipped config: a class map naming a
    # class the model lacks is refused, and a class left out of the map would be detected and dropped.
    from auditor.detectors.yolo import read_config
    from auditor.synth.areas import CLASSES

    config, _ = read_config()
    assert sorted(config.class_map) == sorted(CLASSES)
    assert all(source == target for source, target in config.class_map.items())
    assert set(config.class_map.values()) <= set(manual.object_names)


def test_a_clerk_whose_box_ends_just_above_the_desk_is_on_duty() -> None:
    # The monitor on the desk hides the clerk's waist: the box ends a little above the desk's top edge.
    # A person standing in front of the desk, feet below it, is still a visitor.
    image = np.full((720, 960, 3), 200, np.uint8)
    found = detections([(62, 424, 582, 650), (230, 246, 393, 396), (400, 150, 470, 700)],
                       ["desk", "person", "person"], [0.9, 0.9, 0.9])
    facts = build_facts("b.jpg", Area.BACK_OFFICE, image, found, frozenset({"desk", "person"}), None, None)
    clerk, visitor = sorted(facts.persons, key=lambda p: p.box[0])
    assert clerk.role is Role.STAFF
    assert visitor.role is Role.VISITOR


def test_a_coloured_band_on_a_persons_clothes_is_no_floor_line_but_one_at_their_feet_is() -> None:
    image = np.full((720, 960, 3), 200, np.uint8)
    found = detections([(400, 100, 560, 700)], ["person"], [0.9])
    lines = detections([(420, 300, 540, 320), (300, 680, 700, 690)], ["floor_line", "floor_line"], [0.8, 0.8],
                       colours=[("green",), ("yellow",)], points=[((420, 310), (540, 310)), ((300, 685), (700, 685))],
                       length_px=[120, 400])
    facts = build_facts("p.jpg", Area.WAITING_AREA, image, found, frozenset({"person"}), None, lines)
    assert [line.colours for line in facts.floor_lines] == [("yellow",)]



def test_bands_on_a_machine_or_a_sign_are_no_floor_lines_but_the_mark_at_the_machines_foot_is() -> None:
    image = np.full((720, 960, 3), 200, np.uint8)
    found = detections([(100, 200, 300, 650), (600, 100, 800, 160)], ["ticket_machine", "guide_map"], [0.9, 0.9])
    def band(y: float, x1: float, x2: float) -> tuple:
        return ((x1, y), (x2, y))
    points = [band(400, 120, 280), band(640, 60, 340), band(130, 610, 790)]  # machine side, its foot, sign frame
    lines = detections([(p[0][0], p[0][1] - 5, p[1][0], p[1][1] + 5) for p in points], ["floor_line"] * 3,
                       [0.8] * 3, colours=[("blue",), ("yellow",), ("red",)], points=points,
                       length_px=[160, 280, 180])
    facts = build_facts("m.jpg", Area.SELF_SERVICE, image, found, frozenset({"ticket_machine", "guide_map"}),
                        None, lines)
    assert [line.colours for line in facts.floor_lines] == [("yellow",)]

def test_each_class_is_kept_above_its_own_threshold() -> None:
    from auditor.detectors.yolo import YoloDetector

    found = detections([(0, 0, 10, 10), (0, 0, 9, 9), (5, 5, 20, 20), (1, 1, 2, 2)],
                       ["fire_exit_sign", "person", "person", "cup"], [0.15, 0.3, 0.6, 0.2])
    kept = YoloDetector.above_threshold(found, 0.35, {"fire_exit_sign": 0.1, "cup": 0.5})
    assert list(kept.data["class_name"]) == ["fire_exit_sign", "person"], \
        "the sign passes its lower threshold, the cup fails its higher one, people keep the default"
    assert kept.confidence.tolist() == pytest.approx([0.15, 0.6])


def test_class_thresholds_come_from_a_map_or_a_metrics_file(tmp_path: Path) -> None:
    import json

    from auditor.detectors.yolo import class_thresholds

    assert class_thresholds({"cup": 0.5, "sign": 0, "bag": 1.5}, tmp_path) == {"cup": 0.5}, "0 and 1.5 are none"
    assert class_thresholds(None, tmp_path) == {}
    (tmp_path / "metrics.json").write_text(json.dumps({"f1_confidence_per_class": {"sign": 0.1, "odd": 7, "x": "y"}}))
    assert class_thresholds("metrics.json", tmp_path) == {"sign": 0.1}, "a value outside (0, 1) is ignored"
    assert class_thresholds("missing.json", tmp_path) == {}, "no file: every class keeps the one threshold"
    (tmp_path / "broken.json").write_text("{")
    assert class_thresholds("broken.json", tmp_path) == {}


@pytest.mark.slow
def test_per_class_thresholds_from_the_config_change_what_is_reported(tiny_weights: Path, tmp_path: Path) -> None:
    from auditor.detectors.yolo import YoloDetector

    config = tmp_path / "detector.yaml"
    settings = {"weights": str(tiny_weights), "imgsz": 64, "confidence": 0.9,
                "class_map": {"person": "person", "coffee cup": "cup"}}
    config.write_text(yaml.safe_dump(settings))
    image = np.full((64, 64, 3), 127, np.uint8)
    assert len(YoloDetector.from_config(config).detect(image)) == 0, "an untrained model is never sure"
    config.write_text(yaml.safe_dump({**settings, "class_confidence": {"person": 0.0001, "coffee cup": 0.95}}))
    detector = YoloDetector.from_config(config)
    assert detector.class_confidence == {"person": 0.0001, "coffee cup": 0.9}, "a class's own only lowers"
    after = detector.detect(image)
    assert set(after.data["class_name"]) == {"person"}, "people are reported from 1e-4 now, cups still from 0.9"
