"""Seconds per photo of each stage of the audit and of the whole, on this machine's CPU.

    .venv/bin/python scripts/bench_audit.py [PHOTO_OR_FOLDER ...] [--detector models/detectors.yaml] [--repeat 3]
                                            [--json OUT]

Stages: each object detector's whole-photo pass, the crop pass (second look at chests and counter tops),
OCR, floor lines, facts (roles, dress colours, badges, distances) and checks; then all-in: one photo audited
as `auditor audit` audits it (the analyzers its area's rules need, then the checks). Each figure is the
median over the photos of the median of ``--repeat`` runs per photo. Models are loaded and warmed on one
photo first, as in a running app. Default photos: the bundled samples. Figures go into the README.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from timing import median_seconds  # noqa: E402

from auditor.collect import collect_photos  # noqa: E402
from auditor.detectors.base import merge_per_class  # noqa: E402
from auditor.detectors.fusion import DEFAULT_CONFIG, FusedDetector, fuse  # noqa: E402
from auditor.engine import analyzers_for, evaluate  # noqa: E402
from auditor.facts import build_facts  # noqa: E402
from auditor.manual import load_manual  # noqa: E402
from auditor.pipeline import Auditor, default_detectors  # noqa: E402


def time_photo(item, photo, auditor: Auditor, members: list, repeat: int, stages: dict[str, list[float]]) -> None:
    """Time each stage on one photo, adding the median of ``repeat`` runs to ``stages``."""
    manual, detectors, image = auditor.manual, auditor.detectors, photo.image
    objects = detectors.objects

    def timed(name: str, run) -> object:
        result = run()  # also the warm-up of this photo
        stages.setdefault(name, []).append(median_seconds(run, repeat))
        return result

    first = {name: timed(f"detector {name}: whole photo", lambda d=detector: getattr(d, "first_pass", d.detect)(image))
             for name, detector in members}
    fused = fuse(first, {n: d.detectable for n, d in members}, getattr(objects, "prefer", {})) if members else None
    for name, detector in members:
        if getattr(detector, "crop_imgsz", None):
            extra = timed(f"detector {name}: crop pass", lambda d=detector, f=fused: d.look_closer(image, f))
            fused = merge_per_class(fused, extra)
    texts = timed("OCR", lambda: detectors.texts.read(image)) if detectors.texts else None
    lines = timed("floor lines", lambda: detectors.lines.find(image)) if detectors.lines else None
    detectable = objects.detectable if objects is not None else frozenset()
    facts = timed("facts", lambda: build_facts(item.name, item.area, image, fused, detectable, texts, lines))
    timed("checks", lambda: evaluate(manual, [facts]))
    needed = analyzers_for(manual, item.area) if item.area is not None else None
    timed("all-in (the area's analyzers + checks)", lambda: evaluate(manual, [auditor.facts(photo, item.area, needed)]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[ROOT / "samples"])
    parser.add_argument("--detector", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    inputs, _ = collect_photos(args.paths, require_area=False)
    photos = [(item, item.read()) for item in inputs]
    if not photos:
        sys.exit("no photo to time")
    manual = load_manual()
    detectors = default_detectors(args.detector.resolve())
    auditor = Auditor(manual, detectors)
    objects = detectors.objects
    members = objects.members if isinstance(objects, FusedDetector) else ([(objects.name, objects)] if objects else [])

    stages: dict[str, list[float]] = {}
    auditor.audit([photos[0][0]], "bench", "bench")  # load every model before timing
    for item, photo in photos:
        time_photo(item, photo, auditor, members, args.repeat, stages)

    print(f"{len(photos)} photos, median over photos of the median of {args.repeat} runs; detectors: "
          f"{', '.join(name for name, _ in members) or 'none'}")
    figures = {}
    for name, per_photo in stages.items():
        figures[name] = {"median_s": round(statistics.median(per_photo), 4), "max_s": round(max(per_photo), 4)}
        print(f"{name:44s} median {statistics.median(per_photo) * 1000:7.1f} ms   max {max(per_photo) * 1000:7.1f} ms")
    if args.json:
        args.json.write_text(json.dumps({"photos": len(photos), "repeat": args.repeat, "stages": figures}, indent=1),
                             encoding="utf-8")


if __name__ == "__main__":
    main()
