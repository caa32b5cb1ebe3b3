"""The recipe of the bundled hall detector: render the training halls with fixed seeds, train, export to ONNX,
and score on held-out halls rendered with a seed never used for training or tuning.

    python scripts/train_detector.py                      # the full recipe (a GPU is used when there is one)
    python scripts/train_detector.py --install            # ... and copy the weights to models/
    python scripts/train_detector.py --halls 30 --epochs 3 --imgsz 320 --heldout-halls 4   # a quick try

Writes data/train/: synth-s<seed>/ (training set), heldout-s<seed>/ (held-out set), run/ (weights, ONNX)
and metrics.json (the figures for models/README.md). A set already rendered with the same settings is reused.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditor.detectors.lines import FloorLineFinder  # noqa: E402
from auditor.detectors.ocr import RapidOcrReader  # noqa: E402
from auditor.detectors.yolo import YoloDetector, read_config  # noqa: E402
from auditor.evaluate import evaluate_folder, load_truth  # noqa: E402
from auditor.manual import load_manual  # noqa: E402
from auditor.pipeline import Auditor, Detectors  # noqa: E402
from auditor.synth.dataset import GENERATOR_VERSION, generate  # noqa: E402
from auditor.train import install, train  # noqa: E402

TRAIN_SEED = 101
HELDOUT_SEED = 9001   # never used for training or tuning


def render(out: Path, halls: int, photos: int, seed: int, rate: float) -> Path:
    """Render a set unless the same settings and generator code rendered it before (the generator is
    deterministic)."""
    synth = ROOT / "auditor" / "synth"
    # The generator's code and every sprite file (a rebuilt sprite, person or thing, changes the photos).
    files = sorted([*synth.glob("*.py"), *(p for p in (synth / "assets").rglob("*") if p.is_file())])
    code = hashlib.sha256(b"".join(p.read_bytes() for p in files))
    settings = {"halls": halls, "photos": photos, "seed": seed, "violation_rate": rate,
                "generator": GENERATOR_VERSION, "code_sha256": code.hexdigest()}
    stamp = out / "settings.json"
    if stamp.is_file() and json.loads(stamp.read_text()) == settings and (out / "data.yaml").is_file():
        print(f"reusing {out}")
        return out
    started = time.monotonic()
    generate(out, load_manual(), halls=halls, photos=photos, seed=seed, violation_rate=rate, workers=2)
    stamp.write_text(json.dumps(settings))
    print(f"rendered {halls * photos} photos into {out} in {time.monotonic() - started:.0f} s")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--halls", type=int, default=250, help="training halls (8 photos each)")
    parser.add_argument("--heldout-halls", type=int, default=20)
    parser.add_argument("--seed", type=int, default=TRAIN_SEED)
    parser.add_argument("--rate", type=float, default=0.3, help="violation rate of the rendered halls")
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--imgsz", type=int, default=640)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--model", default="yolo11n.yaml", help="architecture, or weights to fine-tune")
    parser.add_argument("--device", default=None, help="cpu or a GPU index (default: a GPU if there is one)")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "train")
    parser.add_argument("--install", action="store_true", help="copy the weights to models/hall-detector.*")
    args = parser.parse_args()
    args.out = args.out.resolve()

    train_set = render(args.out / f"synth-s{args.seed}", args.halls, 8, args.seed, args.rate)
    heldout = render(args.out / f"heldout-s{HELDOUT_SEED}", args.heldout_halls, 8, HELDOUT_SEED, args.rate)
    trained = train(train_set / "data.yaml", args.out / "run", model=args.model, epochs=args.epochs,
                    imgsz=args.imgsz, batch=args.batch, device=args.device, seed=0)
    print(f"trained {trained.epochs} epochs in {trained.seconds / 60:.1f} min (best: epoch {trained.best_epoch}); "
          f"val mAP50 {trained.map50:.3f}")

    # The held-out halls, audited as `auditor eval` does with the new detector: rule verdicts against the
    # truth, and the detector's mAP on every image of the set (both splits).
    config, _ = read_config()
    detector = YoloDetector(trained.onnx or trained.weights, config.class_map, imgsz=args.imgsz,
                            confidence=config.confidence)
    manual = load_manual()
    auditor = Auditor(manual, Detectors(objects=detector, texts=RapidOcrReader(), lines=FloorLineFinder()))
    held = evaluate_folder(heldout, load_truth(heldout), auditor).to_dict()
    report = {
        "train": {"halls": args.halls, "photos_per_hall": 8, "seed": args.seed, "violation_rate": args.rate,
                  "generator": GENERATOR_VERSION},
        "heldout": {"halls": args.heldout_halls, "photos_per_hall": 8, "seed": HELDOUT_SEED},
        "model": args.model, "epochs_asked": args.epochs, "epochs_run": trained.epochs,
        "best_epoch": trained.best_epoch, "imgsz": args.imgsz, "minutes": round(trained.seconds / 60, 1),
        "val_map50": round(trained.map50, 4), "val_map50_95": round(trained.map50_95, 4),
        **{f"heldout_{key}": held.get(key) for key in ("map50", "map50_95", "map50_95_per_class",
                                                        "verdict_accuracy", "per_category")},
        "heldout_notes": held["notes"],
    }
    (args.out / "metrics.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(report, indent=1, ensure_ascii=False))
    if args.install:
        pt, onnx = install(trained, ROOT / "models")
        print(f"installed {pt} and {onnx}")


if __name__ == "__main__":
    main()
