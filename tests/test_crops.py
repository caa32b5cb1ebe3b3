"""The crop pass: where it looks, the crop views it trains on, and how its finds join the first pass."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import yaml

from auditor.crop_views import crop_labels, read_labels, write_crop_views
from auditor.detectors.base import detections, merge_per_class
from auditor.detectors.crops import MAX_CROPS, chest_crop, crop_regions, inside_share, surface_crops

W, H = 960, 720


def test_chest_crop_holds_head_and_chest_of_a_seated_clerk():
    person = (499.0, 239.0, 598.0, 326.0)        # seated behind a counter: head and chest only
    badge = (569.0, 304.0, 578.0, 319.0)
    crop = chest_crop(person, W, H)
    assert inside_share(person, crop) == 1.0
    assert inside_share(badge, crop) == 1.0
    side = crop[2] - crop[0]
    assert abs(side - (crop[3] - crop[1])) < 0.5
    assert 100 <= side <= 200                        # magnified about 2-3x at a 320 px crop pass


def test_chest_crop_of_a_standing_person_covers_the_torso_not_the_legs():
    person = (400.0, 200.0, 480.0, 560.0)
    crop = chest_crop(person, W, H)
    chest = (420.0, 260.0, 460.0, 330.0)
    feet = (420.0, 530.0, 460.0, 560.0)
    assert inside_share(chest, crop) == 1.0
    assert inside_share(feet, crop) == 0.0


def test_crops_stay_inside_the_photo():
    for person in [(0.0, 0.0, 60.0, 90.0), (900.0, 650.0, 960.0, 720.0)]:
        x1, y1, x2, y2 = chest_crop(person, W, H)
        assert 0 <= x1 < x2 <= W and 0 <= y1 < y2 <= H
    for x1, y1, x2, y2 in surface_crops((0.0, 10.0, 960.0, 700.0), W, H):
        assert 0 <= x1 < x2 <= W and 0 <= y1 < y2 <= H


def test_surface_crops_cover_the_whole_counter_top_edge():
    counter = (0.0, 323.0, 960.0, 540.0)
    crops = surface_crops(counter, W, H)
    assert crops[0][0] == 0.0 and crops[-1][2] == W
    for left, right in zip(crops, crops[1:], strict=False):
        assert right[0] < left[2]                    # neighbours overlap: nothing on the edge falls between
    plate = (404.0, 328.0, 412.0, 344.0)            # a name plate just below the edge
    device = (589.0, 314.0, 629.0, 345.0)           # an evaluation device standing on it
    assert max(inside_share(plate, c) for c in crops) == 1.0
    assert max(inside_share(device, c) for c in crops) == 1.0


def test_crop_regions_are_bounded_and_skip_near_repeats():
    people = [("person", (100.0 + 10 * i, 200.0, 180.0 + 10 * i, 300.0)) for i in range(12)]
    regions = crop_regions([*people, ("counter", (0.0, 300.0, 960.0, 500.0))], W, H)
    assert len(regions) <= MAX_CROPS
    assert len(regions) < 12                          # twelve nearly identical chests give fewer crops
    assert crop_regions([("seat", (0.0, 0.0, 50.0, 50.0))], W, H) == []


def test_crop_labels_keep_boxes_mostly_inside_clipped():
    names = ["person", "work_badge"]
    region = (100.0, 100.0, 300.0, 300.0)
    boxes = [("work_badge", (150.0, 150.0, 170.0, 180.0)),   # inside
             ("person", (120.0, 90.0, 220.0, 320.0)),        # mostly inside: clipped
             ("work_badge", (290.0, 150.0, 330.0, 180.0))]   # mostly outside: dropped
    lines = crop_labels(boxes, region, names)
    assert len(lines) == 2
    cls, cx, cy, w, h = lines[1].split()
    assert cls == "0" and float(h) == 1.0 and abs(float(w) - 0.5) < 1e-6


def test_write_crop_views_round_trips_labels(tmp_path: Path):
    image = np.full((H, W, 3), 200, np.uint8)
    (tmp_path / "images" / "train").mkdir(parents=True)
    (tmp_path / "labels" / "train").mkdir(parents=True)
    cv2.imwrite(str(tmp_path / "images" / "train" / "a.jpg"), image)
    names = ["person", "work_badge", "counter"]
    boxes = [(0, (499, 239, 598, 326)), (1, (569, 304, 578, 319)), (2, (0, 323, 960, 540))]
    (tmp_path / "labels" / "train" / "a.txt").write_text("".join(
        f"{c} {(x1 + x2) / 2 / W} {(y1 + y2) / 2 / H} {(x2 - x1) / W} {(y2 - y1) / H}\n"
        for c, (x1, y1, x2, y2) in boxes))
    (tmp_path / "data.yaml").write_text(yaml.safe_dump({"train": "images/train", "val": "images/train",
                                                        "names": dict(enumerate(names))}))
    assert write_crop_views(tmp_path, per_photo=1) == 1
    crop = cv2.imread(str(tmp_path / "crops" / "images" / "train" / "a_c0.jpg"))
    found = read_labels(tmp_path / "crops" / "labels" / "train" / "a_c0.txt", crop.shape[1], crop.shape[0], names)
    assert "work_badge" in [name for name, _ in found]   # the crop with the small thing is the one kept


def test_merge_per_class_keeps_one_of_overlapping_boxes_of_a_class_only():
    first = detections([(10, 10, 30, 30), (100, 100, 140, 140)], ["work_badge", "person"], [0.4, 0.9])
    more = detections([(11, 11, 31, 31), (12, 12, 30, 30)], ["work_badge", "cup"], [0.8, 0.7])
    merged = merge_per_class(first, more)
    names = sorted(merged.data["class_name"])
    assert names == ["cup", "person", "work_badge"]
    badge = merged[merged.data["class_name"] == "work_badge"]
    assert float(badge.confidence[0]) == np.float32(0.8)
