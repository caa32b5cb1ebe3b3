"""Time the object detector alone and the full audit of the same photos, on this machine's CPU.

    python scripts/bench_detector.py [--detector models/detector.yaml] [--photos 8] [--repeat 3]

For each weights file the config can use (.onnx and .pt) it reports the bare detector's prediction time
per photo, and the time of a full audit of one photo (every analyzer its area's rules need: detector, OCR,
floor lines, checks, scoring), then their ratio. Models load before timing starts, as in a running app.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from timing import median_seconds  # noqa: E402

from auditor.collect import collect_photos  # noqa: E402
from auditor.detectors.lines import FloorLineFinder  # noqa: E402
from auditor.detectors.ocr import RapidOcrReader  # noqa: E402
from auditor.detectors.yolo import YoloDetector, candidate_weights, read_config  # noqa: E402
from auditor.manual import load_manual  # noqa: E402
from auditor.pipeline import Auditor, Detectors  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detector", type=Path, default=ROOT / "models" / "detector.yaml")
    parser.add_argument("--samples", type=Path, default=ROOT / "samples")
    parser.add_argument("--photos", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    config, base = read_config(args.detector)
    candidates = candidate_weights(config, base)
    weights = [path for path in candidates if path.is_file()]
    if not weights:
        raise SystemExit(f"none of the weights named in {args.detector} is there: {', '.join(map(str, candidates))}")
    inputs, _ = collect_photos([args.samples])
    inputs = inputs[:args.photos]
    photos = [(item, item.read()) for item in inputs]
    manual = load_manual()
    texts, lines = RapidOcrReader(), FloorLineFinder()
    print(f"{len(photos)} photos, median of {args.repeat} runs each, {args.detector}")
    for path in weights:
        detector = YoloDetector(path, config.class_map, imgsz=config.imgsz, confidence=config.confidence)
        auditor = Auditor(manual, Detectors(objects=detector, texts=texts, lines=lines))
        detector.detect(photos[0][1].image)          # warm up: first call builds the session
        auditor.audit([photos[0][0]], "bench", "bench")
        bare = [median_seconds(lambda p=photo, d=detector: d.detect(p.image), args.repeat) for _, photo in photos]
        full = [median_seconds(lambda i=item, a=auditor: a.audit([i], "bench", "bench"), args.repeat)
                for item, _ in photos]
        b, f = statistics.mean(bare), statistics.mean(full)
        print(f"{path.name}: detector {b * 1000:.0f} ms/photo, full audit {f * 1000:.0f} ms/photo, "
              f"ratio {f / b:.2f}")


if __name__ == "__main__":
    main()
