"""Training the detector: a one-epoch run on a tiny generated set, its ONNX export, plugging a model in."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from auditor.cli import SAMPLES_DIR, app
from auditor.manual import Manual
from auditor.synth.areas import CLASSES
from auditor.synth.dataset import generate
from auditor.train import TrainingError, check_dataset, starting_model, train

# Tests that train: they need the CJK font for the generated set and take seconds each.
trains = pytest.mark.skipif(__import__("auditor.fonts", fromlist=["cjk_font_path"]).cjk_font_path() is None,
                            reason="the generated set needs the CJK font that `make setup` installs")

IMGSZ = 128


@pytest.fixture(scope="module")
def trained(tmp_path_factory, manual: Manual):
    folder = tmp_path_factory.mktemp("train")
    generate(folder / "set", manual, halls=1, photos=7, seed=5, violation_rate=0.3)
    return train(folder / "set" / "data.yaml", folder / "run", epochs=1, imgsz=IMGSZ, batch=4, device="cpu")


@pytest.mark.slow
@trains
def test_one_epoch_gives_weights_onnx_and_scores(trained) -> None:
    assert trained.weights.is_file() and trained.weights.name == "best.pt"
    assert trained.onnx is not None and trained.onnx.is_file() and trained.onnx.suffix == ".onnx"
    assert trained.classes == list(CLASSES)
    assert trained.epochs == 1 and trained.best_epoch == 1, "epochs counted from what ran"
    assert 0.0 <= trained.map50_95 <= trained.map50 <= 1.0


@pytest.mark.slow
@trains
def test_onnx_and_pt_give_the_same_outputs_and_classes(trained, tmp_path: Path) -> None:
    import cv2
    import onnxruntime as ort
    import torch
    from ultralytics import YOLO

    from auditor.train import export

    # One epoch leaves every class scored alike; give the classes distinct biases so that each candidate box
    # has a class of its own to agree on, then export that model.
    pt = YOLO(str(trained.weights), task="detect")
    torch.manual_seed(0)
    for branch in pt.model.model[-1].cv3:
        branch[-1].bias.data += torch.randn_like(branch[-1].bias) * 3
    weights = tmp_path / "biased.pt"
    pt.save(str(weights))
    onnx = export(weights, IMGSZ)

    photo = sorted(SAMPLES_DIR.rglob("window_counter/*.jpg"))[0]
    image = cv2.resize(cv2.imread(str(photo)), (IMGSZ, IMGSZ))[..., ::-1]
    x = np.ascontiguousarray(image.transpose(2, 0, 1)[None], dtype=np.float32) / 255.0
    with torch.no_grad():
        from_torch = YOLO(str(weights), task="detect").model.float().eval()(torch.from_numpy(x))[0].numpy()
    session = ort.InferenceSession(str(onnx), providers=["CPUExecutionProvider"])
    from_onnx = session.run(None, {session.get_inputs()[0].name: x})[0]
    assert from_onnx.shape == from_torch.shape == (1, 4 + len(CLASSES), from_torch.shape[2])
    assert np.allclose(from_onnx, from_torch, atol=1e-3, rtol=1e-3)
    scores = np.sort(from_torch[0, 4:], axis=0)
    decided = scores[-1] - scores[-2] > 1e-3
    assert decided.mean() > 0.9
    assert (from_onnx[0, 4:].argmax(0) == from_torch[0, 4:].argmax(0))[decided].all(), "the same class per box"
    assert YOLO(str(onnx), task="detect").names == YOLO(str(weights), task="detect").names


@pytest.mark.slow
@trains
def test_a_plugged_in_model_with_a_class_map_feeds_the_checks(trained, manual: Manual, tmp_path: Path) -> None:
    from auditor.collect import PhotoInput
    from auditor.detectors.yolo import YoloDetector
    from auditor.pipeline import Auditor, Detectors
    from auditor.types import Area, Verdict

    config = tmp_path / "detector.yaml"
    config.write_text(yaml.safe_dump({"weights": str(trained.onnx), "imgsz": IMGSZ, "confidence": 0.0001,
                                      "class_map": {"cup": "cup", "desk": "desk", "person": "person"}}))
    detector = YoloDetector.from_config(config)
    assert detector is not None and detector.weights == trained.onnx, "the ONNX file is used first"
    auditor = Auditor(manual, Detectors(objects=detector, texts=None, lines=None))
    photo = sorted(SAMPLES_DIR.rglob("back_office/*.jpg"))[0]
    _, result = auditor.audit([PhotoInput(name=photo.name, area=Area.BACK_OFFICE, source=photo)], "test", "r")
    findings = {f.rule_id: f for f in result.findings if f.photo == photo.name}
    # Cups are mapped: the one-cup rule is judged on what the model finds (or waits for a desk it finds),
    # never "cannot detect cups"; notes and stickers are not mapped, so that rule cannot be assessed.
    assert findings["ITM-05"].detail_key != "detail.not_detectable"
    assert findings["SIG-10"].verdict is Verdict.NOT_ASSESSABLE
    assert findings["SIG-10"].detail_key == "detail.not_detectable"


def test_a_model_that_would_need_a_download_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # no yolo11n.pt lying in the working directory
    assert starting_model("yolo11n.yaml") == "yolo11n.yaml"
    with pytest.raises(TrainingError, match="cannot download"):
        starting_model("yolo11n.pt")


def test_a_missing_or_broken_dataset_is_named(tmp_path: Path) -> None:
    with pytest.raises(TrainingError, match="no such dataset"):
        check_dataset(tmp_path / "missing.yaml")
    broken = tmp_path / "data.yaml"
    broken.write_text("train: images/train\nval: images/val\nnames: {0: person}\n")
    with pytest.raises(TrainingError, match="not a usable YOLO dataset"):
        check_dataset(broken)
    result = CliRunner().invoke(app, ["train", "--data", str(tmp_path / "missing.yaml"), "--epochs", "1"])
    assert result.exit_code != 0 and "no such dataset" in result.output


def test_a_run_cut_off_mid_way_is_found_for_resuming_and_a_finished_one_is_not(tmp_path: Path) -> None:
    import torch

    from auditor.train import unfinished_run

    assert unfinished_run(tmp_path) is None, "no run yet"
    weights = tmp_path / "weights"
    weights.mkdir()
    # Ultralytics keeps the optimiser's state in last.pt after each epoch and strips it when the run ends.
    torch.save({"epoch": 3, "optimizer": {"state": {}}}, weights / "last.pt")
    assert unfinished_run(tmp_path) == weights / "last.pt"
    torch.save({"epoch": -1, "optimizer": None}, weights / "last.pt")
    assert unfinished_run(tmp_path) is None
