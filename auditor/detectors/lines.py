"""Floor marking lines with OpenCV: colour segmentation of the floor, then a line fitted to each stripe.

Floor tape and paint are saturated colours on a duller floor, so each marking colour is segmented on its
own in HSV, closed so that worn or dashed stretches join, and every elongated blob becomes one line with
its two end points along its long axis. The distance from the counter in metres needs a scale from the
photo and is left to the real-photo analyzer (issue: analyzers); until then it stays None and the
one-metre check is not assessable.
"""

from __future__ import annotations

import cv2
import numpy as np
import supervision as sv

from auditor.detectors.base import detections
from auditor.detectors.colour import COLOUR_CODE, pixel_colour_codes

# Floor markings use strong colours; white and grey are left out because bright tiles and reflections
# would be read as lines.
MARKING_COLOURS = ("yellow", "red", "green", "blue", "orange")


class FloorLineFinder:
    """A ``LineFinder`` over the lower part of the photo, where the floor is."""

    name = "opencv-lines"

    def __init__(self, floor_from: float = 0.35, min_length_frac: float = 0.08, max_thickness_frac: float = 0.06,
                 min_elongation: float = 5.0):
        self.floor_from = floor_from
        self.min_length_frac = min_length_frac
        # Tape is 5-10 cm wide: even close to the camera it is a thin band, unlike a counter's coloured front.
        self.max_thickness_frac = max_thickness_frac
        self.min_elongation = min_elongation

    def find(self, image: np.ndarray) -> sv.Detections:
        height, width = image.shape[:2]
        top = int(height * self.floor_from)
        hsv = cv2.cvtColor(image[top:], cv2.COLOR_BGR2HSV)
        codes = pixel_colour_codes(hsv)
        boxes, names, confidences, colours, points, lengths = [], [], [], [], [], []
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5))
        for colour in MARKING_COLOURS:
            mask = (codes == COLOUR_CODE[colour]).astype(np.uint8) * 255
            mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
            mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel, iterations=2)
            contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
            for contour in contours:
                (cx, cy), (w, h), angle = cv2.minAreaRect(contour)
                length, thickness = max(w, h), max(min(w, h), 1.0)
                if (length < self.min_length_frac * width or thickness > self.max_thickness_frac * width
                        or length / thickness < self.min_elongation):
                    continue
                # The long axis of the rectangle, from minAreaRect's angle convention.
                theta = np.deg2rad(angle if w >= h else angle + 90)
                dx, dy = np.cos(theta) * length / 2, np.sin(theta) * length / 2
                p1 = (float(cx - dx), float(cy - dy + top))
                p2 = (float(cx + dx), float(cy + dy + top))
                x, y, bw, bh = cv2.boundingRect(contour)
                fill = cv2.contourArea(contour) / max(length * thickness, 1.0)
                boxes.append((x, y + top, x + bw, y + bh + top))
                names.append("floor_line")
                confidences.append(float(min(1.0, fill)))
                colours.append((colour,))
                points.append((p1, p2))
                lengths.append(float(length))
        return detections(np.asarray(boxes, dtype=np.float32).reshape(-1, 4), names, confidences,
                          colours=colours, points=points, length_px=lengths)
