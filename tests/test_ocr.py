"""The sign-text reader: grouping readings into lines and blocks, the recall metric, how the passes are run
and read (one recognition call each, large photos detected shrunk), and reading rendered signs."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from auditor.detectors.text_lines import Piece, group_blocks, group_lines
from auditor.fonts import cjk_font_path
from auditor.text_match import edit_similarity, match_texts, normalise, text_matches


def piece(i: int, box: tuple[float, float, float, float], text: str, horizontal: bool = True) -> Piece:
    return Piece(box=box, text=text, score=0.9 + i / 100, horizontal=horizontal, parts=frozenset({i}))


# -- grouping --------------------------------------------------------------------------------------------

def test_fragments_on_one_row_become_one_line_and_keep_their_parts() -> None:
    pieces = [piece(0, (229, 172, 419, 213), "Yuyuan Rd."), piece(1, (160, 173, 200, 213), "W"),
              piece(2, (440, 175, 470, 213), "E")]
    (line,) = group_lines(pieces)
    assert line.text == "W Yuyuan Rd. E"  # left to right, whatever order the readings came in
    assert line.parts == {0, 1, 2} and line.box == (160, 172, 470, 213)
    assert line.score == pytest.approx(0.9)  # never surer than its weakest piece


def test_far_apart_taller_or_other_row_pieces_stay_apart() -> None:
    far = [piece(0, (0, 100, 100, 130), "1号窗口"), piece(1, (300, 100, 400, 130), "2号窗口")]  # gap 6.7 heights
    taller = [piece(0, (0, 100, 100, 130), "综合"), piece(1, (110, 80, 200, 150), "受理")]
    lower = [piece(0, (0, 100, 100, 130), "等候区"), piece(1, (105, 135, 200, 165), "Waiting")]
    turned = [piece(0, (0, 100, 100, 130), "出件", horizontal=False), piece(1, (110, 100, 200, 130), "窗口")]
    for pieces in (far, taller, lower, turned):
        assert sorted(line.text for line in group_lines(pieces)) == sorted(p.text for p in pieces)


def test_the_line_gap_is_measured_in_text_heights() -> None:
    pieces = [piece(0, (0, 100, 100, 130), "政务"), piece(1, (140, 100, 240, 130), "公开")]  # gap 40 = 1.33 h
    assert [line.text for line in group_lines(pieces)] == ["政务 公开"]
    assert len(group_lines(pieces, gap=1.0)) == 2


def test_stacked_lines_form_a_block_read_top_to_bottom() -> None:
    lines = [piece(1, (290, 206, 414, 235), "Waiting Area"), piece(0, (312, 170, 397, 205), "等候区"),
             piece(2, (700, 170, 800, 205), "政务公开")]
    (block,) = group_blocks(lines)
    assert block.text == "等候区 Waiting Area" and block.parts == {0, 1}
    # A small line over a bigger one (a street plate's "西" over "315") is a block too.
    assert [b.text for b in group_blocks([piece(0, (84, 77, 146, 128), "西"),
                                          piece(1, (77, 124, 135, 155), "315")])] == ["西 315"]


def test_lines_far_below_or_beside_each_other_are_no_block() -> None:
    far_below = [piece(0, (200, 214, 374, 270), "Mairie du Ier"), piece(1, (210, 321, 474, 383), "Palais du LOUVRE")]
    beside = [piece(0, (0, 100, 100, 130), "等候区"), piece(1, (200, 131, 300, 160), "Waiting Area")]
    assert group_blocks(far_below) == [] and group_blocks(beside) == []


def test_a_wide_line_under_two_signs_joins_the_nearer_one_only() -> None:
    lines = [piece(0, (0, 100, 60, 130), "西"), piece(1, (300, 90, 360, 130), "东"),
             piece(2, (0, 134, 360, 160), "W Yuyuan Rd. E")]
    blocks = group_blocks(lines)
    assert [b.text for b in blocks] == ["西 W Yuyuan Rd. E"] or [b.text for b in blocks] == ["东 W Yuyuan Rd. E"]


# -- the recall metric -----------------------------------------------------------------------------------

def test_normalise_folds_width_case_space_and_punctuation() -> None:
    assert normalise("Ｗａｉｔｉｎｇ  Area") == "waitingarea"
    assert normalise("华南农业大学—东园") == "华南农业大学东园" and normalise("Rd.") == "rd"
    assert edit_similarity("KEEP CLEAR", "keep-clear!") == 1.0


def test_a_label_is_found_when_contained_or_at_least_point_eight_similar() -> None:
    assert text_matches("等候区", "等候区 Waiting Area")  # contained in a longer line
    assert text_matches("W Yuyuan Rd. E", "Yuyuan Rd.")  # 8 of 10 letters: 1 - 2/10 = 0.8
    assert text_matches("华南农业大学—东园", "华南农业大学东图")  # one letter wrong in 8: 0.875
    assert not text_matches("办事指南", "办事指")  # 0.75
    assert not text_matches("西 315", "315") and not text_matches("abc", "")


def test_a_text_labelled_twice_needs_two_distinct_outputs() -> None:
    assert match_texts(["KEEP CLEAR", "KEEP CLEAR"], ["KEEP CLEAR"]).found == ["KEEP CLEAR"]
    assert match_texts(["KEEP CLEAR", "KEEP CLEAR"], ["KEEP CLEAR", "KEEP CLEAR"]).recall == 1.0
    # A block and one of its lines are one reading: they cannot stand for two labels.
    shared = match_texts(["KEEP CLEAR", "KEEP CLEAR"], ["KEEP CLEAR", "KEEP CLEAR Exit"],
                         parts=[frozenset({0}), frozenset({0, 1})])
    assert shared.missed == ["KEEP CLEAR"]


def test_matching_assigns_outputs_so_that_most_labels_are_found() -> None:
    # Greedy would give "等候区 Waiting Area" to 等候区 and leave Waiting Area unmatched.
    result = match_texts(["等候区", "Waiting Area"], ["等候区 Waiting Area", "等候区"])
    assert result.recall == 1.0 and dict(result.pairs)["Waiting Area"] == "等候区 Waiting Area"
    assert match_texts([], ["x"]).recall == 1.0


# -- merging passes --------------------------------------------------------------------------------------

def test_merging_passes_keeps_the_better_reading_of_each_place() -> None:
    from auditor.detectors.ocr import Reading, merge_readings

    def reading(x: float, text: str, score: float) -> Reading:
        return Reading(np.float32([[x, 10], [x + 80, 10], [x + 80, 30], [x, 30]]), text, score)

    kept = merge_readings([reading(600, "KEPCA", 0.43), reading(602, "KEEP CLEAR", 0.93), reading(300, "出口", 0.9),
                           reading(0, "办事指", 0.99), reading(1, "办事指南", 0.96)])
    assert sorted(r.text for r in kept) == ["KEEP CLEAR", "出口", "办事指南"]  # at a near tie, the longer wins
    # Only a reading that extends the other wins a near tie; an extra wrong letter does not.
    (kept,) = merge_readings([reading(0, "MEEP CCLEAR", 0.85), reading(2, "KEEP CLEAR", 0.86)])
    assert kept.text == "KEEP CLEAR"


# -- how the passes run (the models replaced by stand-ins) -------------------------------------------------

def _quad(x: float, y: float, w: float, h: float) -> np.ndarray:
    return np.float32([[x, y], [x + w, y], [x + w, y + h], [x, y + h]])


def test_the_first_pass_shrinks_only_large_photos_and_never_below_the_detectors_own_size() -> None:
    from auditor.detectors.ocr import DETECTOR_SIDE, RapidOcrReader

    reader = RapidOcrReader()

    def scale(w: int, h: int) -> float:
        return reader.detect_scale(np.zeros((h, w, 3), dtype=np.uint8))

    assert scale(960, 720) == 1.0 and scale(1280, 720) == 1.0 and scale(279, 180) == 1.0
    assert scale(4000, 3000) == pytest.approx(1280 / 4000)  # a 12-megapixel photo: 1280x960
    assert scale(4000, 2250) == pytest.approx(DETECTOR_SIDE / 2250)  # 16:9: its short side stays at 736
    assert scale(1600, 500) == 1.0  # a panorama rapidocr would enlarge anyway
    assert RapidOcrReader(detect_max_side=None).detect_scale(np.zeros((3000, 4000, 3), dtype=np.uint8)) == 1.0


def test_every_pass_is_read_in_one_call_and_a_large_photo_from_full_size_crops(monkeypatch) -> None:
    from auditor.detectors import ocr

    seen: list[tuple[int, int]] = []
    calls: list[list[np.ndarray]] = []

    def detect(image: np.ndarray, threads: int = 2, side: int = ocr.DETECTOR_SIDE) -> np.ndarray:
        seen.append(image.shape[:2])
        h, w = image.shape[:2]  # one text line in the same place of the photo at any scale
        return _quad(0.25 * w, 0.5 * h, 0.2 * w, 0.04 * h)[None]

    def recognise(crops: list[np.ndarray], threads: int = 2) -> list[tuple[str, float]]:
        calls.append(list(crops))
        return [("出件窗口", 0.95)] * len(crops)

    monkeypatch.setattr(ocr, "detect", detect)
    monkeypatch.setattr(ocr, "recognise", recognise)
    # A small photo: the plain pass and the closer one, both read in one call, one reading per place.
    (reading,) = ocr.RapidOcrReader().readings(np.zeros((240, 320, 3), dtype=np.uint8))
    assert seen[0] == (240, 320) and seen[1][0] > 240 and len(calls) == 1 and len(calls[0]) == 2
    assert reading.text == "出件窗口" and reading.box == pytest.approx((80, 120, 144, 129.6), abs=0.5)
    # A 12-megapixel photo: detected at 1280x960, its line cut from the full-size photo, 48 px high at most.
    seen.clear()
    calls.clear()
    big = np.zeros((3000, 4000, 3), dtype=np.uint8)
    (reading,) = ocr.RapidOcrReader().readings(big)
    assert seen == [(960, 1280)] and len(calls) == 1
    (crop,) = calls[0]
    assert crop.shape[0] == ocr.REC_HEIGHT and crop.shape[1] == pytest.approx(ocr.REC_HEIGHT * 800 / 120, abs=2)
    assert reading.box == pytest.approx((1000, 1500, 1800, 1620), abs=1)


def test_unsure_readings_are_read_again_plain_then_equalised_and_only_a_sure_reading_replaces_one(monkeypatch) -> None:
    from auditor.detectors import ocr

    calls: list[int] = []
    # Per reading: what the plain padded crop reads, then what its contrast-equalised copy reads.
    plain = {0: ("KEEP CLEAR", 0.96), 1: ("等区", 0.7), 2: ("  ", 0.99)}
    equalised = {1: ("", 0.0), 2: ("出口", 0.93)}

    def recognise(crops: list[np.ndarray], threads: int = 2) -> list[tuple[str, float]]:
        assert all(c.shape[0] == round(48 * 1.2) for c in crops)  # padded, resampled to the recogniser's 48 px
        calls.append(len(crops))
        return [plain[k] for k in range(len(crops))] if len(calls) == 1 else [equalised[k] for k in (1, 2)]

    monkeypatch.setattr(ocr, "recognise", recognise)
    image = np.full((180, 279, 3), 200, dtype=np.uint8)
    unsure = [ocr.Reading(_quad(10, 10, 80, 38), "KEPCA", 0.43), ocr.Reading(_quad(100, 60, 60, 20), "等悦区", 0.75),
              ocr.Reading(_quad(20, 120, 40, 20), "出", 0.3)]
    out = ocr.reread(image, unsure)
    assert calls == [3, 2], "all three plain in one call; the equalised copies only of the two still unsure"
    assert [(r.text, r.score) for r in out] == [("KEEP CLEAR", 0.96), ("等悦区", 0.75), ("出口", 0.93)], \
        "a sure reading replaces; an unsure or blank one does not"
    assert out[0].quad is unsure[0].quad and ocr.reread(image, []) == [] and calls == [3, 2]


def test_a_crop_of_large_text_is_shrunk_to_the_recognisers_height() -> None:
    from auditor.detectors.ocr import crop_text

    image = np.full((3000, 4000, 3), 255, dtype=np.uint8)
    image[1000:1300, 1000:2500] = 0
    crop = crop_text(image, _quad(1000, 1000, 1500, 300), 0.1, 48)
    assert crop.shape[:2] == (58, 250)  # (300 + 60) * 0.16, (1500 + 60) * 0.16
    assert crop[29, 125].max() < 10 and crop[1, 1].min() > 245  # the text inside, the margin around it
    small = crop_text(image, _quad(1000, 1000, 60, 12), 0.1, 48)
    assert small.shape[:2] == (58, 250)  # enlarged the same way


def test_the_engine_runs_two_threads_per_session_that_sleep_when_idle() -> None:
    from auditor.detectors.ocr import THREADS, _engine

    engine = _engine()
    assert engine is _engine(THREADS)  # one engine per thread count, however it is asked for
    for model in (engine.text_det, engine.text_cls, engine.text_rec):
        options = model.session.session.get_session_options()
        assert options.intra_op_num_threads == 2 and options.inter_op_num_threads == 1
        assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"


# -- the reader on rendered signs ------------------------------------------------------------------------

needs_font = pytest.mark.skipif(cjk_font_path() is None, reason="needs the CJK font that `make setup` installs")


def _sign(lines: list[str], size: int = 40, panel=(22, 74, 150), ink=(255, 255, 255)) -> Image.Image:
    font = ImageFont.truetype(str(cjk_font_path()), size)
    width = max(font.getbbox(t)[2] for t in lines) + size
    sign = Image.new("RGBA", (width, int(len(lines) * size * 1.35) + size // 2), panel + (255,))
    draw = ImageDraw.Draw(sign)
    for k, text in enumerate(lines):
        draw.text((size // 2, size // 4 + int(k * size * 1.35)), text, fill=ink, font=font)
    return sign


def _scene(sign: Image.Image, size: tuple[int, int] = (800, 600), at: tuple[int, int] = (120, 100)) -> np.ndarray:
    scene = Image.new("RGB", size, (214, 210, 200))
    scene.paste(sign, at, sign)
    return np.asarray(scene)[:, :, ::-1].copy()


def _read(image: np.ndarray):
    from auditor.detectors.ocr import RapidOcrReader

    found = RapidOcrReader().read(image)
    h, w = image.shape[:2]
    assert set(found.data["class_name"]) <= {"text"}
    assert all(0 <= b[0] < b[2] <= w and 0 <= b[1] < b[3] <= h for b in found.xyxy)
    return found


@needs_font
def test_reader_reads_a_two_line_sign_as_lines_and_one_block() -> None:
    found = _read(_scene(_sign(["3号窗口", "综合受理"])))
    by_level = {level: [t for t, lv in zip(found.data["text"], found.data["level"], strict=True) if lv == level]
                for level in ("line", "block")}
    assert any(text_matches("3号窗口", t) for t in by_level["line"])
    assert any(text_matches("综合受理", t) for t in by_level["line"])
    assert any(normalise(t) == "3号窗口综合受理" for t in by_level["block"])
    assert all(len(p) >= 1 for p in found.data["parts"])


@needs_font
@pytest.mark.parametrize("angle", [30, 90])
def test_reader_reads_a_rotated_sign(angle: int) -> None:
    sign = _sign(["Waiting Area 等候区"]).rotate(angle, expand=True, resample=Image.BICUBIC)
    found = _read(_scene(sign, at=(150, 60)))
    assert match_texts(["Waiting Area 等候区"], list(found.data["text"])).recall == 1.0
    assert any(abs(abs(a) - angle) < 12 for a in found.data["angle"])


@needs_font
def test_reader_reads_small_text_on_a_small_low_contrast_photo() -> None:
    # 320x240 photo, text 11 pixels high, grey on grey (contrast 40 of 255).
    sign = _sign(["办事指南"], size=11, panel=(120, 120, 126), ink=(164, 164, 170))
    found = _read(_scene(sign, size=(320, 240), at=(150, 120)))
    assert match_texts(["办事指南"], list(found.data["text"])).recall == 1.0


@needs_font
def test_reader_reads_a_12_megapixel_photo_detected_at_1280_px(monkeypatch) -> None:
    from auditor.detectors import ocr

    # 4000x3000, a sign with 28 px letters: 9 px where the detector looks, read from the full-size photo.
    rng = np.random.default_rng(0)
    wall = np.float32([[[170, 175, 180]]]) + rng.normal(0, 4, (3000, 4000, 1)).astype(np.float32)
    scene = Image.fromarray(np.clip(wall, 0, 255).astype(np.uint8))
    font = ImageFont.truetype(str(cjk_font_path()), 28)
    x, y, width = 2300, 1900, font.getbbox("出件窗口")[2]
    ImageDraw.Draw(scene).rectangle([x - 14, y - 14, x + width + 14, y + 42], fill=(22, 74, 150))
    ImageDraw.Draw(scene).text((x, y), "出件窗口", fill=(255, 255, 255), font=font)
    detected = []
    detect = ocr.detect
    monkeypatch.setattr(ocr, "detect", lambda image, threads=2, side=ocr.DETECTOR_SIDE:
                        detected.append(image.shape[:2]) or detect(image))
    found = _read(np.asarray(scene)[:, :, ::-1].copy())
    assert detected == [(960, 1280)]
    (box,) = [b for b, t in zip(found.xyxy, found.data["text"], strict=True) if text_matches("出件窗口", t)]
    assert box == pytest.approx((x, y, x + width, y + 28), abs=30)  # in full-size pixels


def test_reader_returns_empty_detections_with_every_column_on_a_blank_photo() -> None:
    from auditor.detectors.ocr import RapidOcrReader

    found = RapidOcrReader().read(np.full((200, 300, 3), 255, dtype=np.uint8))
    assert len(found) == 0 and {"text", "level", "angle", "parts"} <= set(found.data)
