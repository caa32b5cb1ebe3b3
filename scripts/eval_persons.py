"""How well the COCO detector (auditor/detectors/coco_onnx.py) counts people, on real and generated photos;
with ``--fusion``, whose person boxes the audit should take when the hall detector finds people too.

Two sets: the labelled real photos of ../shared/realdev (their ``labels.json`` gives a person count per
photo: people at least partly visible and recognisable; heads at a photo's edge may be left uncounted,
as its notes say) and the sample halls (``samples/truth.json``: every person drawn, with its box).
For each setting (whole photo only or with 2x2 tiles; score threshold 0.3 or 0.4):

- people found: sum over photos of min(reported, labelled) / sum of labelled (counts, as the audit's
  person rules use them); also the labelled boxes matched one to one at IoU >= 0.5 (samples: truth.json;
  realdev: scripts/realdev_person_boxes.json);
- false-person photos: photos labelled without people where at least one is reported;
- over-counted photos: photos with people where more than max(1, 20 % of the label) extra are reported
  (and, stricter, photos with any extra person);
- time per photo: wall clock of ``detect`` (median and mean), and the process CPU time, which depends
  less on what else the machine runs.

The setting is then chosen by leave-one-out over all photos (the setting that is best on the other photos
by found - false - over-counted rates, scored on the photo left out), so that nothing is fitted to the
twelve real photos. Nothing from realdev is copied into the project: only figures are printed/written.

    .venv/bin/python scripts/eval_persons.py [--realdev ../shared/realdev] [--samples samples] [--json OUT]
    .venv/bin/python scripts/eval_persons.py --fusion models/detectors.yaml
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditor.detectors.coco_onnx import DEFAULT_CONFIG, NanoDetDetector  # noqa: E402

SETTINGS = [(0, 0.4), (0, 0.3), (2, 0.4), (2, 0.3)]  # (tiles, threshold)
# Person boxes of the realdev photos with people, drawn by hand for the dress analyzer (same people as the
# counts of labels.json): they give the one-to-one box match there too.
REALDEV_BOXES = ROOT / "scripts" / "realdev_person_boxes.json"


def load_photos(realdev: Path | None, samples: Path | None) -> list[dict]:
    """Every photo with its labelled person count (and boxes when known)."""
    photos = []
    if realdev and (realdev / "labels.json").is_file():
        boxes_of = json.loads(REALDEV_BOXES.read_text(encoding="utf-8")) if REALDEV_BOXES.is_file() else {}
        for entry in json.loads((realdev / "labels.json").read_text(encoding="utf-8")):
            count = int(entry["labels"]["persons"])
            boxes = [p["box"] for p in boxes_of.get(entry["file"], [])]
            photos.append({"set": "realdev", "photo": entry["file"], "path": realdev / entry["file"],
                           "persons": count, "boxes": boxes if len(boxes) == count else None})
    if samples and (samples / "truth.json").is_file():
        for entry in json.loads((samples / "truth.json").read_text(encoding="utf-8"))["photos"]:
            boxes = [p["box"] for p in entry["facts"]["persons"]]
            photos.append({"set": "samples", "photo": entry["file"], "path": samples / entry["file"],
                           "persons": len(boxes), "boxes": boxes})
    photos = [dict(p, boxes=p["boxes"] if p["persons"] else []) for p in photos]
    return photos


def iou(a, b) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    inter = max(0.0, w) * max(0.0, h)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def matched(truth: list, found: list, threshold: float = 0.5) -> int:
    """True boxes matched one to one by a found box at IoU >= threshold (greedy, best pairs first)."""
    pairs = sorted(((iou(t, f), i, j) for i, t in enumerate(truth) for j, f in enumerate(found)), reverse=True)
    used_t, used_f, count = set(), set(), 0
    for value, i, j in pairs:
        if value < threshold:
            break
        if i not in used_t and j not in used_f:
            used_t.add(i)
            used_f.add(j)
            count += 1
    return count


def over_counted(found: int, labelled: int) -> bool:
    return labelled > 0 and found - labelled > max(1.0, 0.2 * labelled)


def run(photos: list[dict], config: Path) -> list[dict]:
    """One row per photo and setting: persons reported, boxes matched, seconds."""
    rows = []
    detectors = {}
    for tiles, threshold in SETTINGS:
        detectors[(tiles, threshold)] = NanoDetDetector.from_config(config, tiles=tiles, confidence=threshold)
    if any(d is None for d in detectors.values()):
        raise SystemExit(f"{config}: its weights file is missing (scripts/convert_coco_detector.py makes it)")
    for photo in photos:
        image = cv2.imread(str(photo["path"]))
        if image is None:
            raise SystemExit(f"{photo['path']}: cannot read this photo")
        for (tiles, threshold), detector in detectors.items():
            detector.detect(image)  # warm: the first run of a session allocates its buffers
            wall, cpu = time.perf_counter(), time.process_time()
            found = detector.detect(image)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            persons = found.xyxy[found.data["class_name"] == "person"].tolist()
            rows.append({"set": photo["set"], "photo": photo["photo"], "tiles": tiles, "threshold": threshold,
                         "labelled": photo["persons"], "found": len(persons),
                         "matched": matched(photo["boxes"], persons) if photo["boxes"] is not None else None,
                         "boxes": [[round(v) for v in box] for box in persons],
                         "seconds": wall, "cpu_seconds": cpu})
    return rows


def figures(rows: list[dict]) -> dict:
    with_people = [r for r in rows if r["labelled"] > 0]
    without = [r for r in rows if r["labelled"] == 0]
    labelled = sum(r["labelled"] for r in with_people)
    boxed = [r for r in with_people if r["matched"] is not None]
    return {
        "photos": len(rows),
        "people": labelled,
        "found": sum(min(r["found"], r["labelled"]) for r in with_people),
        "found_rate": sum(min(r["found"], r["labelled"]) for r in with_people) / labelled if labelled else None,
        "boxes_matched_rate": (sum(r["matched"] for r in boxed) / sum(r["labelled"] for r in boxed)) if boxed else None,
        "photos_without_people": len(without),
        "false_person_photos": sum(r["found"] > 0 for r in without),
        "photos_with_people": len(with_people),
        "over_counted": sum(over_counted(r["found"], r["labelled"]) for r in with_people),
        "any_extra": sum(r["found"] > r["labelled"] for r in with_people),
        "median_ms": 1000 * statistics.median(r["seconds"] for r in rows) if rows else None,
        "mean_ms": 1000 * statistics.fmean(r["seconds"] for r in rows) if rows else None,
        "mean_cpu_ms": 1000 * statistics.fmean(r["cpu_seconds"] for r in rows) if rows else None,
    }


def objective(rows: list[dict]) -> float:
    """found rate - false-person photo rate - over-counted photo rate (each over its own photos)."""
    f = figures(rows)
    found = f["found_rate"] or 0.0
    false = f["false_person_photos"] / f["photos_without_people"] if f["photos_without_people"] else 0.0
    over = f["over_counted"] / f["photos_with_people"] if f["photos_with_people"] else 0.0
    return found - false - over


def leave_one_out(rows: list[dict]) -> tuple[list[dict], dict]:
    """For each photo, the setting best on all the other photos, and that setting's row for the photo."""
    by_setting = {s: [r for r in rows if (r["tiles"], r["threshold"]) == s] for s in SETTINGS}
    photos = [(r["set"], r["photo"]) for r in by_setting[SETTINGS[0]]]
    chosen_rows, chosen = [], {}
    for key in photos:
        best = max(SETTINGS, key=lambda s: objective([r for r in by_setting[s] if (r["set"], r["photo"]) != key]))
        chosen[best] = chosen.get(best, 0) + 1
        chosen_rows += [r for r in by_setting[best] if (r["set"], r["photo"]) == key]
    return chosen_rows, {f"tiles={t} conf={c}": n for (t, c), n in chosen.items()}


def table(rows: list[dict]) -> str:
    lines = ["| set | tiles | conf | people found | boxes IoU>=0.5 | false-person photos | over-counted "
             "| any extra | ms/photo median (mean) | CPU ms/photo |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name in ("realdev", "samples", "all"):
        for tiles, threshold in SETTINGS:
            part = [r for r in rows if (r["tiles"], r["threshold"]) == (tiles, threshold)
                    and (name == "all" or r["set"] == name)]
            if not part:
                continue
            f = figures(part)
            boxes = f"{100 * f['boxes_matched_rate']:.0f} %" if f["boxes_matched_rate"] is not None else "-"
            lines.append(
                f"| {name} | {'2x2' if tiles else 'no'} | {threshold} | {f['found']}/{f['people']} "
                f"({100 * f['found_rate']:.0f} %) | {boxes} | {f['false_person_photos']}/{f['photos_without_people']} "
                f"| {f['over_counted']}/{f['photos_with_people']} | {f['any_extra']}/{f['photos_with_people']} "
                f"| {f['median_ms']:.0f} ({f['mean_ms']:.0f}) | {f['mean_cpu_ms']:.0f} |")
    return "\n".join(lines)


FUSIONS = ("coco", "hall", "both")  # whose person boxes the audit takes: prefer coco, prefer hall, merged


def fusion_rows(photos: list[dict], listing: Path) -> list[dict]:
    """One row per photo and choice of whose person boxes count (``FUSIONS``), with every detector of the
    list (models/detectors.yaml) at its configured settings: the measurement behind its ``prefer``."""
    from auditor.detectors.fusion import FusedDetector, build_detector, read_detector_list

    listed = read_detector_list(listing)
    members = [(entry.name, build_detector(entry, listing.parent)) for entry in listed.detectors]
    members = [(name, detector) for name, detector in members if detector is not None]
    names = [name for name, _ in members]
    if not {"hall", "coco"} <= set(names):
        raise SystemExit(f"{listing}: both a 'hall' and a 'coco' detector with weights are needed, found {names}")
    fused = {choice: FusedDetector(members, {} if choice == "both" else {"person": choice}) for choice in FUSIONS}
    rows = []
    for photo in photos:
        image = cv2.imread(str(photo["path"]))
        for choice, detector in fused.items():
            found = detector.detect(image)
            persons = found.xyxy[found.data["class_name"] == "person"].tolist()
            rows.append({"set": photo["set"], "photo": photo["photo"], "choice": choice, "labelled": photo["persons"],
                         "found": len(persons), "seconds": 0.0, "cpu_seconds": 0.0,
                         "matched": matched(photo["boxes"], persons) if photo["boxes"] is not None else None})
    return rows


def fusion_table(rows: list[dict]) -> str:
    lines = ["| set | person boxes from | people found | boxes IoU>=0.5 | false-person photos | over-counted |",
             "|---|---|---|---|---|---|"]
    for name in ("realdev", "samples", "all"):
        for choice in FUSIONS:
            part = [r for r in rows if r["choice"] == choice and (name == "all" or r["set"] == name)]
            if not part:
                continue
            f = figures(part)
            boxes = f"{100 * f['boxes_matched_rate']:.0f} %" if f["boxes_matched_rate"] is not None else "-"
            lines.append(f"| {name} | {choice} | {f['found']}/{f['people']} ({100 * f['found_rate']:.0f} %) | {boxes} "
                         f"| {f['false_person_photos']}/{f['photos_without_people']} "
                         f"| {f['over_counted']}/{f['photos_with_people']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--realdev", type=Path, default=ROOT.parent / "shared" / "realdev")
    parser.add_argument("--samples", type=Path, default=ROOT / "samples")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--json", type=Path, help="write every row and the figures here")
    parser.add_argument("--fusion", type=Path, metavar="DETECTORS_YAML",
                        help="instead: compare whose person boxes the audit should take (the hall detector's, the "
                             "COCO detector's, or both merged) with the detectors of this list")
    args = parser.parse_args(argv)

    photos = load_photos(args.realdev, args.samples)
    if not photos:
        raise SystemExit("no labelled photos found")
    if args.fusion:
        print(fusion_table(fusion_rows(photos, args.fusion)))
        return 0
    rows = run(photos, args.config)
    print(table(rows))
    loo_rows, picks = leave_one_out(rows)
    f = figures(loo_rows)
    print(f"\nleave-one-out choice (photos per setting chosen): {picks}")
    print(f"leave-one-out figures: people found {f['found']}/{f['people']} ({100 * f['found_rate']:.0f} %), "
          f"false-person photos {f['false_person_photos']}/{f['photos_without_people']}, "
          f"over-counted {f['over_counted']}/{f['photos_with_people']}, median {f['median_ms']:.0f} ms")
    print("\nmisses and extras (whole photo, conf 0.4 / 2x2 tiles, conf 0.4):")
    for photo in dict.fromkeys((r["set"], r["photo"]) for r in rows):
        mine = {(r["tiles"], r["threshold"]): r for r in rows if (r["set"], r["photo"]) == photo}
        a, b = mine[(0, 0.4)], mine[(2, 0.4)]
        if a["found"] != a["labelled"] or b["found"] != b["labelled"]:
            print(f"  {photo[0]}/{photo[1]}: labelled {a['labelled']}, found {a['found']} / {b['found']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"rows": rows, "leave_one_out": {"picks": picks, "figures": f}},
                                        ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
