"""Several detectors in one audit: the list config, fusion per class, the crop pass after the fusion."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from auditor.detectors.base import detections
from auditor.detectors.fusion import FusedDetector, fuse, load_object_detector, read_detector_list
from auditor.errors import DetectorConfigError

IMAGE = np.zeros((240, 320, 3), np.uint8)


class Fixed:
    """A detector reporting fixed boxes; ``closer`` boxes come from its second look, which records the
    persons it was handed."""

    def __init__(self, name: str, found: list[tuple[str, tuple[float, float, float, float], float]],
                 knows: set[str], closer: list[tuple[str, tuple[float, float, float, float], float]] | None = None):
        self.name = name
        self.found = found
        self.knows = frozenset(knows)
        self.closer = closer
        self.handed: list[list[str]] = []

    @property
    def detectable(self) -> frozenset[str]:
        return self.knows

    def detect(self, image):
        return detections([b for _, b, _ in self.found], [n for n, _, _ in self.found], [c for _, _, c in self.found])

    def __getattr__(self, attribute):
        if attribute == "look_closer" and self.__dict__.get("closer") is not None:
            return self._look_closer
        raise AttributeError(attribute)

    def _look_closer(self, image, found):
        self.handed.append(sorted(found.data["class_name"]))
        return detections([b for _, b, _ in self.closer], [n for n, _, _ in self.closer],
                          [c for _, _, c in self.closer])


def _names(found) -> list[str]:
    return sorted(found.data["class_name"])


def test_shared_classes_merge_and_a_preferred_detector_wins_its_class():
    hall = Fixed("hall", [("person", (10, 10, 50, 100), 0.6), ("counter", (0, 100, 320, 200), 0.9),
                          ("seat", (200, 150, 240, 200), 0.5)], {"person", "counter", "seat"})
    coco = Fixed("coco", [("person", (12, 12, 52, 102), 0.9), ("person", (100, 10, 140, 100), 0.8),
                          ("seat", (201, 151, 241, 201), 0.7), ("cup", (60, 90, 70, 100), 0.5)],
                 {"person", "seat", "cup"})
    found = {"hall": hall.detect(IMAGE), "coco": coco.detect(IMAGE)}
    knows = {"hall": hall.detectable, "coco": coco.detectable}
    merged = fuse(found, knows, prefer={})
    assert _names(merged) == ["counter", "cup", "person", "person", "seat"], "overlapping boxes kept once"
    preferred = fuse(found, knows, prefer={"person": "hall"})
    persons = preferred[preferred.data["class_name"] == "person"]
    assert len(persons) == 1 and float(persons.confidence[0]) == np.float32(0.6), "only the hall detector's person"
    # A preference for a detector that does not know the class leaves the class to the others.
    assert _names(fuse(found, knows, prefer={"cup": "hall"})).count("cup") == 1


def test_a_place_the_finer_detector_named_otherwise_loses_the_coarser_label():
    # The COCO model sees an evaluation device's screen as a cup; the hall detector, which knows cups too,
    # called the same box an evaluation device, a class COCO cannot name.
    hall = Fixed("hall", [("evaluation_device", (100, 80, 140, 110), 0.7), ("cup", (200, 80, 220, 110), 0.5),
                          ("call_screen", (10, 10, 90, 60), 0.8)],
                 {"evaluation_device", "cup", "call_screen", "monitor"})
    coco = Fixed("coco", [("cup", (102, 82, 141, 111), 0.47), ("cup", (250, 80, 270, 110), 0.6),
                          ("monitor", (12, 11, 88, 61), 0.7), ("person", (100, 60, 150, 200), 0.9)],
                 {"cup", "monitor", "person"})
    found = {"hall": hall.detect(IMAGE), "coco": coco.detect(IMAGE)}
    merged = fuse(found, {"hall": hall.detectable, "coco": coco.detectable}, prefer={})
    assert _names(merged) == ["call_screen", "cup", "cup", "evaluation_device", "person"], \
        "the cup on the device and the monitor on the call screen go; cups elsewhere and the person stay"
    hall_unaware = {"hall": frozenset({"evaluation_device", "call_screen"}), "coco": coco.detectable}
    assert _names(fuse(found, hall_unaware, prefer={})).count("cup") == 3, \
        "a detector that does not know cups has not chosen against one"


def test_the_crop_pass_sees_the_persons_of_every_detector():
    hall = Fixed("hall", [("counter", (0, 100, 320, 200), 0.9)], {"counter", "person", "work_badge"},
                 closer=[("work_badge", (110, 40, 115, 48), 0.7)])
    coco = Fixed("coco", [("person", (100, 10, 140, 100), 0.8)], {"person"})
    fused = FusedDetector([("hall", hall), ("coco", coco)], prefer={"person": "coco"})
    assert fused.detectable == {"counter", "person", "work_badge"}
    assert _names(fused.detect(IMAGE)) == ["counter", "person", "work_badge"]
    assert hall.handed == [["counter", "person"]], "the hall detector's second look got coco's person"


def test_what_only_the_crop_pass_names_also_outvotes_a_coarser_name():
    # The evaluation device is too small for the hall detector's first pass; its crop pass finds it, and
    # the COCO "cup" on the same place goes, while a cup elsewhere stays.
    hall = Fixed("hall", [("counter", (0, 100, 320, 200), 0.9)], {"counter", "evaluation_device", "cup"},
                 closer=[("evaluation_device", (100, 80, 140, 110), 0.6)])
    coco = Fixed("coco", [("cup", (102, 82, 141, 111), 0.4), ("cup", (250, 80, 270, 110), 0.6)], {"cup"})
    found = FusedDetector([("hall", hall), ("coco", coco)]).detect(IMAGE)
    assert _names(found) == ["counter", "cup", "evaluation_device"]
    assert float(found[found.data["class_name"] == "cup"].xyxy[0][0]) == 250


def _write(path: Path, data) -> Path:
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_a_listed_detector_without_weights_is_left_out_with_a_note(tmp_path: Path):
    _write(tmp_path / "hall.yaml", {"weights": "missing.onnx", "class_map": {"person": "person"}})
    listed = _write(tmp_path / "detectors.yaml", {"detectors": [{"name": "hall", "backend": "ultralytics",
                                                                 "config": "hall.yaml"}]})
    detector, notes = load_object_detector(listed)
    assert detector is None
    assert len(notes) == 1 and "'hall' is left out" in notes[0] and "hall.yaml" in notes[0]


@pytest.mark.parametrize(("content", "message"), [
    ({"detectors": [{"name": "a", "backend": "ultralytics", "config": "x.yaml", "weight": 2}]}, "weight"),
    ({"detectors": [{"name": "a", "backend": "darknet", "config": "x.yaml"}]}, "backend"),
    ({"detectors": []}, "detectors"),
    ({"detectors": [{"name": "a", "backend": "ultralytics", "config": "x.yaml"}] * 2}, "repeated: a"),
    ({"detectors": [{"name": "a", "backend": "ultralytics", "config": "x.yaml"}], "prefer": {"person": "b"}},
     "not listed: b"),
])
def test_a_wrong_detector_list_is_refused_naming_file_and_field(tmp_path: Path, content, message):
    path = _write(tmp_path / "detectors.yaml", content)
    with pytest.raises(DetectorConfigError, match=message) as raised:
        read_detector_list(path)
    assert str(path) in str(raised.value)


def test_a_listed_config_that_is_not_there_is_named(tmp_path: Path):
    listed = _write(tmp_path / "detectors.yaml", {"detectors": [{"name": "hall", "backend": "ultralytics",
                                                                 "config": "nowhere.yaml"}]})
    with pytest.raises(DetectorConfigError, match="nowhere.yaml"):
        load_object_detector(listed)


def test_the_shipped_list_names_configs_that_exist():
    from auditor.detectors.fusion import DEFAULT_CONFIG

    listed = read_detector_list(DEFAULT_CONFIG)
    for entry in listed.detectors:
        assert (DEFAULT_CONFIG.parent / entry.config).is_file(), entry.config


def test_a_box_nested_in_a_surer_one_of_its_class_is_the_same_thing_but_people_stay_apart():
    from auditor.detectors.base import merge_per_class

    # A cup on the first pass, and the same cup's body found in a crop (IoU 0.4, wholly inside it).
    first = detections([(609, 348, 641, 385), (100, 100, 160, 300), (300, 340, 330, 380)],
                       ["cup", "person", "cup"], [0.85, 0.9, 0.6])
    crop = detections([(623, 352, 638, 383), (110, 150, 150, 300)], ["cup", "person"], [0.55, 0.7])
    merged = merge_per_class(first, crop)
    assert _names(merged) == ["cup", "cup", "person", "person"], "two cups (one seen twice), two people"
    kept_cups = merged[merged.data["class_name"] == "cup"]
    assert sorted(np.round(kept_cups.confidence, 2)) == [0.6, 0.85]
