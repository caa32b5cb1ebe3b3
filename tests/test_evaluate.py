"""`auditor eval`: the pipeline's verdicts compared with a synthetic data set's truth.

The data set is built by hand: three photos of two halls (one photo missing), and a truth.json whose
verdicts are what the fake detectors of conftest make the real engine say, with three of them flipped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import auditor.pipeline
from auditor.cli import app
from auditor.evaluate import (
    Pair,
    detector_map,
    match_verdicts,
    verdict_metrics,
)
from auditor.manual import Manual
from auditor.pipeline import Auditor, Detectors
from auditor.types import Verdict
from tests.conftest import jpeg_bytes

runner = CliRunner()
P, F, N = Verdict.PASS, Verdict.FAIL, Verdict.NOT_ASSESSABLE
CATEGORIES = ["signage", "floor_marking", "item_placement", "staff_dress", "facilities"]
HALL, OTHER_HALL = "纸坊街道", "金口街道"
WINDOW, WAITING, MISSING = "images/train/h00_p00.jpg", "images/val/h00_p01.jpg", "images/val/h01_p00.jpg"

# What the engine says on counter_auditor's facts (a counter with a cup, a window plate, an evaluation device
# and a window sign read; no line finder): see test_the_fixture_verdicts_are_what_the_truth_assumes.
WINDOW_VERDICTS = {"SIG-03": "pass", "SIG-04": "pass", "SIG-10": "pass", "FLR-01": "not_assessable",
                   "FLR-02": "not_assessable", "ITM-01": "fail", "ITM-02": "fail", "ITM-03": "pass",
                   "DRS-01": "not_assessable", "DRS-03": "not_assessable", "FAC-02": "pass"}
WAITING_VERDICTS = {"SIG-06": "fail", "SIG-10": "pass", "FLR-03": "not_assessable", "DRS-04": "not_assessable",
                    "FAC-04": "not_assessable"}
HALL_VERDICTS = {rule: "not_assessable" for rule in ("SIG-02", "SIG-09", "FAC-01", "FAC-03", "FAC-05", "FAC-06",
                                                     "FAC-07", "FAC-08", "FAC-09")}
# The truth differs in three places: 22 of the 25 pairs match.
FLIPS = {(WINDOW, "ITM-02"): "pass", (WAITING, "SIG-06"): "pass", (None, "FAC-05"): "fail"}


def _expected(photo: str | None, verdicts: dict[str, str]) -> dict[str, str]:
    return {rule: FLIPS.get((photo, rule), verdict) for rule, verdict in verdicts.items()}


def _photo(file: str, hall: str, area: str, expected: dict[str, str]) -> dict[str, Any]:
    return {"file": file, "split": file.split("/")[1], "hall": hall, "area": area, "width": 320, "height": 240,
            "facts": {"photo": file, "area": area, "width": 320, "height": 240}, "expected": expected}


def make_truth(manual: Manual) -> dict[str, Any]:
    return {
        "generator": {"version": "1", "seed": 7, "halls": 2, "photos": 3, "violation_rate": 0.3,
                      "manual_version": manual.version, "manual_sha256": manual.sha256,
                      "classes": ["person", "counter"], "a_key_from_the_future": True},
        "halls": {
            HALL: {"true_score": 80.0, "true_grade": "good", "failed_critical": [],
                   "expected": _expected(None, HALL_VERDICTS)},
            OTHER_HALL: {"true_score": None, "true_grade": "not_assessable", "failed_critical": [],
                         "expected": dict(HALL_VERDICTS)},
        },
        "photos": [_photo(WINDOW, HALL, "window_counter", _expected(WINDOW, WINDOW_VERDICTS)),
                   _photo(WAITING, HALL, "waiting_area", _expected(WAITING, WAITING_VERDICTS)),
                   _photo(MISSING, OTHER_HALL, "window_counter", dict(WINDOW_VERDICTS))],
    }


@pytest.fixture()
def dataset(tmp_path: Path, manual: Manual) -> Path:
    """DIR as the generator writes it, less the photo of the second hall."""
    root = tmp_path / "synth"
    for split in ("train", "val"):
        (root / "images" / split).mkdir(parents=True)
        (root / "labels" / split).mkdir(parents=True)
    for file, colour in ((WINDOW, (180, 180, 170)), (WAITING, (90, 120, 150))):
        (root / file).write_bytes(jpeg_bytes(colour=colour))
        label = root / file.replace("images/", "labels/").replace(".jpg", ".txt")
        label.write_text("1 0.5 0.7 0.9 0.4\n0 0.4 0.4 0.2 0.5\n")
    (root / "data.yaml").write_text(yaml.safe_dump({"path": str(root), "train": "images/train", "val": "images/val",
                                                    "names": {0: "person", 1: "counter"}}))
    write_truth(root, make_truth(manual))
    return root


def write_truth(root: Path, truth: dict[str, Any]) -> None:
    (root / "truth.json").write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")


@pytest.fixture()
def use_detectors(monkeypatch: pytest.MonkeyPatch):
    """Make `auditor eval` build its auditor on the given detectors instead of models/detector.yaml."""
    def use(detectors: Detectors) -> None:
        monkeypatch.setattr(auditor.pipeline, "default_detectors", lambda config=None: detectors)
    return use


def _eval(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["eval", *args])
    return result.exit_code, result.output


# -- the comparison, without images ------------------------------------------------------------------------

def test_three_of_four_pairs_right() -> None:
    pairs = [Pair("h", "a.jpg", "SIG-03", "signage", P, P),
             Pair("h", "a.jpg", "ITM-02", "item_placement", F, P),
             Pair("h", "a.jpg", "FLR-01", "floor_marking", N, N),
             Pair("h", None, "FAC-01", "facilities", F, F)]
    metrics = verdict_metrics(pairs, CATEGORIES)
    assert metrics.verdict_accuracy == 0.75 and metrics.pairs == 4 and metrics.correct == 3
    assert metrics.per_category == {"signage": 1.0, "floor_marking": 1.0, "item_placement": 0.0,
                                    "staff_dress": None, "facilities": 1.0}
    assert metrics.confusion == {"pass": {"pass": 1, "fail": 0, "not_assessable": 0},
                                 "fail": {"pass": 1, "fail": 1, "not_assessable": 0},
                                 "not_assessable": {"pass": 0, "fail": 0, "not_assessable": 1}}


def test_each_rule_counts_its_misses_and_how_they_went_wrong_most_wrong_first() -> None:
    pairs = [Pair("h", "a.jpg", "SIG-03", "signage", P, P),
             Pair("h", "a.jpg", "ITM-02", "item_placement", F, P),
             Pair("h", "b.jpg", "ITM-02", "item_placement", F, P),
             Pair("h", "c.jpg", "ITM-02", "item_placement", P, N),
             Pair("h", None, "FAC-01", "facilities", P, F)]
    per_rule = verdict_metrics(pairs, CATEGORIES).per_rule
    assert list(per_rule) == ["ITM-02", "FAC-01", "SIG-03"]
    assert per_rule["ITM-02"] == {"pairs": 3, "wrong": 3, "fail->pass": 2, "pass->not_assessable": 1}
    assert per_rule["SIG-03"] == {"pairs": 1, "wrong": 0}


def test_no_pairs_means_no_accuracy() -> None:
    metrics = verdict_metrics([], CATEGORIES)
    assert metrics.verdict_accuracy is None and set(metrics.per_category.values()) == {None}
    assert sum(n for row in metrics.confusion.values() for n in row.values()) == 0


def test_verdicts_on_one_side_only_are_kept_apart() -> None:
    expected = {("a.jpg", "SIG-03"): P, ("a.jpg", "XYZ-01"): F, (None, "FAC-01"): N}
    predicted = {("a.jpg", "SIG-03"): F, (None, "FAC-01"): N, ("a.jpg", "SIG-10"): P}
    matching = match_verdicts("h", expected, predicted, {"SIG-03": "signage", "FAC-01": "facilities"})
    assert [(p.rule_id, p.correct) for p in matching.pairs] == [("SIG-03", False), ("FAC-01", True)]
    assert matching.unjudged == (("a.jpg", "XYZ-01"),)
    assert matching.untruthed == (("a.jpg", "SIG-10"),)


# -- the command -------------------------------------------------------------------------------------------

def test_the_fixture_verdicts_are_what_the_truth_assumes(counter_auditor: Auditor, dataset: Path) -> None:
    from auditor.collect import PhotoInput
    from auditor.types import Area

    inputs = [PhotoInput(WINDOW, Area.WINDOW_COUNTER, dataset / WINDOW),
              PhotoInput(WAITING, Area.WAITING_AREA, dataset / WAITING)]
    _, result = counter_auditor.audit(inputs, hall=HALL, round_name="x")
    assert {f.rule_id: f.verdict.value for f in result.findings if f.photo == WINDOW} == WINDOW_VERDICTS
    assert {f.rule_id: f.verdict.value for f in result.findings if f.photo == WAITING} == WAITING_VERDICTS
    assert {f.rule_id: f.verdict.value for f in result.findings if f.photo is None} == HALL_VERDICTS


def test_eval_compares_every_verdict_and_writes_the_json(counter_auditor: Auditor, dataset: Path, tmp_path: Path,
                                                         use_detectors) -> None:
    use_detectors(counter_auditor.detectors)
    out = tmp_path / "eval.json"
    code, output = _eval(str(dataset), "--json", str(out))
    assert code == 0, output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["photos"] == 2 and data["pairs"] == 25
    assert data["verdict_accuracy"] == pytest.approx(22 / 25)
    assert data["per_category"] == pytest.approx({"signage": 6 / 7, "floor_marking": 1.0, "item_placement": 2 / 3,
                                                  "staff_dress": 1.0, "facilities": 8 / 9})
    assert data["per_category_pairs"] == {"signage": 7, "floor_marking": 3, "item_placement": 3, "staff_dress": 3,
                                          "facilities": 9}
    assert data["confusion"] == {"pass": {"pass": 6, "fail": 2, "not_assessable": 0},
                                 "fail": {"pass": 0, "fail": 1, "not_assessable": 1},
                                 "not_assessable": {"pass": 0, "fail": 0, "not_assessable": 15}}
    assert data["halls"][HALL]["score"] == 71.4 and data["halls"][HALL]["true_score"] == 80.0
    assert data["halls"][HALL]["pairs"] == 25
    assert data["halls"][OTHER_HALL] == {"score": None, "true_score": None, "grade": None,
                                         "true_grade": "not_assessable", "photos": 0, "pairs": 0, "accuracy": None}
    assert [e["photo"] for e in data["errors"]] == [MISSING]
    assert "no such file" in data["errors"][0]["reason"]
    # The detector is scored on the labels of the classes it finds: its counter box matches the label.
    assert data["ap50_per_class"] == {"counter": 1.0} and data["map50"] == 1.0
    assert not any("size" in note or "manual" in note for note in data["notes"])
    assert "判定准确率: 88.0%" in output and "纸坊街道" in output and MISSING in output


def test_without_an_object_detector_there_is_no_map(counter_auditor: Auditor, dataset: Path, tmp_path: Path,
                                                    use_detectors) -> None:
    use_detectors(Detectors(objects=None, texts=counter_auditor.detectors.texts, lines=None))
    out = tmp_path / "eval.json"
    code, output = _eval(str(dataset), "--json", str(out), "--lang", "en")
    assert code == 0, output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert "map50" not in data and "map50_95" not in data
    assert not any("mAP" in note for note in data["notes"])
    assert data["pairs"] == 25, "every rule still gets a verdict, if only not assessable"
    assert "verdict accuracy" in output and "true score" in output


def test_a_changed_manual_is_noted(counter_auditor: Auditor, dataset: Path, tmp_path: Path, manual: Manual,
                                   use_detectors) -> None:
    use_detectors(counter_auditor.detectors)
    truth = make_truth(manual)
    truth["generator"]["manual_sha256"] = "0" * 64
    write_truth(dataset, truth)
    out = tmp_path / "eval.json"
    assert _eval(str(dataset), "--json", str(out))[0] == 0
    notes = json.loads(out.read_text(encoding="utf-8"))["notes"]
    assert any("generated with manual" in note and "000000000000" in note for note in notes)


def test_a_photo_of_another_size_is_noted(counter_auditor: Auditor, dataset: Path, tmp_path: Path, manual: Manual,
                                          use_detectors) -> None:
    use_detectors(counter_auditor.detectors)
    truth = make_truth(manual)
    truth["photos"][1]["width"] = 640
    write_truth(dataset, truth)
    out = tmp_path / "eval.json"
    assert _eval(str(dataset), "--json", str(out))[0] == 0
    notes = json.loads(out.read_text(encoding="utf-8"))["notes"]
    assert [n for n in notes if "not the size" in n] == [f"1 photo(s) are not the size truth.json gives (upright "
                                                         f"width x height): {WAITING}"]


def test_nothing_to_evaluate_exits_1(counter_auditor: Auditor, dataset: Path, tmp_path: Path,
                                     use_detectors) -> None:
    use_detectors(counter_auditor.detectors)
    for file in (WINDOW, WAITING):
        (dataset / file).unlink()
    out = tmp_path / "eval.json"
    code, output = _eval(str(dataset), "--json", str(out))
    assert code == 1 and "no photo could be evaluated" in output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["photos"] == 0 and data["pairs"] == 0 and data["verdict_accuracy"] is None
    assert sorted(e["photo"] for e in data["errors"]) == sorted([WINDOW, WAITING, MISSING])


@pytest.mark.parametrize(("damage", "message"), [
    (lambda root: None, "no such folder"),
    (lambda root: (root / "truth.json").unlink(), "no truth.json here"),
    (lambda root: (root / "truth.json").write_text("{not json"), "does not match the truth schema"),
    (lambda root: _edit_truth(root, lambda t: t["halls"][HALL].pop("true_grade")),
     f"halls.{HALL}.true_grade: Field required"),
    (lambda root: _edit_truth(root, lambda t: t["photos"][0]["expected"].update({"SIG-03": "ok"})),
     "photos.0.expected.SIG-03"),
    (lambda root: _edit_truth(root, lambda t: t["photos"][1].update({"hall": "无名街道"})),
     "which 'halls' does not list"),
    (lambda root: _edit_truth(root, lambda t: t["photos"][1].update({"file": "../elsewhere.jpg"})),
     "must be a path relative to the folder"),
])
def test_bad_input_is_named(dataset: Path, damage, message: str, use_detectors) -> None:
    use_detectors(Detectors(objects=None, texts=None, lines=None))
    target = dataset.parent / "nowhere" if message == "no such folder" else dataset
    damage(dataset)
    code, output = _eval(str(target))
    assert code == 1
    assert message in output, output


def _edit_truth(root: Path, change) -> None:
    truth = json.loads((root / "truth.json").read_text(encoding="utf-8"))
    change(truth)
    write_truth(root, truth)


# -- detector mAP ------------------------------------------------------------------------------------------

class _BoxesDetector:
    """A detector that reports fixed boxes (fractions of the photo) on every photo, whatever it shows."""

    name = "fixed"

    def __init__(self, found: list[tuple[str, tuple[float, float, float, float], float]]):
        self.found = found
        self.confidence = 0.35
        self.confidences_seen: list[float] = []

    @property
    def detectable(self) -> frozenset[str]:
        return frozenset(name for name, _, _ in self.found) | {"cup"}

    def detect(self, image):
        from auditor.detectors.base import detections

        self.confidences_seen.append(self.confidence)
        h, w = image.shape[:2]
        boxes = [(x1 * w, y1 * h, x2 * w, y2 * h) for _, (x1, y1, x2, y2), _ in self.found]
        return detections(boxes, [n for n, _, _ in self.found], [c for _, _, c in self.found])


# The labels of the dataset fixture, as (x1, y1, x2, y2) fractions.
COUNTER_BOX, PERSON_BOX = (0.05, 0.5, 0.95, 0.9), (0.3, 0.15, 0.5, 0.65)


def test_a_detector_that_finds_exactly_the_labels_scores_one(dataset: Path) -> None:
    detector = _BoxesDetector([("counter", COUNTER_BOX, 0.9), ("person", PERSON_BOX, 0.8)])
    scores, note = detector_map(detector, dataset, ["person", "counter"])
    assert note is None and scores is not None
    assert scores.images == 2, "both splits of a held-out folder are scored"
    assert scores.map50 == pytest.approx(1.0) and scores.map50_95 == pytest.approx(1.0, abs=0.02)
    assert set(scores.ap50_per_class) == {"person", "counter"}
    assert detector.confidences_seen == [0.01, 0.01] and detector.confidence == 0.35, \
        "scored over the whole curve, the audit's confidence restored"


def test_a_missed_class_counts_zero_and_unknown_classes_are_not_scored(dataset: Path) -> None:
    finds_counters = _BoxesDetector([("counter", COUNTER_BOX, 0.9), ("person", (0.8, 0.0, 0.9, 0.1), 0.5)])
    scores, _ = detector_map(finds_counters, dataset, ["person", "counter"])
    assert scores is not None and scores.ap50_per_class == {"counter": 1.0, "person": 0.0}
    assert scores.map50 == pytest.approx(0.5)
    counters_only = _BoxesDetector([("counter", COUNTER_BOX, 0.9)])
    scores, _ = detector_map(counters_only, dataset, ["person", "counter"])
    assert scores is not None and set(scores.ap50_per_class) == {"counter"}, "person is not the detector's class"


def test_a_dataset_without_data_yaml_gets_a_note(dataset: Path) -> None:
    (dataset / "data.yaml").unlink()
    scores, note = detector_map(_BoxesDetector([("counter", COUNTER_BOX, 0.9)]), dataset, ["person", "counter"])
    assert scores is None and note is not None and "data.yaml" in note


def test_a_hall_with_a_missing_photo_leaves_its_hall_rules_out(counter_auditor: Auditor, dataset: Path,
                                                              tmp_path: Path, use_detectors) -> None:
    use_detectors(counter_auditor.detectors)
    (dataset / WINDOW).unlink()
    out = tmp_path / "eval.json"
    code, output = _eval(str(dataset), "--json", str(out))
    assert code == 0, output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["halls"][HALL]["photos"] == 1
    assert data["halls"][HALL]["pairs"] == len(WAITING_VERDICTS), "only the remaining photo's own rules"
    assert any(f"hall {HALL}: 1 photo(s) missing" in note for note in data["notes"])


def test_each_class_gets_the_threshold_where_its_f1_peaks() -> None:
    import numpy as np
    import supervision as sv

    from auditor.detection_metrics import f1_thresholds

    box = np.array([[0, 0, 10, 10]], np.float32)
    elsewhere = np.array([[50, 50, 60, 60]], np.float32)
    # Class 0: every true sign is found at 0.2-0.3, false ones only at 0.05: the peak lies between.
    # Class 1: true cups at 0.8, false cups at 0.5: the peak is above 0.5.
    predictions, targets = [], []
    for sign_conf, cup_conf in ((0.3, 0.8), (0.25, 0.85), (0.2, 0.9)):
        predictions.append(sv.Detections(xyxy=np.concatenate([box, elsewhere, box + 20, elsewhere + 20]),
                                         class_id=np.array([0, 0, 1, 1]),
                                         confidence=np.array([sign_conf, 0.05, cup_conf, 0.5])))
        targets.append(sv.Detections(xyxy=np.concatenate([box, box + 20]), class_id=np.array([0, 1])))
    chosen = f1_thresholds(predictions, targets, [0, 1, 2])
    assert 0.05 < chosen[0] <= 0.2, chosen
    assert 0.5 < chosen[1] <= 0.8, chosen
    assert 2 not in chosen, "a class without labels gets no threshold"
    never = [sv.Detections(xyxy=elsewhere, class_id=np.array([0]), confidence=np.array([0.9]))] * 3
    assert f1_thresholds(never, targets, [0]) == {}, "a class never found right keeps the default threshold"


def test_scoring_sets_per_class_thresholds_aside_and_restores_them(dataset: Path) -> None:
    detector = _BoxesDetector([("counter", COUNTER_BOX, 0.9), ("person", PERSON_BOX, 0.8)])
    detector.class_confidence = {"person": 0.9}
    seen = []
    detect = detector.detect
    detector.detect = lambda image: (seen.append(dict(detector.class_confidence)), detect(image))[1]
    scores, _ = detector_map(detector, dataset, ["person", "counter"])
    assert seen == [{}, {}] and detector.class_confidence == {"person": 0.9}
    assert scores is not None and scores.f1_confidence_per_class["person"] <= 0.8, \
        "the person found at 0.8 would be lost above 0.8"
