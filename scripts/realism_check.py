"""Make a blind "photo or drawing?" sheet: generated hall photos shuffled among real photos, numbered, with
the key kept in a separate file, so that someone who has not seen the key can pick out what looks drawn.

    python scripts/realism_check.py --real ../shared/realdev --out data/realism [--seed 1] [--count 6]

Writes OUT/sheet.png (tiles at a glance size, numbered) and OUT/key.json (number -> file, real or
generated). The real photos are read where they are and never copied into the project.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np
from realism_stats import glance, photos

from auditor.errors import AuditorError
from auditor.photos import read_photo

ROOT = Path(__file__).resolve().parent.parent


def _tile(path: Path, number: int) -> np.ndarray:
    try:
        tile = glance(read_photo(path).image)
    except AuditorError as error:
        raise SystemExit(f"cannot read {path}: {error}") from error
    cv2.rectangle(tile, (0, 0), (44, 30), (0, 0, 0), -1)
    cv2.putText(tile, str(number), (4, 23), cv2.FONT_HERSHEY_SIMPLEX, 0.75, (255, 255, 255), 2, cv2.LINE_AA)
    return tile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, required=True, help="folder of real photos")
    parser.add_argument("--generated", type=Path, default=ROOT / "samples", help="folder of generated photos")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "realism")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=6, help="photos of each kind")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    real, generated = photos(args.real), photos(args.generated)
    if len(real) < args.count or len(generated) < args.count:
        raise SystemExit(f"need {args.count} photos of each kind: {len(real)} real, {len(generated)} generated")
    chosen = [(p, "real") for p in rng.choice(real, args.count, replace=False)] + \
             [(p, "generated") for p in rng.choice(generated, args.count, replace=False)]
    order = rng.permutation(len(chosen))
    tiles, key = [], {}
    for number, index in enumerate(order, start=1):
        path, kind = chosen[index]
        tiles.append(_tile(Path(path), number))
        key[number] = {"file": str(path), "kind": kind}
    columns = 4
    while len(tiles) % columns:
        tiles.append(np.zeros_like(tiles[0]))
    sheet = np.vstack([np.hstack(tiles[i:i + columns]) for i in range(0, len(tiles), columns)])
    args.out.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(args.out / "sheet.png"), sheet)
    (args.out / "key.json").write_text(json.dumps(key, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {args.out / 'sheet.png'} ({len(chosen)} photos) and the key in {args.out / 'key.json'}")


if __name__ == "__main__":
    main()
