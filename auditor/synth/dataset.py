"""Generate a folder of synthetic hall photos with exact truth: an ultralytics dataset and truth.json.

    DIR/images/{train,val}/<hall>_<nn>_<area>.jpg    photos
    DIR/labels/{train,val}/<same stem>.txt          YOLO labels over ``CLASSES``
    DIR/data.yaml                                   the ultralytics dataset
    DIR/truth.json                                  per photo: hall, area, facts, expected verdicts;
                                                    per hall: expected hall-rule verdicts, true score

The expected verdicts are the manual's own checks run over the exact facts of each photo (every labelled
object, person, sign text and floor line as drawn), so the truth is consistent with the manual by
construction. Violations are injected per hall at a rate drawn around ``violation_rate``, so halls range
from nearly compliant to poor, each with a known true score.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any, TypeVar

import cv2
import numpy as np
import yaml

from auditor.engine import evaluate
from auditor.manual import Manual
from auditor.scoring import score_audit
from auditor.synth import textures as tx
from auditor.synth.areas import CLASSES, Dice, compose
from auditor.synth.scene import AccentBand, HallStyle
from auditor.synth.truth import TRUTH_FILE, GeneratorInfo, HallTruth, PhotoTruth, Truth
from auditor.types import Area, ObjectFact, PhotoFacts

GENERATOR_VERSION = "7.1"  # bump when the photos (major) or only the truth (minor) a seed gives change

STREETS = ("纸坊街道", "金口街道", "山坡街道", "法泗街道", "乌龙泉街道", "郑店街道", "五里界街道", "安山街道",
           "湖泗街道", "舒安街道", "江夏经济开发区")
# Ascii stems for file names (ultralytics and some shells are happier with them).
STREET_IDS = ("zhifang", "jinkou", "shanpo", "fasi", "wulongquan", "zhengdian", "wulijie", "anshan", "husi", "shuan",
              "jiangxia_edz")

# Every photo set covers the areas in this order; a hall with more photos than areas gets more windows.
AREA_ORDER = (Area.ENTRANCE, Area.GUIDANCE_DESK, Area.WAITING_AREA, Area.WINDOW_COUNTER, Area.BACK_OFFICE,
              Area.SELF_SERVICE, Area.CONVENIENCE)

# What a perfect perception of a synthetic photo knows: the generator's classes and every analyzer.
TRUTH_ANALYZED = frozenset({"objects", "texts", "floor_lines", "persons"})


def hall_name(index: int) -> str:
    base = STREETS[index % len(STREETS)]
    return base if index < len(STREETS) else f"{base}{index // len(STREETS) + 1}"


def hall_id(index: int) -> str:
    base = STREET_IDS[index % len(STREET_IDS)]
    return base if index < len(STREET_IDS) else f"{base}{index // len(STREET_IDS) + 1}"


# How often a street's hall has each wall finish and accent band (painted walls and one stripe are the
# commonest in the district's halls).
WALL_FINISH_SHARES: dict[tx.WallFinish, float] = {"paint": 0.4, "wainscot": 0.25, "stone": 0.2, "veneer": 0.15}
BAND_SHARES: dict[AccentBand, float] = {"stripe": 0.5, "double": 0.25, "none": 0.25}
Choice = TypeVar("Choice", bound=str)


def _pick(rng: np.random.Generator, shares: dict[Choice, float]) -> Choice:
    """One of the keys of ``shares``, each drawn with its share."""
    choices = list(shares)
    return choices[int(rng.choice(len(choices), p=list(shares.values())))]


def hall_style(rng: np.random.Generator, street: str) -> HallStyle:
    warm = float(rng.uniform(-0.03, 0.03))
    return HallStyle(
        street=street,
        wall=tuple(float(c) for c in rng.choice([[0.9 + warm, 0.88, 0.84 - warm], [0.82, 0.8, 0.76],
                                                 [0.86, 0.82, 0.74], [0.78, 0.8, 0.82], [0.78, 0.82, 0.76],
                                                 [0.93, 0.92, 0.9]])),  # type: ignore[arg-type]
        floor=tuple(float(c) for c in rng.choice([[0.8, 0.78, 0.74], [0.72, 0.7, 0.68], [0.83, 0.8, 0.72],
                                                  [0.66, 0.64, 0.62]])),  # type: ignore[arg-type]
        tile_m=float(rng.choice([0.6, 0.8, 1.0])),
        accent=tuple(float(c) for c in rng.choice([[0.09, 0.29, 0.59], [0.1, 0.33, 0.66], [0.05, 0.25, 0.5]])),  # type: ignore[arg-type]
        counter=tuple(float(c) for c in rng.choice([[0.88, 0.87, 0.85], [0.8, 0.72, 0.6], [0.7, 0.72, 0.75]])),  # type: ignore[arg-type]
        seat=tuple(float(c) for c in rng.choice([[0.15, 0.3, 0.55], [0.3, 0.32, 0.35], [0.12, 0.4, 0.6]])),  # type: ignore[arg-type]
        uniform=str(rng.choice(["dark_blue", "dark_blue", "white"])),
        first_window=1,
        # Each street's hall is its own building: the district's blue and signs are the same everywhere,
        # the walls, ceiling, floor and counters are not.
        wall_finish=_pick(rng, WALL_FINISH_SHARES),
        band=_pick(rng, BAND_SHARES),
        ceiling=str(rng.choice(tx.CEILINGS)),  # type: ignore[arg-type]
        floor_pattern=str(rng.choice(tx.FLOOR_PATTERNS)),  # type: ignore[arg-type]
        counter_front=str(rng.choice(tx.COUNTER_FRONTS)),  # type: ignore[arg-type]
        wood=tuple(float(c) for c in rng.choice([[0.55, 0.38, 0.24], [0.68, 0.52, 0.36], [0.42, 0.29, 0.2],
                                                 [0.74, 0.62, 0.46]])),  # type: ignore[arg-type]
        stone=tuple(float(c) for c in rng.choice([[0.8, 0.77, 0.72], [0.7, 0.68, 0.66], [0.86, 0.83, 0.76]])),  # type: ignore[arg-type]
    )


def photo_areas(count: int) -> list[Area]:
    """The areas of a hall's ``count`` photos: every area once, then extra window counters."""
    areas = list(AREA_ORDER[:count])
    while len(areas) < count:
        areas.append(Area.WINDOW_COUNTER)
    return areas


def _splits(jobs: list[_Job], val_share: float) -> list[str]:
    """train/val per photo, drawn from its own seed so every area lands in both; at least one photo in
    train and, from two photos on, at least one in val."""
    splits = ["val" if np.random.default_rng(job.seed + 3).uniform() < val_share else "train" for job in jobs]
    if "train" not in splits:
        splits[0] = "train"
    if "val" not in splits and len(splits) > 1 and val_share > 0:
        splits[-1] = "val"
    return splits


def _clear_previous(out: Path) -> None:
    """Remove what an earlier run wrote here (only our own files), so no stale photo enters the dataset."""
    out.mkdir(parents=True, exist_ok=True)
    for name in ("images", "labels"):
        if (out / name).is_dir():
            shutil.rmtree(out / name)
    for name in (TRUTH_FILE, "data.yaml"):
        (out / name).unlink(missing_ok=True)


@contextmanager
def _pool(workers: int) -> Iterator[Any]:
    if workers <= 1:
        yield None
        return
    # Fork keeps the loaded modules; each worker renders whole photos and sends back arrays and facts.
    with get_context("fork").Pool(workers) as pool:
        yield pool


def render_photo(style: HallStyle, area: Area, seed: int, rate: float, window: int,
                 boost: Mapping[str, float] | None = None
                 ) -> tuple[np.ndarray, list[tuple[str, tuple[float, float, float, float]]], PhotoFacts, dict, list]:
    rng = np.random.default_rng(seed)
    dice = Dice(rng, rate, dict(boost or {}))
    extra = {"window": window} if area is Area.WINDOW_COUNTER else {}
    shot = compose(area, style, rng, dice, **extra)
    image = shot.render(np.random.default_rng(seed + 1))
    boxes = shot.boxes()
    by_label = {index: box for index, _, box in boxes}
    facts = PhotoFacts(
        photo="", area=area, width=image.shape[1], height=image.shape[0],
        objects=tuple(ObjectFact(name=name, box=box, confidence=1.0, source="truth") for _, name, box in boxes),
        persons=tuple(shot.persons(by_label)), texts=tuple(shot.texts()), floor_lines=tuple(shot.lines()),
        detectable=frozenset(CLASSES), analyzed=TRUTH_ANALYZED,
    )
    return image, [(name, box) for _, name, box in boxes], facts, shot.surface_items, dice.injected


def yolo_label_lines(boxes: list[tuple[str, tuple[float, float, float, float]]], width: int, height: int) -> list[str]:
    lines = []
    for name, (x0, y0, x1, y1) in boxes:
        cx, cy = (x0 + x1) / 2 / width, (y0 + y1) / 2 / height
        lines.append(f"{CLASSES.index(name)} {cx:.6f} {cy:.6f} {(x1 - x0) / width:.6f} {(y1 - y0) / height:.6f}")
    return lines


@dataclass(frozen=True)
class _Job:
    """One photo to render: everything random about it is fixed here, so workers can render in any order."""

    hall: int
    index: int
    style: HallStyle
    area: Area
    seed: int
    rate: float
    window: int
    boost: tuple[tuple[str, float], ...] = ()


def _plan(halls: int, photos: int, seed: int, violation_rate: float, hall_rates: list[float] | None,
          boost: Mapping[str, float]) -> tuple[list[_Job], dict[int, float]]:
    master = np.random.default_rng(seed)
    jobs: list[_Job] = []
    rates: dict[int, float] = {}
    for h in range(halls):
        hall_rng = np.random.default_rng(int(master.integers(2**31)))
        style = hall_style(hall_rng, hall_name(h))
        # Halls differ: some nearly compliant, some poor, around the requested rate.
        drawn = float(np.clip(hall_rng.uniform(0.2, 1.8) * violation_rate, 0.0, 1.0))
        rates[h] = hall_rates[h] if hall_rates is not None else drawn
        window = style.first_window
        for p, area in enumerate(photo_areas(photos)):
            jobs.append(_Job(h, p, style, area, int(hall_rng.integers(2**31)), rates[h], window,
                             tuple(sorted(boost.items()))))
            if area is Area.WINDOW_COUNTER:
                window += 1
    return jobs, rates


def _render_job(job: _Job) -> tuple[np.ndarray, list, PhotoFacts, dict, list]:
    return render_photo(job.style, job.area, job.seed, job.rate, job.window, dict(job.boost))


def generate(out: Path, manual: Manual, halls: int, photos: int, seed: int, violation_rate: float,
             val_share: float = 0.2, jpeg_quality: tuple[int, int] = (72, 94), hall_rates: list[float] | None = None,
             flat: bool = False, workers: int = 1, progress: Callable[[int, int], None] | None = None,
             boost: Mapping[str, float] | None = None) -> dict[str, Any]:
    """Write the folder and return the truth document (truth.json as a dict). The output depends on the
    seed only, not on ``workers`` (processes rendering in parallel).

    ``flat`` writes photos as ``DIR/<street>/<area>/<nn>.jpg`` (the layout `auditor audit` reads, used for
    the bundled samples) instead of the ultralytics layout; truth.json is written either way.
    ``hall_rates`` fixes each hall's violation rate instead of drawing it around ``violation_rate``.
    ``boost`` multiplies the chance of the named violations (``areas.CLUTTER_VIOLATIONS``: a training set
    that draws rare classes more often); everything else a seed draws stays the same.
    """
    _clear_previous(out)
    jobs, rates = _plan(halls, photos, seed, violation_rate, hall_rates, boost or {})
    splits = _splits(jobs, val_share)
    # Per hall: each photo's truth (verdicts still to come) and its typed facts for the manual's checks.
    generated: dict[int, list[tuple[PhotoTruth, PhotoFacts]]] = {h: [] for h in range(halls)}
    with _pool(workers) as pool:
        rendered = pool.imap(_render_job, jobs, chunksize=2) if pool is not None else map(_render_job, jobs)
        for done, (job, (image, boxes, facts, items, injected)) in enumerate(zip(jobs, rendered, strict=True)):
            split = splits[done]
            street = hall_name(job.hall)
            if flat:
                rel = Path(street) / job.area.value / f"{job.index:02d}.jpg"
            else:
                stem = f"{hall_id(job.hall)}_{job.index:02d}_{job.area.value}"
                rel = Path("images") / split / f"{stem}.jpg"
                label_path = out / "labels" / split / f"{stem}.txt"
                label_path.parent.mkdir(parents=True, exist_ok=True)
                label_path.write_text("\n".join(yolo_label_lines(boxes, image.shape[1], image.shape[0])) + "\n",
                                      encoding="utf-8")
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            quality = int(np.random.default_rng(job.seed + 2).integers(*jpeg_quality))
            cv2.imwrite(str(out / rel), image, [cv2.IMWRITE_JPEG_QUALITY, quality])
            named = facts.model_copy(update={"photo": rel.as_posix()})
            entry = PhotoTruth(file=rel.as_posix(), split=split, hall=street, area=job.area, width=image.shape[1],
                               height=image.shape[0],
                               facts=named.model_dump(mode="json", exclude={"detectable", "analyzed"}),
                               expected={}, surface_items=items, injected=tuple(injected))
            generated[job.hall].append((entry, named))
            if progress is not None:
                progress(done + 1, len(jobs))
    truth_photos: list[PhotoTruth] = []
    truth_halls: dict[str, HallTruth] = {}
    for h, photos_of_hall in generated.items():
        findings = evaluate(manual, [facts for _, facts in photos_of_hall])
        score = score_audit(manual, findings)
        for entry, _ in photos_of_hall:
            truth_photos.append(entry.model_copy(
                update={"expected": {f.rule_id: f.verdict for f in findings if f.photo == entry.file}}))
        truth_halls[hall_name(h)] = HallTruth(
            violation_rate=round(rates[h], 3), true_score=score.score, true_grade=score.grade,
            failed_critical=score.failed_critical,
            expected={f.rule_id: f.verdict for f in findings if f.photo is None},
            photos=tuple(entry.file for entry, _ in photos_of_hall))
    truth = Truth(
        generator=GeneratorInfo(version=GENERATOR_VERSION, seed=seed, halls=halls, photos=photos,
                                violation_rate=violation_rate, manual_version=manual.version,
                                manual_sha256=manual.sha256, classes=CLASSES, boost=dict(boost or {})),
        halls=truth_halls, photos=tuple(truth_photos))
    (out / TRUTH_FILE).write_text(truth.model_dump_json(indent=1), encoding="utf-8")
    if not flat:
        # No "path": ultralytics then reads the folders next to data.yaml, so the folder can be moved.
        val = "images/val" if "val" in splits else "images/train"  # a one-photo set validates on itself
        data = {"train": "images/train", "val": val, "names": dict(enumerate(CLASSES))}
        (out / "data.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return truth.model_dump(mode="json")
