"""Measure the staff-dress colour analyzer on synthetic photos (exact truth) and on the real dev photos.

    python scripts/eval_dress.py [--synth DIR ...] [--no-samples] [--realdev DIR] [--boxes JSON]
                                 [--min-height 60] [--analyzer MODULE:FUNCTION] [--light warm|cool|dim|dim_warm]
                                 [--quiet] [--json OUT]

Synthetic folders are ``auditor synth`` outputs (or ``samples/``): truth.json gives every person's box and
``top_colour`` (null where the chest is hidden). A person is *scored* when the truth names a colour and the
box is at least ``--min-height`` pixels tall; the others are run too and reported as "not scored" (an
analyzer should rather say None for them). Real photos (``--realdev``, default /work/shared/realdev) have no
person detector yet, so the person boxes and top colours come from hand annotations
(scripts/realdev_person_boxes.json: {file: [{"box": [x1, y1, x2, y2], "top_colour": name or null}]}).

Accuracy counts an undecided answer (None) as wrong; "decided accuracy" leaves them out. ``--analyzer``
evaluates another function with the signature of ``upper_body_colour(image, box)`` (to compare versions);
``--light`` relights every photo first (a warm or cool cast, dim light) as a stress test.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditor.photos import read_photo  # noqa: E402
from auditor.types import COLOURS  # noqa: E402

NONE = "None"
# Lighting changes applied to every photo with --light (per-channel gains B, G, R and an exposure, on linear
# light), to see how the analyzer copes with casts and dimness beyond what the photos have.
LIGHTS = {"warm": ((0.75, 1.0, 1.25), 1.0), "cool": ((1.25, 1.0, 0.78), 1.0), "dim": ((1.0, 1.0, 1.0), 0.4),
          "dim_warm": ((0.78, 0.95, 1.2), 0.45)}


def relight(image: np.ndarray, light: str | None) -> np.ndarray:
    if light is None:
        return image
    gains, exposure = LIGHTS[light]
    linear = (image.astype(np.float32) / 255) ** 2.2 * np.float32(gains) * exposure
    return (np.clip(linear, 0, 1) ** (1 / 2.2) * 255 + 0.5).astype(np.uint8)


def load_analyzer(spec: str) -> Callable:
    """``module:function`` or ``path/to/file.py:function``."""
    module_name, _, function = spec.rpartition(":")
    if module_name.endswith(".py"):
        loaded = importlib.util.spec_from_file_location("dress_analyzer_under_test", module_name)
        if loaded is None or loaded.loader is None:
            raise SystemExit(f"cannot load {module_name}")
        module = importlib.util.module_from_spec(loaded)
        sys.modules[loaded.name] = module  # dataclasses look their module up there
        loaded.loader.exec_module(module)
    else:
        module = importlib.import_module(module_name)
    return getattr(module, function)


def synthetic_people(folder: Path) -> list[dict]:
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    out = []
    for photo in truth["photos"]:
        for person in photo["facts"]["persons"]:
            out.append({"set": folder.name, "file": photo["file"], "path": folder / photo["file"],
                        "box": tuple(person["box"]), "truth": person["top_colour"], "role": person["role"]})
    return out


def real_people(folder: Path, boxes: Path) -> list[dict]:
    annotations = json.loads(boxes.read_text(encoding="utf-8"))
    out = []
    for file, people in annotations.items():
        for person in people:
            out.append({"set": "realdev", "file": file, "path": folder / file, "box": tuple(person["box"]),
                        "truth": person["top_colour"], "role": None})
    return out


def run(people: list[dict], analyzer: Callable, min_height: float, light: str | None = None) -> list[dict]:
    images: dict[Path, object] = {}
    for person in people:
        if person["path"] not in images:
            images.clear()  # one photo at a time: people of a photo are listed together
            images[person["path"]] = relight(read_photo(person["path"]).image, light)
        image = images[person["path"]]
        started = time.perf_counter()
        found = analyzer(image, person["box"])
        person["ms"] = (time.perf_counter() - started) * 1000
        person["found"] = found
        height = person["box"][3] - person["box"][1]
        person["scored"] = person["truth"] is not None and height >= min_height
    return people


def summarise(people: list[dict]) -> dict:
    scored = [p for p in people if p["scored"]]
    correct = sum(p["found"] == p["truth"] for p in scored)
    undecided = sum(p["found"] is None for p in scored)
    per_colour: dict[str, dict[str, int]] = {}
    for colour in sorted({p["truth"] for p in scored}, key=COLOURS.index):
        mine = [p for p in scored if p["truth"] == colour]
        per_colour[colour] = {"n": len(mine), "correct": sum(p["found"] == colour for p in mine),
                              "undecided": sum(p["found"] is None for p in mine)}
    confusion: dict[str, dict[str, int]] = defaultdict(dict)
    for (t, f), n in Counter((p["truth"], p["found"] or NONE) for p in scored).items():
        confusion[t][f] = n
    others = [p for p in people if not p["scored"]]
    times = [p["ms"] for p in people]
    return {
        "people": len(people), "scored": len(scored), "correct": correct,
        "accuracy": round(correct / len(scored), 4) if scored else None,
        "undecided": undecided,
        "decided_accuracy": round(correct / (len(scored) - undecided), 4) if len(scored) > undecided else None,
        "per_colour": per_colour, "confusion": dict(confusion),
        "not_scored": len(others), "not_scored_undecided": sum(p["found"] is None for p in others),
        "ms_mean": round(statistics.fmean(times), 2) if times else None,
        "ms_p95": round(sorted(times)[int(0.95 * (len(times) - 1))], 2) if times else None,
    }


def show(title: str, people: list[dict], summary: dict, quiet: bool) -> None:
    print(f"\n== {title} ==")
    if not quiet:
        for p in people:
            box = ",".join(f"{v:.0f}" for v in p["box"])
            mark = "ok " if p["found"] == p["truth"] else ("-- " if not p["scored"] else "XX ")
            if not p["scored"]:
                mark = "-- "
            print(f"  {mark}{p['file']} [{box}] truth={p['truth']} found={p['found']}"
                  f"{'' if p['scored'] else '  (not scored)'}  {p['ms']:.1f} ms")
    s = summary
    if s["scored"]:
        print(f"  accuracy {s['correct']}/{s['scored']} = {s['accuracy']:.1%}; undecided {s['undecided']}; "
              f"decided accuracy {s['decided_accuracy'] or 0:.1%}")
        for colour, c in s["per_colour"].items():
            print(f"    {colour:10s} {c['correct']:3d}/{c['n']:<3d} undecided {c['undecided']}")
        found_names = sorted({f for row in s["confusion"].values() for f in row},
                             key=lambda n: COLOURS.index(n) if n in COLOURS else len(COLOURS))
        print("  confusion (rows: truth, columns: found)")
        print("    " + " " * 10 + "".join(f"{n[:9]:>10s}" for n in found_names))
        for t, row in sorted(s["confusion"].items(), key=lambda kv: COLOURS.index(kv[0])):
            print("    " + f"{t:10s}" + "".join(f"{row.get(n, 0) or '.':>10}" for n in found_names))
    print(f"  not scored (hidden chest, small box, no truth): {s['not_scored']}, of which undecided "
          f"{s['not_scored_undecided']}")
    print(f"  time per person: mean {s['ms_mean']} ms, p95 {s['ms_p95']} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=ROOT / "samples")
    parser.add_argument("--no-samples", action="store_true", help="leave the bundled samples out")
    parser.add_argument("--synth", type=Path, action="append", default=[], help="an `auditor synth` folder")
    parser.add_argument("--realdev", type=Path, default=Path("/work/shared/realdev"))
    parser.add_argument("--boxes", type=Path, default=ROOT / "scripts" / "realdev_person_boxes.json")
    parser.add_argument("--min-height", type=float, default=60.0)
    parser.add_argument("--analyzer", default="auditor.detectors.colour:upper_body_colour")
    parser.add_argument("--light", choices=sorted(LIGHTS), help="relight every photo first (a stress test)")
    parser.add_argument("--quiet", action="store_true", help="summaries only, no per-person lines")
    parser.add_argument("--json", type=Path, help="write the summaries and per-person results here")
    args = parser.parse_args()
    analyzer = load_analyzer(args.analyzer)

    sets: list[tuple[str, list[dict]]] = []
    synthetic: list[dict] = []
    for folder in ([] if args.no_samples else [args.samples]) + args.synth:
        people = run(synthetic_people(folder), analyzer, args.min_height, args.light)
        sets.append((f"synthetic {folder}", people))
        synthetic += people
    if len(sets) > 1:
        sets.append(("synthetic, all folders", synthetic))
    if args.realdev.is_dir() and args.boxes.is_file():
        sets.append((f"real {args.realdev}", run(real_people(args.realdev, args.boxes), analyzer, 0.0, args.light)))

    report = {"analyzer": args.analyzer, "min_height": args.min_height, "light": args.light, "sets": {}}
    for title, people in sets:
        summary = summarise(people)
        show(title, people, summary, args.quiet or title.startswith("synthetic, all"))
        report["sets"][title] = {"summary": summary, "people": [
            {k: (str(v) if isinstance(v, Path) else v) for k, v in p.items() if k != "path"} for p in people]}
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
        print(f"\nwritten: {args.json}")


if __name__ == "__main__":
    main()
