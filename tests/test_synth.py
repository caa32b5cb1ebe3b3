"""The synthetic hall generator: deterministic, valid labels, truth consistent with the manual, trainable."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import yaml

from auditor.checks import Scope
from auditor.manual import Manual
from auditor.synth.areas import CLASSES
from auditor.synth.camera import Camera
from auditor.synth.dataset import generate
from auditor.synth.render import Frame
from auditor.types import Area

pytestmark = pytest.mark.skipif(
    __import__("auditor.fonts", fromlist=["cjk_font_path"]).cjk_font_path() is None,
    reason="signs need the CJK font that `make setup` installs")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, manual: Manual) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("synth")
    truth = generate(out, manual, halls=2, photos=8, seed=3, violation_rate=0.4)
    return out, truth


def test_same_seed_same_photos_and_truth(tmp_path: Path, manual: Manual) -> None:
    a = generate(tmp_path / "a", manual, halls=1, photos=3, seed=9, violation_rate=0.5)
    b = generate(tmp_path / "b", manual, halls=1, photos=3, seed=9, violation_rate=0.5)
    c = generate(tmp_path / "c", manual, halls=1, photos=3, seed=10, violation_rate=0.5)
    assert a["photos"] == b["photos"] and a["halls"] == b["halls"]
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.jpg"))
    assert files and all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    assert a["photos"] != c["photos"], "another seed, other photos"


def test_every_area_is_photographed_and_labels_are_valid(tiny) -> None:
    out, truth = tiny
    assert {p["area"] for p in truth["photos"] if p["hall"] == "纸坊街道"} == {a.value for a in Area}
    for photo in truth["photos"]:
        image = out / photo["file"]
        label = out / "labels" / photo["split"] / (image.stem + ".txt")
        assert image.is_file() and label.is_file()
        rows = [line.split() for line in label.read_text().splitlines() if line.strip()]
        for cls, cx, cy, w, h in rows:
            assert 0 <= int(cls) < len(CLASSES)
            cx, cy, w, h = map(float, (cx, cy, w, h))
            assert 0 < w <= 1 and 0 < h <= 1
            assert cx - w / 2 >= -1e-6 and cx + w / 2 <= 1 + 1e-6
            assert cy - h / 2 >= -1e-6 and cy + h / 2 <= 1 + 1e-6
        names = sorted(CLASSES[int(r[0])] for r in rows)
        assert names == sorted(o["name"] for o in photo["facts"]["objects"]), "labels and truth agree"
        for obj in photo["facts"]["objects"]:
            x0, y0, x1, y1 = obj["box"]
            assert 0 <= x0 < x1 <= photo["width"] and 0 <= y0 < y1 <= photo["height"]


def test_truth_has_a_verdict_for_every_applicable_rule(tiny, manual: Manual) -> None:
    _, truth = tiny
    for photo in truth["photos"]:
        wanted = {r.id for r in manual.rules_for(Area(photo["area"])) if r.scope is Scope.PHOTO}
        assert set(photo["expected"]) == wanted
        assert set(photo["expected"].values()) <= {"pass", "fail", "not_assessable"}
    hall_rules = {r.id for r in manual.rules if r.scope is Scope.HALL}
    for hall in truth["halls"].values():
        assert set(hall["expected"]) == hall_rules
        assert hall["true_score"] is None or 0 <= hall["true_score"] <= 100


def test_truth_records_the_facts_the_issue_names(tiny) -> None:
    _, truth = tiny
    counters = [p for p in truth["photos"] if p["area"] == "window_counter"]
    staff = [person for p in counters for person in p["facts"]["persons"] if person["role"] == "staff"]
    assert len(staff) >= len(counters) - 1, "the staff member behind each window (one may be hidden)"
    assert any(person["top_colour"] and person["badge"] is not None for person in staff)
    assert any(line["distance_m"] is not None for p in counters for line in p["facts"]["floor_lines"])
    assert any("号窗口" in t["text"] for p in counters for t in p["facts"]["texts"])
    for p in truth["photos"]:
        for item in ("cup", "food", "bag", "paper_pile", "clothing"):
            if f"{item}_on_top" in p["injected"]:
                assert item in p["surface_items"]["top"], "an injected counter item is recorded on the counter"


# Violations and the rule each must make fail when the photo shows it.
VIOLATION_RULES = {
    "window_plate_missing": "SIG-03",
    "evaluation_device_missing": "FAC-02",
    "one_metre_line_missing": "FLR-01",
    "zone_sign_not_bilingual": {"waiting_area": "SIG-06", "self_service": "SIG-07", "convenience": "SIG-08"},
    "desk_sign_wrong": "SIG-05",
    "hat_at_work": "DRS-05",
    "second_cup": "ITM-05",
    "handwritten_note": "SIG-10",
}


def test_each_injected_violation_fails_its_rule(tmp_path: Path, manual: Manual) -> None:
    truth = generate(tmp_path, manual, halls=4, photos=8, seed=8, violation_rate=0.0, hall_rates=[0.7] * 4,
                     workers=2)
    checked = 0
    for photo in truth["photos"]:
        for violation in photo["injected"]:
            rule = VIOLATION_RULES.get(violation)
            if isinstance(rule, dict):
                rule = rule.get(photo["area"])
            if rule is None:
                continue
            checked += 1
            assert photo["expected"][rule] == "fail", (photo["file"], violation, rule)
    assert checked >= 10, "enough injected violations were checked"


def test_violation_rate_controls_the_true_score(tmp_path: Path, manual: Manual) -> None:
    clean = generate(tmp_path / "clean", manual, halls=2, photos=7, seed=4, violation_rate=0.0,
                     hall_rates=[0.0, 0.0])
    poor = generate(tmp_path / "poor", manual, halls=2, photos=7, seed=4, violation_rate=0.0,
                    hall_rates=[0.7, 0.7])
    clean_scores = [h["true_score"] for h in clean["halls"].values()]
    poor_scores = [h["true_score"] for h in poor["halls"].values()]
    assert min(clean_scores) >= 90, clean_scores
    assert max(poor_scores) < min(clean_scores) - 15, (poor_scores, clean_scores)


def test_a_one_photo_set_still_has_a_training_split(tmp_path: Path, manual: Manual) -> None:
    generate(tmp_path, manual, halls=1, photos=1, seed=1, violation_rate=0.2)
    data = yaml.safe_load((tmp_path / "data.yaml").read_text(encoding="utf-8"))
    assert list((tmp_path / data["train"]).glob("*.jpg")) and list((tmp_path / data["val"]).glob("*.jpg"))


def test_a_reused_folder_keeps_no_stale_photos(tmp_path: Path, manual: Manual) -> None:
    generate(tmp_path, manual, halls=1, photos=6, seed=1, violation_rate=0.2)
    truth = generate(tmp_path, manual, halls=1, photos=2, seed=2, violation_rate=0.2)
    assert len(list(tmp_path.rglob("*.jpg"))) == len(truth["photos"]) == 2
    assert len(list(tmp_path.rglob("*.txt"))) == 2


def test_folder_is_an_ultralytics_dataset(tiny) -> None:
    out, _ = tiny
    data = yaml.safe_load((out / "data.yaml").read_text(encoding="utf-8"))
    assert data["names"] == dict(enumerate(CLASSES))
    assert list((out / data["train"]).glob("*.jpg")) and list((out / data["val"]).glob("*.jpg"))
    from auditor.detectors.yolo import quiet_ultralytics

    quiet_ultralytics()
    from ultralytics.data.utils import check_det_dataset

    checked = check_det_dataset(str(out / "data.yaml"), autodownload=False)
    assert checked["nc"] == len(CLASSES)


def test_camera_projects_like_a_pinhole() -> None:
    cam = Camera(width=800, height=600, focal_px=500, cam_height=1.5, pitch_deg=0.0)
    px, depth = cam.project(np.array([[0.0, 5.0, 1.5], [1.0, 5.0, 1.5], [0.0, 5.0, 0.0]]))
    assert px[0] == pytest.approx([400, 300]) and depth[0] == pytest.approx(5.0)
    assert px[1][0] == pytest.approx(400 + 500 / 5)          # 1 m to the right at 5 m: f/5 pixels
    assert px[2][1] == pytest.approx(300 + 500 * 1.5 / 5)     # the floor below the eye is lower in the image
    tilted = Camera(width=800, height=600, focal_px=500, cam_height=1.5, pitch_deg=10.0)
    assert tilted.project(np.array([[0.0, 5.0, 1.5]]))[0][0][1] < 300, "looking down, eye level moves up"


def test_unproject_inverts_project_for_a_light_overhead() -> None:
    # The shadow pass looks at the photo's pixels from a ceiling light standing further into the room.
    light = Camera(width=40, height=30, focal_px=30, cam_height=3.2, pitch_deg=90.0, x0=0.5, y0=4.0)
    depth = np.full((30, 40), 3.2, np.float32)           # the floor, straight below
    world = light.unproject(depth)
    assert world[:, 2] == pytest.approx(np.zeros(len(world)), abs=1e-5), "every pixel lands on the floor"
    px, z = light.project(world)
    cols, rows = np.meshgrid(np.arange(40) + 0.5, np.arange(30) + 0.5)
    assert px[:, 0] == pytest.approx(cols.reshape(-1), abs=1e-3)
    assert px[:, 1] == pytest.approx(rows.reshape(-1), abs=1e-3)
    assert world[:, :2].mean(axis=0) == pytest.approx([0.5, 4.0], abs=0.05), "centred under the light"


def test_ambient_occlusion_darkens_creases_but_leaves_no_halo() -> None:
    from auditor.synth.render import ambient_occlusion

    # A corner seen from in front: the far crease at column 60, both walls coming nearer away from it.
    cols = np.arange(120, dtype=np.float32)
    crease = np.tile(6.0 - 0.03 * np.abs(cols - 60), (80, 1))
    ao = ambient_occlusion(crease)
    assert ao[40, 60] < ao[40, 20] - 0.05, "the crease is darker than the open wall"
    # A box 3 m away in front of a wall 8 m away: a silhouette, not a crease.
    wall = np.full((80, 120), 8.0, np.float32)
    wall[20:60, 45:75] = 3.0
    ao = ambient_occlusion(wall)
    assert ao[40, 42] == pytest.approx(ao[40, 5], abs=0.01), "no dark halo on the wall beside the box"
    assert ao[40, 60] == pytest.approx(1.0, abs=0.01), "the box's flat face is open"


def test_eval_on_a_generated_folder(tiny, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from auditor.cli import app

    out, truth = tiny
    report = tmp_path / "eval.json"
    result = CliRunner().invoke(app, ["eval", str(out), "--json", str(report)])
    assert result.exit_code == 0, result.output
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["photos"] == len(truth["photos"])
    assert set(data["halls"]) == set(truth["halls"])
    assert all(data["halls"][h]["true_score"] == truth["halls"][h]["true_score"] for h in truth["halls"])
    assert 0 <= data["verdict_accuracy"] <= 1
    assert sum(sum(row.values()) for row in data["confusion"].values()) == data["pairs"]


def test_parallel_rendering_gives_the_same_folder(tmp_path: Path, manual: Manual) -> None:
    one = generate(tmp_path / "one", manual, halls=1, photos=10, seed=21, violation_rate=0.3, workers=1)
    two = generate(tmp_path / "two", manual, halls=1, photos=10, seed=21, violation_rate=0.3, workers=2)
    assert one["photos"] == two["photos"] and one["halls"] == two["halls"]
    for image in (tmp_path / "one").rglob("*.jpg"):
        assert image.read_bytes() == (tmp_path / "two" / image.relative_to(tmp_path / "one")).read_bytes()


@pytest.mark.parametrize(("top", "seated"), [("green", False), ("dark_blue", True), ("white", False), ("red", True)])
def test_a_drawn_person_shows_dress_colour_and_badge_in_the_chest_box(top: str, seated: bool) -> None:
    from auditor.detectors.colour import upper_body_colour
    from auditor.synth.people import draw_person, look
    from auditor.synth.render import Frame

    frame = Frame(Camera(width=400, height=600, focal_px=400, cam_height=1.5, pitch_deg=0.0))
    frame.rgb[:] = 0.8  # a light wall behind
    frame.sprite_depth = 3.0
    person_look = look(np.random.default_rng(0), "staff", top, badge=True, vest=False, seated=seated)
    person, chest = draw_person(frame, 200.0, 590.0, 300.0, person_look)
    if seated:
        # Seated staff are seen over a counter, which hides them from the waist down.
        counter = frame.new_label("counter")
        frame.ids[chest[3] + 40:] = counter
        frame.rgb[chest[3] + 40:] = (0.85, 0.85, 0.83)
    names = {i: label.name for i, label in enumerate(frame.labels)}
    assert (frame.ids == person).sum() > 5000, "the body is drawn and labelled"
    badge = [i for i, name in names.items() if name == "work_badge"]
    assert badge and frame.labels[badge[0]].parent == person
    ys, xs = np.nonzero(frame.ids == badge[0])
    x0, y0, x1, y1 = chest
    assert x0 <= xs.mean() <= x1 and y0 <= ys.mean() <= y1, "the badge is on the chest"
    # The recoloured garment reads as the person's dress colour to the audit's own dress analyzer.
    ys, xs = np.nonzero(np.isin(frame.ids, [person, badge[0]]))
    box = (float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1))
    bgr = cv2.cvtColor((np.clip(frame.rgb, 0, 1) * 255).astype(np.uint8), cv2.COLOR_RGB2BGR)
    assert upper_body_colour(bgr, box) == top
    assert (frame.depth[frame.ids == person] == 3.0).all(), "drawn at the sprite depth"


def test_every_person_sprite_has_a_garment_on_its_chest_and_faces_as_indexed() -> None:
    """The committed sprites match their index: each has a picture and a part map of one size, a top garment
    covering most of its chest, and skin found on the figures that face the camera."""
    from auditor.synth.people import person_sprites, sprite_picture

    assert {s.pose for s in person_sprites()} == {"standing", "seated"}
    for sprite in person_sprites():
        picture = sprite_picture(sprite.name)
        ppm = sprite.px_per_m
        top, cx = sprite.head_top, sprite.torso_x
        # The chest box of the truth (0.33-0.58 m below the head's top, 0.15 m either side).
        rows = slice(int(top + 0.33 * ppm), int(top + 0.58 * ppm))
        cols = slice(int(cx - 0.15 * ppm), int(cx + 0.15 * ppm))
        body = picture.alpha[rows, cols] > 0.5
        assert (picture.parts[rows, cols][body] == 1).mean() > 0.5, sprite.name
        assert picture.alpha[sprite.foot].max() > 0.5 and picture.alpha[sprite.foot + 2:].max() < 0.5, sprite.name
        if sprite.faces_camera:
            assert (picture.parts == 2).sum() > 50, f"{sprite.name}: no skin found"


def test_hair_is_made_black_on_the_head_and_nowhere_else() -> None:
    """Dark-haired figures get black hair above and around the face (never on skin, garment or face); a
    fair-haired figure keeps its hair."""
    from auditor.synth.people import HAIR_REACH_M, hair_mask, person_sprites, sprite_picture
    from auditor.synth.sprites import ASSETS, read_part_map, read_picture, to_linear

    darkened = 0
    for sprite in person_sprites():
        rgb, alpha = read_picture(ASSETS / "people" / f"{sprite.name}.webp")
        parts, shade = read_part_map(ASSETS / "people" / f"{sprite.name}.parts.png", alpha.shape)
        hair = hair_mask(sprite, rgb, alpha, parts)
        assert not (hair & (parts > 0)).any(), sprite.name
        # Never on the face (eyes, brows and lips lie inside the hull of the head's skin) nor under the chin.
        head = np.zeros(parts.shape, np.uint8)
        head_rows = slice(sprite.head_top, sprite.head_top + int(round(0.25 * sprite.px_per_m)))
        head[head_rows] = parts[head_rows] == 2
        if head.sum() > 20:
            ys, xs = np.nonzero(head)
            face = cv2.fillConvexPoly(np.zeros_like(head), cv2.convexHull(np.column_stack([xs, ys])), 1)
            assert not (hair & face.astype(bool)).any(), f"{sprite.name}: hair on the face"
            assert not hair[ys.max() + 1:, xs.min() + 1:xs.max()].any(), f"{sprite.name}: hair under the chin"
        picture = sprite_picture(sprite.name)
        assert np.array_equal(picture.parts, parts) and np.array_equal(picture.shade, shade), "only hair changes"
        rows = np.flatnonzero(hair.any(axis=1))
        if rows.size:
            darkened += 1
            assert rows[0] <= sprite.head_top + 2 and rows[-1] <= sprite.head_top + HAIR_REACH_M * sprite.px_per_m
            black = picture.rgb[hair]
            assert to_linear(black).mean() <= to_linear(rgb[hair]).mean() + 1e-4, f"{sprite.name}: hair lightened"
            assert (black.max(axis=1) - black.min(axis=1)).mean() < 0.03, f"{sprite.name}: hair not black"
            assert np.array_equal(picture.rgb[~hair], rgb[~hair]), sprite.name
    assert darkened >= len(person_sprites()) / 2
    for seated in (s for s in person_sprites() if s.pose == "seated"):
        rgb, alpha = read_picture(ASSETS / "people" / f"{seated.name}.webp")
        parts, _ = read_part_map(ASSETS / "people" / f"{seated.name}.parts.png", alpha.shape)
        assert hair_mask(seated, rgb, alpha, parts).sum() > 200, f"{seated.name}: no hair found to blacken"
    # A figure whose crown is fair is left as it is.
    fair = next(s for s in person_sprites() if s.name.startswith("holdingMale01"))
    rgb, alpha = read_picture(ASSETS / "people" / f"{fair.name}.webp")
    parts, _ = read_part_map(ASSETS / "people" / f"{fair.name}.parts.png", alpha.shape)
    assert not hair_mask(fair, rgb, alpha, parts).any()


def test_every_thing_sprite_stands_on_the_middle_of_its_base() -> None:
    """Each freestanding thing's picture loads and its base point lies in the bottom middle of what it shows
    (above the lowest row: the base's front shows below its middle, seen from above)."""
    from auditor.synth.sprites import thing_picture, things

    assert {"plant", "bin", "fire_extinguisher", "water_dispenser", "cup", "bag"} <= {t.kind for t in things()}
    for sprite in things():
        _, alpha = thing_picture(sprite.name)
        rows = np.flatnonzero((alpha > 0.5).any(axis=1))
        cols = np.flatnonzero((alpha > 0.5).any(axis=0))
        bx, by = sprite.base
        assert cols[0] <= bx <= cols[-1], sprite.name
        assert rows[0] < by <= rows[-1] + 2, sprite.name
        assert by > (rows[0] + rows[-1]) / 2, sprite.name


def test_a_drawn_thing_is_labelled_where_it_stands_at_its_height() -> None:
    from auditor.synth.render import Frame
    from auditor.synth.sprites import choose_thing, draw_thing

    camera = Camera(width=640, height=480, focal_px=500, cam_height=1.5, pitch_deg=10.0)
    frame = Frame(camera)
    sprite = choose_thing(np.random.default_rng(0), "plant", "floor")
    label = frame.new_label("plant")
    draw_thing(frame, sprite, (0.0, 4.0, 0.0), (0.0, 3.8, 0.0), 1.2, label)
    ys, xs = np.nonzero(frame.ids == label)
    (base_x, base_y), (_, top_y) = camera.project(np.array([(0.0, 4.0, 0.0), (0.0, 4.0, 1.2)]))[0]
    assert abs(np.median(xs) - base_x) < 0.15 * (xs.max() - xs.min()), "centred over its base"
    assert abs(ys.max() - base_y) < 0.1 * (base_y - top_y), "standing on its base"
    assert abs((ys.max() - ys.min()) - (base_y - top_y)) < 0.15 * (base_y - top_y), "as tall as asked"
    assert np.allclose(frame.depth[frame.ids == label], camera.depth_of(np.array([0.0, 3.8, 0.0]))), \
        "flat at the depth of its front"


def test_a_person_stands_flat_at_the_depth_of_their_feet() -> None:
    """People are composited at the depth where they stand, not of their head (which is nearer a camera
    looking down): else a counter edge in front of their feet, or the overhead light's shadow map, would
    see them where they are not."""
    from auditor.synth.people import draw_person, look
    from auditor.synth.render import Frame

    camera = Camera(width=640, height=480, focal_px=500, cam_height=1.5, pitch_deg=12.0)
    frame = Frame(camera)
    person = look(np.random.default_rng(0), "visitor", "red", badge=False, vest=False, seated=False)
    labels: list[int] = []
    frame.sprite(lambda px, py, sc: labels.append(draw_person(frame, px, py, sc, person)[0]), (0.0, 4.0, 0.0))
    assert labels and (frame.ids == labels[0]).sum() > 100, "the person is drawn"
    assert np.allclose(frame.depth[frame.ids == labels[0]], camera.depth_of(np.array([0.0, 4.0, 0.0])))


def test_an_unlabelled_shape_hides_what_is_behind_it_from_the_truth() -> None:
    """A pillar (unlabelled furniture) in front of a labelled thing takes its pixels from the id buffer, so the
    truth's visible box and a person's visible chest count only what the photo shows."""
    from auditor.synth.render import NOTHING, Frame

    frame = Frame(Camera(width=320, height=240, focal_px=300, cam_height=1.5, pitch_deg=5.0))
    machine = frame.new_label("ticket_machine")
    frame.box(0.0, 5.0, 0.0, (1.0, 0.5, 1.6), (0.7, 0.7, 0.75), machine)
    whole = int((frame.ids == machine).sum())
    frame.box(0.0, 3.0, 0.0, (0.4, 0.4, 3.0), (0.9, 0.9, 0.88), None)  # a pillar in front of its middle
    hidden = int((frame.ids == machine).sum())
    assert 0 < hidden < 0.8 * whole
    assert (frame.ids == NOTHING).sum() > 0


def test_streets_differ_in_their_buildings_but_keep_the_district_standard() -> None:
    """Each street's hall has its own walls, ceiling, floor and counter fronts (a set repeated in every
    photo gives a generated set away); the accent blue stays the district's."""
    from auditor.synth import textures as tx
    from auditor.synth.areas import BANDS
    from auditor.synth.dataset import BAND_SHARES, WALL_FINISH_SHARES, hall_style

    assert set(WALL_FINISH_SHARES) == set(tx.WALL_FINISHES) and set(BAND_SHARES) == set(BANDS)

    styles = [hall_style(np.random.default_rng(seed), f"street{seed}") for seed in range(12)]
    assert len({s.wall_finish for s in styles}) >= 3
    assert len({s.ceiling for s in styles}) >= 2
    assert len({s.floor_pattern for s in styles}) >= 2
    assert len({s.counter_front for s in styles}) >= 2
    assert all(s.accent[2] > 0.45 > s.accent[0] for s in styles), "the district's blue everywhere"
    again = hall_style(np.random.default_rng(3), "street3")
    assert again == styles[3], "the same seed gives the same building"


def test_a_wainscot_wall_is_wood_below_the_rail_and_paint_above() -> None:
    from auditor.synth import textures as tx

    paint, wood = (0.9, 0.9, 0.88), (0.55, 0.38, 0.24)
    img = tx.wall(4.0, 3.0, paint, np.random.default_rng(0), px_per_m=40, finish="wainscot", wood_colour=wood)
    rail = img.shape[0] - int(1.1 * 40)
    above, below = img[: rail - 10].reshape(-1, 3).mean(axis=0), img[rail + 10:].reshape(-1, 3).mean(axis=0)
    assert np.allclose(above, paint, atol=0.04)
    assert np.allclose(below, wood, atol=0.06)
    stone = tx.wall(4.0, 3.0, paint, np.random.default_rng(0), finish="stone", stone_colour=(0.7, 0.68, 0.66))
    assert np.allclose(stone.reshape(-1, 3).mean(axis=0), (0.7, 0.68, 0.66), atol=0.05)


def test_a_counter_is_labelled_whole_from_its_foot_to_its_top_slab() -> None:
    """The counter's kick plate, body and overhanging top are one labelled object: its box runs from the
    foot on the floor (where the one-metre line is measured from) to the top of the slab."""
    from auditor.synth.areas import _counter
    from auditor.synth.dataset import hall_style
    from auditor.synth.scene import Shot

    camera = Camera(width=640, height=480, focal_px=500, cam_height=1.5, pitch_deg=10.0)
    style = hall_style(np.random.default_rng(1), "x")
    shot = Shot(camera=camera, style=style, rng=np.random.default_rng(2), room_width=12.0, room_depth=8.0,
                room_height=3.5)
    _counter(shot, 0.0, 4.3, (2.0, 0.6, 0.9))
    shot._draw_ops()
    (index, name, (x0, y0, x1, y1)), = shot.boxes()
    assert name == "counter"
    # Seen from above, the top's far edge (4.6 m) is its highest point in the photo.
    (_, foot_y), (_, top_y) = camera.project(np.array([(0.0, 4.0, 0.0), (0.0, 4.6, 0.9)]))[0]
    assert abs(y1 - foot_y) < 3, "the box reaches the counter's foot"
    assert abs(y0 - top_y) < 3, "and the far edge of its top"
    assert x1 - x0 > 0.9 * (camera.project(np.array([(1.0, 4.0, 0.0)]))[0][0][0]
                            - camera.project(np.array([(-1.0, 4.0, 0.0)]))[0][0][0])


def test_daylight_falls_from_the_window_side() -> None:
    from auditor.synth.scene import _daylight

    for side in (-1, 1):
        gain = _daylight(400, [side], np.random.default_rng(5))[0, :, 1]
        window_edge, far_edge = (gain[-1], gain[0]) if side > 0 else (gain[0], gain[-1])
        assert window_edge > far_edge * 1.15
    unlit = _daylight(400, [], np.random.default_rng(5))[0, :, 1]
    assert unlit.max() / unlit.min() < 1.2, "without windows only the lights' uneven spread"


@pytest.mark.parametrize("area", list(Area))
def test_what_hangs_on_the_back_wall_last_finds_free_wall(area: Area) -> None:
    """Notice boards, prints and clocks go where the area's own signs, doors and screens left the wall free:
    never pasted over a sign or hung behind a door."""
    from auditor.synth.areas import COMPOSERS, Dice, _wall_extras
    from auditor.synth.dataset import hall_style

    hung = 0
    for seed in range(25):
        rng = np.random.default_rng(seed)
        extra = {"window": 1} if area is Area.WINDOW_COUNTER else {}
        shot = COMPOSERS[area](hall_style(rng, "x"), rng, Dice(rng, 0.3), **extra)
        before = len(shot.back_wall)
        _wall_extras(shot)
        for i, (x0, x1, z0, z1) in enumerate(shot.back_wall[before:]):
            others = shot.back_wall[:before + i]
            assert all(x1 <= a or x0 >= b or z1 <= c or z0 >= d for a, b, c, d in others), (seed, i)
        hung += len(shot.back_wall) - before
    assert hung > 10, "the extras still get hung"


def test_a_thing_against_the_back_wall_takes_its_span() -> None:
    """A cabinet or chairs standing at the back wall take the wall behind them: a print is never hung where
    they would hide it; a board may hang above a low chair."""
    from auditor.synth.areas import COMPOSERS, Dice
    from auditor.synth.dataset import hall_style
    from auditor.synth.sprites import choose_thing, thing_extent

    rng = np.random.default_rng(0)
    shot = COMPOSERS[Area.WAITING_AREA](hall_style(rng, "x"), rng, Dice(rng, 0.0))
    d = shot.room_depth
    cabinet = choose_thing(rng, "_cabinet", "floor")
    left, right = thing_extent(cabinet, 1.8)
    assert 0.1 < left + right < 3.0
    shot.back_wall.clear()
    shot.thing("_cabinet", 3.0, d - 0.3, 0.0, 1.8, 0.45, sprite=cabinet)
    assert shot.back_wall == [pytest.approx((3.0 - left, 3.0 + right, 0.0, 1.8))]
    assert not shot.back_wall_free(2.8, 3.2, 1.0, 1.6), "nothing hangs behind the cabinet"
    assert not shot.back_wall_free(3.0 + right + 0.05, 3.5 + right, 1.0, 1.6), "nor pressed against its side"
    assert shot.back_wall_free(2.8, 3.2, 1.85, 2.4), "a board above it is free"
    shot.thing("_cabinet", -3.0, d - 2.0, 0.0, 1.8, 0.45, sprite=cabinet)
    assert len(shot.back_wall) == 1, "a thing standing in the room leaves the wall free"


def test_a_window_s_neighbours_are_at_work_without_a_plate_or_device(tiny) -> None:
    """The windows either side of the photographed one show their monitors and often a colleague, never a
    window plate or an evaluation device (which would stand in for the photographed window's own)."""
    _, truth = tiny
    counters = [p for p in truth["photos"] if p["area"] == "window_counter"]
    assert counters
    for photo in counters:
        names = [o["name"] for o in photo["facts"]["objects"]]
        assert names.count("window_plate") <= 1 and names.count("evaluation_device") <= 1, photo["file"]
    assert max(sum(1 for o in p["facts"]["objects"] if o["name"] == "monitor") for p in counters) >= 2
    assert any(sum(1 for q in p["facts"]["persons"] if q["role"] == "staff") >= 2 for p in counters)


def test_downlights_light_the_floor_under_them_more_than_far_from_them() -> None:
    """The deferred light pass: a floor pixel under a ceiling light gets more light than one metres away,
    and a wall facing the camera is lit more near the ceiling than at its foot."""
    from auditor.synth.render import downlight

    camera = Camera(width=160, height=120, focal_px=120, cam_height=1.5, pitch_deg=30.0)
    # The floor alone: every pixel below the horizon at the depth where its ray meets z = 0.
    rays = camera.unproject(np.ones((120, 160), np.float32)) - camera.position
    floor_depth = np.where(rays[:, 2] < -1e-3, camera.cam_height / np.maximum(-rays[:, 2], 1e-3), np.inf)
    depth = floor_depth.reshape(120, 160).astype(np.float32)
    light = np.array([[0.0, 3.0, 3.2]])
    factor = downlight(camera, depth, camera.unproject(depth), light)
    under, aside = camera.project(np.array([[0.0, 3.0, 0.0], [1.6, 3.0, 0.0]]))[0].astype(int)
    assert factor[under[1], under[0]] > factor[aside[1], aside[0]] + 0.05
    assert (factor[~np.isfinite(depth)] == 1.0).all(), "pixels showing nothing keep their light"
    # A wall 4 m ahead, facing the camera, lit by a light 1 m in front of it at 3 m up.
    wall = Camera(width=160, height=120, focal_px=120, cam_height=1.5, pitch_deg=0.0)
    wall_depth = np.full((120, 160), 4.0, np.float32)
    factor = downlight(wall, wall_depth, wall.unproject(wall_depth), np.array([[0.0, 3.0, 3.0]]))
    top, foot = wall.project(np.array([[0.0, 4.0, 2.5], [0.0, 4.0, 0.2]]))[0]
    assert factor[int(top[1]), 80] > factor[int(foot[1]), 80] + 0.1


def test_a_floor_reflection_is_crisp_at_the_foot_and_soft_high_up() -> None:
    from auditor.synth.render import glossy_reflection

    mirror = np.zeros((120, 120, 3), np.float32)
    mirror[:, 60] = 1.0  # a thin bright upright (a table leg's reflection)
    height = np.tile(np.linspace(0.0, 2.0, 120, dtype=np.float32)[:, None], (1, 120))
    soft = glossy_reflection(mirror, height)
    assert soft[5, 60, 0] > 2 * soft[110, 60, 0], "at the floor the reflection keeps its edge"
    assert soft[110, 66, 0] > soft[5, 66, 0], "high up it spreads sideways"


def test_the_photo_finish_keeps_shadows_dark_and_whites_light() -> None:
    """The phone's tone curve: something dark stays dark (real photos' darkest 2% sit near L 5; a curve
    that lifted shadows put them near L 20), a white wall stays light and mid grey stays mid grey."""
    from auditor.synth.render import finish

    rgb = np.full((60, 90, 3), 0.15, np.float32)
    rgb[:, 30:60] = 0.45
    rgb[:, 60:] = 0.95
    out = finish(rgb, np.random.default_rng(0), exposure=0.85, colour_temp=(1.0, 1.0, 1.0), vignette=0.0,
                 noise=0.0, blur=0.0, hotspot=None)
    lightness = cv2.cvtColor(out, cv2.COLOR_BGR2Lab)[..., 0].astype(np.float32) * 100 / 255
    dark, grey, white = (float(np.median(lightness[20:40, a + 5:a + 25])) for a in (0, 30, 60))
    assert dark < 14 and 35 < grey < 65 and white > 80


def test_a_floor_keeps_its_polish_in_patches() -> None:
    """The floor's polish varies over metres (worn and glossy patches), around its gloss on the whole."""
    from auditor.synth.areas import COMPOSERS, Dice
    from auditor.synth.dataset import hall_style

    rng = np.random.default_rng(1)
    shot = COMPOSERS[Area.WAITING_AREA](hall_style(rng, "x"), rng, Dice(rng, 0.0))
    floor_id = shot._room()
    polish = shot._polish(np.random.default_rng(2))[shot.frame.ids == floor_id]
    assert 0.85 < polish.mean() < 1.15
    assert polish.min() < 0.8 and polish.max() > 1.2, "worn and glossy patches"
    again = shot._polish(np.random.default_rng(2))[shot.frame.ids == floor_id]
    assert np.array_equal(polish, again), "the same photo seed, the same patches"


def test_a_screen_shows_the_sheen_of_the_room_on_its_glass() -> None:
    """Screens carry a veil of reflected light, stronger at the top, the same for the same screen, and drawn
    without taking from the photo's generator (which would change everything drawn after the screen)."""
    from auditor.synth import textures as tx

    ui = tx.screen(200, 130, np.random.default_rng(3), "ui")
    assert np.array_equal(ui, tx.screen(200, 130, np.random.default_rng(3), "ui"))
    rng = np.random.default_rng(3)
    before = rng.bit_generator.state
    calls = tx.screen(200, 130, rng, "calls")   # a call list draws nothing of its own
    assert rng.bit_generator.state == before
    background = calls[:, :, 2] - calls[:, :, 0]   # the call list's blue, paled where the veil lies
    assert np.median(background[:10]) < np.median(background[-10:]), "the top mirrors the lit ceiling"


def test_a_walking_visitor_smears_sideways_with_their_labels() -> None:
    from auditor.synth.people import BODY, _moving

    alpha = np.zeros((40, 30), np.float32)
    alpha[5:35, 10:20] = 1.0
    rgb = np.zeros((40, 30, 3), np.float32)
    rgb[alpha > 0] = (0.8, 0.1, 0.1)
    parts = np.where(alpha > 0.5, BODY, 0).astype(np.uint8)
    same = _moving(rgb, alpha, parts, 1.0)
    assert same[3] == 0 and same[1] is alpha, "a smear under two pixels changes nothing"
    smeared_rgb, smeared_alpha, smeared_parts, shift = _moving(rgb, alpha, parts, 8.0)
    assert smeared_alpha.shape[1] == 30 + 2 * shift
    assert smeared_alpha.sum() == pytest.approx(alpha.sum(), rel=0.02), "a smear moves coverage, it adds none"
    columns = np.nonzero(smeared_alpha[20] > 0.05)[0]
    assert columns.max() - columns.min() > 10 + 5, "wider than the standing figure"
    assert np.allclose(smeared_rgb[smeared_alpha > 0.05], (0.8, 0.1, 0.1), atol=1e-3), "no dark fringe"
    assert ((smeared_alpha > 0.5) == (smeared_parts == BODY)).all(), "every covered pixel keeps its label"


def test_ambient_occlusion_leaves_a_slanted_floor_alone() -> None:
    """A floor seen from eye height changes depth from row to row; being flat, it must not darken (it did,
    by a fifth, when occlusion compared plain depths)."""
    from auditor.synth.render import ambient_occlusion

    camera = Camera(width=160, height=120, focal_px=120, cam_height=1.5, pitch_deg=25.0)
    rays = camera.unproject(np.ones((120, 160), np.float32)) - camera.position
    depth = np.where(rays[:, 2] < -1e-3, camera.cam_height / np.maximum(-rays[:, 2], 1e-3), np.inf)
    ao = ambient_occlusion(depth.reshape(120, 160).astype(np.float32))
    assert ao[60:110, 20:140].min() > 0.98


def _person_on_a_floor() -> tuple[Frame, int]:
    from auditor.synth.people import draw_person, look

    camera = Camera(width=320, height=240, focal_px=260, cam_height=1.5, pitch_deg=12.0)
    frame = Frame(camera)
    floor = frame.new_label("_floor")
    frame.world_plane(np.array([(-4.0, 8.0, 0.0), (4.0, 8.0, 0.0), (4.0, 0.5, 0.0), (-4.0, 0.5, 0.0)]),
                      colour=(0.7, 0.7, 0.7), label=floor, lit=False)
    person = look(np.random.default_rng(3), "visitor", "blue", badge=False, vest=False, seated=False)
    labels: list[int] = []
    frame.sprite(lambda px, py, sc: labels.append(draw_person(frame, px, py, sc, person)[0]), (0.0, 3.0, 0.0))
    return frame, labels[0]


def test_the_shadow_under_the_shoes_darkens_the_floor_and_not_the_shoes(monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor.synth import people

    shadowed, label = _person_on_a_floor()
    monkeypatch.setattr(people, "_feet_shadow", lambda *args: None)
    plain, _ = _person_on_a_floor()
    body = shadowed.ids == label
    # (Its anti-aliased rim lets through some of the darker floor behind: the inside must be untouched.)
    inside = cv2.erode(body.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    assert np.array_equal(shadowed.rgb[inside], plain.rgb[inside]), "the figure itself keeps its light"
    ys, xs = np.nonzero(body)
    foot_row = ys.max()
    under = (slice(foot_row + 1, foot_row + 3), slice(xs.min(), xs.max() + 1))
    assert shadowed.rgb[under].mean() < plain.rgb[under].mean() - 0.05, "the floor at the soles darkens"
    aside = (slice(foot_row - 2, foot_row + 3), slice(xs.max() + 30, xs.max() + 40))
    assert np.allclose(shadowed.rgb[aside], plain.rgb[aside]), "and only there"


def test_a_kiosk_is_labelled_whole_from_its_plinth_to_its_screen_head() -> None:
    from auditor.synth.areas import Dice, compose
    from auditor.synth.dataset import hall_style

    rng = np.random.default_rng(21)
    shot = compose(Area.SELF_SERVICE, hall_style(rng, "纸坊街道"), rng, Dice(rng, 0.0))
    shot.render(np.random.default_rng(22))
    whole = [box for _, name, box in shot.boxes() if name == "self_service_terminal"
             and box[0] > 0 and box[2] < shot.camera.width]  # not cut by the photo's edge
    assert whole, "a self-service area shows a terminal whole"
    # 0.55 m wide and 1.5 m tall: one label over body and head; the body alone would be 0.8 m tall.
    assert all((y1 - y0) > 2.0 * (x1 - x0) for x0, y0, x1, y1 in whole)


def test_something_standing_hangs_upside_down_from_its_foot_in_the_floor_s_mirror_image() -> None:
    from auditor.synth.render import Frame

    frame = Frame(Camera(width=40, height=40, focal_px=30, cam_height=1.5, pitch_deg=0.0))
    rgb = np.zeros((10, 4, 3), np.float32)
    rgb[0] = (1.0, 0.0, 0.0)                       # the top row red, the rest black
    alpha = np.ones((10, 4), np.float32)
    parts = np.ones((10, 4), np.uint8)
    label = frame.new_label("thing")
    frame.blit_standing(rgb, alpha, parts, {1: label}, 5, 20.0, 10.0)
    assert (np.nonzero(frame.ids[:, 5] == label)[0] == np.arange(10, 20)).all(), "standing on row 20"
    assert frame.rgb[10, 5, 0] == 1.0
    mirror = Frame(frame.camera.reflected())
    mirror.blit_standing(rgb, alpha, parts, {1: label}, 5, 20.0, 10.0)
    assert (np.nonzero(mirror.ids[:, 5] == label)[0] == np.arange(20, 30)).all(), "hanging from row 20"
    assert mirror.rgb[29, 5, 0] == 1.0, "its top at the bottom"


def test_a_blitted_picture_hides_what_is_behind_it_from_the_truth_where_no_part_is_labelled() -> None:
    from auditor.synth.render import NOTHING, Frame

    frame = Frame(Camera(width=20, height=20, focal_px=20, cam_height=1.5, pitch_deg=0.0))
    behind = frame.new_label("sign")
    frame.ids[:] = behind
    parts = np.zeros((6, 6), np.uint8)
    parts[:3] = 1                                   # the top half labelled, the bottom half (code 0) not
    frame.blit(np.ones((6, 6, 3), np.float32), np.ones((6, 6), np.float32), parts, {1: frame.new_label("bag")},
               4, 4)
    assert (frame.ids[7:10, 4:10] == NOTHING).all(), "covered, so the sign does not show there"
    assert (frame.ids[4:7, 4:10] == behind + 1).all()


def test_a_boost_draws_the_named_violations_more_often_and_leaves_the_rest_alone() -> None:
    from auditor.synth.areas import CLUTTER_VIOLATIONS, Dice

    plain = Dice(np.random.default_rng(5), 0.3)
    boosted = Dice(np.random.default_rng(5), 0.3, {"cup_on_top": 3.0})
    calls = ["cup_on_top", "badge_missing"] * 400
    plain_hits = [plain(name, 0.5) for name in calls]
    boosted_hits = [boosted(name, 0.5) for name in calls]
    cups = (sum(plain_hits[0::2]), sum(boosted_hits[0::2]))
    assert cups[1] > 2 * cups[0], cups
    # One draw per call whatever the boost: every other violation comes out the same.
    assert plain_hits[1::2] == boosted_hits[1::2]
    assert "cup_on_top" in CLUTTER_VIOLATIONS and "badge_missing" not in CLUTTER_VIOLATIONS


def test_a_boosted_set_says_so_in_its_truth(tmp_path: Path, manual: Manual) -> None:
    truth = generate(tmp_path, manual, halls=1, photos=1, seed=1, violation_rate=0.2, boost={"cup_on_top": 2.0})
    assert truth["generator"]["boost"] == {"cup_on_top": 2.0}


def test_a_badge_labelled_in_view_is_worn_in_the_truth(tiny) -> None:
    """The truth agrees with the labels: a staff member whose badge is labelled in view wears it, even where
    the counter hides most of the chest (the badge just above its edge), and the rule reads it."""
    _, truth = tiny

    def inside(point: tuple[float, float], box: list[float]) -> bool:
        return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]

    seen = 0
    for photo in truth["photos"]:
        badges = [o["box"] for o in photo["facts"]["objects"] if o["name"] == "work_badge"]
        for person in photo["facts"]["persons"]:
            if person["role"] != "staff":
                continue
            if any(inside(((b[0] + b[2]) / 2, (b[1] + b[3]) / 2), person["box"]) for b in badges):
                seen += 1
                assert person["badge"] is True, (photo["file"], person)
    assert seen >= 4


def test_hazard_tape_is_painted_in_both_colours_and_dashes_leave_floor_between() -> None:
    from auditor.synth import textures as tx

    floor = np.full((200, 400, 3), 0.5, np.float32)
    tx.paint_floor_line(floor, 100, 0.2, 1.0, 3.8, 1.0, 0.1, (0.9, 0.75, 0.1), pattern="striped",
                        second=tx.HAZARD_BLACK)
    row = floor[100, 40:360]
    yellow = (row[:, 0] > 0.8).mean()
    black = (row.max(axis=1) < 0.15).mean()
    assert 0.3 < yellow < 0.7 and 0.3 < black < 0.7, (yellow, black)
    dashed = np.full((200, 400, 3), 0.5, np.float32)
    tx.paint_floor_line(dashed, 100, 0.2, 1.0, 3.8, 1.0, 0.1, (0.9, 0.75, 0.1), pattern="dashed")
    painted = (dashed[100, 40:360, 0] > 0.8).mean()
    assert 0.3 < painted < 0.7, painted
    solid = np.full((200, 400, 3), 0.5, np.float32)
    tx.paint_floor_line(solid, 100, 0.2, 1.0, 3.8, 1.0, 0.1, (0.9, 0.75, 0.1))
    assert (solid[100, 40:360, 0] > 0.8).all()


def test_the_floor_stress_set_has_every_kind_and_its_truth() -> None:
    from auditor.synth.floor_stress import DISTRACTORS, render_case, stress_cases

    cases = stress_cases()
    assert {c.distractor for c in cases if c.distractor} == set(DISTRACTORS)
    assert {c.pattern for c in cases if c.pattern} == {"solid", "dashed", "striped"}
    assert {c.steep for c in cases} == {True, False}
    hazard = next(c for c in cases if c.colours == ("red", "white") and c.steep)
    image, lines, _ = render_case(hazard, 7015)
    assert image.shape == (720, 960, 3) and lines and set(lines[0].colours) == {"red", "white"}
    mat = next(c for c in cases if c.distractor == "red_mat")
    _, lines, _ = render_case(mat, 7016)
    assert lines == []
