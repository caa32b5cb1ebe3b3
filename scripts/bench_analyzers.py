"""Time each analyzer per photo on the CPU: sign text (OCR), floor lines, dress colour, and the object detector
when one is configured. Models are loaded (and warmed on one photo) before timing, as in a running audit.

    .venv/bin/python scripts/bench_analyzers.py [PHOTO_OR_FOLDER ...] [--repeat 3]

Default photos: the bundled samples. Figures go into docs/analyzers.md.
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
from auditor.detectors.colour import upper_body_colour  # noqa: E402
from auditor.pipeline import default_detectors  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[ROOT / "samples"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    inputs, _ = collect_photos(args.paths, require_area=False)
    photos = [item.read() for item in inputs]
    if not photos:
        sys.exit("no photo to time")
    detectors = default_detectors()
    analyzers = {"texts (OCR)": lambda image: detectors.texts.read(image),
                 "floor_lines": lambda image: detectors.lines.find(image),
                 # One person box over the middle of the photo: the colour analyzer's cost per person.
                 "dress colour (per person)": lambda image: upper_body_colour(
                     image, (image.shape[1] * 0.4, image.shape[0] * 0.2, image.shape[1] * 0.6, image.shape[0] * 0.8))}
    if detectors.objects is not None:
        analyzers["objects (detector)"] = lambda image: detectors.objects.detect(image)
    for run in analyzers.values():
        run(photos[0].image)  # load models and warm up
    print(f"{len(photos)} photos, median of {args.repeat} runs each")
    for name, run in analyzers.items():
        per_photo = [median_seconds(lambda p=p, run=run: run(p.image), args.repeat) for p in photos]
        print(f"{name:28s} mean {statistics.mean(per_photo) * 1000:7.1f} ms   max {max(per_photo) * 1000:7.1f} ms")
    if detectors.objects is None:
        print("objects (detector): no weights configured (models/detector.yaml), not timed")


if __name__ == "__main__":
    main()
