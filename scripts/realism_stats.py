"""Compare generated hall photos with real photos by the statistics a glance takes in: how light a photo is,
how far its lightness spreads, how dark its shadows and how light its highlights go, how colourful it is,
and how much fine detail and local contrast it holds.

    python scripts/realism_stats.py --real ../shared/realdev --synth samples [--json OUT]

Each photo is cropped and reduced as a tile of the blind judges' sheet is (``glance``, shared with
``realism_check.py``) before it is measured. Lightness is CIE L (0-100). The real photos are read where
they are and never copied into the project. The real set is not of service halls (streets, desks, a
factory), so the aim is not equal figures but no gap a glance sees: a hall photo is lighter than most, but
its shadows still go dark.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np

from auditor.errors import AuditorError
from auditor.photos import PHOTO_SUFFIXES, read_photo

# The size of a tile on the blind judges' sheet (realism_check.py), which makes its tiles with glance().
GLANCE = (400, 300)
MEASURES = {
    "mean_L": "mean lightness",
    "spread_L": "spread of lightness (std)",
    "dark_L": "darkest 2% at (L, 2nd percentile)",
    "median_L": "median lightness",
    "light_L": "lightest 2% at (L, 98th percentile)",
    "chroma": "mean chroma (Lab)",
    "detail": "fine detail (mean |Laplacian| of L)",
    "local_contrast": "local contrast (mean |L - L blurred 8 px|)",
}


def glance(image: np.ndarray) -> np.ndarray:
    """A photo as a glance takes it in: centre-cropped to 4:3 (so that a tile's shape gives nothing away)
    and reduced to GLANCE."""
    h, w = image.shape[:2]
    if w / h > 4 / 3:
        cut = int((w - h * 4 / 3) / 2)
        image = image[:, cut:w - cut]
    else:
        cut = int((h - w * 3 / 4) / 2)
        image = image[cut:h - cut]
    return cv2.resize(image, GLANCE, interpolation=cv2.INTER_AREA)


def measure(image: np.ndarray) -> dict[str, float]:
    lab = cv2.cvtColor(glance(image), cv2.COLOR_BGR2Lab).astype(np.float32)
    lightness = lab[..., 0] * 100 / 255  # OpenCV's 8-bit Lab: L scaled to 0-255, a and b offset by 128
    chroma = np.hypot(lab[..., 1] - 128, lab[..., 2] - 128)
    return {
        "mean_L": float(lightness.mean()),
        "spread_L": float(lightness.std()),
        "dark_L": float(np.percentile(lightness, 2)),
        "median_L": float(np.median(lightness)),
        "light_L": float(np.percentile(lightness, 98)),
        "chroma": float(chroma.mean()),
        "detail": float(np.abs(cv2.Laplacian(lightness, cv2.CV_32F)).mean()),
        "local_contrast": float(np.abs(lightness - cv2.GaussianBlur(lightness, (0, 0), 8)).mean()),
    }


def photos(folder: Path) -> list[Path]:
    """Every photo under ``folder`` (searched deeply), in path order."""
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in PHOTO_SUFFIXES and p.is_file())


def summary(folder: Path) -> dict[str, dict[str, float]]:
    """Mean and spread of each measure over the photos under ``folder``, and how many photos there were."""
    rows = []
    for path in photos(folder):
        try:
            rows.append(measure(read_photo(path).image))
        except AuditorError as error:
            raise SystemExit(f"cannot read {path}: {error}") from error
    if not rows:
        raise SystemExit(f"no photos under {folder}")
    result = {key: {"mean": float(np.mean([r[key] for r in rows])), "std": float(np.std([r[key] for r in rows]))}
              for key in MEASURES}
    return {**result, "photos": {"count": len(rows)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--real", type=Path, required=True, help="folder of real photos")
    parser.add_argument("--synth", type=Path, required=True, help="folder of generated photos (searched deeply)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    real, synth = summary(args.real), summary(args.synth)
    print(f"{'measure':44s} {'real':>14s} {'generated':>14s}")
    for key, name in MEASURES.items():
        print(f"{name:44s} {real[key]['mean']:7.1f} ±{real[key]['std']:5.1f} "
              f"{synth[key]['mean']:7.1f} ±{synth[key]['std']:5.1f}")
    print(f"({real['photos']['count']} real photos, {synth['photos']['count']} generated)")
    if args.json:
        args.json.write_text(json.dumps({"real": real, "generated": synth}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
