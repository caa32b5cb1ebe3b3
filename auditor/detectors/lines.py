"""Floor marking lines with OpenCV: colour segmentation, then straight bands fitted and checked one by one.

Floor tape and paint are saturated colours on a duller floor. Each marking colour family is segmented in
HSV and closed so that worn, dashed or striped stretches (hazard tape) join into one band. A band that is
long and thin becomes a line; a blob that is not (a U or a frame of position marks, a keep-clear box) is
split into its straight sides by peeling off one Hough segment at a time.

Saturated colour is everywhere in a photo (bus paint, brick, LED strips, signs), so every band must also
look like something lying *on the floor*:
- it reaches below 60% of the photo's height: from standing height, floor that shows higher up is metres
  away, where tape is a sliver, and what is coloured there is mostly counters, walls and furniture. Where
  the camera looks down steeply (the horizon, from the floor's receding lines, at the photo's top or above),
  near floor begins higher, and an unmistakable band there counts too (``_FloorReach``);
- the strips beside it, on both sides, are one and the same surface (tape on a floor has floor on both
  sides; an LED strip at a counter's foot or a rail in front of a wall has two different surfaces);
- that surface is like the floor at the bottom of the photo, and the band's colour is not the floor's own;
- the band stands out from it in colour (a faint reflection of a blue wall band on a glossy floor does not).

Each line reports its colours (hazard tape as both: yellow/black, red/white), its end points, its length,
its style (solid, dashed or striped) and the tape's width in pixels (what ``auditor.detectors.floor_scale``
needs to turn pixels into metres).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import cv2
import numpy as np
import supervision as sv
from scipy.optimize import OptimizeWarning, curve_fit
from scipy.special import erf

from auditor.detectors.base import as_bgr, detections
from auditor.detectors.colour import COLOUR_CODE, pixel_colour_codes
from auditor.detectors.floor_scale import horizon_row

# Floor markings use strong colours; white and grey are left out as line colours because bright tiles and
# reflections would be read as lines (white still counts as the second colour of red/white hazard tape).
MARKING_COLOURS = ("yellow", "red", "green", "blue", "orange")
# Pixel colour codes segmented together for each marking colour: tape in warm light drifts towards orange,
# red tape in shadow towards brown, blue towards dark blue.
_FAMILY = {
    "yellow": ("yellow", "orange"),
    "red": ("red", "orange", "brown"),
    "orange": ("orange",),
    "green": ("green",),
    "blue": ("blue", "dark_blue"),
}
# Work at most this many pixels on the long side: thresholds are set for it, and big photos get no better.
_WORK_SIDE = 1000
# How far away floor tape is still read (metres), and the camera it is seen with: a phone's main camera
# (focal length about 0.73 of the photo's long side) at an inspector's eye height. Tape lies on the floor, so
# it shows at least FOCAL x EYE / FARTHEST below the horizon: 0.18 of the photo's long side. With the camera
# pitched 10 degrees down that is the "60% of the photo's height" every band must reach below; looking
# down steeply the horizon leaves the photo and near floor fills all of it.
FARTHEST_TAPE_M = 6.0
PHONE_FOCAL_SHARE = 0.73
EYE_HEIGHT_M = 1.5
# A standing inspector photographs the floor ahead, never straight down: a horizon that puts the camera more
# than this far down is a vanishing point of something else (a gate's or a cupboard's edges seen from below).
STEEPEST_PITCH_DEG = 45.0
# Only a camera looking down steeply (about 20 degrees or more: the horizon in the photo's top tenth or above
# it) moves where near floor begins; at the usual pitch the usual row holds, so that a coloured stripe on a
# counter front just above it stays out.
STEEP_HORIZON_SHARE = 0.1
# A band above where near floor usually begins, admitted only by the horizon, must be unmistakable tape:
# this confidence at least (vivid, crisp, on one even floor). In the real photos the bands that the horizon
# alone would have admitted reached 0.49-0.88; the stress set's tapes seen steeply, 1.0.
SURE_ABOVE_USUAL_REACH = 0.9


@dataclass(frozen=True)
class _Band:
    """A straight band in work-image pixels: its axis from p1 to p2 and its thickness across."""

    p1: tuple[float, float]
    p2: tuple[float, float]
    thickness: float
    # Fitted to the tape's own pixels of a peeled stripe, after the whole stripe was no line (_peel).
    refitted: bool = False
    # Made of dashes chained along one axis (_dashed_lines): what lies between them may be floor.
    dashed: bool = False

    @property
    def length(self) -> float:
        return float(np.hypot(self.p2[0] - self.p1[0], self.p2[1] - self.p1[1]))

    def unit(self) -> tuple[np.ndarray, np.ndarray]:
        d = np.subtract(self.p2, self.p1) / max(self.length, 1e-6)
        return d, np.array([-d[1], d[0]])

    def polygon(self, offset: float = 0.0) -> np.ndarray:
        """The band's rectangle, shifted ``offset`` px along its normal."""
        d, n = self.unit()
        half = self.thickness / 2
        c1, c2 = np.asarray(self.p1) + n * offset, np.asarray(self.p2) + n * offset
        return np.array([c1 + n * half, c2 + n * half, c2 - n * half, c1 - n * half], dtype=np.float32)


class _FloorReach:
    """Where near floor begins in a photo: the row a floor line must reach below. Usually ``usual_row`` (the
    finder's ``floor_from`` share of the height, right for a photo taken about level); where the horizon,
    found from the floor's receding lines, says the camera looks down steeply (STEEP_HORIZON_SHARE), near
    floor begins higher (FARTHEST_TAPE_M). The horizon is looked for once, and only when a sure band is on
    the floor but for its height in the photo. Rows are the work image's."""

    def __init__(self, work: np.ndarray, usual_row: float):
        self.work, self.usual_row = work, usual_row
        height, width = work.shape[:2]
        self.focal = PHONE_FOCAL_SHARE * max(height, width)  # a phone's focal length is a share of its long side
        self.near = self.focal * EYE_HEIGHT_M / FARTHEST_TAPE_M
        self.steepest = height / 2 - self.focal * np.tan(np.radians(STEEPEST_PITCH_DEG))
        # No horizon can put near floor above this row: a band above it is no floor line, horizon or not.
        self.highest_row = min(usual_row, max(self.steepest + self.near, 0.0))
        self._row: float | None = None

    def floor_row_at_most(self) -> float:
        if self._row is None:
            # On a half-size copy: here the horizon only tells a steep view from a level one, and at full size
            # it took a third of the finder's time on the photos that asked for it.
            half = cv2.resize(self.work, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
            found = horizon_row(half)
            horizon = None if found is None else 2 * found
            height = self.work.shape[0]
            if horizon is None or not self.steepest <= horizon <= STEEP_HORIZON_SHARE * height:
                self._row = self.usual_row
            else:
                self._row = min(self.usual_row, horizon + self.near)
        return self._row


def _band_of(points: np.ndarray) -> _Band:
    """The straight band a set of (x, y) pixels forms: principal axis, extent along it, thickness across."""
    centre = points.mean(axis=0)
    offsets = points - centre
    # The principal axis: the main eigenvector of the 2x2 covariance (what an SVD of all the pixels gives,
    # at a fraction of the work on a band of thousands of pixels).
    _, vectors = np.linalg.eigh(offsets.T @ offsets)
    d = vectors[:, -1]
    if d[0] < 0 or (d[0] == 0 and d[1] < 0):
        d = -d  # end points run left to right
    n = np.array([-d[1], d[0]])
    along, across = offsets @ d, offsets @ n
    lo, hi = np.percentile(along, [0.5, 99.5])
    # Thickness from the spread across (a uniform band of width t has standard deviation t / sqrt(12)), which
    # averages over the whole line and so is finer than a pixel.
    thickness = float(np.sqrt(12.0) * across.std())
    return _Band(tuple(centre + d * lo), tuple(centre + d * hi), max(thickness, 1.0))


class FloorLineFinder:
    """A ``LineFinder``: painted or taped lines on the floor, each checked to lie on the floor."""

    name = "opencv-lines"

    def __init__(self, min_length_frac: float = 0.08, max_thickness_frac: float = 0.06,
                 min_elongation: float = 6.0, floor_from: float = 0.6):
        self.min_length_frac = min_length_frac
        # Tape is 5-10 cm wide: even close to the camera it is a thin band, unlike a counter's coloured front.
        self.max_thickness_frac = max_thickness_frac
        self.min_elongation = min_elongation
        # A floor line reaches below this share of the photo's height.
        self.floor_from = floor_from

    def find(self, image: np.ndarray) -> sv.Detections:
        image = as_bgr(image)
        height, width = image.shape[:2]
        scale = min(1.0, _WORK_SIDE / max(height, width))
        work = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else image
        h, w = work.shape[:2]
        hsv = cv2.cvtColor(work, cv2.COLOR_BGR2HSV)
        lab = cv2.cvtColor(work, cv2.COLOR_BGR2Lab).astype(np.float32)
        codes = pixel_colour_codes(hsv)
        floor = _floor_reference(lab)
        reach = _FloorReach(work, self.floor_from * h)
        found: list[tuple[_Band, tuple[str, ...], str, float]] = []  # band, colours, style, confidence
        for colour in MARKING_COLOURS:
            mask = np.isin(codes, [COLOUR_CODE[c] for c in _FAMILY[colour]]).astype(np.uint8) * 255
            mask[: int(h * 0.2)] = 0  # ceilings, signs and lamps: never floor
            for band in self._bands(mask, w):
                verdict = self._on_floor(band, lab, floor, reach)
                if verdict is None:
                    continue
                colours, style = _colours_and_style(band, codes)
                if band.dashed and style == "striped" and _gaps_are_floor(band, codes, lab, colours[0]):
                    colours, style = colours[:1], "dashed"  # floor between dashes, not a hazard tape's stripes
                found.append((band, colours, style, verdict))
        found = _join_broken(_drop_duplicates(found), w)

        boxes, names, confidences, colour_col, points, lengths, styles, thick = ([] for _ in range(8))
        for band, colours, style, confidence in found:
            poly = band.polygon() / scale
            x1, y1 = poly.min(axis=0)
            x2, y2 = poly.max(axis=0)
            boxes.append((max(x1, 0), max(y1, 0), min(x2, width - 1), min(y2, height - 1)))
            names.append("floor_line")
            confidences.append(confidence)
            colour_col.append(colours)
            p1 = (float(band.p1[0] / scale), float(band.p1[1] / scale))
            p2 = (float(band.p2[0] / scale), float(band.p2[1] / scale))
            points.append((p1, p2))
            lengths.append(band.length / scale)
            styles.append(style)
            thick.append(_profile_width(band, lab) / scale)
        return detections(np.asarray(boxes, dtype=np.float32).reshape(-1, 4), names, confidences,
                          colours=colour_col, points=points, length_px=lengths, style=styles,
                          thickness_px=thick)

    # -- candidate bands ------------------------------------------------------------------------------------
    def _bands(self, mask: np.ndarray, width: int):
        """Straight bands in a colour mask: long thin components whole, other big ones peeled into sides."""
        close = max(5, int(round(width * 0.02)) | 1)
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (close, close)))
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        min_length = self.min_length_frac * width
        short: list[_Band] = []
        for label in range(1, count):
            x, y, bw, bh, area = stats[label]
            if max(bw, bh) < min_length:
                # A dash is a thin bar: a long box, or a diagonal one it fills no more than half of.
                thin = max(bw, bh) >= DASH_ELONGATION * min(bw, bh) or area <= 0.5 * bw * bh
                if thin and max(bw, bh) >= DASH_LEAST_FRAC * width:
                    ys, xs = np.nonzero(labels[y:y + bh, x:x + bw] == label)
                    short.append(_band_of(np.column_stack([xs + x, ys + y]).astype(np.float32)))
                continue
            ys, xs = np.nonzero(labels[y:y + bh, x:x + bw] == label)
            pixels = np.column_stack([xs + x, ys + y]).astype(np.float32)
            band = _band_of(pixels)
            if self._is_line(band, width) and area / max(band.length * band.thickness, 1.0) > 0.6:
                yield band
                continue
            # Not one straight band: maybe several (a U or frame of position marks). Peel straight pieces off.
            if area < 3 * min_length:
                continue
            yield from self._peel(labels[y:y + bh, x:x + bw] == label, (x, y), width)
        yield from (band for band in _dashed_lines(short) if self._is_line(band, width))

    def _is_line(self, band: _Band, width: int) -> bool:
        return (band.length >= self.min_length_frac * width and band.thickness <= self.max_thickness_frac * width
                and band.length / band.thickness >= self.min_elongation)

    def _peel(self, component: np.ndarray, origin: tuple[int, int], width: int, most: int = 6):
        remaining = component.astype(np.uint8) * 255
        min_length = int(self.min_length_frac * width)
        # Half the tape's width: the largest distance from inside the blob to its edge.
        half = float(cv2.distanceTransform(remaining, cv2.DIST_L2, 3).max()) * 1.3 + 2
        for _ in range(most):
            # Hough on the filled blob: a straight side gives long segments through its middle. At half
            # resolution: the segment only picks the stripe taken off (two tape widths around it), and
            # Hough's work grows with the blob's pixels (it was half of the finder's time).
            half_size = cv2.resize(remaining, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_NEAREST)
            segments = cv2.HoughLinesP(half_size, 1, np.pi / 180, threshold=max(10, min_length // 4),
                                       minLineLength=min_length // 2, maxLineGap=max(3, width // 200))
            if segments is None:
                return
            x1, y1, x2, y2 = 2 * max(segments.reshape(-1, 4).astype(np.int64),
                                     key=lambda s: np.hypot(s[2] - s[0], s[3] - s[1]))
            ys, xs = np.nonzero(remaining)
            d = np.array([x2 - x1, y2 - y1], dtype=np.float64)
            seg_length = max(float(np.hypot(*d)), 1e-6)
            d /= seg_length
            rel = np.column_stack([xs - float(x1), ys - float(y1)])
            along, across = rel @ d, rel @ np.array([-d[1], d[0]])
            stripe = (np.abs(across) <= 2 * half) & (along >= -half) & (along <= seg_length + half)
            if stripe.sum() < min_length:
                return
            pixels = np.column_stack([xs[stripe] + origin[0], ys[stripe] + origin[1]]).astype(np.float32)
            remaining[ys[stripe], xs[stripe]] = 0
            band = _band_of(pixels)
            if self._is_line(band, width):
                yield band
                continue
            # The stripe taken off is wide (the blob's corners, where two sides meet, are thicker than the
            # tape), so the ends of the sides that join this one (a U's arms) count as its thickness, and a
            # position mark around a machine was no line at all. Fitted again to the tape's own pixels
            # (about as many across as the tape is wide at most places along it), it is one, if it is a
            # filled bar rather than a slice through a ragged blob (and vivid: see _on_floor).
            core = _core_of_stripe(along, across, stripe)
            if core.sum() < min_length:
                continue
            band = _band_of(np.column_stack([xs[core] + origin[0], ys[core] + origin[1]]).astype(np.float32))
            if self._is_line(band, width) and core.sum() / max(band.length * band.thickness, 1.0) > 0.6:
                yield _Band(band.p1, band.p2, band.thickness, refitted=True)

    # -- is it on the floor? --------------------------------------------------------------------------------
    def _on_floor(self, band: _Band, lab: np.ndarray, floor: np.ndarray, reach: _FloorReach) -> float | None:
        """A confidence (0-1) that the band is a line on the floor, or None when it is not one."""
        lowest = max(band.p1[1], band.p2[1])
        if lowest < reach.highest_row:
            return None
        # Strips beside the band, on each side, one to three band widths away.
        gap = max(band.thickness, 3.0)
        strips = [_mean_lab(lab, band, offset=sign * (band.thickness / 2 + gap * 1.5), half=gap / 2)
                  for sign in (-1, 1)]
        sides = [strip for strip in strips if strip is not None]
        inside = _mean_lab(lab, band, offset=0.0, half=max(band.thickness / 2 - 1, 0.5), vivid=True)
        if inside is None or not sides:
            return None
        if len(sides) == 1:
            # Tape along the photo's edge has floor on one side only: that side must be the floor itself.
            sides.append(floor)
        same_surface = _delta_e(sides[0], sides[1])
        if same_surface > 20 and not _one_floor_in_light_and_shade(sides[0], sides[1], floor):
            return None
        if min(_delta_e(sides[0], floor), _delta_e(sides[1], floor)) > 30:
            return None
        contrast = min(_delta_e(inside, sides[0]), _delta_e(inside, sides[1]))
        if contrast < 18 or _chroma(inside) < 18:
            return None
        if band.refitted and _chroma(inside) < VIVID_TAPE_CHROMA:
            return None
        confidence = float(np.clip(0.5 + (contrast - 18) / 60 - same_surface / 80, 0.05, 1.0))
        # Last, as it may look for the horizon: whether the band reaches down to near floor.
        if lowest < reach.usual_row and (confidence < SURE_ABOVE_USUAL_REACH or lowest < reach.floor_row_at_most()):
            return None
        return confidence


def _core_of_stripe(along: np.ndarray, across: np.ndarray, stripe: np.ndarray) -> np.ndarray:
    """The pixels of a peeled stripe that belong to its straight tape: within half the tape's width of its
    middle, the width being the median count of pixels across the stripe per pixel along it."""
    bins = np.round(along[stripe]).astype(int)
    counts = np.bincount(bins - bins.min())
    width = float(np.median(counts[counts > 0]))
    middle = float(np.median(across[stripe]))
    return stripe & (np.abs(across - middle) <= width / 2 + 1)


def _profile_width(band: _Band, lab: np.ndarray) -> float:
    """The tape's width across the band, with the photo's blur taken out.

    The colour difference from the floor, sampled across the band at a quarter pixel and averaged over the
    middle half of the line, is a box (the tape) blurred by the lens and the phone's processing. Fitting that
    model, a box of width w convolved with a Gaussian, gives w itself; reading the width at half height would
    take the blur in with it (blur widens a narrow tape's profile). Falls back to the mask's width when the
    profile is too weak or the fit fails."""
    d, n = band.unit()
    reach = max(band.thickness * 1.5, 6.0)
    offsets = np.arange(-reach, reach + 0.01, 0.25)
    along = np.linspace(0.25, 0.75, 24) * band.length
    centres = np.asarray(band.p1) + np.outer(along, d)
    xs = (centres[:, None, 0] + offsets[None, :] * n[0]).astype(np.float32)
    ys = (centres[:, None, 1] + offsets[None, :] * n[1]).astype(np.float32)
    samples = cv2.remap(lab, xs, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).mean(axis=0)
    base = (samples[:8].mean(axis=0) + samples[-8:].mean(axis=0)) / 2
    diff = np.sqrt((((samples - base) * np.array([100 / 255, 1.0, 1.0])) ** 2).sum(axis=1))
    if diff.max() < 10:
        return band.thickness

    def blurred_box(x: np.ndarray, amplitude: float, centre: float, width: float, sigma: float,
                    floor: float) -> np.ndarray:
        edge = np.sqrt(2) * max(sigma, 0.05)
        return amplitude / 2 * (erf((x - centre + width / 2) / edge) - erf((x - centre - width / 2) / edge)) + floor

    start = (float(diff.max()), float(offsets[int(diff.argmax())]), band.thickness, 1.0, float(diff.min()))
    try:
        with warnings.catch_warnings():  # an uncertain covariance is no matter: only the width is used
            warnings.simplefilter("ignore", OptimizeWarning)
            fitted, _ = curve_fit(blurred_box, offsets, diff, p0=start, maxfev=2000)
    except (RuntimeError, ValueError):
        return band.thickness
    width = float(fitted[2])
    return width if 0.3 * band.thickness <= width <= 2 * band.thickness else band.thickness


# A side refitted out of a blob (_peel) counts only in a vivid tape colour: marking tape is a saturated
# safety colour (yellow tape measured 39-68 in the samples' shade and light), where the bands a refit
# turns up on clothes, plaques and furniture in real photos measured 24-33.
VIVID_TAPE_CHROMA = 35.0


# How much darker one side of a line may be than the other and still be the same floor: a seat row's
# shadow or its reflection in a polished floor lies right behind the line in front of it (CIE L, 0-100).
# Measured up to 31 behind the seat rows of the samples once their shadows went as dark as real photos'.
SHADE_ACROSS_LINE_L = 33.0


def _one_floor_in_light_and_shade(a: np.ndarray, b: np.ndarray, floor: np.ndarray) -> bool:
    """Whether two strips beside a band are one colourless floor, lit on one side and shaded on the other:
    the lighter side is the photo's floor, the other the same hue and chroma up to SHADE_ACROSS_LINE_L
    darker. A band at the foot of a white counter front (lighter than the floor) or along a dark kick plate
    or skirting board (darker by more than that) stays no line."""
    lit, shade = (a, b) if a[0] >= b[0] else (b, a)
    chroma_apart = float(np.hypot(a[1] - b[1], a[2] - b[2]))
    colourless = max(_chroma(a), _chroma(b)) < 12
    darker = float(lit[0] - shade[0]) * 100 / 255
    return colourless and chroma_apart < 6 and darker <= SHADE_ACROSS_LINE_L and _delta_e(lit, floor) < 15


def _floor_reference(lab: np.ndarray) -> np.ndarray:
    """The floor's colour: the median of the bottom strip of the photo, where a standing photo shows floor."""
    return np.median(lab[int(lab.shape[0] * 0.88):].reshape(-1, 3), axis=0)


def _mean_lab(lab: np.ndarray, band: _Band, offset: float, half: float, vivid: bool = False) -> np.ndarray | None:
    """Median Lab colour of a strip parallel to the band (``offset`` px along its normal, ``half`` px wide).

    ``vivid``: of its most colourful pixels only, so that striped tape (half of it black or white) and a band
    whose axis runs a little off the tape are judged by their marking colour."""
    strip = _Band(band.p1, band.p2, 2 * half).polygon(offset=offset)
    mask = np.zeros(lab.shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(strip).astype(np.int32)], 1)
    values = lab[mask.astype(bool)]
    if len(values) < 10:
        return None
    if vivid:
        chroma = np.hypot(values[:, 1] - 128, values[:, 2] - 128)
        values = values[chroma >= np.percentile(chroma, 60)]
    return np.median(values, axis=0)


def _delta_e(a: np.ndarray, b: np.ndarray) -> float:
    """CIE76 colour difference of two colours in OpenCV's 8-bit Lab (L scaled to 0-255, a/b offset by 128)."""
    da = (a - b) * np.array([100 / 255, 1.0, 1.0])
    return float(np.sqrt((da ** 2).sum()))


def _chroma(lab_colour: np.ndarray) -> float:
    return float(np.hypot(lab_colour[1] - 128, lab_colour[2] - 128))


def _along_axis(band: _Band, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Pixel columns and rows one pixel apart along the band's axis, inside an image of ``shape``."""
    d, _ = band.unit()
    steps = np.arange(max(int(band.length), 2))
    xs = np.clip(np.round(band.p1[0] + d[0] * steps).astype(int), 0, shape[1] - 1)
    ys = np.clip(np.round(band.p1[1] + d[1] * steps).astype(int), 0, shape[0] - 1)
    return xs, ys


def _colours_and_style(band: _Band, codes: np.ndarray) -> tuple[tuple[str, ...], str]:
    """The band's colours (its marking colour first; hazard tape has two) and its style along the axis."""
    mask = np.zeros(codes.shape, np.uint8)
    cv2.fillPoly(mask, [np.round(band.polygon()).astype(np.int32)], 1)
    inside = codes[mask.astype(bool)]
    counts = np.bincount(inside, minlength=len(COLOUR_CODE))
    chromatic = {c: int(counts[COLOUR_CODE[c]]) for c in ("yellow", "orange", "red", "green", "blue", "dark_blue",
                                                              "brown")}
    main = max(chromatic, key=chromatic.get)
    main = {"dark_blue": "blue", "brown": "red"}.get(main, main)
    if main == "orange" and chromatic["yellow"] > 0.5 * chromatic["orange"]:
        main = "yellow"
    # Sample along the axis: each step is marking colour, black, white or something else (the floor).
    xs, ys = _along_axis(band, codes.shape)
    along = codes[ys, xs]
    family = [COLOUR_CODE[c] for c in _FAMILY[main]]
    kind = np.where(np.isin(along, family), 1, np.where(along == COLOUR_CODE["black"], 2,
                                                        np.where(along == COLOUR_CODE["white"], 3, 0)))
    share = np.bincount(kind, minlength=4) / len(kind)
    colours: tuple[str, ...] = (main,)
    style = "solid"
    runs = int((np.diff(kind) != 0).sum())
    if share[2] >= 0.15 and runs >= 4:
        colours, style = (main, "black"), "striped"
    elif share[3] >= 0.15 and runs >= 4:
        colours, style = (main, "white"), "striped"
    elif share[0] >= 0.2 and runs >= 4:
        style = "dashed"
    return colours, style


def _drop_duplicates(found: list) -> list:
    """One line per stretch of floor: families overlap (orange), so the same band can be found twice."""
    kept: list = []
    for item in sorted(found, key=lambda f: -f[0].length):
        band = item[0]
        centre = (np.asarray(band.p1) + np.asarray(band.p2)) / 2
        if not any(_lies_on(centre, other[0], band.thickness) for other in kept):
            kept.append(item)
    return kept


# Pieces of one line broken by wear or by something standing on it join when the gap between them is at most
# this share of the photo's width (and they run on, one after the other, in the same colours).
JOIN_GAP_FRAC = 0.04


# Dashed tape: each dash is a short thin bar, shorter than a line, and seen a few metres away the gaps are
# wider than the mask's closing joins. Bars this long at least (share of the photo's width), elongated at
# least DASH_ELONGATION, that follow one another on one axis, each gap at most DASH_GAP times the longer
# dash's length, make one dashed band of at least DASH_COUNT dashes.
DASH_LEAST_FRAC = 0.012
DASH_ELONGATION = 2.5
DASH_GAP = 2.5
DASH_COUNT = 3
# Between the dashes of dashed tape lies the floor: at most this far in colour from the floor beside the band.
DASH_GAP_FLOOR_DELTA_E = 12.0


def _dashed_lines(bars: list[_Band]) -> list[_Band]:
    """The dashed bands that short bars make: chains of collinear dashes, each as one band over them all."""
    dashes = [b for b in bars if b.length / b.thickness >= DASH_ELONGATION]
    if len(dashes) < DASH_COUNT:
        return []
    # Link each pair of dashes that continue one another; a chain is a connected group of links.
    group = list(range(len(dashes)))

    def root(i: int) -> int:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    for i, a in enumerate(dashes):
        for j in range(i + 1, len(dashes)):
            if _dash_follows(a, dashes[j]):
                group[root(i)] = root(j)
    chains: dict[int, list[_Band]] = {}
    for i, dash in enumerate(dashes):
        chains.setdefault(root(i), []).append(dash)
    out = []
    for chain in chains.values():
        if len(chain) < DASH_COUNT:
            continue
        ends = np.array([p for dash in chain for p in (dash.p1, dash.p2)], dtype=np.float32)
        axis = _band_of(ends)
        out.append(_Band(axis.p1, axis.p2, float(np.median([dash.thickness for dash in chain])), dashed=True))
    return out


def _gaps_are_floor(band: _Band, codes: np.ndarray, lab: np.ndarray, main: str) -> bool:
    """Whether what lies between a dashed band's dashes is the floor beside the band (dashed tape on a light
    floor) rather than stripes of the tape's own (a red/white hazard tape seen far away)."""
    xs, ys = _along_axis(band, codes.shape)
    gaps = ~np.isin(codes[ys, xs], [COLOUR_CODE[c] for c in _FAMILY[main]])
    gap = gaps.sum()
    if gap < 3:
        return False
    gap_colour = np.median(lab[ys[gaps], xs[gaps]], axis=0)
    offset = band.thickness / 2 + max(band.thickness, 3.0) * 1.5
    sides = [_mean_lab(lab, band, offset=sign * offset, half=max(band.thickness, 3.0) / 2) for sign in (-1, 1)]
    return any(side is not None and _delta_e(gap_colour, side) < DASH_GAP_FLOOR_DELTA_E for side in sides)


def _dash_follows(a: _Band, b: _Band) -> bool:
    """Whether dash ``b`` continues dash ``a`` along one axis: the same direction (within 8 degrees), b's
    middle on a's axis (no further across than a dash is thick), and the gap at most DASH_GAP dashes long."""
    d, n = a.unit()
    d_b, _ = b.unit()
    if abs(float(d[0] * d_b[1] - d[1] * d_b[0])) > np.sin(np.radians(8.0)):
        return False
    mid_a = (np.asarray(a.p1) + np.asarray(a.p2)) / 2
    mid_b = (np.asarray(b.p1) + np.asarray(b.p2)) / 2
    if abs(float((mid_b - mid_a) @ n)) > max(a.thickness, b.thickness):
        return False
    gap = abs(float((mid_b - mid_a) @ d)) - (a.length + b.length) / 2
    return gap <= DASH_GAP * max(a.length, b.length)


def _join_broken(found: list, width: int) -> list:
    """Join pieces of one line: worn tape or a foot on it breaks a line into stretches that each fall short
    of the length a rule asks for. Two pieces join when they have the same colours, run in the same
    direction (within 3 degrees) on one axis (no further apart across it than the thicker is thick) and
    the gap between them is at most JOIN_GAP_FRAC of the photo's width."""
    pieces = sorted(found, key=lambda f: -f[0].length)
    while True:
        # Longest first, each piece joins the first longer one it continues; again until none joins (a
        # joined piece may now reach one it did not).
        kept: list = []
        for piece in pieces:
            for k, longer in enumerate(kept):
                merged = _joined(longer, piece, width)
                if merged is not None:
                    kept[k] = merged
                    break
            else:
                kept.append(piece)
        if len(kept) == len(pieces):
            return pieces
        pieces = sorted(kept, key=lambda f: -f[0].length)


def _joined(a: tuple, b: tuple, width: int) -> tuple | None:
    (band_a, colours_a, style_a, conf_a), (band_b, colours_b, _, conf_b) = a, b
    if set(colours_a) != set(colours_b):
        return None
    d, n = band_a.unit()
    d_b, _ = band_b.unit()
    if abs(float(d[0] * d_b[1] - d[1] * d_b[0])) > np.sin(np.radians(3.0)):
        return None
    origin = np.asarray(band_a.p1)
    ends_b = np.array([band_b.p1, band_b.p2], dtype=np.float64) - origin
    if np.abs(ends_b @ n).max() > max(band_a.thickness, band_b.thickness):
        return None
    along_b = np.sort(ends_b @ d)
    gap = max(along_b[0] - band_a.length, -along_b[1])
    if gap > JOIN_GAP_FRAC * width:
        return None
    start, end = min(0.0, along_b[0]), max(band_a.length, along_b[1])
    p1, p2 = origin + d * start, origin + d * end
    band = _Band((float(p1[0]), float(p1[1])), (float(p2[0]), float(p2[1])),
                 max(band_a.thickness, band_b.thickness))
    return band, colours_a, style_a, max(conf_a, conf_b)


def _lies_on(point: np.ndarray, band: _Band, slack: float) -> bool:
    """The point lies on the band (within ``slack`` or the band's thickness across it, and its length)."""
    d, n = band.unit()
    rel = point - np.asarray(band.p1)
    return abs(rel @ n) <= max(band.thickness, slack) and -band.thickness <= rel @ d <= band.length + band.thickness
