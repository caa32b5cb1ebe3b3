"""The recipe of the bundled hall detector, sized for two CPU cores (models/README.md says why each choice).

    python scripts/train_detector.py                  # render, cut crop views, train (a cut-off run resumes)
    python scripts/train_detector.py --evaluate       # held-out figures of the run's best weights
    python scripts/train_detector.py --evaluate --install   # ... and ship them when they beat the shipped model
    python scripts/train_detector.py --halls 4 --heldout-halls 1 --epochs 1 --imgsz 160 --out /tmp/t   # a try

Training runs for hours on two cores: start it in the background (`nohup ... &`). Ultralytics writes
``run/weights/last.pt`` after every epoch; started again, the script goes on from there. When the run folder
is gone it starts from the shipped ``models/hall-detector.pt`` (fine-tuning) instead of from scratch.

Writes data/train/: synth-s<seed>/ (training photos and their crop views), heldout-s<seed>/ (held-out
halls), run/ (weights, ONNX) and metrics.json (the figures for models/README.md). A set already rendered
with the same settings and generator code is reused. A GPU is used when there is one.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditor.crop_views import write_crop_views  # noqa: E402
from auditor.manual import load_manual  # noqa: E402
from auditor.synth.areas import CLUTTER_VIOLATIONS  # noqa: E402
from auditor.synth.dataset import GENERATOR_VERSION, generate  # noqa: E402

TRAIN_SEED = 101
BALANCE_SEED = 102   # the balance set: halls drawing rare clutter more often (training only)
HELDOUT_SEED = 9001   # never used for training or tuning
MODELS = ROOT / "models"
SHIPPED_METRICS = MODELS / "hall-detector.metrics.json"


def render(out: Path, halls: int, photos: int, seed: int, rate: float, boost: dict[str, float] | None = None) -> Path:
    """Render a set unless the same settings and generator code rendered it before (the generator is
    deterministic). ``boost``: violations drawn more often (``generate``)."""
    synth = ROOT / "auditor" / "synth"
    # The generator's code and every sprite file (a rebuilt sprite, person or thing, changes the photos).
    files = sorted([*synth.glob("*.py"), *(p for p in (synth / "assets").rglob("*") if p.is_file())])
    code = hashlib.sha256(b"".join(p.read_bytes() for p in files))
    settings = {"halls": halls, "photos": photos, "seed": seed, "violation_rate": rate,
                "generator": GENERATOR_VERSION, "code_sha256": code.hexdigest()}
    if boost:
        settings["boost"] = boost
    stamp = out / "settings.json"
    if stamp.is_file() and json.loads(stamp.read_text()) == settings and (out / "data.yaml").is_file():
        print(f"reusing {out}")
        return out
    started = time.monotonic()
    if (out / "crops").is_dir():
        shutil.rmtree(out / "crops")
    generate(out, load_manual(), halls=halls, photos=photos, seed=seed, violation_rate=rate, workers=2, boost=boost)
    stamp.write_text(json.dumps(settings))
    print(f"rendered {halls * photos} photos into {out} in {time.monotonic() - started:.0f} s")
    return out


def cut_crop_views(dataset: Path, per_photo: int) -> None:
    """Cut a rendered set's crop views once."""
    if not (dataset / "crops" / "images").is_dir():
        count = write_crop_views(dataset, per_photo=per_photo)
        print(f"cut {count} crop views into {dataset / 'crops'}")


def with_crop_views(dataset: Path, per_photo: int, extra: Path | None = None) -> Path:
    """A data.yaml over the photos and their crop views (cut once per rendered set). ``extra``: a set whose
    photos and crop views, both its splits, join the training images only, so validation stays the main
    set's val photos (comparable from epoch to epoch)."""
    cut_crop_views(dataset, per_photo)
    data = yaml.safe_load((dataset / "data.yaml").read_text(encoding="utf-8"))
    splits = {split: [f"images/{split}"] + ([f"crops/images/{split}"]
                                            if (dataset / "crops" / "images" / split).is_dir() else [])
              for split in ("train", "val")}
    if extra is not None:
        cut_crop_views(extra, per_photo)
        splits["train"] += [str(folder.resolve()) for folder in sorted(extra.glob("images/*"))]
        splits["train"] += [str(folder.resolve()) for folder in sorted(extra.glob("crops/images/*"))]
    combined = {"path": str(dataset.resolve()), **splits, "names": data["names"]}
    path = dataset / "data-crops.yaml"
    path.write_text(yaml.safe_dump(combined, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def heldout_figures(weights: Path, heldout: Path, train_set: Path, compare_thresholds: bool = False) -> dict:
    """The hall detector's AP50 and F1-optimal confidence per class on the training set's val photos (which
    decide the classes it is trusted with, detector.yaml's ``trust``, and each class's threshold,
    ``class_confidence``); its own mAP (crop pass included, every class) over every held-out photo; and the
    held-out halls audited as `auditor eval` audits them, with these weights as the hall detector, trusted
    classes only, beside the other listed detectors (models/detectors.yaml). With ``compare_thresholds``
    the held-out halls are audited once more with the one threshold ``confidence`` for every class."""
    from auditor.detection_metrics import score_detector
    from auditor.detectors.yolo import YoloDetector, lowered_only, read_config
    from auditor.evaluate import detector_map, load_truth

    config, _ = read_config(MODELS / "detector.yaml")
    every = YoloDetector(weights, config.class_map, imgsz=config.imgsz, confidence=config.confidence,
                         crop_imgsz=config.crop_imgsz)
    classes = load_truth(heldout).generator.classes
    val = score_detector(every, sorted((train_set / "images" / "val").glob("*.jpg")), classes)
    val_ap50 = val.ap50_per_class if val is not None else {}
    thresholds = val.f1_confidence_per_class if val is not None else {}
    floor = config.trust.min_ap50 if config.trust is not None else 0.0
    trusted = {name: target for name, target in config.class_map.items() if val_ap50.get(name, 0.0) >= floor}
    hall_scores, _ = detector_map(every, heldout, classes)
    lowered = lowered_only(thresholds, config.confidence) if config.class_confidence else {}
    figures = audited_heldout(weights, trusted, lowered, heldout)
    if compare_thresholds:
        figures["single_threshold"] = audited_heldout(weights, trusted, {}, heldout)
    figures["val_ap50_per_class"] = val_ap50
    figures["f1_confidence_per_class"] = thresholds
    figures["trusted_classes"] = sorted(trusted)
    if hall_scores is not None:
        figures.update(map50=hall_scores.map50, map50_95=hall_scores.map50_95,
                       ap50_per_class=hall_scores.ap50_per_class, map50_95_per_class=hall_scores.per_class)
    return figures


def audited_heldout(weights: Path, class_map: dict[str, str], thresholds: dict[str, float], heldout: Path) -> dict:
    """Verdict figures of the held-out halls audited with these weights as the hall detector."""
    from auditor.detectors.fusion import DEFAULT_CONFIG, FusedDetector, build_detector, read_detector_list
    from auditor.detectors.lines import FloorLineFinder
    from auditor.detectors.ocr import RapidOcrReader
    from auditor.detectors.yolo import YoloDetector, read_config
    from auditor.evaluate import evaluate_folder, load_truth
    from auditor.pipeline import Auditor, Detectors

    config, _ = read_config(MODELS / "detector.yaml")
    hall = YoloDetector(weights, class_map, imgsz=config.imgsz, confidence=config.confidence,
                        crop_imgsz=config.crop_imgsz, class_confidence=thresholds)
    listed = read_detector_list(DEFAULT_CONFIG)
    members = [(entry.name, hall if entry.name == "hall" else build_detector(entry, DEFAULT_CONFIG.parent))
               for entry in listed.detectors]
    fused = FusedDetector([(name, d) for name, d in members if d is not None], listed.prefer)
    auditor = Auditor(load_manual(), Detectors(objects=fused, texts=RapidOcrReader(), lines=FloorLineFinder()))
    held = evaluate_folder(heldout, load_truth(heldout), auditor).to_dict()
    figures = {key: held.get(key) for key in ("verdict_accuracy", "per_category", "notes")}
    figures["fused_map50"] = held.get("map50")
    figures.update(hall_grades(held.get("halls") or {}))
    return figures


def hall_grades(halls: dict[str, dict]) -> dict[str, float | None]:
    """What a hall head receives: the share of halls given their true grade, and the mean distance of the
    audited score from the true one (halls the audit could not score count as wrong)."""
    if not halls:
        return {"grades_right": None, "score_mae": None}
    right = sum(1 for h in halls.values() if h.get("grade") is not None and h["grade"] == h.get("true_grade"))
    scored = [abs(h["score"] - h["true_score"]) for h in halls.values()
              if h.get("score") is not None and h.get("true_score") is not None]
    return {"grades_right": round(right / len(halls), 4),
            "score_mae": round(sum(scored) / len(scored), 2) if scored else None}


def better_than_shipped(figures: dict) -> bool:
    """Ship when nothing is shipped yet, or when the held-out verdict accuracy and mAP50 are not worse and
    one of them is better, and the halls given their true grade are not fewer (a model right on more rule
    pairs can still fail whole halls on a critical rule; shipped figures without grades skip that test)."""
    if not SHIPPED_METRICS.is_file():
        return True
    shipped = json.loads(SHIPPED_METRICS.read_text(encoding="utf-8"))["heldout"]
    pairs = [(figures.get(k) or 0.0, shipped.get(k) or 0.0) for k in ("verdict_accuracy", "map50")]
    better = all(new >= old for new, old in pairs) and any(new > old for new, old in pairs)
    if shipped.get("grades_right") is not None:
        better = better and (figures.get("grades_right") or 0.0) >= shipped["grades_right"]
    return better


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--halls", type=int, default=64, help="training halls (8 photos each)")
    parser.add_argument("--heldout-halls", type=int, default=20)
    parser.add_argument("--seed", type=int, default=TRAIN_SEED)
    parser.add_argument("--rate", type=float, default=0.45,
                        help="violation rate of the training halls (above the audits' usual 0.3, so rare clutter "
                             "classes appear more often)")
    parser.add_argument("--balance-halls", type=int, default=24,
                        help=f"extra training halls (seed {BALANCE_SEED}) that draw rare clutter more often (0: none)")
    parser.add_argument("--balance-boost", type=float, default=3.0,
                        help="how much more often the balance halls draw each clutter violation")
    parser.add_argument("--crops-per-photo", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--imgsz", type=int, default=512)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--model", default="yolo11n.yaml", help="architecture, or weights to fine-tune")
    parser.add_argument("--device", default=None, help="cpu or a GPU index (default: a GPU if there is one)")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "train")
    parser.add_argument("--evaluate", action="store_true", help="measure the run's best weights on the held-out "
                                                                "halls instead of training")
    parser.add_argument("--compare-thresholds", action="store_true",
                        help="with --evaluate: also audit the held-out halls with one threshold for every class")
    parser.add_argument("--install", action="store_true", help="with --evaluate: copy the weights to "
                                                               "models/hall-detector.* when they beat the shipped ones")
    args = parser.parse_args()
    args.out = args.out.resolve()
    run = args.out / "run"

    if args.evaluate:
        evaluate(args, run)
        return
    from auditor.train import train, unfinished_run

    train_set = render(args.out / f"synth-s{args.seed}", args.halls, 8, args.seed, args.rate)
    balance = None
    if args.balance_halls > 0:
        boost = {name: args.balance_boost for name in CLUTTER_VIOLATIONS}
        balance = render(args.out / f"balance-s{BALANCE_SEED}", args.balance_halls, 8, BALANCE_SEED, args.rate, boost)
    data = with_crop_views(train_set, args.crops_per_photo, balance)
    model = args.model
    shipped = MODELS / "hall-detector.pt"
    if unfinished_run(run) is None and not (run / "weights" / "best.pt").is_file() and shipped.is_file() \
            and model == "yolo11n.yaml":
        model = str(shipped)  # the run folder is gone: go on from what ships rather than from scratch
    print(f"training {model} on {data} into {run}")
    trained = train(data, run, model=model, epochs=args.epochs, imgsz=args.imgsz, batch=args.batch,
                    device=args.device, seed=0, patience=max(args.epochs // 3, 10), cache=True)
    print(f"trained {trained.epochs} epochs in {trained.seconds / 60:.1f} min (best: epoch {trained.best_epoch}); "
          f"val mAP50 {trained.map50:.3f}")


def evaluate(args: argparse.Namespace, run: Path) -> None:
    from auditor.train import export

    trained = run / "weights" / "best.pt"
    if not trained.is_file():
        sys.exit(f"{trained}: no trained weights yet; train first")
    # A copy: a training still running rewrites best.pt whenever an epoch does better.
    best = args.out / "candidate" / "best.pt"
    best.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(trained, best)
    heldout = render(args.out / f"heldout-s{HELDOUT_SEED}", args.heldout_halls, 8, HELDOUT_SEED, 0.3)
    onnx = export(best, args.imgsz)
    started = time.monotonic()
    figures = heldout_figures(onnx, heldout, args.out / f"synth-s{args.seed}", args.compare_thresholds)
    history = (run / "results.csv").read_text(encoding="utf-8").splitlines() if (run / "results.csv").is_file() else []
    report = {
        "train": {"halls": args.halls, "photos_per_hall": 8, "seed": args.seed, "violation_rate": args.rate,
                  "crops_per_photo": args.crops_per_photo, "generator": GENERATOR_VERSION,
                  "balance": {"halls": args.balance_halls, "seed": BALANCE_SEED, "boost": args.balance_boost,
                              "violations": list(CLUTTER_VIOLATIONS)}},
        "heldout_set": {"halls": args.heldout_halls, "photos_per_hall": 8, "seed": HELDOUT_SEED,
                        "violation_rate": 0.3},
        "imgsz": args.imgsz, "epochs_run": max(len(history) - 1, 0),
        "val_map50_by_epoch": [round(float(row.split(",")[7]), 4) for row in history[1:]],
        "val_ap50_per_class": figures.pop("val_ap50_per_class"),
        "f1_confidence_per_class": figures.pop("f1_confidence_per_class"),
        "heldout": figures, "eval_seconds": round(time.monotonic() - started),
    }
    (args.out / "metrics.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(report, indent=1, ensure_ascii=False))
    if args.install:
        if better_than_shipped(figures):
            for source, target in ((best, MODELS / "hall-detector.pt"), (onnx, MODELS / "hall-detector.onnx")):
                shutil.copy2(source, target)
            from ultralytics.utils.torch_utils import strip_optimizer

            strip_optimizer(str(MODELS / "hall-detector.pt"))  # a mid-run checkpoint holds the optimiser: 2x size
            SHIPPED_METRICS.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            print(f"installed {best} and {onnx} into {MODELS}")
        else:
            print(f"not installed: the shipped model's held-out figures ({SHIPPED_METRICS}) are as good or better")


if __name__ == "__main__":
    main()
