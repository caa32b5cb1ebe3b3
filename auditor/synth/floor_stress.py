"""Floor photos drawn on purpose to stress the floor-line analyzer: every kind of tape a hall or a corridor
has, seen from standing height at shallow and at steep angles and sometimes partly covered, and floors
without tape that carry what is not a floor line.

Each case is one 960x720 photo of a hall's floor (``areas._shot``: walls, pillars, plants and polish as in
the hall photos) with one tape or one distractor:

- tape: solid in each marking colour, dashed, and hazard stripes (yellow/black, red/white), across the view
  or running away from the camera, 5-10 cm wide; a third of them with a carton standing on their middle;
- distractors, no tape: a red mat, a blue LED strip along a counter's foot, a patch of coloured tiles, a
  red-framed board low on the back wall;
- ``steep``: the camera looks 25-40 degrees down (the floor fills the photo), else 6-14 degrees.

The truth of a photo is what the generator's floor-line truth says (``Shot.lines``): the tape's colours, both
for hazard tape, and none where the tape is hidden or out of view, or for a distractor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from auditor.synth import textures as tx
from auditor.synth.areas import YELLOW, _counter, _shot, sample_camera
from auditor.synth.dataset import hall_style
from auditor.synth.render import Colour
from auditor.synth.scene import FLOOR_PX_PER_M, Shot
from auditor.types import Box, LineFact

TAPE_COLOURS: dict[str, Colour] = {"yellow": YELLOW, "red": (0.78, 0.1, 0.1), "green": (0.1, 0.58, 0.28),
                                   "blue": (0.1, 0.32, 0.8), "white": (0.95, 0.95, 0.93),
                                   "black": tx.HAZARD_BLACK}
DISTRACTORS = ("red_mat", "led_strip", "tiles", "wall_frame")


@dataclass(frozen=True)
class StressCase:
    """One photo to draw: a tape (``pattern`` and its colours) or a ``distractor``, steep or not."""

    steep: bool
    pattern: tx.TapePattern | None = None
    colours: tuple[str, ...] = ()
    distractor: str | None = None

    @property
    def kind(self) -> str:
        if self.distractor:
            return self.distractor
        return f"{self.pattern} {'/'.join(self.colours)}"


def stress_cases() -> list[StressCase]:
    """Every kind of tape and every distractor, each once shallow and once steep (24 photos)."""
    tapes: list[tuple[tx.TapePattern, tuple[str, ...]]] = [
        ("solid", ("yellow",)), ("solid", ("red",)), ("solid", ("green",)), ("solid", ("blue",)),
        ("dashed", ("yellow",)), ("dashed", ("blue",)), ("striped", ("yellow", "black")), ("striped", ("red", "white")),
    ]
    cases = [StressCase(steep, pattern, colours) for steep in (False, True) for pattern, colours in tapes]
    return cases + [StressCase(steep, distractor=d) for steep in (False, True) for d in DISTRACTORS]


def render_case(case: StressCase, seed: int) -> tuple[np.ndarray, list[LineFact], list[tuple[str, Box]]]:
    """The photo (BGR uint8), its true floor lines and its labelled objects' boxes."""
    rng = np.random.default_rng(seed)
    style = hall_style(rng, f"stress{seed}")
    camera = sample_camera(rng, (25.0, 40.0) if case.steep else (6.0, 14.0))
    shot = _shot(style, rng, camera, float(rng.uniform(7.0, 10.0)))
    near, far = (1.6, 3.2) if case.steep else (2.8, 5.0)
    if case.pattern is not None:
        _tape(shot, rng, case, near, far)
    else:
        _distractor(shot, rng, str(case.distractor), near, far)
    image = shot.render(np.random.default_rng(seed + 1))
    return image, shot.lines(), [(name, box) for _, name, box in shot.boxes()]


def _tape(shot: Shot, rng: np.random.Generator, case: StressCase, near: float, far: float) -> None:
    y = float(rng.uniform(near, far))
    if rng.uniform() < 0.5:  # across the view, a little askew
        start, end = (-1.8, y), (1.8, y + float(rng.uniform(-0.4, 0.4)))
    else:  # running away from the camera
        x = float(rng.uniform(-0.9, 0.9))
        start, end = (x, near - 0.8), (x + float(rng.uniform(-0.6, 0.6)), far + 2.5)
    first = case.colours[0]
    second = (case.colours[1], TAPE_COLOURS[case.colours[1]]) if len(case.colours) > 1 else None
    shot.floor_line(start, end, first, TAPE_COLOURS[first], float(rng.uniform(0.05, 0.1)), pattern=case.pattern,
                    second=second)
    if rng.uniform() < 1 / 3:  # a carton on the tape's middle
        mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
        shot.box(None, mx, my, 0.0, (0.45, 0.35, 0.35), (0.62, 0.48, 0.3))


def _distractor(shot: Shot, rng: np.random.Generator, kind: str, near: float, far: float) -> None:
    y = float(rng.uniform(near, far))
    x = float(rng.uniform(-0.8, 0.8))
    if kind == "red_mat":  # a door mat or carpet: its long straight edges are red on the floor
        width, depth = float(rng.uniform(1.2, 2.0)), float(rng.uniform(0.6, 1.0))
        tx.paint_floor_patch(shot.floor, FLOOR_PX_PER_M, x - width / 2 + shot.room_width / 2, y - depth / 2,
                             x + width / 2 + shot.room_width / 2, y + depth / 2, (0.6, 0.08, 0.1))
    elif kind == "led_strip":  # a counter whose foot is lit by a blue strip
        _counter(shot, x, y + 0.35, (2.4, 0.7, 1.1))
        shot.box(None, x, y - 0.005, 0.03, (2.4, 0.01, 0.02), (0.35, 0.65, 1.0), shadow=False)
    elif kind == "tiles":  # an inlaid patch of coloured tiles
        colour = (0.12, 0.3, 0.75) if rng.uniform() < 0.5 else (0.1, 0.5, 0.3)
        for row in range(3):
            for col in range(4):
                if (row + col) % 2 == 0:
                    x0 = x - 1.2 + col * 0.6 + shot.room_width / 2
                    tx.paint_floor_patch(shot.floor, FLOOR_PX_PER_M, x0, y + row * 0.6, x0 + 0.6, y + row * 0.6 + 0.6,
                                         colour)
    else:  # a red-framed board low on the back wall
        back = shot.room_depth - 0.02
        board = np.full((120, 160, 3), 0.92, np.float32)
        board[:10], board[-10:], board[:, :10], board[:, -10:] = (0.75, 0.08, 0.1), (0.75, 0.08, 0.1), \
            (0.75, 0.08, 0.1), (0.75, 0.08, 0.1)
        shot.plane(None, [(x - 0.6, back, 0.9), (x + 0.6, back, 0.9), (x + 0.6, back, 0.2), (x - 0.6, back, 0.2)],
                   board)
