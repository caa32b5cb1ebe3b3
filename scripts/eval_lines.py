"""Measure the floor-line analyzer on real photos (../shared/realdev) and on synthetic halls with truth.

Figures (written into docs/analyzers.md):
- photos with floor lines whose line colours are named correctly: the set of colours reported equals the
  labelled set (strict), and the labelled colours are all among those reported (lenient);
- photos without floor lines on which no line is reported;
- synthetic only: the one-metre line's distance from the counter in metres against the truth, as the audit
  measures it (``auditor.facts``) with the counter box from the truth labels (the shipped pipeline takes it
  from the object detector), and how often the distance could be measured at all.

    .venv/bin/python scripts/eval_lines.py [--realdev ../shared/realdev] [--synth samples] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditor.detectors.base import detections  # noqa: E402
from auditor.detectors.lines import FloorLineFinder  # noqa: E402
from auditor.facts import build_facts  # noqa: E402
from auditor.synth.truth import TRUTH_FILE, Truth  # noqa: E402


def _reported(found) -> set[str]:
    return {c for colours in found.data.get("colours", []) for c in colours}


def score_colours(rows: list[dict]) -> dict:
    with_lines = [r for r in rows if r["truth"]]
    without = [r for r in rows if not r["truth"]]
    return {
        "photos_with_lines": len(with_lines),
        "colours_exact": sum(set(r["truth"]) == set(r["found"]) for r in with_lines),
        "colours_all_found": sum(set(r["truth"]) <= set(r["found"]) for r in with_lines),
        "photos_without_lines": len(without),
        "no_line_reported": sum(not r["found"] for r in without),
    }


def realdev_rows(folder: Path, finder: FloorLineFinder) -> list[dict]:
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    rows = []
    for entry in labels:
        image = cv2.imread(str(folder / entry["file"]))
        start = time.perf_counter()
        found = finder.find(image)
        rows.append({"photo": entry["file"], "truth": sorted(set(entry["labels"]["floor_lines"])),
                     "found": sorted(_reported(found)), "styles": list(found.data.get("style", [])),
                     "seconds": time.perf_counter() - start})
    return rows


def synth_rows(folder: Path, finder: FloorLineFinder) -> tuple[list[dict], list[dict]]:
    truth = Truth.model_validate_json((folder / TRUTH_FILE).read_text(encoding="utf-8"))
    rows, distances = [], []
    for photo in truth.photos:
        image = cv2.imread(str(folder / photo.file))
        start = time.perf_counter()
        found = finder.find(image)
        seconds = time.perf_counter() - start
        true_lines = photo.facts.get("floor_lines", [])
        # As the audit sees them: with the counters and desks a detector would find (here the truth's), whose
        # fronts are no floor.
        objects = [o for o in photo.facts.get("objects", []) if o["name"] in ("counter", "desk")]
        known = detections([o["box"] for o in objects], [o["name"] for o in objects], [1.0] * len(objects))
        facts = build_facts(photo.file, photo.area, image, known, frozenset({"counter", "desk"}), None, found)
        rows.append({"photo": photo.file, "truth": sorted({c for line in true_lines for c in line["colours"]}),
                     "found": sorted({c for line in facts.floor_lines for c in line.colours}),
                     "finder_alone": sorted(_reported(found)), "seconds": seconds})
        for line in true_lines:
            if line.get("distance_m") is None:
                continue
            # The line the audit found nearest the true one, and the distance the audit gave it.
            true_y = (line["points"][0][1] + line["points"][1][1]) / 2
            nearest = min(facts.floor_lines, default=None,
                          key=lambda f: abs((f.points[0][1] + f.points[1][1]) / 2 - true_y))
            if nearest is not None and abs((nearest.points[0][1] + nearest.points[1][1]) / 2 - true_y) > 20:
                nearest = None
            distances.append({"photo": photo.file, "true_m": line["distance_m"],
                              "measured_m": None if nearest is None else nearest.distance_m})
    return rows, distances


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realdev", type=Path, default=ROOT.parent / "shared" / "realdev")
    parser.add_argument("--synth", type=Path, action="append", help="a folder made by `auditor synth` "
                                                                    "(default: samples/)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    finder = FloorLineFinder()
    report: dict = {}
    if (args.realdev / "labels.json").exists():
        rows = realdev_rows(args.realdev, finder)
        for r in rows:
            mark = "ok" if set(r["truth"]) == set(r["found"]) else "XX"
            print(f"{mark} {r['photo']:36s} truth={r['truth']} found={r['found']} {r['styles']} "
                  f"{r['seconds']:.2f}s")
        report["realdev"] = {**score_colours(rows), "rows": rows}
        print("realdev", {k: v for k, v in report["realdev"].items() if k != "rows"})
    else:
        print(f"{args.realdev}: no labels.json; real photos skipped")
    for folder in args.synth or [ROOT / "samples"]:
        rows, distances = synth_rows(folder, finder)
        for r in rows:
            if set(r["truth"]) != set(r["found"]):
                print(f"XX {r['photo']:40s} truth={r['truth']} found={r['found']}")
        measured = [d for d in distances if d["measured_m"] is not None]
        errors = sorted(abs(d["measured_m"] - d["true_m"]) for d in measured)
        for d in distances:
            print(f"   distance {d['photo']:40s} true {d['true_m']:.2f} m, measured {d['measured_m']}")
        alone = score_colours([{**r, "found": r["finder_alone"]} for r in rows])
        summary = {**score_colours(rows), "finder_alone": alone, "one_metre_lines": len(distances),
                   "distance_measured": len(measured),
                   "distance_within_0.15m": sum(e <= 0.15 for e in errors),
                   "distance_median_error_m": round(errors[len(errors) // 2], 3) if errors else None,
                   "seconds_per_photo": round(sum(r["seconds"] for r in rows) / max(len(rows), 1), 3)}
        report[str(folder)] = {**summary, "rows": rows, "distances": distances}
        print(folder, summary)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
