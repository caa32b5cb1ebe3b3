"""The glance statistics that compare generated photos with real ones (scripts/realism_stats.py)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from scripts import realism_stats


def test_glance_measures_follow_light_colour_and_detail() -> None:
    flat = realism_stats.measure(np.full((600, 800, 3), 128, np.uint8))
    assert flat["spread_L"] == pytest.approx(0, abs=0.01) and flat["detail"] == pytest.approx(0, abs=0.01)
    assert flat["local_contrast"] == pytest.approx(0, abs=0.01)
    assert flat["mean_L"] == pytest.approx(flat["median_L"], abs=0.5) == pytest.approx(54, abs=2)
    assert flat["chroma"] < 1 and flat["dark_L"] == pytest.approx(flat["light_L"], abs=0.5)
    half = np.full((600, 800, 3), 230, np.uint8)
    half[:, :400] = 10
    split = realism_stats.measure(half)
    assert split["dark_L"] < 5 and split["light_L"] > 85 and split["spread_L"] > 40
    assert split["local_contrast"] > flat["local_contrast"] + 0.5, "the edge between the halves"
    noisy = np.clip(128 + np.random.default_rng(0).normal(0, 20, (600, 800, 3)), 0, 255).astype(np.uint8)
    assert realism_stats.measure(noisy)["detail"] > flat["detail"] + 1
    blue = realism_stats.measure(np.full((300, 400, 3), (200, 60, 20), np.uint8))
    assert blue["chroma"] > 40


def test_a_glance_is_cropped_to_the_sheet_s_shape_not_squashed() -> None:
    wide = np.zeros((300, 1200, 3), np.uint8)
    wide[:, 400:800] = 255  # the middle third is white: a 4:3 crop of the middle keeps it all
    tile = realism_stats.glance(wide)
    assert tile.shape[:2] == (realism_stats.GLANCE[1], realism_stats.GLANCE[0])
    assert tile[:, 10:390].mean() > 200, "the sides are cut away, not squeezed in"


def test_a_folder_summary_reads_photos_deeply_and_refuses_an_empty_one(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    cv2.imwrite(str(tmp_path / "a" / "one.jpg"), np.full((300, 400, 3), 50, np.uint8))
    cv2.imwrite(str(tmp_path / "a" / "b" / "two.png"), np.full((300, 400, 3), 200, np.uint8))
    (tmp_path / "a" / "notes.txt").write_text("not a photo")
    summary = realism_stats.summary(tmp_path)
    assert summary["photos"]["count"] == 2
    assert 20 < summary["mean_L"]["mean"] < 80 and summary["mean_L"]["std"] > 10
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("no photo here")
    with pytest.raises(SystemExit, match="no photos"):
        realism_stats.summary(tmp_path / "empty")
