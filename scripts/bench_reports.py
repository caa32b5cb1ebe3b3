"""Time every export: one audit of 120 photos in each format, and a round of 11 halls compared (PDF, Excel).

    .venv/bin/python scripts/bench_reports.py [--photos 120] [--halls 11] [--repeat 3] [--keep DIR]

Builds a throwaway store (generated photos, fake detectors: no model needed) in which the big audit fails
several rules on many photos (the rectification list and the PDF's evidence crops have work to do) and has
one inspector override; the round before gives each hall a previous score. Figures go into docs/reports.md.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402
from timing import median_seconds  # noqa: E402

from auditor.collect import PhotoInput  # noqa: E402
from auditor.errors import AuditorError  # noqa: E402
from auditor.manual import DEFAULT_MANUAL, load_manual  # noqa: E402
from auditor.pipeline import Auditor, Detectors  # noqa: E402
from auditor.reports.export import AUDIT_FORMATS, COMPARISON_FORMATS, export_audit, export_comparison  # noqa: E402
from auditor.store import AuditStore  # noqa: E402
from auditor.types import Area, Verdict  # noqa: E402
from tests.conftest import FixedObjects, FixedTexts  # noqa: E402

WIDTH, HEIGHT = 800, 600
HALLS = ["纸坊街道", "金口街道", "山坡街道", "法泗街道", "湖泗街道", "安山街道", "舒安街道", "五里界街道",
         "乌龙泉街道", "郑店街道", "流芳街道", "佛祖岭街道", "豹澥街道", "龙泉街道", "花山街道"]
CLUTTER = ["cup", "food", "bag", "plant", "paper_pile", "clothing", "sticker", "handwritten_note"]
EQUIPMENT = ["counter", "window_plate", "evaluation_device", "guide_map", "fire_exit_sign", "ticket_machine",
             "self_service_terminal", "call_screen", "fire_extinguisher", "water_dispenser", "first_aid_kit",
             "desk", "monitor", "keyboard"]


def photo_bytes(rng: random.Random, index: int, scale: int = 1) -> bytes:
    """A hall-like photo: a floor, a counter, some boxes; different bytes for every index. ``scale`` enlarges
    it (5: 4000 x 3000, a phone photo's 12 megapixels)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (200 + index % 40, 200, 190))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, HEIGHT * 0.6, WIDTH, HEIGHT), fill=(150, 140, 130))
    draw.rectangle((40, 240, 760, 440), fill=(120, 90, 60))
    for _ in range(12):
        x, y = rng.randrange(WIDTH - 60), rng.randrange(HEIGHT - 60)
        draw.rectangle((x, y, x + rng.randrange(10, 60), y + rng.randrange(10, 60)),
                       fill=tuple(rng.randrange(256) for _ in range(3)))
    if scale > 1:
        image = image.resize((WIDTH * scale, HEIGHT * scale), Image.Resampling.BILINEAR)
    noise = np.asarray(image, dtype=np.int16) + np.random.default_rng(index).integers(-8, 8, (*image.size[::-1], 3))
    buffer = io.BytesIO()
    Image.fromarray(noise.clip(0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def auditor_for(manual, rng: random.Random, clutter: int, scale: int = 1) -> Auditor:
    """Fake detectors that see the hall's equipment and ``clutter`` personal items on every photo (boxes in the
    pixels of photos enlarged ``scale`` times)."""
    found = [(name, (40 + 50 * i, 250, 90 + 50 * i, 300)) for i, name in enumerate(EQUIPMENT)]
    found[0] = ("counter", (40, 240, 760, 440))
    found[1] = ("window_plate", (300, 60, 500, 140))
    found += [(name, (80 + 70 * i, 200, 140 + 70 * i, 250)) for i, name in enumerate(rng.sample(CLUTTER, clutter))]
    found = [(name, tuple(v * scale for v in box)) for name, box in found]
    objects = FixedObjects(found=found, detectable=set(EQUIPMENT + CLUTTER))
    sign = "3号窗口 综合受理" if rng.random() < 0.7 else "窗口"
    texts = FixedTexts([(sign, tuple(v * scale for v in (305, 65, 495, 135)))])
    return Auditor(manual, Detectors(objects=objects, texts=texts, lines=None))


def build_store(folder: Path, photos: int, halls: int, seed: int = 0, scale: int = 1) -> tuple[AuditStore, int, str]:
    manual = load_manual(DEFAULT_MANUAL)
    store = AuditStore(f"sqlite:///{folder / 'bench.db'}", photo_dir=folder / "photos")
    rng = random.Random(seed)
    areas = list(Area)
    counter = 0

    def inputs(hall: str, count: int) -> list[PhotoInput]:
        nonlocal counter
        batch = []
        for i in range(count):
            counter += 1
            area = areas[i % len(areas)]
            batch.append(PhotoInput(f"{hall}/{area.value}/{i + 1:03d}.jpg", area, photo_bytes(rng, counter, scale)))
        return batch

    big_id = None
    names = HALLS[:halls] if halls <= len(HALLS) else [f"街道{i + 1:02d}" for i in range(halls)]
    for round_name, count in (("2026-Q3", 7), ("2026-Q4", 14)):
        for h, hall in enumerate(names):
            auditor = auditor_for(manual, rng, clutter=rng.randrange(0, 4) if h else 3, scale=scale)
            n = photos if (round_name == "2026-Q4" and h == 0) else count
            audit_id, _ = auditor.audit(inputs(hall, n), hall=hall, round_name=round_name, inspector="张三",
                                        store=store)
            if round_name == "2026-Q4" and h == 0:
                big_id = audit_id
    assert big_id is not None
    stored = store.load(big_id)
    failed = next(f for f in stored.result.findings if f.verdict is Verdict.FAIL)
    store.override(failed.id, Verdict.PASS, "杯子是办事群众的，已确认", by="李四")
    return store, big_id, "2026-Q4"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=120)
    parser.add_argument("--halls", type=int, default=11)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write one export of each kind into this folder")
    parser.add_argument("--photo-scale", type=int, default=1, choices=range(1, 7),
                        help="enlarge the 800 x 600 photos (5: 4000 x 3000, 12 megapixels like a phone's)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store, audit_id, round_name = build_store(Path(tmp), args.photos, args.halls, scale=args.photo_scale)
        stored = store.load(audit_id)
        failed = sum(1 for f in stored.result.findings if f.final_verdict is Verdict.FAIL)
        print(f"audit #{audit_id}: {len(stored.result.photos)} photos, {len(stored.result.findings)} findings "
              f"({failed} failed); round {round_name}: {len(store.latest_per_hall(round_name))} halls; "
              f"median of {args.repeat} runs")
        print(f"{'export':22s} {'seconds':>8s} {'size':>10s}")
        jobs = [(f"audit {fmt}", fmt, lambda fmt=fmt: export_audit(store, audit_id, fmt)) for fmt in AUDIT_FORMATS]
        jobs += [(f"comparison {fmt}", fmt, lambda fmt=fmt: export_comparison(store, round_name, fmt))
                 for fmt in COMPARISON_FORMATS]
        for name, fmt, job in jobs:
            try:
                data = job()
            except AuditorError as exc:
                print(f"{name:22s} {'-':>8s} {'-':>10s}  ({exc})")
                continue
            seconds = median_seconds(job, args.repeat)
            print(f"{name:22s} {seconds:8.2f} {len(data) / 1024:8.0f} KB")
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                (args.keep / f"{name.replace(' ', '.')}.{fmt}").write_bytes(data)


if __name__ == "__main__":
    main()
