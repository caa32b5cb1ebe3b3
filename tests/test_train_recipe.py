"""The CPU training recipe's own decisions (scripts/train_detector.py): which weights ship, and which photos
it trains and validates on."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import yaml

_SPEC = importlib.util.spec_from_file_location(
    "train_detector", Path(__file__).resolve().parent.parent / "scripts" / "train_detector.py")
assert _SPEC is not None and _SPEC.loader is not None
recipe = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(recipe)


def _hall(grade: str, true_grade: str, score: float | None = 80.0, true_score: float = 82.0) -> dict:
    return {"grade": grade, "true_grade": true_grade, "score": score, "true_score": true_score}


def test_hall_grades_count_unscored_halls_as_wrong() -> None:
    figures = recipe.hall_grades({"a": _hall("pass", "pass"), "b": _hall("fail", "pass", 70.0, 76.0),
                                  "c": {"grade": None, "true_grade": "fail", "score": None, "true_score": 40.0}})
    assert figures["grades_right"] == pytest.approx(1 / 3, abs=1e-4)
    assert figures["score_mae"] == pytest.approx(4.0)
    assert recipe.hall_grades({}) == {"grades_right": None, "score_mae": None}


@pytest.fixture()
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "hall-detector.metrics.json"
    monkeypatch.setattr(recipe, "SHIPPED_METRICS", path)

    def write(**heldout: float) -> None:
        path.write_text(json.dumps({"heldout": heldout}), encoding="utf-8")
    return write


def test_weights_ship_only_when_no_held_out_figure_falls(shipped) -> None:
    assert recipe.better_than_shipped({"verdict_accuracy": 0.5, "map50": 0.1}), "nothing shipped yet"
    shipped(verdict_accuracy=0.90, map50=0.70)
    assert recipe.better_than_shipped({"verdict_accuracy": 0.91, "map50": 0.70})
    assert not recipe.better_than_shipped({"verdict_accuracy": 0.90, "map50": 0.70}), "nothing better"
    assert not recipe.better_than_shipped({"verdict_accuracy": 0.95, "map50": 0.69}), "mAP fell"


def test_fewer_halls_graded_right_keeps_the_shipped_weights(shipped) -> None:
    shipped(verdict_accuracy=0.90, map50=0.70, grades_right=0.65)
    assert not recipe.better_than_shipped({"verdict_accuracy": 0.92, "map50": 0.72, "grades_right": 0.60})
    assert recipe.better_than_shipped({"verdict_accuracy": 0.92, "map50": 0.72, "grades_right": 0.65})


def _empty_set(folder: Path) -> Path:
    for split in ("train", "val"):
        (folder / "images" / split).mkdir(parents=True)
    (folder / "data.yaml").write_text(yaml.safe_dump({"train": "images/train", "val": "images/val",
                                                      "names": {0: "person"}}), encoding="utf-8")
    return folder


def test_the_balance_set_joins_training_only(tmp_path: Path) -> None:
    main, extra = _empty_set(tmp_path / "main"), _empty_set(tmp_path / "balance")
    data = yaml.safe_load(recipe.with_crop_views(main, 2, extra).read_text(encoding="utf-8"))
    assert str((extra / "images" / "train").resolve()) in data["train"]
    assert str((extra / "images" / "val").resolve()) in data["train"], "both its splits train"
    assert all(str(extra.resolve()) not in entry for entry in data["val"]), "validation stays the main set's"
    assert "images/val" in data["val"]
