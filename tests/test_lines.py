"""The floor-line analyzer on drawn floors with known answers: colours, hazard tape, frames of position marks,
bands that are not on the floor, and the floor geometry that turns pixels into metres."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from auditor.checks.registry import CHECK_KINDS
from auditor.detectors.base import detections
from auditor.detectors.floor_scale import counter_foot_row, distance_from_edge, horizon_row
from auditor.detectors.lines import FloorLineFinder
from auditor.facts import build_facts
from auditor.types import Area, Verdict


def _room(width: int = 1000, height: int = 750) -> np.ndarray:
    """A wall above and a light grey floor below, with some noise as a camera gives."""
    rng = np.random.default_rng(0)
    image = np.full((height, width, 3), (160, 162, 165), np.uint8)
    image[: int(height * 0.4)] = (95, 85, 70)  # a blue-grey wall
    noise = rng.normal(0, 3, image.shape)
    return np.clip(image + noise, 0, 255).astype(np.uint8)


def _striped(image: np.ndarray, p1: tuple[int, int], p2: tuple[int, int], colours: list[tuple[int, int, int]],
             width: int = 16, period: int = 30) -> None:
    """Tape along p1-p2 whose colour alternates every half period (hazard tape)."""
    length = int(np.hypot(p2[0] - p1[0], p2[1] - p1[1]))
    d = np.subtract(p2, p1) / length
    for start in range(0, length, period // 2):
        a = np.add(p1, d * start).astype(int)
        b = np.add(p1, d * min(start + period // 2, length)).astype(int)
        cv2.line(image, tuple(int(v) for v in a), tuple(int(v) for v in b),
                 colours[(start // (period // 2)) % len(colours)], width)


def test_yellow_black_hazard_tape_is_one_line_of_both_colours() -> None:
    image = _room()
    _striped(image, (80, 620), (900, 600), [(0, 215, 240), (20, 20, 20)])
    found = FloorLineFinder().find(image)
    assert len(found) == 1
    assert set(found.data["colours"][0]) == {"yellow", "black"}
    assert found.data["style"][0] == "striped"
    (x1, _), (x2, _) = found.data["points"][0]
    assert abs(min(x1, x2) - 80) < 25 and abs(max(x1, x2) - 900) < 25


def test_a_solid_line_is_solid_and_its_width_is_measured_across() -> None:
    image = _room()
    cv2.line(image, (150, 650), (850, 650), (0, 210, 235), 12)
    found = FloorLineFinder().find(image)
    assert len(found) == 1
    assert found.data["colours"][0] == ("yellow",) and found.data["style"][0] == "solid"
    assert 10 <= found.data["thickness_px"][0] <= 14


def test_a_frame_of_red_white_tape_is_split_into_its_straight_sides() -> None:
    image = _room()
    for p1, p2 in (((300, 430), (300, 700)), ((300, 700), (700, 700)), ((700, 700), (700, 430))):
        _striped(image, p1, p2, [(40, 40, 220), (245, 245, 245)], width=18)
    found = FloorLineFinder().find(image)
    assert len(found) >= 2, "a U of tape is several lines, not one blob"
    assert all(set(c) == {"red", "white"} for c in found.data["colours"])
    orientations = set()
    for (x1, y1), (x2, y2) in found.data["points"]:
        orientations.add("vertical" if abs(x2 - x1) < abs(y2 - y1) else "horizontal")
    assert orientations == {"vertical", "horizontal"}


def test_a_band_between_two_surfaces_is_not_a_floor_line() -> None:
    # An LED strip at a counter's foot: white counter front above, grey floor below.
    image = _room()
    image[380:600, 200:800] = (235, 235, 235)
    cv2.line(image, (200, 600), (800, 600), (230, 60, 20), 14)
    assert len(FloorLineFinder().find(image)) == 0


def test_a_line_in_front_of_a_seat_row_s_shadow_is_still_a_floor_line() -> None:
    """The floor behind the line lies in the shade (a seat row's shadow, its reflection in a polished
    floor): the same grey, darker. Both sides are still one floor."""
    image = _room()
    image[560:620, 100:900] = (95, 97, 100)            # the shade (CIE L 25 darker), right behind the line
    cv2.line(image, (100, 627), (900, 627), (0, 210, 235), 14)
    assert [c for c in FloorLineFinder().find(image).data["colours"]] == [("yellow",)]


@pytest.mark.parametrize("plate", [(40, 40, 42), (74, 74, 76)])  # CIE L 50 and 35 darker than the floor
def test_a_band_along_a_dark_kick_plate_is_not_a_floor_line(plate: tuple[int, int, int]) -> None:
    # Darker than a shadow on the floor may be (33 L): the foot of a counter, not the floor in shade.
    image = _room()
    image[420:600, 100:900] = plate
    cv2.line(image, (100, 607), (900, 607), (0, 210, 235), 14)
    assert len(FloorLineFinder().find(image)) == 0


def test_a_coloured_stripe_high_in_the_photo_is_not_a_floor_line() -> None:
    image = _room()
    image[: int(750 * 0.5)] = (160, 162, 165)  # same grey above: only the height rules it out
    cv2.line(image, (100, 300), (900, 300), (0, 210, 235), 14)
    assert len(FloorLineFinder().find(image)) == 0


def test_a_line_on_the_front_of_a_detected_counter_is_dropped_and_distance_stays_unknown() -> None:
    image = _room()
    cv2.line(image, (100, 500), (900, 500), (200, 90, 20), 14)  # blue band on the counter front
    cv2.line(image, (150, 680), (850, 680), (0, 210, 235), 14)  # the one-metre line on the floor
    lines = FloorLineFinder().find(image)
    counter = detections([(50, 380, 950, 560)], ["counter"], [0.9])
    facts = build_facts("w.jpg", Area.WINDOW_COUNTER, image, counter, frozenset({"counter"}), None, lines)
    assert [line.colours for line in facts.floor_lines] == [("yellow",)]
    assert facts.floor_lines[0].distance_m is None
    kind = CHECK_KINDS["line_distance"]
    outcome = kind.run(kind.params(colour="yellow"), facts)
    assert outcome.verdict is Verdict.NOT_ASSESSABLE


def test_distance_from_the_counter_foot_on_a_pinhole_floor() -> None:
    # Camera 1.5 m high, focal 800 px, level: a floor point at depth Z is seen at row 300 + 800 * 1.5 / Z.
    def row(z: float) -> float:
        return 300 + 800 * 1.5 / z

    far, near = row(3.05), row(2.95)  # a 10 cm tape centred 3 m away
    distance = distance_from_edge(line_y=row(3.0), thickness_px=near - far, line_angle_deg=0, edge_y=row(4.0),
                                  horizon_y=300, width_m=0.1)
    assert distance == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize("args", [
    {"line_angle_deg": 35.0},            # not face-on
    {"edge_y": 250.0},                   # counter foot above the horizon
    {"edge_y": 720.0},                   # "counter" below the line
])
def test_distance_is_unknown_when_the_geometry_does_not_hold(args) -> None:
    base = {"line_y": 700.0, "thickness_px": 13.0, "line_angle_deg": 0.0, "edge_y": 600.0, "horizon_y": 300.0,
            "width_m": 0.1}
    assert distance_from_edge(**{**base, **args}) is None


def test_horizon_from_receding_floor_joints() -> None:
    image = np.full((600, 800, 3), 170, np.uint8)
    vanishing = (400, 150)
    for x in range(-800, 1700, 120):  # tile joints running away from the camera
        cv2.line(image, (x, 600), vanishing, (90, 90, 90), 2)
    image[:260] = (120, 110, 100)  # the wall hides the far floor
    horizon = horizon_row(image)
    assert horizon is not None and abs(horizon - 150) < 12
    assert horizon_row(np.full((600, 800, 3), 170, np.uint8)) is None


def test_edges_above_a_point_do_not_make_it_the_horizon() -> None:
    """A few floor joints meet at the true horizon; more slanted edges high in the photo (an arm, a poster's
    corner) meet lower down, under them. Only what lies below a point can vouch for it as the horizon."""
    image = np.full((600, 800, 3), 170, np.uint8)
    for x in (0, 800):  # two floor joints running to (400, 150)
        cv2.line(image, (x, 600), (400, 150), (90, 90, 90), 2)
    image[:260] = (120, 110, 100)
    decoy = (420, 345)
    for start in ((40, 215), (120, 240), (200, 220), (640, 225), (720, 240), (790, 215), (300, 215), (560, 215)):
        # Slanted edges high in the photo, each pointing down at the decoy point, ending short of it; long
        # enough together to outweigh the floor joints, so that only the rule of what lies below rejects them.
        end = (start[0] + (decoy[0] - start[0]) * 0.85, start[1] + (decoy[1] - start[1]) * 0.85)
        cv2.line(image, start, (int(end[0]), int(end[1])), (30, 30, 30), 3)
    horizon = horizon_row(image)
    assert horizon is not None and abs(horizon - 150) < 12


def test_the_one_metre_line_is_measured_on_a_synthetic_window_with_its_counter() -> None:
    """A rendered window counter: with the counter's box (as a detector gives it), the one-metre line's distance
    comes out within the manual's tolerance of the truth."""
    import json
    from pathlib import Path

    samples = Path(__file__).resolve().parent.parent / "samples"
    truth = json.loads((samples / "truth.json").read_text(encoding="utf-8"))
    photo = next(p for p in truth["photos"] if p["file"] == "纸坊街道/window_counter/03.jpg")
    true_m = photo["facts"]["floor_lines"][0]["distance_m"]
    image = cv2.imread(str(samples / photo["file"]))
    counter = next(o["box"] for o in photo["facts"]["objects"] if o["name"] == "counter")
    facts = build_facts(photo["file"], Area.WINDOW_COUNTER, image, detections([counter], ["counter"], [1.0]),
                        frozenset({"counter"}), None, FloorLineFinder().find(image))
    yellow = [line for line in facts.floor_lines if "yellow" in line.colours]
    assert len(yellow) == 1 and yellow[0].distance_m is not None
    assert abs(yellow[0].distance_m - true_m) <= 0.15


def test_tape_along_the_bottom_edge_of_the_photo_is_found() -> None:
    image = _room()
    cv2.line(image, (100, 738), (900, 738), (0, 210, 235), 12)  # floor only above it: the photo ends below
    found = FloorLineFinder().find(image)
    assert [c for c in found.data["colours"]] == [("yellow",)]


def test_lines_are_found_in_a_large_photo_with_end_points_in_its_pixels() -> None:
    small = _room()
    cv2.line(small, (150, 650), (850, 650), (0, 210, 235), 12)
    large = cv2.resize(small, None, fx=3, fy=3, interpolation=cv2.INTER_NEAREST)  # 3000 x 2250
    found = FloorLineFinder().find(large)
    assert len(found) == 1
    (x1, y1), (x2, y2) = sorted(found.data["points"][0])
    assert abs(x1 - 450) < 30 and abs(x2 - 2550) < 30 and abs(y1 - 1950) < 15 and abs(y2 - 1950) < 15
    assert 30 <= found.data["thickness_px"][0] <= 42


def test_grey_and_four_channel_images_are_read() -> None:
    image = _room()
    cv2.line(image, (150, 650), (850, 650), (0, 210, 235), 12)
    assert len(FloorLineFinder().find(cv2.cvtColor(image, cv2.COLOR_BGR2BGRA))) == 1
    assert len(FloorLineFinder().find(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))) == 0  # no colour, no line


def test_counter_foot_is_the_edge_at_the_lines_column_not_the_box_bottom() -> None:
    # A counter front seen at an angle: its foot runs from row 400 on the left to row 460 on the right.
    image = np.full((600, 800, 3), 150, np.uint8)
    front = np.array([(100, 250), (700, 250), (700, 460), (100, 400)], np.int32)
    cv2.fillPoly(image, [front], (230, 230, 230))
    assert counter_foot_row(image, (100, 250, 700, 460), 400) == pytest.approx(430, abs=4)
    assert counter_foot_row(np.full((600, 800, 3), 150, np.uint8), (100, 250, 700, 460), 400) is None


@pytest.mark.parametrize("scale", [1, 3])
def test_the_one_metre_line_distance_holds_when_the_photo_is_larger(scale: int) -> None:
    import json
    from pathlib import Path

    samples = Path(__file__).resolve().parent.parent / "samples"
    truth = json.loads((samples / "truth.json").read_text(encoding="utf-8"))
    photo = next(p for p in truth["photos"] if p["file"] == "金口街道/window_counter/07.jpg")
    true_m = photo["facts"]["floor_lines"][0]["distance_m"]
    image = cv2.imread(str(samples / photo["file"]))
    image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    counter = [v * scale for v in next(o["box"] for o in photo["facts"]["objects"] if o["name"] == "counter")]
    facts = build_facts(photo["file"], Area.WINDOW_COUNTER, image, detections([counter], ["counter"], [1.0]),
                        frozenset({"counter"}), None, FloorLineFinder().find(image))
    yellow = [line for line in facts.floor_lines if "yellow" in line.colours]
    assert len(yellow) == 1 and yellow[0].distance_m is not None
    assert abs(yellow[0].distance_m - true_m) <= 0.15


def test_a_line_broken_by_wear_is_one_line_and_lines_apart_stay_apart() -> None:
    image = _room()
    cv2.line(image, (150, 640), (420, 640), (0, 210, 235), 12)   # one yellow line, worn through in the middle
    cv2.line(image, (455, 641), (820, 642), (0, 210, 235), 12)
    cv2.line(image, (150, 560), (330, 560), (0, 210, 235), 12)   # another line, far from the next piece
    cv2.line(image, (600, 560), (800, 560), (0, 210, 235), 12)
    cv2.line(image, (150, 700), (800, 700), (40, 40, 200), 12)   # a red line just below the yellow one
    lines = FloorLineFinder().find(image)
    spans = sorted((round(min(p[0][0], p[1][0])), round(max(p[0][0], p[1][0])), colours)
                   for p, colours in zip(lines.data["points"], lines.data["colours"], strict=True))
    assert len(spans) == 4
    joined = [s for s in spans if s[0] < 160 and s[1] > 810 and s[2] == ("yellow",)]
    assert len(joined) == 1, spans


def test_the_horizon_is_looked_for_above_the_counter_top_only() -> None:
    image = np.full((600, 800, 3), 170, np.uint8)
    for x in range(-800, 1700, 120):  # tile joints running to (400, 150)
        cv2.line(image, (x, 600), (400, 150), (90, 90, 90), 2)
    image[:260] = (120, 110, 100)
    assert abs(horizon_row(image, above=300) - 150) < 12, "a counter top at row 300 leaves the horizon be"
    bounded = horizon_row(image, above=120)
    assert bounded is None or bounded < 120, "never below the counter top"
    # A larger photo is worked on reduced; the counter top is still a row of the photo as given.
    large = cv2.resize(image, None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST)
    assert abs(horizon_row(large, above=600) - 300) < 24
    bounded = horizon_row(large, above=240)
    assert bounded is None or bounded < 240


@pytest.mark.parametrize("second", ["red", "turned"])
def test_pieces_of_other_colours_or_directions_are_not_joined(second: str) -> None:
    image = _room()
    cv2.line(image, (150, 600), (420, 600), (0, 210, 235), 12)   # a yellow piece
    if second == "red":
        cv2.line(image, (450, 600), (800, 600), (40, 40, 200), 12)  # a red one on its axis, a small gap on
    else:
        # A short yellow one from the same gap, turned 8 degrees off the first one's axis (short, so that it
        # stays within a tape's width of that axis: only its direction tells it apart).
        end = (450 + 80, int(round(600 + 80 * np.tan(np.radians(8)))))
        cv2.line(image, (450, 600), end, (0, 210, 235), 12)
    lines = FloorLineFinder().find(image)
    assert len(lines) == 2, lines.data["points"]


def test_a_position_mark_hugging_a_machine_gives_its_front_side() -> None:
    # A U of yellow tape around a terminal's foot: the front side runs along the floor; the short arms run up
    # beside the machine. Fitted with the arms' ends as thickness, the front side was no line at all.
    image = _room()
    cv2.rectangle(image, (420, 300), (600, 610), (200, 200, 205), -1)          # the terminal's body
    cv2.line(image, (400, 625), (620, 625), (0, 200, 230), 10)                  # front side
    cv2.line(image, (400, 625), (412, 560), (0, 200, 230), 9)                   # left arm, receding
    cv2.line(image, (620, 625), (608, 560), (0, 200, 230), 9)                   # right arm
    found = FloorLineFinder().find(image)
    fronts = [pts for pts, colours in zip(found.data["points"], found.data["colours"], strict=True)
              if colours == ("yellow",) and abs(pts[0][1] - pts[1][1]) < 10]
    assert len(fronts) == 1
    (x1, _), (x2, _) = fronts[0]
    assert abs(min(x1, x2) - 400) < 20 and abs(max(x1, x2) - 620) < 20


@pytest.mark.skipif(__import__("auditor.fonts", fromlist=["cjk_font_path"]).cjk_font_path() is None,
                    reason="the generated hall needs the CJK font that `make setup` installs")
def test_tape_seen_looking_down_steeply_is_found_above_the_usual_floor_row() -> None:
    """Looking 25-40 degrees down, tape 2-3 m ahead shows in the photo's middle, above the row where near
    floor usually begins; the horizon (above the photo) says the floor begins higher."""
    from auditor.synth.floor_stress import render_case, stress_cases

    case = next(c for c in stress_cases() if c.steep and c.colours == ("yellow",) and c.pattern == "solid")
    image, truth, _ = render_case(case, 7008)
    assert truth and max(max(p[1] for p in line.points) for line in truth) < 0.6 * image.shape[0]
    found = FloorLineFinder().find(image)
    assert any("yellow" in colours for colours in found.data["colours"])
    # The same view held upright: a phone's focal length is a share of its long side, not of the width.
    upright = np.ascontiguousarray(image[:, 210:750])
    assert any("yellow" in colours for colours in FloorLineFinder().find(upright).data["colours"])


@pytest.mark.skipif(__import__("auditor.fonts", fromlist=["cjk_font_path"]).cjk_font_path() is None,
                    reason="the generated hall needs the CJK font that `make setup` installs")
def test_dashed_tape_far_away_is_one_dashed_line_of_its_own_colour() -> None:
    """Seen a few metres away each dash is shorter than a line and the gaps wider than the mask's closing:
    the dashes chain into one band, and the light floor between them is no white stripe. (Near the camera,
    where the mask's closing joins the dashes, the tape's end may come out as a second, solid piece.)"""
    from auditor.synth.floor_stress import render_case, stress_cases

    case = next(c for c in stress_cases() if not c.steep and c.pattern == "dashed" and c.colours == ("yellow",))
    image, truth, _ = render_case(case, 7004)
    assert truth
    found = FloorLineFinder().find(image)
    assert {tuple(c) for c in found.data["colours"]} == {("yellow",)}
    assert "dashed" in list(found.data["style"])


def test_a_row_of_dots_or_a_lone_dash_is_no_dashed_line() -> None:
    floor = np.full((720, 960, 3), 150, np.uint8)
    for x in range(100, 800, 60):  # round dots in a row: not elongated, so no dashes
        cv2.circle(floor, (x, 600), 8, (0, 200, 230), -1)
    cv2.line(floor, (300, 500), (330, 500), (0, 200, 230), 6)  # one lone dash
    assert len(FloorLineFinder().find(floor)) == 0
