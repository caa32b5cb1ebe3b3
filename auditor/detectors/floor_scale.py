"""Metres on the floor from one photo: the horizon from the floor's receding lines, the scale from the tape.

Along one column of a photo, a flat floor maps image rows to floor depth projectively, with the horizon as
the row of infinite depth: depth(y) = a + K / (y - horizon). Two facts fix the one unknown that a
difference of depths needs (K):
- the horizon row, where the floor's receding lines (tile joints, skirting, the sides of counters and
  seat rows) meet;
- the tape's width in metres, which the manual fixes (the one-metre line is 10 cm wide): its near and far
  edges are two rows whose depths differ by that width.
Then the distance from the counter's foot (found near the bottom of the detected counter box) to the middle of the
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

from auditor.types import Box, LineFact

# Work on at most this many pixels on the long side (the line finder's scale), and judge at most this many
# receding segments, the longest: thresholds are set for that size, and a 12-megapixel phone photo gives
# thousands of segments whose pairs would take minutes.
_WORK_SIDE = 1000
_MOST_SEGMENTS = 120


def horizon_row(image: np.ndarray, min_support: int = 4, above: float | None = None) -> float | None:
    """The row of the floor's vanishing point, or None when too few receding lines agree on one.
    ``above``: a row the horizon must lie above (the top of a counter, which stands below eye height)."""
    height, width = image.shape[:2]
    scale = min(1.0, _WORK_SIDE / max(height, width))
    work = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else image
    h, w = work.shape[:2]
    top = int(h * 0.35)
    gray = cv2.cvtColor(work[top:], cv2.COLOR_BGR2GRAY) if work.ndim == 3 else work[top:]
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
    lengths = np.hypot(receding[:, 2] - receding[:, 0], receding[:, 3] - receding[:, 1])
    longest = np.argsort(-lengths)[:_MOST_SEGMENTS]
    receding, lengths = receding[longest], lengths[longest]
    # Homogeneous lines through each segment; the vanishing point most of them pass close to wins.
    p = np.column_stack([receding[:, :2], np.ones(len(receding))])
    q = np.column_stack([receding[:, 2:], np.ones(len(receding))])
    lines = np.cross(p, q)
    lines /= np.linalg.norm(lines[:, :2], axis=1, keepdims=True)
    i, j = np.triu_indices(len(lines), k=1)
    points = np.cross(lines[i], lines[j])
    usable = np.abs(points[:, 2]) > 1e-9
    points = points[usable] / points[usable, 2:3]
    lowest = top + 0.25 * h if above is None else min(top + 0.25 * h, above * scale)
    inside = (-2 * h < points[:, 1]) & (points[:, 1] < lowest) & (-3 * w < points[:, 0]) & (points[:, 0] < 4 * w)
    points = points[inside]
    if not len(points):
        return None
    # Support of each candidate point: segments whose line passes within 1.5 degrees of it, seen from the
    # segment's middle, and that lie wholly below it: what recedes on the floor or below eye height (tile
    # joints, skirting, counter sides) lies below the horizon, and an edge above it (a raised arm, a
    # poster's corner) cannot vouch for it. Each segment weighs by its length: a tile joint runs long, the
    # grain of a wood counter front or the edge of a shadow gives short pieces that agree by chance. In
    # chunks, so that thousands of candidates stay within memory.
    mid = (receding[:, :2] + receding[:, 2:]) / 2
    highest = np.minimum(receding[:, 1], receding[:, 3])
    tolerance = np.tan(np.radians(1.5))
    count = np.empty(len(points), dtype=int)
    weight = np.empty(len(points), dtype=float)
    for start in range(0, len(points), 2048):
        chunk = points[start:start + 2048]
        dist = np.abs(chunk @ lines.T)
        reach = np.hypot(mid[None, :, 0] - chunk[:, None, 0], mid[None, :, 1] - chunk[:, None, 1])
        agrees = (dist <= np.maximum(reach * tolerance, 2.0)) & (highest[None, :] > chunk[:, None, 1])
        count[start:start + 2048] = agrees.sum(axis=1)
        weight[start:start + 2048] = agrees @ lengths
    best = int(np.where(count >= min_support, weight, -1.0).argmax())
    if count[best] < min_support:
        return None
    return float(points[best, 1] / scale)


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


def distance_to_counter(image: np.ndarray, line: LineFact, counters: list[Box], horizon: float | None,
                        tape_width_m: float) -> float | None:
    """The line's distance in metres from the foot of the counter behind it, None where it cannot be told.

    The counter is the detected one whose box spans the line's middle and ends above it; the scale comes from
    the photo's horizon (``horizon_row``) and the tape's width in metres and in pixels.
    """
    (x1, y1), (x2, y2) = line.points
    mid_x, mid_y = (x1 + x2) / 2, (y1 + y2) / 2
    behind = [box for box in counters if box[0] <= mid_x <= box[2] and box[3] < mid_y]
    if horizon is None or line.thickness_px is None or not behind:
        return None
    counter = max(behind, key=lambda box: box[3])  # the nearest counter above the line
    edge = counter_foot_row(image, counter, mid_x)
    if edge is None:
        return None
    angle = (float(np.degrees(np.arctan2(y2 - y1, x2 - x1))) + 90) % 180 - 90
    return distance_from_edge(mid_y, line.thickness_px, angle, edge, horizon, tape_width_m)


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
