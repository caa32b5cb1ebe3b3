"""Redraw the figures of docs/synthetic.md from the bundled samples: a contact sheet of two photos from
every street (a different pair of areas each, so the sheet shows every area and every street's building),
and three photos with their truth drawn on (boxes, floor lines with their distance in metres).

    python scripts/make_synth_figures.py
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SAMPLES, OUT = ROOT / "samples", ROOT / "docs" / "synthetic"
GREEN, MAGENTA = (40, 220, 40), (255, 0, 255)


def overlay(photo: dict) -> np.ndarray:
    image = cv2.imread(str(SAMPLES / photo["file"]))
    for obj in photo["facts"]["objects"]:
        x0, y0, x1, y1 = map(int, obj["box"])
        cv2.rectangle(image, (x0, y0), (x1, y1), GREEN, 2)
        cv2.putText(image, obj["name"], (x0 + 2, max(y0 - 4, 10)), cv2.FONT_HERSHEY_SIMPLEX, 0.45, GREEN, 1,
                    cv2.LINE_AA)
    for line in photo["facts"]["floor_lines"]:
        (a, b), (c, d) = line["points"]
        cv2.line(image, (int(a), int(b)), (int(c), int(d)), MAGENTA, 2)
        if line["distance_m"] is not None:
            cv2.putText(image, f"{line['distance_m']:.2f} m", (int(a), int(b) - 6), cv2.FONT_HERSHEY_SIMPLEX, 0.6,
                        MAGENTA, 2)
    return cv2.resize(image, (640, 480), interpolation=cv2.INTER_AREA)


def main() -> None:
    truth = json.loads((SAMPLES / "truth.json").read_text(encoding="utf-8"))
    photos = []
    for h, street in enumerate(truth["halls"]):
        own = [p for p in truth["photos"] if p["hall"] == street]
        photos += [own[(2 * h + k) % len(own)] for k in range(min(2, len(own)))]
    tiles = [cv2.resize(cv2.imread(str(SAMPLES / p["file"])), (480, 360), interpolation=cv2.INTER_AREA)
             for p in photos]
    tiles += [np.full_like(tiles[0], 255)] * (-len(tiles) % 4)  # a last row filled out with blank tiles
    OUT.mkdir(parents=True, exist_ok=True)
    sheet = np.vstack([np.hstack(tiles[i:i + 4]) for i in range(0, len(tiles), 4)])
    cv2.imwrite(str(OUT / "contact_sheet.jpg"), sheet, [cv2.IMWRITE_JPEG_QUALITY, 80])
    chosen = [p for p in photos if p["area"] in ("window_counter", "guidance_desk", "waiting_area")][:3]
    cv2.imwrite(str(OUT / "truth_overlay.jpg"), np.hstack([overlay(p) for p in chosen]),
                [cv2.IMWRITE_JPEG_QUALITY, 82])
    print(f"wrote {OUT / 'contact_sheet.jpg'} and {OUT / 'truth_overlay.jpg'}")


if __name__ == "__main__":
    main()
