"""Train or fine-tune an object detector with ultralytics, and export it for the pipeline (ONNX beside .pt).

Used by ``auditor train`` (users who label their own hall photos in YOLO format, as Label Studio or CVAT
export them) and by ``scripts/train_detector.py`` (the recipe of the bundled hall detector). Nothing here
needs a download: a model is either an architecture YAML (training from scratch, e.g. ``yolo11n.yaml``) or
a weights file on disk (fine-tuning, e.g. ``models/hall-detector.pt``), and plots, which fetch a font,
are off. (On a machine with internet ultralytics may still fetch its font or its AMP check model.)
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.detectors.yolo import quiet_ultralytics
from auditor.errors import AuditorError


class TrainingError(AuditorError):
    """The training data or the starting model cannot be used."""


@dataclass(frozen=True)
class TrainedModel:
    weights: Path               # best.pt
    onnx: Path | None           # best.onnx, when exported
    classes: list[str]
    map50: float                # of best.pt on the dataset's val split
    map50_95: float
    epochs: int                 # epochs run (early stopping may end before the epochs asked for)
    best_epoch: int             # the epoch best.pt comes from (1-based)
    seconds: float


def check_dataset(data: Path) -> dict[str, Any]:
    """The dataset YAML as ultralytics reads it, or a TrainingError naming what is wrong."""
    if not data.is_file():
        raise TrainingError(f"{data}: no such dataset file (a YOLO data.yaml with train, val and names)")
    quiet_ultralytics()
    from ultralytics.data.utils import check_det_dataset

    try:
        return check_det_dataset(str(data), autodownload=False)
    except Exception as exc:  # ultralytics raises FileNotFoundError, SyntaxError, KeyError... for bad datasets
        raise TrainingError(f"{data}: not a usable YOLO dataset: {exc}") from exc


def starting_model(model: str) -> str:
    """An architecture YAML ultralytics knows, or a weights file that exists here; hub names that would
    need a download are refused with the way out."""
    if model.endswith((".yaml", ".yml")):
        return model
    if Path(model).is_file():
        return model
    raise TrainingError(
        f"{model}: no such weights file. This machine cannot download models: start from an architecture "
        f"(--model yolo11n.yaml, from scratch) or from weights on disk (--model models/hall-detector.pt)")


def unfinished_run(out: Path) -> Path | None:
    """The last checkpoint of a run in ``out`` that stopped before its last epoch (killed, or the machine
    went away), or None. Ultralytics writes ``weights/last.pt`` after every epoch, with the optimiser's
    state, and empties its optimiser when the run ends."""
    last = out / "weights" / "last.pt"
    if not last.is_file():
        return None
    import torch

    checkpoint = torch.load(last, map_location="cpu", weights_only=False)
    return last if checkpoint.get("optimizer") is not None else None


def train(data: Path, out: Path, *, model: str = "yolo11n.yaml", epochs: int = 100, imgsz: int = 640,
          batch: int = 16, device: str | None = None, seed: int = 0, patience: int = 30,
          optimizer: str = "SGD", lr0: float = 0.01, cache: bool = False, workers: int = 2,
          resume: bool = True, export_onnx: bool = True) -> TrainedModel:
    """Train on ``data`` into folder ``out`` (``out/weights/best.pt``, ``best.onnx``) and validate.

    With ``resume`` a run in ``out`` that was cut off goes on from its last epoch instead of starting over.
    The optimiser is set, not left to ``auto``: on short runs from scratch ``auto`` picks AdamW at a tiny
    learning rate that learned three times slower than SGD at 0.01 (models/README.md)."""
    info = check_dataset(data)
    start = starting_model(model)
    quiet_ultralytics()
    import torch
    from ultralytics import YOLO

    device = device or ("0" if torch.cuda.is_available() else "cpu")
    begun = time.monotonic()
    out = out.resolve()
    checkpoint = unfinished_run(out) if resume else None
    try:
        if checkpoint is not None:
            yolo = YOLO(str(checkpoint), task="detect")
            metrics = yolo.train(resume=True)
        else:
            yolo = YOLO(start, task="detect")
            # The final validation of best.pt, on the val split.
            metrics = yolo.train(data=str(data), epochs=epochs, imgsz=imgsz, batch=batch, device=device, seed=seed,
                                 deterministic=True, patience=patience, project=str(out.parent), name=out.name,
                                 exist_ok=True, plots=False,  # plots fetch a font from the internet
                                 amp=device != "cpu",         # mixed precision is for GPUs
                                 optimizer=optimizer, lr0=lr0, cache=cache, workers=workers, verbose=False)
    except Exception as exc:  # ultralytics raises many types for a bad model file, architecture or dataset
        raise TrainingError(f"training {model} on {data} failed: {type(exc).__name__}: {exc}") from exc
    best = out / "weights" / "best.pt"
    if not best.is_file() or metrics is None:
        raise TrainingError(f"training on {data} wrote no weights under {out / 'weights'}")
    trainer = yolo.trainer
    # results.csv has one row per epoch run (early stopping may end before the epochs asked for).
    epochs_run = max(len(Path(trainer.csv).read_text(encoding="utf-8").splitlines()) - 1, 0)
    onnx = export(best, imgsz) if export_onnx else None
    return TrainedModel(weights=best, onnx=onnx, classes=[str(n) for n in info["names"].values()],
                        map50=float(metrics.box.map50), map50_95=float(metrics.box.map),
                        epochs=epochs_run, best_epoch=int(trainer.stopper.best_epoch),  # the stopper counts from 1
                        seconds=time.monotonic() - begun)


def export(weights: Path, imgsz: int) -> Path:
    """Export weights to ONNX beside them, run by onnxruntime on the CPU. The input size is left open
    (dynamic): the crop pass feeds the same model smaller inputs than the whole-photo pass."""
    quiet_ultralytics()
    from ultralytics import YOLO

    try:
        path = YOLO(str(weights), task="detect").export(format="onnx", imgsz=imgsz, simplify=False, dynamic=True,
                                                        device="cpu", verbose=False)
    except Exception as exc:
        raise TrainingError(f"{weights}: ONNX export failed: {exc}") from exc
    return Path(path)


def install(model: TrainedModel, models_dir: Path, stem: str = "hall-detector") -> tuple[Path, Path | None]:
    """Copy trained weights into models/ under the names models/detector.yaml expects."""
    models_dir.mkdir(parents=True, exist_ok=True)
    pt = models_dir / f"{stem}.pt"
    shutil.copy2(model.weights, pt)
    onnx = None
    if model.onnx is not None:
        onnx = models_dir / f"{stem}.onnx"
        shutil.copy2(model.onnx, onnx)
    return pt, onnx
