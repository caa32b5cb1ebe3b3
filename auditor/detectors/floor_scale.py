"""Metres on the floor from one photo: the horizon from the floor's receding lines, the scale from the tape.

Along one column of a photo, a flat floor maps image rows to floor depth projectively, with the horizon as
the row of infinite depth: depth(y) = a + K / (y - horizon). Two facts fix the one unknown that a
difference of depths needs (K):
- the horizon row, where the floor's receding lines (tile joints, skirting, the sides of counters and
  seat rows) meet;
- the tape's width in metres, which the manual fixes (the one-metre line is 10 cm wide): its near and far
  edges are two rows whose depths differ by that width.
Then the distance from the counter's foot (found at the bottom of the detected counter box) to the middle of the
line follows. It holds for a line seen roughly face-on (parallel to the counter and the photo's bottom
edge) on a level floor; whenever one of these facts is missing the distance stays unknown (None) and the
one-metre check says ``not_assessable`` rather than guess.

The counter's foot is found as an edge at the line's column (``counter_foot_row``), not taken from the
box's bottom, which is the foot's nearest point in a photo taken at an angle. Accuracy on synthetic halls:
docs/analyzers.md (scripts/eval_lines.py).
"""

from __future__ import annotations

import cv2
import numpy as np
import supervision as sv

Box = tuple[float, float, float, float]


def horizon_row(image: np.ndarray, min_support: int = 4) -> float | None:
    """The row of the floor's vanishing point, or None when too few receding lines agree on one."""
    h, w = image.shape[:2]
    top = int(h * 0.35)
    gray = cv2.cvtColor(image[top:], cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image[top:]
    edges = cv2.Canny(cv2.GaussianBlur(gray, (3, 3), 0), 20, 60)
    found = cv2.HoughLinesP(edges, 1, np.pi / 180, threshold=30, minLineLength=max(20, int(w * 0.05)),
                            maxLineGap=max(4, w // 150))
    if found is None:
        return None
    segments = found.reshape(-1, 4).astype(np.float64)
    segments[:, [1, 3]] += top
    dx, dy = segments[:, 2] - segments[:, 0], segments[:, 3] - segments[:, 1]
    angle = np.degrees(np.abs(np.arctan2(dy, dx))) % 180
    angle = np.minimum(angle, 180 - angle)
    receding = segments[(angle > 12) & (angle < 80)]
    if len(receding) < min_support:
        return None
    # Homogeneous lines through each segment; the vanishing point most of them pass close to wins.
    p = np.column_stack([receding[:, :2], np.ones(len(receding))])
    q = np.column_stack([receding[:, 2:], np.ones(len(receding))])
    lines = np.cross(p, q)
    lines /= np.linalg.norm(lines[:, :2], axis=1, keepdims=True)
    best: tuple[int, float] | None = None
    for i in range(len(lines)):
        for j in range(i + 1, len(lines)):
            vp = np.cross(lines[i], lines[j])
            if abs(vp[2]) < 1e-9:
                continue
            vx, vy = vp[0] / vp[2], vp[1] / vp[2]
            if not (-2 * h < vy < top + 0.25 * h) or not (-3 * w < vx < 4 * w):
                continue
            # Support: segments whose line passes within a small angle of the point, seen from the segment.
            mid = (receding[:, :2] + receding[:, 2:]) / 2
            dist = np.abs(lines @ np.array([vx, vy, 1.0]))
            reach = np.hypot(mid[:, 0] - vx, mid[:, 1] - vy)
            support = int((dist <= np.maximum(reach * np.tan(np.radians(1.5)), 2.0)).sum())
            if best is None or support > best[0]:
                best = (support, vy)
    if best is None or best[0] < min_support:
        return None
    return float(best[1])


def distance_from_edge(line_y: float, thickness_px: float, line_angle_deg: float, edge_y: float,
                       horizon_y: float, width_m: float) -> float | None:
    """Metres on the floor from an edge (the counter's foot, row ``edge_y``) to the middle of a tape line.

    ``line_y`` is the row of the line's middle at the column where it is measured, ``thickness_px`` the tape's
    width across the line in pixels, ``width_m`` its width in metres. None when the geometry does not hold:
    the line is not face-on, or the rows are not below the horizon in the order floor geometry demands.
    """
    if abs(line_angle_deg) > 20 or thickness_px <= 0 or width_m <= 0:
        return None
    vertical = thickness_px / np.cos(np.radians(line_angle_deg))
    far, near = line_y - vertical / 2, line_y + vertical / 2
    if not (horizon_y < edge_y < far):
        return None
    inverse_width = 1 / (far - horizon_y) - 1 / (near - horizon_y)
    if inverse_width <= 0:
        return None
    k = width_m / inverse_width
    return float(k * (1 / (edge_y - horizon_y) - 1 / (line_y - horizon_y)))


def measure_line_distances(image: np.ndarray, lines: sv.Detections, counters: list[Box], horizon: float | None,
                           tape_width_m: float = 0.10) -> list[float | None]:
    """Each line's distance in metres from the foot of the counter behind it, None where it cannot be told.

    The counter is the detected one whose box spans the line's middle and ends above it; the scale comes from
    the photo's horizon and the tape's width (``horizon``: ``horizon_row``).
    """
    distances: list[float | None] = []
    thickness = lines.data.get("thickness_px", [None] * len(lines))
    for pts, thick in zip(lines.data["points"], thickness, strict=True):
        (x1, y1), (x2, y2) = pts
        mid_x, mid_y = (x1 + x2) / 2, (y1 + y2) / 2
        behind = [box for box in counters if box[0] <= mid_x <= box[2] and box[3] < mid_y]
        if horizon is None or thick is None or not behind:
            distances.append(None)
            continue
        counter = max(behind, key=lambda box: box[3])  # the nearest counter above the line
        edge = counter_foot_row(image, counter, mid_x)
        if edge is None:
            distances.append(None)
            continue
        angle = float(np.degrees(np.arctan2(y2 - y1, x2 - x1)))
        angle = (angle + 90) % 180 - 90
        distances.append(distance_from_edge(mid_y, float(thick), angle, edge, horizon, tape_width_m))
    return distances


def counter_foot_row(image: np.ndarray, box: Box, x: float) -> float | None:
    """The row where the counter's front meets the floor, at column ``x`` of the photo.

    The box's bottom is the foot's lowest point, which is nearer than the foot behind a line when the photo
    is taken at an angle. So the foot is found as an edge: in each column across the box, the lowest strong
    change of brightness in the box's bottom fifth; a straight line through those rows (outliers dropped)
    gives the row at ``x``."""
    h, w = image.shape[:2]
    x1, y1, x2, y2 = (int(round(v)) for v in box)
    top, bottom = max(int(y2 - 0.2 * (y2 - y1)), 0), min(int(y2 + 0.03 * (y2 - y1)) + 2, h)
    x1, x2 = max(x1, 0), min(x2, w)
    if bottom - top < 6 or x2 - x1 < 20:
        return None
    gray = cv2.cvtColor(image[top:bottom, x1:x2], cv2.COLOR_BGR2GRAY).astype(np.float32)
    gy = np.abs(cv2.Sobel(cv2.GaussianBlur(gray, (5, 5), 0), cv2.CV_32F, 0, 1, ksize=3))
    columns, rows = [], []
    for c in range(0, x2 - x1, 4):
        profile = gy[:, c]
        if profile.max() < 20:
            continue
        strong = np.nonzero(profile >= 0.5 * profile.max())[0]
        columns.append(c + x1)
        rows.append(strong.max() + top)
    if len(columns) < 5:
        return None
    cols, rws = np.asarray(columns, float), np.asarray(rows, float)
    keep = np.ones(len(cols), bool)
    for _ in range(3):  # fit, drop what lies far off, fit again
        slope, intercept = np.polyfit(cols[keep], rws[keep], 1)
        residual = np.abs(rws - (slope * cols + intercept))
        keep = residual <= max(2.0, 2.5 * float(np.median(residual[keep])))
        if keep.sum() < 5:
            return None
    return float(slope * x + intercept)
