"""Measure the floor-line analyzer on real photos (../shared/realdev) and on synthetic halls with truth.

Figures (written into docs/analyzers.md):
- photos with floor lines whose line colours are named correctly: the set of colours reported equals the
  labelled set (strict), and the labelled colours are all among those reported (lenient);
- photos without floor lines on which no line is reported;
- synthetic only: the one-metre line's distance from the counter in metres against the truth, as the audit
  measures it (``auditor.facts``) with the counter box from the truth labels (the shipped pipeline takes it
  from the object detector), and how often the distance could be measured at all.

"found" is what the audit reports: the finder's lines less those the photo's objects explain (a counter's
front, a person's clothes, a machine's side, a sign's frame; ``auditor.facts``). The objects are the truth's
on synthetic photos and none on real ones, or with ``--detector`` those the audit's own detectors find
(models/detectors.yaml) on both. "finder_alone" is the line finder without any objects.

    .venv/bin/python scripts/eval_lines.py [--realdev ../shared/realdev] [--synth samples] [--detector]
        [--stress ROUNDS] [--json OUT]

``--stress`` adds the floor stress set (``auditor.synth.floor_stress``), drawn on purpose: every kind of tape
(solid, dashed, yellow/black and red/white stripes) and photos without tape that carry what is no floor
line (a red mat, an LED strip at a counter's foot, coloured tiles, a red-framed board), each shallow and
steep; the figures per kind show which the analyzer misses.
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
from auditor.detectors.fusion import DEFAULT_CONFIG, load_object_detector  # noqa: E402
from auditor.detectors.lines import FloorLineFinder  # noqa: E402
from auditor.facts import build_facts  # noqa: E402
from auditor.synth.truth import TRUTH_FILE, Truth  # noqa: E402


def _reported(found) -> set[str]:
    return {c for colours in found.data.get("colours", []) for c in colours}


def _right(row: dict) -> bool:
    """The photo's colours as reported equal the labelled set (for a photo without lines: none reported)."""
    return set(row["truth"]) == set(row["found"])


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


def audited_colours(name: str, image, found, objects, detectable: frozenset[str]) -> tuple[list[str], object]:
    """The colours the audit reports from the finder's lines with these objects in the photo, and the facts."""
    facts = build_facts(name, None, image, objects, detectable, None, found)
    return sorted({c for line in facts.floor_lines for c in line.colours}), facts


def realdev_rows(folder: Path, finder: FloorLineFinder, detector=None) -> list[dict]:
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    rows = []
    for entry in labels:
        image = cv2.imread(str(folder / entry["file"]))
        start = time.perf_counter()
        found = finder.find(image)
        seconds = time.perf_counter() - start
        objects = detector.detect(image) if detector is not None else detections([], [], [])
        detectable = detector.detectable if detector is not None else frozenset()
        colours, _ = audited_colours(entry["file"], image, found, objects, detectable)
        rows.append({"photo": entry["file"], "truth": sorted(set(entry["labels"]["floor_lines"])),
                     "found": colours, "finder_alone": sorted(_reported(found)),
                     "styles": list(found.data.get("style", [])), "seconds": seconds})
    return rows


def synth_rows(folder: Path, finder: FloorLineFinder, detector=None) -> tuple[list[dict], list[dict]]:
    truth = Truth.model_validate_json((folder / TRUTH_FILE).read_text(encoding="utf-8"))
    rows, distances = [], []
    for photo in truth.photos:
        image = cv2.imread(str(folder / photo.file))
        start = time.perf_counter()
        found = finder.find(image)
        seconds = time.perf_counter() - start
        true_lines = photo.facts.get("floor_lines", [])
        # As the audit sees them: with the objects a detector would find (the truth's, or the detector's).
        if detector is not None:
            known, detectable = detector.detect(image), detector.detectable
        else:
            objects = photo.facts.get("objects", [])
            known = detections([o["box"] for o in objects], [o["name"] for o in objects], [1.0] * len(objects))
            detectable = frozenset(truth.generator.classes)
        colours, facts = audited_colours(photo.file, image, found, known, detectable)
        rows.append({"photo": photo.file, "truth": sorted({c for line in true_lines for c in line["colours"]}),
                     "found": colours, "finder_alone": sorted(_reported(found)), "seconds": seconds})
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


def stress_rows(rounds: int, finder: FloorLineFinder, detector=None, seed: int = 7000) -> list[dict]:
    """The floor stress set (``auditor.synth.floor_stress``): every kind of tape and every distractor, shallow
    and steep, ``rounds`` times with other seeds; rows as ``synth_rows`` gives them, with each photo's kind."""
    from auditor.synth.areas import CLASSES
    from auditor.synth.floor_stress import render_case, stress_cases

    rows = []
    for r in range(rounds):
        for i, case in enumerate(stress_cases()):
            image, true_lines, boxes = render_case(case, seed + 100 * r + i)
            start = time.perf_counter()
            found = finder.find(image)
            seconds = time.perf_counter() - start
            if detector is not None:
                known, detectable = detector.detect(image), detector.detectable
            else:
                known = detections([b for _, b in boxes], [n for n, _ in boxes], [1.0] * len(boxes))
                detectable = frozenset(CLASSES)
            colours, facts = audited_colours(case.kind, image, found, known, detectable)
            rows.append({"photo": f"{r}-{i:02d} {case.kind}{' steep' if case.steep else ''}", "kind": case.kind,
                         "steep": case.steep, "truth": sorted({c for line in true_lines for c in line.colours}),
                         "found": colours, "finder_alone": sorted(_reported(found)),
                         "styles": [line.style for line in facts.floor_lines], "seconds": seconds})
    return rows


def by_kind(rows: list[dict]) -> dict[str, str]:
    """Per kind of photo: how many were right (colours exactly as true; for a distractor, no line)."""
    out: dict[str, list[int]] = {}
    for r in rows:
        tally = out.setdefault(r["kind"], [0, 0])
        tally[0] += _right(r)
        tally[1] += 1
    return {kind: f"{right}/{total}" for kind, (right, total) in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realdev", type=Path, default=ROOT.parent / "shared" / "realdev")
    parser.add_argument("--synth", type=Path, action="append", help="a folder made by `auditor synth` "
                                                                    "(default: samples/)")
    parser.add_argument("--detector", action="store_true",
                        help="objects from the audit's detectors (models/detectors.yaml) instead of the truth's")
    parser.add_argument("--stress", type=int, default=0, metavar="ROUNDS",
                        help="also the floor stress set drawn on purpose (24 photos a round: every kind of tape "
                             "and distractor, shallow and steep)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    finder = FloorLineFinder()
    detector = load_object_detector(DEFAULT_CONFIG)[0] if args.detector else None
    report: dict = {}
    if (args.realdev / "labels.json").exists():
        rows = realdev_rows(args.realdev, finder, detector)
        for r in rows:
            mark = "ok" if set(r["truth"]) == set(r["found"]) else "XX"
            print(f"{mark} {r['photo']:36s} truth={r['truth']} found={r['found']} {r['styles']} "
                  f"{r['seconds']:.2f}s")
        alone = score_colours([{**r, "found": r["finder_alone"]} for r in rows])
        report["realdev"] = {**score_colours(rows), "finder_alone": alone, "rows": rows}
        print("realdev", {k: v for k, v in report["realdev"].items() if k != "rows"})
    else:
        print(f"{args.realdev}: no labels.json; real photos skipped")
    for folder in args.synth or [ROOT / "samples"]:
        rows, distances = synth_rows(folder, finder, detector)
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
    if args.stress:
        rows = stress_rows(args.stress, finder, detector)
        for r in rows:
            print(f"{'ok' if _right(r) else 'XX'} {r['photo']:36s} truth={r['truth']} found={r['found']} {r['styles']}")
        alone = score_colours([{**r, "found": r["finder_alone"]} for r in rows])
        summary = {**score_colours(rows), "finder_alone": alone, "by_kind": by_kind(rows),
                   "steep": by_kind([{**r, "kind": "steep"} for r in rows if r["steep"]])["steep"],
                   "shallow": by_kind([{**r, "kind": "shallow"} for r in rows if not r["steep"]])["shallow"],
                   "seconds_per_photo": round(sum(r["seconds"] for r in rows) / max(len(rows), 1), 3)}
        report["stress"] = {**summary, "rows": rows}
        print("stress", summary)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
