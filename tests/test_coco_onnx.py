"""The pretrained COCO detector (auditor/detectors/coco_onnx.py) and its conversion (scripts/convert_coco_detector.py).

Fast and offline: the decoder and the tile merge on constructed outputs with a known answer, the class map,
the config errors, the conversion's pure parts (integrity check, TF.js JSON mends, float16 storage), and the
shipped ONNX finding a person on a generated window-counter photo.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import supervision as sv

from auditor.detectors import coco_onnx
from auditor.detectors.coco_onnx import (
    COCO_CLASSES,
    REG_BINS,
    STRIDES,
    NanoDetDetector,
    decode,
    merge_tiles,
    read_config,
    tile_windows,
)
from auditor.errors import DetectorConfigError
from auditor.manual import load_manual
from scripts import convert_coco_detector as convert

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "models" / "coco.yaml"
SIZE = 416


# ------------------------------------------------------------------------------------------------ decoder

def empty_outputs() -> tuple[list[np.ndarray], list[np.ndarray]]:
    scores = [np.zeros((1, (SIZE // s) ** 2, len(COCO_CLASSES)), np.float32) for s in STRIDES]
    dists = [np.zeros((1, (SIZE // s) ** 2, 4 * REG_BINS), np.float32) for s in STRIDES]
    return scores, dists


def put(scores, dists, level: int, row: int, col: int, cls: int, score: float, logits: list[np.ndarray]) -> None:
    grid = SIZE // STRIDES[level]
    cell = row * grid + col
    scores[level][0, cell, cls] = score
    dists[level][0, cell] = np.concatenate(logits)


def one_hot(k: int) -> np.ndarray:
    logits = np.full(REG_BINS, -30.0, np.float32)
    logits[k] = 30.0
    return logits


def test_decoder_finds_the_box_of_a_constructed_output():
    scores, dists = empty_outputs()
    # stride 16, row 3, column 5: cell centre (5.5 * 16, 3.5 * 16) = (88, 56); sides 2, 1, 3, 4 bins.
    put(scores, dists, 1, 3, 5, 0, 0.9, [one_hot(2), one_hot(1), one_hot(3), one_hot(4)])
    boxes, found, ids = decode(scores, dists, SIZE, 0.3)
    assert ids.tolist() == [0]
    assert found[0] == pytest.approx(0.9)
    np.testing.assert_allclose(boxes[0], [88 - 32, 56 - 16, 88 + 48, 56 + 64], atol=1e-3)


def test_decoder_takes_the_expected_distance_of_the_distribution():
    scores, dists = empty_outputs()
    split = np.full(REG_BINS, -30.0, np.float32)
    split[[2, 4]] = 5.0  # half at 2, half at 4: expected 3 bins
    flat = np.zeros(REG_BINS, np.float32)  # uniform over 0..10: expected 5 bins
    # stride 8, row 10, column 20: centre (164, 84); stride 32, row 0, column 0: centre (16, 16)
    put(scores, dists, 0, 10, 20, 41, 0.8, [split, split, flat, one_hot(0)])
    put(scores, dists, 2, 0, 0, 56, 0.5, [one_hot(0)] * 4)
    put(scores, dists, 2, 1, 1, 56, 0.2, [one_hot(1)] * 4)  # below the threshold
    boxes, found, ids = decode(scores, dists, SIZE, 0.3)
    order = np.argsort(ids)
    assert ids[order].tolist() == [41, 56]
    np.testing.assert_allclose(boxes[order][0], [164 - 24, 84 - 24, 164 + 40, 84], atol=1e-3)
    np.testing.assert_allclose(boxes[order][1], [16, 16, 16, 16], atol=1e-3)
    # only the classes asked for
    boxes, found, ids = decode(scores, dists, SIZE, 0.3, classes=[56])
    assert ids.tolist() == [56]


def test_decoder_clips_to_the_input_and_reports_nothing_on_empty_outputs():
    scores, dists = empty_outputs()
    assert len(decode(scores, dists, SIZE, 0.3)[0]) == 0
    put(scores, dists, 2, 12, 12, 0, 0.9, [one_hot(10)] * 4)  # centre (400, 400), 320 px each way
    boxes, _, _ = decode(scores, dists, SIZE, 0.3)
    np.testing.assert_allclose(boxes[0], [80, 80, SIZE, SIZE], atol=1e-3)


# ------------------------------------------------------------------------------------------------ class map

def test_class_map_maps_coco_names_to_objects_the_manual_declares():
    config, base = read_config(CONFIG)
    manual_objects = {o.id for o in load_manual().objects}
    assert set(config.class_map) <= set(COCO_CLASSES)
    assert set(config.class_map.values()) <= manual_objects
    assert config.class_map["person"] == "person"
    for coco, manual in [("bottle", "cup"), ("wine glass", "cup"), ("cake", "food"), ("backpack", "bag"),
                         ("potted plant", "plant"), ("bench", "seat"), ("laptop", "monitor"), ("tv", "monitor"),
                         ("cell phone", "phone"), ("keyboard", "keyboard")]:
        assert config.class_map[coco] == manual
    assert "book" not in config.class_map  # a service guide on the counter is allowed: not a paper pile
    assert (base / config.weights).is_file()


@pytest.mark.parametrize("change, field", [
    ({"colour": "red"}, "colour"),
    ({"tiles": 3}, "tiles"),
    ({"confidence": 1.5}, "confidence"),
    ({"class_map": {"persons": "person"}}, "class_map"),
])
def test_config_errors_name_the_file_and_the_field(tmp_path, change, field):
    raw = {"weights": "nanodet-coco.onnx", "class_map": {"person": "person"}} | change
    path = tmp_path / "coco.yaml"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(DetectorConfigError) as error:
        read_config(path)
    assert str(path) in str(error.value) and field in str(error.value)


def test_missing_weights_give_no_detector(tmp_path):
    path = tmp_path / "coco.yaml"
    path.write_text(json.dumps({"weights": "absent.onnx", "class_map": {"person": "person"}}), encoding="utf-8")
    assert NanoDetDetector.from_config(path) is None


# ------------------------------------------------------------------------------------------------ tiles

def test_tiles_cover_the_photo_and_overlap():
    windows = tile_windows(960, 720, 2)
    assert windows == [(0, 0, 576, 432), (384, 0, 960, 432), (0, 288, 576, 720), (384, 288, 960, 720)]
    assert tile_windows(960, 720, 0) == []


def as_arrays(*boxes):
    return np.asarray(boxes, np.float32).reshape(-1, 4)


def test_tile_merge_counts_each_person_once():
    width, height = 960, 720
    windows = tile_windows(width, height, 2)
    person = 0
    # the whole photo sees one standing person, crossing the tiles' horizontal border
    whole = (as_arrays([300, 200, 380, 600]), np.array([0.8], np.float32), np.array([person]))
    tiled = [
        # top left tile: the person cut by its bottom edge (432): a part, not a second person
        (as_arrays([302, 198, 379, 432]), np.array([0.7]), np.array([person]), windows[0]),
        # bottom left tile: the person whole again, and a small seated person the whole photo missed
        (as_arrays([298, 205, 382, 598], [100, 500, 140, 560]), np.array([0.8, 0.6]), np.array([person, person]),
         windows[2]),
        # bottom right tile: a head inside the standing person's box (a part of them, seen closer)
        (as_arrays([320, 300, 360, 350]), np.array([0.5]), np.array([person]), windows[3]),
    ]
    boxes, scores, ids = merge_tiles(whole, tiled, width, height)
    assert len(boxes) == 2
    np.testing.assert_allclose(boxes[0], [300, 200, 380, 600])
    np.testing.assert_allclose(boxes[1], [100, 500, 140, 560])


def test_tile_merge_keeps_a_person_seen_by_two_tiles_once_and_whole():
    width, height = 960, 720
    windows = tile_windows(width, height, 2)
    whole = (as_arrays(), np.zeros(0, np.float32), np.zeros(0, int))
    # a small person at x 560-600: whole in the top right tile (x from 384), cut by the top left tile's
    # right edge (576), where only x 560-576 shows
    tiled = [
        (as_arrays([560, 100, 576, 180]), np.array([0.9]), np.array([0]), windows[0]),
        (as_arrays([559, 101, 601, 181]), np.array([0.6]), np.array([0]), windows[1]),
    ]
    boxes, scores, ids = merge_tiles(whole, tiled, width, height)
    assert len(boxes) == 1
    np.testing.assert_allclose(boxes[0], [559, 101, 601, 181])


def test_tile_merge_drops_cut_parts_of_something_bigger_than_the_tile():
    width, height = 1280, 720
    windows = tile_windows(width, height, 2)
    whole = (as_arrays([141, 203, 1129, 720]), np.array([0.8], np.float32), np.array([0]))
    # a cut box as tall as the tile, barely inside the whole box: a part of a big person, not a new one
    tiled = [(as_arrays([2, 0, 731, 432]), np.array([0.6]), np.array([0]), windows[0])]
    boxes, _, _ = merge_tiles(whole, tiled, width, height)
    assert len(boxes) == 1


def test_tile_merge_keeps_classes_apart():
    width, height = 960, 720
    windows = tile_windows(width, height, 2)
    whole = (as_arrays([300, 200, 380, 600]), np.array([0.8], np.float32), np.array([0]))
    tiled = [(as_arrays([320, 300, 360, 350]), np.array([0.5]), np.array([1]), windows[0])]  # a cup held
    boxes, _, ids = merge_tiles(whole, tiled, width, height)
    assert ids.tolist() == [0, 1]


# ------------------------------------------------------------------------------------------------ conversion

def test_integrity_check_accepts_the_pinned_hash_and_refuses_others(tmp_path):
    path = tmp_path / "package.tgz"
    path.write_bytes(b"not the package")
    expected = "sha512-" + base64.b64encode(hashlib.sha512(b"not the package").digest()).decode()
    assert convert.sri_sha512(b"not the package") == expected
    assert convert.check_integrity(path, expected) == expected
    with pytest.raises(convert.IntegrityError, match="refusing"):
        convert.check_integrity(path)  # the pinned package hash
    assert convert.INTEGRITY.startswith("sha512-") and len(base64.b64decode(convert.INTEGRITY[7:])) == 64


def test_tfjs_mends_on_a_tiny_model_json():
    model = {"modelTopology": {"node": [
        {"name": "conv", "op": "_FusedConv2D", "input": ["x", "w", "b"],
         "attr": {"T": {"type": "DT_FLOAT"}, "num_args": {"i": "1"}}},
        {"name": "conv2", "op": "_FusedConv2D", "input": ["x", "w", "b", "c"],
         "attr": {"T": {"type": "DT_HALF"}, "num_args": {"i": "2"}, "TArgs": {"list": {"type": ["DT_HALF"] * 2}}}},
        {"name": "dw", "op": "DepthwiseConv2dNative", "input": ["x", "k"],
         "attr": {"_input_shapes": {"list": {"shape": []}}, "T": {"type": "DT_FLOAT"}}},
        {"name": "dw2", "op": "DepthwiseConv2dNative", "input": ["x", "k"], "attr": {"T": {"type": "DT_FLOAT"}}},
        {"name": "other", "op": "Conv2D", "attr": {"_input_shapes": {"list": {}}}},
    ]}}
    assert convert.mend_tfjs_model(model) == {"fused_conv_targs": 1, "depthwise_input_shapes": 1}
    nodes = {n["name"]: n for n in model["modelTopology"]["node"]}
    assert nodes["conv"]["attr"]["TArgs"] == {"list": {"type": ["DT_FLOAT"]}}
    assert nodes["conv2"]["attr"]["TArgs"] == {"list": {"type": ["DT_HALF", "DT_HALF"]}}
    assert "_input_shapes" not in nodes["dw"]["attr"] and nodes["dw"]["attr"]["T"] == {"type": "DT_FLOAT"}
    assert "_input_shapes" in nodes["other"]["attr"]  # only depthwise nodes are touched
    assert convert.mend_tfjs_model(model) == {"fused_conv_targs": 0, "depthwise_input_shapes": 0}


def test_float16_storage_changes_no_output():
    onnx = pytest.importorskip("onnx")
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    exact = (np.arange(32, dtype=np.float32).reshape(4, 8) / 8).astype(np.float32)  # float16 holds these
    inexact = np.full((8, 4), 0.1, np.float32)  # float16 does not hold 0.1
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "a"], ["y"]), helper.make_node("MatMul", ["y", "b"], ["z"])],
        "tiny", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, 4])],
        [numpy_helper.from_array(inexact, "b"), numpy_helper.from_array(exact, "a")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    x = np.array([[1, 2, 3, 4]], np.float32)
    before = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    convert.canonical_initializer_names(model)  # named in the order the nodes use them
    assert [init.name for init in model.graph.initializer] == ["w0", "w1"]
    assert convert.store_weights_float16(model) == 1
    onnx.checker.check_model(model)
    kinds = {init.name: init.data_type for init in model.graph.initializer}
    assert kinds == {"w0__fp16": TensorProto.FLOAT16, "w1": TensorProto.FLOAT}
    after = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    np.testing.assert_array_equal(before, after)


# ------------------------------------------------------------------------------------------------ shipped model

@pytest.fixture(scope="module")
def detector() -> NanoDetDetector:
    found = NanoDetDetector.from_config(CONFIG)
    if found is None:
        pytest.skip("models/nanodet-coco.onnx is not there (scripts/convert_coco_detector.py makes it)")
    return found


def iou(a, b) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    inter = max(0.0, w) * max(0.0, h)
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def test_shipped_model_is_small_and_reads_its_outputs_by_shape(detector):
    assert detector.weights.stat().st_size < 15_000_000
    assert detector.name == "coco"
    assert len(detector.score_outputs) == len(detector.box_outputs) == 3
    assert detector.detectable == frozenset(read_config(CONFIG)[0].class_map.values())


@pytest.mark.parametrize("tiles", [0, 2])
def test_shipped_model_finds_the_people_of_a_window_counter_photo(detector, tiles):
    truth = json.loads((ROOT / "samples" / "truth.json").read_text(encoding="utf-8"))
    entry = next(p for p in truth["photos"] if p["file"] == "山坡街道/window_counter/07.jpg")
    image = cv2.imread(str(ROOT / "samples" / entry["file"]))
    found = detector.detect(image, tiles=tiles)
    assert isinstance(found, sv.Detections)
    persons = found.xyxy[found.data["class_name"] == "person"]
    true_boxes = [p["box"] for p in entry["facts"]["persons"]]
    assert len(persons) == len(true_boxes) == 2
    for box in true_boxes:
        assert max(iou(box, f) for f in persons) >= 0.5
    assert set(found.data["class_name"]) <= detector.detectable
    assert found.confidence.min() >= detector.confidence


def test_shipped_model_reports_nothing_on_a_blank_wall(detector):
    wall = np.full((480, 640, 3), 200, np.uint8)
    assert len(detector.detect(wall, tiles=2)) == 0


def test_grey_and_bgra_photos_are_accepted(detector):
    grey = np.full((240, 320), 128, np.uint8)
    assert len(detector.detect(grey)) == 0
    assert len(detector.detect(cv2.cvtColor(grey, cv2.COLOR_GRAY2BGRA))) == 0


def test_session_shares_the_cores_politely(detector):
    options = detector.session.get_session_options()
    assert options.intra_op_num_threads == 2
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    assert coco_onnx.load_session.cache_info().currsize >= 1
