"""Rule-verdict accuracy with a perfect object detector: the truth's own boxes given as detections, OCR and the
floor-line analyzer as they are. It is the ceiling no object detector can lift, and the rules it misses are
the other analyzers' work (README, "With perfect objects").

    .venv/bin/python scripts/eval_perfect_objects.py [FOLDER]      # default: samples/
"""

from __future__ import annotations

import hashlib
import sys
from collections import Counter
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import auditor.evaluate as evaluate  # noqa: E402
from auditor.detectors.base import detections  # noqa: E402
from auditor.detectors.lines import FloorLineFinder  # noqa: E402
from auditor.detectors.ocr import RapidOcrReader  # noqa: E402
from auditor.manual import load_manual  # noqa: E402
from auditor.pipeline import Auditor, Detectors  # noqa: E402
from auditor.synth.areas import CLASSES  # noqa: E402


class TruthObjects:
    """An ObjectDetector that reports the truth's boxes of whichever photo it is shown (by pixel hash)."""

    name = "truth"
    detectable = frozenset(CLASSES)

    def __init__(self, folder: Path, truth) -> None:
        self.by_pixels = {}
        for photo in truth.photos:
            image = cv2.imread(str(folder / photo.file))
            self.by_pixels[hashlib.sha256(image.tobytes()).hexdigest()] = [
                (o["name"], o["box"]) for o in photo.facts["objects"]]

    def detect(self, image):
        found = self.by_pixels[hashlib.sha256(image.tobytes()).hexdigest()]
        return detections([b for _, b in found], [n for n, _ in found], [0.99] * len(found))


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "samples"
    truth = evaluate.load_truth(folder)
    wrong: Counter = Counter()
    compare = evaluate.match_verdicts

    def counting(*args, **kwargs):  # the misses by rule, as the report only gives totals
        matching = compare(*args, **kwargs)
        wrong.update((p.rule_id, p.expected.value, p.predicted.value) for p in matching.pairs if not p.correct)
        return matching

    evaluate.match_verdicts = counting
    auditor = Auditor(load_manual(), Detectors(objects=TruthObjects(folder, truth), texts=RapidOcrReader(),
                                               lines=FloorLineFinder()))
    report = evaluate.evaluate_folder(folder, truth, auditor)
    print(f"verdicts right: {report.metrics.verdict_accuracy:.3f}  per category: "
          + ", ".join(f"{k} {v:.2f}" for k, v in report.metrics.per_category.items() if v is not None))
    for (rule, expected, predicted), count in wrong.most_common():
        print(f"  {count:3d}  {rule}: truth {expected}, audit {predicted}")


if __name__ == "__main__":
    main()
