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
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditor.manual import load_manual  # noqa: E402
from auditor.synth.dataset import generate  # noqa: E402
from auditor.train import install, train  # noqa: E402

TRAIN_SEED = 101
HELDOUT_SEED = 9001   # never used for training or tuning


def render(out: Path, halls: int, photos: int, seed: int, rate: float) -> Path:
    """Render a set unless the same settings were rendered there before (the generator is deterministic)."""
    settings = {"halls": halls, "photos": photos, "seed": seed, "violation_rate": rate}
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

    train_set = render(args.out / f"synth-s{args.seed}", args.halls, 8, args.seed, args.rate)
    heldout = render(args.out / f"heldout-s{HELDOUT_SEED}", args.heldout_halls, 8, HELDOUT_SEED, args.rate)
    trained = train(train_set / "data.yaml", args.out / "run", model=args.model, epochs=args.epochs,
                    imgsz=args.imgsz, batch=args.batch, device=args.device, seed=0)
    print(f"trained {trained.epochs} epochs in {trained.seconds / 60:.1f} min; val mAP50 {trained.map50:.3f}")

    # The held-out halls: every image of the set is scored (train and val splits alike).
    from ultralytics import YOLO

    heldout_yaml = args.out / "heldout.yaml"
    heldout_yaml.write_text(json.dumps({"path": str(heldout), "train": "images", "val": "images",
                                        "names": dict(enumerate(trained.classes))}), encoding="utf-8")
    metrics = YOLO(str(trained.weights), task="detect").val(data=str(heldout_yaml), imgsz=args.imgsz,
                                                             batch=args.batch, plots=False, verbose=False,
                                                             project=str(args.out / "run"), name="heldout",
                                                             exist_ok=True)
    per_class = {trained.classes[int(c)]: round(float(metrics.box.maps[int(c)]), 4) for c in metrics.box.ap_class_index}
    report = {
        "train": {"halls": args.halls, "photos_per_hall": 8, "seed": args.seed, "violation_rate": args.rate},
        "heldout": {"halls": args.heldout_halls, "photos_per_hall": 8, "seed": HELDOUT_SEED},
        "model": args.model, "epochs": args.epochs, "imgsz": args.imgsz, "minutes": round(trained.seconds / 60, 1),
        "heldout_map50": round(float(metrics.box.map50), 4), "heldout_map50_95": round(float(metrics.box.map), 4),
        "heldout_map50_95_per_class": per_class,
    }
    (args.out / "metrics.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(report, indent=1, ensure_ascii=False))
    if args.install:
        pt, onnx = install(trained, ROOT / "models")
        print(f"installed {pt} and {onnx}")


if __name__ == "__main__":
    main()
